import { kitProblems } from '@moocflix/platform-http';
import { assessmentsOpenApi } from '../../assessments/src/openapi';
import { contentOpenApi } from '../../content/src/openapi';
import { coursesOpenApi } from '../../courses/src/openapi';
import { notificationsOpenApi } from '../../notifications/src/openapi';
import { transcoderOpenApi } from '../../transcoder/src/openapi';
import { usersOpenApi } from '../../users/src/openapi';

/*
 * Every status a route can answer is in its service's document: what the kit answers on any route
 * (kitProblems: 400, 405, 413, 415, 431), 401 where a bearer token is checked, and 429 with
 * Retry-After where attempts are counted. A generated client or a conformance checker otherwise
 * meets answers the document never mentioned.
 */

const DOCUMENTS = {
  users: usersOpenApi,
  courses: coursesOpenApi,
  content: contentOpenApi,
  transcoder: transcoderOpenApi,
  assessments: assessmentsOpenApi,
  notifications: notificationsOpenApi,
};

/** The operations that count attempts and answer 429 past a limit (the login throttle). */
const RATE_LIMITED = ['users POST /login', 'users PUT /profile/update'];

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

interface Operation {
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}
interface Document {
  security?: Array<Record<string, string[]>>;
  paths: Record<string, Record<string, unknown>>;
}

const operations = Object.entries(DOCUMENTS).flatMap(([service, document]) =>
  Object.entries((document as unknown as Document).paths).flatMap(([path, item]) =>
    METHODS.filter((method) => method in item).map((method) => ({
      name: `${service} ${method.toUpperCase()} ${path}`,
      operation: item[method] as Operation,
      document: document as unknown as Document,
    })),
  ),
);

/** Whether a bearer token is checked: some security requirement of the operation names a scheme. */
const checksToken = (document: Document, operation: Operation) =>
  (operation.security ?? document.security ?? []).some((requirement) => Object.keys(requirement).length > 0);

describe('OpenAPI documents list every status a route can answer', () => {
  it('covers every service, and the rate-limited operations exist', () => {
    expect(operations.length).toBeGreaterThan(30);
    const names = operations.map((o) => o.name);
    for (const name of RATE_LIMITED) expect(names).toContain(name);
  });

  it.each(operations.map((o) => [o.name, o]))('%s', (name, { operation, document }) => {
    const statuses = Object.keys(operation.responses);
    const expected = [
      ...Object.keys(kitProblems),
      ...(checksToken(document, operation) ? ['401'] : []),
      ...(RATE_LIMITED.includes(name) ? ['429'] : []),
    ];
    expect(expected.filter((status) => !statuses.includes(status))).toEqual([]);
    if (RATE_LIMITED.includes(name))
      expect(operation.responses['429']!.headers).toHaveProperty('Retry-After');
    // Every error is problem+json, as the kit sends it.
    for (const status of statuses.filter((s) => Number(s) >= 400)) {
      expect([status, Object.keys(operation.responses[status]!.content ?? {})]).toEqual([
        status,
        ['application/problem+json'],
      ]);
    }
  });
});
