// Unit tier: the Job the operator creates for a TranscodeJob, as configured by the operator chart.
// The chart's rendered environment goes through the operator's own config loader (so every variable
// the chart sets is one the operator accepts), then the operator's job builder; the Job's pod spec
// must meet the "restricted" profile, and the ConfigMap, Secret, ServiceAccount and NetworkPolicy
// it relies on must be what the chart renders.
import { loadOperatorConfig } from '../../operator/src/config';
import { buildJob } from '../../operator/src/transcode/job-builder';
import { jobTemplateOf } from '../../operator/src/transcode/job-template';
import type { TranscodeJob } from '../../operator/src/api/v1alpha1';
import type { V1ConfigMap, V1NetworkPolicy } from '@kubernetes/client-node';
import { type K8sObject, mainContainer, scratchCharts, type ScratchCharts, typed } from './helm';
import { podSpecsOf, restrictedViolations } from './pod-security';

let charts: ScratchCharts;
beforeAll(() => {
  charts = scratchCharts();
}, 120_000);
afterAll(() => charts?.remove());

/** The operator Deployment's environment with the downward-API values a pod would get. */
function operatorEnv(objects: K8sObject[]): Record<string, string> {
  const deployment = objects.find(
    (o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'operator',
  )!;
  const env: Record<string, string> = {};
  for (const variable of mainContainer(deployment).env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.fieldRef)
      env[variable.name] =
        variable.valueFrom.fieldRef.fieldPath === 'metadata.name' ? 'operator-0' : 'moocflix';
  }
  return env;
}

const transcodeJob: TranscodeJob = {
  apiVersion: 'moocflix.io/v1alpha1',
  kind: 'TranscodeJob',
  metadata: {
    name: 'tj-video-1-request-1',
    namespace: 'moocflix',
    uid: '5a7c1c62-1b1e-4d52-9c55-0f3c1f0c2a11',
  },
  spec: {
    videoId: 'video-1',
    requestId: 'request-1',
    request: { videoId: 'video-1', requestId: 'request-1' } as never,
  },
};

describe.each([
  ['defaults', [] as string[]],
  [
    'S3 credentials, CPU limit, another Kafka',
    [
      '--set',
      'global.s3.existingSecret=moocflix-s3',
      '--set',
      'operator.jobs.resources.limits.cpu=2',
      '--set',
      'global.kafka.bootstrapServers=kafka:9092',
    ],
  ],
])('the transcode Job of the umbrella chart (%s)', (_name, args) => {
  let objects: K8sObject[];
  let config: ReturnType<typeof loadOperatorConfig>;
  let job: ReturnType<typeof buildJob>;

  beforeAll(async () => {
    objects = await charts.template('moocflix', args);
    config = loadOperatorConfig(operatorEnv(objects));
    job = buildJob(transcodeJob, jobTemplateOf(config));
  });

  test('the operator accepts the configuration the chart gives it', () => {
    expect(config.WATCH_NAMESPACES).toEqual(['moocflix']);
    expect(config.TRANSCODE_INTAKE).toBe(true);
    expect(config.LEADER_ELECTION_LEASE_DURATION_MS).toBe(15_000);
    expect(config.TRANSCODER_IMAGE).toBe('ghcr.io/moocflix/transcoder:0.1.0');
  });

  test('its pod spec meets the Pod Security "restricted" profile', () => {
    expect(restrictedViolations(podSpecsOf(job)[0]!)).toEqual([]);
  });

  test("it runs as the chart's token-less ServiceAccount, with the chart's ConfigMap and NetworkPolicy", () => {
    const pod = job.spec!.template;
    const serviceAccount = objects.find(
      (o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.spec!.serviceAccountName,
    );
    expect(serviceAccount).toMatchObject({ automountServiceAccountToken: false });

    const configMaps = (pod.spec!.containers[0]!.envFrom ?? []).flatMap((e) => e.configMapRef?.name ?? []);
    expect(configMaps).toHaveLength(1);
    const configMap = typed<V1ConfigMap>(
      objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === configMaps[0])!,
    );
    expect(Object.keys(configMap.data ?? {})).toEqual(
      expect.arrayContaining(['S3_BUCKET', 'S3_REGION', 'TRANSCODER_TIME_LIMIT_SECONDS']),
    );
    // The chunking settings are the operator's: it plans a long request's parts and puts the same
    // settings into each Job's own env, so the Jobs never plan otherwise.
    expect(Object.keys(configMap.data ?? {})).not.toContain('TRANSCODER_CHUNK_SECONDS');

    const policy = typed<V1NetworkPolicy>(
      objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === configMap.metadata!.name)!,
    );
    expect(pod.metadata!.labels).toMatchObject(policy.spec!.podSelector!.matchLabels!);
    expect(pod.metadata!.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'moocflix' });
  });
});

test('with S3 credentials, the Job reads them from the Secret the services use', async () => {
  const objects = await charts.template('moocflix', ['--set', 'global.s3.existingSecret=moocflix-s3']);
  const job = buildJob(transcodeJob, jobTemplateOf(loadOperatorConfig(operatorEnv(objects))));
  expect(job.spec!.template.spec!.containers[0]!.envFrom).toEqual(
    expect.arrayContaining([{ secretRef: { name: 'moocflix-s3' } }]),
  );
});

test("the chart's chunk settings reach the operator and, through its template, every Job", async () => {
  const objects = await charts.template('moocflix', [
    '--set', 'operator.jobs.chunkThresholdSeconds=900',
    '--set', 'operator.jobs.chunkSeconds=120',
  ]);
  const job = buildJob(transcodeJob, jobTemplateOf(loadOperatorConfig(operatorEnv(objects))));
  expect(job.spec!.template.spec!.containers[0]!.env).toEqual(
    expect.arrayContaining([
      { name: 'TRANSCODER_CHUNK_THRESHOLD_SECONDS', value: '900' },
      { name: 'TRANSCODER_CHUNK_SECONDS', value: '120' },
    ]),
  );
});
