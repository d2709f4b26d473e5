import { createHash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { Transform, type TransformCallback } from 'node:stream';

/** How much of the copy may wait in memory to be written. */
const COPY_BUFFER_BYTES = 1024 * 1024;
/** How much is gathered before it is passed on to the storage and the copy, all at once. */
const OUTPUT_BURST_BYTES = 512 * 1024;

/** The upload went past its size limit; whatever was read of it is discarded. */
export class UploadTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`Upload exceeds the limit of ${limitBytes} bytes`);
    this.name = 'UploadTooLargeError';
  }
}

/**
 * Passes an upload through unchanged (to object storage) while, on the way, counting it against
 * the size limit, hashing it (sha256) and writing a copy to a local file for ffprobe. The bytes go
 * on in bursts of OUTPUT_BURST_BYTES, each passed on at once with its copy written meanwhile, so the
 * two sinks write side by side instead of one after the other; the next chunk is taken only once the
 * copy's buffer (COPY_BUFFER_BYTES) has room again. So the slower sink sets the pace for both
 * (back-pressure reaches the client's socket) and only a few chunks are ever in memory, whatever the
 * upload's size.
 */
export class UploadSpool extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  private readonly copy: WriteStream | undefined;
  private sha256: string | undefined;
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;

  /** `copyPath` null: no copy (the storage keeps the bytes in a local file the probe can read). */
  constructor(
    copyPath: string | null,
    private readonly limitBytes: number,
  ) {
    super();
    if (copyPath === null) return;
    this.copy = createWriteStream(copyPath, { flags: 'wx', highWaterMark: COPY_BUFFER_BYTES });
    // A failed copy fails the upload: a chunk waiting for 'drain' would otherwise wait forever.
    this.copy.on('error', (err) => this.destroy(err));
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
    this.gathered.push(chunk);
    this.gatheredBytes += chunk.length;
    if (this.gatheredBytes < OUTPUT_BURST_BYTES) {
      callback();
      return;
    }
    if (this.passOnGathered()) callback();
    else this.copy!.once('drain', () => callback());
  }

  /**
   * The socket's reads are 64 KiB at most; passed on one by one as they come, each would be one
   * write (and one wake-up) in the storage and in the copy: 194 MB/s against 290 gathered (make
   * bench). Passed on in bursts, a file stream writes all but the first of a burst with one writev.
   * The chunks go on as they are: joining them (Buffer.concat) cost a copy of every byte and a GiB
   * more of buffers for the garbage collector, which V8 chases with full collections.
   * Returns false when the copy's buffer is full (wait for its 'drain').
   */
  private passOnGathered(): boolean {
    const burst = this.gathered;
    this.gathered = [];
    this.gatheredBytes = 0;
    let copyHasRoom = true;
    for (const chunk of burst) {
      // Once its buffer is full, every write answers false until 'drain': the last answer tells.
      if (this.copy) copyHasRoom = this.copy.write(chunk);
      this.push(chunk);
    }
    return copyHasRoom;
  }

  override _flush(callback: TransformCallback): void {
    this.sha256 = this.hash.digest('hex');
    // The last burst; no wait for 'drain' here: end() below waits for everything written.
    this.passOnGathered();
    if (!this.copy) {
      callback();
      return;
    }
    this.copy.end();
    finished(this.copy).then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.copy?.destroy();
    callback(error);
  }
}
