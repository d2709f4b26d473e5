import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { trace } from '@opentelemetry/api';
import pino from 'pino';
import { SPAN_KIND_SERVER, startOtlpReceiver } from '@moocflix/platform-testing';
import { startTracing } from './index';

describe('startTracing', () => {
  it('is off without an endpoint: the SDK is not even loaded, and spans are not recorded', async () => {
    jest.doMock('@opentelemetry/sdk-trace-node', () => {
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
      jest.dontMock('@opentelemetry/sdk-trace-node');
      if (savedEndpoint !== undefined) process.env.OTEL_EXPORTER_OTLP_ENDPOINT = savedEndpoint;
    }
  });

  it('exports API spans and instrumented HTTP requests over OTLP/HTTP, flushed by shutdown', async () => {
    const collector = await startOtlpReceiver();
    try {
      // A real Node process: see traced-process.fixture.ts for why not in jest.
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', join(__dirname, 'traced-process.fixture.ts')],
        {
          env: {
            ...process.env,
            OTEL_EXPORTER_OTLP_ENDPOINT: `${collector.url}/`,
            // The standard resource variable is honoured, but the service name given in code wins.
            OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=tracing-test,service.name=overridden',
          },
          cwd: __dirname,
          timeout: 30_000,
        },
      );

      expect(collector.received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /v1/traces']);
      expect(collector.received[0]?.headers['content-type']).toMatch(/^application\/json/);
      const spans = collector.spans();
      expect(new Set(spans.map((s) => s.serviceName))).toEqual(new Set(['content']));
      const resource = (
        JSON.parse(collector.received[0]?.body ?? '{}') as {
          resourceSpans?: Array<{
            resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
          }>;
        }
      ).resourceSpans?.[0]?.resource.attributes;
      const attribute = (key: string) => resource?.find((a) => a.key === key)?.value.stringValue;
      expect(attribute('deployment.environment.name')).toBe('tracing-test');
      expect(attribute('telemetry.sdk.language')).toBe('nodejs');
      expect(attribute('process.runtime.name')).toBe('nodejs');
      const transcode = spans.find((s) => s.name === 'transcode video');
      expect(transcode?.attributes).toContainEqual({
        key: 'moocflix.video_id',
        value: { stringValue: 'v-42' },
      });
      // The W3C propagator is registered: the traceparent injected inside the span names it (sampled),
      // which is what events carry across the outbox and the bus (platform-bus event-tracing.ts).
      // Its own line: pino shares stdout with it.
      const line = stdout.split('\n').find((l) => l.startsWith('{"injected"')) ?? '{}';
      const { injected } = JSON.parse(line) as { injected?: Record<string, string> };
      expect(injected?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      // OTLP/JSON has the span id too; platform-testing's OtlpSpan only types what other tests read.
      const spanId = (transcode as { spanId?: string } | undefined)?.spanId;
      expect(injected?.traceparent).toBe(`00-${transcode?.traceId}-${spanId}-01`);
      // The instrumented server traced the API request but not the probe.
      const serverSpans = spans.filter((s) => s.kind === SPAN_KIND_SERVER);
      expect(serverSpans).toHaveLength(1);
      expect(JSON.stringify(serverSpans[0])).toContain('/api/v1/videos');
    } finally {
      await collector.close();
    }
  }, 60_000);
});
