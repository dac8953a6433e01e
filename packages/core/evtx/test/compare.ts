import type { ParsedEvent } from '@otptrace/model';
import type { TruthEvent } from './independent-truth.js';

// The documented differences between libevtx's rendering and otptrace's (packages/core/evtx/README.md, "Checked against
// libevtx"). Each is a formatting choice for the same binary value, never a different value:
// 1. libevtx pads HexInt32/HexInt64 to 8/16 digits ("0x00000000000003e7"); Windows, and so otptrace, writes "0x3e7".
// 2. libevtx writes GUIDs upper-case; current Windows, and otptrace, lower-case.
// 3. libevtx writes 9 fractional digits of SystemTime ("…681640800Z"); current Windows, and otptrace, the 7 that a
//    FILETIME holds ("…6816408Z").
const PADDED_HEX = /^0x(?:[0-9a-f]{8}|[0-9a-f]{16})$/;
const HEX = /^0x[0-9a-f]+$/;
const NINE_DIGIT_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}00Z$/;
const SEVEN_DIGIT_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/;
const GUID = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;

/** Whether otptrace's value `ours` is libevtx's `theirs` up to the documented formatting differences. */
export function sameValue(ours: string, theirs: string): boolean {
  if (ours === theirs) return true;
  if (PADDED_HEX.test(theirs) && HEX.test(ours)) return BigInt(ours) === BigInt(theirs);
  if (GUID.test(theirs)) return ours === theirs.toLowerCase();
  if (NINE_DIGIT_TIME.test(theirs) && SEVEN_DIGIT_TIME.test(ours)) return ours.replace(/Z$/, '00Z') === theirs;
  return false;
}

/** Every field where `ours` disagrees with the independent rendering, as "field: ours ≠ theirs" lines. */
export function differences(ours: ParsedEvent, truth: TruthEvent): string[] {
  const { system } = truth;
  const out: string[] = [];
  const check = (field: string, mine: string | number | null, theirs: string | undefined): void => {
    const a = mine === null ? undefined : String(mine);
    if (a === theirs || (a !== undefined && theirs !== undefined && sameValue(a, theirs))) return;
    out.push(`${field}: ${JSON.stringify(a)} ≠ ${JSON.stringify(theirs)}`);
  };
  check('provider', ours.provider, system['Provider/@Name']);
  check('providerGuid', ours.providerGuid, system['Provider/@Guid']);
  check('eventId', ours.eventId, system.EventID);
  check('qualifiers', ours.qualifiers, system['EventID/@Qualifiers']);
  check('version', ours.version, system.Version);
  check('level', ours.level, system.Level);
  check('task', ours.task, system.Task);
  check('keywords', ours.keywords, system.Keywords);
  const time = system['TimeCreated/@SystemTime'];
  check('systemTime', ours.systemTime, time);
  check('recordId', ours.recordId, system.EventRecordID);
  check('channel', ours.channel, system.Channel);
  check('computer', ours.computer, system.Computer);
  const names = new Set([...Object.keys(ours.data), ...Object.keys(truth.data)]);
  for (const name of names) check(`data.${name}`, ours.data[name] ?? null, truth.data[name]);
  // 4. libevtx leaves out a <Data> whose only content is an optional substitution holding null; Windows keeps it
  //    as <Data></Data> (so does python-evtx), and so does otptrace: such entries are "" only in our list.
  const list = ours.dataList.length === truth.dataList.length ? ours.dataList : ours.dataList.filter((v) => v !== '');
  const theirs =
    ours.dataList.length === truth.dataList.length ? truth.dataList : truth.dataList.filter((v) => v !== '');
  if (list.length !== theirs.length) out.push(`dataList length: ${ours.dataList.length} ≠ ${truth.dataList.length}`);
  list.forEach((value, i) => {
    check(`dataList[${i}]`, value, theirs[i]);
  });
  return out;
}
