import type { TranscodeJob } from '../api/v1alpha1';
import {
  buildJob,
  buildStitchJob,
  completedIndexCount,
  jobIsDone,
  type Job,
  type JobTemplateConfig,
} from './job-builder';

const tj: TranscodeJob = {
  metadata: { name: 'tj-0123456789abcdef', namespace: 'media', uid: 'uid-1', generation: 1 },
  spec: {
    videoId: 'video-1',
    requestId: 'req-1',
    priority: 0,
    request: {
      requestId: 'req-1',
      videoId: 'video-1',
      courseId: 'course-1',
      requestedBy: 'user-1',
      sourceKey: 'uploads/video-1/source.mp4',
      outputPrefix: 'videos/video-1/',
      sourceFormat: 'mp4',
      requestedAt: '2026-01-01T00:00:00.000Z',
    },
  },
};

const config: JobTemplateConfig = {
  image: 'ghcr.io/moocflix/transcoder:1.2.3',
  imagePullPolicy: 'IfNotPresent',
  backoffLimit: 2,
  activeDeadlineSeconds: 7200,
  ttlSecondsAfterFinished: 3600,
  resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } },
  tmpSizeLimit: '20Gi',
  envFromSecrets: ['kafka', 's3'],
  envFromConfigMaps: ['transcoder'],
  env: { KAFKA_BROKERS: 'kafka:9092', LOG_LEVEL: 'info' },
  podLabels: { team: 'media', 'moocflix.io/transcodejob': 'spoofed' },
  podAnnotations: { 'example.com/note': 'x' },
};

test('a Job owned by its TranscodeJob, named after it, bounded in retries, time and lifetime', () => {
  const job = buildJob(tj, config);
  expect(job.metadata).toMatchObject({ name: 'tj-0123456789abcdef', namespace: 'media' });
  expect(job.metadata.ownerReferences).toEqual([
    {
      apiVersion: 'moocflix.io/v1alpha1',
      kind: 'TranscodeJob',
      name: 'tj-0123456789abcdef',
      uid: 'uid-1',
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  expect(job.spec).toMatchObject({
    backoffLimit: 2,
    activeDeadlineSeconds: 7200,
    ttlSecondsAfterFinished: 3600,
  });
  expect(job.spec!.podFailurePolicy!.rules[0]).toEqual({
    action: 'FailJob',
    onExitCodes: { containerName: 'transcoder', operator: 'In', values: [1, 2] },
  });
});

test('the transcoder image in one-shot mode with the request, its environment from config', () => {
  const pod = buildJob(tj, config).spec!.template;
  const container = pod.spec!.containers[0]!;
  expect(container.image).toBe('ghcr.io/moocflix/transcoder:1.2.3');
  expect(container.command).toBeUndefined();
  expect(container.args).toEqual(['one-shot', '--request', JSON.stringify(tj.spec.request)]);
  expect(container.envFrom).toEqual([
    { configMapRef: { name: 'transcoder' } },
    { secretRef: { name: 'kafka' } },
    { secretRef: { name: 's3' } },
  ]);
  expect(container.env).toEqual([
    { name: 'TRANSCODER_WORK_DIR', value: '/tmp/moocflix-transcoder' },
    { name: 'KAFKA_BROKERS', value: 'kafka:9092' },
    { name: 'LOG_LEVEL', value: 'info' },
  ]);
  expect(container.resources).toEqual(config.resources);
  // Configured labels are added, but never replace the operator's own.
  expect(pod.metadata!.labels).toMatchObject({
    team: 'media',
    'moocflix.io/transcodejob': 'tj-0123456789abcdef',
  });
  expect(pod.metadata!.annotations).toMatchObject({
    'example.com/note': 'x',
    'moocflix.io/request-id': 'req-1',
  });
  expect(
    buildJob(tj, { ...config, command: ['node', 'main.js'] }).spec!.template.spec!.containers[0]!.command,
  ).toEqual(['node', 'main.js']);
});

test('the pod meets the restricted Pod Security Standard, with a writable /tmp only', () => {
  const spec = buildJob(tj, config).spec!.template.spec!;
  expect(spec.restartPolicy).toBe('Never');
  expect(spec.automountServiceAccountToken).toBe(false);
  expect(spec.securityContext).toMatchObject({
    runAsNonRoot: true,
    runAsUser: 10001,
    seccompProfile: { type: 'RuntimeDefault' },
  });
  const container = spec.containers[0]!;
  expect(container.securityContext).toEqual({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
  });
  expect(container.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  expect(spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '20Gi' } }]);
});

test('a Job frees its slot once it finished or is finishing', () => {
  const withCondition = (type: string, status = 'True'): Job => ({
    metadata: {},
    status: { conditions: [{ type, status }] },
  });
  expect(jobIsDone({ metadata: {}, status: { active: 1 } })).toBe(false);
  expect(jobIsDone(withCondition('Complete'))).toBe(true);
  expect(jobIsDone(withCondition('Failed'))).toBe(true);
  expect(jobIsDone(withCondition('SuccessCriteriaMet'))).toBe(true);
  expect(jobIsDone(withCondition('FailureTarget'))).toBe(true);
  expect(jobIsDone(withCondition('Failed', 'False'))).toBe(false);
  expect(jobIsDone(withCondition('Suspended'))).toBe(false);
});

describe('a chunked transcode', () => {
  const chunking = { ...config, chunking: { thresholdSeconds: 300, chunkSeconds: 60 }, partParallelism: 4 };
  const long = (seconds: number | null, parallelism?: number): TranscodeJob => ({
    ...tj,
    spec: {
      ...tj.spec,
      ...(parallelism && { parallelism }),
      request: { ...tj.spec.request, sourceDurationSeconds: seconds },
    },
  });

  test('is an Indexed Job of its parts (the preview, the chunks, the audio), each index retried alone', () => {
    const job = buildJob(long(620), chunking); // the preview, 10 chunks of 60 s, one of 20 s, the audio
    expect(job.metadata.name).toBe('tj-0123456789abcdef');
    expect(job.spec).toMatchObject({
      completionMode: 'Indexed',
      completions: 13,
      parallelism: 4,
      backoffLimitPerIndex: 2,
      maxFailedIndexes: 0,
    });
    // A per-index limit replaces the Job-wide one (which would count every index's failures together).
    expect(job.spec).not.toHaveProperty('backoffLimit');
    const container = job.spec!.template.spec!.containers[0]!;
    expect(container.args!.slice(-2)).toEqual(['--part', 'job-index']);
    expect(job.spec!.podFailurePolicy!.rules[0]).toMatchObject({ action: 'FailJob' });
  });

  test("takes the TranscodeJob's parallelism, never more than its parts", () => {
    expect(buildJob(long(601, 8), chunking).spec!.parallelism).toBe(8);
    expect(buildJob(long(400, 50), chunking).spec!.parallelism).toBe(9); // preview, 7 chunks, audio
  });

  test('shares the parallelism with the TranscodeJobs waiting when it is admitted', () => {
    expect(buildJob(long(620), chunking, { waiting: 0 }).spec!.parallelism).toBe(4);
    expect(buildJob(long(620), chunking, { waiting: 1 }).spec!.parallelism).toBe(2);
    expect(buildJob(long(620), chunking, { waiting: 5 }).spec!.parallelism).toBe(1);
    expect(buildJob(long(620, 8), chunking, { waiting: 3 }).spec!.parallelism).toBe(2);
    // A one-pass Job has no parallelism to share.
    expect(buildJob(long(200), chunking, { waiting: 5 }).spec!.parallelism).toBeUndefined();
  });

  test('is one plain Job at or under the threshold, of unknown length, or with chunking off', () => {
    for (const job of [
      buildJob(long(300), chunking),
      buildJob(long(null), chunking),
      buildJob(long(3600), { ...chunking, chunking: { thresholdSeconds: 0, chunkSeconds: 60 } }),
      buildJob(long(3600), config),
    ]) {
      expect(job.spec!.completionMode).toBeUndefined();
      expect(job.spec!.backoffLimit).toBe(2);
      expect(job.spec!.template.spec!.containers[0]!.args).toEqual([
        'one-shot',
        '--request',
        expect.any(String),
      ]);
    }
  });

  test('its stitch Job: named after the TranscodeJob, labelled with it, one pod running --stitch', () => {
    const job = buildStitchJob(long(601), chunking);
    expect(job.metadata).toMatchObject({
      name: 'tj-0123456789abcdef-stitch',
      labels: { 'moocflix.io/transcodejob': 'tj-0123456789abcdef' },
    });
    expect(job.metadata.ownerReferences![0]).toMatchObject({ uid: 'uid-1', controller: true });
    expect(job.spec!.completionMode).toBeUndefined();
    expect(job.spec!.template.spec!.containers[0]!.args!.at(-1)).toBe('--stitch');
  });

  test('counts the completed indexes from their ranges', () => {
    const withIndexes = (completedIndexes?: string): Job => ({ metadata: {}, status: { completedIndexes } });
    expect(completedIndexCount(withIndexes(undefined))).toBe(0);
    expect(completedIndexCount(withIndexes('3'))).toBe(1);
    expect(completedIndexCount(withIndexes('0-2,4,6-7'))).toBe(6);
  });
});
