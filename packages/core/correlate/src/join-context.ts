import type { DropReason } from '@otptrace/model';
import type { CaResult, GatewayEvent, NormalizedEvent } from '@otptrace/schemas';
import type { OpenAttempt } from './attempt.js';
import type { AttemptIndex } from './attempt-index.js';
import type { ClientAddresses } from './client-addresses.js';
import type { EngineConfig } from './config.js';
import type { ServerClocks } from './server-clocks.js';

/** What a join needs: the open attempts, the settings, the requests still waiting, and where a dropped event goes. */
export interface JoinContext {
  readonly attempts: AttemptIndex;
  readonly config: EngineConfig;
  /** The DA servers' clock offsets from their NPS servers', learned as requests are joined. */
  readonly clocks: ServerClocks;
  /** Which client computer each IIS client address belongs to, learned as requests are joined. */
  readonly addresses: ClientAddresses;
  drop(event: NormalizedEvent, reason: DropReason): void;
  /**
   * The request of unanswered attempt `a` is on a DA server NPS knows at `addresses` (`ServerClocks.clientsOf`): a
   * refusal of one of them, on NPS's clock (`a.npsClockAheadMs`) during the request, explains the attempt.
   */
  rememberServer(a: OpenAttempt, addresses: readonly string[]): void;
  /** Offer a CA application event to the DA servers' signing requests; true when one took it. */
  joinSigning(event: CaResult): boolean;
  /** The IIS requests still waiting for their join whose time lies in [lo, hi], in time order. */
  pendingGateways(lo: number, hi: number): GatewayWindow;
  /** The same, of DA server `host` (a host key) alone. */
  pendingGatewaysOfHost(host: string, lo: number, hi: number): GatewayWindow;
}

/**
 * A run of the IIS requests waiting for their join, read in place (`requests[i]` for `i` in [start, end), and
 * `hosts[i]` the host key of its DA server): valid until the next request is joined.
 */
export interface GatewayWindow {
  readonly requests: readonly GatewayEvent[];
  readonly hosts: readonly string[];
  readonly start: number;
  readonly end: number;
}
