// The intake's TranscodeJobs go with the release (issue 14 §4.5): each is owned by the transcode
// ConfigMap the operator chart renders, so when `helm uninstall` deletes that ConfigMap the real
// garbage collector of kube-controller-manager deletes them, their Jobs and the Jobs' pods. The
// operator runs as its own process under the RBAC of operator/config/rbac (which must allow the
// `get` on configmaps), with a real Kafka broker; kwok runs the Jobs' pods. A TranscodeJob created
// by hand has no owner and stays.
import { createNamespace, eventually, kubeClients, type KubeClients } from '../../e2e/cluster/test-kit';
import { TranscodeJobResource, type TranscodeJob } from '../src/api/v1alpha1';
import type { KubeClient } from '../src/controller-runtime/client';
import { JobResource, ResourceClient } from '../src/controller-runtime/resource';
import { TRANSCODEJOB_LABEL, type Job } from '../src/transcode/job-builder';
import { transcodeJobName } from '../src/transcode/names';
import {
  adminClient,
  installCrds,
  OPERATOR_CRDS,
  operatorKubeconfig,
  spawnOperator,
  type OperatorProcess,
} from './support/cluster';
import { publishRequests, startTestKafka, transcodingRequest, type TestKafka } from './support/kafka';

jest.setTimeout(240_000);

const run = Date.now().toString(36);
const ns = `release-owner-${run}`;
// The name the operator chart gives it for release "moocflix".
const CONFIGMAP = 'moocflix-operator-transcode';
let c: KubeClients;
let client: KubeClient;
let kafka: TestKafka;
let transcodeJobs: ResourceClient<TranscodeJob>;
let jobs: ResourceClient<Job>;
let operator: OperatorProcess | undefined;

beforeAll(async () => {
  c = kubeClients();
  kafka = await startTestKafka();
  await installCrds(c, OPERATOR_CRDS);
  await createNamespace(c.core, ns, {
    'pod-security.kubernetes.io/enforce': 'restricted',
    'pod-security.kubernetes.io/enforce-version': 'latest',
  });
  client = await adminClient();
  transcodeJobs = new ResourceClient(client, TranscodeJobResource);
  jobs = new ResourceClient(client, JobResource);
}, 180_000);

afterAll(async () => {
  await operator?.kill('SIGKILL');
  await kafka?.stop();
  await c?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  client?.close();
});

const names = async () => (await transcodeJobs.list(ns)).items.map((tj) => tj.metadata.name!).sort();
const jobNames = async () =>
  (await jobs.list(ns, { labelSelector: TRANSCODEJOB_LABEL })).items.map((j) => j.metadata.name!).sort();
/** The TranscodeJob of each transcode pod (its label). */
const podOwners = async () =>
  (await c.core.listNamespacedPod({ namespace: ns, labelSelector: TRANSCODEJOB_LABEL })).items.map(
    (p) => p.metadata!.labels![TRANSCODEJOB_LABEL]!,
  );

test('deleting the transcode ConfigMap (as helm uninstall does) removes the intake’s TranscodeJobs, Jobs and pods, not one made by hand', async () => {
  const configMap = await c.core.createNamespacedConfigMap({
    namespace: ns,
    body: { metadata: { name: CONFIGMAP }, data: { S3_BUCKET: 'moocflix' } },
  });
  const byHand = transcodingRequest(`${run}-by-hand`);
  await transcodeJobs.create({
    metadata: { name: transcodeJobName(byHand.requestId), namespace: ns },
    spec: { videoId: byHand.videoId, requestId: byHand.requestId, priority: 0, request: byHand },
  });
  operator = spawnOperator({
    KUBECONFIG: await operatorKubeconfig(c, ns),
    POD_NAMESPACE: ns,
    POD_NAME: 'operator-a',
    WATCH_NAMESPACES: ns,
    OPERATOR_CONTROLLERS: 'transcode',
    KAFKA_BROKERS: kafka.brokers.join(','),
    TRANSCODE_CONFIGMAP: CONFIGMAP,
    TRANSCODER_IMAGE: 'registry.invalid/moocflix/transcoder:test',
    TRANSCODE_CPU_REQUEST: '100m',
    TRANSCODE_MEMORY_REQUEST: '128Mi',
    TRANSCODE_MAX_CONCURRENCY: '3',
    // Finished Jobs (and their pods) stay: only the garbage collector removes them here.
    TRANSCODE_TTL_SECONDS_AFTER_FINISHED: '3600',
    LEADER_ELECTION_LEASE_DURATION_MS: '3000',
    LEADER_ELECTION_RENEW_DEADLINE_MS: '2000',
    LEADER_ELECTION_RETRY_PERIOD_MS: '500',
  });

  const requests = [1, 2].map((i) => transcodingRequest(`${run}-intake-${i}`));
  const intakeNames = requests.map((r) => transcodeJobName(r.requestId));
  await publishRequests(kafka.kafka, requests);
  const created = await eventually(
    'the intake’s TranscodeJobs Succeeded',
    async () => {
      const found = (await transcodeJobs.list(ns)).items.filter((tj) =>
        intakeNames.includes(tj.metadata.name!),
      );
      return found.length === 2 && found.every((tj) => tj.status?.phase === 'Succeeded') && found;
    },
    120_000,
  );
  for (const tj of created) {
    expect(tj.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', name: CONFIGMAP, uid: configMap.metadata!.uid },
    ]);
  }
  expect(await jobNames()).toEqual(expect.arrayContaining(intakeNames));
  expect(await podOwners()).toEqual(expect.arrayContaining(intakeNames));
  const byHandName = transcodeJobName(byHand.requestId);
  expect((await transcodeJobs.get(ns, byHandName))!.metadata.ownerReferences).toBeUndefined();

  // What `helm uninstall` does to the ConfigMap (background propagation, its default).
  await c.core.deleteNamespacedConfigMap({ name: CONFIGMAP, namespace: ns });
  await eventually(
    'the intake’s TranscodeJobs, their Jobs and pods collected',
    async () => {
      const left = await names();
      const leftJobs = await jobNames();
      const leftPods = await podOwners();
      return (
        left.length === 1 &&
        left[0] === byHandName &&
        leftJobs.every((j) => !intakeNames.includes(j)) &&
        leftPods.every((p) => !intakeNames.includes(p))
      );
    },
    90_000,
  );

  // A request taken in after the ConfigMap went, while this operator still runs (helm deletes the
  // ConfigMap and the Deployment at once; the pod takes a while to stop): its TranscodeJob names the
  // uid last seen, so it goes too instead of staying behind.
  const late = transcodingRequest(`${run}-late`);
  const lateName = transcodeJobName(late.requestId);
  await publishRequests(kafka.kafka, [late]);
  await eventually(
    'the late request taken in',
    async () => operator!.log().includes(lateName) || undefined,
    60_000,
  );
  await eventually(
    'the late TranscodeJob collected',
    async () => !(await transcodeJobs.get(ns, lateName)),
    60_000,
  );
  expect(await names()).toEqual([byHandName]);
  expect(operator.log()).toMatch(/the transcode ConfigMap is gone/);
  await operator.kill('SIGTERM');
});
