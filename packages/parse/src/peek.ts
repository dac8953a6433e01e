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
  const head = systemEnd > 0 ? text.slice(0, systemEnd) : text.slice(0, 4096);
  const provider = PROVIDER_NAME.exec(head);
  const eventId = EVENT_ID.exec(head);
  if (provider === null || eventId === null || provider[2] === undefined || eventId[1] === undefined) return null;
  const channel = CHANNEL.exec(head);
  return { provider: provider[2], eventId: Number(eventId[1]), channel: channel?.[1]?.trim() ?? '' };
}
