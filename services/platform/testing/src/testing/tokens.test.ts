import * as jose from 'jose';
import { TEST_AUDIENCE, TEST_ISSUER, TestTokenIssuer } from './tokens';

const issuer = new TestTokenIssuer({ kid: 'key-1' });
const publicKey = () => jose.importJWK(issuer.jwks.keys[0]!, 'EdDSA');

describe('TestTokenIssuer', () => {
  test('signs exactly the header and claims of a users-service access token', async () => {
    const token = await issuer.sign({
      role: 'student',
      userId: 'u1',
      jti: 't1',
      issuedAt: 1_700_000_000,
      expiresInSeconds: 600,
    });
    expect(jose.decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', kid: 'key-1', typ: 'at+jwt' });
    expect(jose.decodeJwt(token)).toEqual({
      iss: TEST_ISSUER,
      aud: TEST_AUDIENCE,
      sub: 'u1',
      role: 'student',
      jti: 't1',
      iat: 1_700_000_000,
      exp: 1_700_000_600,
    });
  });

  test('defaults: random sub and jti, issued now, 15 minutes', async () => {
    const before = Math.floor(Date.now() / 1000);
    const a = jose.decodeJwt(await issuer.sign({ role: 'admin' }));
    const b = jose.decodeJwt(await issuer.sign({ role: 'admin' }));
    expect(a.sub).not.toBe(b.sub);
    expect(a.jti).not.toBe(b.jti);
    expect(a.iat).toBeGreaterThanOrEqual(before);
    expect(a.exp! - a.iat!).toBe(900);
  });

  test('publishes only the public key, with kid, alg and use', () => {
    expect(issuer.jwks.keys).toHaveLength(1);
    const [key] = issuer.jwks.keys;
    expect(key).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: expect.any(String),
      kid: 'key-1',
      alg: 'EdDSA',
      use: 'sig',
    });
  });

  test('each issuer has its own key pair and kid', () => {
    const other = new TestTokenIssuer();
    expect(other.kid).not.toBe(issuer.kid);
    expect(other.jwks.keys[0]!.x).not.toBe(issuer.jwks.keys[0]!.x);
  });

  test('a signed token verifies against the published key', async () => {
    const { payload } = await jose.jwtVerify(await issuer.sign({ role: 'student' }), await publicKey(), {
      algorithms: ['EdDSA'],
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
    });
    expect(payload.role).toBe('student');
  });

  // The forgeries must be the real attacks, or the authenticator tests would prove nothing.
  describe('forgeries', () => {
    test('signExpired is expired beyond any clock tolerance', async () => {
      const { exp } = jose.decodeJwt(await issuer.signExpired({ role: 'student' }));
      expect(exp!).toBeLessThan(Date.now() / 1000 - 60);
    });

    test('forgeAlgNone is a well-formed unsecured JWT', () => {
      const token = issuer.forgeAlgNone({ role: 'admin', userId: 'mallory' });
      expect(token.endsWith('.')).toBe(true);
      expect(jose.UnsecuredJWT.decode(token).payload).toMatchObject({
        sub: 'mallory',
        role: 'admin',
        iss: TEST_ISSUER,
      });
    });

    test('forgeHs256WithPublicKey verifies as HS256 with the public key bytes as the secret', async () => {
      const token = issuer.forgeHs256WithPublicKey({ role: 'admin' });
      const secret = Buffer.from(issuer.jwks.keys[0]!.x!, 'base64url');
      const { protectedHeader } = await jose.jwtVerify(token, secret, { algorithms: ['HS256'] });
      expect(protectedHeader).toMatchObject({ alg: 'HS256', kid: 'key-1' });
    });

    test('signWithUnknownKid is signed by the real key under another kid', async () => {
      const token = await issuer.signWithUnknownKid({ role: 'student' }, 'retired-key');
      expect(jose.decodeProtectedHeader(token).kid).toBe('retired-key');
      await expect(jose.jwtVerify(token, await publicKey())).resolves.toBeDefined();
    });

    test('signWithoutKid is signed by the real key without a kid', async () => {
      const token = await issuer.signWithoutKid({ role: 'student' });
      expect(jose.decodeProtectedHeader(token)).not.toHaveProperty('kid');
      await expect(jose.jwtVerify(token, await publicKey())).resolves.toBeDefined();
    });

    test('signWithForeignKey claims the real kid but fails the signature check', async () => {
      const token = await issuer.signWithForeignKey({ role: 'admin' });
      expect(jose.decodeProtectedHeader(token).kid).toBe('key-1');
      await expect(jose.jwtVerify(token, await publicKey())).rejects.toBeInstanceOf(
        jose.errors.JWSSignatureVerificationFailed,
      );
    });
  });
});
