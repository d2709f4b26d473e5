export {
  ObjectNotFoundError,
  InvalidObjectKeyError,
  RangeNotSatisfiableError,
  type ObjectStorage,
  type StoredObjectInfo,
} from './types';
export { assertValidKey, assertValidPrefix } from './object-key';
export { LocalDiskObjectStorage, type LocalDiskObjectStorageOptions } from './local-disk-storage';
export { S3ObjectStorage, type S3ObjectStorageOptions } from './s3-storage';
export {
  createObjectStorage,
  loadStorageConfig,
  storageConfigSchema,
  type StorageConfig,
} from './storage-config';
