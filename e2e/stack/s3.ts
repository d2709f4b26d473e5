import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { s3Endpoint } from './env';
import { freePorts } from './ports';
import { type DaemonRecord, startDaemon, stopDaemon } from './processes';

/**
 * SeaweedFS (`weed mini`: master, volume server, filer and S3 gateway in one process). It verifies SigV4
 * on every request, presigned URLs included, as AWS does. moto was the other candidate: it checks
 * signatures only once INITIAL_NO_AUTH_ACTION_COUNT requests have passed, and from then on answers every
 * presigned URL with a 500 (it expects an Authorization header), which the kit's presignGet needs.
 */
export interface S3State {
  port: number;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  dir: string;
  logFile: string;
  /** Unix sockets SeaweedFS makes in /tmp whatever we ask, and leaves behind: removed by stopS3. */
  grpcSockets: string[];
  process: DaemonRecord;
}

const region = 'us-east-1';

/** Starts SeaweedFS in `<rootDir>/s3` with one identity allowed everything; waits until it stores objects. */
export async function startS3(rootDir: string, weed: string): Promise<S3State> {
  const dir = path.join(rootDir, 's3');
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  const secretAccessKey = randomBytes(30).toString('base64');
  // With an identity configured, SeaweedFS rejects every request not signed with its keys.
  const identities = {
    identities: [
      {
        name: 'moocflix-tests',
        credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }],
        actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'],
      },
    ],
  };
  const configFile = path.join(dir, 'identities.json');
  fs.writeFileSync(configFile, JSON.stringify(identities), { mode: 0o600 });

  const ports = await freePorts([
    'master',
    'masterGrpc',
    'volume',
    'volumeGrpc',
    'filer',
    'filerGrpc',
    's3',
    's3Grpc',
    'admin',
    'adminGrpc',
  ]);
  const args = [
    // `mini` is the single-node mode: it skips the cluster-membership waits of `weed server` (5 s to be
    // ready instead of 12 here) and sizes volumes so that many buckets fit.
    'mini',
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-dir=${path.join(dir, 'data')}`,
    '-master.peers=none',
    // Every port explicit: the defaults are fixed (8333, 9333...), and two stacks run side by side when
    // two jest runs do.
    `-master.port=${ports.master}`,
    `-master.port.grpc=${ports.masterGrpc}`,
    `-volume.port=${ports.volume}`,
    `-volume.port.grpc=${ports.volumeGrpc}`,
    `-filer.port=${ports.filer}`,
    `-filer.port.grpc=${ports.filerGrpc}`,
    `-filer.localSocket=${path.join(dir, 'filer.sock')}`,
    `-s3.port=${ports.s3}`,
    `-s3.port.grpc=${ports.s3Grpc}`,
    `-s3.localSocket=${path.join(dir, 's3.sock')}`,
    `-s3.config=${configFile}`,
    // The admin server (maintenance workers) always runs in mini; its UI and the rest are not needed.
    '-admin.ui=false',
    `-admin.port=${ports.admin}`,
    `-admin.port.grpc=${ports.adminGrpc}`,
    '-admin.port.legacy=0',
    '-webdav=false',
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    // No phoning home (this machine has no internet anyway).
    '-master.telemetry=false',
  ];
  const logFile = path.join(dir, 'weed.log');
  const grpcSockets = (['master', 'volume', 'filer', 's3', 'admin'] as const).map(
    (service) => `/tmp/seaweedfs-${service}-grpc-${ports[`${service}Grpc`]}.sock`,
  );
  const state: Omit<S3State, 'process'> = {
    port: ports.s3,
    region,
    accessKeyId,
    secretAccessKey,
    dir,
    logFile,
    grpcSockets,
  };
  const daemon = await startDaemon('SeaweedFS', weed, args, {
    logFile,
    probe: () => storesAnObject(state),
    timeoutMs: 60_000,
  });
  return { ...state, process: daemon };
}

/**
 * Ready means a signed write goes all the way through: the S3 gateway answers, the filer is up, and the
 * master has a volume server to assign the bytes to.
 */
async function storesAnObject(state: Omit<S3State, 'process'>): Promise<void> {
  const client = new S3Client({
    endpoint: s3Endpoint(state),
    region: state.region,
    forcePathStyle: true,
    credentials: { accessKeyId: state.accessKeyId, secretAccessKey: state.secretAccessKey },
    maxAttempts: 1,
  });
  const Bucket = 'moocflix-stack-probe';
  try {
    await client.send(new CreateBucketCommand({ Bucket })).catch((error: Error) => {
      if (error.name !== 'BucketAlreadyOwnedByYou') throw error;
    });
    await client.send(new PutObjectCommand({ Bucket, Key: 'probe', Body: 'ready' }));
    await client.send(new DeleteObjectCommand({ Bucket, Key: 'probe' }));
    await client.send(new DeleteBucketCommand({ Bucket }));
  } finally {
    client.destroy();
  }
}

/** SIGTERM: SeaweedFS flushes and closes its volumes and filer store. */
export async function stopS3(state: S3State): Promise<void> {
  await stopDaemon(state.process);
  for (const socket of state.grpcSockets) fs.rmSync(socket, { force: true });
}
