import { randomUUID } from 'node:crypto';
import { S3ObjectStorage, type S3ObjectStorageOptions } from './s3-storage';
import { describeStorageContract } from './storage-contract';

// One bucket per run, created by ensureBucket, so the create path is exercised too.
const options: S3ObjectStorageOptions = {
  endpoint: requiredEnv('S3_ENDPOINT'),
  region: process.env.S3_REGION ?? 'us-east-1',
  bucket: `moocflix-test-${randomUUID().slice(0, 8)}`,
  accessKeyId: requiredEnv('S3_ACCESS_KEY_ID'),
  secretAccessKey: requiredEnv('S3_SECRET_ACCESS_KEY'),
  forcePathStyle: (process.env.S3_FORCE_PATH_STYLE ?? 'true') === 'true',
};
const storages: S3ObjectStorage[] = [];

function connect(overrides: Partial<S3ObjectStorageOptions> = {}): S3ObjectStorage {
  const storage = new S3ObjectStorage({ ...options, ...overrides });
  storages.push(storage);
  return storage;
}

afterAll(() => {
  for (const storage of storages) storage.close();
});

describeStorageContract('S3ObjectStorage', async () => connect());

describe('S3ObjectStorage against a real S3 server', () => {
  const storage = connect();
  const base = `s3-only-${randomUUID()}/`;

  beforeAll(async () => {
    await storage.ensureBucket();
  });

  afterAll(async () => {
    await storage.deletePrefix(base);
  });

  it('makes presigned GET URLs that plain fetch can read, and that stop working when tampered with', async () => {
    await storage.put(`${base}poster.jpg`, 'jpeg bytes', { contentType: 'image/jpeg' });
    const url = await storage.presignGet(`${base}poster.jpg`, 60);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(await response.text()).toBe('jpeg bytes');

    const tampered = new URL(url);
    tampered.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    expect((await fetch(tampered)).status).toBe(403);
  });

  it('is refused by the server when the secret key is wrong', async () => {
    const impostor = connect({ secretAccessKey: 'not-the-secret' });

    expect(await impostor.ping()).toBe(false);
    await expect(impostor.put(`${base}forged`, 'x')).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
    expect(await storage.head(`${base}forged`)).toBeNull();
  });

  it('lists and deletes past one page of 1000 keys', async () => {
    // The fewest keys that take two pages and two DeleteObjects batches (writing them is the slow part).
    const keys = Array.from({ length: 1001 }, (_, i) => `${base}many/${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => storage.put(key, 'x')));
    }

    expect((await storage.list(`${base}many/`)).map((o) => o.key)).toEqual(keys);
    expect(await storage.deletePrefix(`${base}many/`)).toBe(1001);
    expect(await storage.list(`${base}many/`)).toEqual([]);
  }, 120_000);

  it('reports a bucket it cannot reach as not ready', async () => {
    const elsewhere = connect({ bucket: `moocflix-absent-${randomUUID().slice(0, 8)}` });
    expect(await elsewhere.ping()).toBe(false);
  });
});

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through the integration tier (e2e/stack sets it)`);
  return value;
}
