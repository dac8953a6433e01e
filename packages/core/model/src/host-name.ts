/**
 * A host's computer name: the first label of a DNS name (`DA1.corp.example` → `da1`), in lower case. Windows names a
 * computer by its FQDN in event logs and by its NetBIOS name elsewhere (s-computername, ccm:); within a domain the
 * first label is unique.
 */
export function computerNameOf(host: string): string {
  const dot = host.indexOf('.');
  return (dot < 0 ? host : host.slice(0, dot)).toLowerCase();
}

/**
 * The name a server is counted and ticketed under: its computer name, or an IP address as it is. One DA server is
 * named `da1` by its W3C log (s-computername, or the log's folder) and `da1.corp.example` by its clients and its own
 * event log; both are the one row `da1`. An address (the client may name its DA server by IP) has no computer name.
 */
export function serverNameOf(host: string): string {
  return IPV4.test(host) || host.includes(':') ? host.toLowerCase() : computerNameOf(host);
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
