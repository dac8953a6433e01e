import type { DropReason } from '@otptrace/model';
import type { ClientEvent, NormalizedEvent, RadiusDecision } from '@otptrace/schemas';
import { caStatusOf, type OpenAttempt, type Slot } from './attempt.js';
import type { AttemptIndex } from './attempt-index.js';
import {
  answeredFailure,
  answerMovesAlone,
  answersAlike,
  caRefusalAlone,
  clientPhase,
  HTTP_403_ERROR,
  loneCaRefusal,
  refusedByCa,
} from './client-phase.js';
import { type EngineConfig, SWEEP_INTERVAL_MS, serverDriftOf } from './config.js';
import { sameHost } from './hosts.js';
import {
  acceptsEvent,
  isOtherRadiusDecision,
  RESULT_GRACE_MS,
  RETRY_RESULT_BEFORE_MS,
  RETRY_RESULT_WAIT_MS,
  waitsForRetryResult,
} from './placement.js';

/**
 * Placing the events that name their user: into the user's first open attempt that accepts the event, or a new one.
 * A RADIUS decision that only an attempt already answered would take (a retry's decision, or a client clock behind
 * NPS's) waits here for the retry's own steps, in placing order, up to `RETRY_RESULT_WAIT_MS` of event time.
 */
export class UserPlacement {
  /** RADIUS decisions waiting for a retry's client result or CA request (`waitsForRetryResult`), in placing order. */
  private readonly awaiting: Awaiting[] = [];
  /** How far the servers' clocks may put one's event outside the span the other's logged (`serverDriftOf`). */
  private readonly serverDriftMs: number;

  constructor(
    private readonly attempts: AttemptIndex,
    private readonly config: EngineConfig,
    private readonly drop: (event: NormalizedEvent, reason: DropReason) => void,
  ) {
    this.serverDriftMs = serverDriftOf(config);
  }

  /** Whether a decision is waiting, and so events before it in time must give it its turn (`placeWaitingBefore`). */
  get anyWaiting(): boolean {
    return this.awaiting.length > 0;
  }

  /**
   * Put a user-named event in the user's first attempt that accepts it, or open one when `mayOpen` (else drop it for
   * `dropReason`). A RADIUS decision that only an attempt whose client result came well before it would take waits
   * for a retry first (`mayWait`; see `waitsForRetryResult`). Returns the attempt that took the event, if any.
   */
  place(
    e: NormalizedEvent,
    slot: Slot,
    mayOpen: boolean,
    dropReason: DropReason,
    mayWait = true,
    inOrder = false,
  ): OpenAttempt | null {
    const user = e.user!;
    if (slot === 'radius') {
      const enrolled = this.enrolmentNearer(e as RadiusDecision);
      if (enrolled !== null) {
        // The grant it took before is placed anew: a failure answered after it, placed already, may take it.
        this.place(this.attempts.replaceDecision(enrolled, e as RadiusDecision), 'radius', true, dropReason);
        return enrolled;
      }
    }
    const first = this.attempts.firstWithFreeSlot(user.key, slot);
    if (first !== null) {
      // An attempt that already has the client's result has ended for the user: a server event that fits an attempt
      // still waiting for it (a retry) goes there first; the ended one takes it only when nothing else fits (a client
      // clock behind the servers'). A decision only an ended attempt takes waits for a retry's steps first; a grant
      // logged well after the ended attempt's answer is one it takes only after that wait (within the skew tolerance).
      const lateGrantMs = mayWait ? undefined : this.config.clockSkewToleranceMs;
      const a =
        slot === 'client'
          ? this.firstAccepting(first, e, slot, null)
          : ((slot === 'caRequest'
              ? (this.nearestGrantAccepting(first, e) ?? this.answeredGrantBefore(first, e))
              : this.firstAccepting(first, e, slot, false)) ??
            (inOrder
              ? this.firstAccepting(first, e, slot, true, lateGrantMs)
              : this.nearestEndedAccepting(first, e, slot, lateGrantMs)));
      if (a !== null) {
        if (mayWait && slot === 'radius' && waitsForRetryResult(a, e, this.config, this.clientLag(a))) {
          // The retry's answer may be placed already: logged a moment before the decision (a client clock a little
          // behind NPS's), as `takeWaiting` takes one logged a moment after it.
          const retry = this.retryAnswered(a, e);
          if (retry !== null) {
            this.addDecision(retry, e as RadiusDecision);
            return retry;
          }
          this.awaiting.push({ decision: e, endedResult: a.client!.time, until: this.waitEnd(e, a) });
          return null;
        }
        if (slot !== 'radius') {
          this.attempts.add(a, e);
          if (slot === 'client' && a.radius !== null) this.realignByChain(a, a.radius, e.time);
        } else {
          if (a.client !== null) this.uncross(a, e as RadiusDecision);
          this.addDecision(a, e as RadiusDecision);
        }
        return a;
      }
      const ended =
        mayWait && slot === 'radius' && !isOtherRadiusDecision(e as RadiusDecision, this.config)
          ? this.firstAccepting(first, e, slot, true, this.config.clockSkewToleranceMs)
          : null;
      if (ended !== null) {
        this.awaiting.push({ decision: e, endedResult: ended.client!.time, until: this.waitEnd(e, ended) });
        return null;
      }
      if (slot === 'radius' && this.mayShiftAnswers(first, e as RadiusDecision)) {
        // Its own answer may still come (a laptop ahead of NPS, a moment later): wait for it first, as for a retry's.
        if (mayWait) {
          this.awaiting.push({ decision: e, endedResult: Number.NaN, until: this.waitEnd(e, null) });
          return null;
        }
        const shifted = this.shiftAnswers(first, e as RadiusDecision);
        if (shifted !== null) {
          this.attempts.add(shifted, e);
          return shifted;
        }
      }
    }
    // A CA request no attempt takes may be the enrolment of a grant that a failure logged before it took.
    if (slot === 'caRequest' && first !== null) {
      const granted = this.grantBeforeEnrolment(first, e);
      if (granted !== null) {
        const failure = this.attempts.detachClient(granted);
        this.attempts.openWith(failure, failure.user, granted.probe);
        this.attempts.add(granted, e);
        return granted;
      }
    }
    if (!mayOpen) {
      this.drop(e, dropReason);
      return null;
    }
    const opened = this.attempts.openWith(e, user, this.config.isProbe(user.key));
    if (slot === 'radius') this.realignForUnanswered(e as RadiusDecision);
    return opened;
  }

  /**
   * Place the decisions whose wait ended before `time`: to the attempts that take them without waiting. A decision
   * goes to the ended attempt whose result lies nearest it, unless a later decision of the same user is waiting too:
   * then the attempts take their decisions in order, the earliest first (a laptop far behind NPS logs two failures
   * before either denial).
   */
  placeWaitingBefore(time: number): void {
    const awaiting = this.awaiting;
    // In placing order, which is their time order: the first whose plain wait has not ended ends the look. One waiting
    // longer (a laptop ahead, `waitEnd`) lets those behind it that are due go first. Placing one may append another
    // (`place`), never moves those before it.
    for (let i = 0; i < awaiting.length; ) {
      const { decision: d, until } = awaiting[i]!;
      if (d.time + RETRY_RESULT_WAIT_MS >= time) break;
      if (until >= time) {
        i++;
        continue;
      }
      const { decision } = i === 0 ? awaiting.shift()! : awaiting.splice(i, 1)[0]!;
      this.place(decision, 'radius', true, 'unrelated_event', false, this.userWaits(decision.user!.key));
    }
  }

  /**
   * A CA's answer just told laptop `computer`'s clock (`AttemptIndex.takeTold`, at event time `at`): user `userKey`'s
   * failures the DA server answered on that laptop (no CA step) are paired with the user's decisions (denials, and
   * grants whose signing failed) anew when, read on the servers' clock with it, more of them then lie within
   * `RESULT_GRACE_MS` of a decision, in turn. Placed before the clock was known, a laptop 90 s behind had each failure
   * take the denial before its own, 5 s before it as logged, and the last denial found no answer. Only attempts open
   * however the engine swept (as in `answerLag`); answers change places, or an answer alone joins a decision alone,
   * never leaving a decision without the answer it had.
   */
  realignAnswers(userKey: string, computer: string, at: number): void {
    const since = this.realignSince(at);
    this.realignCaRefusals(userKey, computer, since);
    const lag = this.attempts.laptops.lagOf(computer);
    if (lag === 0) return;
    const chain = this.answerChain(userKey, computer, since, false);
    if (chain === null) return;
    const pairs = pairsInTurn(chain, lag);
    if (pairs.length > keptWith(chain, lag)) this.moveAnswers(chain, pairs);
  }

  /**
   * The last event time from which a chain of answers placed at event time `at` is read: attempts open whenever an
   * event placed then is placed, however the engine swept (a waiting decision is placed up to its wait and the
   * laptop's lead after its own time).
   */
  private chainSince(at: number): number {
    return (
      at - (this.attempts.closeDelayMs - RETRY_RESULT_WAIT_MS - this.config.clockSkewToleranceMs - SWEEP_INTERVAL_MS)
    );
  }

  /** The last event time from which attempts are read when answers are paired anew at event time `at`. */
  private realignSince(at: number): number {
    return at - (this.attempts.closeDelayMs - this.config.clockSkewToleranceMs - SWEEP_INTERVAL_MS);
  }

  /**
   * A CA's answer just told laptop `computer`'s clock: user `userKey`'s CA refusals (10019) on it since `since` are
   * paired with the grants the CA refused anew when a lag that puts a lone refusal at a grant pairs more of them, in
   * turn (two at least), than the pairs as placed agree on with any one lag (`realignByChain`, for the CA's answers).
   * A refusal tells the laptop's clock by the CA's answer it was paired with, so a first pair one turn off tells a
   * wrong clock and every pair after it follows: a laptop 99 s behind logged its first refusal 1.6 s before the second
   * grant, which took it, and the clock that pair told kept each later refusal one turn off (sweep seed 28062). The
   * clock is then told again by the last pair.
   */
  private realignCaRefusals(userKey: string, computer: string, since: number): void {
    const chain = this.answerChain(userKey, computer, since, true);
    if (chain === null || chain.answered.length > LONGEST_CHAIN) return;
    const best = this.bestChainPairs(chain);
    if (best === null) return;
    this.moveAnswers(chain, best);
    this.attempts.retellFromCa(best[best.length - 1]![1]);
  }

  /** Put decision `d` into attempt `a`; when `a` is answered, its user's answers may then be paired anew. */
  private addDecision(a: OpenAttempt, d: RadiusDecision): void {
    this.attempts.add(a, d);
    if (a.client !== null) this.realignByChain(a, d, d.time);
    else this.realignForUnanswered(d);
  }

  /**
   * Decision `d` went to an attempt without an answer while an answer of its user waits alone: on each laptop whose
   * clock nothing told, the user's answers are paired anew when a lag that puts a lone answer at a decision pairs more
   * of them in turn (two at least) than the pairs as placed agree on (`bestChainPairs`). A laptop 104 s behind logged
   * a signing failure 103.6 s before its grant and the retry's failure 10.9 s after it: the grant took the retry's, and
   * the retry's denial then found no answer (sweep seed 29063). Only when a pair as placed already lies more than
   * `RESULT_GRACE_MS` apart: a lone answer beside pairs that agree is a RADIUS timeout's, its request not joined yet.
   */
  private realignForUnanswered(d: RadiusDecision): void {
    const list = this.attempts.usersAttempts(d.user!.key);
    // An answer alone leaves its attempt's decision slot free: none free, none alone (a flood of one account's denials).
    if (list === undefined || list.freeRadius === 0) return;
    const since = this.chainSince(d.time);
    let done: string | null = null;
    // The latest attempts first, as many as a chain reads: the answer alone was logged minutes before, not hours.
    let read = 0;
    for (let b: OpenAttempt | null = list.last; b !== null && read < LONGEST_CHAIN; b = b.prevOfUser) {
      if (b.last < since) continue;
      read++;
      const answer = b.client;
      if (answer === null || b.radius !== null || b.gateway !== null) continue;
      if (b.caRequest !== null || b.caResults.length > 0 || clientPhase(answer.ref.eventId) !== 'after_server')
        continue;
      const computer = answer.ref.computer;
      if (computer === done || this.attempts.laptops.lagOf(computer) !== 0) continue;
      done = computer;
      const chain = this.answerChain(d.user!.key, computer, since, false);
      if (chain === null || chain.answered.length > LONGEST_CHAIN || !chain.answered.some(farFromDecision)) continue;
      const best = this.bestChainPairs(chain);
      if (best === null) continue;
      // Moving answers may close the lone attempt this walk stands on.
      this.moveAnswers(chain, best);
      return;
    }
  }

  /**
   * Decision `d` and the answer of attempt `a` just met there (the later of the two placed at event time `at`), more
   * than `RESULT_GRACE_MS` apart, on a laptop whose clock nothing told (`LaptopClocks`). With a laptop far behind NPS
   * and a user retrying about as often as the laptop is behind, each answer is logged nearer the next attempt's
   * decision than its own: the first decision went to the
   * second answer, the first answer stayed alone (read as a RADIUS timeout), and every pair after it was one turn off,
   * as far apart as the retries happened to be (sweep seed 27073: a laptop 88.5 s behind, 18 signing failures in 18
   * minutes, the last grant alone). Read with the lag that puts the lone answer at a decision, the answers lie each at
   * one decision, in turn: when that pairs more of them within `RESULT_GRACE_MS` (two at least) than the pairs as
   * placed agree on with any one lag (theirs with a laptop whose pairs are right), the answers change places as for a
   * told clock (`realignAnswers`). Asked too when an answer joins a decision far before it: a grant that found no
   * answer within reach took the next attempt's, 155 s after it, and every later pair stayed one turn off (seed 29065).
   */
  private realignByChain(a: OpenAttempt, d: RadiusDecision, at: number): void {
    const answer = a.client!;
    if (Math.abs(answer.time - d.time) <= RESULT_GRACE_MS || clientPhase(answer.ref.eventId) !== 'after_server') return;
    const computer = answer.ref.computer;
    if (this.attempts.laptops.lagOf(computer) !== 0) return;
    const chain = this.answerChain(d.user!.key, computer, this.chainSince(at), false);
    // Each lone answer is tried against each decision: a flood of one account's attempts is not read so.
    if (chain === null || chain.answered.length > LONGEST_CHAIN) return;
    const best = this.bestChainPairs(chain);
    if (best !== null) this.moveAnswers(chain, best);
  }

  /**
   * The pairs of `chain` with the lag that puts one of its lone answers at one of its decisions and pairs the most
   * answers in turn, when that is two at least and more than the pairs as placed agree on with any one lag (theirs,
   * when the laptop's clock is merely unknown to the engine); else null.
   */
  private bestChainPairs(chain: AnswerChain): [ClientEvent, OpenAttempt][] | null {
    let asPlaced = keptWith(chain, 0);
    for (const b of chain.answered)
      if (b.radius !== null) asPlaced = Math.max(asPlaced, keptWith(chain, b.client!.time - b.radius.time));
    let best: [ClientEvent, OpenAttempt][] = [];
    for (const x of chain.answered) {
      if (x.radius !== null || x.gateway !== null) continue;
      for (const y of chain.decided) {
        const lag = x.client!.time - y.radius!.time;
        if (Math.abs(lag) <= RESULT_GRACE_MS || Math.abs(lag) > this.config.clockSkewToleranceMs) continue;
        const pairs = pairsInTurn(chain, lag);
        if (pairs.length > best.length) best = pairs;
      }
    }
    return best.length >= 2 && best.length > asPlaced ? best : null;
  }

  /**
   * User `userKey`'s attempts since `since` (their last event) whose answers and decisions may change places, each
   * list in time order; null when either is empty. Of `caRefusals`: the CA's refusals of the enrolment (10019) on
   * laptop `computer`, alone or with the grant and CA steps they were paired with, and the grants whose enrolment the
   * CA refused (their CA steps stay with them). Else: failures the DA server answered on that laptop (no CA step), and
   * decisions (denials, grants whose signing failed).
   */
  private answerChain(userKey: string, computer: string, since: number, caRefusals: boolean): AnswerChain | null {
    const list = this.attempts.usersAttempts(userKey);
    if (list === undefined) return null;
    const answered: OpenAttempt[] = [];
    const decided: OpenAttempt[] = [];
    for (let b: OpenAttempt | null = list.first; b !== null; b = b.nextOfUser) {
      if (b.last < since) continue;
      if (caRefusals) this.addCaRefusalLink(b, computer, answered, decided);
      else this.addServerAnswerLink(b, computer, answered, decided);
    }
    if (answered.length === 0 || decided.length === 0) return null;
    answered.sort((x, y) => x.client!.time - y.client!.time);
    decided.sort((x, y) => x.radius!.time - y.radius!.time);
    return { answered, decided };
  }

  /** `answerChain` of the DA server's answers: attempt `b`'s answer and decision, when they may change places. */
  private addServerAnswerLink(b: OpenAttempt, computer: string, answered: OpenAttempt[], decided: OpenAttempt[]): void {
    if (b.caRequest !== null || b.caResults.length > 0) return;
    const d = b.radius;
    if (d !== null && (d.decision === 'discarded' || isOtherRadiusDecision(d, this.config))) return;
    const answer = b.client;
    if (answer !== null) {
      if (clientPhase(answer.ref.eventId) !== 'after_server' || !sameHost(answer.ref.computer, computer)) return;
      // A request no decision answered, and its failure: a RADIUS timeout, whole as it is. The DA server's 403 is
      // given before it asks NPS: that answer takes no decision.
      if (d === null && (b.gateway !== null || answer.errorCode === HTTP_403_ERROR)) return;
      answered.push(b);
    }
    if (d !== null) decided.push(b);
  }

  /** `answerChain` of the CA's refusals: attempt `b`'s refusal and grant, when they may change places. */
  private addCaRefusalLink(b: OpenAttempt, computer: string, answered: OpenAttempt[], decided: OpenAttempt[]): void {
    const refused = b.radius !== null && b.radius.decision === 'granted' && caStatusOf(b) === 'denied';
    if (b.client === null) {
      if (refused) decided.push(b);
      return;
    }
    if (!refusedByCa(b) || !sameHost(b.client.ref.computer, computer)) return;
    // A refusal alone, or with a grant the CA refused: nothing else has to move with it.
    if (!refused && !loneCaRefusal(b)) return;
    answered.push(b);
    if (refused) decided.push(b);
  }

  /** Give each answer of `pairs` the attempt of its decision: answers change places, or one alone joins a decision alone. */
  private moveAnswers({ answered }: AnswerChain, pairs: readonly [ClientEvent, OpenAttempt][]): void {
    const holder = new Map(answered.map((b) => [b.client!, b]));
    for (const [answer, to] of pairs) {
      const from = holder.get(answer)!;
      if (from === to) continue;
      const other = to.client;
      if (other !== null) {
        this.attempts.swapClients(from, to);
        holder.set(other, from);
      } else if (from.radius === null && from.gateway === null) this.attempts.moveLoneAnswer(from, to);
      else continue;
      holder.set(answer, to);
    }
  }

  /**
   * When decision `d`'s wait for a retry ends, in event time: `RETRY_RESULT_WAIT_MS` after it, and as much again as the
   * laptop of `ended` (the attempt that takes it else) logs ahead of the servers (`LaptopClocks`, at most the clock-skew
   * tolerance). The retry's answer is read on the servers' clock (`takeWaiting`), but it is placed at its own logged
   * time: a laptop 70 s ahead logged its retry's answer after a 60 s wait had handed the denial to its RADIUS timeout.
   */
  private waitEnd(d: NormalizedEvent, ended: OpenAttempt | null): number {
    const lag = ended === null ? 0 : this.clientLag(ended);
    return d.time + RETRY_RESULT_WAIT_MS + Math.min(Math.max(0, lag), this.config.clockSkewToleranceMs);
  }

  /** Whether a decision of user `key` is waiting. */
  private userWaits(key: string): boolean {
    for (let i = 0; i < this.awaiting.length; i++) if (this.awaiting[i]!.decision.user!.key === key) return true;
    return false;
  }

  /**
   * A client result or CA request of the user was placed in attempt `a`: a decision waiting for a retry that `a`
   * takes goes there (the step follows it, as a client's answer or enrolment follows the decision), not to the
   * attempt whose answer was logged well before it.
   */
  takeWaiting(a: OpenAttempt, step: NormalizedEvent): void {
    const awaiting = this.awaiting;
    for (let i = 0; i < awaiting.length; i++) {
      const { decision: d, endedResult } = awaiting[i]!;
      if (d.user!.key !== step.user!.key) continue;
      const at = step.kind === 'client.result' ? this.attempts.laptops.serverTimeOf(step) : step.time;
      if (at < d.time - RETRY_RESULT_BEFORE_MS || at > d.time + RETRY_RESULT_WAIT_MS) continue;
      if (!this.accepts(a, d, 'radius')) continue;
      if (step.kind === 'client.result' && this.answeredBefore(step, d, endedResult)) continue;
      awaiting.splice(i, 1);
      this.addDecision(a, d as RadiusDecision);
      return;
    }
  }

  /**
   * CA request `e` is about to be placed while a grant of its user waits for its own answer before answers change
   * places for it (`shiftAnswers`). The client enrols as soon as the DA server answers a grant (docs/windows-events.md
   * §0.1, steps 5–6): a request within `RESULT_GRACE_MS` after the grant is its enrolment, and the answers move now, so
   * that the request joins the grant where its answer is. Else the request opened an attempt of its own, took the
   * grant (`takeWaiting`), and the laptop's answers stayed one turn off: a laptop 112.5 s behind logged two CA refusals
   * (10019), the first grant went to the second, and the second grant with its CA steps had no answer (seed 27061).
   */
  shiftBeforeEnrolment(e: NormalizedEvent): void {
    const awaiting = this.awaiting;
    for (let i = 0; i < awaiting.length; i++) {
      const { decision: d, endedResult } = awaiting[i]!;
      if (!Number.isNaN(endedResult) || d.user!.key !== e.user!.key) continue;
      if ((d as RadiusDecision).decision !== 'granted' || e.time < d.time || e.time - d.time > RESULT_GRACE_MS)
        continue;
      const first = this.attempts.firstWithFreeSlot(d.user!.key, 'radius');
      // Only the CA's refusals: a failure the DA server answered is not followed by an enrolment, and a grant whose own
      // answer a laptop ahead logs later (its success) would take another attempt's answer.
      const shifted = first === null ? null : this.shiftAnswers(first, d as RadiusDecision, caRefusalAlone);
      if (shifted === null) continue;
      awaiting.splice(i, 1);
      this.attempts.add(shifted, d);
      return;
    }
  }

  /**
   * The CA just refused (at `refused`) the enrolment of attempt `a`, a grant with its CA steps and no answer yet: the
   * user's CA refusal (10019) that waits alone, logged by the requesting laptop within the clock-skew tolerance of that
   * (within `RESULT_GRACE_MS` after it, read on the servers' clock, when the laptop's lag is known), is its answer, the
   * nearest of them. A laptop 37.6 s behind, told by nothing yet, logged its refusal 35 s before the grant and a retry's
   * OTP rejection 3.3 s before it; the grant went to the rejection, nearer, then left it with its enrolment, and the
   * refusal stayed alone (read as "the CA refused", cause unknown: sweep seed 28062). A refusal logged after the CA's
   * answer is placed into `a` as it comes. When none lies near, the laptop's refusals may be one turn off: they are
   * paired anew (`realignCaRefusals`, attempts read back from event time `at`). A laptop 101.5 s behind logged two
   * refusals 105.5 s and 6 s before the first grant's CA steps; that grant took the second, and the first stayed alone
   * when the second grant came (sweep seed 29065).
   */
  answerRefusal(a: OpenAttempt, refused: number, at: number): void {
    if (a.userKey === null || a.radius === null || a.radius.decision !== 'granted') return;
    const list = this.attempts.usersAttempts(a.userKey);
    if (list === undefined) return;
    const machine = a.caRequest?.requestingMachine ?? null;
    let best: OpenAttempt | null = null;
    let nearest = Number.POSITIVE_INFINITY;
    for (let b: OpenAttempt | null = list.first; b !== null; b = b.nextOfUser) {
      if (b === a || !loneCaRefusal(b)) continue;
      const answer = b.client!;
      if (machine !== null && !sameHost(answer.ref.computer, machine)) continue;
      const lag = this.attempts.laptops.lagOf(answer.ref.computer);
      const after = answer.time - lag - refused;
      const fits =
        lag === 0 ? Math.abs(after) <= this.config.clockSkewToleranceMs : after >= 0 && after <= RESULT_GRACE_MS;
      if (fits && Math.abs(after) < nearest) {
        best = b;
        nearest = Math.abs(after);
      }
    }
    if (best !== null) this.attempts.moveLoneAnswer(best, a);
    else if (machine !== null) this.realignCaRefusals(a.userKey, machine, this.realignSince(at));
  }

  /**
   * Whether the user's laptop, by its other attempts still open, answers a decision as the attempt that ended before
   * decision `d` did (its result at `endedResult`) rather than as the retry whose result `step` is: each of those
   * attempts, a denial and the laptop's failure after it, says how far after a decision the laptop logs its answer on
   * their clocks; the nearest in time says it. With a laptop's and NPS's clocks 15 s apart, the result of an attempt
   * came 15 s before its own denial, and the retry's result a minute later took it. Without such an attempt, the
   * laptop's clock as its successes told it (`LaptopClocks`), else none: the answer logged nearer the decision is its
   * own, as a laptop logs its answer a moment after the DA server's response (a retry's answer 58 s after a denial is
   * not that denial's when the attempt before answered 15 s before it).
   */
  private answeredBefore(step: ClientEvent, d: NormalizedEvent, endedResult: number): boolean {
    const expected = this.answerLag(step.user!.key, step.ref.computer, d.time, step.time);
    return Math.abs(endedResult - d.time - expected) < Math.abs(step.time - d.time - expected);
  }

  /**
   * How long after a decision at `t` laptop `computer` logs its answer (ms, on their two clocks), as user `userKey`'s
   * other attempts still open tell (`answeredBefore`): of those with a denial, or a grant whose signing failed (a
   * failure answered after the DA server, no CA step), and that laptop's answer, the one whose decision lies nearest
   * `t`. Else the laptop's lag as `LaptopClocks` knows it (0: unknown). `placedAt`: when the
   * event being placed was logged (the attempts read are those open then, however the engine swept).
   */
  private answerLag(userKey: string, computer: string, t: number, placedAt: number): number {
    const list = this.attempts.usersAttempts(userKey);
    const known = this.attempts.laptops.lagOf(computer);
    if (list === undefined) return known;
    // Attempts whose last event is this recent are open whenever the event is placed, however the engine swept: a
    // stream and the offline analysis read the same ones.
    const since = placedAt - (this.attempts.closeDelayMs - this.config.clockSkewToleranceMs - SWEEP_INTERVAL_MS);
    let lag: number | null = null;
    let nearest = Number.POSITIVE_INFINITY;
    for (let b = list.first; b !== null; b = b.nextOfUser) {
      const result = b.client;
      const decision = b.radius;
      if (result === null || decision === null || b.last < since) continue;
      // A grant whose signing failed tells it as a denial does: the answer follows it, and nothing came between.
      if (decision.decision === 'granted' && !answeredFailure(b)) continue;
      if (clientPhase(result.ref.eventId) !== 'after_server' || !sameHost(result.ref.computer, computer)) continue;
      const distance = Math.abs(decision.time - t);
      if (distance < nearest) {
        nearest = distance;
        lag = result.time - decision.time;
      }
    }
    return lag ?? known;
  }

  /**
   * Decision `d` is about to go to the answered attempt `a`. When a later answer of the same laptop holds an earlier
   * decision, the two answers would take their decisions in crossed order: a laptop's answers come in the order of its
   * attempts, and so do NPS's decisions. That happens with a laptop far behind NPS whose clock no success told yet:
   * the earlier decision went to the answer logged nearer it, the retry's. The answers change places, so that each
   * takes the decision of its turn. Either may be a grant whose signing failed (a failure answered after the DA
   * server, no CA step), as either may be a denial, or both the CA's refusals of a grant (10019), whose CA steps stay
   * with their grant (`answersAlike`): a laptop 113 s behind had its second grant go to its first refusal (seed 28066).
   */
  private uncross(a: OpenAttempt, d: RadiusDecision): void {
    if (a.gateway !== null || !answerMovesAlone(a)) return;
    const b = this.laterAnswerWithEarlierDecision(a, d);
    if (b !== null) this.attempts.swapClients(a, b);
  }

  /**
   * Denial `d` fits no attempt of its user, yet an answered attempt without a decision lies before a later answer of
   * the same laptop that holds an earlier denial: with a laptop far behind NPS, that denial went to the later answer,
   * nearer it, and the earlier answer is too far from `d` to take it. The answers change places when the later one
   * then takes `d` (each attempt its denial in turn); else they stay. The same for a grant (`shiftPartner`). Only after
   * `d` waited in vain for an answer of its own (`mayShiftAnswers` tells whether to wait), or its enrolment came
   * (`shiftBeforeEnrolment`).
   */
  private shiftAnswers(
    first: OpenAttempt,
    d: RadiusDecision,
    startsChain: (a: OpenAttempt) => boolean = answerMovesAlone,
  ): OpenAttempt | null {
    for (let a: OpenAttempt | null = first; a !== null; a = a.nextOfUser) {
      if (!startsChain(a)) continue;
      // Along the chain: each answer moves one turn, to the decision the next answer held, until `a` holds the last
      // answer before `d`. Each step takes a later answer, so the chain ends.
      const moved: OpenAttempt[] = [];
      for (let b = this.shiftPartner(a, d); b !== null; b = this.shiftPartner(a, d)) {
        this.attempts.swapClients(a, b);
        moved.push(b);
      }
      if (moved.length === 0) continue;
      // A grant logged this long after the answer is let in as for any grant no retry's answer took.
      if (this.accepts(a, d, 'radius', this.config.clockSkewToleranceMs)) return a;
      for (let i = moved.length - 1; i >= 0; i--) this.attempts.swapClients(a, moved[i]!);
    }
    return null;
  }

  /** Whether `shiftAnswers` may find answers to change places for `d`. */
  private mayShiftAnswers(first: OpenAttempt, d: RadiusDecision): boolean {
    for (let a: OpenAttempt | null = first; a !== null; a = a.nextOfUser)
      if (this.shiftPartner(a, d) !== null) return true;
    return false;
  }

  /**
   * The attempt whose answer `a` (answered, no decision) would change places with for decision `d`, if any: for a
   * denial, one holding an earlier denial; for a grant, one holding an earlier grant whose signing failed (a DA server
   * whose signing certificate is gone fails every grant, and a laptop far behind logs each failure before its grant),
   * or whose enrolment the CA refused (a CA without the OTP template refuses every request).
   */
  private shiftPartner(a: OpenAttempt, d: RadiusDecision): OpenAttempt | null {
    if (a.radius !== null || a.gateway !== null || !answerMovesAlone(a)) return null;
    return this.laterAnswerWithEarlierDecision(a, d, d.decision);
  }

  /**
   * Another attempt of `a`'s user whose answer, on the same laptop, was logged after `a`'s and which holds a decision
   * (`earlierKinds`: a denial, or any) earlier than `d`, within the skew tolerance of `a`'s answer: the two would take
   * their decisions in crossed order. Not when that answer lies within a few seconds of its decision, as a laptop whose
   * clock agrees logs it: then the two are each other's. Only answers that change places alone (`answersAlike`):
   * failures answered after the DA server (10005, 10006) with no CA step, or the CA's refusals (10019).
   */
  private laterAnswerWithEarlierDecision(
    a: OpenAttempt,
    d: RadiusDecision,
    earlierKinds: RadiusDecision['decision'] | 'any' = 'any',
  ): OpenAttempt | null {
    const answer = a.client!;
    for (let b = a.ofUser!.first; b !== null; b = b.nextOfUser) {
      const earlier = b.radius;
      if (b === a || earlier === null || earlier.time > d.time) continue;
      if (earlierKinds !== 'any' && earlier.decision !== earlierKinds) continue;
      if (!answersAlike(a, b) || b.client!.time <= answer.time) continue;
      if (Math.abs(b.client!.time - earlier.time) <= RETRY_RESULT_BEFORE_MS) continue;
      if (Math.abs(earlier.time - answer.time) > this.config.clockSkewToleranceMs) continue;
      if (sameHost(b.client!.ref.computer, answer.ref.computer)) return b;
    }
    return null;
  }

  /**
   * A later attempt of the user than `a` whose client result was logged at most `RETRY_RESULT_BEFORE_MS` before
   * decision `d` and that takes it: the retry `d` was waiting for, already placed. On the servers' clock when the
   * laptop's is known to be off: then a result placed before `d` may lie after it, but not after `d`'s wait.
   */
  private retryAnswered(a: OpenAttempt, d: NormalizedEvent): OpenAttempt | null {
    for (let b = a.nextOfUser; b !== null; b = b.nextOfUser) {
      const result = b.client;
      if (result === null) continue;
      const at = this.attempts.laptops.serverTimeOf(result);
      if (at < d.time - RETRY_RESULT_BEFORE_MS || at > d.time + RETRY_RESULT_WAIT_MS) continue;
      if (this.accepts(b, d, 'radius')) return b;
    }
    return null;
  }

  /**
   * The attempt from `first` whose RADIUS grant CA request `e` follows within `RESULT_GRACE_MS`, when it took no CA
   * step because it holds a client failure answered by the DA server (10005, 10006) logged before that grant, more
   * than the grace before `e`. After a grant the DA server signs and answers, and the client enrols at the CA with what
   * it signed (docs/windows-events.md §0.1, steps 5–6): the CA request is that grant's, and the failure, logged before
   * both by a laptop whose clock nothing has told yet, an earlier attempt's answer (`place` hands it back).
   */
  private grantBeforeEnrolment(first: OpenAttempt, e: NormalizedEvent): OpenAttempt | null {
    for (let a: OpenAttempt | null = first; a !== null; a = a.nextOfUser) {
      const grant = a.radius;
      if (grant === null || grant.decision !== 'granted' || !answeredFailure(a)) continue;
      if (a.client!.time >= grant.time || e.time < grant.time || e.time - grant.time > RESULT_GRACE_MS) continue;
      return a;
    }
    return null;
  }

  /**
   * Of the attempts from `first` that have ended (their client result logged) and accept the event, the one whose
   * result is nearest it in time, on the servers' clock when the laptop's is known to be off (the first of equals). A
   * decision no open attempt takes belongs to the answer logged nearest it: a laptop 15 s behind NPS logs each failure
   * 15 s before its own denial, and a retry's failure a minute later still lies nearer its denial than the first
   * attempt's does.
   */
  private nearestEndedAccepting(
    first: OpenAttempt,
    e: NormalizedEvent,
    slot: Slot,
    lateGrantMs?: number,
  ): OpenAttempt | null {
    let best: OpenAttempt | null = null;
    let nearest = Number.POSITIVE_INFINITY;
    for (let a: OpenAttempt | null = first; a !== null; a = a.nextOfUser) {
      if (a.client === null || !this.accepts(a, e, slot, lateGrantMs)) continue;
      // A decision: read with how long after one the laptop answers, as the user's other attempts tell (`answerLag`).
      const lag =
        slot === 'radius' ? this.answerLag(e.user!.key, a.client.ref.computer, e.time, e.time) : this.clientLag(a);
      const distance = Math.abs(a.client.time - lag - e.time);
      if (distance < nearest) {
        nearest = distance;
        best = a;
      }
    }
    return best;
  }

  /**
   * The user's attempt that took a CA request logged a moment before grant `d` (within the servers' drift: the CA's and
   * NPS's clocks apart), from a grant of its own logged more than `RESULT_GRACE_MS` before that request, and nearer
   * `d`: the client enrols as soon as the DA server answers its grant (docs/windows-events.md §0.1, steps 5–6), so the
   * request is `d`'s, placed before it. Only while no IIS request and no client answer went to that attempt. A CA 5 s
   * off NPS logged a retry's request 0.6 s before its grant, and it went to the grant 21.6 s before, a signing
   * failure's, whose answer then had no attempt left (sweep seed 18002).
   */
  private enrolmentNearer(d: RadiusDecision): OpenAttempt | null {
    if (d.decision !== 'granted' || isOtherRadiusDecision(d, this.config)) return null;
    const list = this.attempts.usersAttempts(d.user!.key);
    if (list === undefined) return null;
    for (let a = list.first; a !== null; a = a.nextOfUser) {
      const own = a.radius;
      const request = a.caRequest;
      if (own === null || request === null || own.decision !== 'granted' || a.client !== null || a.gateway !== null)
        continue;
      const after = d.time - request.time;
      const before = request.time - own.time;
      if (after >= 0 && after <= this.serverDriftMs && before > RESULT_GRACE_MS && after < before) return a;
    }
    return null;
  }

  /**
   * Of the attempts from `first` not ended yet that accept CA request `e`, the one whose RADIUS grant lies nearest it
   * (the first of equals; the first accepting when none holds a grant). After a grant the DA server signs and answers,
   * and the client enrols at once with what it signed (docs/windows-events.md §0.1, steps 5–6): a signing failure's
   * grant 28 s before, whose answer a laptop 28 s ahead logged after the request, took the retry's CA request, 3.4 s
   * after the retry's own grant (sweep seed 12033).
   */
  private nearestGrantAccepting(first: OpenAttempt, e: NormalizedEvent): OpenAttempt | null {
    let best: OpenAttempt | null = null;
    let nearest = Number.POSITIVE_INFINITY;
    for (let a: OpenAttempt | null = first; a !== null; a = a.nextOfUser) {
      if (a.client !== null || !this.accepts(a, e, 'caRequest')) continue;
      if (best === null) best = a;
      if (a.radius === null) continue;
      const distance = Math.abs(e.time - a.radius.time);
      if (distance < nearest) {
        nearest = distance;
        best = a;
      }
    }
    return best;
  }

  /**
   * Of the attempts from `first` that have ended (their client result logged) and accept CA request `e`, the one whose
   * RADIUS grant lies nearest before it: within `RESULT_GRACE_MS`, or up to the servers' drift after it (the CA's clock
   * a little behind NPS's). The client enrols as soon as the DA server answers its grant (docs/windows-events.md §0.1,
   * steps 5–6), whenever its laptop logged the answer: one 70 s behind logged its CA refusal (10019) 70 s before the
   * grant, and the request 3 s after the grant went to the next attempt's failure, logged 1.5 s before it (seed 24029).
   */
  private answeredGrantBefore(first: OpenAttempt, e: NormalizedEvent): OpenAttempt | null {
    let best: OpenAttempt | null = null;
    let nearest = Number.POSITIVE_INFINITY;
    for (let a: OpenAttempt | null = first; a !== null; a = a.nextOfUser) {
      const grant = a.radius;
      if (a.client === null || grant === null || grant.decision !== 'granted') continue;
      const after = e.time - grant.time;
      if (after > RESULT_GRACE_MS || after < -this.serverDriftMs || Math.abs(after) >= nearest) continue;
      if (!this.accepts(a, e, 'caRequest')) continue;
      nearest = Math.abs(after);
      best = a;
    }
    return best;
  }

  /**
   * The first attempt of the list from `first` (through `nextOfUser`) that accepts the event, among those that have
   * ended (or not) when `ended` says.
   */
  private firstAccepting(
    first: OpenAttempt,
    e: NormalizedEvent,
    slot: Slot,
    ended: boolean | null,
    lateGrantMs?: number,
  ): OpenAttempt | null {
    for (let a: OpenAttempt | null = first; a !== null; a = a.nextOfUser) {
      if (ended !== null && (a.client !== null) !== ended) continue;
      if (this.accepts(a, e, slot, lateGrantMs)) return a;
    }
    return null;
  }

  /**
   * `acceptsEvent`, with the attempt's answer (or `e`, when it is the answer) read on the servers' clock when its
   * laptop's is known (`clientLag`).
   */
  private accepts(a: OpenAttempt, e: NormalizedEvent, slot: Slot, lateGrantMs?: number): boolean {
    const lag = slot === 'client' ? this.attempts.laptops.lagOf(e.ref.computer) : this.clientLag(a);
    return acceptsEvent(a, e, slot, this.config, lateGrantMs, lag);
  }

  /** How far ahead of the servers' clock the laptop of `a`'s client result logs, as its successes told (0: not known). */
  private clientLag(a: OpenAttempt): number {
    return a.client === null ? 0 : this.attempts.laptops.lagOf(a.client.ref.computer);
  }
}

/** A RADIUS decision waiting for a retry's steps, and the result of the attempt that ended before it, which takes it else. */
interface Awaiting {
  readonly decision: NormalizedEvent;
  /** NaN for a denial no answered attempt takes, waiting for its own answer before answers change places for it. */
  readonly endedResult: number;
  /** When its wait ends, in event time (`waitEnd`). */
  readonly until: number;
}

/** The most answers `realignByChain` reads: a user retries a few times in the minutes it reads, not dozens. */
const LONGEST_CHAIN = 32;

/** A user's answers and decisions on one laptop that may change places (`UserPlacement.answerChain`). */
interface AnswerChain {
  /** Attempts holding an answer, by its time. */
  readonly answered: OpenAttempt[];
  /** Attempts holding a decision, by its time. */
  readonly decided: OpenAttempt[];
}

/** Whether `answer`, read `lag` behind its laptop's clock, lies within `RESULT_GRACE_MS` of decision `d`. */
function fitsWithLag(answer: ClientEvent, d: RadiusDecision, lag: number): boolean {
  return Math.abs(answer.time - lag - d.time) <= RESULT_GRACE_MS;
}

/** How many answers of `chain` already hold a decision they fit with `lag`. */
function keptWith({ answered }: AnswerChain, lag: number): number {
  let kept = 0;
  for (const b of answered) if (b.radius !== null && fitsWithLag(b.client!, b.radius, lag)) kept++;
  return kept;
}

/** In turn: the earliest answer that fits a decision with `lag` takes the earliest decision it fits. */
function pairsInTurn({ answered, decided }: AnswerChain, lag: number): [ClientEvent, OpenAttempt][] {
  const pairs: [ClientEvent, OpenAttempt][] = [];
  for (let i = 0, j = 0; i < answered.length && j < decided.length; ) {
    const answer = answered[i]!.client!;
    const d = decided[j]!.radius!;
    if (fitsWithLag(answer, d, lag)) {
      pairs.push([answer, decided[j]!]);
      i++;
      j++;
    } else if (answer.time - lag < d.time) i++;
    else j++;
  }
  return pairs;
}

/** Whether attempt `b`'s answer lies more than `RESULT_GRACE_MS` from its decision. */
function farFromDecision(b: OpenAttempt): boolean {
  return b.radius !== null && Math.abs(b.client!.time - b.radius.time) > RESULT_GRACE_MS;
}
