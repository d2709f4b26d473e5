import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ConfigError } from '@moocflix/platform-core/config';
import { generatePrivateJwk, jwkThumbprint, loadSigningKeys, SIGNING_KEYS_FILE } from './signing-key-store';

const logger = pino({ level: 'silent' });
let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'users-keys-'));
});
afterEach(() => rm(home, { recursive: true, force: true }));

describe('loadSigningKeys without JWT_PRIVATE_JWKS (make dev)', () => {
  test('generates a key on first start and persists it with mode 0600', async () => {
    const keys = await loadSigningKeys({ home, logger });
    const file = join(home, SIGNING_KEYS_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(await readFile(file, 'utf8'));
    expect(stored.keys).toHaveLength(1);
    expect(stored.keys[0].kid).toBe(keys.signingKey.kid);
    expect(keys.signingKey.kid).toBe(jwkThumbprint(stored.keys[0].x));
  });

  test('a restart reuses the persisted key', async () => {
    const first = await loadSigningKeys({ home, logger });
    const second = await loadSigningKeys({ home, logger });
    expect(second.signingKey.kid).toBe(first.signingKey.kid);
    expect(second.publicJwks).toEqual(first.publicJwks);
  });

  test('concurrent first starts agree on one key', async () => {
    const all = await Promise.all([1, 2, 3, 4].map(() => loadSigningKeys({ home, logger })));
    expect(new Set(all.map((k) => k.signingKey.kid)).size).toBe(1);
  });
});

describe('loadSigningKeys with JWT_PRIVATE_JWKS', () => {
  test('the first key signs, every key is published, and only public members are', async () => {
    const current = { ...generatePrivateJwk(), kid: 'current' };
    const previous = { ...generatePrivateJwk(), kid: 'previous' };
    const keys = await loadSigningKeys({
      privateJwks: JSON.stringify({ keys: [current, previous] }),
      home,
      logger,
    });
    expect(keys.signingKey.kid).toBe('current');
    expect(keys.publicJwks.keys).toEqual([
      { kty: 'OKP', crv: 'Ed25519', x: current.x, kid: 'current', alg: 'EdDSA', use: 'sig' },
      { kty: 'OKP', crv: 'Ed25519', x: previous.x, kid: 'previous', alg: 'EdDSA', use: 'sig' },
    ]);
    expect(JSON.stringify(keys.publicJwks)).not.toContain(current.d);
  });

  test.each([
    ['not JSON', '{'],
    ['no keys', JSON.stringify({ keys: [] })],
    ['a key without kid', JSON.stringify({ keys: [{ ...generatePrivateJwk(), kid: undefined }] })],
    ['a public key only', JSON.stringify({ keys: [{ ...generatePrivateJwk(), d: undefined }] })],
    ['an RSA key', JSON.stringify({ keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB', d: 'AQAB', kid: 'rsa' }] })],
    ['x not matching d', JSON.stringify({ keys: [{ ...generatePrivateJwk(), x: generatePrivateJwk().x }] })],
    [
      'two keys with one kid',
      JSON.stringify({
        keys: [
          { ...generatePrivateJwk(), kid: 'k' },
          { ...generatePrivateJwk(), kid: 'k' },
        ],
      }),
    ],
  ])('refuses %s with a ConfigError', async (_name, privateJwks) => {
    await expect(loadSigningKeys({ privateJwks, home, logger })).rejects.toBeInstanceOf(ConfigError);
  });
});
