import { Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per process, with Node's default metrics; services add their own to it. */
export function createMetricsRegistry(labels: Record<string, string> = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return registry;
}
