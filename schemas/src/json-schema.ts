import { z } from 'zod';
import { analysisDocumentSchema, analysisSummaryLineSchema } from './analysis-document.js';
import { attemptRecordSchema } from './attempt.js';
import { eventRecordSchema } from './event-record.js';

/**
 * The documents otptrace publishes a JSON Schema for (schemas/json/NAME.schema.json), generated from these zod
 * schemas by `npm run schemas`; a test keeps the committed files equal to what the schemas generate.
 */
export const PUBLISHED_SCHEMAS = {
  'analysis-document': {
    schema: analysisDocumentSchema,
    title: 'otptrace analyze --format json',
  },
  'analysis-summary-line': {
    schema: analysisSummaryLineSchema,
    title: 'otptrace analyze --format ndjson: the last line',
  },
  'attempt-record': {
    schema: attemptRecordSchema,
    title: 'One attempt: a line of otptrace analyze --format ndjson, a record of the Kafka attempts topic',
  },
  'event-record': {
    schema: eventRecordSchema,
    title: 'A record of the Kafka events topic: normalised events of one site, in order',
  },
} as const;
export type PublishedSchemaName = keyof typeof PUBLISHED_SCHEMAS;

/** The JSON Schema (draft 2020-12) of a published document. */
export function publishedJsonSchema(name: PublishedSchemaName): Record<string, unknown> {
  const { schema, title } = PUBLISHED_SCHEMAS[name];
  const { $schema, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' });
  return { $schema, $id: `urn:otptrace:json-schema:${name}`, title, ...rest };
}
