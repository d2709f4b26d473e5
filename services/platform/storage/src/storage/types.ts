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
  /**
   * Streams `body` into `key` (multipart for large streams); never buffers a stream whole. A stream
   * is consumed to its end, or destroyed when the put fails (an invalid key included).
   */
  put(
    key: string,
    body: Readable | Buffer | string,
    options?: { contentType?: string },
  ): Promise<StoredObjectInfo>;
  /**
   * Throws ObjectNotFoundError when missing. `range` is inclusive byte offsets; an `end` past the
   * last byte is clamped (as HTTP and S3 do), a `start` past it throws RangeNotSatisfiableError.
   * The caller must consume or destroy the stream (an S3 body holds a pooled socket until then).
   */
  get(key: string, range?: { start: number; end: number }): Promise<Readable>;
  head(key: string): Promise<StoredObjectInfo | null>;
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (a plain string prefix, as in S3); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Every object whose key starts with `prefix`, in key order; list entries carry no contentType. */
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

/**
 * A key outside the grammar both adapters share (see object-key.ts). Keys are built by our own code,
 * so this means a bug or an attempt to smuggle `..` through an id — never retry it.
 */
export class InvalidObjectKeyError extends Error {
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`Invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

/** A range whose start lies at or past the object's end: the HTTP layer answers 416. */
export class RangeNotSatisfiableError extends Error {
  constructor(
    readonly key: string,
    readonly range: { start: number; end: number },
  ) {
    super(`Range ${range.start}-${range.end} not satisfiable for ${key}`);
    this.name = 'RangeNotSatisfiableError';
  }
}
