import { randomUUID } from 'node:crypto';
import type { Role } from '@moocflix/platform-http/auth';
import type { Pool } from '@moocflix/platform-db';
import type { CloudEvent, EventBus, Topic } from '@moocflix/platform-bus';
import type { RequestOptions, TestResponse, TestService } from './service-harness';
import { readOutbox, republishEvent, type OutboxRow } from './test-events';

/** A user who exists only as a signed token: services trust the token's claims, not a users table. */
export interface TestUser {
  id: string;
  role: Role;
  token: string;
}

/**
 * What every service's integration-test support class shares: the running service, its bus, its
 * database, users with real tokens, and requests under the service's base path. Each service extends
 * it with what is its own (fixtures, recorders, row readers).
 */
export class ServiceUnderTest<Bus extends EventBus = EventBus> {
  constructor(
    readonly service: TestService,
    readonly bus: Bus,
    /** Prefixed to every request() path, e.g. '/api/v1/courses'. */
    private readonly basePath: string,
    /** false when the bus was handed in and belongs to the caller. */
    private readonly ownsBus = true,
  ) {}

  /** The service's own database, to assert rows. */
  get db(): Pool {
    return this.service.ctx.pool;
  }

  async user(role: Role): Promise<TestUser> {
    const id = randomUUID();
    return { id, role, token: await this.service.issuer.sign({ role, userId: id }) };
  }

  /** One user per role, in order. */
  users<R extends Role[]>(...roles: R): Promise<{ [K in keyof R]: TestUser }> {
    return Promise.all(roles.map((role) => this.user(role))) as Promise<{ [K in keyof R]: TestUser }>;
  }

  /** A request under the base path, as `as` (anonymous when undefined). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read response fields directly; T narrows it when wanted
  request<T = any>(
    method: string,
    path: string,
    as: TestUser | undefined,
    options: Omit<RequestOptions, 'token'> = {},
  ): Promise<TestResponse<T> & { text: string }> {
    return this.service.request<T>(method, `${this.basePath}${path}`, { ...options, token: as?.token });
  }

  /** Publishes an already-built event again: a redelivery, same id. */
  republish(topic: Topic, event: CloudEvent): Promise<void> {
    return republishEvent(this.bus, topic, event);
  }

  /** The outbox rows of `topic` about `subject`, oldest first: what the service committed to emit. */
  outboxRows(topic: Topic, subject: string): Promise<OutboxRow[]> {
    return readOutbox(this.db, topic, subject);
  }

  async close(): Promise<void> {
    await this.service.close();
    if (this.ownsBus) await this.bus.close();
  }
}
