/** What a problem check reads of a response (the harness's TestResponse has it all). */
export interface ProblemResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * The one check that an answer is a problem (RFC 9457) as the kit writes it, for every service's
 * tests: this status, `application/problem+json`, and a body with the same status, a problem type
 * under https://moocflix.io/problems/ and a title — and the `reason` when one is given. Never a
 * bare or HTML error.
 */
export function expectProblem(response: ProblemResponse, status: number, reason?: string): void {
  expect({ status: response.status, contentType: response.headers.get('content-type') }).toEqual({
    status,
    contentType: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(response.body).toMatchObject({
    status,
    type: expect.stringMatching(/^https:\/\/moocflix\.io\/problems\//),
    title: expect.any(String),
    ...(reason === undefined ? {} : { reason }),
  });
}
