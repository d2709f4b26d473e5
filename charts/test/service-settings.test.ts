// Unit tier: settings the charts hand to the services as environment variables, checked by reading
// the rendered environment back through the services' own configuration code — so a variable the
// chart names but the service does not read, or a value it would refuse, fails here, not at start-up.
//   httpLimits          the kit's request limits (HTTP_*), per part and the umbrella's global ones
//   transcodeAttempts   the content service's attempt settings (TRANSCODE_*)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '@moocflix/platform-core/config';
import { DEFAULT_HTTP_LIMITS, httpLimitsConfigShape, httpLimitsFromConfig, type HttpLimits } from '@moocflix/platform-http';
import { loadContentConfig } from '../../services/content/src/content-config';
import { API_CHARTS, envOf, type K8sObject, scratchCharts, type ScratchCharts } from './helm';

let charts: ScratchCharts;
beforeAll(() => {
  charts = scratchCharts();
}, 120_000);
afterAll(() => charts?.remove());

/** A values file: helm reads its numbers as floats, the case where 3600000 could become "3.6e+06". */
function valuesFile(name: string, values: unknown): string[] {
  const path = join(charts.dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(values));
  return ['-f', path];
}

const deploymentEnv = (objects: K8sObject[], name: string) => {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name);
  if (!deployment) throw new Error(`no Deployment ${name}`);
  return envOf(deployment);
};

/** Plain string variables only (the secret references are not the kit's limits). */
function plainEnv(env: ReturnType<typeof deploymentEnv>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** The limits a service started with this environment would enforce. */
const limitsOf = (env: Record<string, string>): HttpLimits =>
  httpLimitsFromConfig(loadConfig(z.object(httpLimitsConfigShape), env));

const httpVariables = (env: Record<string, unknown>) => Object.keys(env).filter((name) => name.startsWith('HTTP_'));

describe('httpLimits', () => {
  // Every key, away from its default, 0 where 0 means "no limit" (it must not read as "unset").
  const everyLimit = {
    headersTimeoutMs: 15_000,
    requestTimeoutMs: 0,
    maxHeaderBytes: 32_768,
    maxHeaders: 60,
    bodyIdleTimeoutMs: 45_000,
    bodyGraceMs: 5_000,
    bodyMinBytesPerSecond: 4_096,
  };
  const expected: HttpLimits = {
    headersTimeoutMs: 15_000,
    requestTimeoutMs: 0,
    maxHeaderBytes: 32_768,
    maxHeaders: 60,
    body: { idleTimeoutMs: 45_000, graceMs: 5_000, minBytesPerSecond: 4_096 },
  };

  test.each(API_CHARTS)('%s: none rendered by default, so the kit keeps its own defaults', async (chart) => {
    const env = deploymentEnv(await charts.template(chart), `moocflix-${chart}`);
    expect(httpVariables(env)).toEqual([]);
    expect(limitsOf(plainEnv(env))).toEqual(DEFAULT_HTTP_LIMITS);
  });

  test.each(API_CHARTS)('%s: every key reaches the kit as the value given', async (chart) => {
    const objects = await charts.template(chart, valuesFile(`${chart}-limits`, { httpLimits: everyLimit }));
    const env = plainEnv(deploymentEnv(objects, `moocflix-${chart}`));
    // One variable per key, each one the kit reads.
    expect(httpVariables(env).sort()).toEqual(Object.keys(httpLimitsConfigShape).sort());
    expect(limitsOf(env)).toEqual(expected);
  });

  test('a large value renders as an integer, not in float notation', async () => {
    const objects = await charts.template('courses', valuesFile('large', { httpLimits: { requestTimeoutMs: 7_200_000 } }));
    expect(deploymentEnv(objects, 'moocflix-courses').HTTP_REQUEST_TIMEOUT_MS).toBe('7200000');
  });

  test("the umbrella's global limits reach every API service, key by key; a part's own key wins", async () => {
    const objects = await charts.template(
      'moocflix',
      valuesFile('umbrella-limits', {
        global: { httpLimits: { headersTimeoutMs: 10_000, bodyMinBytesPerSecond: 2_048 } },
        content: { httpLimits: { bodyMinBytesPerSecond: 512 } },
      }),
    );
    for (const chart of API_CHARTS) {
      const limits = limitsOf(plainEnv(deploymentEnv(objects, `moocflix-${chart}`)));
      expect(limits.headersTimeoutMs).toBe(10_000);
      expect(limits.body.minBytesPerSecond).toBe(chart === 'content' ? 512 : 2_048);
      // Keys set nowhere keep the kit's default.
      expect(limits.maxHeaders).toBe(DEFAULT_HTTP_LIMITS.maxHeaders);
    }
    // The operator and the transcoder workers serve no client traffic.
    expect(httpVariables(deploymentEnv(objects, 'moocflix-operator'))).toEqual([]);
  });

  describe('refused before anything is installed', () => {
    test.each([
      ['a negative timeout', { headersTimeoutMs: -1 }, /headersTimeoutMs/],
      ['a header limit below what the kit accepts', { maxHeaderBytes: 1_023 }, /maxHeaderBytes/],
      ['a fraction', { maxHeaders: 1.5 }, /maxHeaders/],
      ['a string', { bodyGraceMs: '10s' }, /bodyGraceMs/],
      ['an unknown key', { bodyTimeoutMs: 1_000 }, /bodyTimeoutMs/],
    ])('%s', async (_, httpLimits, message) => {
      expect(await charts.templateError('users', valuesFile('refused', { httpLimits }))).toMatch(message);
    });

    test('in the umbrella chart\'s global limits', async () => {
      const message = await charts.templateError(
        'moocflix',
        valuesFile('refused-global', { global: { httpLimits: { requestTimeoutMs: -5 } } }),
      );
      expect(message).toMatch(/global\/httpLimits\/requestTimeoutMs/);
    });
  });
});

describe('content: transcodeAttempts', () => {
  test("the chart's defaults are the service's own defaults", async () => {
    const env = plainEnv(deploymentEnv(await charts.template('content'), 'moocflix-content'));
    const rendered = loadContentConfig(env);
    const builtIn = loadContentConfig({});
    for (const name of [
      'TRANSCODE_MAX_ATTEMPTS',
      'TRANSCODE_LEASE_MS',
      'TRANSCODE_QUEUE_TIMEOUT_MS',
      'TRANSCODE_LEASE_SWEEP_INTERVAL_MS',
    ] as const) {
      expect(env[name]).toBeDefined();
      expect(rendered[name]).toBe(builtIn[name]);
    }
  });

  test('the values given reach the service', async () => {
    const objects = await charts.template(
      'content',
      valuesFile('attempts', {
        transcodeAttempts: { maxAttempts: 5, leaseMs: 300_000, queueTimeoutMs: 7_200_000, leaseSweepIntervalMs: 30_000 },
      }),
    );
    const config = loadContentConfig(plainEnv(deploymentEnv(objects, 'moocflix-content')));
    expect(config).toMatchObject({
      TRANSCODE_MAX_ATTEMPTS: 5,
      TRANSCODE_LEASE_MS: 300_000,
      TRANSCODE_QUEUE_TIMEOUT_MS: 7_200_000,
      TRANSCODE_LEASE_SWEEP_INTERVAL_MS: 30_000,
    });
  });

  test('a value the service would refuse is refused by the chart', async () => {
    const message = await charts.templateError('content', valuesFile('attempts-refused', { transcodeAttempts: { maxAttempts: 0 } }));
    expect(message).toMatch(/transcodeAttempts\/maxAttempts/);
    expect(() => loadContentConfig({ TRANSCODE_MAX_ATTEMPTS: '0' })).toThrow();
  });
});
