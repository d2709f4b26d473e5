import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidKey, assertValidPrefix } from './object-key';
import {
  InvalidObjectKeyError,
  ObjectNotFoundError,
  RangeNotSatisfiableError,
  type ObjectStorage,
  type StoredObjectInfo,
} from './types';
import { assertValidRange } from './byte-range';

export interface LocalDiskObjectStorageOptions {
  /** Created on first write; relative paths resolve against the working directory. */
  rootDir: string;
}

interface ObjectMetadata {
  contentType?: string;
}

/**
 * Object storage in a local folder, for `make dev`. Layout under rootDir:
 *
 *   objects/<key>       the bytes; `localPath(key)` points here so ffmpeg can read in place
 *   meta/<key>.json     the content type, when one was given (a sidecar, so `head` answers the same
 *                       as S3 and a dev server can serve HLS with the right types)
 *   tmp/                writes land here first, then are renamed into place
 *
 * Writes are atomic per file: a reader sees the old bytes or the new ones, never a half-written
 * file, because rename() within one file system replaces the target in one step. The sidecar is
 * renamed right after the bytes, so for an instant a reader may see the new bytes with the old
 * type — fine for a single-user dev machine. Nothing is fsync'ed: a power cut may lose recent
 * writes, which dev data can afford.
 *
 * Unlike S3, a key cannot be both an object and a "folder" ('a' and 'a/b'): put refuses the second.
 */
export class LocalDiskObjectStorage implements ObjectStorage {
  readonly kind = 'local' as const;
  readonly rootDir: string;
  private readonly objectsDir: string;
  private readonly metaDir: string;
  private readonly tmpDir: string;

  constructor(options: LocalDiskObjectStorageOptions) {
    this.rootDir = resolve(options.rootDir);
    this.objectsDir = join(this.rootDir, 'objects');
    this.metaDir = join(this.rootDir, 'meta');
    this.tmpDir = join(this.rootDir, 'tmp');
  }

  async put(
    key: string,
    body: Readable | Buffer | string,
    options: { contentType?: string } = {},
  ): Promise<StoredObjectInfo> {
    const tmpObject = join(this.tmpDir, randomUUID());
    const tmpMeta = `${tmpObject}.json`;
    const source =
      body instanceof Readable ? body : Readable.from([typeof body === 'string' ? Buffer.from(body) : body]);
    // pipeline() takes the caller's stream before anything is awaited: an error it emits meanwhile
    // is reported here instead of crashing the process as an unhandled 'error' event, and an
    // invalid key destroys the stream instead of leaving it stalled.
    let writer: Promise<void> | undefined;
    const writing = pipeline(
      source,
      (chunks: AsyncIterable<Buffer>) => (writer = this.writeTemp(key, tmpObject, chunks)),
    );
    try {
      await writing;
      const { size } = await stat(tmpObject);
      const target = this.objectPath(key);
      await this.makeParentDir(key, target);
      await rename(tmpObject, target).catch((err: NodeJS.ErrnoException) => {
        throw err.code === 'EISDIR' ? keyIsAFolder(key, err) : err;
      });
      const metaPath = this.metaPath(key);
      if (options.contentType === undefined) {
        await unlinkIfPresent(metaPath);
      } else {
        await writeFile(
          tmpMeta,
          JSON.stringify({ contentType: options.contentType } satisfies ObjectMetadata),
        );
        await this.makeParentDir(key, metaPath);
        await rename(tmpMeta, metaPath);
      }
      return {
        key,
        size,
        ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
      };
    } finally {
      // pipeline() rejects as soon as the source fails, while the writer may still be creating the
      // temp file; once it has settled, whatever is left of the temp files is debris.
      await writer?.catch(() => undefined);
      await unlinkIfPresent(tmpObject);
      await unlinkIfPresent(tmpMeta);
    }
  }

  async get(key: string, range?: { start: number; end: number }): Promise<Readable> {
    if (range) assertValidRange(range);
    const file = await open(this.objectPath(key), 'r').catch((err: NodeJS.ErrnoException) => {
      throw isMissing(err) ? new ObjectNotFoundError(key) : err;
    });
    try {
      // Opened before stat'ing, so the size and the bytes come from the same file even if a
      // concurrent put renames a new one into place.
      const info = await file.stat();
      if (!info.isFile()) throw new ObjectNotFoundError(key);
      if (range && range.start >= info.size) throw new RangeNotSatisfiableError(key, range);
      return file.createReadStream(range ? { start: range.start, end: range.end } : {});
    } catch (err) {
      await file.close();
      throw err;
    }
  }

  async head(key: string): Promise<StoredObjectInfo | null> {
    const info = await stat(this.objectPath(key)).catch((err: NodeJS.ErrnoException) => {
      if (isMissing(err)) return null;
      throw err;
    });
    if (!info?.isFile()) return null;
    const { contentType } = await this.readMetadata(key);
    return { key, size: info.size, ...(contentType === undefined ? {} : { contentType }) };
  }

  async delete(key: string): Promise<void> {
    await unlinkIfPresent(this.objectPath(key));
    await unlinkIfPresent(this.metaPath(key));
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (prefix === '') throw new InvalidObjectKeyError(prefix, 'refusing to delete every object');
    const objects = await this.list(prefix);
    for (const { key } of objects) await this.delete(key);
    return objects.length;
  }

  async list(prefix: string): Promise<StoredObjectInfo[]> {
    assertValidPrefix(prefix);
    // Only the folder named by the complete segments needs walking; the rest is a string filter.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    const found: StoredObjectInfo[] = [];
    for await (const { key, size } of walkFiles(join(this.objectsDir, ...folder.split('/')), folder)) {
      if (key.startsWith(prefix)) found.push({ key, size });
    }
    // S3 lists in UTF-8 byte order; Buffer.compare gives the same order for any key.
    return found.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  }

  async presignGet(key: string): Promise<string | null> {
    assertValidKey(key);
    return null;
  }

  localPath(key: string): string {
    return this.objectPath(key);
  }

  async ensureBucket(): Promise<void> {
    await mkdir(this.objectsDir, { recursive: true });
  }

  async ping(): Promise<boolean> {
    return stat(this.rootDir).then(
      (info) => info.isDirectory(),
      () => false,
    );
  }

  private async writeTemp(key: string, tmpObject: string, chunks: AsyncIterable<Buffer>): Promise<void> {
    assertValidKey(key);
    await mkdir(this.tmpDir, { recursive: true });
    const file = await open(tmpObject, 'wx');
    try {
      for await (const chunk of chunks) await file.write(chunk);
    } finally {
      await file.close();
    }
  }

  private objectPath(key: string): string {
    assertValidKey(key);
    return this.insideRoot(key, join(this.objectsDir, ...key.split('/')));
  }

  private metaPath(key: string): string {
    return this.insideRoot(key, `${join(this.metaDir, ...key.split('/'))}.json`);
  }

  /** The key grammar already rules out escapes; this re-checks the resolved path, in case it ever changes. */
  private insideRoot(key: string, path: string): string {
    if (!resolve(path).startsWith(this.rootDir + sep))
      throw new InvalidObjectKeyError(key, 'escapes the storage folder');
    return path;
  }

  private async makeParentDir(key: string, path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true }).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOTDIR' || err.code === 'EEXIST' ? keyIsAFolder(key, err) : err;
    });
  }

  private async readMetadata(key: string): Promise<ObjectMetadata> {
    try {
      return JSON.parse(await readFile(this.metaPath(key), 'utf8')) as ObjectMetadata;
    } catch (err) {
      if (isMissing(err as NodeJS.ErrnoException)) return {};
      throw err;
    }
  }
}

async function* walkFiles(dir: string, keyPrefix: string): AsyncGenerator<{ key: string; size: number }> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (isMissing(err)) return [];
    throw err;
  });
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* walkFiles(path, `${keyPrefix}${entry.name}/`);
    } else if (entry.isFile()) {
      // A file deleted since readdir is simply no longer listed.
      const info = await stat(path).catch(() => null);
      if (info) yield { key: `${keyPrefix}${entry.name}`, size: info.size };
    }
  }
}

/** ENOTDIR too: a path that runs through an object ('a/b' when 'a' is a file) names nothing. */
function isMissing(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ENOENT' || err.code === 'ENOTDIR';
}

async function unlinkIfPresent(path: string): Promise<void> {
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (!isMissing(err) && err.code !== 'EISDIR') throw err;
  });
}

function keyIsAFolder(key: string, cause: Error): Error {
  return new Error(`Cannot store ${key}: on local disk a key cannot be both an object and a folder`, {
    cause,
  });
}
