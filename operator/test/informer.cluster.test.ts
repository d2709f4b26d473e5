// The informer against the real apiserver: a cache that follows creates, updates and deletes
// through list + watch, across server-side watch timeouts. (410 Gone, errors and stalls cannot be
// caused on demand here; the unit tests script them with a fake apiserver.)
import { createLogger } from '@moocflix/platform-core/log';
import { createNamespace, eventually, kubeClients, type KubeClients } from '../../e2e/cluster/test-kit';
import type { KubeClient } from '../src/controller-runtime/client';
import { Informer } from '../src/controller-runtime/informer';
import type { KubeObject } from '../src/controller-runtime/objects';
import { ResourceClient, type ResourceType } from '../src/controller-runtime/resource';
import { adminClient } from './support/cluster';

const ns = `informer-${Date.now().toString(36)}`;
const ConfigMaps: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'configmaps',
  kind: 'ConfigMap',
  namespaced: true,
};
let c: KubeClients;
let client: KubeClient;
let configMaps: ResourceClient<KubeObject & { data?: Record<string, string> }>;

beforeAll(async () => {
  c = kubeClients();
  await createNamespace(c.core, ns);
  client = await adminClient();
  configMaps = new ResourceClient(client, ConfigMaps);
  for (let i = 0; i < 3; i++) await configMaps.create({ metadata: { name: `cm-${i}`, namespace: ns } });
});

afterAll(async () => {
  await c?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  client?.close();
});

test('the cache follows creates, updates and deletes', async () => {
  const informer = new Informer({
    name: 'configmaps',
    resource: configMaps,
    namespaces: [ns],
    logger: createLogger('test', 'silent'),
    watchTimeoutSeconds: 2,
  });
  informer.start();
  await informer.waitForSync();
  expect(informer.list().map((o) => o.metadata.name)).toEqual(
    expect.arrayContaining(['cm-0', 'cm-1', 'cm-2']),
  );
  try {
    await configMaps.create({ metadata: { name: 'later', namespace: ns }, data: { a: '1' } });
    await configMaps.mergePatch(ns, 'cm-0', { data: { changed: 'yes' } });
    await configMaps.delete(ns, 'cm-1');
    // Past a server-side watch timeout (2-4 s) too: the watch is resumed without losing anything.
    await new Promise((r) => setTimeout(r, 4_500));
    await configMaps.create({ metadata: { name: 'after-rewatch', namespace: ns } });
    await eventually('the cache up to date', async () => {
      const names = informer.list().map((o) => o.metadata.name);
      return (
        names.includes('later') &&
        names.includes('after-rewatch') &&
        !names.includes('cm-1') &&
        informer.get(ns, 'cm-0')?.data?.changed === 'yes'
      );
    });
  } finally {
    await informer.stop();
  }
});
