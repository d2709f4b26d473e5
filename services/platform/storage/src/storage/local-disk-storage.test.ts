import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { PassThrough } from 'node:stream';
import { LocalDiskObjectStorage } from './local-disk-storage';
import { describeStorageContract, readAll } from './storage-contract';
import { InvalidObjectKeyError } from './types';

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'moocflix-storage-'));
});

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describeStorageContract(
  'LocalDiskObjectStorage',
  async () => new LocalDiskObjectStorage({ rootDir: join(workDir, 'contract') }),
);

describe('LocalDiskObjectStorage', () => {
  let rootDir: string;
  let storage: LocalDiskObjectStorage;

  beforeEach(async () => {
    rootDir = await mkdtemp(join(workDir, 'root-'));
    storage = new LocalDiskObjectStorage({ rootDir: join(rootDir, 'storage') });
    await storage.ensureBucket();
  });

  it('writes nothing outside its folder for a traversal key', async () => {
    await expect(storage.put('../../escape', 'pwned')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    await expect(storage.put('../meta/x', 'pwned')).rejects.toBeInstanceOf(InvalidObjectKeyError);
    expect(() => storage.localPath('../escape')).toThrow(InvalidObjectKeyError);
    expect(await readdir(rootDir)).toEqual(['storage']);
  });

  it('gives the file path of a key, inside its folder, for ffmpeg to read in place', async () => {
    await storage.put('videos/v1/source.mp4', 'not really a video');

    const path = storage.localPath('videos/v1/source.mp4');
    expect(path.startsWith(join(rootDir, 'storage') + sep)).toBe(true);
    expect(await readFile(path, 'utf8')).toBe('not really a video');
  });

  it('cannot presign (clients fetch through the service instead)', async () => {
    await storage.put('a', 'x');
    expect(await storage.presignGet('a')).toBeNull();
  });

  it('shows the old bytes until a streamed write completes, then the new ones', async () => {
    await storage.put('v/master.m3u8', 'old');
    const body = new PassThrough();
    const writing = storage.put('v/master.m3u8', body);
    body.write('new but ');
    await new Promise((resolve) => setTimeout(resolve, 20));

    expect((await readAll(await storage.get('v/master.m3u8'))).toString()).toBe('old');
    body.end('complete');
    await writing;
    expect((await readAll(await storage.get('v/master.m3u8'))).toString()).toBe('new but complete');
  });

  it('leaves no temporary files behind, after success or failure', async () => {
    await storage.put('ok', 'x', { contentType: 'text/plain' });
    const body = new PassThrough();
    const failing = storage.put('failed', body, { contentType: 'text/plain' });
    body.write('partial');
    body.destroy(new Error('client went away'));

    await expect(failing).rejects.toThrow('client went away');
    expect(await readdir(join(rootDir, 'storage', 'tmp'))).toEqual([]);
    expect(await storage.head('failed')).toBeNull();
  });

  it('drops the content type when an object is overwritten without one', async () => {
    await storage.put('x.json', '{}', { contentType: 'application/json' });
    await storage.put('x.json', '[]');
    expect(await storage.head('x.json')).toEqual({ key: 'x.json', size: 2 });
  });

  it('refuses a key that would make an object also a folder', async () => {
    await storage.put('a/b', 'x');
    await expect(storage.put('a', 'y')).rejects.toThrow(/both an object and a folder/);
    await expect(storage.put('a/b/c', 'y')).rejects.toThrow(/both an object and a folder/);
    expect((await readAll(await storage.get('a/b'))).toString()).toBe('x');
  });

  it('is not ready before its folder exists', async () => {
    const absent = new LocalDiskObjectStorage({ rootDir: join(rootDir, 'not-yet') });
    expect(await absent.ping()).toBe(false);
    await absent.ensureBucket();
    expect(await absent.ping()).toBe(true);
  });
});
