import type { Resource } from '@opentelemetry/resources';
import type { Attributes, AttributeValue, SpanData } from '@otptrace/trace';
import { type RoleResources, spanResource, toHrTime } from './readable-span.js';

// OTLP's ExportTraceServiceRequest written straight from span data, in the JSON encoding (what the OTLP-JSON file
// and http/json carry) and the protobuf encoding (http/protobuf): byte for byte what @opentelemetry/otlp-transformer
// produces from the same spans (test/encode.test.ts compares them), without its intermediate object tree and per-span
// SDK objects (issue 16, item 6; figures in bench/README.md, "Cheap export").
// Field numbers: opentelemetry-proto, opentelemetry/proto/trace/v1/trace.proto and common/v1/common.proto.

const SCOPE_NAME = '@otptrace/otlp';
const KIND = { internal: 1, server: 2, client: 3 } as const;
const STATUS = { unset: 0, ok: 1, error: 2 } as const;
/** Span flags: sampled, and "whether the parent is remote is known" (it is not remote). */
const FLAGS = 0x101;

/** Spans grouped by resource (one per machine role and host), in first-seen order, as the SDK's serializer does. */
function groupByResource(spans: readonly SpanData[], resources: RoleResources) {
  const groups = new Map<Resource, SpanData[]>();
  for (const span of spans) {
    const resource = spanResource(span, resources);
    const group = groups.get(resource);
    if (group === undefined) groups.set(resource, [span]);
    else group.push(span);
  }
  return groups;
}

/** Nanoseconds since 1970 as a decimal string (OTLP JSON's fixed64), from epoch ms with a microsecond fraction. */
function nanos(epochMs: number): string {
  const [seconds, ns] = toHrTime(epochMs);
  return seconds === 0 ? String(ns) : `${seconds}${String(ns).padStart(9, '0')}`;
}

// ---- JSON ----

// Written as UTF-8 bytes into one growing buffer, never as strings joined: a fleet's OTLP JSON is over 100 MB, and
// building it as strings made most of the export's cost garbage collection (bench/README.md, "Cheap export").

/** Characters JSON.stringify escapes (quote, backslash, controls) or may (lone surrogates): those strings go through it. */
// Built from strings: biome refuses control characters in regular expression literals.
const NEEDS_ESCAPE = new RegExp('["\\\\' + '\\u0000-\\u001f\\ud800-\\udfff]');

/** A growing UTF-8 byte buffer for JSON text; `take()` hands out what was written and starts again. */
export class JsonBytes {
  private buf = Buffer.allocUnsafe(1 << 16);
  private pos = 0;

  /** Text written as it is (JSON punctuation, keys, numbers). */
  raw(text: string): void {
    this.ensure(text.length * 3);
    this.pos = this.put(text, this.pos);
  }

  /** A JSON string, as JSON.stringify writes it. */
  string(text: string): void {
    if (NEEDS_ESCAPE.test(text)) {
      this.raw(JSON.stringify(text));
      return;
    }
    this.ensure(text.length * 3 + 2);
    this.buf[this.pos] = 0x22;
    this.pos = this.put(text, this.pos + 1);
    this.buf[this.pos++] = 0x22;
  }

  /**
   * Writes `text` at `at` (room ensured), returns the end. Short ASCII text is copied by a loop here: a call into
   * Buffer#write per fragment costs more than the copy; other text is left to it.
   */
  private put(text: string, at: number): number {
    const n = text.length;
    if (n <= 64) {
      const buf = this.buf;
      let i = 0;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + i] = c;
      }
      if (i === n) return at + n;
    }
    return at + this.buf.write(text, at);
  }

  get length(): number {
    return this.pos;
  }

  /** The bytes written so far (a view, valid until the next write), and the buffer emptied. */
  take(): Uint8Array {
    const bytes = this.buf.subarray(0, this.pos);
    this.pos = 0;
    return bytes;
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
}

function jsonValue(w: JsonBytes, value: AttributeValue | string | number | boolean): void {
  if (Array.isArray(value)) {
    w.raw('{"arrayValue":{"values":[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) w.raw(',');
      jsonValue(w, value[i]!);
    }
    w.raw(']}}');
  } else if (typeof value === 'string') {
    w.raw('{"stringValue":');
    w.string(value);
    w.raw('}');
  } else if (typeof value === 'boolean') w.raw(value ? '{"boolValue":true}' : '{"boolValue":false}');
  else w.raw(Number.isInteger(value) ? `{"intValue":${value}}` : `{"doubleValue":${value}}`);
}

/** `{"key":"<name>","value":` of each attribute name seen: the names are a small fixed set. */
const keyPrefixes = new Map<string, string>();

function jsonAttributes(w: JsonBytes, attributes: Attributes): void {
  w.raw('[');
  let first = true;
  for (const key in attributes) {
    let prefix = keyPrefixes.get(key);
    if (prefix === undefined) {
      prefix = `{"key":${JSON.stringify(key)},"value":`;
      keyPrefixes.set(key, prefix);
    }
    w.raw(first ? prefix : `,${prefix}`);
    first = false;
    jsonValue(w, attributes[key]!);
    w.raw('}');
  }
  w.raw(']');
}

/** The JSON of each resource's opening, written once per resource. */
const resourceJson = new WeakMap<Resource, string>();

function jsonResourceOpening(resource: Resource): string {
  let json = resourceJson.get(resource);
  if (json === undefined) {
    const w = new JsonBytes();
    w.raw('{"resource":{"attributes":');
    jsonAttributes(w, resource.attributes as Attributes);
    w.raw(`,"droppedAttributesCount":0},"scopeSpans":[{"scope":{"name":"${SCOPE_NAME}"},"spans":[`);
    json = new TextDecoder().decode(w.take());
    resourceJson.set(resource, json);
  }
  return json;
}

function jsonSpan(w: JsonBytes, s: SpanData): void {
  w.raw(`{"traceId":"${s.traceId}","spanId":"${s.spanId}",`);
  if (s.parentSpanId !== null) w.raw(`"parentSpanId":"${s.parentSpanId}",`);
  w.raw('"name":');
  w.string(s.name);
  w.raw(
    `,"kind":${KIND[s.kind]},"startTimeUnixNano":"${nanos(s.startTime)}","endTimeUnixNano":"${nanos(s.endTime)}","attributes":`,
  );
  jsonAttributes(w, s.attributes);
  w.raw(',"droppedAttributesCount":0,"events":[');
  for (let i = 0; i < s.events.length; i++) {
    const e = s.events[i]!;
    w.raw(i === 0 ? '{"attributes":' : ',{"attributes":');
    jsonAttributes(w, e.attributes);
    w.raw(',"name":');
    w.string(e.name);
    w.raw(`,"timeUnixNano":"${nanos(e.time)}","droppedAttributesCount":0}`);
  }
  w.raw(`],"droppedEventsCount":0,"status":{"code":${STATUS[s.status.code]}`);
  if (s.status.message !== null) {
    w.raw(',"message":');
    w.string(s.status.message);
  }
  w.raw(`},"links":[],"droppedLinksCount":0,"flags":${FLAGS}}`);
}

/** The request in OTLP's JSON encoding (one document, no line break), as UTF-8. */
export function encodeOtlpJson(spans: readonly SpanData[], resources: RoleResources): Uint8Array {
  const w = new JsonBytes();
  w.raw('{"resourceSpans":[');
  writeOtlpJsonResourceSpans(w, spans, resources);
  w.raw(']}');
  return w.take();
}

/** Appends the `resourceSpans` entries of the request, comma-separated, for a document written batch by batch. */
export function writeOtlpJsonResourceSpans(w: JsonBytes, spans: readonly SpanData[], resources: RoleResources): void {
  let firstGroup = true;
  for (const [resource, group] of groupByResource(spans, resources)) {
    w.raw(firstGroup ? jsonResourceOpening(resource) : `,${jsonResourceOpening(resource)}`);
    firstGroup = false;
    for (let i = 0; i < group.length; i++) {
      if (i > 0) w.raw(',');
      jsonSpan(w, group[i]!);
    }
    w.raw(']}]}');
  }
}

// ---- protobuf ----

/** Value of each hex digit's character code. */
const HEX = new Uint8Array(128);
for (let i = 0; i < 16; i++) {
  HEX['0123456789abcdef'.charCodeAt(i)] = i;
  HEX['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Bytes of a varint. */
function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v > 0x7f; v = Math.floor(v / 128)) size += 1;
  return size;
}

/**
 * A growing byte buffer with the few protobuf wire types OTLP needs. Length-delimited fields reserve a guess of their
 * length prefix (one byte, or what the longest string could need) and move their content when the guess was wrong.
 */
class ProtoWriter {
  buf = new Uint8Array(1 << 16);
  view = new DataView(this.buf.buffer);
  pos = 0;
  private readonly utf8 = new TextEncoder();

  private ensure(extra: number): void {
    this.ensureEnd(this.pos + extra);
  }

  /** Room up to byte `end`. */
  private ensureEnd(end: number): void {
    if (end <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < end) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v > 0x7f) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  /** A count written as 0, as OpenTelemetry's serializer writes the dropped-counts. */
  zero(field: number): void {
    this.tag(field, 0);
    this.varint(0);
  }

  string(field: number, text: string): void {
    this.tag(field, 2);
    const reserved = varintSize(text.length * 3);
    this.ensure(reserved + text.length * 3);
    const start = this.pos + reserved;
    const { written } = this.utf8.encodeInto(text, this.buf.subarray(start));
    this.pos = this.closeLength(start, reserved, written);
  }

  hexBytes(field: number, hex: string): void {
    this.tag(field, 2);
    const length = hex.length >> 1;
    this.varint(length);
    this.ensure(length);
    for (let i = 0; i < hex.length; i += 2) {
      this.buf[this.pos++] = (HEX[hex.charCodeAt(i)]! << 4) | HEX[hex.charCodeAt(i + 1)]!;
    }
  }

  fixed64Nanos(field: number, epochMs: number): void {
    this.tag(field, 1);
    const [seconds, ns] = toHrTime(epochMs);
    this.ensure(8);
    this.view.setBigUint64(this.pos, BigInt(seconds) * 1_000_000_000n + BigInt(ns), true);
    this.pos += 8;
  }

  fixed32(field: number, value: number): void {
    this.tag(field, 5);
    this.ensure(4);
    this.view.setUint32(this.pos, value, true);
    this.pos += 4;
  }

  double(field: number, value: number): void {
    this.tag(field, 1);
    this.ensure(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  int64(field: number, value: number): void {
    this.tag(field, 0);
    if (value >= 0) this.varint(value);
    else {
      // Two's complement over 64 bits, ten bytes.
      let v = BigInt.asUintN(64, BigInt(value));
      this.ensure(10);
      while (v > 0x7fn) {
        this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      this.buf[this.pos++] = Number(v);
    }
  }

  /** Writes a nested message: `body` writes its fields, the length prefix is fitted afterwards. */
  message(field: number, body: () => void, reserved = 1): void {
    this.tag(field, 2);
    this.ensure(reserved);
    const start = this.pos + reserved;
    this.pos = start;
    body();
    this.pos = this.closeLength(start, reserved, this.pos - start);
  }

  /** Writes the length of the `length` bytes at `start` in the `reserved` bytes before them; returns the end. */
  private closeLength(start: number, reserved: number, length: number): number {
    const size = varintSize(length);
    const prefixAt = start - reserved;
    const contentAt = prefixAt + size;
    this.ensureEnd(contentAt + length);
    if (contentAt !== start) this.buf.copyWithin(contentAt, start, start + length);
    let v = length;
    let at = prefixAt;
    while (v > 0x7f) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[at] = v;
    return contentAt + length;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}

function protoValue(w: ProtoWriter, field: number, value: AttributeValue | string | number | boolean): void {
  w.message(field, () => {
    if (Array.isArray(value)) {
      w.message(5, () => {
        for (const v of value) protoValue(w, 1, v);
      });
    } else if (typeof value === 'string') w.string(1, value);
    else if (typeof value === 'boolean') {
      w.tag(2, 0);
      w.varint(value ? 1 : 0);
    } else if (Number.isInteger(value)) w.int64(3, value);
    else w.double(4, value);
  });
}

function protoAttributes(w: ProtoWriter, field: number, attributes: Attributes): void {
  for (const key in attributes) {
    w.message(field, () => {
      w.string(1, key);
      protoValue(w, 2, attributes[key]!);
    });
  }
}

function protoSpan(w: ProtoWriter, s: SpanData): void {
  w.hexBytes(1, s.traceId);
  w.hexBytes(2, s.spanId);
  if (s.parentSpanId !== null) w.hexBytes(4, s.parentSpanId);
  w.string(5, s.name);
  w.tag(6, 0);
  w.varint(KIND[s.kind]);
  w.fixed64Nanos(7, s.startTime);
  w.fixed64Nanos(8, s.endTime);
  protoAttributes(w, 9, s.attributes);
  w.zero(10);
  for (const e of s.events) {
    w.message(11, () => {
      w.fixed64Nanos(1, e.time);
      w.string(2, e.name);
      protoAttributes(w, 3, e.attributes);
      w.zero(4);
    });
  }
  w.zero(12);
  w.zero(14);
  w.message(15, () => {
    if (s.status.message !== null) w.string(2, s.status.message);
    w.tag(3, 0);
    w.varint(STATUS[s.status.code]);
  });
  w.fixed32(16, FLAGS);
}

/** The request in OTLP's protobuf encoding. */
export function encodeOtlpProtobuf(spans: readonly SpanData[], resources: RoleResources): Uint8Array {
  const w = new ProtoWriter();
  for (const [resource, group] of groupByResource(spans, resources)) {
    w.message(1, () => {
      w.message(1, () => {
        protoAttributes(w, 1, resource.attributes as Attributes);
        w.zero(2);
      });
      w.message(2, () => {
        w.message(1, () => w.string(1, SCOPE_NAME));
        for (const span of group) w.message(2, () => protoSpan(w, span));
      });
    });
  }
  return w.bytes();
}
