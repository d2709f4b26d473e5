/**
 * A process with tracing on, started by tracing.test.ts: jest's module system can run neither the
 * OTLP exporter (it loads `http` through a dynamic import()) nor require hooks, so the real
 * behaviour is checked in a plain Node process. The endpoint comes from OTEL_EXPORTER_OTLP_ENDPOINT.
 */
import type * as Http from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, propagation, trace } from '@opentelemetry/api';
import pino from 'pino';
import { startTracing } from './index';

const tracing = startTracing({ serviceName: 'content', logger: pino({ level: 'warn' }) });
// Loaded only after tracing started, as a service's main.ts arranges, so the instrumentation patches it.
const http = require('node:http') as typeof Http;

async function main(): Promise<void> {
  trace.getTracer('fixture').startActiveSpan('transcode video', (span) => {
    span.setAttribute('moocflix.video_id', 'v-42');
    // What the kit's createEvent does to put the trace into an event: the test checks that the
    // propagator startTracing registers writes a W3C traceparent naming this span.
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    process.stdout.write(`${JSON.stringify({ injected: carrier })}\n`);
    span.end();
  });

  const server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await fetchOnce(`http://127.0.0.1:${port}/api/v1/videos`);
  await fetchOnce(`http://127.0.0.1:${port}/healthz`);
  await new Promise((resolve) => server.close(resolve));

  await tracing.shutdown();
}

function fetchOnce(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
