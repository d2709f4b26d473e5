import pino from 'pino';
import { Counter, Registry } from 'prom-client';
import { checkReadiness, startProbeServer, type ProbeServer } from './index';

const logger = pino({ level: 'silent' });

describe('checkReadiness', () => {
  it('is 200 when every check passes, 503 naming the failing ones (thrown, false or too slow)', async () => {
    const report = await checkReadiness(
      [
        { name: 'ok', check: async () => undefined },
        { name: 'false', check: async () => false },
        { name: 'throws', check: async () => Promise.reject(new Error('down')) },
        { name: 'hangs', check: () => new Promise<void>(() => undefined) },
      ],
      50,
    );
    expect(report).toEqual({
      status: 503,
      body: { status: 'not-ready', checks: { ok: 'ok', false: 'failing', throws: 'failing', hangs: 'failing' } },
    });
    expect(await checkReadiness([{ name: 'ok', check: async () => true }])).toEqual({
      status: 200,
      body: { status: 'ready', checks: { ok: 'ok' } },
    });
  });

  it('stays 200 when only checks that degrade fail, says degraded and names them; a required failure still wins', async () => {
    const busDown = { name: 'event-bus', check: async () => false, degradesOnly: true };
    expect(await checkReadiness([{ name: 'database', check: async () => undefined }, busDown])).toEqual({
      status: 200,
      body: { status: 'degraded', checks: { database: 'ok', 'event-bus': 'failing' } },
    });
    expect(
      await checkReadiness([{ name: 'database', check: async () => Promise.reject(new Error('down')) }, busDown]),
    ).toEqual({
      status: 503,
      body: { status: 'not-ready', checks: { database: 'failing', 'event-bus': 'failing' } },
    });
    expect(await checkReadiness([{ ...busDown, check: async () => true }])).toEqual({
      status: 200,
      body: { status: 'ready', checks: { 'event-bus': 'ok' } },
    });
  });
});

describe('startProbeServer', () => {
  let server: ProbeServer;
  let ready = true;
  const registry = new Registry();
  new Counter({ name: 'probe_test_total', help: 'a metric of this test', registers: [registry] }).inc(3);

  beforeAll(async () => {
    server = await startProbeServer({
      registry,
      readiness: [{ name: 'flag', check: async () => ready }],
      port: 0,
      host: '127.0.0.1',
      logger,
    });
  });
  afterAll(() => server.close());

  it('answers /healthz, /readyz (with each check) and /metrics in the registry format', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });

    ready = true;
    const readyRes = await fetch(`${server.url}/readyz`);
    expect(readyRes.status).toBe(200);
    expect(await readyRes.json()).toEqual({ status: 'ready', checks: { flag: 'ok' } });
    ready = false;
    const notReady = await fetch(`${server.url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not-ready', checks: { flag: 'failing' } });

    const metrics = await fetch(`${server.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toBe(registry.contentType);
    expect(await metrics.text()).toMatch(/^probe_test_total 3$/m);
  });

  it('answers anything else with problem+json: 404 for another path, 405 with Allow for another method', async () => {
    const missing = await fetch(`${server.url}/api/v1/anything?x=1`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
    expect(await missing.json()).toMatchObject({ status: 404, type: 'https://moocflix.io/problems/not-found', instance: '/api/v1/anything' });

    const posted = await fetch(`${server.url}/metrics`, { method: 'POST', body: 'x' });
    expect(posted.status).toBe(405);
    expect(posted.headers.get('allow')).toBe('GET, HEAD');
    expect(posted.headers.get('content-type')).toBe('application/problem+json');
    expect(await posted.json()).toMatchObject({ status: 405 });
  });
});
