import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { ConfigError } from '@moocflix/platform-core/config';
import type { SigningKey } from '../domain/access-token-issuer';

/** A public Ed25519 key as published on the JWKS endpoint. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

export interface SigningKeys {
  /** Signs every new token: the first key of the set. */
  signingKey: SigningKey;
  /** The public halves of ALL keys: during a rotation tokens of the old key must still verify. */
  publicJwks: { keys: PublicJwk[] };
}

const privateJwkSchema = z.looseObject({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().min(1),
  d: z.string().min(1),
  kid: z.string().min(1).max(200),
});
const privateJwksSchema = z.looseObject({ keys: z.array(privateJwkSchema).min(1) });
type PrivateJwk = z.infer<typeof privateJwkSchema>;

export const SIGNING_KEYS_FILE = join('keys', 'users-signing-jwks.json');

/**
 * Where the signing keys come from:
 * - `privateJwks` (JWT_PRIVATE_JWKS, a Secret in a cluster): a JWKS of private Ed25519 keys; the
 *   first signs, all are published. To rotate, put the new key LAST first, wait for every verifier to
 *   have refetched the JWKS (the kit caches it, and refetches an unknown kid at most every 30 s),
 *   then move it first; drop the old key once its last tokens expired.
 * - otherwise `make dev`: a key generated on the first start and kept in
 *   `<MOOCFLIX_HOME>/keys/users-signing-jwks.json` (mode 0600), so a restart keeps tokens valid.
 */
export async function loadSigningKeys(options: {
  privateJwks?: string;
  home: string;
  logger: Logger;
}): Promise<SigningKeys> {
  if (options.privateJwks !== undefined) return fromJwks(parseConfiguredJwks(options.privateJwks));
  const file = join(options.home, SIGNING_KEYS_FILE);
  return fromJwks(await readOrCreateKeyFile(file, options.logger));
}

function parseConfiguredJwks(text: string): PrivateJwk[] {
  const json = parseJson(text);
  if (json === undefined) throw new ConfigError(['JWT_PRIVATE_JWKS: not JSON']);
  const parsed = privateJwksSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError([
      `JWT_PRIVATE_JWKS: expected {"keys": [private Ed25519 JWKs with kid]}: ${parsed.error.issues[0]?.message}`,
    ]);
  }
  return parsed.data.keys;
}

function fromJwks(keys: PrivateJwk[]): SigningKeys {
  const kids = new Set(keys.map((k) => k.kid));
  if (kids.size !== keys.length) throw new ConfigError(['JWT_PRIVATE_JWKS: two keys share a kid']);
  const loaded = keys.map((jwk) => ({ jwk, privateKey: toPrivateKey(jwk) }));
  const [first] = loaded;
  if (!first) throw new ConfigError(['JWT_PRIVATE_JWKS: no key']);
  return {
    signingKey: { kid: first.jwk.kid, privateKey: first.privateKey },
    // Built member by member from the derived public key: no private member (`d`) can slip through.
    publicJwks: { keys: loaded.map(({ jwk, privateKey }) => publicJwkOf(privateKey, jwk.kid)) },
  };
}

function toPrivateKey(jwk: PrivateJwk): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, format: 'jwk' });
  } catch {
    throw new ConfigError([`JWT_PRIVATE_JWKS: key ${jwk.kid} is not a valid Ed25519 private key`]);
  }
  // A mismatched x would publish a key that verifies nothing this service signs.
  if (publicJwkOf(key, jwk.kid).x !== jwk.x)
    throw new ConfigError([`JWT_PRIVATE_JWKS: key ${jwk.kid}: x does not match d`]);
  return key;
}

function publicJwkOf(privateKey: KeyObject, kid: string): PublicJwk {
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof x !== 'string') throw new Error('Ed25519 public key without x');
  return { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' };
}

/** RFC 7638 thumbprint: a kid derived from the key itself, stable across restarts. */
export function jwkThumbprint(x: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x }))
    .digest('base64url');
}

export function generatePrivateJwk(): PrivateJwk {
  const { privateKey } = generateKeyPairSync('ed25519');
  const { x, d } = privateKey.export({ format: 'jwk' });
  if (typeof x !== 'string' || typeof d !== 'string') throw new Error('Ed25519 key export without x/d');
  return { kty: 'OKP', crv: 'Ed25519', x, d, kid: jwkThumbprint(x) };
}

async function readOrCreateKeyFile(file: string, logger: Logger): Promise<PrivateJwk[]> {
  const existing = await readKeyFile(file);
  if (existing) {
    const mode = (await stat(file)).mode & 0o777;
    if (mode & 0o077)
      logger.warn(
        { file, mode: mode.toString(8) },
        'signing key file is readable by other users; chmod 600 it',
      );
    return existing;
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const jwks = { keys: [generatePrivateJwk()] };
  // Written aside, then linked into place: link fails if another process (a second `make dev`)
  // won the race, and nobody ever reads a half-written file.
  const temporary = `${file}.${randomUUID()}.tmp`;
  await writeFile(temporary, JSON.stringify(jwks, null, 2), { mode: 0o600 });
  try {
    await link(temporary, file);
    logger.info({ file, kid: jwks.keys[0]?.kid }, 'generated a new token signing key');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  const stored = await readKeyFile(file);
  if (!stored) throw new Error(`signing key file ${file} vanished`);
  return stored;
}

async function readKeyFile(file: string): Promise<PrivateJwk[] | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const parsed = privateJwksSchema.safeParse(parseJson(text));
  if (!parsed.success)
    throw new Error(
      `signing key file ${file} is not a JWKS of Ed25519 private keys; move it away to generate a new one`,
    );
  return parsed.data.keys;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
