/**
 * The process that postgres-bus.kill.int.test.ts kills with SIGKILL: it publishes a burst of
 * Student-Enrolled events through the durable bus (BUS_URL) and consumes them with
 * createEventConsumer, whose effect is one row per handled event in EFFECTS_URL's `effects` table
 * (no unique constraint: a second effect of an event would be a second row). It prints `ready`,
 * one `published <ids>` line per publish() that resolved, and `published-all` at the end of the
 * burst, then keeps consuming until it is killed. PUBLISH=0 only consumes.
 */
import pino from 'pino';
import { createPool } from '@moocflix/platform-db';
import { sleep } from '@moocflix/platform-core/retry';
import { createEvent } from './envelope';
import { createEventConsumer } from './event-consumer';
import { PostgresEventBus } from './postgres-bus';
import { Topics } from './topics';

async function main(): Promise<void> {
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const toPublish = Number(process.env.PUBLISH ?? '0');
  const round = process.env.ROUND ?? '0';
  const bus = await PostgresEventBus.open({ databaseUrl: process.env.BUS_URL!, logger, pollIntervalMs: 200 });
  const pool = createPool(process.env.EFFECTS_URL!);
  const consumer = createEventConsumer({
    bus,
    pool,
    logger,
    groupId: 'kill-drill',
    handlers: {
      [Topics.StudentEnrolled]: async (event, tx) => {
        await tx.query('INSERT INTO effects (event_id) VALUES ($1)', [event.id]);
        // A few milliseconds inside the transaction widen the windows a kill can land in.
        if (Math.random() < 0.5) await sleep(Math.random() * 4);
      },
    },
  });
  await consumer.start();
  process.stdout.write('ready\n');

  for (let sent = 0; sent < toPublish; ) {
    const size = Math.min(toPublish - sent, 1 + Math.floor(Math.random() * 8));
    const events = Array.from({ length: size }, (_, i) => {
      const courseId = `course-${(sent + i) % 5}`;
      return createEvent(Topics.StudentEnrolled, {
        source: 'kill-drill',
        subject: courseId,
        data: {
          courseId,
          studentId: `student-${round}-${sent + i}`,
          instructorId: 'instructor-1',
          status: 'active',
          enrolledAt: new Date().toISOString(),
        },
      });
    });
    await bus.publish(events.map((e) => ({ topic: Topics.StudentEnrolled, key: e.subject, value: JSON.stringify(e) })));
    process.stdout.write(`published ${events.map((e) => e.id).join(',')}\n`);
    sent += size;
    await sleep(Math.random() * 15);
  }
  process.stdout.write('published-all\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
