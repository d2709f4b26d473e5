import { z } from 'zod';
import { env, loadConfig } from '@moocflix/platform-core/config';
import { httpLimitsConfigShape } from '@moocflix/platform-http';
import { trustedProxiesSetting } from '@moocflix/platform-http';

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
    /**
     * Unset → the embedded bus, for the one-process `make dev` launcher only: a service started on
     * its own (runStandalone) refuses to start without brokers.
     */
    KAFKA_BROKERS: env.list(),
    /** How long a service started on its own waits for Kafka to answer before refusing to start. */
    KAFKA_START_TIMEOUT_SECONDS: env.int(30, 1),
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
    /**
     * Where a verifier loads the revocations in force at start (the users service's signed list);
     * unset → `revocations` next to the JWKS, i.e. the same users service as JWT_JWKS_URL.
     */
    JWT_REVOCATIONS_URL: env.url(),
    JSON_BODY_LIMIT: env.string('100kb'),
    /** Header and body limits and timeouts (HTTP_*), defaults in the kit's request-limits. */
    ...httpLimitsConfigShape,
    /** Proxies whose X-Forwarded-For is believed: addresses/CIDRs, comma-separated; none by default. */
    TRUSTED_PROXIES: trustedProxiesSetting(),
  });
}

export type CommonServiceConfig = z.infer<ReturnType<typeof commonServiceConfigSchema>>;

/**
 * JWT_REVOCATIONS_URL, else the users service's revocations route beside its JWKS
 * (`…/api/v1/users/.well-known/jwks.json` → `…/api/v1/users/revocations`), so a chart that sets
 * the JWKS URL needs nothing more.
 */
export function revocationsUrl(
  config: Pick<CommonServiceConfig, 'JWT_REVOCATIONS_URL' | 'JWT_JWKS_URL'>,
): string {
  return config.JWT_REVOCATIONS_URL ?? new URL('../revocations', config.JWT_JWKS_URL).toString();
}

export function loadCommonServiceConfig(
  service: string,
  defaultPort: number,
  source = process.env,
): CommonServiceConfig {
  return loadConfig(commonServiceConfigSchema(service, defaultPort), source);
}
