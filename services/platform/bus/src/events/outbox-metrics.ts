import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Pool } from '@moocflix/platform-db';

const PENDING = 'moocflix_outbox_pending_events';
const OLDEST = 'moocflix_outbox_oldest_pending_age_seconds';

interface Outbox {
  pool: Pool;
  logger: Logger;
}

/** The outboxes whose backlog each registry reports, by service (the launcher has several). */
const outboxesOf = new WeakMap<Registry, Map<string, Outbox>>();

/**
 * Reports a service's outbox backlog on `registry`, read from its database at each scrape:
 * `moocflix_outbox_pending_events{service}`, the events committed and not yet published, and
 * `moocflix_outbox_oldest_pending_age_seconds{service}`, how long the oldest of them has waited (0
 * when none). With the broker down requests still succeed and /readyz only says `degraded`, so the
 * age is what to alert on: it is how late the other services learn what happened. An outbox whose
 * database does not answer is left out of that scrape rather than failing it.
 */
export function reportOutboxBacklog(options: { registry: Registry; service: string } & Outbox): void {
  const { registry, service } = options;
  let outboxes = outboxesOf.get(registry);
  if (!outboxes) {
    outboxes = new Map();
    outboxesOf.set(registry, outboxes);
    registerGauges(registry, outboxes);
  }
  outboxes.set(service, { pool: options.pool, logger: options.logger });
}

interface Backlog {
  pending: number;
  oldestAgeSeconds: number;
}

/** prom-client collects every metric of a scrape at once: reads started this recently are shared. */
const SHARED_READ_MS = 1_000;

function registerGauges(registry: Registry, outboxes: Map<string, Outbox>): void {
  let latest: { at: number; backlogs: Promise<Map<string, Backlog>> } | undefined;
  const backlogs = (): Promise<Map<string, Backlog>> => {
    if (!latest || Date.now() - latest.at > SHARED_READ_MS) {
      latest = { at: Date.now(), backlogs: readAll(outboxes) };
    }
    return latest.backlogs;
  };
  new Gauge({
    name: PENDING,
    help: 'Events committed to the outbox and not yet published to the event bus',
    labelNames: ['service'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [service, backlog] of await backlogs()) this.set({ service }, backlog.pending);
    },
  });
  new Gauge({
    name: OLDEST,
    help: 'Seconds the oldest unpublished outbox event has waited (0 when none is pending)',
    labelNames: ['service'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [service, backlog] of await backlogs()) this.set({ service }, backlog.oldestAgeSeconds);
    },
  });
}

async function readAll(outboxes: Map<string, Outbox>): Promise<Map<string, Backlog>> {
  const read = new Map<string, Backlog>();
  await Promise.all(
    [...outboxes].map(async ([service, outbox]) => {
      try {
        read.set(service, await readBacklog(outbox.pool));
      } catch (err) {
        outbox.logger.warn({ err, service }, 'could not read the outbox backlog for /metrics');
      }
    }),
  );
  return read;
}

async function readBacklog(pool: Pool): Promise<Backlog> {
  // Both from the unpublished-rows index: the count (index-only while the table is vacuumed) and the
  // oldest row by seq, which is the oldest commit's as far as the relay's order goes.
  const { rows } = await pool.query<{ pending: number; oldest: number }>(
    `SELECT (SELECT count(*) FROM platform_outbox WHERE published_at IS NULL)::int AS pending,
            COALESCE((SELECT extract(epoch FROM now() - created_at) FROM platform_outbox
                       WHERE published_at IS NULL ORDER BY seq LIMIT 1), 0)::float8 AS oldest`,
  );
  return { pending: rows[0]!.pending, oldestAgeSeconds: Math.max(0, rows[0]!.oldest) };
}
