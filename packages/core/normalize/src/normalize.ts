import type { ParsedEvent } from '@otptrace/model';
import type { AnalysisConfig } from '@otptrace/schemas';
import { IdentityResolver } from './identity.js';
import { ignored, type NormalizeContext, type Normalized, rejected } from './outcome.js';
import { classify } from './source-table.js';
import { parseNpsLogClock } from './sources/nps-log.js';

/**
 * Build the context the source mappers share. `referenceTime` is the caller's clock (the analysis run, the collector)
 * for the future bound; without one, no event is too far in the future (the core reads no clock itself).
 */
export function createNormalizeContext(
  config: Pick<AnalysisConfig, 'domains' | 'probeUsers' | 'otpTemplatePattern'> &
    Partial<
      Pick<
        AnalysisConfig,
        'earliestEventTime' | 'maxFutureMs' | 'signingTemplatePattern' | 'npsLogUtcOffsets' | 'iisServerName'
      >
    >,
  referenceTime?: number,
): NormalizeContext {
  return {
    identity: new IdentityResolver(config),
    otpTemplate: new RegExp(config.otpTemplatePattern, 'i'),
    signingTemplate: new RegExp(config.signingTemplatePattern ?? 'OTPRA|OTP.?Sign', 'i'),
    npsLogOffsets: new Map(
      Object.entries(config.npsLogUtcOffsets ?? {}).flatMap(([server, text]) => {
        const rule = parseNpsLogClock(text);
        return rule === null ? [] : [[server.split('.')[0]!.toLowerCase(), rule] as const];
      }),
    ),
    iisServerName: config.iisServerName ?? null,
    earliest: Date.parse(config.earliestEventTime ?? '2000-01-01T00:00:00Z'),
    latest: referenceTime === undefined ? Number.POSITIVE_INFINITY : referenceTime + (config.maxFutureMs ?? 86_400_000),
  };
}

/** ② Map one parsed event to a normalised event of its source, or say why it is dropped. */
export function normalizeEvent(p: ParsedEvent, ctx: NormalizeContext): Normalized {
  const c = classify(p.provider, p.eventId, p.channel);
  if (c.kind === 'unrelated') return ignored('unrelated_event');
  if (c.kind === 'unknown_provider') return rejected('unknown_provider', c.message, 'System.Provider.Name');
  return withPlausibleTime(c.mapper(p, ctx), ctx, 'System.TimeCreated.SystemTime');
}

/**
 * `n`, or its rejection when its event's time lies outside [earliest, latest] (`createNormalizeContext`): the same
 * bound for events and for the lines of text logs (`path` names where the time was read).
 */
export function withPlausibleTime(n: Normalized, ctx: NormalizeContext, path: string): Normalized {
  if (n.status !== 'event' || (n.event.time >= ctx.earliest && n.event.time <= ctx.latest)) return n;
  const when = n.event.time < ctx.earliest ? 'before the earliest plausible time' : 'too far in the future';
  return rejected('implausible_time', `event time is ${when}`, path);
}
