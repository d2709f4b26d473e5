import { context, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * Test support, not a test file (event-tracing.test.ts and event-tracing.int.test.ts use it): a real
 * OpenTelemetry SDK registered globally the way a service's NodeSDK registers it — tracer provider,
 * AsyncLocalStorage context manager, W3C trace-context propagator — exporting synchronously to
 * memory, so a test reads every ended span. The SDK comes from the lockfile through the telemetry
 * package; the bus itself depends on the API only.
 */
export interface RecordingTracer {
  /** Ended spans so far, oldest first. */
  spans(): ReadableSpan[];
  /** Unregisters everything it registered, so the rest of the run is untraced again. */
  stop(): Promise<void>;
}

export function startRecordingTracer(): RecordingTracer {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  provider.register();
  return {
    spans: () => exporter.getFinishedSpans(),
    async stop() {
      trace.disable();
      context.disable();
      propagation.disable();
      await provider.shutdown();
    },
  };
}

/** `00-<trace id>-<span id>-<flags>`, split; undefined when the header is missing or not W3C. */
export function parseTraceparent(
  header: string | undefined,
): { traceId: string; spanId: string } | undefined {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(header ?? '');
  return match ? { traceId: match[1]!, spanId: match[2]! } : undefined;
}
