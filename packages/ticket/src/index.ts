/** @otptrace/ticket: ⑤ attempts -> deduplicated root-cause tickets, and the sinks that deliver them. */
export { CANCELLED_CODE } from './burst.js';
export type { StepLog, TicketStep } from './engine.js';
export { processAttempts } from './engine.js';
export { baseTicketKey, ticketKey } from './keys.js';
export { successCrosses, ticketScope } from './scope.js';
export type { RecentUserError, TicketAccounting, TicketState } from './state.js';
export { emptyTicketState } from './state.js';
