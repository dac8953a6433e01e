import type { GatewayEvent } from '@otptrace/schemas';
import type { OpenAttempt } from './attempt.js';
import { isAttemptList } from './attempt-index.js';
import { gatewayDelayOf, SWEEP_INTERVAL_MS } from './config.js';
import type { JoinContext } from './join-context.js';

// Which laptop an IIS request came from, by its client address (`ClientAddresses`): a DirectAccess client keeps its
// own IPv6 transition address while connected (docs/windows-events.md §0.2); IPv4 addresses are a NAT's, shared.

/** Remember whose computer request `g`'s address is: the only decision inside it placed it in attempt `a`. */
export function learnAddress(g: GatewayEvent, a: OpenAttempt, ctx: JoinContext): void {
  // An IPv4 address written as IPv6 (::ffff:203.0.113.5) is still a NAT's: never learned, so never read either.
  if (!ownIpv6(g.clientIp) || a.machine === null || a.moreMachines !== null) return;
  ctx.addresses.learn(g.clientIp, a.machine, g.time);
}

/** The machine key of the client computer request `g`'s address belongs to (`ClientAddresses`), or null. */
export function machineOfRequest(g: GatewayEvent, ctx: JoinContext): string | null {
  if (ctx.addresses.size === 0 || !ownAddress(g.clientIp)) return null;
  return ctx.addresses.machineAt(g.clientIp, g.time);
}

/**
 * Whether a client address is the client's own: an IPv6 address (IP-HTTPS, Teredo, 6to4), not an IPv4 address,
 * which is a NAT's public one that laptops behind it share (a hotel's, a home's).
 */
function ownAddress(ip: string | null): ip is string {
  if (ip === null) return false;
  // An IPv6 address has its first colon within its first five characters (a group is at most four digits).
  for (let i = 0; i < 5 && i < ip.length; i++) if (ip.charCodeAt(i) === COLON) return true;
  return false;
}

const COLON = 0x3a;

/** An own address (`ownAddress`) that is no IPv4 address written as IPv6 (::ffff:203.0.113.5, still a NAT's). */
function ownIpv6(ip: string | null): ip is string {
  return ownAddress(ip) && !ip.includes('.');
}

/**
 * Whether the requests' addresses (`ClientAddresses`) keep request `other` from claiming attempt `a` from request `g`,
 * or holding `a`'s decision better: `other` came from another client computer's address than `a`'s, or `g` from
 * `a`'s and `other` from one not known to be `a`'s too (a retry of `a`'s laptop comes from its address).
 * When neither address is known to be a laptop's and only `a`'s client result can place it: `g` came from the address
 * of the request that `a`'s user's previous attempt on the laptop took (`previousAddress`), and `other` from another.
 */
export function addressKeepsOut(g: GatewayEvent, other: GatewayEvent, a: OpenAttempt, ctx: JoinContext): boolean {
  if (a.machine === null) return false;
  if (ctx.addresses.size > 0) {
    const machine = machineOfRequest(other, ctx);
    if (machine !== null) return !isOnMachine(a, machine);
    if (fromLaptopOf(g, a, ctx)) return true;
  }
  // A decision inside a request says more than an earlier request's address: read for attempts with decisions too,
  // even only against another laptop's own address, it cost verdicts on generated fleets (sweep seeds 23046, 24043).
  if (a.radius !== null || g.clientIp === other.clientIp || machineOfRequest(g, ctx) !== null) return false;
  const previous = previousAddress(a, g.time + gatewayDelayOf(ctx.config), ctx);
  return previous !== null && g.clientIp === previous;
}

/**
 * The client address of the IIS request that user `a.userKey`'s latest earlier attempt on `a`'s laptop took, when it
 * is the laptop's own (IPv6), or null. A user who retries within minutes sends from the same address, whichever way
 * that earlier request was joined. RADIUS timed out twice for a user on a laptop logging 20 s late; another user's
 * request, refused at once, ended 3 s before her second failure, which it took (blamed on the DA server), and her
 * timeout's request took the other user's failure. `due`: when the request being joined is joined; only attempts
 * open then, however the engine swept, are read (`uncrossAnswers`), so a stream and the offline analysis read alike.
 */
function previousAddress(a: OpenAttempt, due: number, ctx: JoinContext): string | null {
  const open = ctx.attempts.onMachineKey(a.machine!);
  if (open === undefined || !isAttemptList(open)) return null;
  const since = due + SWEEP_INTERVAL_MS - ctx.attempts.closeDelayMs;
  let latest: GatewayEvent | null = null;
  for (let i = 0; i < open.length; i++) {
    const b = open[i]!;
    const request = b.gateway;
    if (b === a || request === null || b.userKey !== a.userKey || b.last < since || b.first > a.first) continue;
    if (latest === null || request.time > latest.time) latest = request;
  }
  return latest !== null && ownIpv6(latest.clientIp) ? latest.clientIp : null;
}

/**
 * Whether request `other` came from the address of attempt `a`'s laptop and request `g` did not (`ClientAddresses`):
 * then `other` is `a`'s request rather than `g`, however the two fit its decision.
 */
export function fromItsLaptopOnly(g: GatewayEvent, other: GatewayEvent, a: OpenAttempt, ctx: JoinContext): boolean {
  return a.machine !== null && ctx.addresses.size > 0 && fromLaptopOf(other, a, ctx) && !fromLaptopOf(g, a, ctx);
}

/** Whether request `g` came from the address of attempt `a`'s laptop (`ClientAddresses`). */
export function fromLaptopOf(g: GatewayEvent, a: OpenAttempt, ctx: JoinContext): boolean {
  if (a.machine === null) return false;
  const machine = machineOfRequest(g, ctx);
  return machine !== null && isOnMachine(a, machine);
}

/** Whether request `g`'s address is known (`ClientAddresses`) and every attempt of `found` is on another known laptop. */
export function onOtherMachines(g: GatewayEvent, found: readonly OpenAttempt[], ctx: JoinContext): boolean {
  const machine = machineOfRequest(g, ctx);
  if (machine === null) return false;
  for (let i = 0; i < found.length; i++) {
    const a = found[i]!;
    if (a.machine === null || isOnMachine(a, machine)) return false;
  }
  return true;
}

export function isOnMachine(a: OpenAttempt, machine: string): boolean {
  return a.machine === machine || a.moreMachines?.includes(machine) === true;
}
