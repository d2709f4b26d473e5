import { randomBytes, randomUUID } from 'node:crypto';
import type { Topic } from '@moocflix/platform-bus';
import { readOutbox } from '@moocflix/platform-testing';
import type { UsersTestService } from './users-test-service';

export const BASE = '/api/v1/users';
/** Long, uncommon: passes the password policy. */
export const PASSWORD = 'violet kettle on the moon';

export const uniqueEmail = (label = 'user') => `${label}-${randomUUID()}@example.org`;

/** A client address of its own per test (startUsersService trusts X-Forwarded-For from 127.0.0.1), so throttling stays per test. */
export const clientIp = () => `10.${[...randomBytes(3)].join('.')}`;

export async function signUp(
  service: UsersTestService,
  overrides: Partial<{ email: string; password: string; name: string; role: string }> = {},
): Promise<{ id: string; email: string; password: string }> {
  const body = { email: uniqueEmail(), password: PASSWORD, name: 'Ada Lovelace', ...overrides };
  const res = await service.request('POST', `${BASE}/signup`, { body });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`);
  return { id: res.body.id, email: res.body.email, password: body.password };
}

export async function logIn(
  service: UsersTestService,
  email: string,
  password: string,
  ip = clientIp(),
): Promise<string> {
  const res = await service.request('POST', `${BASE}/login`, {
    body: { email, password },
    headers: { 'x-forwarded-for': ip },
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return res.body.accessToken;
}

export async function userRow(service: UsersTestService, id: string) {
  const { rows } = await service.pool.query('SELECT * FROM users WHERE id = $1', [id]);
  return rows[0];
}

/** The outbox rows of `topic` about `subject`: exactly what the service committed with its business rows. */
export function outboxRows(service: UsersTestService, topic: Topic, subject: string) {
  return readOutbox(service.pool, topic, subject);
}

// One problem check for every service's tests (the kit's).
export { expectProblem } from '@moocflix/platform-testing';
