/**
 * The integration stack itself: each system is real, reachable with the env jest-env.ts sets, and
 * controllable through control.ts from inside a test worker.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import {
  CreateBucketCommand,
  GetObjectCommand,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { createTestDatabase, stackEnv, startKafka, stopKafka, waitFor } from './control';

const env = stackEnv();

test('jest-env.ts exported the stack settings to process.env', () => {
  for (const [name, value] of Object.entries(env)) expect(process.env[name]).toBe(value);
});

describe('PostgreSQL', () => {
  async function withClient<T>(url: string, use: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  }

  test('DATABASE_URL is a superuser on the postgres database', async () => {
    const { rows } = await withClient(env.DATABASE_URL, (client) =>
      client.query('SELECT current_database() AS db, rolsuper FROM pg_roles WHERE rolname = current_user'),
    );
    expect(rows).toEqual([{ db: 'postgres', rolsuper: true }]);
  });

  test('createTestDatabase gives each caller a new, isolated database', async () => {
    const [first, second] = [await createTestDatabase('Stack Test'), await createTestDatabase('stack_test')];
    expect(first).not.toBe(second);
    expect(new URL(first).pathname).toMatch(/^\/stack_test_[0-9a-f]{12}$/);

    await withClient(first, (client) =>
      client.query('CREATE TABLE courses (id int); INSERT INTO courses VALUES (1)'),
    );
    const inFirst = await withClient(first, (client) => client.query('SELECT id FROM courses'));
    expect(inFirst.rows).toEqual([{ id: 1 }]);
    const inSecond = await withClient(second, (client) =>
      client.query("SELECT to_regclass('courses') AS table"),
    );
    expect(inSecond.rows).toEqual([{ table: null }]);
  });
});

describe('S3', () => {
  const client = (secretAccessKey = env.S3_SECRET_ACCESS_KEY) =>
    new S3Client({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      forcePathStyle: env.S3_FORCE_PATH_STYLE === 'true',
      credentials: { accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey },
    });
  const s3 = client();
  const bucket = `stack-test-${randomUUID()}`;

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  });

  afterAll(() => s3.destroy());

  test('serves correctly signed requests: put, get, multipart upload', async () => {
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'hello.txt', Body: 'hello', ContentType: 'text/plain' }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'hello.txt' }));
    expect(await got.Body?.transformToString()).toBe('hello');

    // 11 MiB in 5 MiB parts: CreateMultipartUpload, three UploadPart, CompleteMultipartUpload.
    const video = randomBytes(11 * 1024 * 1024);
    const upload = new Upload({
      client: s3,
      params: { Bucket: bucket, Key: 'video.mp4', Body: video },
      partSize: 5 * 1024 * 1024,
    });
    const done = await upload.done();
    expect(done.ETag).toMatch(/-3"?$/);
    const stored = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'video.mp4' }));
    expect(Buffer.from((await stored.Body?.transformToByteArray()) ?? []).equals(video)).toBe(true);
  });

  test('rejects a request signed with a wrong secret (403) and stores nothing', async () => {
    const forger = client(`${env.S3_SECRET_ACCESS_KEY}x`);
    const attempt = forger.send(new PutObjectCommand({ Bucket: bucket, Key: 'forged.txt', Body: 'forged' }));
    await expect(attempt).rejects.toBeInstanceOf(S3ServiceException);
    const error = (await attempt.catch((e: unknown) => e)) as S3ServiceException;
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.name).toBe('SignatureDoesNotMatch');
    forger.destroy();

    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'forged.txt' }))).rejects.toBeInstanceOf(
      NoSuchKey,
    );
  });

  test('verifies presigned URLs: the signed one works, a tampered one is 403', async () => {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'poster.jpg', Body: 'poster' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: 'poster.jpg' }), {
      expiresIn: 60,
    });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('poster');

    const forged = await getSignedUrl(
      client('wrong-secret'),
      new GetObjectCommand({ Bucket: bucket, Key: 'poster.jpg' }),
      {
        expiresIn: 60,
      },
    );
    expect((await fetch(forged)).status).toBe(403);
    expect((await fetch(`${env.S3_ENDPOINT}/${bucket}/poster.jpg`)).status).toBe(403); // anonymous
  });
});

describe('Kafka through control.ts', () => {
  const kafka = new Kafka({
    clientId: 'stack-test',
    brokers: env.KAFKA_BROKERS.split(','),
    logLevel: logLevel.NOTHING,
  });

  afterAll(() => startKafka()); // leave a running broker behind even if the test failed midway

  test('a message produced before stopKafka() is consumed after startKafka()', async () => {
    const topic = `stack-restart-${randomUUID()}`;
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ key: 'video-1', value: 'before the restart' }] });
    await producer.disconnect();

    await stopKafka();
    const [host, port] = env.KAFKA_BROKERS.split(':');
    await expect(canConnect(host ?? '', Number(port))).resolves.toBe(false);

    await startKafka();
    expect(stackEnv().KAFKA_BROKERS).toBe(env.KAFKA_BROKERS); // same port, so clients just reconnect

    const consumer = kafka.consumer({ groupId: `stack-restart-${randomUUID()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const values: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
    try {
      await waitFor(() => expect(values).toEqual(['before the restart']), { timeoutMs: 30_000 });
    } finally {
      await consumer.disconnect();
    }
  });
});

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}
