// The intake's TranscodeJobs and their owner: the release's transcode ConfigMap when it has one
// (so `helm uninstall` takes them along), none otherwise. The bus is the kit's in-process one; the
// apiserver is an in-memory stand-in (the cluster tests run the same code against the real thing
// and its garbage collector).
import { createEvent, InProcessEventBus, Topics } from '@moocflix/platform-bus';
import { createLogger } from '@moocflix/platform-core/log';
import type { TranscodeJob } from '../api/v1alpha1';
import { ApiError } from '../controller-runtime/client';
import type { KubeObject } from '../controller-runtime/objects';
import type { ResourceClient } from '../controller-runtime/resource';
import { TranscodeIntake } from './intake';
import { transcodeJobName } from './names';
import { ReleaseOwner } from './release-owner';

const NAMESPACE = 'media';
const CONFIGMAP = 'moocflix-operator-transcode';

interface Harness {
  created: TranscodeJob[];
  /** The ConfigMap as the apiserver would answer: an object, absent, or an error. */
  configMap: { uid: string } | undefined | ApiError;
  warnings: string[];
  publish(requestId: string): Promise<void>;
  /** Waits until `count` TranscodeJobs were created. */
  createdCount(count: number): Promise<TranscodeJob[]>;
  stop(): Promise<void>;
}

async function startIntake(configMapName: string | undefined, withOwner = true): Promise<Harness> {
  const logger = createLogger('test', 'silent');
  const warnings: string[] = [];
  jest.spyOn(logger, 'warn').mockImplementation(((_: unknown, message: string) => {
    warnings.push(message);
  }) as never);
  const bus = new InProcessEventBus({ logger, redeliveryDelayMs: 10 });
  const h: Harness = {
    created: [],
    configMap: undefined,
    warnings,
    async publish(requestId) {
      const videoId = `video-${requestId}`;
      const data = {
        requestId,
        videoId,
        courseId: 'course-1',
        requestedBy: 'instructor-1',
        sourceKey: `uploads/${videoId}/source.mp4`,
        outputPrefix: `videos/${videoId}/`,
        sourceFormat: 'mp4',
        requestedAt: new Date().toISOString(),
      };
      await bus.publish([
        {
          topic: Topics.TranscodingRequest,
          key: videoId,
          value: JSON.stringify(
            createEvent(Topics.TranscodingRequest, { source: 'test', subject: videoId, data }),
          ),
        },
      ]);
    },
    async createdCount(count) {
      for (let i = 0; i < 200 && h.created.length < count; i++) await new Promise((r) => setTimeout(r, 10));
      expect(h.created).toHaveLength(count);
      return h.created;
    },
    stop: () => intake.stop(),
  };
  const transcodeJobs = {
    async create(tj: TranscodeJob) {
      h.created.push(tj);
      return tj;
    },
    async get() {
      return undefined;
    },
  } as unknown as ResourceClient<TranscodeJob>;
  const configMaps = {
    async get(namespace: string, name: string): Promise<KubeObject | undefined> {
      expect([namespace, name]).toEqual([NAMESPACE, CONFIGMAP]);
      if (h.configMap instanceof ApiError) throw h.configMap;
      return h.configMap && { metadata: { name, namespace, uid: h.configMap.uid } };
    },
  } as unknown as ResourceClient<KubeObject>;
  const intake = new TranscodeIntake({
    bus,
    transcodeJobs,
    namespace: NAMESPACE,
    groupId: 'intake',
    owner: withOwner
      ? new ReleaseOwner({ configMaps, namespace: NAMESPACE, name: configMapName, logger })
      : undefined,
    logger,
  });
  await intake.start();
  return h;
}

const ownedBy = (uid: string) => [{ apiVersion: 'v1', kind: 'ConfigMap', name: CONFIGMAP, uid }];

test('a TranscodeJob of the intake is owned by the transcode ConfigMap: no controller, no blockOwnerDeletion', async () => {
  const h = await startIntake(CONFIGMAP);
  h.configMap = { uid: 'cm-uid-1' };
  await h.publish('req-1');
  const [tj] = await h.createdCount(1);
  await h.stop();
  expect(tj!.metadata.name).toBe(transcodeJobName('req-1'));
  // Exactly these four fields: controller or blockOwnerDeletion would change who manages it, and
  // need more RBAC.
  expect(tj!.metadata.ownerReferences).toEqual(ownedBy('cm-uid-1'));
  expect(h.warnings).toEqual([]);
});

test('no ConfigMap configured: no owner, as before, and the reason is logged once', async () => {
  const h = await startIntake(undefined);
  await h.publish('req-1');
  await h.publish('req-2');
  const created = await h.createdCount(2);
  await h.stop();
  for (const tj of created) expect(tj.metadata.ownerReferences).toBeUndefined();
  expect(h.warnings).toEqual(['no TRANSCODE_CONFIGMAP: TranscodeJobs are created without an owner']);
});

test('an intake given no owner at all sets none', async () => {
  const h = await startIntake(CONFIGMAP, false);
  h.configMap = { uid: 'cm-uid-1' };
  await h.publish('req-1');
  const [tj] = await h.createdCount(1);
  await h.stop();
  expect(tj!.metadata.ownerReferences).toBeUndefined();
});

test('a configured ConfigMap that does not exist (yet): no owner, logged once; once it exists, owned', async () => {
  const h = await startIntake(CONFIGMAP);
  await h.publish('req-1');
  await h.publish('req-2');
  await h.createdCount(2);
  h.configMap = { uid: 'cm-uid-1' };
  await h.publish('req-3');
  const created = await h.createdCount(3);
  await h.stop();
  expect(created.map((tj) => tj.metadata.ownerReferences)).toEqual([
    undefined,
    undefined,
    ownedBy('cm-uid-1'),
  ]);
  expect(h.warnings).toEqual([
    'the transcode ConfigMap does not exist: TranscodeJobs are created without an owner',
  ]);
});

test('read at every create: a ConfigMap created again is named by its new uid; one gone names its last', async () => {
  const h = await startIntake(CONFIGMAP);
  h.configMap = { uid: 'cm-uid-1' };
  await h.publish('req-1');
  await h.createdCount(1);
  h.configMap = { uid: 'cm-uid-2' };
  await h.publish('req-2');
  await h.createdCount(2);
  // `helm uninstall` deleted it while this operator still runs: the TranscodeJob must still go
  // with the release, so it names the uid last seen (and the garbage collector takes it).
  h.configMap = undefined;
  await h.publish('req-3');
  const created = await h.createdCount(3);
  await h.stop();
  expect(created.map((tj) => tj.metadata.ownerReferences)).toEqual([
    ownedBy('cm-uid-1'),
    ownedBy('cm-uid-2'),
    ownedBy('cm-uid-2'),
  ]);
  expect(h.warnings).toHaveLength(1);
});

test('RBAC without `get` on configmaps: no owner, logged once; any other API error: the message comes again', async () => {
  const h = await startIntake(CONFIGMAP);
  h.configMap = new ApiError(403, 'Forbidden', 'configmaps is forbidden');
  await h.publish('req-1');
  const [first] = await h.createdCount(1);
  expect(first!.metadata.ownerReferences).toBeUndefined();
  expect(h.warnings).toEqual([
    'may not read the transcode ConfigMap: TranscodeJobs are created without an owner',
  ]);

  h.configMap = new ApiError(503, 'ServiceUnavailable', 'the apiserver is restarting');
  await h.publish('req-2');
  await new Promise((r) => setTimeout(r, 100));
  expect(h.created).toHaveLength(1); // not created without its owner: retried
  h.configMap = { uid: 'cm-uid-1' };
  const created = await h.createdCount(2);
  await h.stop();
  expect(created[1]!.metadata.ownerReferences).toEqual(ownedBy('cm-uid-1'));
});
