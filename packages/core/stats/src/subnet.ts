// Client subnets group attempts by where users connect from: IIS `c-ip` is the only client-network attribute of an
// attempt (docs/windows-events.md §0.2, "Client IP" row). IPv4 groups by /24, IPv6 by /64.

/** The /24 (IPv4) or /64 (IPv6) network of a client address, e.g. `203.0.113.0/24`; null when not an IP address. */
export function clientSubnet(address: string | null): string | null {
  if (address === null) return null;
  // A fleet's attempts come from a few addresses each: remembered, bounded (a pure function, so only speed changes).
  const known = subnets.get(address);
  if (known !== undefined) return known;
  if (subnets.size >= SUBNETS_KEPT) subnets.clear();
  const subnet = subnetOf(address);
  subnets.set(address, subnet);
  return subnet;
}

const SUBNETS_KEPT = 4096;
const subnets = new Map<string, string | null>();

function subnetOf(address: string): string | null {
  const trimmed = address.trim();
  const v4 = ipv4Octets(trimmed);
  if (v4 !== null) return `${v4[0]}.${v4[1]}.${v4[2]}.0/24`;
  const v6 = ipv6Groups(trimmed);
  if (v6 === null) return null;
  // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is an IPv4 client seen through a dual-stack socket.
  // Indexed reads rather than slice/every/map/join: the groups' arrays differ in elements kind from one address to
  // the next, and each new kind met by an optimised caller deoptimises it.
  if (v6[0] === 0 && v6[1] === 0 && v6[2] === 0 && v6[3] === 0 && v6[4] === 0 && v6[5] === 0xffff) {
    const hi = v6[6] ?? 0;
    const lo = v6[7] ?? 0;
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.0/24`;
  }
  let prefix = (v6[0] ?? 0).toString(16);
  for (let i = 1; i < 4; i++) prefix += `:${(v6[i] ?? 0).toString(16)}`;
  return `${prefix}::/64`;
}

function ipv4Octets(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  // A push loop that stops at the first bad part, not map/every: a mapped array holding NaN changes elements kind once
  // its caller is optimised, which deoptimises the caller (attemptFact) in a cold analyze.
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    octets.push(octet);
  }
  return octets;
}

/** The eight 16-bit groups of an IPv6 address (with `::` expanded and a trailing dotted IPv4 part), or null. */
function ipv6Groups(text: string): number[] | null {
  const withoutZone = text.replace(/^\[|\]$/g, '').split('%')[0] ?? '';
  if (!withoutZone.includes(':')) return null;
  // A trailing dotted IPv4 part (::ffff:192.0.2.1) is two groups written another way.
  const lastColon = withoutZone.lastIndexOf(':');
  const v4 = ipv4Octets(withoutZone.slice(lastColon + 1));
  const body =
    v4 === null
      ? withoutZone
      : `${withoutZone.slice(0, lastColon + 1)}${(((v4[0] ?? 0) << 8) | (v4[1] ?? 0)).toString(16)}:${(((v4[2] ?? 0) << 8) | (v4[3] ?? 0)).toString(16)}`;
  const halves = body.split('::');
  if (halves.length > 2) return null;
  const parse = (s: string): number[] | null => {
    // A push loop, as in ipv4Octets: groups of one elements kind whether empty, valid or not.
    const groups: number[] = [];
    if (s === '') return groups;
    for (const group of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(group)) return null;
      groups.push(Number.parseInt(group, 16));
    }
    return groups;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === null || rest === null) return null;
  const explicit = head.length + rest.length;
  if (halves.length === 1 && explicit !== 8) return null;
  if (halves.length === 2 && explicit > 7) return null;
  // The `::` expanded by a push loop, not spreads (see subnetOf).
  const groups = head;
  for (let i = explicit; i < 8; i++) groups.push(0);
  for (const group of rest) groups.push(group);
  return groups;
}
