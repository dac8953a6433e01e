import type { DropReason } from '@otptrace/model';
import { detectEncoding, type TextEncoding } from './encoding.js';
import { foreignExportReason } from './foreign-exports.js';

/** One `<Event>` element cut out of the input, still as bytes of the file's encoding. */
export interface EventChunk {
  readonly kind: 'event';
  /** Byte offset of `<Event` in the file. */
  readonly position: number;
  /** The event's bytes: a view made when read (most events are judged from `source` alone, without one). */
  readonly bytes: Buffer;
  /** The buffer the event lies in, at `[start, end)`. */
  readonly source: Buffer;
  readonly start: number;
  readonly end: number;
  readonly encoding: TextEncoding;
}

/** An event as where it lies in the splitter's buffer; its bytes view is made on demand. */
class EventSpan implements EventChunk {
  readonly kind = 'event';
  constructor(
    readonly position: number,
    readonly source: Buffer,
    readonly start: number,
    readonly end: number,
    readonly encoding: TextEncoding,
  ) {}

  get bytes(): Buffer {
    return this.source.subarray(this.start, this.end);
  }
}

/** Input that is not an event, with where it starts and why it was refused. */
export interface SplitRejection {
  readonly kind: 'reject';
  readonly position: number;
  readonly code: DropReason;
  readonly reason: string;
}

export type SplitItem = EventChunk | SplitRejection;

const NOT_SEARCHED = -2;
/**
 * Bytes of a new chunk joined to the unfinished tail of the previous one (see `pushBridged`): more than an event of a
 * Windows log, so that the tail's event ends within them. Even, so that UTF-16 code units are not cut.
 */
const BRIDGE_BYTES = 64 << 10;
/**
 * `Event` and a byte that may end the name of a tag: an open `<Event` is `<` and one of these (`findOpen`); the
 * second, `Event>`, also ends `</Event>` (`findClose`). Windows writes `<Event xmlns=…>`: the others are rare.
 */
const OPEN_TAILS = ['Event ', 'Event>', 'Event\n', 'Event/', 'Event\t', 'Event\r'].map((t) => Buffer.from(t));
/** The index of `Event>` in OPEN_TAILS. */
const GT_TAIL = 1;
/** From this index on, a needle is found by its last byte (tab, CR: rare bytes, found by memchr) and then `Event`. */
const BY_LAST_BYTE = 4;
const EVENT = Buffer.from('Event');
/** Bytes found without `Event` before them, after which byLastByte searches the needle itself. */
const BYTE_MISSES = 8;

/**
 * The next occurrence of each of OPEN_TAILS in one buffer, remembered with the offset its search started from: asked
 * again from a later offset, the remembered occurrence is the answer while it lies at or after that offset (there is
 * none between). A needle absent from the rest of the buffer is searched once.
 */
class NeedleHits {
  private buf: Buffer = Buffer.alloc(0);
  private readonly from: number[] = OPEN_TAILS.map(() => Number.POSITIVE_INFINITY);
  private readonly at: number[] = OPEN_TAILS.map(() => -1);

  /** Forget everything: the buffer searched changes. */
  reset(buf: Buffer): void {
    this.buf = buf;
    this.from.fill(Number.POSITIVE_INFINITY);
  }

  /** The first occurrence of OPEN_TAILS[k] at or after `from`, -1 when there is none. */
  find(k: number, from: number): number {
    if (this.from[k]! <= from) {
      const at = this.at[k]!;
      if (at < 0 || at >= from) return at;
    }
    const at = k < BY_LAST_BYTE ? this.buf.indexOf(OPEN_TAILS[k]!, from) : this.byLastByte(k, from);
    this.from[k] = from;
    this.at[k] = at;
    return at;
  }

  /**
   * The search for OPEN_TAILS[k] by its last byte: each such byte found, `Event` is looked for before it. When the
   * byte is not rare after all (tabs indenting values), the needle itself is searched from there on.
   */
  private byLastByte(k: number, from: number): number {
    const buf = this.buf;
    const last = OPEN_TAILS[k]![EVENT.length]!;
    let misses = 0;
    for (let t = buf.indexOf(last, from + EVENT.length); t >= 0; t = buf.indexOf(last, t + 1)) {
      let j = 0;
      while (j < EVENT.length && buf[t - EVENT.length + j] === EVENT[j]) j++;
      if (j === EVENT.length) return t - EVENT.length;
      // Every occurrence ending at or before t is known not to be there: the needle is searched past them.
      if (++misses === BYTE_MISSES) return buf.indexOf(OPEN_TAILS[k]!, t - EVENT.length + 1);
    }
    return -1;
  }
}

// Between events Windows renderings hold only white space, an XML declaration, the <Events> wrapper of Event
// Viewer's "Save as XML", and comments. Anything else is reported, never guessed at.
const ALLOWED_BETWEEN = /\s+|<\?xml[^>]*\?>|<!--[\s\S]*?-->|<Events(?:\s[^>]*)?>|<\/Events\s*>/y;

/**
 * Cuts a byte stream of EVTX-XML (wevtutil output, `<Events>` documents, one event per line, UTF-8 or UTF-16LE) into
 * events without buffering more than one event (at most `maxEventBytes`) plus one chunk. Push chunks as they are
 * read, then call `end()`.
 */
export class EventSplitter {
  private buf: Buffer = Buffer.alloc(0);
  private base = 0; // file offset of buf[0]
  private encoding: TextEncoding | null = null;
  private open = Buffer.from('<Event');
  private close = Buffer.from('</Event>');
  private unit = 1;
  private skipping = false;
  private garbage: { position: number; code: DropReason; reason: string } | null = null;
  /** Where the next `<Event` is, found while checking the current event for truncation (within one run). */
  private nextOpen = NOT_SEARCHED;
  /** Occurrences of the UTF-8 needles in `buf`, found by earlier searches of this run. */
  private readonly hits = new NeedleHits();

  /** `position`: the file offset of the first byte pushed (a reader may start at an event boundary inside a file). */
  constructor(
    private readonly maxEventBytes: number,
    position = 0,
  ) {
    this.base = position;
  }

  /** Feed the next bytes of the file; returns the events and rejections completed so far. */
  push(chunk: Uint8Array): SplitItem[] {
    // The chunk is read in place, not copied: only the unfinished tail is kept (copied) once this call returns, so
    // the events handed out are views on the caller's bytes.
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.buf.length > 0 && this.encoding !== null && view.length > BRIDGE_BYTES) return this.pushBridged(view);
    this.buf = this.buf.length === 0 ? view : Buffer.concat([this.buf, view]);
    if (this.encoding === null) {
      if (this.buf.length < 4) return [];
      this.setEncoding();
    }
    const out: SplitItem[] = [];
    this.keepFrom(this.run(false, out));
    return out;
  }

  /**
   * `push` when an unfinished tail is kept: the tail is joined with the chunk's first BRIDGE_BYTES only, not the
   * whole chunk (a copy of every byte read, into a new buffer each time). Once the events of that join are out, the
   * rest of the chunk is read in place. The same as pushing the chunk in two pieces, which gives the same items.
   */
  private pushBridged(view: Buffer): SplitItem[] {
    const tail = this.buf.length;
    this.buf = Buffer.concat([this.buf, view.subarray(0, BRIDGE_BYTES)]);
    const out: SplitItem[] = [];
    const p = this.run(false, out);
    this.base += p;
    // What is left of the join is the chunk from p - tail on, unless part of the old tail is still unfinished.
    this.buf = p >= tail ? view.subarray(p - tail) : Buffer.concat([this.buf.subarray(p), view.subarray(BRIDGE_BYTES)]);
    this.keepFrom(this.run(false, out));
    return out;
  }

  /** The input has ended: returns what remains, including a truncated last event. */
  end(): SplitItem[] {
    if (this.encoding === null) {
      if (this.buf.length === 0) return [];
      this.setEncoding();
    }
    const out: SplitItem[] = [];
    this.keepFrom(this.run(true, out));
    return out;
  }

  private setEncoding(): void {
    const guess = detectEncoding(this.buf.subarray(0, 64));
    this.encoding = guess.encoding;
    this.unit = guess.encoding === 'utf16le' ? 2 : 1;
    this.open = Buffer.from('<Event', guess.encoding);
    this.close = Buffer.from('</Event>', guess.encoding);
    this.buf = this.buf.subarray(guess.bomLength);
    this.base += guess.bomLength;
  }

  /** Keep the bytes from `p` on (copied: the events handed out are views on the old buffer, the chunk is reused). */
  private keepFrom(p: number): void {
    this.base += p;
    this.buf = p >= this.buf.length ? Buffer.alloc(0) : Buffer.from(this.buf.subarray(p));
  }

  /** Cut `buf` into `out`; returns where the bytes not yet used (to keep for the next chunk) start. */
  private run(final: boolean, out: SplitItem[]): number {
    let p = 0;
    this.nextOpen = NOT_SEARCHED;
    this.hits.reset(this.buf);
    for (;;) {
      if (this.skipping) {
        // The oversized event ends at its </Event>, or where a new <Event starts first (it was cut short as well).
        const c = this.findClose(p);
        const n = this.findOpen(p);
        if (n >= 0 && (c < 0 || n < c)) {
          this.skipping = false;
          p = n;
          continue;
        }
        if (c < 0) {
          // Keep what may be the start of a </Event> or an <Event cut by the chunk's end.
          p = this.tailOf(p, this.close.length);
          break;
        }
        this.skipping = false;
        p = c + this.close.length;
        continue;
      }
      // The open found while checking the previous event is the first one at or after p (none lies between).
      const i =
        this.nextOpen !== NOT_SEARCHED && (this.nextOpen >= p || this.nextOpen < 0) ? this.nextOpen : this.findOpen(p);
      this.nextOpen = NOT_SEARCHED;
      if (i < 0) {
        // Keep a tail that may hold the start of the next event or of an unfinished declaration.
        const keepFrom = final ? this.buf.length : this.tailStart(p);
        this.checkBetween(p, keepFrom);
        p = keepFrom;
        if (final) this.flushGarbage(out);
        break;
      }
      this.checkBetween(p, i);
      this.flushGarbage(out);
      const c = this.findClose(i + this.open.length);
      // A new <Event before this one's end means this one was cut short. Otherwise the <Event found is the next
      // event's, kept for the next turn of the loop: each byte is scanned once for <Event.
      const n = this.findOpen(i + this.open.length);
      this.nextOpen = n;
      if (n >= 0 && (c < 0 || n < c)) {
        out.push(
          this.reject(i, 'truncated_event', 'an <Event> element ends before its </Event>: a new <Event> starts'),
        );
        p = n;
        continue;
      }
      if (c < 0) {
        if (this.buf.length - i > this.maxEventBytes) {
          out.push(this.reject(i, 'event_too_large', `event larger than ${this.maxEventBytes} bytes`));
          this.skipping = true;
          p = this.tailOf(i + this.open.length, this.close.length);
          continue;
        }
        if (final) {
          out.push(this.reject(i, 'truncated_event', 'the input ends inside an <Event> element'));
          p = this.buf.length;
        } else {
          p = i;
        }
        break;
      }
      const end = c + this.close.length;
      if (end - i > this.maxEventBytes) {
        out.push(this.reject(i, 'event_too_large', `event of ${end - i} bytes, larger than ${this.maxEventBytes}`));
      } else {
        out.push(new EventSpan(this.base + i, this.buf, i, end, this.encoding!));
      }
      p = end;
    }
    return p;
  }

  /** The last `bytes` bytes of the buffer (not before `from`), at a code-unit boundary counted from `from`. */
  private tailOf(from: number, bytes: number): number {
    const k = Math.max(from, this.buf.length - bytes);
    return k - ((k - from) % this.unit);
  }

  /** Start of the bytes to keep when no further `<Event` is in the buffer yet. */
  private tailStart(from: number): number {
    const lastLt = this.buf.lastIndexOf(this.encoding === 'utf16le' ? Buffer.from('<', 'utf16le') : 0x3c);
    const keep = lastLt >= from && this.buf.length - lastLt < 4096 ? lastLt : this.buf.length - this.open.length;
    const k = Math.max(from, keep);
    return k - ((k - from) % this.unit);
  }

  /**
   * Next `</Event>` at or after `from`. In UTF-8 the search is for `Event>` and then looks back for `</`: Buffer's
   * search is several times faster for a needle that does not start with `<`, the most frequent byte of XML.
   */
  private findClose(from: number): number {
    if (this.unit === 2) return this.indexOfAligned(this.close, from);
    let at = this.hits.find(GT_TAIL, from + 2);
    while (at >= 0 && (this.buf[at - 1] !== 0x2f || this.buf[at - 2] !== 0x3c)) at = this.hits.find(GT_TAIL, at + 1);
    return at < 0 ? -1 : at - 2;
  }

  private indexOfAligned(needle: Buffer, from: number): number {
    let at = this.buf.indexOf(needle, from);
    while (at >= 0 && this.unit === 2 && at % 2 !== 0) at = this.buf.indexOf(needle, at + 1);
    return at;
  }

  /** Next `<Event` followed by white space, `>` or `/` (so `<Events>`, `<EventData>`, `<EventID>` do not count). */
  private findOpen(from: number): number {
    if (this.unit === 1) return this.findOpenUtf8(from);
    const view = this.buf;
    let at = view.indexOf(this.open, from);
    while (at >= 0) {
      if (this.unit === 2 && at % 2 !== 0) {
        at = view.indexOf(this.open, at + 1);
        continue;
      }
      const next = this.buf[at + this.open.length];
      if (next === undefined) return -1; // cannot tell yet
      if (next === 0x20 || next === 0x09 || next === 0x0d || next === 0x0a || next === 0x3e || next === 0x2f) {
        if (this.unit === 1 || this.buf[at + this.open.length + 1] === 0) return at;
      }
      at = view.indexOf(this.open, at + this.unit);
    }
    return -1;
  }

  /**
   * `findOpen` in UTF-8: the first `Event` followed by one of the six bytes that may end the name, preceded by `<`.
   * Each of those six needles is searched by itself, and its next occurrence is remembered (`hits`): `Event ` (the
   * open Windows writes) is found once per event, `Event>` is shared with `findClose`, the other four are absent from
   * Windows renderings (`Event\n` and `Event/` are searched once per buffer then; tab and CR by memchr of that byte,
   * which is rare). Needles that do not start with `<`, the most frequent byte of XML, are also found several times
   * faster by Buffer's search.
   */
  private findOpenUtf8(from: number): number {
    const buf = this.buf;
    let best = -1;
    for (let k = 0; k < OPEN_TAILS.length; k++) {
      // An occurrence at `at` is an open at `at - 1` when `<` precedes it; only one before `best` can do better.
      let at = this.hits.find(k, from + 1);
      while (at >= 0 && (best < 0 || at - 1 < best) && buf[at - 1] !== 0x3c) at = this.hits.find(k, at + 1);
      if (at >= 0 && (best < 0 || at - 1 < best)) best = at - 1;
    }
    // (`<Event` as the last bytes of the buffer matches no needle: -1, what follows is not known yet, as in findOpen.)
    return best;
  }

  /** Check the bytes between two events; anything but the allowed prologue and wrapper opens a garbage run. */
  private checkBetween(from: number, to: number): void {
    if (to <= from) return;
    // Fast path: the line break between two events.
    let ws = from;
    while (ws < to && isSpaceByte(this.buf[ws]!, this.unit)) ws++;
    if (ws === to) return;
    const text = this.buf.subarray(from, to).toString(this.encoding!);
    ALLOWED_BETWEEN.lastIndex = 0;
    let at = 0;
    while (at < text.length) {
      ALLOWED_BETWEEN.lastIndex = at;
      if (!ALLOWED_BETWEEN.test(text)) break;
      at = ALLOWED_BETWEEN.lastIndex;
    }
    if (at >= text.length) return;
    if (this.garbage !== null) return; // the current run already started earlier
    const offset = this.encoding === 'utf16le' ? at * 2 : Buffer.byteLength(text.slice(0, at));
    const rest = text.slice(at, at + 9).toUpperCase();
    const forbidden = rest.startsWith('<!DOCTYPE') || rest.startsWith('<!ENTITY');
    this.garbage = {
      position: this.base + from + offset,
      code: forbidden ? 'forbidden_markup' : 'not_an_event',
      reason: forbidden
        ? 'DOCTYPE or entity declaration refused (no DTD processing)'
        : (foreignExportReason(text.slice(at, at + 1024)) ?? 'content that is not an <Event> element'),
    };
  }

  private flushGarbage(out: SplitItem[]): void {
    if (this.garbage === null) return;
    out.push({ kind: 'reject', ...this.garbage });
    this.garbage = null;
  }

  private reject(at: number, code: DropReason, reason: string): SplitRejection {
    return { kind: 'reject', position: this.base + at, code, reason };
  }
}

/** White space as bytes, in UTF-8 and (with its NUL high bytes) in UTF-16LE. */
function isSpaceByte(b: number, unit: number): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || (unit === 2 && b === 0x00);
}
