import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

/**
 * A real OTLP/HTTP trace receiver for tests: what an OpenTelemetry collector would be, minus
 * everything but `POST /v1/traces`. It listens on an ephemeral loopback port, accepts both OTLP
 * encodings (binary protobuf and JSON, optionally gzip-compressed), and keeps every span it gets in
 * one normalised shape, so a test asserts on spans the same way whichever exporter sent them.
 *
 * The protobuf side is a small hand-written wire-format reader that knows only the fields of
 * ExportTraceServiceRequest this receiver reports (opentelemetry-proto, collector/trace/v1 and
 * trace/v1); every other field is skipped, as protobuf readers must.
 */

// ---------------------------------------------------------------------------------------------
// The normalised shape

/** An attribute value as OTLP's AnyValue carries it; an AnyValue with nothing set is `null`. */
export type AttributeValue = string | number | boolean | Uint8Array | null | AttributeValue[] | Attributes;
export interface Attributes {
  [key: string]: AttributeValue;
}

export type SpanKindName = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
export type StatusCodeName = 'UNSET' | 'OK' | 'ERROR';

export interface ReceivedEvent {
  name: string;
  timeNs: bigint;
  attributes: Attributes;
}

export interface ReceivedSpan {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  name: string;
  kind: SpanKindName;
  startNs: bigint;
  endNs: bigint;
  attributes: Attributes;
  events: ReceivedEvent[];
  status: { code: StatusCodeName; message: string };
  /** W3C trace flags in the low byte (1 = sampled), plus OTLP's "is remote" bits above it. */
  flags: number;
  /** The attributes of the span's Resource (`service.name`, ...). */
  resource: Attributes;
  /** The name of the instrumentation scope (the tracer's name). */
  scope: string;
}

export interface ReceivedRequest {
  /** The media type, without parameters: `application/x-protobuf` or `application/json`. */
  contentType: string;
  /** `gzip`, or '' when the body was not compressed. */
  contentEncoding: string;
  path: string;
  spanCount: number;
  /** Why the receiver answered 400, when it did. */
  error?: string;
}

export interface OtlpReceiver {
  /** The base URL, e.g. http://127.0.0.1:PORT; exporters post to `${url}/v1/traces`. */
  url: string;
  /** Every span received since the start or the last reset(), in arrival order. */
  spans(): ReceivedSpan[];
  /** Every POST to /v1/traces since the start or the last reset(), including rejected ones. */
  requests(): ReceivedRequest[];
  /**
   * Resolves with the spans as soon as `predicate` holds: at once if it already does, else right
   * after the request that makes it hold. Rejects after `timeoutMs` with the names of the spans
   * that did arrive.
   */
  waitForSpans(predicate: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  reset(): void;
  close(): Promise<void>;
}

const TRACES_PATH = '/v1/traces';
const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
const DEFAULT_WAIT_MS = 5000;

// ---------------------------------------------------------------------------------------------
// The server

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  let received: ReceivedSpan[] = [];
  let requests: ReceivedRequest[] = [];
  const waiters = new Set<Waiter>();

  function notifyWaiters(): void {
    for (const waiter of [...waiters]) if (waiter.check(received)) waiters.delete(waiter);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0] ?? '';
    if (path !== TRACES_PATH) return answerText(res, 404, `only POST ${TRACES_PATH} is served here`);
    if (req.method !== 'POST') return answerText(res, 405, `${TRACES_PATH} takes POST`);

    const contentType = mediaType(req.headers['content-type']);
    if (contentType !== PROTOBUF && contentType !== JSON_TYPE) {
      return answerText(res, 415, `Content-Type must be ${PROTOBUF} or ${JSON_TYPE}, got "${contentType}"`);
    }
    const contentEncoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (contentEncoding !== '' && contentEncoding !== 'gzip') {
      return answerText(res, 415, `Content-Encoding must be gzip or absent, got "${contentEncoding}"`);
    }

    const request: ReceivedRequest = { contentType, contentEncoding, path, spanCount: 0 };
    requests.push(request);
    let spans: ReceivedSpan[];
    try {
      const body = await readBody(req, contentEncoding);
      spans = normaliseRequest(contentType === PROTOBUF ? decodeExportRequest(body) : parseJsonRequest(body));
    } catch (error) {
      request.error = error instanceof Error ? error.message : String(error);
      return answerText(res, 400, request.error);
    }
    // Stored before answering: an exporter's export (and a test's forceFlush) completes on the
    // response, and a test reading spans() right after it must see them.
    request.spanCount = spans.length;
    received.push(...spans);
    notifyWaiters();
    answerEmptyResponse(res, contentType);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => answerText(res, 500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    spans: () => [...received],
    requests: () => requests.map((request) => ({ ...request })),
    waitForSpans(predicate, timeoutMs = DEFAULT_WAIT_MS) {
      const now = [...received];
      if (predicate(now)) return Promise.resolve(now);
      return new Promise((resolve, reject) => {
        const waiter = createWaiter(predicate, timeoutMs, resolve, reject, () => {
          waiters.delete(waiter);
          return [...received];
        });
        waiters.add(waiter);
      });
    },
    reset() {
      received = [];
      requests = [];
    },
    async close() {
      for (const waiter of waiters) waiter.fail(new Error('the OTLP receiver was closed while waiting for spans'));
      waiters.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Exporters keep their connection alive between exports; close() alone would wait for it.
      server.closeAllConnections();
      await closed;
    },
  };
}

/** One pending waitForSpans(): checked after every accepted request until it holds or times out. */
interface Waiter {
  /** True when the waiter is finished (resolved, or rejected because its predicate threw). */
  check(spans: ReceivedSpan[]): boolean;
  fail(error: Error): void;
}

function createWaiter(
  predicate: (spans: ReceivedSpan[]) => boolean,
  timeoutMs: number,
  resolve: (spans: ReceivedSpan[]) => void,
  reject: (error: Error) => void,
  giveUp: () => ReceivedSpan[],
): Waiter {
  const timer = setTimeout(() => {
    const spans = giveUp();
    const names = spans.map((span) => `"${span.name}" (${span.kind})`).join(', ') || 'none';
    reject(new Error(`waitForSpans: the predicate did not hold within ${timeoutMs} ms; ${spans.length} span(s) received: ${names}`));
  }, timeoutMs);
  return {
    check(spans) {
      try {
        if (!predicate([...spans])) return false;
        clearTimeout(timer);
        resolve([...spans]);
      } catch (error) {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
      return true;
    },
    fail(error) {
      clearTimeout(timer);
      reject(error);
    },
  };
}

/** `application/json; charset=utf-8` → `application/json`. */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

async function readBody(req: IncomingMessage, contentEncoding: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  return contentEncoding === 'gzip' ? promisify(gunzip)(body) : body;
}

/** An empty ExportTraceServiceResponse in the request's encoding: zero bytes in protobuf, `{}` in JSON. */
function answerEmptyResponse(res: ServerResponse, contentType: string): void {
  res.writeHead(200, { 'Content-Type': contentType });
  res.end(contentType === JSON_TYPE ? '{}' : undefined);
}

function answerText(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
  res.end(message);
}

// ---------------------------------------------------------------------------------------------
// OTLP/JSON: the request as JSON carries it. The protobuf decoder builds this same shape, so one
// normaliser serves both encodings. Every field is optional, as in proto3.

interface JsonRequest {
  resourceSpans?: JsonResourceSpans[];
}
interface JsonResourceSpans {
  resource?: { attributes?: JsonKeyValue[] };
  scopeSpans?: JsonScopeSpans[];
}
interface JsonScopeSpans {
  scope?: { name?: string };
  spans?: JsonSpan[];
}
interface JsonSpan {
  traceId?: string;
  spanId?: string;
  traceState?: string;
  parentSpanId?: string;
  name?: string;
  /** An enum: an integer, though proto3 JSON also allows the name (`SPAN_KIND_SERVER`). */
  kind?: number | string;
  /** int64 (fixed64): a decimal string, or a number from a lax encoder. */
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: JsonKeyValue[];
  events?: JsonEvent[];
  status?: { message?: string; code?: number | string };
  flags?: number;
}
interface JsonEvent {
  timeUnixNano?: string | number;
  name?: string;
  attributes?: JsonKeyValue[];
}
interface JsonKeyValue {
  key?: string;
  value?: JsonAnyValue;
}
interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  /** A number, or "NaN" / "Infinity" / "-Infinity" as proto3 JSON writes those. */
  doubleValue?: number | string;
  arrayValue?: { values?: JsonAnyValue[] };
  kvlistValue?: { values?: JsonKeyValue[] };
  /** base64, as proto3 JSON writes bytes. */
  bytesValue?: string;
}

function parseJsonRequest(body: Buffer): JsonRequest {
  const parsed: unknown = JSON.parse(body.toString('utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('an OTLP/JSON body must be an ExportTraceServiceRequest object');
  }
  // Trusted as the shape from here: ids, enums and int64s are checked as they are normalised, and
  // anything else malformed throws there, which is a 400 all the same.
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// Normalising

const SPAN_KINDS: readonly SpanKindName[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_CODES: readonly StatusCodeName[] = ['UNSET', 'OK', 'ERROR'];

function normaliseRequest(request: JsonRequest): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = normaliseAttributes(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      const scope = scopeSpans.scope?.name ?? '';
      for (const span of scopeSpans.spans ?? []) spans.push(normaliseSpan(span, resource, scope));
    }
  }
  return spans;
}

function normaliseSpan(span: JsonSpan, resource: Attributes, scope: string): ReceivedSpan {
  return {
    traceId: hexId(span.traceId, 16, 'traceId'),
    spanId: hexId(span.spanId, 8, 'spanId'),
    parentSpanId: span.parentSpanId ? hexId(span.parentSpanId, 8, 'parentSpanId') : '',
    traceState: span.traceState ?? '',
    name: span.name ?? '',
    kind: enumName(span.kind, SPAN_KINDS, 'SPAN_KIND_', 'kind'),
    startNs: int64(span.startTimeUnixNano),
    endNs: int64(span.endTimeUnixNano),
    attributes: normaliseAttributes(span.attributes),
    events: (span.events ?? []).map((event) => ({
      name: event.name ?? '',
      timeNs: int64(event.timeUnixNano),
      attributes: normaliseAttributes(event.attributes),
    })),
    status: {
      code: enumName(span.status?.code, STATUS_CODES, 'STATUS_CODE_', 'status.code'),
      message: span.status?.message ?? '',
    },
    flags: span.flags ?? 0,
    resource,
    scope,
  };
}

/** OTLP/JSON writes ids as hex (not base64, unlike other bytes fields); an id is required to be one. */
function hexId(value: string | undefined, byteLength: number, field: string): string {
  const digits = byteLength * 2;
  if (typeof value !== 'string' || !new RegExp(`^[0-9a-fA-F]{${digits}}$`).test(value)) {
    throw new Error(`${field} must be ${digits} hex digits, got ${JSON.stringify(value)}`);
  }
  return value.toLowerCase();
}

function enumName<T extends string>(value: number | string | undefined, names: readonly T[], prefix: string, field: string): T {
  const name = typeof value === 'string' ? (value.startsWith(prefix) ? value.slice(prefix.length) : value) : names[value ?? 0];
  const known = names.find((candidate) => candidate === name);
  if (known === undefined) throw new Error(`unknown ${field} ${JSON.stringify(value)}`);
  return known;
}

function int64(value: string | number | undefined): bigint {
  // BigInt() rejects a fractional number or a non-numeric string, which is what a malformed int64 is.
  return BigInt(value ?? 0);
}

function normaliseAttributes(keyValues: JsonKeyValue[] | undefined): Attributes {
  const attributes: Attributes = {};
  for (const { key, value } of keyValues ?? []) attributes[key ?? ''] = normaliseValue(value);
  return attributes;
}

function normaliseValue(value: JsonAnyValue | undefined): AttributeValue {
  if (value === undefined) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  // An int64 beyond 2^53 loses precision as a number; the JavaScript SDK only ever sends numbers.
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return Number(value.doubleValue);
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(normaliseValue);
  if (value.kvlistValue !== undefined) return normaliseAttributes(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return new Uint8Array(Buffer.from(value.bytesValue, 'base64'));
  return null;
}

// ---------------------------------------------------------------------------------------------
// Protobuf: a wire-format reader, then one decoder per message, each a switch on field numbers.
// Field numbers are opentelemetry-proto's (trace/v1/trace.proto, common/v1/common.proto,
// resource/v1/resource.proto, collector/trace/v1/trace_service.proto).

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;
const WIRE_TYPE_NAMES: Record<number, string> = { 0: 'varint', 1: '64-bit', 2: 'length-delimited', 5: '32-bit' };

/** One field of a message as it sits on the wire: a varint's value, or the raw bytes of the rest. */
interface WireField {
  number: number;
  wireType: number;
  varint: bigint;
  bytes: Uint8Array;
}

/** Splits one message's bytes into its fields, in order; repeated fields simply appear again. */
function readFields(bytes: Uint8Array): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;

  function take(length: number): Uint8Array {
    if (pos + length > bytes.length) throw new Error(`protobuf: truncated message (wanted ${length} bytes at offset ${pos})`);
    const slice = bytes.subarray(pos, pos + length);
    pos += length;
    return slice;
  }

  // Base-128, least significant group first; a bigint because uint64/int64 need all 64 bits.
  function readVarint(): bigint {
    let value = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const byte = take(1)[0]!;
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new Error('protobuf: varint longer than 10 bytes');
  }

  while (pos < bytes.length) {
    const key = readVarint();
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (number === 0) throw new Error(`protobuf: field number 0 at offset ${pos}`);
    const field: WireField = { number, wireType, varint: 0n, bytes: new Uint8Array(0) };
    if (wireType === WIRE_VARINT) field.varint = readVarint();
    else if (wireType === WIRE_I64) field.bytes = take(8);
    else if (wireType === WIRE_LEN) field.bytes = take(Number(readVarint()));
    else if (wireType === WIRE_I32) field.bytes = take(4);
    // 3 and 4 are the start and end of a group, deprecated since proto2 and absent from OTLP.
    else throw new Error(`protobuf: unsupported wire type ${wireType} for field ${number}`);
    fields.push(field);
  }
  return fields;
}

/** A field number with the wrong wire type means the decoder's idea of the schema is wrong: say so. */
function expectWireType(field: WireField, wireType: number): void {
  if (field.wireType !== wireType) {
    const got = WIRE_TYPE_NAMES[field.wireType] ?? String(field.wireType);
    throw new Error(`protobuf: field ${field.number} is ${got}, expected ${WIRE_TYPE_NAMES[wireType]}`);
  }
}

function messageOf(field: WireField): WireField[] {
  expectWireType(field, WIRE_LEN);
  return readFields(field.bytes);
}

function stringOf(field: WireField): string {
  expectWireType(field, WIRE_LEN);
  return Buffer.from(field.bytes).toString('utf8');
}

function hexOf(field: WireField): string {
  expectWireType(field, WIRE_LEN);
  return Buffer.from(field.bytes).toString('hex');
}

function varintOf(field: WireField): bigint {
  expectWireType(field, WIRE_VARINT);
  return field.varint;
}

function littleEndian(field: WireField, wireType: number): DataView {
  expectWireType(field, wireType);
  return new DataView(field.bytes.buffer, field.bytes.byteOffset, field.bytes.byteLength);
}

const fixed64Of = (field: WireField): bigint => littleEndian(field, WIRE_I64).getBigUint64(0, true);
const doubleOf = (field: WireField): number => littleEndian(field, WIRE_I64).getFloat64(0, true);
const fixed32Of = (field: WireField): number => littleEndian(field, WIRE_I32).getUint32(0, true);

/** ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; } */
function decodeExportRequest(bytes: Uint8Array): JsonRequest {
  const resourceSpans: JsonResourceSpans[] = [];
  for (const field of readFields(bytes)) if (field.number === 1) resourceSpans.push(decodeResourceSpans(messageOf(field)));
  return { resourceSpans };
}

/** ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; } */
function decodeResourceSpans(fields: WireField[]): JsonResourceSpans {
  const result: JsonResourceSpans = { scopeSpans: [] };
  for (const field of fields) {
    if (field.number === 1) result.resource = { attributes: decodeResourceAttributes(messageOf(field)) };
    else if (field.number === 2) result.scopeSpans!.push(decodeScopeSpans(messageOf(field)));
  }
  return result;
}

/** Resource { repeated KeyValue attributes = 1; } */
function decodeResourceAttributes(fields: WireField[]): JsonKeyValue[] {
  return fields.filter((field) => field.number === 1).map((field) => decodeKeyValue(messageOf(field)));
}

/** ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; } with InstrumentationScope { string name = 1; } */
function decodeScopeSpans(fields: WireField[]): JsonScopeSpans {
  const result: JsonScopeSpans = { spans: [] };
  for (const field of fields) {
    if (field.number === 1) {
      const name = messageOf(field).find((scopeField) => scopeField.number === 1);
      result.scope = { name: name ? stringOf(name) : '' };
    } else if (field.number === 2) result.spans!.push(decodeSpan(messageOf(field)));
  }
  return result;
}

/**
 * Span { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
 * string name = 5; SpanKind kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
 * repeated KeyValue attributes = 9; repeated Event events = 11; Status status = 15; fixed32 flags = 16; }
 */
function decodeSpan(fields: WireField[]): JsonSpan {
  const span: JsonSpan = { attributes: [], events: [] };
  for (const field of fields) {
    switch (field.number) {
      case 1: span.traceId = hexOf(field); break;
      case 2: span.spanId = hexOf(field); break;
      case 3: span.traceState = stringOf(field); break;
      case 4: span.parentSpanId = hexOf(field); break;
      case 5: span.name = stringOf(field); break;
      case 6: span.kind = Number(varintOf(field)); break;
      case 7: span.startTimeUnixNano = fixed64Of(field).toString(); break;
      case 8: span.endTimeUnixNano = fixed64Of(field).toString(); break;
      case 9: span.attributes!.push(decodeKeyValue(messageOf(field))); break;
      case 11: span.events!.push(decodeEvent(messageOf(field))); break;
      case 15: span.status = decodeStatus(messageOf(field)); break;
      case 16: span.flags = fixed32Of(field); break;
      default: break; // dropped counts, links: not reported
    }
  }
  return span;
}

/** Span.Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; } */
function decodeEvent(fields: WireField[]): JsonEvent {
  const event: JsonEvent = { attributes: [] };
  for (const field of fields) {
    if (field.number === 1) event.timeUnixNano = fixed64Of(field).toString();
    else if (field.number === 2) event.name = stringOf(field);
    else if (field.number === 3) event.attributes!.push(decodeKeyValue(messageOf(field)));
  }
  return event;
}

/** Status { string message = 2; StatusCode code = 3; } (field 1 is reserved) */
function decodeStatus(fields: WireField[]): { message?: string; code?: number } {
  const status: { message?: string; code?: number } = {};
  for (const field of fields) {
    if (field.number === 2) status.message = stringOf(field);
    else if (field.number === 3) status.code = Number(varintOf(field));
  }
  return status;
}

/** KeyValue { string key = 1; AnyValue value = 2; } */
function decodeKeyValue(fields: WireField[]): JsonKeyValue {
  const keyValue: JsonKeyValue = {};
  for (const field of fields) {
    if (field.number === 1) keyValue.key = stringOf(field);
    else if (field.number === 2) keyValue.value = decodeAnyValue(messageOf(field));
  }
  return keyValue;
}

/**
 * AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
 * double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
 * ArrayValue { repeated AnyValue values = 1; } and KeyValueList { repeated KeyValue values = 1; }
 */
function decodeAnyValue(fields: WireField[]): JsonAnyValue {
  const value: JsonAnyValue = {};
  // A oneof: the last member on the wire wins, which is what assigning in order gives.
  for (const field of fields) {
    switch (field.number) {
      case 1: value.stringValue = stringOf(field); break;
      case 2: value.boolValue = varintOf(field) !== 0n; break;
      // int64 is two's complement in ten varint bytes when negative.
      case 3: value.intValue = BigInt.asIntN(64, varintOf(field)).toString(); break;
      case 4: value.doubleValue = doubleOf(field); break;
      case 5: value.arrayValue = { values: valuesOf(messageOf(field)).map((item) => decodeAnyValue(messageOf(item))) }; break;
      case 6: value.kvlistValue = { values: valuesOf(messageOf(field)).map((item) => decodeKeyValue(messageOf(item))) }; break;
      case 7: expectWireType(field, WIRE_LEN); value.bytesValue = Buffer.from(field.bytes).toString('base64'); break;
      default: break;
    }
  }
  return value;
}

/** The `repeated ... values = 1` of ArrayValue and KeyValueList. */
function valuesOf(fields: WireField[]): WireField[] {
  return fields.filter((field) => field.number === 1);
}
