/**
 * A host's computer name: the first label of a DNS name (`DA1.corp.example` → `da1`), in lower case. Windows names a
 * computer by its FQDN in event logs and by its NetBIOS name elsewhere (s-computername, ccm:); within a domain the
 * first label is unique.
 */
export function computerNameOf(host: string): string {
  const dot = host.indexOf('.');
  return (dot < 0 ? host : host.slice(0, dot)).toLowerCase();
}
