import { randomUUID } from 'node:crypto';
import type { EventBus, IncomingMessage, SubscribeOptions, Subscription } from './bus';

/**
 * The behaviour every EventBus adapter must show: the same contract tests run against a real Kafka
 * broker, the durable PostgreSQL bus of `make dev` and the in-memory bus of unit tests. Not a test
 * file itself: kafka-bus.int.test.ts, postgres-bus.int.test.ts and in-process-bus.test.ts call it. Each case uses fresh topics and groups, so cases cannot see each
 * other's messages, and messages that must stay ordered share one key (one partition).
 */
export function describeBusContract(name: string, makeBus: () => EventBus | Promise<EventBus>, timeoutMs = 20_000): void {
  describe(`EventBus contract: ${name}`, () => {
    let bus: EventBus;
    const open: Subscription[] = [];

    beforeAll(async () => {
      bus = await makeBus();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((s) => s.close()));
    });
    afterAll(async () => {
      await bus.close();
    });

    const freshTopic = async (): Promise<string> => {
      const topic = `contract-${randomUUID()}`;
      await bus.ensureTopics([topic]);
      return topic;
    };
    const freshGroup = (): string => `contract-${randomUUID()}`;

    /** Subscribes and records what the handler acknowledged (it may throw via `before`). */
    async function consume(
      topic: string,
      groupId: string,
      options: { startFrom?: SubscribeOptions['startFrom']; before?: (m: IncomingMessage) => Promise<void> } = {},
    ): Promise<{ acked: IncomingMessage[]; subscription: Subscription }> {
      const acked: IncomingMessage[] = [];
      const subscription = await bus.subscribe({
        groupId,
        topics: [topic],
        startFrom: options.startFrom,
        handler: async (m) => {
          await options.before?.(m);
          acked.push(m);
        },
      });
      open.push(subscription);
      return { acked, subscription };
    }

    async function until(what: string, condition: () => boolean): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }

    const publishValues = (topic: string, key: string, values: string[]): Promise<void> =>
      bus.publish(values.map((value) => ({ topic, key, value })));
    const values = (messages: IncomingMessage[]): string[] => messages.map((m) => m.value);
    const range = (prefix: string, from: number, to: number): string[] =>
      Array.from({ length: to - from + 1 }, (_, i) => `${prefix}-${from + i}`);

    it('delivers a published message with its key, value and headers', async () => {
      const topic = await freshTopic();
      const { acked } = await consume(topic, freshGroup());
      await bus.publish([{ topic, key: 'course-1', value: '{"hello":"world"}', headers: { 'x-trace': 'abc', 'content-type': 'application/json' } }]);
      await until('the message', () => acked.length === 1);
      expect(acked[0]).toMatchObject({
        topic,
        key: 'course-1',
        value: '{"hello":"world"}',
        headers: { 'x-trace': 'abc', 'content-type': 'application/json' },
      });
      expect(typeof acked[0]?.partition).toBe('number');
      expect(acked[0]?.offset).toMatch(/^\d+$/);
    }, timeoutMs * 2);

    it('keeps the order of each key over many messages', async () => {
      const topic = await freshTopic();
      const { acked } = await consume(topic, freshGroup());
      const keys = ['a', 'b', 'c', 'd', 'e'];
      const perKey = 40;
      // Interleaved across keys and split over several publish calls, as the outbox relay does.
      for (let i = 0; i < perKey; i += 10) {
        await bus.publish(
          range('n', i, i + 9).flatMap((_, j) => keys.map((key) => ({ topic, key, value: `${key}:${i + j}` }))),
        );
      }
      await until('every message', () => acked.length >= keys.length * perKey);
      for (const key of keys) {
        const sequence = acked.filter((m) => m.key === key).map((m) => Number(m.value.split(':')[1]));
        expect(sequence).toEqual(Array.from({ length: perKey }, (_, i) => i));
      }
    }, timeoutMs * 2);

    it('gives every message to each of two groups', async () => {
      const topic = await freshTopic();
      const first = await consume(topic, freshGroup());
      const second = await consume(topic, freshGroup());
      const sent = range('m', 1, 20);
      await publishValues(topic, 'k', sent);
      await until('both groups', () => first.acked.length >= sent.length && second.acked.length >= sent.length);
      expect(values(first.acked)).toEqual(sent);
      expect(values(second.acked)).toEqual(sent);
    }, timeoutMs * 2);

    it('resumes a group after its subscriber closed: nothing acknowledged again, nothing lost', async () => {
      const topic = await freshTopic();
      const groupId = freshGroup();
      const before = await consume(topic, groupId);
      await publishValues(topic, 'k', range('m', 1, 5));
      await until('the first batch', () => before.acked.length === 5);
      await before.subscription.close();

      await publishValues(topic, 'k', range('m', 6, 10));
      const after = await consume(topic, groupId);
      // One key, one partition: a redelivered m1..m5 would arrive before m10.
      await until('the second batch', () => after.acked.some((m) => m.value === 'm-10'));
      expect(values(after.acked)).toEqual(range('m', 6, 10));
      expect(values(before.acked)).toEqual(range('m', 1, 5));
    }, timeoutMs * 3);

    it('delivers again a message whose handler threw, before the next one of its key', async () => {
      const topic = await freshTopic();
      const attempts = new Map<string, number>();
      const { acked } = await consume(topic, freshGroup(), {
        before: async (m) => {
          const n = (attempts.get(m.value) ?? 0) + 1;
          attempts.set(m.value, n);
          if (m.value === 'first' && n === 1) throw new Error('transient failure');
        },
      });
      await publishValues(topic, 'k', ['first', 'second']);
      await until('both messages', () => acked.length >= 2);
      expect(values(acked)).toEqual(['first', 'second']);
      expect(attempts.get('first')).toBe(2);
      expect(attempts.get('second')).toBe(1);
    }, timeoutMs * 2);

    it("starts a new group at the end of the topic with startFrom 'latest'", async () => {
      const topic = await freshTopic();
      await publishValues(topic, 'k', ['old-1', 'old-2']);
      const { acked } = await consume(topic, freshGroup(), { startFrom: 'latest' });
      await publishValues(topic, 'k', ['new-1']);
      await until('the new message', () => acked.length >= 1);
      expect(values(acked)).toEqual(['new-1']);

      const earliest = await consume(topic, freshGroup(), { startFrom: 'earliest' });
      await until('the whole topic', () => earliest.acked.length >= 3);
      expect(values(earliest.acked)).toEqual(['old-1', 'old-2', 'new-1']);
    }, timeoutMs * 3);

    it('closes cleanly: waits for the in-flight handler, acknowledges it, then delivers nothing more', async () => {
      const topic = await freshTopic();
      const groupId = freshGroup();
      let started = false;
      let finished = false;
      const closing = await consume(topic, groupId, {
        before: async () => {
          started = true;
          await new Promise((resolve) => setTimeout(resolve, 300));
          finished = true;
        },
      });
      const witness = await consume(topic, freshGroup());
      await publishValues(topic, 'k', ['during-close']);
      await until('the handler to start', () => started);
      await closing.subscription.close();
      expect(finished).toBe(true);
      await closing.subscription.close(); // closing twice is harmless

      await publishValues(topic, 'k', ['after-close']);
      await until('the witness group to see both messages', () => witness.acked.length >= 2);
      expect(values(closing.acked)).toEqual(['during-close']);
      // The message handled during close() was acknowledged: the group's next subscriber starts after it.
      const next = await consume(topic, groupId);
      await until('the next subscriber to get the new message', () => next.acked.length >= 1);
      expect(values(next.acked)).toEqual(['after-close']);
    }, timeoutMs * 3);
  });
}
