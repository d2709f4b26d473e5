import { join, resolve } from 'node:path';
import express from 'express';
import { runMigrations } from '@moocflix/platform-db';
import { KIT_MIGRATIONS_DIR, Topics } from '@moocflix/platform-bus';
import type { ServiceModule } from '@moocflix/platform-http';
import { databaseReadiness, outboxRelayFor, type ServiceContext } from '@moocflix/platform-runtime';
import { loadUsersConfig } from './config';
import { ExpiredRowSweeper } from './data/expired-row-sweeper';
import { loadSigningKeys } from './data/signing-key-store';
import { AccessTokenIssuer } from './domain/access-token-issuer';
import { bootstrapAdmin } from './domain/bootstrap-admin';
import type { UseCaseContext } from './domain/use-case-context';
import { LoginThrottle } from './domain/login-throttle';
import { createPasswordHasher } from './domain/password-hasher';
import { revocationsInForce } from './domain/revocations-in-force';
import { createUsersRouter } from './http/users-router';
import { createRevocationsRouter } from './http/revocations-router';
import { createSessionRouter } from './http/session-router';
import { usersOpenApi } from './openapi';

export const USERS_BASE_PATH = '/api/v1/users';
const PRODUCED_TOPICS = [Topics.UserCreation, Topics.UserUpdate, Topics.SessionRevoked];

/** User Management: accounts, passwords, sessions, the token signing keys. */
export async function createUsersService(ctx: ServiceContext): Promise<ServiceModule> {
  const config = loadUsersConfig(ctx.env);
  await runMigrations(ctx.pool, [KIT_MIGRATIONS_DIR, join(__dirname, '../migrations')], ctx.logger);
  const keys = await loadSigningKeys({
    privateJwks: config.JWT_PRIVATE_JWKS,
    home: resolve(config.MOOCFLIX_HOME),
    logger: ctx.logger,
  });

  const now = Date.now;
  const deps: UseCaseContext = {
    pool: ctx.pool,
    hasher: await createPasswordHasher(),
    tokens: new AccessTokenIssuer({
      signingKey: keys.signingKey,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      now,
    }),
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    throttle: new LoginThrottle(ctx.pool, {
      freeFailuresPerAccountAddress: config.LOGIN_FREE_FAILURES_PER_ACCOUNT_ADDRESS,
      freeFailuresPerAddress: config.LOGIN_FREE_FAILURES_PER_ADDRESS,
      backoffBaseSeconds: config.LOGIN_BACKOFF_BASE_SECONDS,
      backoffMaxSeconds: config.LOGIN_BACKOFF_MAX_SECONDS,
      forgetAfterSeconds: config.LOGIN_FORGET_AFTER_SECONDS,
      accountCeiling: config.LOGIN_ACCOUNT_CEILING,
      accountCeilingWindowSeconds: config.LOGIN_ACCOUNT_CEILING_WINDOW_SECONDS,
    }),
    revocations: ctx.auth.revocations,
    eventSource: ctx.name,
    now,
  };
  // This process's verifier learns the revocations made before it started from the source of
  // truth, this database (in `make dev` its list is every service's). The platform subscribed the
  // Session-Revoked feed before creating the service, so what is revoked after this read arrives
  // by event.
  ctx.auth.revocations.applySnapshot(await revocationsInForce(deps));
  if (config.USERS_BOOTSTRAP_ADMIN_EMAIL && config.USERS_BOOTSTRAP_ADMIN_PASSWORD) {
    await bootstrapAdmin(
      deps,
      {
        email: config.USERS_BOOTSTRAP_ADMIN_EMAIL,
        password: config.USERS_BOOTSTRAP_ADMIN_PASSWORD,
        name: config.USERS_BOOTSTRAP_ADMIN_NAME,
      },
      ctx.logger,
    );
  }

  const relay = outboxRelayFor(ctx);
  const sweeper = new ExpiredRowSweeper(ctx.pool, ctx.logger);
  let topicsEnsured: Promise<void> | undefined;

  return {
    name: ctx.name,
    basePath: USERS_BASE_PATH,
    router: express.Router().use(
      createRevocationsRouter(deps, {
        signingKey: keys.signingKey,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
      }),
      createUsersRouter(deps, ctx.auth, keys.publicJwks),
      createSessionRouter(deps, ctx.auth, {
        cookiePath: `${USERS_BASE_PATH}/session`,
        publicOrigin: config.PUBLIC_ORIGIN,
      }),
    ),
    openapi: usersOpenApi,
    readiness: [databaseReadiness(ctx.pool)],
    // Another replica's logout reaches this one by event; while the bus does not answer, the
    // platform re-reads them here instead.
    revocationsInForce: () => revocationsInForce(deps),
    async start() {
      // Best effort and in the background: with Kafka down the service still starts, and the relay
      // keeps the events until the topics are there.
      topicsEnsured = ctx.bus.ensureTopics(PRODUCED_TOPICS).catch((err: unknown) => {
        ctx.logger.warn({ err }, 'could not ensure the users topics exist; the outbox relay keeps retrying');
      });
      await relay.start();
      sweeper.start();
    },
    async stop() {
      await sweeper.stop();
      await relay.stop();
      await topicsEnsured;
    },
  };
}
