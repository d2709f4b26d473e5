// Baseline for the upload-throughput benchmark: what `aws s3 cp - s3://…` does, as a server. The
// request body is streamed as it arrives into the same object storage the content service uses
// (kit storage from the same environment: STORAGE_DIR or S3_*), with no multipart parsing, no
// checksum, no spool copy and no probe. The object is deleted before the answer, as the candidate's
// (random bytes, refused by its probe) is: both sides leave the storage as they found it.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createObjectStorage, loadStorageConfig } from '@moocflix/platform-storage';

const storage = createObjectStorage(loadStorageConfig(process.env));
const server = createServer((req, res) => {
  const key = `bench/plain-${randomUUID()}`;
  storage.put(key, req).then(
    () => storage.delete(key).then(() => res.writeHead(201).end()),
    (err: unknown) => res.writeHead(500).end(String(err)),
  );
});
storage.ensureBucket().then(
  () =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      console.log(`LISTENING http://127.0.0.1:${address.port}`);
    }),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
// Exit on SIGTERM by closing, not by the signal's default, so BENCH_CPU_PROF can write the profile.
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
