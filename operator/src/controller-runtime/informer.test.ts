// The informer against a scripted fake apiserver (plain HTTP on 127.0.0.1): what the real one does
// rarely and at its own pace (410 Gone, errors, a watch that goes silent) on demand.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@moocflix/platform-core/log';
import { KubeClient } from './client';
import { Informer, type InformerEvent } from './informer';
import type { KubeObject } from './objects';
import { JobResource, ResourceClient } from './resource';

const logger = createLogger('test', 'silent');

interface Fake {
  url: string;
  lists: number;
  watches: URLSearchParams[];
  /** The list answer (items and resourceVersion). */
  list: () => { items: KubeObject[]; resourceVersion: string };
  /** Answers a watch request; leave `res` open to keep the watch going. */
  watch: (res: http.ServerResponse, query: URLSearchParams) => void;
  close(): Promise<void>;
}

async function fakeApiserver(): Promise<Fake> {
  const open = new Set<http.ServerResponse>();
  const fake: Fake = {
    url: '',
    lists: 0,
    watches: [],
    list: () => ({ items: [], resourceVersion: '1' }),
    watch: (res) => res.end(),
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname !== '/apis/batch/v1/namespaces/ns/jobs') {
      res.writeHead(404).end();
      return;
    }
    if (url.searchParams.get('watch') === 'true') {
      fake.watches.push(url.searchParams);
      open.add(res);
      res.on('close', () => open.delete(res));
      // Headers go with the first event, or at once with flushHeaders(); a handler may answer an error instead.
      res.setHeader('Content-Type', 'application/json');
      fake.watch(res, url.searchParams);
    } else {
      fake.lists++;
      const { items, resourceVersion } = fake.list();
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ metadata: { resourceVersion }, items }));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

const job = (name: string, rv: string): KubeObject => ({
  metadata: { name, namespace: 'ns', resourceVersion: rv },
});
const send = (res: http.ServerResponse, type: string, object: unknown) =>
  res.write(`${JSON.stringify({ type, object })}\n`);

let fake: Fake;
let informer: Informer<KubeObject> | undefined;
const events: string[] = [];

function startInformer(
  options: Partial<ConstructorParameters<typeof Informer>[0]> = {},
): Informer<KubeObject> {
  const client = new KubeClient({ server: fake.url });
  informer = new Informer<KubeObject>({
    name: 'jobs',
    resource: new ResourceClient<KubeObject>(client, JobResource),
    namespaces: ['ns'],
    logger,
    ...options,
  });
  informer.on((e: InformerEvent<KubeObject>) =>
    events.push(`${e.type} ${e.object.metadata.name}@${e.object.metadata.resourceVersion}`),
  );
  informer.start();
  return informer;
}

async function until(what: string, check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events: ${events.join(', ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeEach(async () => {
  events.length = 0;
  fake = await fakeApiserver();
});

afterEach(async () => {
  await informer?.stop();
  informer = undefined;
  await fake.close();
});

test('lists, then watches from the list resourceVersion; the cache follows the events', async () => {
  fake.list = () => ({ items: [job('a', '5'), job('b', '6')], resourceVersion: '10' });
  fake.watch = (res) => {
    send(res, 'ADDED', job('c', '11'));
    send(res, 'MODIFIED', job('a', '12'));
    send(res, 'DELETED', job('b', '13'));
    send(res, 'BOOKMARK', { metadata: { resourceVersion: '20' } });
  };
  const inf = startInformer();
  await inf.waitForSync();
  await until('the watch events', () => events.length === 5);
  expect(events).toEqual(['add a@5', 'add b@6', 'add c@11', 'update a@12', 'delete b@13']);
  expect(fake.watches[0]!.get('resourceVersion')).toBe('10');
  expect(fake.watches[0]!.get('allowWatchBookmarks')).toBe('true');
  expect(
    inf
      .list()
      .map((o) => o.metadata.name)
      .sort(),
  ).toEqual(['a', 'c']);
  expect(inf.get('ns', 'a')?.metadata.resourceVersion).toBe('12');
});

test('a watch the server ends is resumed from the last resourceVersion seen, bookmarks included', async () => {
  fake.list = () => ({ items: [], resourceVersion: '10' });
  fake.watch = (res, query) => {
    if (query.get('resourceVersion') === '10') {
      send(res, 'ADDED', job('a', '11'));
      send(res, 'BOOKMARK', { metadata: { resourceVersion: '15' } });
      res.end();
    }
  };
  startInformer();
  await until('a second watch', () => fake.watches.length >= 2);
  expect(fake.watches[1]!.get('resourceVersion')).toBe('15');
  expect(fake.lists).toBe(1);
});

test('410 Gone in the watch stream: relists, and objects deleted meanwhile are reported deleted', async () => {
  let listed = 0;
  fake.list = () =>
    ++listed === 1
      ? { items: [job('a', '5'), job('b', '6')], resourceVersion: '10' }
      : { items: [job('b', '30'), job('d', '31')], resourceVersion: '40' };
  fake.watch = (res, query) => {
    if (query.get('resourceVersion') === '10')
      send(res, 'ERROR', {
        kind: 'Status',
        code: 410,
        reason: 'Expired',
        message: 'too old resource version: 10 (25)',
      });
  };
  const inf = startInformer();
  await until(
    'the relist',
    () => fake.lists === 2 && fake.watches.some((q) => q.get('resourceVersion') === '40'),
  );
  expect(events).toEqual(['add a@5', 'add b@6', 'update b@30', 'add d@31', 'delete a@5']);
  expect(
    inf
      .list()
      .map((o) => o.metadata.name)
      .sort(),
  ).toEqual(['b', 'd']);
});

test('410 as the HTTP answer to the watch request: relists too', async () => {
  let listed = 0;
  fake.list = () => ({ items: [], resourceVersion: String(10 * ++listed) });
  fake.watch = (res, query) => {
    if (query.get('resourceVersion') === '10') {
      res.statusCode = 410;
      res.end(JSON.stringify({ kind: 'Status', code: 410, reason: 'Gone', message: 'gone' }));
    }
  };
  startInformer();
  await until('the relist', () => fake.watches.some((q) => q.get('resourceVersion') === '20'));
  expect(fake.lists).toBe(2);
});

test('errors are retried with backoff, the cache kept meanwhile', async () => {
  fake.list = () => ({ items: [job('a', '5')], resourceVersion: '10' });
  let failures = 0;
  fake.watch = (res) => {
    if (failures++ < 2) {
      res.statusCode = 500;
      res.end(
        JSON.stringify({ kind: 'Status', code: 500, reason: 'InternalError', message: 'etcd unavailable' }),
      );
    }
  };
  const inf = startInformer();
  await until('a third watch', () => fake.watches.length >= 3);
  expect(inf.get('ns', 'a')).toBeDefined();
  expect(inf.hasSynced()).toBe(true);
});

test('a watch that goes silent (no event, no end) is cut after its timeout and relisted', async () => {
  fake.list = () => ({ items: [job('a', '5')], resourceVersion: '10' });
  fake.watch = (res) => res.flushHeaders(); // answers, then never writes nor ends: a stalled connection
  startInformer({ watchTimeoutSeconds: 1, stallGraceMs: 100 });
  // The server was asked to end the watch within 1-2 s; silence beyond that plus the grace is a stall.
  await until('a relist after the stall', () => fake.lists >= 2 && fake.watches.length >= 2, 6_000);
  expect(Number(fake.watches[0]!.get('timeoutSeconds'))).toBeGreaterThanOrEqual(1);
});

test('the periodic resync relists and announces every object again (unchanged ones as updates)', async () => {
  fake.list = () => ({ items: [job('a', '5')], resourceVersion: '10' });
  fake.watch = () => undefined;
  startInformer({ resyncPeriodMs: 200 });
  await until('two resyncs', () => events.filter((e) => e === 'update a@5').length >= 2);
  expect(events[0]).toBe('add a@5');
});

test('stop() ends the loops and an open watch', async () => {
  fake.watch = () => undefined;
  const inf = startInformer();
  await until('the watch', () => fake.watches.length === 1);
  await inf.stop();
  informer = undefined;
  const lists = fake.lists;
  await new Promise((r) => setTimeout(r, 100));
  expect(fake.lists).toBe(lists);
});
