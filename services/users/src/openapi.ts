import { dateTime, json, kitProblems, problem, problemSchema, rateLimited, ref } from '@moocflix/platform-http';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './domain/password-policy';

const body = (schema: string) => ({ required: true, ...json(ref(schema)) });
const userResponse = (description: string) => ({ description, ...json(ref('User')) });
const bearer = [{ bearerAuth: [] }];

/** The cookie routes' CSRF defence (see src/http/csrf.ts). */
const csrfHeader = {
  name: 'X-MoocFlix-CSRF',
  in: 'header',
  required: true,
  schema: { const: '1' },
  description: 'Must be 1: a header a cross-site form cannot send',
};
const refreshCookieParameter = {
  name: 'moocflix_refresh',
  in: 'cookie',
  required: false,
  schema: { type: 'string' },
  description: 'The refresh token, set by the API (HttpOnly: the browser sends it, scripts never see it)',
};
const setCookie = {
  'Set-Cookie': {
    description: 'moocflix_refresh=…; Path=/api/v1/users/session; Max-Age=…; HttpOnly; Secure; SameSite=Strict',
    schema: { type: 'string' },
  },
};
const csrfRefused = problem(
  'X-MoocFlix-CSRF: 1 missing, or an Origin other than the API\'s own (PUBLIC_ORIGIN, or the Host\'s)',
);
const invalidBody = problem('Invalid body: missing, malformed or unknown fields');
const unauthorized = problem('Missing, invalid, expired or revoked token');

/** The OpenAPI 3.1 document served at /api/v1/users/openapi.json. */
export const usersOpenApi = {
  openapi: '3.1.0',
  info: {
    title: 'MoocFlix User Management',
    version: '1.0.0',
    description:
      'Accounts, passwords, sessions and the token signing keys. Access tokens are EdDSA JWTs (kid, iss, aud, sub, role, jti, iat, exp); ' +
      'every service verifies them against the JWKS below. Logout, password change and deactivation revoke tokens everywhere within seconds ' +
      '(Session-Revoked events).',
  },
  servers: [{ url: '/api/v1/users' }],
  paths: {
    '/signup': {
      post: {
        summary: 'Create an account (student or instructor); emits User-Creation',
        requestBody: body('SignUp'),
        responses: {
          '201': userResponse('The new account'),
          ...kitProblems,
          '400': problem(
            'Invalid body or unacceptable password (too short, too long, too common); role admin is refused',
          ),
          '409': problem('An account with this email exists (also a deactivated one)'),
        },
      },
    },
    '/login': {
      post: {
        summary: 'Exchange email and password for an access token',
        requestBody: body('LogIn'),
        responses: {
          '200': { description: 'A fresh access token', ...json(ref('AccessToken')) },
          ...kitProblems,
          '400': invalidBody,
          '401': problem('Wrong email or password, or a deactivated account (one answer for all)'),
          ...rateLimited('Too many login attempts; see Retry-After'),
        },
      },
    },
    '/logout': {
      post: {
        summary: 'Revoke the presented token everywhere',
        security: bearer,
        responses: { '204': { description: 'Revoked' }, ...kitProblems, '400': invalidBody, '401': unauthorized },
      },
    },
    '/session': {
      post: {
        summary: 'Browser sign-in: an access token, and a refresh token in an HttpOnly cookie',
        description:
          'Answers like /login and sets `moocflix_refresh=<opaque>; Path=/api/v1/users/session; Max-Age=<REFRESH_TOKEN_TTL_SECONDS>; ' +
          'HttpOnly; Secure; SameSite=Strict`. The access token is to be kept in memory only; on page load and on a 401 the ' +
          'web console calls /session/refresh. Throttled like /login.',
        parameters: [csrfHeader],
        requestBody: body('LogIn'),
        responses: {
          '200': { description: 'A fresh access token; the refresh cookie is set', ...json(ref('AccessToken')), headers: setCookie },
          ...kitProblems,
          '400': invalidBody,
          '401': problem('Wrong email or password, or a deactivated account (one answer for all)'),
          '403': csrfRefused,
          ...rateLimited('Too many login attempts; see Retry-After'),
        },
      },
      delete: {
        summary: 'Browser sign-out: ends the refresh cookie\'s session and revokes the access token, if one is sent',
        description:
          'The refresh token family of the cookie (every token of that sign-in) is revoked and the cookie cleared (Max-Age=0). ' +
          'An access token in `Authorization: Bearer` is revoked like /logout; without one, or with one expired or revoked ' +
          'already, the sign-out still succeeds.',
        parameters: [csrfHeader, refreshCookieParameter],
        responses: {
          '204': { description: 'Signed out; the cookie is cleared', headers: setCookie },
          ...kitProblems,
          '400': invalidBody,
          '403': csrfRefused,
        },
      },
    },
    '/session/refresh': {
      post: {
        summary: "Exchange the refresh cookie for a new access token and a new refresh cookie (rotation)",
        description:
          'The presented refresh token dies; its successor is set in the cookie. A token that was rotated out and is presented ' +
          'again has been copied: the whole family (that sign-in) is revoked. A missing, unknown, expired or revoked cookie, or a ' +
          'deactivated account: 401 and the cookie cleared.',
        parameters: [csrfHeader, refreshCookieParameter],
        responses: {
          '200': { description: 'A fresh access token; a new refresh cookie is set', ...json(ref('AccessToken')), headers: setCookie },
          ...kitProblems,
          '400': invalidBody,
          '401': problem('No valid refresh token: sign in again (the cookie is cleared)'),
          '403': csrfRefused,
        },
      },
    },
    '/profile': {
      get: {
        summary: "The caller's account",
        security: bearer,
        responses: { '200': userResponse("The caller's account"), ...kitProblems, '401': unauthorized },
      },
    },
    '/profile/update': {
      put: {
        summary: "Change the caller's name, email or password; emits User-Update",
        description:
          'A new password needs currentPassword and revokes every token of the user, the one used here included; ' +
          'the answer then carries `session` {accessToken, tokenType, expiresIn}: a new token for the caller, so only the OTHER sessions end.',
        security: bearer,
        requestBody: body('ProfileUpdate'),
        responses: {
          '200': userResponse('The updated account'),
          ...kitProblems,
          '400': problem('Invalid body or unacceptable new password'),
          '401': unauthorized,
          '403': problem('currentPassword is wrong'),
          '409': problem('The new email belongs to another account'),
          ...rateLimited('Too many password attempts; see Retry-After'),
        },
      },
    },
    '/deactivate': {
      delete: {
        summary: "Deactivate the caller's account and revoke all its tokens; emits User-Update",
        security: bearer,
        responses: { '204': { description: 'Deactivated' }, ...kitProblems, '400': invalidBody, '401': unauthorized },
      },
    },
    '/.well-known/jwks.json': {
      get: {
        summary: 'Public keys that verify access tokens (several during a key rotation)',
        responses: { '200': { description: 'JSON Web Key Set', ...json(ref('Jwks')) }, ...kitProblems },
      },
    },
    '/revocations': {
      get: {
        summary: 'The token revocations in force, signed: what every service loads at start',
        description:
          'A JWT (header typ `revocations+jwt`, signed with the access-token key, verified against the ' +
          'JWKS; exp one minute after iat) whose claims list the revoked tokens still unexpired ' +
          '(`tokens: [{tokenId, expiresAt}]`) and the user-wide cut-offs still in force ' +
          '(`users: [{userId, issuedAtOrBefore, expiresAt}]`, epoch seconds). A verifier refuses ' +
          'every token until it has loaded this list, then follows Session-Revoked.',
        responses: {
          '200': {
            description: 'The signed list (compact JWS)',
            content: { 'application/jwt': { schema: { type: 'string' } } },
          },
          ...kitProblems,
        },
      },
    },
  },
  components: {
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      User: {
        type: 'object',
        required: ['id', 'email', 'name', 'role', 'status', 'createdAt', 'updatedAt'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          email: { type: 'string', format: 'email' },
          name: { type: 'string' },
          role: { enum: ['student', 'instructor', 'admin'] },
          status: { enum: ['active', 'deactivated'] },
          createdAt: dateTime,
          updatedAt: dateTime,
        },
      },
      SignUp: {
        type: 'object',
        additionalProperties: false,
        required: ['email', 'password', 'name'],
        properties: {
          email: { type: 'string', format: 'email', maxLength: 254, description: 'Trimmed and lower-cased' },
          password: {
            type: 'string',
            minLength: PASSWORD_MIN_LENGTH,
            maxLength: PASSWORD_MAX_LENGTH,
            description: 'Not one of the most common passwords',
          },
          name: { type: 'string', minLength: 1, maxLength: 200 },
          role: { enum: ['student', 'instructor'], default: 'student' },
        },
      },
      LogIn: {
        type: 'object',
        additionalProperties: false,
        required: ['email', 'password'],
        properties: { email: { type: 'string', format: 'email' }, password: { type: 'string' } },
      },
      ProfileUpdate: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          email: { type: 'string', format: 'email', maxLength: 254 },
          password: { type: 'string', minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH },
          currentPassword: { type: 'string', description: 'Required with password, refused without it' },
        },
      },
      AccessToken: {
        type: 'object',
        required: ['accessToken', 'tokenType', 'expiresIn'],
        properties: {
          accessToken: { type: 'string' },
          tokenType: { const: 'Bearer' },
          expiresIn: { type: 'integer', description: 'Seconds until the token expires' },
        },
      },
      Jwks: {
        type: 'object',
        required: ['keys'],
        properties: {
          keys: {
            type: 'array',
            items: {
              type: 'object',
              required: ['kty', 'crv', 'x', 'kid', 'alg', 'use'],
              properties: {
                kty: { const: 'OKP' },
                crv: { const: 'Ed25519' },
                x: { type: 'string' },
                kid: { type: 'string' },
                alg: { const: 'EdDSA' },
                use: { const: 'sig' },
              },
            },
          },
        },
      },
      Problem: problemSchema(),
    },
  },
};
