/** @otptrace/ticket: ⑤ attempts -> deduplicated root-cause tickets, and the sinks that deliver them. */
export { CANCELLED_CODE } from './burst.js';
export type { DispatchReport, DispatchState, DispatchStore, TicketDispatcher } from './dispatch.js';
export { createTicketDispatcher } from './dispatch.js';
export type { SeenChanges, TicketStep } from './engine.js';
export { advanceTicketState, processAttempts } from './engine.js';
export { baseTicketKey, ticketKey } from './keys.js';
export { successCrosses, ticketScope } from './scope.js';
export type { KafkaTicketPorts } from './sinks/kafka.js';
export { createKafkaTicketSink } from './sinks/kafka.js';
export type { NdjsonPorts } from './sinks/ndjson.js';
export { createNdjsonTicketSink } from './sinks/ndjson.js';
export type { SinkResult, TicketSink } from './sinks/types.js';
export { changeJson } from './sinks/types.js';
export type { DeadLetter, WebhookConfig, WebhookPorts } from './sinks/webhook.js';
export {
  createWebhookTicketSink,
  DEFAULT_WEBHOOK_RETRY,
  isRetriableStatus,
  webhookSignature,
} from './sinks/webhook.js';
export type { RecentUserError, TicketAccounting, TicketState } from './state.js';
export { emptyTicketState } from './state.js';
export type { StepLog } from './step-log.js';
export { latestRevisions } from './ticket.js';
