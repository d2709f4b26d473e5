import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Transform, type TransformCallback } from 'node:stream';

/** The upload went past its size limit; whatever was read of it is discarded. */
export class UploadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`Upload exceeds the limit of ${limitBytes} bytes`);
    this.name = 'UploadTooLargeError';
  }
}

/**
 * Passes an upload through unchanged (to object storage) while, on the way, counting it against
 * the size limit, hashing it (sha256) and writing a copy to a local file for ffprobe. A chunk is
 * passed on only once its copy is written, so the slower sink sets the pace for both (back-pressure
 * reaches the client's socket) and only a few chunks are ever in memory, whatever the upload's size.
 */
export class UploadSpool extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly copy: WriteStream;
  private sha256: string | undefined;

  constructor(
    copyPath: string,
    private readonly limitBytes: number,
  ) {
    super();
    this.copy = createWriteStream(copyPath, { flags: 'wx' });
    // Reported through the write callbacks below; this only keeps it from being "unhandled".
    this.copy.on('error', () => undefined);
  }

  /** The hex sha256 of everything that passed; available once the stream has ended. */
  get checksum(): string {
    if (this.sha256 === undefined) throw new Error('the upload has not been read to its end');
    return this.sha256;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limitBytes) {
      callback(new UploadTooLargeError(this.limitBytes));
      return;
    }
    this.hash.update(chunk);
    this.copy.write(chunk, (err) => (err ? callback(err) : callback(null, chunk)));
  }

  override _flush(callback: TransformCallback): void {
    this.sha256 = this.hash.digest('hex');
    this.copy.end();
    finished(this.copy).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.copy.destroy();
    callback(error);
  }
}
