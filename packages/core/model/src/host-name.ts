/**
 * A host's computer name: the first label of a DNS name (`DA1.corp.example` → `da1`), in lower case. Windows names a
 * computer by its FQDN in event logs and by its NetBIOS name elsewhere (s-computername, ccm:); within a domain the
 * first label is unique. A host named by its IP address (a W3C log without s-computername names its server by s-ip; a
 * client may name its DA server by address) keeps the whole address: `10.0.1.11` and `10.0.1.12` are two servers.
 *
 * It is also the name a server is counted and ticketed under: one DA server is `da1` in its W3C log and
 * `da1.corp.example` to its clients and its own event log, and is one row of every table.
 */
export function computerNameOf(host: string): string {
  if (host.includes(':') || IPV4.test(host)) return host.toLowerCase();
  const dot = host.indexOf('.');
  return (dot < 0 ? host : host.slice(0, dot)).toLowerCase();
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
