import { computerNameOf } from '@otptrace/model';

// Host names are keyed on every event: the keys are remembered per spelling, so that an event costs one look-up of its
// (interned) host string instead of a new lower-case string hashed again. Two generations of at most 16,384 names each
// (client computers are many, but each comes back within minutes), so that unique names cannot grow it without limit.
class Memo {
  private current = new Map<string, string>();
  private previous = new Map<string, string>();

  constructor(private readonly derive: (s: string) => string) {}

  of(s: string): string {
    const known = this.current.get(s);
    if (known !== undefined) return known;
    const value = this.previous.get(s) ?? this.derive(s);
    if (this.current.size >= MEMO_GENERATION) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(s, value);
    return value;
  }
}

const MEMO_GENERATION = 16_384;
const HOST_KEYS = new Memo(shortLowerName);
const LOWER = new Memo((host) => host.toLowerCase());

/** The index key of a host: its short name in lower case (an FQDN and its short name share it). */
export function hostKey(host: string): string {
  return HOST_KEYS.of(host);
}

/**
 * `hostKey` of a client computer, computed each time: client computers are as many as the users and each is seen a
 * few times a day, so remembering them would only evict the servers' keys (and cost a miss each time).
 */
export function machineKey(host: string): string {
  // A client event's computer is keyed twice in a row (its join looks the computer up, then indexes the attempt by it).
  if (host === lastMachine) return lastMachineKey;
  lastMachine = host;
  lastMachineKey = shortLowerName(host);
  return lastMachineKey;
}

let lastMachine = '';
let lastMachineKey = '';

function shortLowerName(host: string): string {
  // Names mostly come in lower case already: then the name (or its part before the first dot) is the key as it is.
  // A first label of digits alone may be an IPv4 address, and a colon an IPv6 one: `computerNameOf` keeps those whole
  // (a W3C log without s-computername names its DA server by s-ip).
  let end = 0;
  let upper = false;
  let digits = true;
  for (; end < host.length; end++) {
    const c = host.charCodeAt(end);
    if (c === DOT) break;
    if (c >= UPPER_A && c <= UPPER_Z) upper = true;
    else if (c > 127 || c === COLON) return anyMachineKey(host);
    if (c < DIGIT_0 || c > DIGIT_9) digits = false;
  }
  if (digits && end > 0 && end < host.length) return anyMachineKey(host);
  const short = end === host.length ? host : host.slice(0, end);
  return upper ? short.toLowerCase() : short;
}

/** `machineKey` of any name (non-ASCII letters lower-cased by the full Unicode rules; addresses whole). */
function anyMachineKey(host: string): string {
  return computerNameOf(host);
}

const DOT = 46;
const COLON = 58;
const DIGIT_0 = 48;
const DIGIT_9 = 57;
const UPPER_A = 65;
const UPPER_Z = 90;

/** A host name in lower case (the whole name), remembered like `hostKey`. */
export function lowerHost(host: string): string {
  return LOWER.of(host);
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
