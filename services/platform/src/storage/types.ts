import type { Readable } from 'node:stream';

export interface StoredObjectInfo {
  key: string;
  size: number;
  contentType?: string;
  etag?: string;
}

/**
 * Object storage seam: S3 (any S3-compatible server) in a cluster, a local folder for `moocflix dev`.
 * Both adapters pass the same contract suite. Keys are '/'-separated paths without a leading '/'.
 */
export interface ObjectStorage {
  readonly kind: 's3' | 'local';
  /** Streams `body` into `key` (multipart for large streams); never buffers a stream whole. */
  put(key: string, body: Readable | Buffer | string, options?: { contentType?: string }): Promise<StoredObjectInfo>;
  /** Throws ObjectNotFoundError when missing. `range` is inclusive byte offsets. */
  get(key: string, range?: { start: number; end: number }): Promise<Readable>;
  head(key: string): Promise<StoredObjectInfo | null>;
  delete(key: string): Promise<void>;
  deletePrefix(prefix: string): Promise<number>;
  list(prefix: string): Promise<StoredObjectInfo[]>;
  /** A short-lived URL a client can GET directly, or null when the adapter cannot make one (local disk). */
  presignGet(key: string, expiresInSeconds: number): Promise<string | null>;
  /** A local file path for `key` when the adapter has one (local disk), so ffprobe/ffmpeg can read it in place. */
  localPath(key: string): string | null;
  ensureBucket(): Promise<void>;
  ping(): Promise<boolean>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`Object not found: ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}
