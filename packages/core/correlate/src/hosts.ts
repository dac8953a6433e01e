/** The index key of a host: its short name in lower case (an FQDN and its short name share it). */
export function hostKey(host: string): string {
  const dot = host.indexOf('.');
  return (dot < 0 ? host : host.slice(0, dot)).toLowerCase();
}

/** Host names compared case-insensitively, an FQDN matching its short name. */
export function sameHost(a: string, b: string): boolean {
  if (a.length === b.length) return a === b || a.toLowerCase() === b.toLowerCase();
  const [longer, shorter] = a.length > b.length ? [a, b] : [b, a];
  // A short name matches the FQDN that starts with it and a dot.
  return (
    !shorter.includes('.') &&
    longer[shorter.length] === '.' &&
    longer.slice(0, shorter.length).toLowerCase() === shorter.toLowerCase()
  );
}
