/**
 * A real OpenTelemetry SDK exporting one span to the receiver, started by receiver.test.ts in a plain
 * Node process (jest's module system cannot run the OTLP exporters: they load `http` through a dynamic
 * import()). The exporter is the SDK's own, chosen by the standard variables the test sets:
 * OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL (http/protobuf or http/json),
 * OTEL_EXPORTER_OTLP_COMPRESSION. FIXTURE_SERVICE names the service; FIXTURE_TRACEPARENT, when set,
 * makes the span a child of another process's span (as an HTTP call or a Kafka message would), and the
 * span's own traceparent is printed for the next process.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';

async function main(): Promise<void> {
  const sdk = new NodeSDK({
    serviceName: process.env.FIXTURE_SERVICE ?? 'fixture',
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  const incoming = process.env.FIXTURE_TRACEPARENT;
  const parent = incoming ? propagation.extract(ROOT_CONTEXT, { traceparent: incoming }) : ROOT_CONTEXT;
  const carrier: Record<string, string> = {};
  trace.getTracer('fixture').startActiveSpan('handle request', { kind: SpanKind.SERVER }, parent, (span) => {
    propagation.inject(context.active(), carrier);
    span.end();
  });
  await sdk.shutdown(); // flushes the batch to the receiver
  process.stdout.write(`${carrier.traceparent ?? ''}\n`);
}

void main();
