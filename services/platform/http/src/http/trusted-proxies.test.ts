import { Router } from 'express';
import { ConfigError, loadConfig } from '@moocflix/platform-core/config';
import { createLogger } from '@moocflix/platform-core/log';
import { createMetricsRegistry } from '@moocflix/platform-core/metrics';
import { commonServiceConfigSchema } from '@moocflix/platform-runtime';
import { createHttpApp } from './app';
import { startHttpServer, type RunningServer } from './server';
import { trustProxySetting, type TrustedProxies } from './trusted-proxies';

/** An app whose one route answers with the client address Express settled on (what the login throttle counts). */
async function serve(trustedProxies?: TrustedProxies): Promise<RunningServer> {
  const router = Router();
  router.get('/ip', (req, res) => {
    res.json({ ip: req.ip, protocol: req.protocol });
  });
  const app = createHttpApp({
    logger: createLogger('test', 'silent'),
    registry: createMetricsRegistry(),
    services: [
      {
        name: 'echo',
        basePath: '/echo',
        router,
        openapi: {},
        readiness: [],
        start: async () => undefined,
        stop: async () => undefined,
      },
    ],
    ...(trustedProxies ? { trustedProxies } : {}),
  });
  return startHttpServer({
    app,
    port: 0,
    host: '127.0.0.1',
    logger: createLogger('test', 'silent'),
    drainTimeoutMs: 500,
  });
}

const seenAs = async (server: RunningServer, headers: Record<string, string>) =>
  (await (await fetch(`${server.url}/echo/ip`, { headers })).json()) as { ip: string; protocol: string };

describe('X-Forwarded-For from a loopback client', () => {
  const forged = { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' };

  test('with no trusted proxy (the default) the client is the TCP peer, whatever it claims', async () => {
    const server = await serve();
    try {
      for (const claimed of ['203.0.113.7', '10.1.2.3', '198.51.100.1, 10.0.0.1'])
        expect((await seenAs(server, { 'x-forwarded-for': claimed })).ip).toBe('127.0.0.1');
      expect(await seenAs(server, forged)).toEqual({ ip: '127.0.0.1', protocol: 'http' });
    } finally {
      await server.close();
    }
  });

  test('with 127.0.0.1/32 trusted, the forwarded address and protocol are honoured', async () => {
    const server = await serve(['127.0.0.1/32']);
    try {
      expect(await seenAs(server, forged)).toEqual({ ip: '203.0.113.7', protocol: 'https' });
      // Only trusted hops are skipped: the first untrusted address from the right is the client.
      expect((await seenAs(server, { 'x-forwarded-for': '198.51.100.1, 10.0.0.1' })).ip).toBe('10.0.0.1');
    } finally {
      await server.close();
    }
  });

  test('a list that does not contain the peer is not trusted', async () => {
    const server = await serve(['10.0.0.0/8', 'fd00::/8']);
    try {
      expect((await seenAs(server, forged)).ip).toBe('127.0.0.1');
    } finally {
      await server.close();
    }
  });
});

describe('TRUSTED_PROXIES', () => {
  const load = (value?: string) =>
    loadConfig(commonServiceConfigSchema('svc', 1), value === undefined ? {} : { TRUSTED_PROXIES: value })
      .TRUSTED_PROXIES;

  test('unset or empty trusts nobody', () => {
    expect(load()).toEqual([]);
    expect(load('')).toEqual([]);
    expect(trustProxySetting(load())).toBe(false);
  });

  test('addresses and CIDR blocks of both families, comma-separated', () => {
    expect(load(' 10.0.0.0/8, 192.168.1.10 ,fd00::/8,::1 ')).toEqual([
      '10.0.0.0/8',
      '192.168.1.10',
      'fd00::/8',
      '::1',
    ]);
  });

  test.each([
    '10.0.0.0/33',
    'fd00::/129',
    '10.0.0/8',
    'loopback',
    '10.0.0.0/8/1',
    '10.0.0.0/',
    '10.0.0.0/-1',
    'example.com',
  ])('refuses %s with a message naming it', (entry) => {
    expect(() => load(`127.0.0.1,${entry}`)).toThrow(ConfigError);
    expect(() => load(`127.0.0.1,${entry}`)).toThrow(entry);
  });

  test('createHttpApp refuses an invalid entry passed directly', () => {
    expect(() => trustProxySetting(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
  });
});
