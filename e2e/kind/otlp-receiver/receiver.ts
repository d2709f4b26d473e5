/**
 * A tiny OTLP/HTTP trace receiver for the kind e2e's trace check (issue 14 §4.4): the services export
 * to it (`global.tracing.otlpEndpoint: http://otlp:4318`), and the e2e asks it which services' spans
 * share one trace id. An OpenTelemetry collector could do the receiving, but not the answering: it
 * has no query API, and its image cannot be had without a registry.
 *
 *   POST   /v1/traces   an ExportTraceServiceRequest, as application/x-protobuf or application/json,
 *                       optionally gzip-encoded; answered like a collector does (an empty success)
 *   GET    /traces      {"traces":[{"traceId","services":[...],"spans":[{spanId,parentSpanId,name,kind,serviceName}]}]}
 *                       (?traceId=<hex> for one trace)
 *   DELETE /traces      forgets every span (between e2e checks)
 *   GET    /exports     the last 1000 accepted exports: content type, encoding, span count
 *   GET    /healthz     200 once listening (the readiness probe)
 *
 * Only the fields the check reads are decoded. The protobuf side is a small wire-format reader rather
 * than a protobuf library, so the image is Node.js and this one file: no node_modules. Its unit test
 * feeds it the real OTLP exporters (JSON and protobuf) to prove the two decoders agree.
 *
 * Self-contained on purpose (node: imports only, erasable TypeScript only): build.mjs strips the types
 * with Node's own `module.stripTypeScriptTypes` when the image is built, and the image runs the result
 * as an ES module (no tsc, no tsx, no npm in the image).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** OTLP's SpanKind number (1 internal, 2 server, 3 client, 4 producer, 5 consumer). */
  kind: number;
  /** The resource's service.name attribute. */
  serviceName: string | undefined;
}

export interface TraceSummary {
  traceId: string;
  /** The distinct service.names of the trace's spans, sorted. */
  services: string[];
  spans: ReceivedSpan[];
}

/** One accepted POST /v1/traces, for logs and tests. */
export interface ReceivedExport {
  contentType: string;
  contentEncoding: string;
  spans: number;
}

export interface OtlpReceiver {
  /** Base URL, e.g. for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  server: Server;
  spans(): ReceivedSpan[];
  exports(): ReceivedExport[];
  close(): Promise<void>;
}

export interface ReceiverOptions {
  port?: number;
  host?: string;
  /** Oldest spans are dropped beyond this many, so a long e2e cannot grow the pod without bound. */
  maxSpans?: number;
  /** Request bodies above this size are refused (413), as a collector's limit would. */
  maxBodyBytes?: number;
}

// ---- OTLP/JSON ----------------------------------------------------------------------------------

interface JsonAnyValue {
  stringValue?: string;
}
interface JsonTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: Array<{ key?: string; value?: JsonAnyValue }> };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId?: string;
        spanId?: string;
        parentSpanId?: string;
        name?: string;
        kind?: number | string;
      }>;
    }>;
  }>;
}

// The OTLP/JSON mapping: SpanKind may be written as its number or as its enum name.
const KIND_NAMES = [
  'SPAN_KIND_UNSPECIFIED',
  'SPAN_KIND_INTERNAL',
  'SPAN_KIND_SERVER',
  'SPAN_KIND_CLIENT',
  'SPAN_KIND_PRODUCER',
  'SPAN_KIND_CONSUMER',
];

/** OTLP/JSON writes trace and span ids as hex (not base64, unlike protobuf's JSON mapping). */
export function decodeJsonTraces(body: string): ReceivedSpan[] {
  const request = JSON.parse(body) as JsonTraces;
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const serviceAttribute = resourceSpans.resource?.attributes?.find((a) => a.key === 'service.name');
    const serviceName = serviceAttribute?.value?.stringValue;
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: (span.traceId ?? '').toLowerCase(),
          spanId: (span.spanId ?? '').toLowerCase(),
          parentSpanId: (span.parentSpanId ?? '').toLowerCase(),
          name: span.name ?? '',
          kind: typeof span.kind === 'string' ? Math.max(0, KIND_NAMES.indexOf(span.kind)) : (span.kind ?? 0),
          serviceName,
        });
      }
    }
  }
  return spans;
}

// ---- OTLP/protobuf ------------------------------------------------------------------------------
// Field numbers from opentelemetry-proto (collector/trace/v1, trace/v1, resource/v1, common/v1):
//   ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
//   ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
//   Resource      { repeated KeyValue attributes = 1; }
//   KeyValue      { string key = 1; AnyValue value = 2; }    AnyValue { string string_value = 1; ... }
//   ScopeSpans    { InstrumentationScope scope = 1; repeated Span spans = 2; }
//   Span          { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
//                   string name = 5; SpanKind kind = 6; ... }

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

interface Field {
  number: number;
  wireType: number;
  /** Set for varints. */
  varint: number;
  /** Set for length-delimited fields (bytes, strings, messages). */
  bytes: Uint8Array;
}

/** The fields of one message, in order; unknown fields are read past like any other. */
function* fields(message: Uint8Array): Generator<Field> {
  let offset = 0;
  const varint = (): number => {
    let value = 0;
    let factor = 1;
    for (;;) {
      if (offset >= message.length) throw new Error('truncated protobuf varint');
      const byte = message[offset++] as number;
      value += (byte & 0x7f) * factor; // multiplication, not <<: a varint may exceed 32 bits
      if (byte < 0x80) return value;
      factor *= 128;
    }
  };
  while (offset < message.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wireType = key % 8;
    const empty = new Uint8Array(0);
    if (wireType === WIRE_VARINT) {
      yield { number, wireType, varint: varint(), bytes: empty };
    } else if (wireType === WIRE_LEN) {
      const length = varint();
      if (offset + length > message.length) throw new Error('truncated protobuf field');
      const bytes = message.subarray(offset, offset + length);
      offset += length;
      yield { number, wireType, varint: 0, bytes };
    } else if (wireType === WIRE_I64 || wireType === WIRE_I32) {
      offset += wireType === WIRE_I64 ? 8 : 4;
      if (offset > message.length) throw new Error('truncated protobuf fixed field');
    } else {
      throw new Error(`unsupported protobuf wire type ${wireType}`);
    }
  }
}

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function serviceNameOf(resource: Uint8Array): string | undefined {
  let serviceName: string | undefined;
  for (const attribute of fields(resource)) {
    if (attribute.number !== 1 || attribute.wireType !== WIRE_LEN) continue;
    let key = '';
    let value: string | undefined;
    for (const field of fields(attribute.bytes)) {
      if (field.number === 1 && field.wireType === WIRE_LEN) key = text(field.bytes);
      if (field.number === 2 && field.wireType === WIRE_LEN) {
        for (const any of fields(field.bytes)) {
          if (any.number === 1 && any.wireType === WIRE_LEN) value = text(any.bytes);
        }
      }
    }
    if (key === 'service.name') serviceName = value;
  }
  return serviceName;
}

function decodeSpan(message: Uint8Array, serviceName: string | undefined): ReceivedSpan {
  const span: ReceivedSpan = { traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, serviceName };
  for (const field of fields(message)) {
    if (field.number === 1 && field.wireType === WIRE_LEN) span.traceId = hex(field.bytes);
    else if (field.number === 2 && field.wireType === WIRE_LEN) span.spanId = hex(field.bytes);
    else if (field.number === 4 && field.wireType === WIRE_LEN) span.parentSpanId = hex(field.bytes);
    else if (field.number === 5 && field.wireType === WIRE_LEN) span.name = text(field.bytes);
    else if (field.number === 6 && field.wireType === WIRE_VARINT) span.kind = field.varint;
  }
  return span;
}

export function decodeProtobufTraces(body: Uint8Array): ReceivedSpan[] {
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of fields(body)) {
    if (resourceSpans.number !== 1 || resourceSpans.wireType !== WIRE_LEN) continue;
    // The resource may come after the scope spans on the wire: read it first.
    let serviceName: string | undefined;
    for (const field of fields(resourceSpans.bytes)) {
      if (field.number === 1 && field.wireType === WIRE_LEN) serviceName = serviceNameOf(field.bytes);
    }
    for (const scopeSpans of fields(resourceSpans.bytes)) {
      if (scopeSpans.number !== 2 || scopeSpans.wireType !== WIRE_LEN) continue;
      for (const span of fields(scopeSpans.bytes)) {
        if (span.number === 2 && span.wireType === WIRE_LEN) spans.push(decodeSpan(span.bytes, serviceName));
      }
    }
  }
  return spans;
}

// ---- the HTTP server ----------------------------------------------------------------------------

export function summarize(spans: ReceivedSpan[]): TraceSummary[] {
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const span of spans) {
    const trace = byTrace.get(span.traceId) ?? [];
    trace.push(span);
    byTrace.set(span.traceId, trace);
  }
  return [...byTrace].map(([traceId, traceSpans]) => ({
    traceId,
    services: [
      ...new Set(traceSpans.flatMap((s) => (s.serviceName === undefined ? [] : [s.serviceName]))),
    ].sort(),
    spans: traceSpans,
  }));
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new HttpError(413, `body over ${maxBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startOtlpReceiver(options: ReceiverOptions = {}): Promise<OtlpReceiver> {
  const maxSpans = options.maxSpans ?? 100_000;
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1024 * 1024;
  let stored: ReceivedSpan[] = [];
  const accepted: ReceivedExport[] = [];

  async function receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = await readBody(req, maxBodyBytes);
    const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'gzip') body = gunzipSync(body, { maxOutputLength: maxBodyBytes });
    else if (encoding !== 'identity') throw new HttpError(415, `content-encoding ${encoding} not supported`);
    const contentType =
      String(req.headers['content-type'] ?? '')
        .split(';')[0]
        ?.trim()
        .toLowerCase() ?? '';
    let spans: ReceivedSpan[];
    try {
      if (contentType === 'application/json') spans = decodeJsonTraces(body.toString('utf8'));
      else if (contentType === 'application/x-protobuf') spans = decodeProtobufTraces(body);
      else throw new HttpError(415, `content-type ${contentType || '(none)'} not supported`);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, `undecodable trace export: ${(error as Error).message}`);
    }
    stored.push(...spans);
    if (stored.length > maxSpans) stored = stored.slice(stored.length - maxSpans);
    const received = { contentType, contentEncoding: encoding, spans: spans.length };
    accepted.push(received);
    if (accepted.length > 1000) accepted.shift();
    console.log(JSON.stringify({ msg: 'spans received', ...received, stored: stored.length }));
    // A collector answers an ExportTraceServiceResponse with no partial_success: empty in either encoding.
    if (contentType === 'application/json') sendJson(res, 200, {});
    else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  }

  function route(req: IncomingMessage, res: ServerResponse): Promise<void> | void {
    const url = new URL(req.url ?? '/', 'http://receiver');
    if (url.pathname === '/v1/traces' && req.method === 'POST') return receive(req, res);
    if (url.pathname === '/exports' && req.method === 'GET') return sendJson(res, 200, { exports: accepted });
    if (url.pathname === '/traces' && req.method === 'GET') {
      const traceId = url.searchParams.get('traceId')?.toLowerCase();
      const traces = summarize(traceId ? stored.filter((s) => s.traceId === traceId) : stored);
      return sendJson(res, 200, { traces });
    }
    if (url.pathname === '/traces' && req.method === 'DELETE') {
      stored = [];
      accepted.length = 0;
      return sendJson(res, 200, {});
    }
    if (url.pathname === '/healthz' && req.method === 'GET') return sendJson(res, 200, { status: 'ok' });
    throw new HttpError(404, `no route for ${req.method} ${url.pathname}`);
  }

  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => route(req, res))
      .catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        console.error(JSON.stringify({ msg: 'request failed', status, error: String(error) }));
        if (!res.headersSent) sendJson(res, status, { error: (error as Error).message });
        else res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    server,
    spans: () => [...stored],
    exports: () => [...accepted],
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}

/** The image's entry point: PORT (4318, OTLP/HTTP's port) on every interface; SIGTERM stops it. */
export async function main(): Promise<void> {
  const receiver = await startOtlpReceiver({ port: Number(process.env.PORT ?? 4318), host: '0.0.0.0' });
  console.log(JSON.stringify({ msg: 'OTLP/HTTP receiver listening', url: receiver.url }));
  const stop = () => {
    // Keep-alive connections from the exporters would hold close() open: end them.
    receiver.server.closeAllConnections();
    void receiver.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
