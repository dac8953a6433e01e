import type { SpanKind as ApiSpanKind, Context, HrTime, Span, Tracer } from '@opentelemetry/api';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import type { SpanData } from '@otptrace/trace';

/**
 * An IdGenerator that hands out the IDs of the span about to be started. otptrace replays historical spans whose
 * IDs are fixed by the data (packages/core/trace ids.ts), so the SDK must not invent any: before each `startSpan` the
 * replayer loads the span's IDs here. `startSpan` reads them synchronously, so no other span can interleave.
 */
export class ReplayIdGenerator implements IdGenerator {
  private traceId = '';
  private spanId = '';

  /** Loads the IDs the next `startSpan` will take. */
  load(traceId: string, spanId: string): void {
    this.traceId = traceId;
    this.spanId = spanId;
  }

  generateTraceId(): string {
    return this.traceId;
  }

  generateSpanId(): string {
    return this.spanId;
  }
}

const KINDS: Readonly<Record<SpanData['kind'], ApiSpanKind>> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
};

/**
 * Epoch milliseconds (with a microsecond fraction) as an HrTime [seconds, nanoseconds]. A tuple, never a number:
 * the SDK reads a number below `performance.now()` as a performance-clock offset, and a float loses nanoseconds.
 */
export function toHrTime(epochMs: number): HrTime {
  const seconds = Math.floor(epochMs / 1000);
  const nanos = Math.round((epochMs - seconds * 1000) * 1_000) * 1_000; // microsecond precision, as promised
  return nanos >= 1e9 ? [seconds + 1, nanos - 1e9] : [seconds, nanos];
}

/**
 * Replays spans through the SDK with their own IDs and historical times. Parents must come before their children
 * (toSpans gives the root first). A child's trace ID comes from the parent context built here, so only the root
 * asks the generator for a trace ID.
 */
export function replaySpans(
  spans: readonly SpanData[],
  ids: ReplayIdGenerator,
  tracerFor: (host: string | null) => Tracer,
): void {
  for (const data of spans) {
    ids.load(data.traceId, data.spanId);
    const span = tracerFor(data.host).startSpan(
      data.name,
      {
        kind: KINDS[data.kind],
        startTime: toHrTime(data.startTime),
        attributes: data.attributes,
        root: data.parentSpanId === null,
      },
      parentContext(data),
    );
    finish(span, data);
  }
}

function parentContext(data: SpanData): Context {
  if (data.parentSpanId === null) return ROOT_CONTEXT;
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: data.traceId,
    spanId: data.parentSpanId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: false,
  });
}

function finish(span: Span, data: SpanData): void {
  for (const event of data.events) span.addEvent(event.name, event.attributes, toHrTime(event.time));
  if (data.status.code === 'error') {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      ...(data.status.message === null ? {} : { message: data.status.message }),
    });
  } else if (data.status.code === 'ok') {
    span.setStatus({ code: SpanStatusCode.OK });
  }
  span.end(toHrTime(data.endTime));
}
