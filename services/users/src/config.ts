import { z } from 'zod';
import { ConfigError, env, loadConfig } from '@moocflix/platform/config';

/** The users service's own settings (read from ctx.env); every default serves `make dev`. */
const usersConfigSchema = z.object({
  /** Must match what every verifier expects (the kit's JWT_ISSUER / JWT_AUDIENCE, same defaults). */
  JWT_ISSUER: env.string('moocflix-users'),
  JWT_AUDIENCE: env.string('moocflix'),
  /** A JWKS of private Ed25519 keys (a Secret in a cluster); unset → generated under MOOCFLIX_HOME. */
  JWT_PRIVATE_JWKS: env.optionalString(),
  MOOCFLIX_HOME: env.string('.moocflix'),
  ACCESS_TOKEN_TTL_SECONDS: env.int(900, 1),
  LOGIN_MAX_FAILURES_PER_ACCOUNT: env.int(5, 1),
  LOGIN_ACCOUNT_WINDOW_SECONDS: env.int(900, 1),
  LOGIN_MAX_ATTEMPTS_PER_IP: env.int(20, 1),
  LOGIN_IP_WINDOW_SECONDS: env.int(60, 1),
  USERS_BOOTSTRAP_ADMIN_EMAIL: z.email().optional(),
  USERS_BOOTSTRAP_ADMIN_PASSWORD: env.optionalString(),
  USERS_BOOTSTRAP_ADMIN_NAME: env.string('Administrator'),
});

export type UsersConfig = z.infer<typeof usersConfigSchema>;

export function loadUsersConfig(source: Record<string, string | undefined>): UsersConfig {
  const config = loadConfig(usersConfigSchema, source);
  if (
    (config.USERS_BOOTSTRAP_ADMIN_EMAIL === undefined) !==
    (config.USERS_BOOTSTRAP_ADMIN_PASSWORD === undefined)
  ) {
    throw new ConfigError(['USERS_BOOTSTRAP_ADMIN_EMAIL and USERS_BOOTSTRAP_ADMIN_PASSWORD go together']);
  }
  return config;
}
