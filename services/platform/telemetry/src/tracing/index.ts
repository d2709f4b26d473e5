import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';

export interface TracingOptions {
  /** Becomes the `service.name` resource attribute (overrides OTEL_SERVICE_NAME). */
  serviceName: string;
  /**
   * The OTLP/HTTP base URL of a collector, e.g. `http://otel-collector:4318`; traces go to
   * `<endpoint>/v1/traces`. Unset → OTEL_EXPORTER_OTLP_ENDPOINT; unset too → tracing stays off.
   */
  endpoint?: string | undefined;
  logger: Logger;
}

export interface TracingHandle {
  readonly enabled: boolean;
  /** Exports the spans still buffered, then stops; call it last on shutdown. */
  shutdown(): Promise<void>;
}

/** Kubelet probes and Prometheus scrapes hit these every few seconds; as traces they are only noise. */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * OpenTelemetry tracing over OTLP/HTTP, on only when a collector endpoint is configured. Off, it
 * loads none of the SDK (tens of MB of modules), so `make dev` and tests pay nothing.
 *
 * Instrumentation works by patching modules as they are `require`d, so this must run BEFORE
 * express, pg, kafkajs (and the kit modules that import them) are loaded — patching a module that
 * is already in the require cache does nothing. A service's main.ts therefore starts with a
 * side-effect import of a small file that calls it, ahead of every other import (CommonJS runs
 * `require`s in source order):
 *
 *   // src/instrument.ts
 *   import { startTracing } from '@moocflix/platform-telemetry/tracing';
 *   import { createLogger } from '@moocflix/platform-core/log';
 *   export const tracing = startTracing({ serviceName: 'content', logger: createLogger('content') });
 *
 *   // src/main.ts
 *   import { tracing } from './instrument'; // first import
 *   import { runStandalone } from '@moocflix/platform-runtime';
 *
 * and passes `tracing.shutdown` to its shutdown path. Sampling and resource attributes follow the
 * standard OTEL_* variables (OTEL_TRACES_SAMPLER, OTEL_RESOURCE_ATTRIBUTES); OTEL_SDK_DISABLED=true
 * turns it off. Metrics stay with prom-client (/metrics) and logs with pino, so the SDK exports traces only.
 */
export function startTracing(options: TracingOptions): TracingHandle {
  // One SDK per process: `node --import @moocflix/platform-telemetry/instrument` loads the module through the
  // ESM loader and a later `import` of it through require(), and the two module caches are separate.
  const started = (globalThis as Record<symbol, TracingHandle | undefined>)[PROCESS_TRACING];
  if (started) return started;
  const handle = startTracingOnce(options);
  (globalThis as Record<symbol, TracingHandle | undefined>)[PROCESS_TRACING] = handle;
  return handle;
}

const PROCESS_TRACING = Symbol.for('moocflix.tracing');

function startTracingOnce(options: TracingOptions): TracingHandle {
  const endpoint = options.endpoint ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint || process.env.OTEL_SDK_DISABLED === 'true') {
    return { enabled: false, shutdown: async () => undefined };
  }
  const { logger } = options;

  // Required here, not imported at the top, so that a process with tracing off never loads them.
  const { diag, DiagLogLevel } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { NodeTracerProvider } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } =
    require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const {
    defaultResource,
    detectResources,
    envDetector,
    hostDetector,
    processDetector,
    resourceFromAttributes,
  } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { registerInstrumentations } =
    require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { OTLPTraceExporter } =
    require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } =
    require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { ExpressInstrumentation } =
    require('@opentelemetry/instrumentation-express') as typeof import('@opentelemetry/instrumentation-express');
  const { PgInstrumentation } =
    require('@opentelemetry/instrumentation-pg') as typeof import('@opentelemetry/instrumentation-pg');
  const { KafkaJsInstrumentation } =
    require('@opentelemetry/instrumentation-kafkajs') as typeof import('@opentelemetry/instrumentation-kafkajs');

  // The SDK reports failed exports (collector down, rejected payload) through `diag`; into our logs with them.
  diag.setLogger(
    {
      error: (message, ...args) => logger.error({ otel: args }, message),
      warn: (message, ...args) => logger.warn({ otel: args }, message),
      info: () => undefined,
      debug: () => undefined,
      verbose: () => undefined,
    },
    DiagLogLevel.WARN,
  );

  // The tracer provider, not @opentelemetry/sdk-node's NodeSDK: NodeSDK brings every OTLP exporter (gRPC, proto,
  // logs, metrics), Zipkin and Prometheus along, ~150 MB in each image, for a process that exports traces only.
  // The provider reads OTEL_TRACES_SAMPLER(_ARG) itself; the resource is what NodeSDK would build: the
  // SDK's attributes, OTEL_RESOURCE_ATTRIBUTES, the process and host attributes, with our service name on top.
  const resource = defaultResource()
    .merge(detectResources({ detectors: [envDetector, processDetector, hostDetector] }))
    .merge(resourceFromAttributes({ 'service.name': options.serviceName }));
  const provider = new NodeTracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` })),
    ],
  });
  // Global provider, AsyncLocalStorage context and the W3C trace-context and baggage propagators.
  provider.register();
  registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) =>
          UNTRACED_PATHS.has((request.url ?? '').split('?')[0] ?? ''),
      }),
      new ExpressInstrumentation(),
      new PgInstrumentation(),
      new KafkaJsInstrumentation(),
    ],
  });
  logger.info({ endpoint, serviceName: options.serviceName }, 'tracing to OTLP endpoint');

  return {
    enabled: true,
    async shutdown() {
      try {
        await provider.shutdown();
      } catch (err) {
        // Losing the last spans must not turn a clean shutdown into a failed one.
        logger.warn({ err }, 'tracing shutdown failed; recent spans may be lost');
      }
    },
  };
}
