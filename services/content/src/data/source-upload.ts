import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ObjectStorage } from '@moocflix/platform-storage';
import { UploadSpool } from './upload-spool';

export interface StoredSource {
  sizeBytes: number;
  checksumSha256: string;
}

/**
 * Streams an upload into object storage (S3 multipart via the kit for large files) and, in the
 * same pass, into `copyPath` for probing (null: no copy) — never holding it whole in memory. Fails
 * with the upload's own error when the upload failed (too large, client gone, malformed form), else
 * with the storage's. The caller deletes the object when this fails: a half-stored object is possible.
 */
export async function storeSourceUpload(
  storage: ObjectStorage,
  key: string,
  upload: Readable,
  options: { copyPath: string | null; maxBytes: number },
): Promise<StoredSource> {
  const spool = new UploadSpool(options.copyPath, options.maxBytes);
  const [reading, storing] = await Promise.allSettled([
    pipeline(upload, spool),
    storage.put(key, spool, { contentType: 'application/octet-stream' }).catch((err: unknown) => {
      // Nobody reads the spool any more: without this the upload would wait on it forever.
      spool.destroy();
      throw err;
    }),
  ]);
  if (reading.status === 'rejected') throw reading.reason;
  if (storing.status === 'rejected') throw storing.reason;
  return { sizeBytes: spool.bytes, checksumSha256: spool.checksum };
}
