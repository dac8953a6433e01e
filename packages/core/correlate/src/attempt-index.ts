import type { ClientEvent, NormalizedEvent, RadiusDecision, UserRef } from '@otptrace/schemas';
import {
  addToAttempt,
  caHostOf,
  countFreeSlots,
  freeCount,
  type OpenAttempt,
  type Slot,
  slotFilled,
  slotFree,
  startAttempt,
  type UserAttempts,
} from './attempt.js';
import { clientPhase } from './client-phase.js';
import { KeyedMinHeap } from './heap.js';
import { hostKey, lowerHost, machineKey } from './hosts.js';
import { LaptopClocks } from './laptop-clocks.js';
import { type NearestFirst, TimeIndex } from './time-index.js';

/** Set an attempt's start and end again from the steps it holds, as `addToAttempt` counts them. */
function respan(a: OpenAttempt): void {
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  const step = (time: number): void => {
    if (time < first) first = time;
    if (time > last) last = time;
  };
  if (a.radius !== null) step(a.radius.time);
  if (a.gateway !== null) step(a.gateway.time);
  if (a.caRequest !== null) step(a.caRequest.time);
  for (let i = 0; i < a.caResults.length; i++) step(a.caResults[i]!.time);
  if (a.client !== null) step(a.client.time);
  if (first === Number.POSITIVE_INFINITY) return;
  a.first = first;
  a.last = last;
}

/** The client's events that follow a certificate the CA issued: success, not stored, not retrievable (§4). */
const AFTER_ISSUED = new Set([10022, 10007, 10021]);
/** The client's event that follows the CA's refusal of its request (4888): 10019 (§4 rows 14–17). */
const AFTER_DENIED = 10019;
/** The client's failures logged as the DA server's answer comes (§4): it refused the OTP, or asked for a challenge. */
const AFTER_SERVER_ANSWER = new Set([10005, 10006]);

/** A laptop whose clock a CA's answer in user `userKey`'s attempt told anew, at event time `at`. */
export interface LaptopTold {
  readonly userKey: string;
  readonly computer: string;
  readonly at: number;
}

const NONE_TOLD: readonly LaptopTold[] = Object.freeze([]);

/**
 * The open attempts and every way the engine looks them up. Opening, adding an event and removing go through here,
 * so no index can miss a change:
 * - by user (each user's attempts in opening order), by CA request (CA host and request ID), by client computer;
 * - by time, for the joins of events that name no user: RADIUS decisions by NPS host (IIS requests, NPS 4402),
 *   attempts that only the client's result can place an IIS request in (by that result's time), and attempts still
 *   waiting for their client result by their CA host and their last event (the user-less client results);
 * - the close queue: when each attempt may close (its last event plus the close delay; stale entries are skipped).
 * It also learns each laptop's clock from the successes put together here (`laptops`).
 */
export class AttemptIndex {
  private count = 0;
  /** Each user's open attempts (by `userListKey`). */
  private readonly byUser = new Map<string, UserAttempts>();
  /** By CA host (lower case), then request ID. */
  private readonly byRequest = new Map<string, Map<number, OpenAttempt>>();
  /**
   * By client computer (short name): the attempt itself while it is the computer's only one (nearly always: no list
   * made and kept per attempt), else the computer's attempts in the order they came to it.
   */
  private readonly byMachine = new Map<string, OnMachine>();
  private readonly decisions = new TimeIndex<OpenAttempt>(2_000);
  /**
   * The denials again, by NPS host: an NPS 4402 explains only its own server's, and they are a few of the decisions.
   * In buckets of a second: a 4402 reads them nearest first (in an outage, many a second; its own is within one).
   */
  private readonly denials = new TimeIndex<OpenAttempt>(1_000);
  private readonly clientOnly = new TimeIndex<OpenAttempt>(CLIENT_ONLY_BUCKET_MS);
  /** How far after its client result the last event of an attempt in `clientOnly` has ever been (ms). */
  private clientOnlyLag = 0;
  /** Attempts still waiting for their client result: those no server has seen yet, and the others. */
  private readonly waitingBare = new TimeIndex<OpenAttempt>(30_000);
  private readonly waitingServed = new TimeIndex<OpenAttempt>(30_000);
  /** Every open attempt once, by the time it may close at the latest it was looked at. */
  private readonly closeQueue = new KeyedMinHeap<OpenAttempt>();
  private seq = 0;
  private caOrder = 0;
  /** Each laptop's clock against the servers', from its successes as they are put together. */
  readonly laptops = new LaptopClocks();
  /** Laptops told anew by a CA's answer, not yet taken (`takeTold`). */
  private told: LaptopTold[] = [];
  /**
   * Closed attempts to open the next ones in: the objects (and their time places) stay in the old generation instead
   * of new ones being copied by every young-generation GC they live through.
   */
  private readonly spare: OpenAttempt[] = [];
  /**
   * Users' lists emptied, to start the next users' lists in, for the same reason: in a flood of users seen once (an
   * outage's denials) a new list per attempt was copied through the young generation while it lived.
   */
  private readonly spareLists: UserAttempts[] = [];

  constructor(readonly closeDelayMs: number) {}

  get size(): number {
    return this.count;
  }

  /** Open an attempt with its first event. */
  openWith(e: NormalizedEvent, user: UserRef | null, probe: boolean): OpenAttempt {
    const a = startAttempt(this.spare.pop(), this.seq++, user?.key ?? null, user, probe, e.time);
    addToAttempt(a, e);
    a.userListKey = a.userKey ?? `@${a.clientMachine ?? ''}`;
    this.count++;
    let list = this.byUser.get(a.userListKey);
    if (list === undefined) {
      list = this.newList(a);
      this.byUser.set(a.userListKey, list);
    } else {
      list.last!.nextOfUser = a;
      a.prevOfUser = list.last;
      list.last = a;
    }
    a.ofUser = list;
    countFreeSlots(list, a, 1);
    this.closeQueue.push(a, a.last + this.closeDelayMs);
    this.indexEvent(a, e);
    return a;
  }

  /** Put an event into an open attempt. */
  add(a: OpenAttempt, e: NormalizedEvent): void {
    const slot = filledSlot(a, e);
    addToAttempt(a, e);
    if (slot !== null && !slotFree(a, slot)) slotFilled(a.ofUser!, slot);
    this.indexEvent(a, e);
    // A server's answer and the client's event right after it, once both are in the attempt, tell its laptop's clock.
    const result = a.client;
    if (result === null) return;
    if (e.kind === 'client.result' || (e.kind === 'ca.result' && (e.status === 'issued' || e.status === 'denied')))
      this.learnFromCa(a, result, e.time);
    if (e.kind === 'client.result' || e.kind === 'gateway.request' || e.kind === 'radius.decision')
      this.learnFromDaServer(a, result);
  }

  /**
   * Attempt `a`'s answer changed places (`UserPlacement.realignCaRefusals`): its laptop's clock is told again by it
   * and the CA's answer it now lies with.
   */
  retellFromCa(a: OpenAttempt): void {
    if (a.client !== null) this.learnFromCa(a, a.client, a.last);
  }

  /**
   * A success (its 10022 and the issued certificate) or the CA's refusal and the client's 10019: the client enrols at
   * the CA itself and logs its answer as it comes, as it does a certificate.
   */
  private learnFromCa(a: OpenAttempt, result: ClientEvent, at: number): void {
    const id = result.ref.eventId;
    const answered = AFTER_ISSUED.has(id) ? 'issued' : id === AFTER_DENIED ? 'denied' : null;
    if (answered === null) return;
    for (let i = 0; i < a.caResults.length; i++) {
      const r = a.caResults[i]!;
      if (r.status === answered && r.machineRequester == null) {
        if (this.laptops.learn(result, r.time, hostKey(r.ref.computer))) {
          this.rereadAnswers(result.ref.computer);
          if (a.userKey !== null) this.told.push({ userKey: a.userKey, computer: result.ref.computer, at });
        }
        return;
      }
    }
  }

  /**
   * The laptops whose clock a CA's answer told anew since the last call, each with the user whose attempt told it and
   * when (the time of the event that completed the pair), for the user placement to read their answers again.
   */
  takeTold(): readonly LaptopTold[] {
    if (this.told.length === 0) return NONE_TOLD;
    const told = this.told;
    this.told = [];
    return told;
  }

  /**
   * A failure the DA server answered (10005, 10006) and the end of its IIS request, in an attempt whose RADIUS decision
   * placed that request (no CA step).
   */
  private learnFromDaServer(a: OpenAttempt, result: ClientEvent): void {
    const g = a.gateway;
    if (g === null || a.radius === null || a.caRequest !== null || a.caResults.length > 0) return;
    if (
      AFTER_SERVER_ANSWER.has(result.ref.eventId) &&
      this.laptops.learnFromServerAnswer(result, g.time, hostKey(g.ref.computer))
    )
      this.rereadAnswers(result.ref.computer);
  }

  /**
   * A laptop's clock was learned anew: its attempts waiting for an IIS request by their client result alone are read on
   * the servers' clock with it from now on (`answeredAt`). A request is joined minutes after it ends (the join delay),
   * by when the laptop's next success has often told its clock: two refused users' failures 18 s apart, on laptops 27
   * and 23 s ahead that no success had told yet, each went to the other's request; the successes a minute later
   * told both.
   */
  private rereadAnswers(computer: string): void {
    const open = this.byMachine.get(machineKey(computer));
    if (open === undefined) return;
    if (!isAttemptList(open)) {
      if (open.clientOnly !== null) this.indexWaiting(open);
      return;
    }
    for (let i = 0; i < open.length; i++) if (open[i]!.clientOnly !== null) this.indexWaiting(open[i]!);
  }

  /**
   * Take the client result out of an open attempt with a CA request (it is another attempt's: see `routing.ts`), which
   * then waits for its own result; its start and end are those of the steps left (it keeps its place in the close
   * queue). The client computer stays in the computer index, as the CA request names it too.
   */
  detachClient(a: OpenAttempt): ClientEvent {
    const c = a.client!;
    a.client = null;
    a.clientMachine = a.caRequest?.requestingMachine ?? null;
    a.ofUser!.freeClient++;
    respan(a);
    this.indexWaiting(a);
    return c;
  }

  /**
   * Give open attempt `a` (no IIS request, no client result yet) grant `e` in place of its own, which it hands back:
   * its CA request lies nearer `e` (see `UserPlacement`). Its start and end follow its steps (it keeps its place in the
   * close queue, which checks the end before closing).
   */
  replaceDecision(a: OpenAttempt, e: RadiusDecision): RadiusDecision {
    const old = a.radius!;
    addToAttempt(a, e);
    respan(a);
    this.indexEvent(a, e);
    return old;
  }

  /**
   * Give two open attempts of one user and laptop each other's client results (see `UserPlacement`: answers that
   * took decisions in crossed order). Both keep a result, so the slot counts and the computer index stay; the start,
   * the end and the time indexes follow the results. An attempt whose end moves earlier keeps its place in the close
   * queue, and so closes when it would have.
   */
  swapClients(a: OpenAttempt, b: OpenAttempt): void {
    const result = a.client!;
    a.client = b.client!;
    b.client = result;
    for (const x of [a, b]) {
      x.clientMachine = x.client!.ref.computer;
      respan(x);
      this.indexWaiting(x);
    }
  }

  /**
   * Move the client result of `from`, an attempt that holds nothing else, into `to`, which holds none (see
   * `UserPlacement.realignAnswers`). `from` leaves every index and is neither handed back nor opened again: its entry
   * in the close queue is skipped, as it is no longer open.
   */
  moveLoneAnswer(from: OpenAttempt, to: OpenAttempt): void {
    const result = from.client!;
    this.remove(from);
    this.add(to, result);
  }

  /** Take a closing attempt out of every index. */
  remove(a: OpenAttempt): void {
    a.open = false;
    this.count--;
    const list = a.ofUser!;
    countFreeSlots(list, a, -1);
    if (a.prevOfUser === null) list.first = a.nextOfUser;
    else a.prevOfUser.nextOfUser = a.nextOfUser;
    if (a.nextOfUser === null) list.last = a.prevOfUser;
    else a.nextOfUser.prevOfUser = a.prevOfUser;
    if (list.first === null) {
      this.byUser.delete(a.userListKey);
      if (this.spareLists.length < MAX_SPARE) this.spareLists.push(list);
    }
    a.nextOfUser = null;
    a.prevOfUser = null;
    a.ofUser = null;
    if (a.machine !== null) this.leaveMachine(a, a.machine);
    const more = a.moreMachines ?? NO_KEYS;
    for (let i = 0; i < more.length; i++) this.leaveMachine(a, more[i]!);
    // Every request ID the attempt saw is forgotten, whichever attempt it points at now.
    if (a.caRequest !== null) this.forgetRequest(a.caRequest.ref.computer, a.caRequest.requestId);
    for (let i = 0; i < a.caResults.length; i++)
      this.forgetRequest(a.caResults[i]!.ref.computer, a.caResults[i]!.requestId);
    if (a.decision !== null) this.decisions.move(a.decision, '', null);
    if (a.denial !== null) this.denials.move(a.denial, '', null);
    if (a.clientOnly !== null) this.clientOnly.move(a.clientOnly, '', null);
    if (a.waiting !== null) (a.waitingBare ? this.waitingBare : this.waitingServed).move(a.waiting, '', null);
  }

  /** An attempt closed and handed over as a copy (nothing refers to it any more) may be opened again. */
  recycle(a: OpenAttempt): void {
    if (this.spare.length < MAX_SPARE) this.spare.push(a);
  }

  /**
   * The user's first open attempt (the others follow through `nextOfUser`, in opening order) when any of them has
   * `slot` free, else null: none can take an event of that slot otherwise. One look-up of the user per placed event.
   */
  firstWithFreeSlot(userKey: string, slot: Slot): OpenAttempt | null {
    const list = this.byUser.get(userKey);
    return list !== undefined && freeCount(list, slot) > 0 ? list.first : null;
  }

  /** The user's open attempts (in opening order through `first` and `nextOfUser`), if any. */
  usersAttempts(userKey: string): UserAttempts | undefined {
    return this.byUser.get(userKey);
  }

  /** Remember that the CA request `requestId` on `computer` is the attempt's. */
  setRequest(computer: string, requestId: number, a: OpenAttempt): void {
    const ca = lowerHost(computer);
    const requests = this.byRequest.get(ca);
    if (requests === undefined) this.byRequest.set(ca, new Map([[requestId, a]]));
    else requests.set(requestId, a);
  }

  /** The open attempt of a CA request, if any. */
  ofRequest(computer: string, requestId: number): OpenAttempt | undefined {
    const a = this.byRequest.get(lowerHost(computer))?.get(requestId);
    return a?.open ? a : undefined;
  }

  /**
   * Open attempts whose client computer has this short name (a superset: compare exactly): the one attempt, or
   * several in the order they came to it (`isAttemptList` tells), or undefined.
   */
  onMachine(computer: string): OnMachine | undefined {
    return this.byMachine.get(machineKey(computer));
  }

  /** The same, by the computer's machine key (`machineKey`). */
  onMachineKey(key: string): OnMachine | undefined {
    return this.byMachine.get(key);
  }

  /**
   * Open attempts with a RADIUS decision in [lo, hi]; those `accept` takes, added to `found`. The decisions are indexed
   * by time alone: the query (an IIS request's window) names no NPS host, and with one scope per host it read every
   * host's buckets, so its cost grew with the NPS servers.
   */
  decidedWithin(lo: number, hi: number, accept?: (a: OpenAttempt) => boolean, found?: OpenAttempt[]): OpenAttempt[] {
    return this.decisions.within('', lo, hi, accept, found);
  }

  /**
   * Open attempts that NPS host `nps` (by short name) denied in [lo, hi], read nearest `t` first (see
   * `TimeIndex.nearestFirst`). An NPS 4402's window spans minutes: read among every decision, its cost grew with the
   * attempts open; read whole, with every denial of an outage in it (10 a second).
   */
  deniedNearest(nps: string, t: number, lo: number, hi: number): NearestFirst<OpenAttempt> {
    return this.denials.nearestFirst(hostKey(nps), t, lo, hi);
  }

  /**
   * Open attempts (not probes) with neither IIS request, RADIUS decision nor CA request whose client result came from
   * the server: those an IIS request can still go to by its client's result alone. They are read nearest `t` first
   * by their last event (the distance the IIS join weighs), and the rings read hold every such attempt whose client
   * result lies in [lo, hi] (and others: the caller keeps those). Attempts that took a request leave them, so that in
   * an outage (every request unanswered) a request reads the few attempts nearest it, not every one of the last
   * minutes.
   */
  clientOnlyNearest(t: number, lo: number, hi: number): NearestFirst<OpenAttempt> {
    // An attempt's last event is never before its client result, and at most `clientOnlyLag` after it.
    return this.clientOnly.nearestFirst('', t, lo, hi + this.clientOnlyLag);
  }

  /**
   * Open attempts (not probes) still without a client result whose last event lies in [lo, hi]: of one CA host (by
   * short name), or all; only those no server has seen yet (no RADIUS decision, no CA step) when `bareOnly`; those
   * `accept` takes.
   */
  waitingWithin(
    ca: string | null,
    lo: number,
    hi: number,
    bareOnly: boolean,
    accept?: (a: OpenAttempt) => boolean,
  ): OpenAttempt[] {
    const scope = ca === null ? null : hostKey(ca);
    const found = this.waitingBare.within(scope, lo, hi, accept);
    return bareOnly ? found : this.waitingServed.within(scope, lo, hi, accept, found);
  }

  /** When the attempt first took an event of this CA host (short name): the order of the CA's attempts. */
  caOrderOf(a: OpenAttempt, ca: string): number {
    const key = hostKey(ca);
    if (a.ca === key) return a.caOrder;
    const i = a.moreCas === null ? -1 : a.moreCas.indexOf(key);
    return i < 0 ? Number.POSITIVE_INFINITY : a.moreCaOrders![i]!;
  }

  /** Attempts whose close time is before `clock`, by start (then opening order). */
  dueBefore(clock: number): OpenAttempt[] {
    const due: OpenAttempt[] = [];
    // One entry per attempt, at most as late as its close time: one that got later events goes back in the queue.
    while (this.closeQueue.peekKey() < clock) {
      const top = this.closeQueue.pop()!;
      if (!top.open) continue;
      const at = top.last + this.closeDelayMs;
      if (at < clock) due.push(top);
      else this.closeQueue.push(top, at);
    }
    return due.length > 1 ? sortByStart(due) : due;
  }

  /** Every open attempt, by start (then opening order): all of them close (the close queue is emptied). */
  dueAll(): OpenAttempt[] {
    this.closeQueue.clear();
    const all: OpenAttempt[] = [];
    for (const list of this.byUser.values())
      for (let a: OpenAttempt | null = list.first; a !== null; a = a.nextOfUser) all.push(a);
    return all.sort(byStart);
  }

  /** A user's list holding `a` alone. */
  private newList(a: OpenAttempt): UserAttempts {
    const list = this.spareLists.pop();
    if (list === undefined)
      return { first: a, last: a, freeRadius: 0, freeCaRequest: 0, freeCaResult: 0, freeClient: 0 };
    list.first = a;
    list.last = a;
    list.freeRadius = 0;
    list.freeCaRequest = 0;
    list.freeCaResult = 0;
    list.freeClient = 0;
    return list;
  }

  private forgetRequest(computer: string, requestId: number): void {
    const ca = lowerHost(computer);
    const requests = this.byRequest.get(ca);
    if (requests === undefined) return;
    requests.delete(requestId);
    if (requests.size === 0) this.byRequest.delete(ca);
  }

  private leaveMachine(a: OpenAttempt, key: string): void {
    const onMachine = this.byMachine.get(key)!;
    if (!isAttemptList(onMachine) || onMachine.length === 1) this.byMachine.delete(key);
    else removeFrom(onMachine, a);
  }

  private indexEvent(a: OpenAttempt, e: NormalizedEvent): void {
    switch (e.kind) {
      case 'ca.request':
        if (e.requestingMachine !== null) this.addMachine(a, e.requestingMachine);
        this.addCa(a, e.ref.computer);
        break;
      case 'ca.result':
        this.addCa(a, e.ref.computer);
        break;
      case 'client.result':
        this.addMachine(a, e.ref.computer);
        break;
      case 'radius.decision':
        a.radiusClientKey = e.clientName === null ? null : hostKey(e.clientName);
        a.radiusNasKey = e.nasIdentifier === null ? null : hostKey(e.nasIdentifier);
        a.radiusClientAddress = e.clientIp == null ? null : lowerHost(e.clientIp);
        a.namesKnownServer = false;
        a.decision ??= TimeIndex.place(a);
        this.decisions.move(a.decision, '', e.time);
        if (e.decision === 'denied') {
          a.denial ??= TimeIndex.place(a);
          this.denials.move(a.denial, hostKey(e.ref.computer), e.time);
        }
        break;
    }
    if (e.kind === 'ca.request' || e.kind === 'ca.result') {
      const ca = caHostOf(a);
      a.caScope = ca === null ? '' : hostKey(ca);
    }
    this.indexWaiting(a);
  }

  /**
   * The attempt in the time indexes of those an IIS request may go to by their client result, and of those still
   * waiting for one.
   */
  private indexWaiting(a: OpenAttempt): void {
    if (placesRequestByClient(a)) {
      a.clientOnly ??= TimeIndex.place(a);
      // On the servers' clock, as far as its laptop's clock is known so far (`answeredAt`).
      const { ref, serverAddress } = a.client!;
      const laptopLag = this.laptops.lagAgainstDaServer(
        ref.computer,
        serverAddress == null ? null : hostKey(serverAddress),
      );
      const shift = Math.abs(laptopLag) < CLIENT_ONLY_LAG_FLOOR_MS ? 0 : laptopLag;
      this.clientOnly.move(a.clientOnly, '', a.last - shift);
      const lag = a.last - a.client!.time;
      if (lag > this.clientOnlyLag) this.clientOnlyLag = lag;
    } else if (a.clientOnly !== null) this.clientOnly.move(a.clientOnly, '', null);
    const bare = a.radius === null && a.caRequest === null && a.caResults.length === 0;
    const time = a.client === null && !a.probe ? a.last : null;
    if (a.waiting === null) {
      if (time === null) return;
      a.waiting = TimeIndex.place(a);
    }
    if (bare !== a.waitingBare) {
      (a.waitingBare ? this.waitingBare : this.waitingServed).move(a.waiting, '', null);
      a.waitingBare = bare;
    }
    (bare ? this.waitingBare : this.waitingServed).move(a.waiting, a.caScope, time);
  }

  private addMachine(a: OpenAttempt, computer: string): void {
    const key = machineKey(computer);
    if (a.machine === null) a.machine = key;
    else if (a.machine === key || a.moreMachines?.includes(key) === true) return;
    else if (a.moreMachines === null) a.moreMachines = [key];
    else a.moreMachines.push(key);
    const onMachine = this.byMachine.get(key);
    if (onMachine === undefined) this.byMachine.set(key, a);
    else if (isAttemptList(onMachine)) onMachine.push(a);
    else this.byMachine.set(key, [onMachine, a]);
  }

  private addCa(a: OpenAttempt, computer: string): void {
    const key = hostKey(computer);
    if (a.ca === null) {
      a.ca = key;
      a.caOrder = this.caOrder++;
    } else if (a.ca === key || a.moreCas?.includes(key) === true) return;
    else if (a.moreCas === null) {
      a.moreCas = [key];
      a.moreCaOrders = [this.caOrder++];
    } else {
      a.moreCas.push(key);
      a.moreCaOrders!.push(this.caOrder++);
    }
  }
}

/**
 * When an attempt that only its client result can place an IIS request in (`clientOnlyNearest`) ended, on the servers'
 * clock: its last event less its laptop's lag as last known (`LaptopClocks`, 5 s or more: as it entered that index, or
 * as `rereadAnswers` moved it; kept as its place's time, so that it stays what the index holds it by). A laptop 27 s
 * ahead logs its failure 27 s after the DA server's response: read as logged, the failure lay nearer another user's
 * request.
 */
export function answeredAt(a: OpenAttempt): number {
  return a.clientOnly!.time;
}

/** The client result's time of such an attempt (`answeredAt`), on the servers' clock. */
export function answerOnServers(a: OpenAttempt): number {
  return a.client!.time - (a.last - a.clientOnly!.time);
}

/** A client computer's open attempts: the one attempt, or a list of several in the order they came to it. */
export type OnMachine = OpenAttempt | OpenAttempt[];

/** Whether a computer's entry is a list of attempts rather than the one attempt. */
export function isAttemptList(entry: OnMachine): entry is OpenAttempt[] {
  return Array.isArray(entry);
}

/** The slot an event may fill in an attempt (the attempt's user list counts the free ones). */
function filledSlot(a: OpenAttempt, e: NormalizedEvent): Slot | null {
  switch (e.kind) {
    case 'radius.decision':
      return a.radius === null ? 'radius' : null;
    case 'ca.request':
      return a.caRequest === null ? 'caRequest' : null;
    case 'ca.result':
      return slotFree(a, 'caResult') ? 'caResult' : null;
    case 'client.result':
      return a.client === null ? 'client' : null;
    default:
      return null;
  }
}
/** Enough for the attempts one sweep closes and the next ones open, without holding a burst's worth. */
const MAX_SPARE = 4_096;

/** Take `a` out of `list`, keeping the order of the others (in place: splice would allocate the array it returns). */
function removeFrom(list: OpenAttempt[], a: OpenAttempt): void {
  const i = list.indexOf(a);
  if (i < 0) return;
  for (let j = i + 1; j < list.length; j++) list[j - 1] = list[j]!;
  list.length--;
}
const NO_KEYS: readonly string[] = [];
/**
 * A laptop's lag under this is not read in the IIS join (`answeredAt`): it is the laptop's clock against the CA's, and
 * the DA server's may be a few seconds from the CA's. On a day whose hosts were up to 1.5 s off, lags of 2–3 s moved a
 * RADIUS outage's answers to other users' requests as often as to their own (test/unit/accuracy.test.ts).
 */
const CLIENT_ONLY_LAG_FLOOR_MS = 5_000;
/**
 * Buckets of the attempts waiting by their client result alone: a second, since an IIS request reads them nearest
 * first and stops at the first that fits (an outage leaves one such attempt per request, many a second: a request
 * read the 50 of a 5-second bucket to take one).
 */
const CLIENT_ONLY_BUCKET_MS = 1_000;

/**
 * An attempt the servers never saw past the DA server, whose client result can still place an IIS request: one logged
 * after the DA server answered; a 10016, whose missing certificate the server may have refused (403); and a 10011 or
 * 10012, a user the DA server looked up in AD and did not find before asking RADIUS (docs/windows-events.md §4 row 3).
 */
export function placesRequestByClient(a: OpenAttempt): boolean {
  return (
    a.gateway === null &&
    !a.probe &&
    a.radius === null &&
    a.caRequest === null &&
    a.client !== null &&
    (clientPhase(a.client.ref.eventId) === 'after_server' || ANSWERED_BEFORE_SERVER.has(a.client.ref.eventId))
  );
}

/** Client events of the 'before_server' phase that may still follow a request the DA server answered (see above). */
const ANSWERED_BEFORE_SERVER: ReadonlySet<number> = new Set([10011, 10012, 10016]);

function byStart(x: OpenAttempt, y: OpenAttempt): number {
  return x.first - y.first || x.seq - y.seq;
}

/** Sorted by start in place; the attempts due at one sweep mostly already are (an insertion sort, no copy). */
function sortByStart(list: OpenAttempt[]): OpenAttempt[] {
  for (let i = 1; i < list.length; i++) {
    const a = list[i]!;
    let j = i;
    while (j > 0 && byStart(a, list[j - 1]!) < 0) {
      list[j] = list[j - 1]!;
      j--;
    }
    list[j] = a;
  }
  return list;
}
