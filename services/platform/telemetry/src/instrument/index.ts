import { createLogger } from '@moocflix/platform-core/log';
import { startTracing, type TracingHandle } from '../tracing';

/**
 * Side-effect module: starts OpenTelemetry tracing (when OTEL_EXPORTER_OTLP_ENDPOINT is set) at
 * import time. Instrumentation patches modules as they are first required, so a service's main.ts
 * imports this BEFORE anything else:
 *
 *   import '@moocflix/platform-telemetry/instrument';
 *
 * The service name comes from OTEL_SERVICE_NAME (the Helm charts set it).
 */
export const tracing: TracingHandle = startTracing({
  serviceName: process.env.OTEL_SERVICE_NAME ?? 'moocflix',
  logger: createLogger('tracing', process.env.LOG_LEVEL ?? 'info'),
});
