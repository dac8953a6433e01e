import type { GatewayEvent } from '@otptrace/schemas';
import type { OpenAttempt } from './attempt.js';
import { hostKey, lowerHost } from './hosts.js';
import { truncate } from './lists.js';
import type { ServerClocks } from './server-clocks.js';

// Which DA server an attempt names (NPS ClientName or NASIdentifier, the RADIUS client's address, the server its
// client's result names), and how names settle which request an attempt is.

/**
 * Whether a request on DA server `otherHost` fits attempt `a` better than the request being joined (on `host`): `a`
 * names `otherHost` and not `host`, or, unless it names `host` and not `otherHost`, `nearer` says so.
 */
export function fitsBetter(
  a: OpenAttempt,
  otherHost: string,
  host: string,
  nearer: boolean,
  clocks: ServerClocks,
): boolean {
  if (host === otherHost) return nearer;
  const namesOther = namesServer(a, otherHost, clocks);
  const namesG = namesServer(a, host, clocks);
  if (namesOther && !namesG) return true;
  return nearer && !(namesG && !namesOther);
}

/**
 * Whether attempt `a` names the DA server `host` (a host key): its RADIUS client (NPS ClientName or NASIdentifier) or
 * the server its client's result names (serverAddress). The names are the administrator's choice (a friendly name, a
 * cluster's name): one that names no server tells nothing.
 */
export function namesServer(a: OpenAttempt, host: string, clocks: ServerClocks): boolean {
  if (a.radius !== null && radiusClientIs(a, host, clocks)) return true;
  const address = a.client?.serverAddress;
  return address != null && hostKey(address) === host;
}

/**
 * Whether the ClientName or NASIdentifier of `a`'s decision names a DA server whose requests were seen (`namesOtherServer`),
 * remembered once true: a busy server's clock learning reads every decision of minutes around each sampled request.
 */
export function namesKnownServer(a: OpenAttempt, clocks: ServerClocks): boolean {
  if (a.namesKnownServer) return true;
  const names = namesOtherServer(a.radiusClientKey, clocks) || namesOtherServer(a.radiusNasKey, clocks);
  if (names) a.namesKnownServer = true;
  return names;
}

/** Whether `key` (a decision's ClientName or NASIdentifier host key, not the server being learned) names a DA server. */
function namesOtherServer(key: string | null, clocks: ServerClocks): boolean {
  return key !== null && clocks.isServer(key);
}

/**
 * Whether an attempt's RADIUS client is the DA server `host` (a host key): by its name (NPS ClientName or
 * NASIdentifier), or by its address when the configuration or the requests' own decisions say whose it is
 * (`ServerClocks.serverOf`).
 */
function radiusClientIs(a: OpenAttempt, host: string, clocks: ServerClocks): boolean {
  if (a.radiusClientKey === host || a.radiusNasKey === host) return true;
  if (!clocks.knowsServers) return false;
  const address = a.radius?.clientIp;
  return address != null && clocks.serverOf(lowerHost(address)) === host;
}

/** Whether attempt `a` carries any name a DA server could have. */
export function namesAnyServer(a: OpenAttempt): boolean {
  const r = a.radius;
  return (r !== null && (r.clientName !== null || r.nasIdentifier !== null)) || a.client?.serverAddress != null;
}

/** The DA servers (host keys) an attempt with a RADIUS decision names (`namesServer`), added to `named`, once each. */
export function namedServers(a: OpenAttempt, clocks: ServerClocks, named: string[]): void {
  const address = a.radius!.clientIp;
  const byAddress = address != null && clocks.knowsServers ? clocks.serverOf(lowerHost(address)) : undefined;
  const served = a.client?.serverAddress;
  addOnce(named, a.radiusClientKey);
  addOnce(named, a.radiusNasKey);
  addOnce(named, byAddress);
  if (served != null) addOnce(named, hostKey(served));
}

function addOnce(list: string[], key: string | null | undefined): void {
  if (key != null && !list.includes(key)) list.push(key);
}

/**
 * With several DA servers, two users' requests can overlap in time on different servers: when some of the RADIUS
 * decisions (candidates from index `from` on) come from the IIS host (`host`, a host key) as RADIUS client (NPS
 * ClientName or NASIdentifier naming it, or an address known to be its: `radiusClientIs`), only those are kept (in
 * place; the candidates before `from` stay). Nothing is dropped when none does (the names are the administrator's
 * choice).
 */
export function keepSameServer(host: string, found: OpenAttempt[], from: number, clocks: ServerClocks): OpenAttempt[] {
  if (found.length - from < 2) return found;
  // Each candidate is looked at once: the first that names the host starts the kept list.
  let n = -1;
  for (let i = from; i < found.length; i++) {
    if (!radiusClientIs(found[i]!, host, clocks)) continue;
    if (n < 0) n = from;
    found[n++] = found[i]!;
  }
  if (n > 0) truncate(found, n);
  return found;
}

/**
 * Drop (in place) the candidates whose decision lies outside request `g` (the slack or a drift lets it in), or inside
 * it more than the slack before its end, and that name another DA server the logs show: by NPS ClientName or
 * NASIdentifier, or the server their client's result names. Such a decision is that server's, whose request may have
 * gone to another user's decision inside it; taking this one instead left the client whose request it was without it,
 * and a 10005 from a refused request became a RADIUS timeout. A RADIUS timeout's request holds many decisions deep
 * inside it; one naming the other server took it, and the timeout's 10005 went to a request minutes away. A decision
 * inside the request near its end stays a candidate whatever it names (a RADIUS client named after another server by
 * mistake), as `keepSameServer` leaves names to settle only between candidates.
 */
export function dropNamedElsewhere(
  g: GatewayEvent,
  host: string,
  off: number,
  slack: number,
  found: OpenAttempt[],
  clocks: ServerClocks,
): void {
  let n = 0;
  for (let i = 0; i < found.length; i++) {
    const a = found[i]!;
    const t = a.radius!.time;
    // Inside and near the end: the DA server answers soon after NPS decides.
    const kept = g.startTime + off <= t && t <= g.time + off && t >= g.time + off - slack;
    if (kept || !namesOtherKnownServer(a, host, clocks)) found[n++] = a;
  }
  truncate(found, n);
}

/** Whether attempt `a` names a DA server the logs show other than `host`, and not `host` itself. */
function namesOtherKnownServer(a: OpenAttempt, host: string, clocks: ServerClocks): boolean {
  if (namesServer(a, host, clocks)) return false;
  const served = a.client?.serverAddress;
  return (
    namesOtherServer(a.radiusClientKey, clocks) ||
    namesOtherServer(a.radiusNasKey, clocks) ||
    (served != null && clocks.isServer(hostKey(served)))
  );
}
