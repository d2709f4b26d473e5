// TranscodeJob end to end on a real apiserver and a real Kafka broker: Transcoding-Request messages
// → the intake → exactly one TranscodeJob each → Jobs admitted within the concurrency bound →
// kwok runs their pods → Succeeded. The operator runs as its own process under the RBAC of
// operator/config/rbac (a service account token), in a namespace enforcing the restricted Pod
// Security Standard; it is SIGKILLed mid-way and restarted.
import { createNamespace, eventually, kubeClients, type KubeClients } from '../../e2e/cluster/test-kit';
import { createEvent, Topics, type CloudEvent } from '@moocflix/platform-bus';
import { TranscodeJobResource, type TranscodeJob } from '../src/api/v1alpha1';
import type { KubeClient } from '../src/controller-runtime/client';
import { findCondition } from '../src/controller-runtime/objects';
import { JobResource, ResourceClient } from '../src/controller-runtime/resource';
import type { Job } from '../src/transcode/job-builder';
import { failedCompletionEventId, transcodeJobName } from '../src/transcode/names';
import {
  adminClient,
  installCrds,
  OPERATOR_CRDS,
  operatorKubeconfig,
  spawnOperator,
  startOperator,
  type OperatorProcess,
} from './support/cluster';
import { JobTracker } from './support/job-tracker';
import {
  collectEvents,
  publishRequests,
  startTestKafka,
  transcodingRequest,
  type TestKafka,
} from './support/kafka';

jest.setTimeout(300_000);

const run = Date.now().toString(36);
const ns = `transcode-${run}`;
const MAX_CONCURRENCY = 5;
let c: KubeClients;
let client: KubeClient;
let kafka: TestKafka;
let transcodeJobs: ResourceClient<TranscodeJob>;
let jobs: ResourceClient<Job>;
let tracker: JobTracker;
let operatorEnv: Record<string, string>;
const processes: OperatorProcess[] = [];

const restricted = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
};

beforeAll(async () => {
  c = kubeClients();
  kafka = await startTestKafka();
  await installCrds(c, OPERATOR_CRDS);
  await createNamespace(c.core, ns, restricted);
  await c.core.createNamespacedSecret({
    namespace: ns,
    body: {
      metadata: { name: 'transcoder-s3' },
      stringData: { S3_ENDPOINT: 'http://s3.invalid:8333', S3_BUCKET: 'moocflix' },
    },
  });
  client = await adminClient();
  transcodeJobs = new ResourceClient(client, TranscodeJobResource);
  jobs = new ResourceClient(client, JobResource);
  tracker = new JobTracker(client, ns);
  await tracker.start();
  operatorEnv = {
    KUBECONFIG: await operatorKubeconfig(c, ns),
    POD_NAMESPACE: ns,
    WATCH_NAMESPACES: ns,
    OPERATOR_CONTROLLERS: 'transcode',
    KAFKA_BROKERS: kafka.brokers.join(','),
    TRANSCODE_MAX_CONCURRENCY: String(MAX_CONCURRENCY),
    TRANSCODER_IMAGE: 'registry.invalid/moocflix/transcoder:test',
    TRANSCODE_S3_SECRET: 'transcoder-s3',
    TRANSCODE_CPU_REQUEST: '100m',
    TRANSCODE_MEMORY_REQUEST: '128Mi',
    // Jobs stay after they finished, so the test can count every one ever created.
    TRANSCODE_TTL_SECONDS_AFTER_FINISHED: '3600',
    LEADER_ELECTION_LEASE_DURATION_MS: '3000',
    LEADER_ELECTION_RENEW_DEADLINE_MS: '2000',
    LEADER_ELECTION_RETRY_PERIOD_MS: '500',
  };
}, 180_000);

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  await tracker?.stop();
  await kafka?.stop();
  await c?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  client?.close();
});

function startOperatorProcess(name: string): OperatorProcess {
  const p = spawnOperator({ ...operatorEnv, POD_NAME: name }, name);
  processes.push(p);
  return p;
}

/** The TranscodeJobs of these attempts (a first attempt's id is its request id). */
async function transcodeJobsOf(attemptIds: string[]): Promise<TranscodeJob[]> {
  const wanted = new Set(attemptIds.map(transcodeJobName));
  const list = await transcodeJobs.list(ns);
  return list.items.filter((tj) => wanted.has(tj.metadata.name!));
}

async function allSucceeded(requestIds: string[]): Promise<TranscodeJob[] | undefined> {
  const found = await transcodeJobsOf(requestIds);
  return found.length === requestIds.length && found.every((tj) => tj.status?.phase === 'Succeeded')
    ? found
    : undefined;
}

test('50 Transcoding-Request messages → exactly 50 TranscodeJobs → Jobs at most 5 at a time → all Succeeded', async () => {
  const operator = startOperatorProcess('operator-a');
  // Every fifth a second attempt at its request (the content service retrying a lost one): a
  // TranscodeJob of its own, named from its attempt id.
  const requests = Array.from({ length: 50 }, (_, i) => {
    const request = transcodingRequest(`${run}-first-${i}`);
    return i % 5 === 0 ? { ...request, attemptId: `${request.requestId}-attempt-2`, attempt: 2 } : request;
  });
  const ids = requests.map((r) => r.attemptId ?? r.requestId);
  await publishRequests(kafka.kafka, requests);

  const created = await eventually(
    '50 TranscodeJobs',
    async () => {
      const found = await transcodeJobsOf(ids);
      return found.length === 50 && found;
    },
    120_000,
  );
  for (const tj of created) {
    const request = requests.find((r) => r.requestId === tj.spec.requestId)!;
    expect(tj.metadata.name).toBe(transcodeJobName(request.attemptId ?? request.requestId));
    expect(tj.spec).toMatchObject({
      attemptId: request.attemptId ?? request.requestId,
      attempt: request.attempt ?? 1,
    });
    expect(tj.spec.request).toEqual(request);
  }

  const done = await eventually('all 50 Succeeded', () => allSucceeded(ids), 240_000).catch((err: Error) => {
    throw new Error(
      `${err.message}\noperator log tail:\n${operator.log().split('\n').slice(-20).join('\n')}`,
    );
  });
  for (const tj of done) {
    expect(tj.status).toMatchObject({
      phase: 'Succeeded',
      progress: 100,
      jobName: tj.metadata.name,
      observedGeneration: 1,
    });
    expect(findCondition(tj.status?.conditions, 'Finished')).toMatchObject({
      status: 'True',
      reason: 'JobSucceeded',
    });
  }
  expect((await transcodeJobs.list(ns)).items).toHaveLength(50);
  expect(tracker.adds.size).toBe(50);
  expect(tracker.duplicates()).toEqual([]);
  expect(tracker.maxInFlight).toBeLessThanOrEqual(MAX_CONCURRENCY);
  // With 50 queued, the bound was actually reached.
  expect(tracker.maxInFlight).toBe(MAX_CONCURRENCY);

  // One Job, as built for the restricted namespace (its pods were admitted, or nothing would have run).
  const job = (await jobs.get(ns, done[0]!.metadata.name!))!;
  expect(job.metadata.ownerReferences).toEqual([
    expect.objectContaining({
      kind: 'TranscodeJob',
      name: done[0]!.metadata.name,
      controller: true,
      blockOwnerDeletion: true,
    }),
  ]);
  const container = job.spec!.template.spec!.containers[0]!;
  expect(container.image).toBe('registry.invalid/moocflix/transcoder:test');
  expect(container.args).toEqual(['one-shot', '--request', JSON.stringify(done[0]!.spec.request)]);
  expect(container.envFrom).toEqual([{ secretRef: { name: 'transcoder-s3' } }]);
  expect(container.env).toEqual(
    expect.arrayContaining([{ name: 'KAFKA_BROKERS', value: kafka.brokers.join(',') }]),
  );
  expect(job.spec).toMatchObject({
    backoffLimit: 2,
    activeDeadlineSeconds: 7200,
    ttlSecondsAfterFinished: 3600,
  });
});

test('SIGKILLed mid-way (during intake, then while Jobs run) and restarted: no duplicate, all complete', async () => {
  await processes.at(-1)!.kill('SIGKILL');
  const operator = startOperatorProcess('operator-b');
  const requests = Array.from({ length: 30 }, (_, i) => transcodingRequest(`${run}-second-${i}`));
  const ids = requests.map((r) => r.requestId);
  await publishRequests(kafka.kafka, requests);

  // Killed while taking in: some TranscodeJobs exist, their offsets not all committed.
  await eventually('the intake under way', async () => (await transcodeJobsOf(ids)).length > 0, 60_000);
  await operator.kill('SIGKILL');
  const next = startOperatorProcess('operator-c');
  // Killed again while Jobs run.
  await eventually(
    '10 of 30 Succeeded',
    async () => {
      const found = await transcodeJobsOf(ids);
      return found.filter((tj) => tj.status?.phase === 'Succeeded').length >= 10;
    },
    120_000,
  );
  await next.kill('SIGKILL');
  startOperatorProcess('operator-d');

  await eventually('all 30 Succeeded', () => allSucceeded(ids), 240_000);
  expect((await transcodeJobs.list(ns)).items).toHaveLength(80);
  expect(tracker.adds.size).toBe(80);
  expect(tracker.duplicates()).toEqual([]);
  expect(tracker.maxInFlight).toBeLessThanOrEqual(MAX_CONCURRENCY);
});

describe('with an operator in-process (no intake)', () => {
  const ns2 = `transcode-direct-${run}`;
  let stop: (() => Promise<void>) | undefined;
  let tracker2: JobTracker;

  beforeAll(async () => {
    await createNamespace(c.core, ns2, restricted);
    tracker2 = new JobTracker(client, ns2);
    await tracker2.start();
  });

  afterAll(async () => {
    await stop?.();
    await tracker2?.stop();
    await c.core.deleteNamespace({ name: ns2 }).catch(() => undefined);
  });

  async function operatorFor(env: Record<string, string>): Promise<void> {
    await stop?.();
    const op = await startOperator({
      POD_NAMESPACE: ns2,
      WATCH_NAMESPACES: ns2,
      OPERATOR_CONTROLLERS: 'transcode',
      KAFKA_BROKERS: kafka.brokers.join(','),
      TRANSCODE_INTAKE: 'false',
      LEADER_ELECTION: 'false',
      ...env,
    });
    stop = op.stop;
  }

  const createTranscodeJob = (requestId: string, priority = 0, requestedAt = new Date()) => {
    const request = { ...transcodingRequest(requestId), requestedAt: requestedAt.toISOString() };
    return transcodeJobs.create({
      metadata: { name: transcodeJobName(requestId), namespace: ns2 },
      spec: { videoId: request.videoId, requestId, priority, request },
    });
  };

  test('a Job that fails for good → TranscodeJob Failed and one failed Transcoding-Completed', async () => {
    // Every pod fails with exit code 3 ("incomplete": worth retrying), so the Job exhausts its backoff.
    await operatorFor({
      TRANSCODE_BACKOFF_LIMIT: '1',
      TRANSCODE_POD_LABELS: 'kwok.moocflix.io/fail=true',
      TRANSCODE_POD_ANNOTATIONS: 'pod-fail.stage.kwok.x-k8s.io/exit-code=3',
    });
    const completions = await collectEvents(kafka.kafka, Topics.TranscodingCompleted);
    try {
      const requestId = `${run}-failing`;
      await createTranscodeJob(requestId);
      const failed = await eventually(
        'TranscodeJob Failed',
        async () => {
          const tj = await transcodeJobs.get(ns2, transcodeJobName(requestId));
          return tj?.status?.phase === 'Failed' && tj;
        },
        120_000,
      );
      expect(findCondition(failed.status?.conditions, 'Finished')).toMatchObject({
        status: 'True',
        reason: 'JobFailed',
      });
      expect(failed.status?.message).toContain('BackoffLimitExceeded');
      expect(failed.status?.reason).toBe('BackoffLimitExceeded');
      expect(findCondition(failed.status?.conditions, 'CompletionPublished')).toMatchObject({
        status: 'True',
        reason: 'Published',
      });

      const forRequest = () =>
        completions.events.filter((e) => (e.data as { requestId: string }).requestId === requestId);
      const [event] = await eventually(
        'the failed Transcoding-Completed',
        async () => forRequest().length > 0 && forRequest(),
      );
      expect(event).toMatchObject({
        id: failedCompletionEventId(requestId),
        type: 'io.moocflix.transcoding.completed',
        source: 'moocflix-operator',
        subject: failed.spec.videoId,
      } satisfies Partial<CloudEvent>);
      expect(event!.data).toMatchObject({
        requestId,
        // The TranscodeJob predates attempts (no attemptId): its attempt is the first, id the request's.
        attemptId: requestId,
        attempt: 1,
        videoId: failed.spec.videoId,
        status: 'failed',
        renditions: [],
        masterPlaylistKey: null,
        // The Job died (exit 3, backoff limit): content may attempt the request again.
        retryable: true,
      });
      expect((event!.data as { error: string }).error).toContain('BackoffLimitExceeded');

      // A restarted operator re-reconciles everything: the completion is not published again.
      await operatorFor({ TRANSCODE_BACKOFF_LIMIT: '1' });
      await new Promise((r) => setTimeout(r, 3_000));
      expect(forRequest()).toHaveLength(1);
    } finally {
      await completions.stop();
    }
  });

  test('a slot goes to the highest priority, then the oldest; new work is admitted as soon as it is seen', async () => {
    // One slot; each pod runs 3 s, so the queue builds up behind the first Job.
    await operatorFor({
      TRANSCODE_MAX_CONCURRENCY: '1',
      TRANSCODE_POD_ANNOTATIONS: 'pod-complete.stage.kwok.x-k8s.io/delay=3s',
    });
    const t0 = Date.now();
    await createTranscodeJob(`${run}-first`);
    await eventually('the first Job', async () => tracker2.firstSeen.has(transcodeJobName(`${run}-first`)));
    const reactionMs = tracker2.firstSeen.get(transcodeJobName(`${run}-first`))! - t0;
    const old = new Date(Date.now() - 60_000);
    await createTranscodeJob(`${run}-old-normal`, 0, old);
    await createTranscodeJob(`${run}-new-normal`, 0, new Date());
    await createTranscodeJob(`${run}-urgent`, 5, new Date());
    const expected = [`${run}-first`, `${run}-urgent`, `${run}-old-normal`, `${run}-new-normal`].map(
      transcodeJobName,
    );
    await eventually(
      'four Jobs',
      async () => expected.every((name) => tracker2.firstSeen.has(name)),
      120_000,
    );
    expect(tracker2.order.filter((name) => expected.includes(name))).toEqual(expected);
    expect(tracker2.maxInFlight).toBe(1);
    // Watch-driven: seconds at most even on a loaded machine (make bench measures it properly).
    expect(reactionMs).toBeLessThan(5_000);
  });

  test('a long request → an Indexed Job of its parts (2 at a time) → the stitch Job → Succeeded, parts counted', async () => {
    await operatorFor({ TRANSCODE_PART_PARALLELISM: '2' });
    const requestId = `${run}-chunked`;
    // 400 s with the default 300 s threshold and 120 s chunks: the preview, 4 chunks, the audio = 6 parts.
    const request = { ...transcodingRequest(requestId), sourceDurationSeconds: 400 };
    const tj = await transcodeJobs.create({
      metadata: { name: transcodeJobName(requestId), namespace: ns2 },
      spec: { videoId: request.videoId, requestId, priority: 0, request },
    });
    const parts = await eventually('the Indexed Job', () => jobs.get(ns2, tj.metadata.name!), 60_000);
    // The apiserver accepted it as written: indexed, a retry budget per index, no Job-wide one.
    expect(parts!.spec).toMatchObject({
      completionMode: 'Indexed',
      completions: 6,
      parallelism: 2,
      backoffLimitPerIndex: 2,
      maxFailedIndexes: 0,
    });
    const container = parts!.spec!.template.spec!.containers[0]!;
    expect(container.args!.slice(-2)).toEqual(['--part', 'job-index']);
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'TRANSCODER_CHUNK_THRESHOLD_SECONDS', value: '300' },
        { name: 'TRANSCODER_CHUNK_SECONDS', value: '120' },
      ]),
    );

    // kwok runs every index's pod to completion; then the operator creates the stitch Job.
    const done = await eventually(
      'Succeeded after the stitch',
      async () => {
        const current = await transcodeJobs.get(ns2, tj.metadata.name!);
        return current?.status?.phase === 'Succeeded' && current;
      },
      120_000,
    );
    expect(done.status).toMatchObject({
      parts: { total: 6, done: 6 },
      stitchJobName: `${tj.metadata.name}-stitch`,
      progress: 100,
    });
    const stitch = await jobs.get(ns2, `${tj.metadata.name}-stitch`);
    expect(stitch!.spec!.completionMode).not.toBe('Indexed');
    expect(stitch!.spec!.template.spec!.containers[0]!.args!.at(-1)).toBe('--stitch');
    expect(stitch!.metadata.ownerReferences![0]).toMatchObject({ uid: tj.metadata.uid, controller: true });
    const finishedParts = await jobs.get(ns2, tj.metadata.name!);
    expect(finishedParts!.status!.completedIndexes).toBe('0-5');
  }, 180_000);

  test('a chunked Job shares the part parallelism with the TranscodeJobs waiting when it is admitted', async () => {
    // Three long requests queue up while no operator runs; then one slot and 4 parts at once by
    // default. The first admitted has 2 others waiting: floor(4 / 3) = 1; the next 1 waiting: 2;
    // the last is alone and gets all 4 (part-parallelism.ts).
    await stop?.();
    stop = undefined;
    const names: string[] = [];
    const t0 = Date.now() - 60_000;
    for (const [i, suffix] of ['share-a', 'share-b', 'share-c'].entries()) {
      const requestId = `${run}-${suffix}`;
      const request = {
        ...transcodingRequest(requestId),
        sourceDurationSeconds: 400,
        // Oldest first, so the admission order is a, b, c.
        requestedAt: new Date(t0 + i * 1000).toISOString(),
      };
      const tj = await transcodeJobs.create({
        metadata: { name: transcodeJobName(requestId), namespace: ns2 },
        spec: { videoId: request.videoId, requestId, priority: 0, request },
      });
      names.push(tj.metadata.name!);
    }
    await operatorFor({ TRANSCODE_MAX_CONCURRENCY: '1', TRANSCODE_PART_PARALLELISM: '4' });
    const parallelism: number[] = [];
    for (const name of names) {
      const job = await eventually(`the parts Job of ${name}`, () => jobs.get(ns2, name), 120_000);
      parallelism.push(job!.spec!.parallelism!);
    }
    expect(parallelism).toEqual([1, 2, 4]);
    expect(tracker2.order.filter((n) => names.includes(n))).toEqual(names);
  }, 240_000);

  test("the transcoder's progress shows in the status while the Job runs", async () => {
    // operator-d from the tests above still runs against the same Kafka (another namespace): the
    // progress feed is a broadcast, so this operator must see every tick however Kafka splits the
    // topic's partitions between consumers (a shared group gave each only some videos' progress).
    expect(processes.at(-1)!.child.exitCode).toBeNull();
    await operatorFor({ TRANSCODE_POD_ANNOTATIONS: 'pod-complete.stage.kwok.x-k8s.io/delay=120s' });
    const requestId = `${run}-progress`;
    const tj = await createTranscodeJob(requestId);
    await eventually(
      'Running',
      async () => (await transcodeJobs.get(ns2, tj.metadata.name!))?.status?.phase === 'Running',
      60_000,
    );
    const producer = kafka.kafka.producer();
    await producer.connect();
    try {
      // The feed joins its group from the latest offset, in the background: tick until it shows.
      await eventually(
        'progress 42 in the status',
        async () => {
          const data = { requestId, videoId: tj.spec.videoId, progress: 42, at: new Date().toISOString() };
          await producer.send({
            topic: Topics.TranscodingProgress,
            messages: [
              {
                key: tj.spec.videoId,
                value: JSON.stringify(
                  createEvent(Topics.TranscodingProgress, {
                    source: 'transcoder',
                    subject: tj.spec.videoId,
                    data,
                  }),
                ),
              },
            ],
          });
          return (await transcodeJobs.get(ns2, tj.metadata.name!))?.status?.progress === 42;
        },
        60_000,
      );
    } finally {
      await producer.disconnect();
    }
  }, 180_000);
});
