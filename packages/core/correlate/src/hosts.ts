// Host names come from a few machines but are keyed on every event: the keys are remembered per spelling, so that an
// event costs one look-up of its (interned) host string instead of a new lower-case string hashed again. Bounded, so
// that a stream of unique names cannot grow them without limit.
const HOST_KEYS = new Map<string, string>();
const LOWER = new Map<string, string>();
const MEMO_LIMIT = 4_096;

/** The index key of a host: its short name in lower case (an FQDN and its short name share it). */
export function hostKey(host: string): string {
  const known = HOST_KEYS.get(host);
  if (known !== undefined) return known;
  const dot = host.indexOf('.');
  const key = (dot < 0 ? host : host.slice(0, dot)).toLowerCase();
  if (HOST_KEYS.size >= MEMO_LIMIT) HOST_KEYS.clear();
  HOST_KEYS.set(host, key);
  return key;
}

/** A host name in lower case (the whole name), remembered like `hostKey`. */
export function lowerHost(host: string): string {
  const known = LOWER.get(host);
  if (known !== undefined) return known;
  const lower = host.toLowerCase();
  if (LOWER.size >= MEMO_LIMIT) LOWER.clear();
  LOWER.set(host, lower);
  return lower;
}

/** Host names compared case-insensitively, an FQDN matching its short name. */
export function sameHost(a: string, b: string): boolean {
  if (a.length === b.length) return a === b || lowerHost(a) === lowerHost(b);
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  // A short name matches the FQDN that starts with it and a dot.
  return (
    !shorter.includes('.') &&
    longer[shorter.length] === '.' &&
    longer.slice(0, shorter.length).toLowerCase() === lowerHost(shorter)
  );
}
