import type { Logger } from 'pino';
import { z } from 'zod';
import { env, loadConfig } from '@moocflix/platform-core/config';
import { LocalDiskObjectStorage } from './local-disk-storage';
import { S3ObjectStorage } from './s3-storage';
import type { ObjectStorage } from './types';

const DEFAULT_BUCKET = 'moocflix';

/**
 * Object storage settings. S3 is chosen when S3_ENDPOINT (an S3-compatible server) or S3_BUCKET
 * (AWS itself, endpoint from the region) is set; otherwise objects live under STORAGE_DIR on the
 * local disk, which is what `make dev` wants. Without S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY the
 * AWS SDK's default credential chain applies (e.g. IRSA on EKS).
 */
export const storageConfigSchema = z
  .object({
    S3_ENDPOINT: env.url(),
    S3_REGION: env.string('us-east-1'),
    /** No default here, so "was it set?" can pick the backend; S3 then uses 'moocflix'. */
    S3_BUCKET: env.optionalString(),
    S3_ACCESS_KEY_ID: env.optionalString(),
    S3_SECRET_ACCESS_KEY: env.optionalString(),
    S3_FORCE_PATH_STYLE: env.bool(true),
    STORAGE_DIR: env.string('.moocflix/storage'),
  })
  .refine((c) => (c.S3_ACCESS_KEY_ID === undefined) === (c.S3_SECRET_ACCESS_KEY === undefined), {
    message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together',
  });

export type StorageConfig = z.infer<typeof storageConfigSchema>;

export function loadStorageConfig(source: Record<string, string | undefined> = process.env): StorageConfig {
  return loadConfig(storageConfigSchema, source);
}

export function createObjectStorage(config: StorageConfig, logger?: Logger): ObjectStorage {
  if (config.S3_ENDPOINT === undefined && config.S3_BUCKET === undefined) {
    const storage = new LocalDiskObjectStorage({ rootDir: config.STORAGE_DIR });
    logger?.info({ rootDir: storage.rootDir }, 'object storage: local disk');
    return storage;
  }
  const bucket = config.S3_BUCKET ?? DEFAULT_BUCKET;
  logger?.info({ endpoint: config.S3_ENDPOINT ?? 'aws', bucket }, 'object storage: S3');
  return new S3ObjectStorage({
    region: config.S3_REGION,
    bucket,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    ...(config.S3_ENDPOINT === undefined ? {} : { endpoint: config.S3_ENDPOINT }),
    ...(config.S3_ACCESS_KEY_ID === undefined ? {} : { accessKeyId: config.S3_ACCESS_KEY_ID }),
    ...(config.S3_SECRET_ACCESS_KEY === undefined ? {} : { secretAccessKey: config.S3_SECRET_ACCESS_KEY }),
  });
}
