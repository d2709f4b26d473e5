import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import type { Pool } from 'pg';
import {
  createAuthenticator,
  InMemoryRevocationList,
  startRevocationFeed,
} from '@moocflix/platform-http/auth';
import { createPool } from '@moocflix/platform-db';
import type { EventBus, Subscription } from '@moocflix/platform-bus';
import { z } from 'zod';
import { loadConfig } from '@moocflix/platform-core/config';
import {
  createHttpApp,
  httpLimitsConfigShape,
  httpLimitsFromConfig,
  startHttpServer,
  trustedProxiesSetting,
  type ServiceModule,
} from '@moocflix/platform-http';
import { createLogger } from '@moocflix/platform-core/log';
import { createMetricsRegistry } from '@moocflix/platform-core/metrics';
import type { ServiceContext } from '@moocflix/platform-runtime';
import { LocalDiskObjectStorage } from '@moocflix/platform-storage';
import type { ObjectStorage } from '@moocflix/platform-storage';
import { TestTokenIssuer } from './tokens';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response fields directly; T narrows it when wanted
export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string;
  /** A plain value is sent as JSON; a string, Buffer, FormData, Blob or stream is sent as it is. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface TestService {
  url: string;
  ctx: ServiceContext;
  module: ServiceModule;
  /** Signs real tokens the service's authenticator accepts (same claims as the users service). */
  issuer: TestTokenIssuer;
  /**
   * JSON request; the body is parsed as JSON when the answer is JSON (incl. problem+json); `text`
   * is the answer as received.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response fields directly; T narrows it when wanted
  request<T = any>(
    method: string,
    path: string,
    options?: RequestOptions,
  ): Promise<TestResponse<T> & { text: string }>;
  close(): Promise<void>;
}

/**
 * Starts a service in-process on a random port, the way practica's API tests do: real
 * database, real bus, real HTTP, real signed tokens — so a test can assert the response AND the
 * rows AND the events.
 */
export async function startTestService(options: {
  name: string;
  create: (ctx: ServiceContext) => Promise<ServiceModule>;
  databaseUrl: string;
  bus: EventBus;
  /** Default: local-disk storage in a fresh temp folder, removed by close(). */
  storage?: ObjectStorage;
  env?: Record<string, string | undefined>;
  issuer?: TestTokenIssuer;
  /**
   * Keys the service's authenticator trusts instead of the test issuer's — for a service that
   * signs its own tokens (users), whose public JWKS is known to the test.
   */
  trustedKeys?: JSONWebKeySet;
  /** Start background work (relay, consumers); default true. */
  startBackground?: boolean;
}): Promise<TestService> {
  const logger = createLogger(options.name, process.env.TEST_LOG_LEVEL ?? 'silent');
  const issuer = options.issuer ?? (await TestTokenIssuer.create());
  const revocations = new InMemoryRevocationList();
  const auth = createAuthenticator({
    issuer: issuer.issuer,
    audience: issuer.audience,
    publicKeys: options.trustedKeys ?? issuer.jwks,
    revocations,
    logger,
  });
  // The default storage folder is the harness's own, so close() removes it.
  const ownStorageDir = options.storage
    ? undefined
    : await mkdtemp(join(tmpdir(), `${options.name}-storage-`));
  const pool: Pool = createPool(options.databaseUrl, { max: 10, applicationName: options.name });
  const ctx: ServiceContext = {
    name: options.name,
    logger,
    registry: createMetricsRegistry(),
    pool,
    bus: options.bus,
    auth,
    storage: options.storage ?? new LocalDiskObjectStorage({ rootDir: ownStorageDir! }),
    env: { ...options.env },
  };
  const module = await options.create(ctx);
  const feed: Subscription = await startRevocationFeed({
    bus: options.bus,
    revocations,
    groupId: `${options.name}-test`,
    logger,
  });
  // As a deployed service reads it: forwarded headers count only from the proxies TRUSTED_PROXIES lists.
  const trustedProxies = trustedProxiesSetting().parse(options.env?.TRUSTED_PROXIES);
  // HTTP_* limits from the test's env, so a test can shorten the timeouts it exercises.
  const limits = httpLimitsFromConfig(loadConfig(z.object(httpLimitsConfigShape), options.env ?? {}));
  const app = createHttpApp({ logger, registry: ctx.registry, services: [module], trustedProxies, limits });
  const server = await startHttpServer({
    app,
    port: 0,
    host: '127.0.0.1',
    logger,
    drainTimeoutMs: 1000,
    limits,
  });
  if (options.startBackground !== false) await module.start();

  return {
    url: server.url,
    ctx,
    module,
    issuer,
    async request(method, path, { token, body, headers = {} } = {}) {
      const raw = isRawBody(body);
      const response = await fetch(server.url + path, {
        method,
        headers: {
          ...(body !== undefined && !raw ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
        // A string goes as it is (JSON-typed), so tests can send malformed JSON.
        body:
          body === undefined
            ? undefined
            : raw || typeof body === 'string'
              ? (body as RequestInit['body'])
              : JSON.stringify(body),
        ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
      } as RequestInit);
      const text = await response.text();
      const isJson = /json/.test(response.headers.get('content-type') ?? '');
      return {
        status: response.status,
        headers: response.headers,
        body: isJson && text ? JSON.parse(text) : text,
        text,
      };
    },
    async close() {
      await server.close();
      await module.stop();
      await feed.close();
      await pool.end();
      if (ownStorageDir) await rm(ownStorageDir, { recursive: true, force: true });
    },
  };
}

function isRawBody(body: unknown): boolean {
  return (
    body instanceof Uint8Array ||
    body instanceof FormData ||
    body instanceof Blob ||
    body instanceof ReadableStream
  );
}
