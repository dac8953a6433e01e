import { type Host, randomStyle } from '../fleet.js';
import type { Prng } from '../prng.js';
import type { RenderStyle, SystemFields } from './xml.js';

/** Where and when one event is written: the host, the true time, its record number, and randomness for details. */
export interface Stamp {
  readonly host: Host;
  /** True epoch ms; the written time adds the host's clock offset. */
  readonly time: number;
  readonly recordId: number;
  readonly rng: Prng;
}

/** Security-Auditing provider (samples nps-6272-1, adcs-4886-1): GUID written in either case by the style. */
export const SECURITY_PROVIDER = 'Microsoft-Windows-Security-Auditing';
export const SECURITY_GUID = '{54849625-5478-4994-a5ba-3e3b0328c30d}';
/** Keywords of Security events: audit success / audit failure (samples nps-6272-1, nps-6273-1). */
export const AUDIT_SUCCESS = '0x8020000000000000';
export const AUDIT_FAILURE = '0x8010000000000000';

/** Mostly the host's own rendering; one event in ten differs, as exports merged from several tools do. */
export function pickStyle(stamp: Stamp): RenderStyle {
  return stamp.rng.chance(0.9) ? stamp.host.style : randomStyle(stamp.rng);
}

/** The time on the host's (possibly skewed) clock. */
export function hostTime(stamp: Stamp): number {
  return stamp.time + stamp.host.clockOffsetMs;
}

/** A `{xxxxxxxx-...}` GUID in lower case. */
export function randomGuid(rng: Prng): string {
  const h = rng.hex(32);
  return `{${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}}`;
}

/** The `<System>` block of a Security-log event written by lsass on the stamp's host. */
export function securitySystem(
  stamp: Stamp,
  eventId: number,
  version: number,
  task: number,
  keywords: string,
): SystemFields {
  return {
    provider: SECURITY_PROVIDER,
    guid: SECURITY_GUID,
    eventId,
    version,
    level: 0,
    task,
    opcode: 0,
    keywords,
    time: hostTime(stamp),
    ticks: stamp.rng.int(10000),
    recordId: stamp.recordId,
    processId: stamp.host.lsassPid,
    threadId: stamp.rng.between(100, 20000) & ~3,
    channel: 'Security',
    computer: stamp.host.fqdn,
  };
}
