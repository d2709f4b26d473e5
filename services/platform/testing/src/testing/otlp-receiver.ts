import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One OTLP/HTTP request as received. */
export interface ReceivedOtlpRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The parts of an OTLP/JSON span the tests look at. */
export interface OtlpSpan {
  traceId: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

interface OtlpTracesPayload {
  resourceSpans?: Array<{
    resource: { attributes: Array<{ key: string; value: Record<string, unknown> }> };
    scopeSpans: Array<{ spans: OtlpSpan[] }>;
  }>;
}

/** OTLP's SpanKind numbers. */
export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;

export interface OtlpReceiver {
  /** Base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  received: ReceivedOtlpRequest[];
  /** Every span of every JSON trace export received so far, with its resource's service.name. */
  spans(): Array<OtlpSpan & { serviceName: string | undefined }>;
  close(): Promise<void>;
}

/**
 * The smallest OTLP/HTTP trace receiver, for tests that count what a process exports: records each
 * request and answers 200 with an empty JSON body (what a collector answers on success).
 */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const received: ReceivedOtlpRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    spans: () =>
      received
        .filter((r) => r.url === '/v1/traces' && /^application\/json/.test(String(r.headers['content-type'])))
        .flatMap((r) => (JSON.parse(r.body) as OtlpTracesPayload).resourceSpans ?? [])
        .flatMap((rs) => {
          const name = rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
          return rs.scopeSpans.flatMap((scope) =>
            scope.spans.map((span) => ({
              ...span,
              serviceName: typeof name === 'string' ? name : undefined,
            })),
          );
        }),
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
