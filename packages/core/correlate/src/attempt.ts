import type {
  CaRequest,
  CaResult,
  ClientEvent,
  GatewayEvent,
  NormalizedEvent,
  RadiusClientError,
  RadiusDecision,
  RadiusDirectoryUnavailable,
  UserRef,
} from '@otptrace/schemas';
import { eventBefore } from './heap.js';
import type { TimePlace } from './time-index.js';

/** Slots of an attempt, in the order the steps really happen (IIS is joined apart, by time). */
export type Slot = 'radius' | 'caRequest' | 'caResult' | 'client';
export const SLOT_ORDER: Readonly<Record<Slot, number>> = { radius: 1, caRequest: 2, caResult: 3, client: 4 };

/**
 * A user's open attempts, in opening order (linked through `nextOfUser` and `prevOfUser`), and how many of them have
 * each step's slot free: an event whose slot no attempt has free opens an attempt without reading the list, so that a
 * flood of one user's events (a password-guessing attack's NPS denials) costs each event the same, not one more look
 * for every attempt still open.
 */
export interface UserAttempts {
  first: OpenAttempt | null;
  last: OpenAttempt | null;
  /**
   * How many have each slot free: fields of the list itself, not a record of its own read by slot name (one object
   * fewer per user, and no keyed property access on every event).
   */
  freeRadius: number;
  freeCaRequest: number;
  freeCaResult: number;
  freeClient: number;
}

/** How many of the list's attempts have `slot` free. */
export function freeCount(list: UserAttempts, slot: Slot): number {
  switch (slot) {
    case 'radius':
      return list.freeRadius;
    case 'caRequest':
      return list.freeCaRequest;
    case 'caResult':
      return list.freeCaResult;
    case 'client':
      return list.freeClient;
  }
}

/** Count the free slots of attempt `a` in its list's counts (`by` 1 as it joins, -1 as it leaves). */
export function countFreeSlots(list: UserAttempts, a: OpenAttempt, by: 1 | -1): void {
  if (a.radius === null) list.freeRadius += by;
  if (a.caRequest === null) list.freeCaRequest += by;
  if (slotFree(a, 'caResult')) list.freeCaResult += by;
  if (a.client === null) list.freeClient += by;
}

/** One slot of the list's attempts was filled. */
export function slotFilled(list: UserAttempts, slot: Slot): void {
  switch (slot) {
    case 'radius':
      list.freeRadius--;
      return;
    case 'caRequest':
      list.freeCaRequest--;
      return;
    case 'caResult':
      list.freeCaResult--;
      return;
    case 'client':
      list.freeClient--;
      return;
  }
}

/** Whether attempt `a` has no event yet in `slot` (one CA decision of the Security log: application events join by
 * request ID and take none). */
export function slotFree(a: OpenAttempt, slot: Slot): boolean {
  switch (slot) {
    case 'radius':
      return a.radius === null;
    case 'caRequest':
      return a.caRequest === null;
    case 'caResult':
      return !a.securityCaResult;
    case 'client':
      return a.client === null;
  }
}

/** Whether a channel is the Security log, in any case (the usual spelling without a lower-case copy). */
function isSecurityChannel(channel: string): boolean {
  return channel === 'Security' || (channel.length === 8 && channel.toLowerCase() === 'security');
}

/**
 * An attempt while it is being stitched, with what the attempt index keeps on it to find and take it out again
 * without a look-up (one object per open attempt: fewer and smaller objects live through each young-generation GC).
 * Its events are held in their slots only; the list of them is made when it closes.
 */
export interface OpenAttempt {
  seq: number;
  /** Lower-case sAMAccountName, or null while no event named the user. */
  userKey: string | null;
  user: UserRef | null;
  probe: boolean;
  first: number;
  last: number;
  radius: RadiusDecision | null;
  /**
   * Host keys of its decision's RADIUS client (NPS ClientName, NASIdentifier), set by the attempt index: the IIS
   * joins compare them with DA servers many times per decision.
   */
  radiusClientKey: string | null;
  radiusNasKey: string | null;
  /** Its decision's RADIUS client address (NPS ClientIPAddress) in lower case, set with the keys above. */
  radiusClientAddress: string | null;
  /**
   * Whether its decision's ClientName or NASIdentifier was found to name a DA server whose requests were seen: once
   * true it stays so (servers are never forgotten), and the clock learning skips the decision without a look-up.
   */
  namesKnownServer: boolean;
  directory: RadiusDirectoryUnavailable[];
  /** NPS System 13/14/17/18 refusing this attempt's DA server as a RADIUS client (attached at close). */
  radiusClientErrors: RadiusClientError[];
  /** The CA's events on the DA server's own signing-certificate request (attached at close). */
  signing: (CaRequest | CaResult)[];
  gateway: GatewayEvent | null;
  /**
   * How far its DA server's NPS clock was ahead of the server's own (ms; negative: behind) as the IIS join knew when it
   * gave the attempt its request (`ServerClocks.offset`); 0 without a request or while none is learned.
   */
  npsClockAheadMs: number;
  gatewayAmbiguous: boolean;
  /**
   * How well the best of the requests left ambiguous over this attempt's RADIUS decision fits it (`decisionFit`, in
   * whole milliseconds rounded up; -1: none): a request fitting it far worse is not its own. An integer, so that V8
   * keeps it in the attempt rather than in a number object of its own.
   */
  ambiguousFit: number;
  caRequest: CaRequest | null;
  caResults: CaResult[];
  /**
   * Whether one of `caResults` is of the Security log (the CA's decision: the `caResult` slot is taken). Kept as it
   * is added: asked for every event placed and every attempt counted in or out of its user's list, it read each CA
   * result's (cold) event and channel name.
   */
  securityCaResult: boolean;
  client: ClientEvent | null;
  /** The user's computer, from a client event or the CA request's requesting-machine attribute. */
  clientMachine: string | null;
  /** False once the attempt index has taken it out. */
  open: boolean;
  /** Key of its user's list: the user, or `@` + the client computer for an attempt without a user. */
  userListKey: string;
  /** The next and previous open attempts of its user's list (opening order): the list is linked through its attempts. */
  nextOfUser: OpenAttempt | null;
  prevOfUser: OpenAttempt | null;
  /** Its user's list (set by the attempt index while it is open). */
  ofUser: UserAttempts | null;
  /** Host key of its client computer, and any other (client events and the CA request's requesting machine). */
  machine: string | null;
  moreMachines: string[] | null;
  /** Host key of the first CA of its events and when it was seen (the order joins break ties in); any other CAs. */
  ca: string | null;
  caOrder: number;
  moreCas: string[] | null;
  moreCaOrders: number[] | null;
  /** Short name of the CA its certificate request went to ('' before any CA event). */
  caScope: string;
  /**
   * Its places in the index's time indexes (`waiting` in the bare or the served one, as `waitingBare` says), made when
   * first needed: most attempts never enter the client-only index, and some not the decisions.
   */
  decision: TimePlace<OpenAttempt> | null;
  /** In the index of RADIUS denials by NPS host (the NPS 4402 join reads those alone). */
  denial: TimePlace<OpenAttempt> | null;
  clientOnly: TimePlace<OpenAttempt> | null;
  waiting: TimePlace<OpenAttempt> | null;
  /** Whether `waiting` is in the index of attempts no server has seen (neither RADIUS decision nor CA step). */
  waitingBare: boolean;
}

/** An attempt the engine has finished with: its events sorted by time, and why it was closed. */
export interface ClosedAttempt {
  readonly userKey: string | null;
  readonly user: UserRef | null;
  readonly probe: boolean;
  readonly first: number;
  readonly last: number;
  readonly events: readonly NormalizedEvent[];
  readonly radius: RadiusDecision | null;
  readonly directory: readonly RadiusDirectoryUnavailable[];
  readonly radiusClientErrors: readonly RadiusClientError[];
  readonly signing: readonly (CaRequest | CaResult)[];
  readonly directoryOutageNearby: boolean;
  readonly directoryNearby: boolean;
  readonly gateway: GatewayEvent | null;
  /** `OpenAttempt.npsClockAheadMs`: what the RADIUS decision's time is read against the IIS request's with. */
  readonly npsClockAheadMs: number;
  readonly gatewayAmbiguous: boolean;
  /**
   * Without an IIS request of its own, its client told of a refusal, and every request its DA servers logged around it
   * (several) was refused alike (HTTP status and sub-status): one of them. Which was its own cannot be told (IIS logs
   * name no user: in an outage many users' requests share each second), but any gives the same verdict.
   */
  readonly refusalAround: GatewayEvent | null;
  readonly caRequest: CaRequest | null;
  readonly caResults: readonly CaResult[];
  readonly client: ClientEvent | null;
  readonly clientMachine: string | null;
  readonly closedBy: 'result' | 'timeout' | 'end_of_input';
}

/**
 * The empty list every attempt starts with (frozen, shared): most attempts never get a directory event, a client
 * error or a signing event, and an own empty array per list costs more than its first element.
 */
const NO_ITEMS: never[] = Object.freeze([]) as unknown as never[];

/**
 * `list` with `item` appended: a new list for the first item (the shared empty one is never written) and for the
 * second (exactly two long: a push would grow it to room for 17, and most lists stop at two).
 */
function appended<T>(list: T[], item: T): T[] {
  if (list.length === 0) return [item];
  if (list.length === 1) return [list[0]!, item];
  list.push(item);
  return list;
}

/**
 * Start an attempt (its first event is added next): in `spare`, a closed one no index and no caller holds any more,
 * whose places in the time indexes are kept (out of every index), or in a new one.
 */
export function startAttempt(
  spare: OpenAttempt | undefined,
  seq: number,
  userKey: string | null,
  user: UserRef | null,
  probe: boolean,
  time: number,
): OpenAttempt {
  if (spare === undefined) return newAttempt(seq, userKey, user, probe, time);
  const a = spare;
  a.seq = seq;
  a.userKey = userKey;
  a.user = user;
  a.probe = probe;
  a.first = time;
  a.last = time;
  a.radius = null;
  a.radiusClientKey = null;
  a.radiusNasKey = null;
  a.radiusClientAddress = null;
  a.namesKnownServer = false;
  // The lists were handed over with the closed attempt: new ones.
  a.directory = NO_ITEMS;
  a.radiusClientErrors = NO_ITEMS;
  a.signing = NO_ITEMS;
  a.gateway = null;
  a.npsClockAheadMs = 0;
  a.gatewayAmbiguous = false;
  a.ambiguousFit = NO_FIT;
  a.caRequest = null;
  a.caResults = NO_ITEMS;
  a.securityCaResult = false;
  a.client = null;
  a.clientMachine = null;
  a.open = true;
  a.userListKey = '';
  a.nextOfUser = null;
  a.prevOfUser = null;
  a.ofUser = null;
  a.machine = null;
  a.moreMachines = null;
  a.ca = null;
  a.caOrder = 0;
  a.moreCas = null;
  a.moreCaOrders = null;
  a.caScope = '';
  a.waitingBare = false;
  return a;
}

function newAttempt(
  seq: number,
  userKey: string | null,
  user: UserRef | null,
  probe: boolean,
  time: number,
): OpenAttempt {
  return {
    seq,
    userKey,
    user,
    probe,
    first: time,
    last: time,
    radius: null,
    radiusClientKey: null,
    radiusNasKey: null,
    radiusClientAddress: null,
    namesKnownServer: false,
    directory: NO_ITEMS,
    radiusClientErrors: NO_ITEMS,
    signing: NO_ITEMS,
    gateway: null,
    npsClockAheadMs: 0,
    gatewayAmbiguous: false,
    ambiguousFit: NO_FIT,
    caRequest: null,
    caResults: NO_ITEMS,
    securityCaResult: false,
    client: null,
    clientMachine: null,
    open: true,
    userListKey: '',
    nextOfUser: null,
    prevOfUser: null,
    ofUser: null,
    machine: null,
    moreMachines: null,
    ca: null,
    caOrder: 0,
    moreCas: null,
    moreCaOrders: null,
    caScope: '',
    decision: null,
    denial: null,
    clientOnly: null,
    waiting: null,
    waitingBare: false,
  };
}

/** Put an event into an attempt (its slot is already known to be free). */
export function addToAttempt(a: OpenAttempt, e: NormalizedEvent): void {
  // An NPS 4402 is context shared by several attempts, logged around them: it does not move their start or end; nor
  // do a refused RADIUS client or the DA server's signing request.
  const context =
    e.kind === 'radius.client_error' ||
    ((e.kind === 'ca.request' || e.kind === 'ca.result') && e.machineRequester != null);
  if (e.kind !== 'radius.directory_unavailable' && !context) {
    if (e.time < a.first) a.first = e.time;
    if (e.time > a.last) a.last = e.time;
  }
  if (e.user !== null) {
    a.userKey ??= e.user.key;
    // Prefer a spelling with an explicit NetBIOS domain for display.
    if (
      a.user === null ||
      (!a.user.domainExplicit && e.user.domainExplicit) ||
      (a.user.domain === null && e.user.domain !== null)
    )
      a.user = e.user;
  }
  switch (e.kind) {
    case 'radius.decision':
      a.radius = e;
      break;
    case 'radius.directory_unavailable':
      a.directory = appended(a.directory, e);
      break;
    case 'radius.client_error':
      a.radiusClientErrors = appended(a.radiusClientErrors, e);
      break;
    case 'gateway.request':
      a.gateway = e;
      break;
    case 'ca.request':
      if (context) {
        a.signing = appended(a.signing, e);
        return;
      }
      a.caRequest = e;
      if (e.requestingMachine !== null) a.clientMachine ??= e.requestingMachine;
      break;
    case 'ca.result':
      if (context) {
        a.signing = appended(a.signing, e);
        return;
      }
      a.caResults = appended(a.caResults, e);
      if (isSecurityChannel(e.ref.channel)) a.securityCaResult = true;
      break;
    case 'client.result':
      a.client = e;
      a.clientMachine = e.ref.computer;
      break;
  }
}

/** The CA host an attempt's certificate request went to, if any. */
export function caHostOf(a: OpenAttempt): string | null {
  return a.caRequest?.ref.computer ?? a.caResults[0]?.ref.computer ?? null;
}

const CA_STATUS_RANK = { none: 0, issued: 1, pending: 2, error: 3, denied: 4 } as const;

/** Status of the CA's decision on an attempt: denial and errors outrank pending, pending outranks issued. */
export function caStatusOf(a: {
  readonly caResults: readonly CaResult[];
}): 'issued' | 'denied' | 'pending' | 'error' | 'none' {
  let status: 'issued' | 'denied' | 'pending' | 'error' | 'none' = 'none';
  // Indexed loops over lists that may be the shared frozen empty one: a for-of there is not optimised as well.
  for (let i = 0; i < a.caResults.length; i++) {
    const r = a.caResults[i]!;
    if (CA_STATUS_RANK[r.status] > CA_STATUS_RANK[status]) status = r.status;
  }
  return status;
}

/** The attempt as handed back: its events in event-time order, and why it was closed. */
/**
 * What is only known as it closes (`ClosedAttempt.directoryOutageNearby`, `directoryNearby`, `refusalAround`) is
 * handed in here, not kept on every open attempt.
 */
export function closedAttempt(
  a: OpenAttempt,
  closedBy: ClosedAttempt['closedBy'],
  directoryOutageNearby: boolean,
  directoryNearby: boolean,
  refusalAround: GatewayEvent | null,
): ClosedAttempt {
  return {
    userKey: a.userKey,
    user: a.user,
    probe: a.probe,
    first: a.first,
    last: a.last,
    events: inTimeOrder(eventsOf(a)),
    radius: a.radius,
    directory: a.directory,
    radiusClientErrors: a.radiusClientErrors,
    signing: a.signing,
    directoryOutageNearby,
    directoryNearby,
    gateway: a.gateway,
    npsClockAheadMs: a.npsClockAheadMs,
    gatewayAmbiguous: a.gatewayAmbiguous,
    refusalAround,
    caRequest: a.caRequest,
    caResults: a.caResults,
    client: a.client,
    clientMachine: a.clientMachine,
    closedBy,
  };
}

/**
 * Every event of the attempt, each in one slot: for an attempt of a RADIUS decision and its context alone, in the order
 * they came (the decision opened it, NPS 4402s joined it, the DA server's context came at close).
 */
export function eventsOf(a: OpenAttempt): NormalizedEvent[] {
  const count =
    (a.radius === null ? 0 : 1) +
    a.directory.length +
    a.radiusClientErrors.length +
    a.signing.length +
    (a.gateway === null ? 0 : 1) +
    (a.caRequest === null ? 0 : 1) +
    a.caResults.length +
    (a.client === null ? 0 : 1);
  // Exactly as long as needed (pushes would leave room for 17).
  const events = new Array<NormalizedEvent>(count);
  let n = 0;
  if (a.radius !== null) events[n++] = a.radius;
  n = copyInto(events, n, a.directory);
  n = copyInto(events, n, a.radiusClientErrors);
  n = copyInto(events, n, a.signing);
  if (a.gateway !== null) events[n++] = a.gateway;
  if (a.caRequest !== null) events[n++] = a.caRequest;
  n = copyInto(events, n, a.caResults);
  if (a.client !== null) events[n++] = a.client;
  return events;
}

function copyInto(to: NormalizedEvent[], at: number, list: readonly NormalizedEvent[]): number {
  for (let i = 0; i < list.length; i++) to[at + i] = list[i]!;
  return at + list.length;
}

/** The events in event-time order, sorted in place (a list of their own). */
function inTimeOrder(events: NormalizedEvent[]): NormalizedEvent[] {
  if (events.length > 64) return events.sort((x, y) => (eventBefore(x, y) ? -1 : 1));
  // Most are in order already, the rest nearly: an insertion sort (no copy; the order is total, so it is the same).
  for (let i = 1; i < events.length; i++) {
    const e = events[i]!;
    let j = i;
    while (j > 0 && eventBefore(e, events[j - 1]!)) {
      events[j] = events[j - 1]!;
      j--;
    }
    events[j] = e;
  }
  return events;
}

/** `ambiguousFit` of an attempt no request was left ambiguous over. */
export const NO_FIT = -1;

/** Whether every attempt of a (non-empty) list has the same user key. */
export function oneUser(list: readonly OpenAttempt[]): boolean {
  const user = list[0]!.userKey;
  for (let i = 1; i < list.length; i++) if (list[i]!.userKey !== user) return false;
  return true;
}
