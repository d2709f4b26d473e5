import { resolve } from 'node:path';
import { ConfigError } from '@moocflix/platform-core/config';
import { LocalDiskObjectStorage } from './local-disk-storage';
import { S3ObjectStorage } from './s3-storage';
import { createObjectStorage, loadStorageConfig } from './storage-config';

describe('createObjectStorage', () => {
  it('keeps objects on the local disk under .moocflix/storage when nothing is configured', () => {
    const storage = createObjectStorage(loadStorageConfig({}));

    expect(storage).toBeInstanceOf(LocalDiskObjectStorage);
    expect((storage as LocalDiskObjectStorage).rootDir).toBe(resolve('.moocflix/storage'));
  });

  it('honours STORAGE_DIR', () => {
    const storage = createObjectStorage(loadStorageConfig({ STORAGE_DIR: '/var/lib/moocflix' }));
    expect((storage as LocalDiskObjectStorage).rootDir).toBe('/var/lib/moocflix');
  });

  it('switches to S3 when S3_ENDPOINT is set, with the moocflix bucket by default', () => {
    const storage = createObjectStorage(
      loadStorageConfig({
        S3_ENDPOINT: 'http://127.0.0.1:8333',
        S3_ACCESS_KEY_ID: 'id',
        S3_SECRET_ACCESS_KEY: 'secret',
      }),
    );

    expect(storage).toBeInstanceOf(S3ObjectStorage);
    expect((storage as S3ObjectStorage).bucket).toBe('moocflix');
    (storage as S3ObjectStorage).close();
  });

  it('switches to S3 on AWS itself when only S3_BUCKET is set', () => {
    const storage = createObjectStorage(
      loadStorageConfig({ S3_BUCKET: 'courses-eu', S3_REGION: 'eu-west-1' }),
    );

    expect(storage).toBeInstanceOf(S3ObjectStorage);
    expect((storage as S3ObjectStorage).bucket).toBe('courses-eu');
    (storage as S3ObjectStorage).close();
  });

  it('names the variables when only half of the S3 credentials are set', () => {
    expect(() => loadStorageConfig({ S3_ENDPOINT: 'http://s3:8333', S3_ACCESS_KEY_ID: 'id' })).toThrow(
      ConfigError,
    );
    expect(() => loadStorageConfig({ S3_ENDPOINT: 'http://s3:8333', S3_ACCESS_KEY_ID: 'id' })).toThrow(
      /S3_SECRET_ACCESS_KEY/,
    );
  });

  it('refuses an S3_ENDPOINT that is not a URL and reads S3_FORCE_PATH_STYLE as a boolean', () => {
    expect(() => loadStorageConfig({ S3_ENDPOINT: 'not a url' })).toThrow(/S3_ENDPOINT/);
    expect(loadStorageConfig({}).S3_FORCE_PATH_STYLE).toBe(true);
    expect(loadStorageConfig({ S3_FORCE_PATH_STYLE: 'false' }).S3_FORCE_PATH_STYLE).toBe(false);
  });
});
