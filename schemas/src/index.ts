/** @otptrace/schemas: zod schemas (the source of truth) of everything that crosses a process boundary. */

export type { AnalysisConfig, AnalysisConfigInput } from './analysis-config.js';
export { analysisConfigSchema, isTimeZoneName, UTC_OFFSET } from './analysis-config.js';
export type { AnalysisDocument, AnalysisSummaryLine, AttemptSelection } from './analysis-document.js';
export {
  analysisDocumentSchema,
  analysisSummaryLineSchema,
  attemptSelectionSchema,
} from './analysis-document.js';
export type {
  AttemptRecord,
  Evidence,
  FailureDetail,
  Outcome,
  Rejection,
  RootCause,
  Stage,
  Summary,
} from './attempt.js';
export {
  attemptRecordSchema,
  evidenceSchema,
  failureDetailSchema,
  outcomeSchema,
  rejectionSchema,
  rootCauseSchema,
  stageSchema,
  summarySchema,
} from './attempt.js';
export type {
  DashboardQuery,
  FailureRateSeries,
  RateBucket,
  ServerHealth,
  ServerHealthView,
} from './dashboard.js';
export {
  dashboardFailuresSchema,
  dashboardQuerySchema,
  failureRateSeriesSchema,
  rateBucketSchema,
  serverHealthSchema,
  serverHealthViewSchema,
} from './dashboard.js';
export type {
  CaRequest,
  CaResult,
  ClientEvent,
  EventKind,
  EventRef,
  GatewayEvent,
  NormalizedEvent,
  RadiusClientError,
  RadiusDecision,
  RadiusDirectoryUnavailable,
  Source,
  UserRef,
} from './event.js';
export {
  caRequestSchema,
  caResultSchema,
  clientEventSchema,
  eventRefSchema,
  gatewayEventSchema,
  normalizedEventSchema,
  radiusClientErrorSchema,
  radiusDecisionSchema,
  radiusDirectorySchema,
  sourceSchema,
  userRefSchema,
} from './event.js';
export type { EventRecord } from './event-record.js';
export { eventJson, eventRecordSchema, eventRecordValue, eventsOfRecordValue } from './event-record.js';
export type { ExactGuard } from './exact-guard.js';
export { exactGuard, guardedParser } from './exact-guard.js';
export type { PublishedSchemaName } from './json-schema.js';
export { PUBLISHED_SCHEMAS, publishedJsonSchema } from './json-schema.js';
export type {
  FleetStats,
  LatencySummary,
  OutcomeCounts,
  StageLatencies,
  StatsBucket,
  StatsGrouping,
  StatsQuery,
  StatsQueryInput,
  StatsReport,
  StatsRow,
} from './stats.js';
export {
  fleetStatsSchema,
  latencySummarySchema,
  outcomeCountsSchema,
  STATS_BUCKETS,
  STATS_GROUPINGS,
  stageLatenciesSchema,
  statsBucketSchema,
  statsGroupingSchema,
  statsQuerySchema,
  statsReportSchema,
  statsRowSchema,
} from './stats.js';
export type { Ticket, TicketChange, TicketConfig, TicketConfigInput, TicketScope } from './ticket.js';
export {
  TICKET_SCOPE_KINDS,
  ticketChangeSchema,
  ticketConfigSchema,
  ticketSchema,
  ticketScopeSchema,
} from './ticket.js';
export type { TicketSinksConfig, TicketSinksConfigInput } from './ticket-sinks.js';
export { ticketSinksConfigSchema } from './ticket-sinks.js';
export * from './vocabulary.js';
