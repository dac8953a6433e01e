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
 * The same three fields read from UTF-8 bytes without decoding the event: searches on the bytes, then only the short
 * provider and channel names become strings. This is the cost of an unrelated event, most of a Security log.
 */
export function peekHeaderBytes(bytes: Buffer): EventHeader | null {
  const end = bytes.indexOf(SYSTEM_END);
  const head = end > 0 ? bytes.subarray(0, end) : bytes.subarray(0, 4096);
  const p = head.indexOf(PROVIDER);
  if (p < 0) return null;
  const gt = head.indexOf(0x3e, p); // '>' closing the Provider tag
  let n = head.indexOf(NAME, p + PROVIDER.length);
  // Name must be an attribute of this tag, followed by optional blanks, '=', blanks and a quote.
  while (n >= 0 && n < gt && !isAttrStart(head[n - 1]!)) n = head.indexOf(NAME, n + 1);
  if (n < 0 || n > gt) return null;
  let q = n + NAME.length;
  while (isBlank(head[q])) q++;
  if (head[q] !== 0x3d) return null;
  q++;
  while (isBlank(head[q])) q++;
  const quote = head[q];
  if (quote !== 0x22 && quote !== 0x27) return null;
  const close = head.indexOf(quote, q + 1);
  if (close < 0 || close > gt) return null;
  const e = head.indexOf(EVENT_ID_TAG, gt);
  if (e < 0) return null;
  let d = head.indexOf(0x3e, e) + 1;
  if (d <= 0) return null;
  while (isBlank(head[d])) d++;
  let eventId = 0;
  let digits = 0;
  for (let c = head[d]; c !== undefined && c >= 0x30 && c <= 0x39; c = head[++d]) {
    eventId = eventId * 10 + (c - 0x30);
    digits++;
  }
  if (digits === 0 || digits > 5) return null;
  while (isBlank(head[d])) d++;
  if (head[d] !== 0x3c) return null; // '<' of </EventID>
  const c = head.indexOf(CHANNEL_TAG, e);
  const channelEnd = c < 0 ? -1 : head.indexOf(0x3c, c + CHANNEL_TAG.length);
  return {
    provider: head.toString('utf8', q + 1, close),
    eventId,
    channel: channelEnd < 0 ? '' : head.toString('utf8', c + CHANNEL_TAG.length, channelEnd).trim(),
  };
}

function isBlank(b: number | undefined): boolean {
  return b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;
}

function isAttrStart(b: number): boolean {
  return isBlank(b);
}
