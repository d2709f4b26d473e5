import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  InvalidObjectKeyError,
  ObjectNotFoundError,
  RangeNotSatisfiableError,
  type ObjectStorage,
} from './types';

/**
 * The behaviour every ObjectStorage adapter must share, run against each of them: the local disk in
 * the unit tier, a real S3 server in the integration tier. Each run works under its own random
 * prefix, so runs can share a bucket and never see each other's objects.
 */
/**
 * The integration project's testTimeout is not applied (jest reads testTimeout from the global
 * config only), so the tests that move tens of MB over HTTP say how long they may take.
 */
const BULK_TEST_TIMEOUT_MS = 60_000;

export function describeStorageContract(name: string, makeStorage: () => Promise<ObjectStorage>): void {
  describe(`${name} satisfies the ObjectStorage contract`, () => {
    let storage: ObjectStorage;
    const base = `contract-${randomUUID()}/`;
    const keyOf = (path: string) => `${base}${path}`;

    beforeAll(async () => {
      storage = await makeStorage();
      await storage.ensureBucket();
    });

    afterAll(async () => {
      await storage.deletePrefix(base);
    });

    it('is reachable, and ensureBucket may run again', async () => {
      await storage.ensureBucket();
      expect(await storage.ping()).toBe(true);
    });

    it('round-trips a string, a Buffer and a stream', async () => {
      const bytes = randomBytes(1000);
      await storage.put(keyOf('rt/string.txt'), 'héllo wörld');
      await storage.put(keyOf('rt/buffer.bin'), bytes);
      const streamed = await storage.put(
        keyOf('rt/stream.bin'),
        Readable.from([bytes.subarray(0, 300), bytes.subarray(300)]),
      );

      expect((await readAll(await storage.get(keyOf('rt/string.txt')))).toString('utf8')).toBe('héllo wörld');
      expect(await readAll(await storage.get(keyOf('rt/buffer.bin')))).toEqual(bytes);
      expect(await readAll(await storage.get(keyOf('rt/stream.bin')))).toEqual(bytes);
      expect(streamed).toMatchObject({ key: keyOf('rt/stream.bin'), size: 1000 });
    });

    it('stores an empty object', async () => {
      expect(await storage.put(keyOf('empty'), Buffer.alloc(0))).toMatchObject({ size: 0 });
      expect(await readAll(await storage.get(keyOf('empty')))).toHaveLength(0);
      expect(await storage.head(keyOf('empty'))).toMatchObject({ size: 0 });
    });

    it(
      'streams a ~20 MB upload through (multipart on S3) and reads back the same bytes and ranges',
      async () => {
        const data = randomBytes(20_000_000);
        const info = await storage.put(keyOf('big/video.mp4'), chunked(data, 64 * 1024), {
          contentType: 'video/mp4',
        });

        expect(info).toMatchObject({ size: data.length, contentType: 'video/mp4' });
        expect(await sha256Of(await storage.get(keyOf('big/video.mp4')))).toBe(
          createHash('sha256').update(data).digest('hex'),
        );
        expect(await storage.head(keyOf('big/video.mp4'))).toMatchObject({
          size: data.length,
          contentType: 'video/mp4',
        });
        // Crosses the boundary between the first two 8 MiB parts.
        const start = 8 * 1024 * 1024 - 10;
        expect(await readAll(await storage.get(keyOf('big/video.mp4'), { start, end: start + 19 }))).toEqual(
          data.subarray(start, start + 20),
        );
      },
      BULK_TEST_TIMEOUT_MS,
    );

    it('serves inclusive byte ranges, clamps an end past the object, refuses a start past it', async () => {
      const key = keyOf('range/alphabet.txt');
      await storage.put(key, 'abcdefghijklmnopqrstuvwxyz');
      const text = async (range: { start: number; end: number }) =>
        (await readAll(await storage.get(key, range))).toString();

      expect(await text({ start: 0, end: 0 })).toBe('a');
      expect(await text({ start: 3, end: 6 })).toBe('defg');
      expect(await text({ start: 20, end: 1000 })).toBe('uvwxyz');
      await expect(storage.get(key, { start: 26, end: 30 })).rejects.toBeInstanceOf(RangeNotSatisfiableError);
      await expect(storage.get(key, { start: 5, end: 2 })).rejects.toBeInstanceOf(RangeError);
      await expect(storage.get(key, { start: -1, end: 2 })).rejects.toBeInstanceOf(RangeError);
    });

    it('answers head with size and content type, and null for a missing key', async () => {
      await storage.put(keyOf('head/index.m3u8'), '#EXTM3U\n', {
        contentType: 'application/vnd.apple.mpegurl',
      });

      expect(await storage.head(keyOf('head/index.m3u8'))).toMatchObject({
        key: keyOf('head/index.m3u8'),
        size: 8,
        contentType: 'application/vnd.apple.mpegurl',
      });
      expect(await storage.head(keyOf('head/missing'))).toBeNull();
      // A "folder" is not an object.
      expect(await storage.head(keyOf('head'))).toBeNull();
    });

    it('throws ObjectNotFoundError when getting a missing key, with or without a range', async () => {
      await expect(storage.get(keyOf('missing/x'))).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(storage.get(keyOf('missing/x'), { start: 0, end: 1 })).rejects.toBeInstanceOf(
        ObjectNotFoundError,
      );
      await expect(storage.get(keyOf('missing/x'))).rejects.toMatchObject({ key: keyOf('missing/x') });
    });

    it('overwrites an object, replacing its bytes and content type', async () => {
      const key = keyOf('overwrite/poster.jpg');
      await storage.put(key, 'first version', { contentType: 'text/plain' });
      await storage.put(key, 'second', { contentType: 'image/jpeg' });

      expect((await readAll(await storage.get(key))).toString()).toBe('second');
      expect(await storage.head(key)).toMatchObject({ size: 6, contentType: 'image/jpeg' });
    });

    it('keeps keys with nested slashes apart and lists them in key order with sizes', async () => {
      await storage.put(keyOf('tree/b/2/seg-001.m4s'), 'xx');
      await storage.put(keyOf('tree/a/1.txt'), 'x');
      await storage.put(keyOf('tree/a/1/deeper/file'), 'xxx');
      await storage.put(keyOf('tree/b/10/seg-001.m4s'), 'xxxx');

      expect(await storage.list(keyOf('tree/'))).toEqual([
        expect.objectContaining({ key: keyOf('tree/a/1.txt'), size: 1 }),
        expect.objectContaining({ key: keyOf('tree/a/1/deeper/file'), size: 3 }),
        expect.objectContaining({ key: keyOf('tree/b/10/seg-001.m4s'), size: 4 }),
        expect.objectContaining({ key: keyOf('tree/b/2/seg-001.m4s'), size: 2 }),
      ]);
      expect((await readAll(await storage.get(keyOf('tree/a/1/deeper/file')))).toString()).toBe('xxx');
    });

    it('treats list and deletePrefix prefixes as plain string prefixes', async () => {
      for (const path of ['prefix/video-1/a', 'prefix/video-1/b', 'prefix/video-10/a', 'prefix/video-2/a']) {
        await storage.put(keyOf(path), path);
      }

      expect((await storage.list(keyOf('prefix/video-1'))).map((o) => o.key)).toEqual([
        keyOf('prefix/video-1/a'),
        keyOf('prefix/video-1/b'),
        keyOf('prefix/video-10/a'),
      ]);
      expect(await storage.list(keyOf('prefix/nothing-here/'))).toEqual([]);
      expect(await storage.deletePrefix(keyOf('prefix/video-1/'))).toBe(2);
      expect((await storage.list(keyOf('prefix/'))).map((o) => o.key)).toEqual([
        keyOf('prefix/video-10/a'),
        keyOf('prefix/video-2/a'),
      ]);
      expect(await storage.deletePrefix(keyOf('prefix/'))).toBe(2);
      expect(await storage.list(keyOf('prefix/'))).toEqual([]);
      expect(await storage.deletePrefix(keyOf('prefix/'))).toBe(0);
    });

    it('deletes idempotently', async () => {
      await storage.put(keyOf('delete/me'), 'x');
      await storage.delete(keyOf('delete/me'));
      await storage.delete(keyOf('delete/me'));
      expect(await storage.head(keyOf('delete/me'))).toBeNull();
    });

    it(
      'stores nothing when the source stream fails midway',
      async () => {
        const key = keyOf('failed/upload.bin');
        // Past one 8 MiB part, so S3 has a multipart upload to abort.
        const source = Readable.from(
          (async function* () {
            yield* chunked(randomBytes(9 * 1024 * 1024), 1024 * 1024);
            throw new Error('client went away');
          })(),
        );

        await expect(storage.put(key, source)).rejects.toThrow();
        expect(await storage.head(key)).toBeNull();
      },
      BULK_TEST_TIMEOUT_MS,
    );

    it.each([
      ['a parent reference', '../escape'],
      ['a nested parent reference', 'a/../../escape'],
      ['an absolute path', '/etc/passwd'],
      ['a dot segment', 'a/./b'],
      ['a doubled slash', 'a//b'],
      ['a trailing slash', 'a/'],
      ['a backslash', 'a\\..\\b'],
      ['a NUL byte', 'a\u0000b'],
      ['a newline', 'a\nb'],
      ['the empty key', ''],
      ['more than 1024 bytes', 'x'.repeat(1025)],
    ])('refuses a key with %s on every operation', async (_what, key) => {
      await expect(storage.put(key, 'x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(storage.get(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(storage.head(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(storage.delete(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(storage.presignGet(key, 60)).rejects.toBeInstanceOf(InvalidObjectKeyError);
    });

    it('refuses prefixes that escape or that would delete everything', async () => {
      await expect(storage.list('../')).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(storage.list('a/../../x')).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(storage.deletePrefix('/')).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(storage.deletePrefix('')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    });
  });
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function sha256Of(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A stream that hands `data` over in `size`-byte chunks, like a socket would. */
function chunked(data: Buffer, size: number): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
    })(),
  );
}
