import { z } from 'zod';
import { attemptRecordSchema, rejectionSchema, summarySchema } from './attempt.js';
import { sourceSchema } from './event.js';
import { fleetStatsSchema } from './stats.js';
import { ANALYSIS_SCHEMA_VERSION, OUTCOMES, STAGES } from './vocabulary.js';

/** The attempts an `otptrace analyze` run was asked to show (`--user`, `--outcome`, ...): absent = all of them. */
export const attemptSelectionSchema = z
  .object({
    users: z
      .array(z.string())
      .describe('Users shown (case-insensitive; a bare account name matches DOMAIN\\name and name@suffix).'),
    outcomes: z.array(z.enum(OUTCOMES)).describe('Outcomes shown.'),
    stages: z.array(z.enum(STAGES)).describe('Failed stages shown.'),
    causes: z.array(z.string()).describe('Root-cause codes shown.'),
    since: z.string().nullable().describe('Attempts that started at or after this ISO time.'),
    until: z.string().nullable().describe('Attempts that started before this ISO time.'),
    shown: z.number().int().nonnegative().describe('Attempts shown.'),
    of: z.number().int().nonnegative().describe('Attempts found in the input.'),
  })
  .describe('The selection of attempts shown; summary, rejected, coverage and stats always cover the whole input.');
export type AttemptSelection = z.infer<typeof attemptSelectionSchema>;

/** `otptrace analyze --format json`: the JSON contract. */
export const analysisDocumentSchema = z
  .object({
    schemaVersion: z.literal(ANALYSIS_SCHEMA_VERSION),
    attempts: z.array(attemptRecordSchema).describe('Every attempt (or those selected), by start time then user.'),
    summary: summarySchema.describe(
      'Event accounting: eventsRead = eventsCorrelated + eventsIgnored + eventsRejected.',
    ),
    rejected: z.array(rejectionSchema).describe('Every event rejected, with where it is and why.'),
    coverage: z.array(sourceSchema).describe('The sources the analysis counted on.'),
    stats: fleetStatsSchema.describe('Fleet statistics of all the attempts found.'),
    selection: attemptSelectionSchema.optional(),
  })
  .describe('The result of `otptrace analyze --format json`.');
export type AnalysisDocument = z.infer<typeof analysisDocumentSchema>;

/** The last line of `otptrace analyze --format ndjson`, after one attempt record per line. */
export const analysisSummaryLineSchema = z
  .object({
    schemaVersion: z.literal(ANALYSIS_SCHEMA_VERSION),
    summary: summarySchema,
    rejectedCount: z.number().int().nonnegative(),
    coverage: z.array(sourceSchema),
    selection: attemptSelectionSchema.optional(),
  })
  .describe('The final line of `otptrace analyze --format ndjson`: the event accounting of the whole input.');
export type AnalysisSummaryLine = z.infer<typeof analysisSummaryLineSchema>;
