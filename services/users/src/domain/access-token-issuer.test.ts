import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { AccessTokenIssuer } from './access-token-issuer';

import * as jose from 'jose';

const { privateKey } = generateKeyPairSync('ed25519');
const NOW_MS = 1_700_000_000_500;
const issuer = new AccessTokenIssuer({
  signingKey: { kid: 'key-1', privateKey },
  issuer: 'moocflix-users',
  audience: 'moocflix',
  ttlSeconds: 900,
  now: () => NOW_MS,
});

describe('AccessTokenIssuer', () => {
  test('signs an EdDSA JWT with kid and typ, and exactly the platform claims', async () => {
    const token = await issuer.issue({ userId: 'u1', role: 'instructor', revokedThrough: null });
    const { payload, protectedHeader } = await jose.jwtVerify(
      token.accessToken,
      createPublicKey(privateKey),
      {
        algorithms: ['EdDSA'],
        issuer: 'moocflix-users',
        audience: 'moocflix',
        currentDate: new Date(NOW_MS),
      },
    );
    expect(protectedHeader).toEqual({ alg: 'EdDSA', kid: 'key-1', typ: 'at+jwt' });
    expect(payload).toEqual({
      iss: 'moocflix-users',
      aud: 'moocflix',
      sub: 'u1',
      role: 'instructor',
      jti: token.tokenId,
      iat: 1_700_000_000,
      exp: 1_700_000_900,
    });
    expect(token).toMatchObject({ issuedAt: 1_700_000_000, expiresAt: 1_700_000_900 });
  });

  test('every token has its own jti', async () => {
    const a = await issuer.issue({ userId: 'u1', role: 'student', revokedThrough: null });
    const b = await issuer.issue({ userId: 'u1', role: 'student', revokedThrough: null });
    expect(a.tokenId).not.toBe(b.tokenId);
  });

  test('a token signed in the second of a revocation cut-off is dated after it, so it is not born revoked', async () => {
    const sameSecond = await issuer.issue({ userId: 'u1', role: 'student', revokedThrough: 1_700_000_000 });
    expect(sameSecond.issuedAt).toBe(1_700_000_001);
    expect(sameSecond.expiresAt).toBe(1_700_000_901);
    const older = await issuer.issue({ userId: 'u1', role: 'student', revokedThrough: 1_699_999_000 });
    expect(older.issuedAt).toBe(1_700_000_000);
  });
});
