import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { trace } from '@opentelemetry/api';
import pino from 'pino';
import { startTracing } from './index';

describe('startTracing', () => {
  it('is off without an endpoint: the SDK is not even loaded, and spans are not recorded', async () => {
    jest.doMock('@opentelemetry/sdk-node', () => {
      throw new Error('the SDK must not be loaded when tracing is off');
    });
    const savedEndpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    try {
      const tracing = startTracing({ serviceName: 'users', logger: pino({ level: 'silent' }) });

      expect(tracing.enabled).toBe(false);
      expect(trace.getTracer('test').startSpan('ignored').isRecording()).toBe(false);
      await tracing.shutdown();
    } finally {
      jest.dontMock('@opentelemetry/sdk-node');
      if (savedEndpoint !== undefined) process.env.OTEL_EXPORTER_OTLP_ENDPOINT = savedEndpoint;
    }
  });

  it('exports API spans and instrumented HTTP requests over OTLP/HTTP, flushed by shutdown', async () => {
    const collector = await startFakeCollector();
    try {
      // A real Node process: see traced-process.fixture.ts for why not in jest.
      await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', join(__dirname, 'traced-process.fixture.ts')],
        {
          env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/` },
          cwd: __dirname,
          timeout: 30_000,
        },
      );

      expect(collector.received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/traces']);
      expect(collector.received[0]?.headers['content-type']).toMatch(/^application\/json/);
      const payload = JSON.parse(collector.received[0]?.body ?? '{}') as OtlpTracesPayload;
      const resourceSpans = payload.resourceSpans[0];
      expect(resourceSpans?.resource.attributes).toContainEqual({
        key: 'service.name',
        value: { stringValue: 'content' },
      });
      const spans = resourceSpans?.scopeSpans.flatMap((scope) => scope.spans) ?? [];
      expect(spans.find((s) => s.name === 'transcode video')?.attributes).toContainEqual({
        key: 'moocflix.video_id',
        value: { stringValue: 'v-42' },
      });
      // The instrumented server traced the API request but not the probe.
      const serverSpans = spans.filter((s) => s.kind === SPAN_KIND_SERVER);
      expect(serverSpans).toHaveLength(1);
      expect(JSON.stringify(serverSpans[0])).toContain('/api/v1/videos');
    } finally {
      await collector.close();
    }
  }, 60_000);
});

/** OTLP's SpanKind number for a server span. */
const SPAN_KIND_SERVER = 2;

interface OtlpTracesPayload {
  resourceSpans: Array<{
    resource: { attributes: unknown[] };
    scopeSpans: Array<{ spans: Array<{ name: string; kind: number; attributes: unknown[] }> }>;
  }>;
}

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** The smallest OTLP/HTTP receiver: records each request and answers 200 with an empty JSON body. */
async function startFakeCollector(): Promise<{
  url: string;
  received: ReceivedRequest[];
  close(): Promise<void>;
}> {
  const received: ReceivedRequest[] = [];
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
    close: () => new Promise((resolve, reject) => server.close((err) => (err ? reject(err) : resolve()))),
  };
}
