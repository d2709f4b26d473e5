// Unit tier: TRUSTED_PROXIES, the proxies whose X-Forwarded-For the services believe, as the
// charts render and validate it (the services check it again at start-up).
import { API_CHARTS, envOf, type K8sObject, scratchCharts, type ScratchCharts } from './helm';

let charts: ScratchCharts;
beforeAll(() => {
  charts = scratchCharts();
}, 120_000);
afterAll(() => charts?.remove());

const set = (...values: string[]) => values.flatMap((v) => ['--set', v]);
const deploymentEnv = (objects: K8sObject[], name: string) =>
  envOf(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!);

test.each(API_CHARTS)('%s: none by default, the list given otherwise', async (chart) => {
  expect(deploymentEnv(await charts.template(chart), `moocflix-${chart}`).TRUSTED_PROXIES).toBe('');
  const objects = await charts.template(chart, set('trustedProxies={10.42.0.0/16,fd00::/8,192.168.1.10}'));
  expect(deploymentEnv(objects, `moocflix-${chart}`).TRUSTED_PROXIES).toBe('10.42.0.0/16,fd00::/8,192.168.1.10');
});

test("the umbrella's global list reaches every API service; a part's own list wins", async () => {
  const objects = await charts.template(
    'moocflix',
    set('global.trustedProxies={10.42.0.0/16}', 'users.trustedProxies={10.0.0.7}'),
  );
  for (const chart of API_CHARTS) {
    expect(deploymentEnv(objects, `moocflix-${chart}`).TRUSTED_PROXIES).toBe(
      chart === 'users' ? '10.0.0.7' : '10.42.0.0/16',
    );
  }
  // The operator serves no client traffic: nothing to trust there.
  expect(deploymentEnv(objects, 'moocflix-operator').TRUSTED_PROXIES).toBeUndefined();
});

describe('refused before anything is installed', () => {
  test.each(['10.0.0.0/33', '300.1.2.3', '10.0.0/8', 'fd00::/129', 'fd00:::1', 'ingress-nginx', '10.0.0.0/8,10.1.0.0/16'])(
    'users: %s',
    async (entry) => {
      const message = await charts.templateError('users', ['--set-json', `trustedProxies=${JSON.stringify([entry])}`]);
      expect(message).toMatch(/trustedProxies\/0/);
    },
  );

  test('the global list of the umbrella chart', async () => {
    expect(await charts.templateError('moocflix', set('global.trustedProxies={10.0.0.0/40}'))).toMatch(
      /global\/trustedProxies\/0/,
    );
  });
});
