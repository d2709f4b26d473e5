import { z } from 'zod';
import { env, loadConfig } from '../config';
import { trustedProxiesSetting } from '../http/trusted-proxies';

/**
 * Settings every service shares. Defaults serve `make dev` on one machine; a Helm chart sets the
 * real values. Service-specific settings are read by each service from `ctx.env`.
 */
export function commonServiceConfigSchema(service: string, defaultPort: number) {
  return z.object({
    PORT: env.port(defaultPort),
    HOST: env.string('0.0.0.0'),
    LOG_LEVEL: env.logLevel(),
    DATABASE_URL: z.string().min(1).default(`postgres://postgres:postgres@127.0.0.1:5432/${service}`),
    /** Create the database named in DATABASE_URL if missing (dev/tests; a cluster provisions it). */
    DATABASE_CREATE: env.bool(false),
    DATABASE_POOL_MAX: env.int(10, 1),
    /** Unset → the in-process bus (one-process dev mode only). */
    KAFKA_BROKERS: env.list(),
    JWT_ISSUER: env.string('moocflix-users'),
    JWT_AUDIENCE: env.string('moocflix'),
    JWT_JWKS_URL: env.url('http://127.0.0.1:8080/api/v1/users/.well-known/jwks.json'),
    /** A JWKS JSON document; when set it is used instead of fetching JWT_JWKS_URL. */
    JWT_PUBLIC_JWKS: z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as { keys: object[] };
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON Web Key Set document' });
          return z.NEVER;
        }
      })
      .optional(),
    JSON_BODY_LIMIT: env.string('100kb'),
    /** Proxies whose X-Forwarded-For is believed: addresses/CIDRs, comma-separated; none by default. */
    TRUSTED_PROXIES: trustedProxiesSetting(),
  });
}

export type CommonServiceConfig = z.infer<ReturnType<typeof commonServiceConfigSchema>>;

export function loadCommonServiceConfig(
  service: string,
  defaultPort: number,
  source = process.env,
): CommonServiceConfig {
  return loadConfig(commonServiceConfigSchema(service, defaultPort), source);
}
