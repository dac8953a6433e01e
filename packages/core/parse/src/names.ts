// What the scanner and the shape reader share: the System fields kept, and the table of recalled names.
import { SYSTEM_TEXT_ELEMENTS } from '@otptrace/model';

export const SYSTEM_TEXT_FIELDS: ReadonlySet<string> = new Set(SYSTEM_TEXT_ELEMENTS);

// The System attributes buildParsedEvent reads, under their `Element@attribute` keys (the others are checked, not kept).
export const KEPT_ATTRIBUTES: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  [
    'Provider',
    new Map([
      ['Name', 'Provider@Name'],
      ['Guid', 'Provider@Guid'],
    ]),
  ],
  ['TimeCreated', new Map([['SystemTime', 'TimeCreated@SystemTime']])],
  ['EventID', new Map([['Qualifiers', 'EventID@Qualifiers']])],
]);

// Names repeat from one event to the next (element, attribute and Data names). The scanner hands out the copy it made
// earlier when the text at hand is equal to it: no new string, and no hashing again when the name becomes a property
// key. A small table indexed by a few characters; a clash replaces. (Values were tried too: mostly new, they cost more
// in compares and copies than the hits saved.)
const RECALL_SLOTS = 2048;
const RECALL_MAX_LENGTH = 256;
const recalled: string[] = new Array<string>(RECALL_SLOTS).fill('');

/** `text.slice(from, to)`, as the equal string made for an earlier event when there is one. */
export function recall(text: string, from: number, to: number): string {
  const length = to - from;
  if (length === 0) return '';
  if (length > RECALL_MAX_LENGTH) return text.slice(from, to);
  const slot =
    (length * 61 +
      text.charCodeAt(from) * 31 +
      text.charCodeAt(to - 1) * 7 +
      text.charCodeAt(from + (length >> 1)) +
      text.charCodeAt(from + (length >> 2)) * 3) &
    (RECALL_SLOTS - 1);
  const known = recalled[slot]!;
  if (known.length === length && equalAt(text, from, known)) return known;
  // A copy, not a view: the table must not keep whole event texts alive.
  const fresh = detach(text.slice(from, to));
  recalled[slot] = fresh;
  return fresh;
}

/**
 * A copy of a string that does not keep its parent alive. V8 represents substrings (slice, trim) of 13 characters or
 * more as views on the whole event text; a kept normalised event would otherwise hold its 1–2 KB event alive for each
 * of its values. A template literal's result is a tree of concatenations until something flattens it: this flattens it
 * too. Joined from two pieces, which writes one flat string: the slice of a flattened copy (`(' ' + s).slice(1)`) is
 * a view again, 32 bytes more for each value kept (`bench/correlate.mjs`'s heap per attempt).
 */
export function detach(s: string): string {
  return s.length < 13 ? s : [s.slice(0, 1), s.slice(1)].join('');
}

/** Whether `s` is written in `text` at `at` (a short compare: a plain loop beats startsWith's builtin call here). */
export function equalAt(text: string, at: number, s: string): boolean {
  if (at + s.length > text.length) return false;
  for (let k = 0; k < s.length; k++) if (text.charCodeAt(at + k) !== s.charCodeAt(k)) return false;
  return true;
}
