import { z } from 'zod';

/** Raised at start-up when an environment variable is missing or malformed; names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads configuration from environment variables through a zod object schema whose keys ARE the
 * variable names. Every variable has a default that serves `moocflix dev`, so a bad
 * value is the only way to fail — and then the error names the variable instead of crashing later.
 */
export function loadConfig<S extends z.ZodObject>(
  schema: S,
  env: NodeJS.ProcessEnv | Record<string, string | undefined> = process.env,
): z.infer<S> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    // An empty variable means "unset" — the usual shell/Helm meaning — so the default applies.
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const result = schema.safeParse(picked);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`));
  }
  return result.data;
}

/** Building blocks for service config schemas (env vars are strings; these coerce). */
export const env = {
  port: (def: number) => z.coerce.number().int().min(0).max(65535).default(def),
  int: (def: number, min = 0) => z.coerce.number().int().min(min).default(def),
  bool: (def: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(def ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  string: (def: string) => z.string().min(1).default(def),
  optionalString: () => z.string().min(1).optional(),
  url: (def?: string) => (def === undefined ? z.url().optional() : z.url().default(def)),
  /** Comma-separated list, e.g. KAFKA_BROKERS=a:9092,b:9092 */
  list: () =>
    z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .optional(),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
