import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ConfigError } from '@moocflix/platform-core/config';
import type { ContentConfig } from './content-config';

const KEY_FILE = 'keys/content-playback.key';

/**
 * The playback-token HMAC key: PLAYBACK_TOKEN_SECRET when set; refused when missing in a cluster
 * (replicas with different keys would reject each other's tokens at random); in dev a random key
 * generated once into MOOCFLIX_HOME, so tokens survive a restart of `make dev`.
 */
export async function loadPlaybackKey(config: ContentConfig, logger: Logger): Promise<Buffer> {
  if (config.PLAYBACK_TOKEN_SECRET) return Buffer.from(config.PLAYBACK_TOKEN_SECRET, 'utf8');
  if (config.KUBERNETES_SERVICE_HOST) {
    throw new ConfigError([
      'PLAYBACK_TOKEN_SECRET: required when running in a cluster (shared by every content replica)',
    ]);
  }
  const path = resolve(join(config.MOOCFLIX_HOME, KEY_FILE));
  const existing = await readKey(path);
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  try {
    await writeFile(path, randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
    logger.info({ path }, 'generated a playback token key for dev');
  } catch (err) {
    // Another process (a second `make dev`) wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return (await readKey(path))!;
}

async function readKey(path: string): Promise<Buffer | undefined> {
  try {
    const key = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64url');
    if (key.length < 32)
      throw new Error(`${path} holds a key shorter than 32 bytes; delete it to generate a new one`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
