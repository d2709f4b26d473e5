// The status the reconciler derives from a TranscodeJob and its Job, with in-memory stand-ins for
// the caches and the API (the cluster tests run it against the real thing).
import { createLogger } from '@moocflix/platform-core/log';
import type { TranscodeJob } from '../api/v1alpha1';
import { ApiError } from '../controller-runtime/client';
import type { Informer } from '../controller-runtime/informer';
import { findCondition } from '../controller-runtime/objects';
import type { ResourceClient } from '../controller-runtime/resource';
import type { CompletionPublisher } from './completion-publisher';
import type { Job, JobTemplateConfig } from './job-builder';
import { TranscodeJobReconciler } from './transcodejob-reconciler';

const NOW = new Date('2026-03-01T12:00:00Z');

function transcodeJob(status?: TranscodeJob['status']): TranscodeJob {
  return {
    metadata: { name: 'tj-1', namespace: 'ns', uid: 'tj-uid', generation: 1, resourceVersion: '7' },
    spec: {
      videoId: 'video-1',
      requestId: 'req-1',
      priority: 0,
      request: {
        requestId: 'req-1',
        videoId: 'video-1',
        courseId: 'c',
        requestedBy: 'u',
        sourceKey: 's',
        outputPrefix: 'o',
        sourceFormat: 'mp4',
        requestedAt: '2026-03-01T11:00:00.000Z',
      },
    },
    ...(status && { status }),
  };
}

function job(status: Job['status'], ownerUid = 'tj-uid'): Job {
  return {
    metadata: {
      name: 'tj-1',
      namespace: 'ns',
      ownerReferences: [
        {
          apiVersion: 'moocflix.io/v1alpha1',
          kind: 'TranscodeJob',
          name: 'tj-1',
          uid: ownerUid,
          controller: true,
        },
      ],
    },
    status,
  };
}

interface Harness {
  reconciler: TranscodeJobReconciler;
  statusPatches: { resourceVersion?: string; status: Record<string, unknown> }[];
  published: { error: string; at: Date; retryable: boolean }[];
  deleted: string[];
  created: Job[];
}

const template: JobTemplateConfig = {
  image: 'transcoder:test',
  imagePullPolicy: 'IfNotPresent',
  backoffLimit: 2,
  chunking: { thresholdSeconds: 300, chunkSeconds: 60 },
  partParallelism: 4,
  activeDeadlineSeconds: 3600,
  ttlSecondsAfterFinished: 60,
  resources: {},
  tmpSizeLimit: '1Gi',
  envFromSecrets: [],
  envFromConfigMaps: [],
  env: {},
  podLabels: {},
  podAnnotations: {},
};

function harness(
  tj: TranscodeJob,
  cachedJob: Job | undefined,
  options: {
    liveJob?: Job;
    publishFails?: boolean;
    retentionMs?: number;
    stitchJob?: Job;
    playable?: boolean;
  } = {},
): Harness {
  const h: Omit<Harness, 'reconciler'> = { statusPatches: [], published: [], deleted: [], created: [] };
  const transcodeJobs = {
    mergePatch: async (
      _ns: string,
      _name: string,
      patch: { metadata: { resourceVersion?: string }; status: Record<string, unknown> },
    ) => {
      h.statusPatches.push({ resourceVersion: patch.metadata.resourceVersion, status: patch.status });
      return tj;
    },
    delete: async (_ns: string, name: string) => {
      h.deleted.push(name);
      return true;
    },
  } as unknown as ResourceClient<TranscodeJob>;
  const jobs = {
    get: async () => options.liveJob,
    create: async (created: Job) => {
      h.created.push(created);
      return created;
    },
  } as unknown as ResourceClient<Job>;
  const publisher: CompletionPublisher = {
    publishFailed: async (_tj, error, at, retryable) => {
      if (options.publishFails) throw new Error('Kafka is down');
      h.published.push({ error, at, retryable });
    },
  };
  const reconciler = new TranscodeJobReconciler({
    transcodeJobs,
    jobs,
    template,
    transcodeJobInformer: { get: () => tj } as unknown as Informer<TranscodeJob>,
    jobInformer: {
      get: (_ns: string, name: string) => (name.endsWith('-stitch') ? options.stitchJob : cachedJob),
    } as unknown as Informer<Job>,
    publisher,
    playableOf: () => options.playable ?? false,
    retentionMs: options.retentionMs ?? 0,
    logger: createLogger('test', 'silent'),
    now: () => NOW,
  });
  return { reconciler, ...h };
}

const lastStatus = (h: Harness) => h.statusPatches.at(-1)?.status;

test('no Job yet: Pending, waiting for a slot, written with the resourceVersion it was read at', async () => {
  const h = harness(transcodeJob(), undefined);
  await h.reconciler.reconcile('ns/tj-1');
  expect(h.statusPatches).toHaveLength(1);
  expect(h.statusPatches[0]!.resourceVersion).toBe('7');
  expect(lastStatus(h)).toMatchObject({ phase: 'Pending', progress: 0, observedGeneration: 1 });
  expect(findCondition(lastStatus(h)!.conditions as never, 'Admitted')).toMatchObject({
    status: 'False',
    reason: 'Queued',
  });
});

test('nothing new: nothing written (the periodic resync is a no-op)', async () => {
  const first = harness(transcodeJob(), undefined);
  await first.reconciler.reconcile('ns/tj-1');
  const settled = transcodeJob(first.statusPatches[0]!.status as TranscodeJob['status']);
  const again = harness(settled, undefined);
  await again.reconciler.reconcile('ns/tj-1');
  expect(again.statusPatches).toEqual([]);
});

test('the Job mirrored: created → Admitted, a ready pod → Running, Complete → Succeeded at 100%', async () => {
  const admitted = harness(transcodeJob({ phase: 'Pending' }), job({ active: 1 }));
  await admitted.reconciler.reconcile('ns/tj-1');
  expect(lastStatus(admitted)).toMatchObject({ phase: 'Admitted', jobName: 'tj-1' });

  const running = harness(
    transcodeJob({ phase: 'Admitted' }),
    job({ active: 1, ready: 1, startTime: '2026-03-01T11:59:00Z' }),
  );
  await running.reconciler.reconcile('ns/tj-1');
  expect(lastStatus(running)).toMatchObject({ phase: 'Running', startTime: '2026-03-01T11:59:00Z' });

  const complete = harness(
    transcodeJob({ phase: 'Running', startTime: '2026-03-01T11:59:00Z' }),
    job({
      succeeded: 1,
      completionTime: '2026-03-01T11:59:30Z',
      conditions: [{ type: 'Complete', status: 'True' }],
    }),
  );
  await complete.reconciler.reconcile('ns/tj-1');
  expect(lastStatus(complete)).toMatchObject({
    phase: 'Succeeded',
    progress: 100,
    completionTime: '2026-03-01T11:59:30Z',
  });
  expect(findCondition(lastStatus(complete)!.conditions as never, 'Finished')).toMatchObject({
    status: 'True',
    reason: 'JobSucceeded',
  });
  expect(complete.published).toEqual([]);
});

test('a failed Job: the failed completion is published first, then Failed is recorded with it', async () => {
  const failedJob = job({
    failed: 3,
    conditions: [
      {
        type: 'Failed',
        status: 'True',
        reason: 'BackoffLimitExceeded',
        message: 'Job has reached the specified backoff limit',
        lastTransitionTime: '2026-03-01T11:58:00Z',
      },
    ],
  });
  const h = harness(transcodeJob({ phase: 'Running' }), failedJob);
  await h.reconciler.reconcile('ns/tj-1');
  expect(h.published).toEqual([
    {
      error: 'Job tj-1 failed: BackoffLimitExceeded: Job has reached the specified backoff limit',
      at: new Date('2026-03-01T11:58:00Z'),
      // The run died, not necessarily the video: content may attempt the request again.
      retryable: true,
    },
  ]);
  const status = lastStatus(h)!;
  expect(status).toMatchObject({
    phase: 'Failed',
    reason: 'BackoffLimitExceeded',
    completionTime: '2026-03-01T11:58:00Z',
  });
  expect(findCondition(status.conditions as never, 'CompletionPublished')).toMatchObject({ status: 'True' });

  // Reconciled again (resync, restart): not published twice.
  const again = harness(transcodeJob(status as TranscodeJob['status']), failedJob);
  await again.reconciler.reconcile('ns/tj-1');
  expect(again.published).toEqual([]);
  expect(again.statusPatches).toEqual([]);
});

test('a Job the transcoder failed by its exit code (the input is bad): the failed completion is final', async () => {
  const failedJob = job({
    conditions: [
      {
        type: 'Failed',
        status: 'True',
        reason: 'PodFailurePolicy',
        message: 'Container transcoder for pod ns/tj-1-x failed with exit code 1',
      },
    ],
  });
  const h = harness(transcodeJob({ phase: 'Running' }), failedJob);
  await h.reconciler.reconcile('ns/tj-1');
  expect(h.published).toEqual([expect.objectContaining({ retryable: false })]);
  expect(lastStatus(h)).toMatchObject({ phase: 'Failed', reason: 'PodFailurePolicy' });
});

test('publishing fails: Failed is recorded without CompletionPublished, and the reconcile fails to be retried', async () => {
  const failedJob = job({ conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded' }] });
  const h = harness(transcodeJob({ phase: 'Running' }), failedJob, { publishFails: true });
  await expect(h.reconciler.reconcile('ns/tj-1')).rejects.toThrow('Kafka is down');
  expect(lastStatus(h)).toMatchObject({ phase: 'Failed' });
  expect(findCondition(lastStatus(h)!.conditions as never, 'CompletionPublished')).toBeUndefined();
});

test('a Job gone before it finished: Failed (JobLost) with a failed completion — unless only the cache is behind', async () => {
  const behind = harness(transcodeJob({ phase: 'Admitted', jobName: 'tj-1' }), undefined, {
    liveJob: job({ active: 1 }),
  });
  await behind.reconciler.reconcile('ns/tj-1');
  expect(behind.statusPatches).toEqual([]);

  const lost = harness(transcodeJob({ phase: 'Running', jobName: 'tj-1' }), undefined);
  await lost.reconciler.reconcile('ns/tj-1');
  expect(lastStatus(lost)).toMatchObject({
    phase: 'Failed',
    reason: 'JobLost',
    message: 'Job tj-1 disappeared before it finished',
  });
  expect(findCondition(lastStatus(lost)!.conditions as never, 'Finished')).toMatchObject({
    reason: 'JobLost',
  });
  expect(lost.published).toEqual([expect.objectContaining({ retryable: true })]);
});

test('a Job of that name owned by something else is left alone and reported', async () => {
  const h = harness(transcodeJob(), job({ active: 1 }, 'someone-else'));
  await h.reconciler.reconcile('ns/tj-1');
  expect(lastStatus(h)).toMatchObject({ phase: 'Pending' });
  expect(findCondition(lastStatus(h)!.conditions as never, 'Admitted')).toMatchObject({
    status: 'False',
    reason: 'JobConflict',
  });
});

test('finished TranscodeJobs are deleted after their retention, and looked at again when it ends', async () => {
  const finished = { phase: 'Succeeded' as const, completionTime: '2026-03-01T11:00:00Z' };
  const early = harness(transcodeJob(finished), undefined, { retentionMs: 2 * 3600_000 });
  expect(await early.reconciler.reconcile('ns/tj-1')).toEqual({ requeueAfterMs: 3600_000 });
  expect(early.deleted).toEqual([]);

  const due = harness(transcodeJob(finished), undefined, { retentionMs: 1800_000 });
  expect(await due.reconciler.reconcile('ns/tj-1')).toBeUndefined();
  expect(due.deleted).toEqual(['tj-1']);
});

test('a conflicting status write surfaces as an error (the queue retries with fresh data)', async () => {
  const h = harness(transcodeJob(), undefined);
  (
    h.reconciler as unknown as { options: { transcodeJobs: { mergePatch: () => Promise<never> } } }
  ).options.transcodeJobs.mergePatch = async () => {
    throw new ApiError(409, 'Conflict', 'the object has been modified');
  };
  await expect(h.reconciler.reconcile('ns/tj-1')).rejects.toThrow('the object has been modified');
});

describe('a chunked transcode (source above the chunk threshold)', () => {
  // 20 minutes in 60 s chunks: the preview, 20 chunks and the audio = 22 parts.
  const chunked = (status?: TranscodeJob['status']): TranscodeJob => {
    const tj = transcodeJob(status);
    return { ...tj, spec: { ...tj.spec, request: { ...tj.spec.request, sourceDurationSeconds: 1200 } } };
  };
  const stitchJob = (status: Job['status']): Job => ({
    ...job(status),
    metadata: { ...job(status).metadata, name: 'tj-1-stitch' },
  });

  test('counts the parts done from the Indexed Job, and its progress never falls below them', async () => {
    const h = harness(
      chunked({ phase: 'Running', progress: 3 }),
      job({ active: 4, ready: 4, completedIndexes: '0-6,9' }),
    );
    await h.reconciler.reconcile('ns/tj-1');
    expect(lastStatus(h)).toMatchObject({ phase: 'Running', parts: { total: 22, done: 8 }, progress: 34 });
    expect(h.created).toEqual([]);
  });

  test('every part done: the stitch Job is created once, with the TranscodeJob as owner', async () => {
    const h = harness(chunked({ phase: 'Running' }), job({ completedIndexes: '0-21', succeeded: 22 }));
    await h.reconciler.reconcile('ns/tj-1');
    expect(h.created).toHaveLength(1);
    expect(h.created[0]!.metadata).toMatchObject({
      name: 'tj-1-stitch',
      labels: { 'moocflix.io/transcodejob': 'tj-1' },
      ownerReferences: [expect.objectContaining({ kind: 'TranscodeJob', uid: 'tj-uid', controller: true })],
    });
    expect(h.created[0]!.spec!.template.spec!.containers[0]!.args!.slice(-1)).toEqual(['--stitch']);
    expect(h.created[0]!.spec!.completionMode).toBeUndefined();
    expect(lastStatus(h)).toMatchObject({
      phase: 'Running',
      parts: { total: 22, done: 22 },
      stitchJobName: 'tj-1-stitch',
      progress: 95,
    });
    expect(findCondition(lastStatus(h)!.conditions as never, 'Admitted')).toMatchObject({
      reason: 'Stitching',
    });
  });

  test('the stitch Job complete: Succeeded; failed: Failed with its reason and a failed completion', async () => {
    const partsDone = job({
      completedIndexes: '0-21',
      succeeded: 21,
      conditions: [{ type: 'Complete', status: 'True' }],
    });
    const running = { phase: 'Running' as const, stitchJobName: 'tj-1-stitch' };
    const ok = harness(chunked(running), partsDone, {
      stitchJob: stitchJob({
        succeeded: 1,
        completionTime: '2026-03-01T12:00:00Z',
        conditions: [{ type: 'Complete', status: 'True' }],
      }),
    });
    await ok.reconciler.reconcile('ns/tj-1');
    expect(lastStatus(ok)).toMatchObject({
      phase: 'Succeeded',
      progress: 100,
      parts: { total: 22, done: 22 },
    });
    expect(ok.created).toEqual([]);

    const failed = harness(chunked(running), partsDone, {
      stitchJob: stitchJob({
        failed: 3,
        conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }],
      }),
    });
    await failed.reconciler.reconcile('ns/tj-1');
    expect(lastStatus(failed)).toMatchObject({ phase: 'Failed', reason: 'BackoffLimitExceeded' });
    expect(failed.published).toEqual([expect.objectContaining({ retryable: true })]);
  });

  test('the stitch Job gone before it finished: Failed, JobLost', async () => {
    const partsDone = job({ completedIndexes: '0-21', conditions: [{ type: 'Complete', status: 'True' }] });
    const h = harness(chunked({ phase: 'Running', stitchJobName: 'tj-1-stitch' }), partsDone);
    await h.reconciler.reconcile('ns/tj-1');
    expect(lastStatus(h)).toMatchObject({ phase: 'Failed', reason: 'JobLost' });
    expect(h.created).toEqual([]);
  });

  test('a request at or under the threshold is one Job, with no parts in its status', async () => {
    const tj = chunked({ phase: 'Admitted' });
    tj.spec.request.sourceDurationSeconds = 300;
    const h = harness(tj, job({ active: 1, ready: 1 }));
    await h.reconciler.reconcile('ns/tj-1');
    expect(lastStatus(h)).toMatchObject({ phase: 'Running' });
    expect(lastStatus(h)).not.toHaveProperty('parts');
  });
});

test('a run that announced its preview shows as playable while it runs, and stays so', async () => {
  const running = job({ active: 1, ready: 1 });
  const before = harness(transcodeJob({ phase: 'Running' }), running);
  await before.reconciler.reconcile('ns/tj-1');
  expect(lastStatus(before)?.playable).toBeUndefined();

  const announced = harness(transcodeJob({ phase: 'Running' }), running, { playable: true });
  await announced.reconciler.reconcile('ns/tj-1');
  expect(lastStatus(announced)).toMatchObject({ phase: 'Running', playable: true });

  // A restarted operator's feed knows nothing yet: the status keeps what it said.
  const restarted = harness(transcodeJob({ phase: 'Running', playable: true }), running, { playable: false });
  await restarted.reconciler.reconcile('ns/tj-1');
  expect(
    restarted.statusPatches.every((p) => p.status.playable === undefined || p.status.playable === true),
  ).toBe(true);
  expect(lastStatus(restarted)).not.toHaveProperty('playable', false);
});
