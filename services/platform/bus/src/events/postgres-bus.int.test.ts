import { randomUUID } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { createTestDatabase, waitFor } from '../../../../../e2e/stack/control';
import type { IncomingMessage, Subscription } from './bus';
import { describeBusContract } from './bus-contract';
import { PostgresEventBus } from './postgres-bus';

const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describeBusContract(
  'PostgreSQL (durable, make dev)',
  async () =>
    PostgresEventBus.open({ databaseUrl: await createTestDatabase('bus_contract'), logger, redeliveryDelayMs: 20 }),
  20_000,
);

describe('PostgresEventBus specifics', () => {
  let databaseUrl: string;
  const buses: PostgresEventBus[] = [];
  const open = async (): Promise<PostgresEventBus> => {
    const bus = await PostgresEventBus.open({ databaseUrl, logger, redeliveryDelayMs: 20, pollIntervalMs: 200 });
    buses.push(bus);
    return bus;
  };

  beforeEach(async () => {
    databaseUrl = await createTestDatabase('bus');
  });
  afterEach(async () => {
    await Promise.all(buses.splice(0).map((b) => b.close()));
  });

  const topic = (): string => `topic-${randomUUID()}`;
  const publishRange = (bus: PostgresEventBus, t: string, from: number, to: number): Promise<void> =>
    bus.publish(Array.from({ length: to - from + 1 }, (_, i) => ({ topic: t, key: 'k', value: `m-${from + i}` })));

  function recorder(): { seen: IncomingMessage[]; handler: (m: IncomingMessage) => Promise<void> } {
    const seen: IncomingMessage[] = [];
    return { seen, handler: async (m) => void seen.push(m) };
  }

  it('keeps the log and the committed positions when the process is gone: a new bus on the same database resumes', async () => {
    const t = topic();
    const first = await open();
    const before = recorder();
    const subscription = await first.subscribe({ groupId: 'g', topics: [t], handler: before.handler });
    await publishRange(first, t, 1, 5);
    await waitFor(() => before.seen.length === 5);
    await subscription.close();
    await publishRange(first, t, 6, 8);
    await first.close();

    const second = await open();
    const after = recorder();
    await second.subscribe({ groupId: 'g', topics: [t], handler: after.handler });
    await waitFor(() => after.seen.length === 3);
    expect(after.seen.map((m) => m.value)).toEqual(['m-6', 'm-7', 'm-8']);
    expect(after.seen.map((m) => m.offset)).toEqual(['5', '6', '7']);

    // A new group reads the whole retained log.
    const fresh = recorder();
    await second.subscribe({ groupId: 'new', topics: [t], handler: fresh.handler, startFrom: 'earliest' });
    await waitFor(() => fresh.seen.length === 8);
  });

  it('gives offsets without gaps, in commit order, to concurrent publishers of one topic', async () => {
    const t = topic();
    const publisher = await open();
    const other = await open();
    const { seen, handler } = recorder();
    await publisher.subscribe({ groupId: 'g', topics: [t], handler });
    // Two connection pools, 20 publishers, 10 messages each: offsets are taken under the topic's lock.
    await Promise.all(
      Array.from({ length: 20 }, (_, p) =>
        (p % 2 ? other : publisher).publish(
          Array.from({ length: 10 }, (_, i) => ({ topic: t, key: `p${p}`, value: `${p}:${i}` })),
        ),
      ),
    );
    await waitFor(() => seen.length === 200);
    expect(seen.map((m) => Number(m.offset))).toEqual(Array.from({ length: 200 }, (_, i) => i));
    for (let p = 0; p < 20; p++) {
      const own = seen.filter((m) => m.key === `p${p}`).map((m) => m.value);
      expect(own).toEqual(Array.from({ length: 10 }, (_, i) => `${p}:${i}`));
    }
  });

  it('lets one subscriber of a group consume a topic at a time across processes; the next one takes over where it stopped', async () => {
    const t = topic();
    const a = await open();
    const b = await open();
    const deliveries: Array<{ by: string; value: string }> = [];
    const handlerOf = (by: string) => async (m: IncomingMessage) => {
      deliveries.push({ by, value: m.value });
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    const subA = await a.subscribe({ groupId: 'shared', topics: [t], handler: handlerOf('a') });
    const subB = await b.subscribe({ groupId: 'shared', topics: [t], handler: handlerOf('b') });
    await publishRange(a, t, 1, 30);
    await waitFor(() => deliveries.length === 30);
    // Only one of them had the topic.
    expect(new Set(deliveries.map((d) => d.by)).size).toBe(1);
    const holder = deliveries[0]!.by;
    await (holder === 'a' ? subA : subB).close();

    await publishRange(a, t, 31, 40);
    await waitFor(() => deliveries.length === 40);
    expect(deliveries.slice(30).every((d) => d.by !== holder)).toBe(true);
    expect(deliveries.map((d) => d.value)).toEqual(Array.from({ length: 40 }, (_, i) => `m-${i + 1}`));
  });

  it('survives losing its connection mid-stream: reconnects, locks again, and loses nothing', async () => {
    const t = topic();
    const bus = await open();
    const seen = new Set<string>();
    let handled = 0;
    const groupId = `killed-${randomUUID().slice(0, 8)}`;
    const subscription: Subscription = await bus.subscribe({
      groupId,
      topics: [t],
      handler: async (m) => {
        seen.add(m.value);
        handled++;
        await new Promise((resolve) => setTimeout(resolve, 2));
      },
    });
    await publishRange(bus, t, 1, 100);
    await waitFor(() => handled >= 20);
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    try {
      const killed = await admin.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1',
        [`bus:${groupId}`],
      );
      expect(killed.rowCount).toBe(1);
    } finally {
      await admin.end();
    }
    await publishRange(bus, t, 101, 120);
    await waitFor(() => seen.size === 120, { timeoutMs: 20_000 });
    // At-least-once: the message in flight when the connection died may have come twice, no more.
    expect(handled - seen.size).toBeLessThanOrEqual(1);
    await subscription.close();
  });

  it('answers ping, and refuses new subscriptions once closed', async () => {
    const bus = await open();
    expect(await bus.ping()).toBe(true);
    await bus.close();
    expect(await bus.ping()).toBe(false);
    await expect(bus.subscribe({ groupId: 'g', topics: [topic()], handler: async () => undefined })).rejects.toThrow(/closed/);
  });
});
