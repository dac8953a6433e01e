import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ticketSinksConfigSchema } from '../src/ticket-sinks.js';

/** Dotted paths of every option without a description, walking nested objects through their wrappers. */
function undescribed(schema: z.ZodType, path: string): string[] {
  const missing = schema.description === undefined && path !== '' ? [path] : [];
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodPrefault || inner instanceof z.ZodNullable) {
    inner = inner.unwrap() as z.ZodType;
  }
  if (!(inner instanceof z.ZodObject)) return missing;
  return [
    ...missing,
    ...Object.entries(inner.shape).flatMap(([key, child]) =>
      undescribed(child as z.ZodType, path === '' ? key : `${path}.${key}`),
    ),
  ];
}

describe('ticket sink configuration', () => {
  it('describes every option', () => {
    expect(undescribed(ticketSinksConfigSchema, '')).toEqual([]);
  });

  it('turns every sink off by default, and takes any combination', () => {
    const none = ticketSinksConfigSchema.parse({});
    expect([none.postgres.enabled, none.kafka.topic, none.webhook.url, none.ndjson.path]).toEqual([
      false,
      null,
      null,
      null,
    ]);
    const all = ticketSinksConfigSchema.parse({
      postgres: { enabled: true },
      kafka: { topic: 'otptrace.tickets' },
      webhook: { url: 'https://itsm.example/hooks/otptrace' },
      ndjson: { path: '/var/lib/otptrace/tickets.ndjson' },
      engine: { quietPeriodMs: 600_000 },
    });
    expect(all.engine.quietPeriodMs).toBe(600_000);
    expect(() => ticketSinksConfigSchema.parse({ webhook: { url: 'not a url' } })).toThrow();
    expect(() => ticketSinksConfigSchema.parse({ webhook: { secret: 'inline' } })).toThrow();
  });
});
