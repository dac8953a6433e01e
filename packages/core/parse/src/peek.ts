/** The three System fields that decide whether an event matters, read without parsing the event. */
export interface EventHeader {
  readonly provider: string;
  readonly eventId: number;
  readonly channel: string;
}

const PROVIDER_NAME = /<Provider\s[^>]*?Name\s*=\s*(["'])(.*?)\1/;
const EVENT_ID = /<EventID(?:\s[^>]*)?>\s*(\d+)\s*<\/EventID>/;
const CHANNEL = /<Channel>([^<]*)<\/Channel>/;

/**
 * Read Provider/@Name, EventID and Channel with three searches limited to the `<System>` part. Null when they cannot
 * be found this way; the full parser then says precisely what is wrong.
 */
export function peekHeader(text: string): EventHeader | null {
  const systemEnd = text.indexOf('</System>');
  // A header cut short (System longer than what the caller passed) says nothing: the full parser decides.
  if (systemEnd < 0 && text.length < 4096 && !text.endsWith('</Event>')) return null;
  const head = systemEnd > 0 ? text.slice(0, systemEnd) : text.slice(0, 4096);
  const provider = PROVIDER_NAME.exec(head);
  const eventId = EVENT_ID.exec(head);
  if (provider === null || eventId === null || provider[2] === undefined || eventId[1] === undefined) return null;
  const channel = CHANNEL.exec(head);
  return { provider: provider[2], eventId: Number(eventId[1]), channel: channel?.[1]?.trim() ?? '' };
}

const PROVIDER = Buffer.from('<Provider');
const NAME = Buffer.from('Name');
const EVENT_ID_TAG = Buffer.from('<EventID');
const CHANNEL_TAG = Buffer.from('<Channel>');
const SYSTEM_END = Buffer.from('</System>');

/**
 * The same three fields read from UTF-8 bytes without decoding the event (`bytes[start, end)`, by default all of
 * them): short hops from one System element to the next, then only the short provider name becomes a string. The
 * channel is read when first asked for (classifying an event of a known provider does not need it). This is the cost
 * of an unrelated event, most of a Security log.
 */
export function peekHeaderBytes(bytes: Buffer, start = 0, end = bytes.length): EventHeader | null {
  const scan = new SystemScan(bytes, start, end);
  const known = windowsLayout(bytes, start, Math.min(end, start + 4096));
  let q: number;
  let close: number;
  let e: number;
  if (known) {
    ({ q, close, e } = layout);
  } else {
    const p = scan.find(PROVIDER, start);
    if (p < 0) return null;
    const gt = scan.find(GT, p); // '>' closing the Provider tag
    let n = scan.find(NAME, p + PROVIDER.length);
    // Name must be an attribute of this tag, followed by optional blanks, '=', blanks and a quote.
    while (n >= 0 && n < gt && !isAttrStart(bytes[n - 1]!)) n = scan.find(NAME, n + 1);
    if (n < 0 || n > gt) return null;
    q = n + NAME.length;
    while (isBlank(scan.byte(q))) q++;
    if (scan.byte(q) !== 0x3d) return null;
    q++;
    while (isBlank(scan.byte(q))) q++;
    const quote = scan.byte(q);
    if (quote !== 0x22 && quote !== 0x27) return null;
    close = scan.find(quote === 0x22 ? DOUBLE_QUOTE : SINGLE_QUOTE, q + 1);
    if (close < 0 || close > gt) return null;
    e = scan.find(EVENT_ID_TAG, gt);
    if (e < 0) return null;
  }
  let d = scan.find(GT, e) + 1;
  if (d <= 0) return null;
  while (isBlank(scan.byte(d))) d++;
  let eventId = 0;
  let digits = 0;
  for (let c = scan.byte(d); c !== undefined && c >= 0x30 && c <= 0x39; c = scan.byte(++d)) {
    eventId = eventId * 10 + (c - 0x30);
    digits++;
  }
  if (digits === 0 || digits > 5) return null;
  while (isBlank(scan.byte(d))) d++;
  if (scan.byte(d) !== 0x3c || scan.systemEndAt(d)) return null; // '<' of </EventID>
  return new PeekedHeader(providerText(bytes, q + 1, close), eventId, scan, e);
}

// A log repeats a few providers: each name is decoded once, then recognised by its bytes. Several are remembered, not
// only the last one: a file of several logs' events in time order (one per line) changes provider from one event to
// the next more often than not.
const RECENT_PROVIDERS = 8;
const recentProviderBytes: Buffer[] = [];
const recentProviderTexts: string[] = [];
/** Where the next name not remembered replaces one (the oldest). */
let nextRecentProvider = 0;

/** bytes[from, to) decoded as UTF-8; the string made for an earlier event when the bytes are the same. */
function providerText(bytes: Buffer, from: number, to: number): string {
  const length = to - from;
  for (let r = 0; r < recentProviderBytes.length; r++) {
    const known = recentProviderBytes[r]!;
    if (known.length !== length) continue;
    let k = 0;
    while (k < length && bytes[from + k] === known[k]) k++;
    if (k === length) return recentProviderTexts[r]!;
  }
  const text = bytes.toString('utf8', from, to);
  recentProviderBytes[nextRecentProvider] = Buffer.from(bytes.subarray(from, to));
  recentProviderTexts[nextRecentProvider] = text;
  nextRecentProvider = (nextRecentProvider + 1) % RECENT_PROVIDERS;
  return text;
}

/** Where `windowsLayout` found the provider name's quotes and `<EventID`. */
const layout = { q: 0, close: 0, e: 0 };

/**
 * The layout every Windows rendering has, `<Event …><System><Provider Name="…" …/><EventID` (blanks allowed between
 * the tags), checked with a few native searches instead of a byte loop; on success `layout` holds exactly what the
 * general hops would find (the only `<` before `<EventID` are those of `<System>` and `<Provider`, so there is no
 * earlier match and no `</System>`). False for anything else (another attribute before Name, an element before
 * EventID, a header past 4096 bytes): the general hops then decide.
 */
function windowsLayout(bytes: Buffer, start: number, limit: number): boolean {
  // Every position read below lies before `<EventID`, checked last to lie within `limit`.
  const system = bytes.indexOf(0x3c, start + 1);
  if (system < 0) return false;
  for (let k = 0; k < SYSTEM_TAG.length; k++) if (bytes[system + k] !== SYSTEM_TAG[k]) return false;
  let p = system + SYSTEM_TAG.length;
  while (isBlank(bytes[p])) p++; // wevtutil's indented renderings put a line break and blanks between tags
  for (let k = 0; k < PROVIDER.length; k++) if (bytes[p + k] !== PROVIDER[k]) return false;
  if (!isBlank(bytes[p + PROVIDER.length])) return false;
  for (let k = 1; k < PROVIDER_NAME_EQ.length; k++)
    if (bytes[p + k + PROVIDER.length] !== PROVIDER_NAME_EQ[k]) return false;
  const q = p + PROVIDER.length + PROVIDER_NAME_EQ.length;
  const quote = bytes[q];
  if (quote !== 0x22 && quote !== 0x27) return false;
  const gt = bytes.indexOf(0x3e, q + 1);
  const e = bytes.indexOf(0x3c, q + 1);
  const close = bytes.indexOf(quote, q + 1);
  if (gt < 0 || e < gt || close < 0 || close > gt || e + EVENT_ID_TAG.length > limit) return false;
  for (let k = 1; k < EVENT_ID_TAG.length; k++) if (bytes[e + k] !== EVENT_ID_TAG[k]) return false;
  layout.q = q;
  layout.close = close;
  layout.e = e;
  return true;
}

const SYSTEM_TAG = Buffer.from('<System>');
/** ` Name=` after `<Provider` (its first byte, a blank, is checked apart: any blank will do). */
const PROVIDER_NAME_EQ = Buffer.from(' Name=');

/** A header read from bytes; its channel is read on first use. */
class PeekedHeader implements EventHeader {
  private channelText: string | undefined;
  constructor(
    readonly provider: string,
    readonly eventId: number,
    private readonly scan: SystemScan,
    private readonly eventIdAt: number,
  ) {}

  get channel(): string {
    if (this.channelText === undefined) {
      const c = this.scan.find(CHANNEL_TAG, this.eventIdAt);
      const channelEnd = c < 0 ? -1 : this.scan.find(LT, c + CHANNEL_TAG.length);
      this.channelText =
        channelEnd < 0 ? '' : this.scan.bytes.toString('utf8', c + CHANNEL_TAG.length, channelEnd).trim();
    }
    return this.channelText;
  }
}

const GT = Buffer.from('>');
const LT = Buffer.from('<');
const DOUBLE_QUOTE = Buffer.from('"');
const SINGLE_QUOTE = Buffer.from("'");

/**
 * Searches limited to an event's System part: a match must end before the first `</System>` or, when the event has
 * none, within its first 4096 bytes. The end of System is found on the way (a search stops at it), so reading the
 * first fields of System never scans the rest of it.
 */
class SystemScan {
  /** Matches end before `limit`; final once `</System>` was met or is known to be absent. */
  private limit: number;
  private limitFinal = false;

  constructor(
    readonly bytes: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.limit = Math.min(end, start + 4096);
  }

  /** `needle` at or after `from`, inside System; -1 when not there. */
  find(needle: Buffer, from: number): number {
    const bytes = this.bytes;
    const first = needle[0];
    const length = needle.length;
    for (let i = Math.max(from, this.start); ; i++) {
      if (i + length > this.limit) {
        if (this.limitFinal || !this.extendLimit()) return -1;
      }
      const b = bytes[i];
      if (b === 0x3c && this.systemEndAt(i)) {
        this.limit = i;
        this.limitFinal = true;
        return -1;
      }
      if (b !== first) continue;
      let k = 1;
      while (k < length && bytes[i + k] === needle[k]) k++;
      if (k === length) return i;
    }
  }

  /** The byte at `at` if it lies inside System as known so far. */
  byte(at: number): number | undefined {
    if (at >= this.limit && (this.limitFinal || !this.extendLimit() || at >= this.limit)) return undefined;
    return this.bytes[at];
  }

  /** Whether `</System>` starts at `at`. */
  systemEndAt(at: number): boolean {
    const bytes = this.bytes;
    if (at + SYSTEM_END.length > this.end) return false;
    for (let k = 1; k < SYSTEM_END.length; k++) if (bytes[at + k] !== SYSTEM_END[k]) return false;
    return bytes[at] === 0x3c;
  }

  /** Past the first 4096 bytes without meeting `</System>`: the limit is the `</System>` further on, if any. */
  private extendLimit(): boolean {
    this.limitFinal = true;
    if (this.limit >= this.end) return false;
    const at = this.bytes.indexOf(SYSTEM_END, this.limit - SYSTEM_END.length + 1);
    if (at < 0 || at + SYSTEM_END.length > this.end) return false;
    this.limit = at;
    return true;
  }
}

function isBlank(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

function isAttrStart(b: number): boolean {
  return isBlank(b);
}
