import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UploadSpool, UploadTooLargeError } from './upload-spool';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upload-spool-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const chunks = (count: number, size: number) =>
  Array.from({ length: count }, (_, i) => Buffer.alloc(size, i));

describe('UploadSpool', () => {
  it('passes the bytes through unchanged while copying, counting and hashing them', async () => {
    const input = chunks(10, 1000);
    const expected = Buffer.concat(input);
    const copyPath = join(dir, 'copy-1');
    const spool = new UploadSpool(copyPath, 10_000);
    const passed: Buffer[] = [];
    await pipeline(Readable.from(input), spool, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) passed.push(chunk);
    });
    expect(Buffer.concat(passed).equals(expected)).toBe(true);
    expect((await readFile(copyPath)).equals(expected)).toBe(true);
    expect(spool.bytes).toBe(10_000);
    expect(spool.checksum).toBe(createHash('sha256').update(expected).digest('hex'));
  });

  it('without a copy path, passes, counts and hashes the bytes and writes no file', async () => {
    const input = chunks(4, 1000);
    const spool = new UploadSpool(null, 10_000);
    const passed: Buffer[] = [];
    await pipeline(Readable.from(input), spool, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) passed.push(chunk);
    });
    expect(Buffer.concat(passed).equals(Buffer.concat(input))).toBe(true);
    expect(spool.bytes).toBe(4_000);
    expect(spool.checksum).toBe(createHash('sha256').update(Buffer.concat(input)).digest('hex'));
  });

  it('fails the upload when its copy cannot be written, instead of waiting for the copy forever', async () => {
    // More than the copy's buffer, so the spool waits for a 'drain' that never comes.
    const spool = new UploadSpool(join(dir, 'no-such-folder', 'copy'), 1024 ** 3);
    const reading = pipeline(Readable.from(chunks(40, 64 * 1024)), spool, new PassThrough().resume());
    await expect(reading).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('fails with UploadTooLargeError one byte past the limit', async () => {
    const spool = new UploadSpool(join(dir, 'copy-2'), 9_999);
    const reading = pipeline(Readable.from(chunks(10, 1000)), spool, new PassThrough().resume());
    await expect(reading).rejects.toBeInstanceOf(UploadTooLargeError);
  });

  it('holds at most a few chunks when nobody reads its output: back-pressure reaches the source', async () => {
    let produced = 0;
    const source = new Readable({
      read() {
        produced += 1;
        this.push(Buffer.alloc(64 * 1024));
      },
    });
    const spool = new UploadSpool(join(dir, 'copy-3'), 1024 ** 3);
    source.pipe(spool);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Nothing consumes the spool: the source must have stopped after about a megabyte (the piece
    // being gathered, one passed on and waiting), not kept going.
    expect(produced * 64 * 1024).toBeLessThan(2 * 1024 * 1024);
    source.destroy();
    spool.destroy();
  });

  it('refuses to overwrite an existing copy (the temp path must be fresh)', async () => {
    const spool = new UploadSpool(join(dir, 'copy-1'), 10_000);
    await expect(
      pipeline(Readable.from(chunks(1, 10)), spool, new PassThrough().resume()),
    ).rejects.toMatchObject({ code: 'EEXIST' });
  });

  it('has no checksum before the end', () => {
    const spool = new UploadSpool(join(dir, 'copy-4'), 10);
    expect(() => spool.checksum).toThrow(/not been read to its end/);
    spool.destroy();
  });
});
