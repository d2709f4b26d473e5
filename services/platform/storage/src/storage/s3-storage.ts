import { createHash } from 'node:crypto';
import { Readable, Transform, pipeline } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { assertValidRange } from './byte-range';
import { assertValidKey, assertValidPrefix } from './object-key';
import {
  InvalidObjectKeyError,
  ObjectNotFoundError,
  RangeNotSatisfiableError,
  type ObjectStorage,
  type StoredObjectInfo,
} from './types';

export interface S3ObjectStorageOptions {
  /** Unset → AWS's own endpoint for `region`. Set for any S3-compatible server. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Both unset → the SDK's default credential chain (env, web identity / IRSA, instance role). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key`; most self-hosted servers need it. */
  forcePathStyle: boolean;
}

// Multipart upload of streams: at most QUEUE_SIZE parts in flight plus the one being filled, so an
// upload holds ~40 MiB whatever the stream's length. 8 MiB × 10,000 parts caps an object at ~78 GiB.
const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 4;
/** DeleteObjects takes at most 1000 keys; listing pages of that size makes each page one batch. */
const PAGE_SIZE = 1000;
const CONNECT_TIMEOUT_MS = 5_000;
/** A readiness probe must answer even when the server accepts connections but never replies. */
const PING_TIMEOUT_MS = 5_000;
/** SigV4 presigned URLs live at most 7 days. */
const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

/**
 * ObjectStorage on S3 or any S3-compatible server (SeaweedFS, MinIO, Ceph, moto...).
 *
 * Checksums: since early 2025 the AWS SDK defaults to adding CRC32 checksums to every request
 * that supports them and to validating response checksums. Some S3-compatible servers break on
 * that: streamed bodies go out `aws-chunked` with a trailing checksum they cannot parse,
 * multipart uploads announce a checksum algorithm they do not know, ranged GETs get validated
 * against a whole-object checksum they send back. So both are WHEN_REQUIRED, which is how the
 * SDK behaved before. DeleteObjects still requires a checksum: the SDK sends CRC32, while the
 * original S3 API (and servers that follow it) demands Content-MD5, so we add that too (below).
 */
export class S3ObjectStorage implements ObjectStorage {
  readonly kind = 's3' as const;
  readonly bucket: string;
  private readonly client: S3Client;

  constructor(options: S3ObjectStorageOptions) {
    this.bucket = options.bucket;
    const { accessKeyId, secretAccessKey } = options;
    if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
      throw new Error('S3 access key id and secret access key must be given together');
    }
    this.client = new S3Client({
      region: options.region,
      forcePathStyle: options.forcePathStyle,
      // No socket idle timeout: a GET body piped to a slow or paused client idles legitimately.
      requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS },
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(accessKeyId === undefined || secretAccessKey === undefined
        ? {}
        : { credentials: { accessKeyId, secretAccessKey } }),
    });
  }

  async put(
    key: string,
    body: Readable | Buffer | string,
    options: { contentType?: string } = {},
  ): Promise<StoredObjectInfo> {
    const { payload, size } = measuredBody(body);
    try {
      assertValidKey(key);
      const upload = new Upload({
        client: this.client,
        params: {
          Bucket: this.bucket,
          Key: key,
          Body: payload,
          ...(options.contentType === undefined ? {} : { ContentType: options.contentType }),
        },
        partSize: PART_SIZE,
        queueSize: QUEUE_SIZE,
      });
      const result = await upload.done();
      return {
        key,
        size: size(),
        ...(options.contentType === undefined ? {} : { contentType: options.contentType }),
        ...(result.ETag === undefined ? {} : { etag: result.ETag }),
      };
    } catch (err) {
      // Whatever failed (the key, the network, the credentials), the caller's stream is released.
      if (payload instanceof Readable) payload.destroy();
      throw err;
    }
  }

  async get(key: string, range?: { start: number; end: number }): Promise<Readable> {
    assertValidKey(key);
    if (range) assertValidRange(range);
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      if (!(out.Body instanceof Readable)) throw new Error(`S3 returned no body stream for ${key}`);
      return out.Body;
    } catch (err) {
      if (isObjectMissing(err)) throw new ObjectNotFoundError(key);
      if (range && statusOf(err) === 416) throw new RangeNotSatisfiableError(key, range);
      throw err;
    }
  }

  async head(key: string): Promise<StoredObjectInfo | null> {
    assertValidKey(key);
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        key,
        size: out.ContentLength ?? 0,
        ...(out.ContentType === undefined ? {} : { contentType: out.ContentType }),
        ...(out.ETag === undefined ? {} : { etag: out.ETag }),
      };
    } catch (err) {
      if (isObjectMissing(err)) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    // S3 answers 204 for a missing key too, so delete is idempotent without a check.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  async deletePrefix(prefix: string): Promise<number> {
    if (prefix === '') throw new InvalidObjectKeyError(prefix, 'refusing to delete every object');
    assertValidPrefix(prefix);
    let deleted = 0;
    // Each listed page is one DeleteObjects batch. Continuing a listing past keys that were just
    // deleted is fine: the continuation token names a position, not an object.
    for await (const page of this.listPages(prefix)) {
      if (page.length === 0) continue;
      await this.deleteBatch(page.map((o) => o.key));
      deleted += page.length;
    }
    return deleted;
  }

  async list(prefix: string): Promise<StoredObjectInfo[]> {
    assertValidPrefix(prefix);
    const found: StoredObjectInfo[] = [];
    for await (const page of this.listPages(prefix)) found.push(...page);
    return found;
  }

  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    assertValidKey(key);
    if (
      !Number.isInteger(expiresInSeconds) ||
      expiresInSeconds < 1 ||
      expiresInSeconds > MAX_PRESIGN_SECONDS
    ) {
      throw new RangeError(`expiresInSeconds must be an integer between 1 and ${MAX_PRESIGN_SECONDS}`);
    }
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: expiresInSeconds,
    });
  }

  localPath(): null {
    return null;
  }

  /**
   * HEAD first, so a deployment whose credentials may read and write but not create buckets
   * (the usual least-privilege IAM policy) starts fine when the bucket already exists.
   */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    try {
      // The SDK adds the LocationConstraint itself when the region is not us-east-1.
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      // Another replica starting at the same moment created it first.
      if (!(err instanceof S3ServiceException && err.name === 'BucketAlreadyOwnedByYou')) throw err;
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), {
        abortSignal: AbortSignal.timeout(PING_TIMEOUT_MS),
      });
      return true;
    } catch {
      return false;
    }
  }

  /** Closes the client's sockets; the storage is unusable afterwards. */
  close(): void {
    this.client.destroy();
  }

  private async *listPages(prefix: string): AsyncGenerator<StoredObjectInfo[]> {
    let continuationToken: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          MaxKeys: PAGE_SIZE,
          ...(continuationToken === undefined ? {} : { ContinuationToken: continuationToken }),
        }),
      );
      yield (out.Contents ?? []).flatMap((o) =>
        o.Key === undefined
          ? []
          : [{ key: o.Key, size: o.Size ?? 0, ...(o.ETag === undefined ? {} : { etag: o.ETag }) }],
      );
      continuationToken = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (continuationToken !== undefined);
  }

  private async deleteBatch(keys: string[]): Promise<void> {
    const out = await this.client.send(
      withContentMd5(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
        }),
      ),
    );
    // Quiet mode lists only the failures; one per key that is still there.
    const failure = out.Errors?.[0];
    if (failure) {
      throw new Error(
        `S3 DeleteObjects failed for ${out.Errors?.length} key(s), first ${failure.Key}: ${failure.Code} ${failure.Message}`,
      );
    }
  }
}

/**
 * Content-MD5 of the serialized DeleteObjects body. The S3 API requires it for DeleteObjects, and
 * servers that have not caught up with the SDK's newer x-amz-checksum-* headers refuse the
 * request without it ("Missing required header for this request: Content-Md5"); AWS accepts both.
 */
function withContentMd5(command: DeleteObjectsCommand): DeleteObjectsCommand {
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      if (request.headers && (typeof request.body === 'string' || request.body instanceof Uint8Array)) {
        request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
      }
      return next(args);
    },
    { step: 'build', name: 'addContentMd5' },
  );
  return command;
}

/**
 * What Upload reads, and how to learn its size afterwards: a stream is counted as it passes,
 * so put() can report its size without buffering it.
 */
function measuredBody(body: Readable | Buffer | string): { payload: Readable | Buffer; size: () => number } {
  if (!(body instanceof Readable)) {
    const buffer = typeof body === 'string' ? Buffer.from(body) : body;
    return { payload: buffer, size: () => buffer.length };
  }
  const counter = new ByteCounter();
  // Taken over at once, so an error from the caller's stream is never an unhandled 'error' event:
  // it destroys `counter`, which fails the Upload reading it, so the callback has nothing to add.
  pipeline(body, counter, () => undefined);
  return { payload: counter, size: () => counter.bytes };
}

/** Passes bytes through unchanged, counting them. */
class ByteCounter extends Transform {
  bytes = 0;

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.bytes += chunk.length;
    callback(null, chunk);
  }
}

function statusOf(err: unknown): number | undefined {
  return err instanceof S3ServiceException ? err.$metadata.httpStatusCode : undefined;
}

/** GET says NoSuchKey; HEAD has no body to say anything, so the SDK names it NotFound. */
function isObjectMissing(err: unknown): boolean {
  return err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.name === 'NotFound');
}
