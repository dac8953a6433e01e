import type { Attributes, AttributeValue, SpanData } from '@otptrace/trace';
import { type RoleResource, type RoleResources, spanResource } from './resources.js';

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
  const groups = new Map<RoleResource, SpanData[]>();
  for (const span of spans) {
    const resource = spanResource(span, resources);
    const group = groups.get(resource);
    if (group === undefined) groups.set(resource, [span]);
    else group.push(span);
  }
  return groups;
}

/** Seconds and nanoseconds of the last `splitTime` (what `toHrTime` gives, without a tuple per time). */
let splitSeconds = 0;
let splitNanos = 0;

/** Epoch ms with a microsecond fraction into `splitSeconds` / `splitNanos`, as `toHrTime` splits them. */
function splitTime(epochMs: number): void {
  const seconds = Math.floor(epochMs / 1000);
  const nanos = Math.round((epochMs - seconds * 1000) * 1_000) * 1_000;
  if (nanos >= 1e9) {
    splitSeconds = seconds + 1;
    splitNanos = nanos - 1e9;
  } else {
    splitSeconds = seconds;
    splitNanos = nanos;
  }
}

// ---- JSON ----

// Written as UTF-8 bytes into one growing buffer, never as strings joined: a fleet's OTLP JSON is over 100 MB, and
// building it as strings made most of the export's cost garbage collection (bench/README.md, "Cheap export"). The
// fixed parts (keys, punctuation, resource openings) are encoded once and copied; numbers are written as digits; a
// string is checked for characters to escape while it is copied.

/**
 * Copies the leading ASCII characters of `text` to `buf` at `at`, up to the first that is not; returns how many
 * (`text.length` when all are): short keys and values are copied here, where a call into an encoder costs more.
 */
function copyAscii(buf: Uint8Array, at: number, text: string): number {
  const n = text.length;
  let i = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) break;
    buf[at + i] = c;
  }
  return i;
}

/**
 * Bytes up to which a loop copies faster than the native call: a store per byte costs ~1.6 ns in these loops, the
 * call ~15 ns whatever the length (bench/README.md, session 25; with 32 here, the key prefixes and the cached values,
 * 10–40 bytes each, were copied byte by byte).
 */
const LOOP_COPY_MAX = 8;

/** Copies `bytes` into `buf` at `at`: by a loop when they are very few, else natively. */
function copyInto(buf: Uint8Array, at: number, bytes: Uint8Array): void {
  const n = bytes.length;
  if (n <= LOOP_COPY_MAX) for (let i = 0; i < n; i++) buf[at + i] = bytes[i]!;
  else buf.set(bytes, at);
}

/** Text of ASCII characters as bytes. */
function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** A growing UTF-8 byte buffer for JSON text; `take()` hands out what was written and starts again. */
export class JsonBytes {
  private buf = Buffer.allocUnsafe(1 << 16);
  private pos = 0;

  /** Text written as it is (JSON punctuation, keys, numbers, IDs): natively, but for a few characters. */
  raw(text: string): void {
    this.ensure(text.length * 3);
    const n = text.length;
    const buf = this.buf;
    const at = this.pos;
    if (n <= LOOP_COPY_MAX && copyAscii(buf, at, text) === n) {
      this.pos = at + n;
      return;
    }
    this.pos = at + buf.write(text, at);
  }

  /** Bytes encoded beforehand. */
  bytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    copyInto(this.buf, this.pos, bytes);
    this.pos += bytes.length;
  }

  /** One ASCII character. */
  byte(c: number): void {
    this.ensure(1);
    this.buf[this.pos++] = c;
  }

  /**
   * A JSON string, as JSON.stringify writes it: ASCII without quote, backslash or control characters is copied as it
   * is checked; any other string goes through JSON.stringify (escapes, lone surrogates) or Buffer#write (UTF-8).
   */
  string(text: string): void {
    const n = text.length;
    this.ensure(n * 3 + 2);
    const buf = this.buf;
    const at = this.pos;
    buf[at] = 0x22;
    let i = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) break;
      buf[at + 1 + i] = c;
    }
    if (i === n) {
      buf[at + 1 + n] = 0x22;
      this.pos = at + n + 2;
    } else if (NEEDS_ESCAPE.test(text)) this.raw(JSON.stringify(text));
    else {
      const end = at + 1 + buf.write(text, at + 1);
      buf[end] = 0x22;
      this.pos = end + 1;
    }
  }

  /** A number as `${value}` writes it; non-negative integers as digits straight into the buffer. */
  number(value: number): void {
    if (!(value >= 0 && value <= 0xffffffff && Number.isInteger(value))) {
      this.raw(String(value));
      return;
    }
    this.digits(value, 0);
  }

  /** A non-negative integer below 2^53 in decimal, left-padded with zeros to `width` digits. */
  digits(value: number, width: number): void {
    let n = 1;
    for (let v = value; v >= 10; v = Math.floor(v / 10)) n++;
    if (n < width) n = width;
    this.ensure(n);
    const buf = this.buf;
    let at = this.pos + n;
    this.pos = at;
    let v = value;
    for (let i = 0; i < n; i++) {
      const q = Math.floor(v / 10);
      buf[--at] = 0x30 + (v - q * 10);
      v = q;
    }
  }

  /** Nanoseconds since 1970 as a quoted decimal string (OTLP JSON's fixed64), from epoch ms with a microsecond fraction. */
  nanos(epochMs: number): void {
    splitTime(epochMs);
    this.byte(0x22);
    if (splitSeconds === 0) this.digits(splitNanos, 0);
    else {
      this.number(splitSeconds);
      this.digits(splitNanos, 9);
    }
    this.byte(0x22);
  }

  get length(): number {
    return this.pos;
  }

  /** A copy of the bytes written from `start` on. */
  copy(start: number): Uint8Array {
    return Uint8Array.prototype.slice.call(this.buf, start, this.pos);
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

/** Characters JSON.stringify escapes (quote, backslash, controls) or may (lone surrogates): those strings go through it. */
// Built from strings: biome refuses control characters in regular expression literals.
const NEEDS_ESCAPE = new RegExp('["\\\\' + '\\u0000-\\u001f\\ud800-\\udfff]');

const J = {
  stringValue: ascii('{"stringValue":'),
  intValue: ascii('{"intValue":'),
  doubleValue: ascii('{"doubleValue":'),
  boolTrue: ascii('{"boolValue":true}'),
  boolFalse: ascii('{"boolValue":false}'),
  arrayOpen: ascii('{"arrayValue":{"values":['),
  arrayClose: ascii(']}}'),
  traceId: ascii('{"traceId":"'),
  spanId: ascii('","spanId":"'),
  parentSpanId: ascii('","parentSpanId":"'),
  name: ascii('","name":'),
  kind: ascii(',"kind":'),
  start: ascii(',"startTimeUnixNano":'),
  end: ascii(',"endTimeUnixNano":'),
  attributes: ascii(',"attributes":'),
  events: ascii(',"droppedAttributesCount":0,"events":['),
  eventOpen: ascii('{"attributes":'),
  eventName: ascii(',"name":'),
  eventTime: ascii(',"timeUnixNano":'),
  eventClose: ascii(',"droppedAttributesCount":0}'),
  status: ascii('],"droppedEventsCount":0,"status":{"code":'),
  message: ascii(',"message":'),
  spanClose: ascii(`},"links":[],"droppedLinksCount":0,"flags":${FLAGS}}`),
  groupClose: ascii(']}]}'),
} as const;

/**
 * `{"stringValue":"…"}` of strings seen, as bytes: most values repeat (providers, channels, servers, stages), and a
 * copy costs less than checking the characters again. The first strings seen fill it and it stops growing.
 */
const stringValues = new Map<string, Uint8Array>();
const STRING_VALUES_MAX = 8192;
const STRING_VALUE_MAX_LENGTH = 96;

function jsonStringValue(w: JsonBytes, value: string): void {
  const cached = stringValues.get(value);
  if (cached !== undefined) {
    w.bytes(cached);
    return;
  }
  const start = w.length;
  w.bytes(J.stringValue);
  w.string(value);
  w.byte(0x7d);
  if (stringValues.size < STRING_VALUES_MAX && value.length <= STRING_VALUE_MAX_LENGTH)
    stringValues.set(value, w.copy(start));
}

function jsonValue(w: JsonBytes, value: AttributeValue | string | number | boolean): void {
  if (typeof value === 'string') jsonStringValue(w, value);
  else if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      w.bytes(J.intValue);
      w.number(value);
    } else {
      w.bytes(J.doubleValue);
      w.raw(String(value));
    }
    w.byte(0x7d);
  } else if (typeof value === 'boolean') w.bytes(value ? J.boolTrue : J.boolFalse);
  else {
    w.bytes(J.arrayOpen);
    for (let i = 0; i < value.length; i++) {
      if (i > 0) w.byte(0x2c);
      jsonValue(w, value[i]!);
    }
    w.bytes(J.arrayClose);
  }
}

/** `{"key":"<name>","value":` of each attribute name seen, as bytes: the names are a small fixed set. */
const keyPrefixes = new Map<string, Uint8Array>();

function keyPrefix(key: string): Uint8Array {
  let prefix = keyPrefixes.get(key);
  if (prefix === undefined) {
    prefix = Buffer.from(`{"key":${JSON.stringify(key)},"value":`);
    keyPrefixes.set(key, prefix);
  }
  return prefix;
}

function jsonAttributes(w: JsonBytes, attributes: Attributes): void {
  w.byte(0x5b);
  let first = true;
  for (const key in attributes) {
    if (!first) w.byte(0x2c);
    first = false;
    w.bytes(keyPrefix(key));
    jsonValue(w, attributes[key]!);
    w.byte(0x7d);
  }
  w.byte(0x5d);
}

/** The JSON of each resource's opening, as bytes, written once per resource. */
const resourceJson = new WeakMap<RoleResource, Uint8Array>();
const scratch = new JsonBytes();

function jsonResourceOpening(resource: RoleResource): Uint8Array {
  let json = resourceJson.get(resource);
  if (json === undefined) {
    // One scratch writer for every opening: a writer per resource allocated a 64 KB buffer for each of a fleet's
    // thousands of hosts, and that external memory forced garbage collections.
    const w = scratch;
    w.raw('{"resource":{"attributes":');
    jsonAttributes(w, resource.attributes);
    w.raw(`,"droppedAttributesCount":0},"scopeSpans":[{"scope":{"name":"${SCOPE_NAME}"},"spans":[`);
    json = Uint8Array.from(w.take());
    resourceJson.set(resource, json);
  }
  return json;
}

function jsonSpan(w: JsonBytes, s: SpanData): void {
  w.bytes(J.traceId);
  w.raw(s.traceId);
  w.bytes(J.spanId);
  w.raw(s.spanId);
  if (s.parentSpanId !== null) {
    w.bytes(J.parentSpanId);
    w.raw(s.parentSpanId);
  }
  w.bytes(J.name);
  w.string(s.name);
  w.bytes(J.kind);
  w.number(KIND[s.kind]);
  w.bytes(J.start);
  w.nanos(s.startTime);
  w.bytes(J.end);
  w.nanos(s.endTime);
  w.bytes(J.attributes);
  jsonAttributes(w, s.attributes);
  w.bytes(J.events);
  for (let i = 0; i < s.events.length; i++) {
    const e = s.events[i]!;
    if (i > 0) w.byte(0x2c);
    w.bytes(J.eventOpen);
    jsonAttributes(w, e.attributes);
    w.bytes(J.eventName);
    w.string(e.name);
    w.bytes(J.eventTime);
    w.nanos(e.time);
    w.bytes(J.eventClose);
  }
  w.bytes(J.status);
  w.number(STATUS[s.status.code]);
  if (s.status.message !== null) {
    w.bytes(J.message);
    w.string(s.status.message);
  }
  w.bytes(J.spanClose);
}

/** The request in OTLP's JSON encoding (one document, no line break), as UTF-8. */
export function encodeOtlpJson(spans: readonly SpanData[], resources: RoleResources): Uint8Array {
  return encodeOtlpJsonInto(new JsonBytes(), spans, resources);
}

/** The request in OTLP's JSON encoding written into `w`: a view of its buffer, valid until `w` is written again. */
export function encodeOtlpJsonInto(w: JsonBytes, spans: readonly SpanData[], resources: RoleResources): Uint8Array {
  w.take();
  w.raw('{"resourceSpans":[');
  writeOtlpJsonResourceSpans(w, spans, resources);
  w.raw(']}');
  return w.take();
}

/** Appends the `resourceSpans` entries of the request, comma-separated, for a document written batch by batch. */
export function writeOtlpJsonResourceSpans(w: JsonBytes, spans: readonly SpanData[], resources: RoleResources): void {
  let firstGroup = true;
  for (const [resource, group] of groupByResource(spans, resources)) {
    if (!firstGroup) w.byte(0x2c);
    w.bytes(jsonResourceOpening(resource));
    firstGroup = false;
    for (let i = 0; i < group.length; i++) {
      if (i > 0) w.byte(0x2c);
      jsonSpan(w, group[i]!);
    }
    w.bytes(J.groupClose);
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
export class ProtoWriter {
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
    const n = text.length;
    if (n < 128 && field < 16) {
      // Short ASCII (most of OTLP's strings): a one-byte tag and length, the characters copied here; a call into
      // TextEncoder per string costs more. Anything else goes through it.
      this.ensure(n + 2);
      const buf = this.buf;
      const at = this.pos + 2;
      if (copyAscii(buf, at, text) === n) {
        buf[this.pos] = (field << 3) | 2;
        buf[this.pos + 1] = n;
        this.pos = at + n;
        return;
      }
    }
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

  /** Nanoseconds since 1970 as a fixed64, computed exactly in two 32-bit halves (no BigInt per time). */
  fixed64Nanos(field: number, epochMs: number): void {
    this.tag(field, 1);
    splitTime(epochMs);
    this.ensure(8);
    if (splitSeconds < 0 || splitSeconds >= 2 ** 32) {
      this.view.setBigUint64(this.pos, BigInt(splitSeconds) * 1_000_000_000n + BigInt(splitNanos), true);
    } else {
      // seconds × 1e9 + nanos < 2^62: seconds = hi × 2^16 + lo, each product below 2^47 and exact in a double.
      const high = Math.floor(splitSeconds / 65536) * 1e9;
      const low = (splitSeconds % 65536) * 1e9 + splitNanos;
      const lowWord = (high % 65536) * 65536 + low; // below 2^48: exact
      const carry = Math.floor(lowWord / 4294967296);
      this.view.setUint32(this.pos, lowWord - carry * 4294967296, true);
      this.view.setUint32(this.pos + 4, Math.floor(high / 65536) + carry, true);
    }
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

  /**
   * A length-delimited field (`field` below 16) whose content was encoded beforehand: tag, length and bytes written
   * with one room check (most string values of a span; see `protoStringValue`).
   */
  lengthDelimited(field: number, content: Uint8Array): void {
    const n = content.length;
    if (n >= 128) {
      this.tag(field, 2);
      this.varint(n);
      this.raw(content);
      return;
    }
    this.ensure(n + 2);
    const buf = this.buf;
    let at = this.pos;
    buf[at++] = (field << 3) | 2;
    buf[at++] = n;
    copyInto(buf, at, content);
    this.pos = at + n;
  }

  /** Bytes encoded beforehand, as they are. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    copyInto(this.buf, this.pos, bytes);
    this.pos += bytes.length;
  }

  /** A copy of the bytes written from `start` on. */
  copy(start: number): Uint8Array {
    return this.buf.slice(start, this.pos);
  }

  /**
   * Opens a nested message: its tag and `reserved` bytes for its length; returns where its content starts, for
   * `close` to fit the length prefix once the content is written.
   */
  open(field: number, reserved: number): number {
    this.tag(field, 2);
    this.ensure(reserved);
    this.pos += reserved;
    return this.pos;
  }

  /** Closes the message whose content started at `start` after `reserved` bytes. */
  close(start: number, reserved: number): void {
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

  /** The bytes written (a view, valid until the next write). */
  written(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

const protoWriter = new ProtoWriter();

/**
 * The AnyValue message of strings seen (`string_value` = 1), as bytes: most values repeat. The first strings seen fill
 * it and it stops growing. And the KeyValue `key` field (1) of each attribute name.
 */
const protoStrings = new Map<string, Uint8Array>();
const protoKeys = new Map<string, Uint8Array>();

function protoStringValue(w: ProtoWriter, field: number, value: string): void {
  let content = protoStrings.get(value);
  if (content === undefined) {
    if (protoStrings.size >= STRING_VALUES_MAX || value.length > STRING_VALUE_MAX_LENGTH) {
      const at = w.open(field, 1);
      w.string(1, value);
      w.close(at, 1);
      return;
    }
    const start = w.pos;
    w.string(1, value);
    content = w.copy(start);
    protoStrings.set(value, content);
    w.pos = start;
  }
  w.lengthDelimited(field, content);
}

function protoKey(w: ProtoWriter, key: string): void {
  let bytes = protoKeys.get(key);
  if (bytes === undefined) {
    const start = w.pos;
    w.string(1, key);
    bytes = w.copy(start);
    protoKeys.set(key, bytes);
    return;
  }
  w.raw(bytes);
}

function protoValue(w: ProtoWriter, field: number, value: AttributeValue | string | number | boolean): void {
  if (typeof value === 'string') {
    protoStringValue(w, field, value);
    return;
  }
  const at = w.open(field, 1);
  if (typeof value === 'number') {
    if (Number.isInteger(value)) w.int64(3, value);
    else w.double(4, value);
  } else if (typeof value === 'boolean') {
    w.tag(2, 0);
    w.varint(value ? 1 : 0);
  } else {
    const list = w.open(5, 1);
    for (let i = 0; i < value.length; i++) protoValue(w, 1, value[i]!);
    w.close(list, 1);
  }
  w.close(at, 1);
}

function protoAttributes(w: ProtoWriter, field: number, attributes: Attributes): void {
  for (const key in attributes) {
    const at = w.open(field, 1);
    protoKey(w, key);
    protoValue(w, 2, attributes[key]!);
    w.close(at, 1);
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
  for (let i = 0; i < s.events.length; i++) {
    const e = s.events[i]!;
    const at = w.open(11, 1);
    w.fixed64Nanos(1, e.time);
    w.string(2, e.name);
    protoAttributes(w, 3, e.attributes);
    w.zero(4);
    w.close(at, 1);
  }
  w.zero(12);
  w.zero(14);
  const status = w.open(15, 1);
  if (s.status.message !== null) w.string(2, s.status.message);
  w.tag(3, 0);
  w.varint(STATUS[s.status.code]);
  w.close(status, 1);
  w.fixed32(16, FLAGS);
}

/** The `resource` field (1) of a ResourceSpans, as bytes, encoded once per resource (a fleet has one per host). */
const resourceProto = new WeakMap<RoleResource, Uint8Array>();

function protoResource(w: ProtoWriter, resource: RoleResource): Uint8Array {
  let bytes = resourceProto.get(resource);
  if (bytes === undefined) {
    // Written at the end of the request being encoded, copied out, and the writer set back.
    const start = w.pos;
    const res = w.open(1, 1);
    protoAttributes(w, 1, resource.attributes);
    w.zero(2);
    w.close(res, 1);
    bytes = w.copy(start);
    w.pos = start;
    resourceProto.set(resource, bytes);
  }
  return bytes;
}

/** The `scope` field (1) of a ScopeSpans: the instrumentation scope's name. */
const PROTO_SCOPE = (() => {
  const w = new ProtoWriter();
  const scope = w.open(1, 1);
  w.string(1, SCOPE_NAME);
  w.close(scope, 1);
  return w.bytes();
})();

/** The request in OTLP's protobuf encoding. */
export function encodeOtlpProtobuf(spans: readonly SpanData[], resources: RoleResources): Uint8Array {
  // One writer for every request (encoding is synchronous, and `bytes()` copies the request out): a writer per
  // request grew a fresh buffer to the request's size each time.
  encodeOtlpProtobufInto(protoWriter, spans, resources);
  return protoWriter.bytes();
}

/** The request in OTLP's protobuf encoding written into `w`: a view of its buffer, valid until `w` is written again. */
export function encodeOtlpProtobufInto(
  w: ProtoWriter,
  spans: readonly SpanData[],
  resources: RoleResources,
): Uint8Array {
  w.pos = 0;
  for (const [resource, group] of groupByResource(spans, resources)) {
    // Guessed length prefixes: a resource's spans take a few KB (2 bytes up to 16 KB), a span under 2 KB.
    const resourceSpans = w.open(1, 3);
    w.raw(protoResource(w, resource));
    const scopeSpans = w.open(2, 3);
    w.raw(PROTO_SCOPE);
    for (let i = 0; i < group.length; i++) {
      const span = w.open(2, 2);
      protoSpan(w, group[i]!);
      w.close(span, 2);
    }
    w.close(scopeSpans, 3);
    w.close(resourceSpans, 3);
  }
  return w.written();
}
