import { z } from 'zod';
import { ConfigError, env, loadConfig } from '@moocflix/platform-core/config';

/** The users service's own settings (read from ctx.env); every default serves `make dev`. */
const usersConfigSchema = z.object({
  /** Must match what every verifier expects (the kit's JWT_ISSUER / JWT_AUDIENCE, same defaults). */
  JWT_ISSUER: env.string('moocflix-users'),
  JWT_AUDIENCE: env.string('moocflix'),
  /** A JWKS of private Ed25519 keys (a Secret in a cluster); unset → generated under MOOCFLIX_HOME. */
  JWT_PRIVATE_JWKS: env.optionalString(),
  MOOCFLIX_HOME: env.string('.moocflix'),
  ACCESS_TOKEN_TTL_SECONDS: env.int(900, 1),
  /** A browser session's refresh token (cookie) lives this long unless used: 14 days. */
  REFRESH_TOKEN_TTL_SECONDS: env.int(14 * 24 * 3600, 60),
  /**
   * The origin browsers load the web console from (e.g. https://moocflix.example.org), when the
   * API is reached under another Host than the page's; unset: a cookie route accepts an Origin
   * whose host is the request's Host.
   */
  PUBLIC_ORIGIN: z
    .url()
    .transform((value) => new URL(value).origin)
    .optional(),
  // Login throttling; the numbers and why: docs/throttle-policy.md.
  LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS: env.int(5, 1),
  LOGIN_FREE_FAILURES_PER_ADDRESS: env.int(50, 1),
  LOGIN_BACKOFF_BASE_SECONDS: env.int(2, 1),
  LOGIN_BACKOFF_MAX_SECONDS: env.int(900, 1),
  LOGIN_FORGET_AFTER_SECONDS: env.int(900, 1),
  LOGIN_ACCOUNT_CEILING: env.int(300, 1),
  LOGIN_ACCOUNT_CEILING_WINDOW_SECONDS: env.int(3600, 1),
  USERS_BOOTSTRAP_ADMIN_EMAIL: z.email().optional(),
  USERS_BOOTSTRAP_ADMIN_PASSWORD: env.optionalString(),
  USERS_BOOTSTRAP_ADMIN_NAME: env.string('Administrator'),
});

const RETIRED_THROTTLE_SETTINGS = [
  'LOGIN_MAX_FAILURES_PER_ACCOUNT',
  'LOGIN_ACCOUNT_WINDOW_SECONDS',
  'LOGIN_MAX_ATTEMPTS_PER_IP',
  'LOGIN_IP_WINDOW_SECONDS',
];

export type UsersConfig = z.infer<typeof usersConfigSchema>;

export function loadUsersConfig(source: Record<string, string | undefined>): UsersConfig {
  // Settings of the old throttle: silently ignoring them could hide that, e.g., the per-account
  // lock an operator tuned is gone; say what replaced them instead.
  const retired = RETIRED_THROTTLE_SETTINGS.filter(
    (name) => source[name] !== undefined && source[name] !== '',
  );
  if (retired.length) {
    throw new ConfigError(
      retired.map(
        (name) =>
          `${name} is no longer read: login throttling is per (account, address) and per address with growing delays, plus a per-account ceiling (LOGIN_* settings, docs/throttle-policy.md)`,
      ),
    );
  }
  const config = loadConfig(usersConfigSchema, source);
  if (config.LOGIN_BACKOFF_MAX_SECONDS < config.LOGIN_BACKOFF_BASE_SECONDS) {
    throw new ConfigError(['LOGIN_BACKOFF_MAX_SECONDS must be at least LOGIN_BACKOFF_BASE_SECONDS']);
  }
  if (
    (config.USERS_BOOTSTRAP_ADMIN_EMAIL === undefined) !==
    (config.USERS_BOOTSTRAP_ADMIN_PASSWORD === undefined)
  ) {
    throw new ConfigError(['USERS_BOOTSTRAP_ADMIN_EMAIL and USERS_BOOTSTRAP_ADMIN_PASSWORD go together']);
  }
  return config;
}
