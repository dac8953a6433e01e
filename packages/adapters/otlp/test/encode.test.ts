import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { toSpans } from '@otptrace/trace';
import { describe, expect, it } from 'vitest';
import { ca4886, caResult, client, iis, nps, record, T0 } from '../../../core/trace/test/fixtures.js';
import { encodeOtlpJson, encodeOtlpProtobuf } from '../src/otlp-encode.js';
import { createRoleResources, toReadableSpan } from '../src/readable-span.js';
import { SPANS } from './spans.js';

// The straight encoders must write what OpenTelemetry's own serializer writes from the same spans, byte for byte.

const resources = createRoleResources({
  'service.name': 'otptrace',
  'service.version': '9.9.9',
  'deployment.environment.name': 'lab',
});
const failedAttempt = toSpans(
  record(
    [
      iis(T0 + 1500, 1400, 200, 11),
      nps(T0 + 1200, null, 12),
      ca4886(T0 + 2000.25, 43, 13),
      caResult(T0 + 2100.5, 43, 4888, 14),
      client(T0 + 2400, 10019, null, 15),
    ],
    { cause: 'ca_denied_template_permission', detail: { caHresult: '0x80094012', clientEventId: 10019 } },
  ),
  [],
);
const cases = {
  'hand-made spans (doubles, negative integers, arrays, events, unicode, escapes)': [
    ...SPANS,
    {
      ...SPANS[1]!,
      spanId: 'ffffffffffffffff',
      name: 'é中 ✓',
      attributes: { n: -3, d: 0.25, ok: false, list: [1, 2] },
    },
    {
      ...SPANS[2]!,
      spanId: 'eeeeeeeeeeeeeeee',
      name: 'quote " backslash \\ line\nbreak',
      attributes: { escaped: 'tab\t control\u0001 lone \ud800 pair \ud83d\ude00', list: ['"', 'ok'] },
    },
  ],
  'a failed attempt of five spans on four machines': failedAttempt,
};

describe('OTLP encoded straight from span data', () => {
  for (const [name, spans] of Object.entries(cases)) {
    it(`writes the JSON the OpenTelemetry serializer writes: ${name}`, () => {
      const official = new TextDecoder().decode(
        JsonTraceSerializer.serializeRequest(spans.map((s) => toReadableSpan(s, resources))),
      );
      expect(new TextDecoder().decode(encodeOtlpJson(spans, resources))).toBe(official);
    });

    it(`writes the protobuf the OpenTelemetry serializer writes: ${name}`, () => {
      const official = ProtobufTraceSerializer.serializeRequest(spans.map((s) => toReadableSpan(s, resources)))!;
      expect(Buffer.from(encodeOtlpProtobuf(spans, resources)).toString('hex')).toBe(
        Buffer.from(official).toString('hex'),
      );
    });
  }
});
