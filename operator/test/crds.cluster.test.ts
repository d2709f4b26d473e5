// The CRDs in crds/ against a real apiserver: names, printer columns, defaults, and specs the
// operator could not carry out refused at admission with a readable message.
import {
  MoocFlixTopicResource,
  TranscodeJobResource,
  type MoocFlixTopic,
  type TranscodeJob,
} from '../src/api/v1alpha1';
import type { KubeClient } from '../src/controller-runtime/client';
import { resourcePath, ResourceClient } from '../src/controller-runtime/resource';
import { createNamespace, kubeClients, type KubeClients } from '../../e2e/cluster/test-kit';
import { adminClient, installCrds, OPERATOR_CRDS, refusedBy } from './support/cluster';

const ns = `crds-${Date.now().toString(36)}`;
let c: KubeClients;
let client: KubeClient;
let topics: ResourceClient<MoocFlixTopic>;
let transcodeJobs: ResourceClient<TranscodeJob>;

beforeAll(async () => {
  c = kubeClients();
  await installCrds(c, OPERATOR_CRDS);
  await createNamespace(c.core, ns);
  client = await adminClient();
  topics = new ResourceClient(client, MoocFlixTopicResource);
  transcodeJobs = new ResourceClient(client, TranscodeJobResource);
});

afterAll(async () => {
  await c?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  client?.close();
});

const createTopic = (name: string, spec: Record<string, unknown>) =>
  topics.create({ metadata: { name, namespace: ns }, spec } as unknown as MoocFlixTopic);
const patchTopic = (name: string, spec: Record<string, unknown>) => topics.mergePatch(ns, name, { spec });

const request = (requestId: string, videoId: string) => ({
  requestId,
  videoId,
  courseId: 'c1',
  requestedBy: 'u1',
  sourceKey: 'uploads/v/source.mp4',
  outputPrefix: 'videos/v/',
  sourceFormat: 'mp4',
  requestedAt: '2026-01-01T00:00:00.000Z',
});
const createTranscodeJob = (name: string, spec: Record<string, unknown>) =>
  transcodeJobs.create({ metadata: { name, namespace: ns }, spec } as unknown as TranscodeJob);

interface Table {
  columnDefinitions: { name: string; priority?: number }[];
  rows: { cells: unknown[] }[];
}

test('short names, categories, status subresources and printer columns are served', async () => {
  const crds = await Promise.all(
    ['moocflixtopics.moocflix.io', 'transcodejobs.moocflix.io'].map((name) =>
      c.apiextensions.readCustomResourceDefinition({ name }),
    ),
  );
  const [topicCrd, jobCrd] = crds as [(typeof crds)[0], (typeof crds)[0]];
  expect(topicCrd.spec.names.shortNames).toEqual(['mft']);
  expect(jobCrd.spec.names.shortNames).toEqual(['tj']);
  for (const crd of crds) expect(crd.spec.versions[0]!.subresources?.status).toEqual({});

  // What `kubectl get mft` / `kubectl get tj` print: the apiserver's Table rendering.
  await createTopic('printed', { topicName: 'Printed-Topic', partitions: 3, replicas: 1 });
  await createTranscodeJob('tj-printed', {
    videoId: 'video-1',
    requestId: 'r-printed',
    attemptId: 'a-printed',
    attempt: 2,
    request: { ...request('r-printed', 'video-1'), attemptId: 'a-printed', attempt: 2 },
  });
  await transcodeJobs.mergePatch(
    ns,
    'tj-printed',
    { status: { phase: 'Failed', progress: 40, reason: 'BackoffLimitExceeded', jobName: 'tj-printed' } },
    'status',
  );
  const table = (path: string) =>
    client.request<Table>('GET', path, { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  const topicTable = await table(resourcePath(MoocFlixTopicResource, ns));
  expect(topicTable.columnDefinitions.map((d) => d.name.toUpperCase())).toEqual([
    'NAME',
    'TOPIC',
    'PARTITIONS',
    'REPLICAS',
    'READY',
    'AGE',
  ]);
  expect(topicTable.rows[0]!.cells.slice(0, 4)).toEqual(['printed', 'Printed-Topic', 3, 1]);
  const jobTable = await table(resourcePath(TranscodeJobResource, ns));
  // What `kubectl get tj` shows (priority 0); the Job's name only with -o wide.
  const shown = jobTable.columnDefinitions.filter((d) => !d.priority);
  expect(shown.map((d) => d.name.toUpperCase())).toEqual([
    'NAME',
    'VIDEO',
    'ATTEMPT',
    'PHASE',
    'PROGRESS',
    'PLAYABLE',
    'PARTS',
    'DONE',
    'REASON',
    'AGE',
  ]);
  expect(jobTable.columnDefinitions.find((d) => d.name.toUpperCase() === 'JOB')?.priority).toBe(1);
  const cell = (column: string) =>
    jobTable.rows[0]!.cells[jobTable.columnDefinitions.findIndex((d) => d.name.toUpperCase() === column)];
  expect(['NAME', 'VIDEO', 'ATTEMPT', 'PHASE', 'PROGRESS', 'REASON'].map(cell)).toEqual([
    'tj-printed',
    'video-1',
    2,
    'Failed',
    40,
    'BackoffLimitExceeded',
  ]);
});

test('defaults: deletionPolicy Retain, priority 0; request fields unknown to the schema are kept', async () => {
  const created = await createTopic('defaults', { topicName: 'Defaults', partitions: 1 });
  expect(created.spec.deletionPolicy).toBe('Retain');
  const tj = await createTranscodeJob('tj-defaults', {
    videoId: 'v1',
    requestId: 'r1',
    request: { ...request('r1', 'v1'), addedLater: 'kept' },
  });
  expect(tj.spec.priority).toBe(0);
  expect((tj.spec.request as unknown as Record<string, unknown>).addedLater).toBe('kept');
});

describe('MoocFlixTopic admission', () => {
  test('partitions may grow but never shrink', async () => {
    await createTopic('grow', { topicName: 'Grow', partitions: 3 });
    await patchTopic('grow', { partitions: 6 });
    const refused = await refusedBy(patchTopic('grow', { partitions: 2 }));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain(
      'partitions cannot be decreased (Kafka cannot remove partitions from a topic)',
    );
  });

  test('topicName is immutable', async () => {
    await createTopic('rename', { topicName: 'Before', partitions: 1 });
    const refused = await refusedBy(patchTopic('rename', { topicName: 'After' }));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain('topicName is immutable');
  });

  test.each([
    [{ topicName: 'a topic', partitions: 1 }, "topicName may contain only letters, digits, '.', '_' and '-'"],
    [{ topicName: '..', partitions: 1 }, "cannot be '.' or '..'"],
    [{ topicName: '', partitions: 1 }, 'spec.topicName'],
    [{ topicName: 'T', partitions: 0 }, 'spec.partitions: Invalid value: 0'],
    [{ partitions: 1 }, 'spec.topicName: Required value'],
    [
      { topicName: 'T', partitions: 1, deletionPolicy: 'Forget' },
      'spec.deletionPolicy: Unsupported value: "Forget"',
    ],
    [
      { topicName: 'T', partitions: 1, config: { 'Retention MS': '1' } },
      'config keys are Kafka topic settings',
    ],
  ])('%j is refused: %s', async (spec, message) => {
    const refused = await refusedBy(createTopic(`bad-${Math.random().toString(36).slice(2, 8)}`, spec));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain(message);
  });
});

describe('TranscodeJob admission', () => {
  test.each([
    [
      'a blank videoId',
      { videoId: ' ', requestId: 'r', request: request('r', ' ') },
      'videoId must not be empty',
    ],
    [
      'an empty videoId',
      { videoId: '', requestId: 'r', request: request('r', '') },
      'videoId must not be empty',
    ],
    [
      'an empty requestId',
      { videoId: 'v', requestId: '', request: request('', 'v') },
      'requestId must not be empty',
    ],
    [
      'another video in the request',
      { videoId: 'v', requestId: 'r', request: request('r', 'other') },
      'request.videoId must equal videoId',
    ],
    [
      'another request id in the request',
      { videoId: 'v', requestId: 'r', request: request('x', 'v') },
      'request.requestId must equal requestId',
    ],
    [
      'another attempt id in the request',
      {
        videoId: 'v',
        requestId: 'r',
        attemptId: 'a2',
        attempt: 2,
        request: { ...request('r', 'v'), attemptId: 'a3', attempt: 2 },
      },
      'request.attemptId must equal attemptId',
    ],
    [
      'attempt 0',
      { videoId: 'v', requestId: 'r', attemptId: 'a0', attempt: 0, request: request('r', 'v') },
      'spec.attempt: Invalid value',
    ],
    ['no request', { videoId: 'v', requestId: 'r' }, 'spec.request: Required value'],
    [
      'a request without sourceKey',
      { videoId: 'v', requestId: 'r', request: { ...request('r', 'v'), sourceKey: undefined } },
      'spec.request.sourceKey: Required value',
    ],
  ])('%s is refused', async (_what, spec, message) => {
    const refused = await refusedBy(
      createTranscodeJob(`tj-bad-${Math.random().toString(36).slice(2, 8)}`, spec),
    );
    expect(refused.code).toBe(422);
    expect(refused.message).toContain(message);
  });

  test('only the priority may change', async () => {
    await createTranscodeJob('tj-immutable', {
      videoId: 'v2',
      requestId: 'r2',
      request: request('r2', 'v2'),
    });
    const patch = (spec: Record<string, unknown>) => transcodeJobs.mergePatch(ns, 'tj-immutable', { spec });
    expect((await patch({ priority: 10 })).spec.priority).toBe(10);
    const refused = await refusedBy(patch({ videoId: 'v3', request: { videoId: 'v3' } }));
    expect(refused.code).toBe(422);
    expect(refused.message).toContain('videoId is immutable');
    expect(refused.message).toContain('request is immutable');
  });
});
