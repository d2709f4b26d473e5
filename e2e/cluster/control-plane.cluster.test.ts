// Smoke test of the cluster tier's control plane: what the operator and chart tests rely on.
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAIL_POD_LABEL } from './kwok-stages';
import { readState } from './state';
import { createNamespace, eventually, helm, kubeClients, refusal } from './test-kit';

const ns = `smoke-${Date.now().toString(36)}`;
const c = kubeClients();

beforeAll(() => createNamespace(c.core, ns));

afterAll(() => c.core.deleteNamespace({ name: ns }));

function job(name: string, labels: Record<string, string> = {}): k8s.V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: { labels },
        // kwok plays the node: the image is never pulled and nothing runs.
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'main', image: 'example.invalid/transcoder:1' }],
        },
      },
    },
  };
}

const condition = (j: k8s.V1Job, type: string) =>
  j.status?.conditions?.find((x) => x.type === type && x.status === 'True');
const jobPods = async (name: string) =>
  (await c.core.listNamespacedPod({ namespace: ns, labelSelector: `batch.kubernetes.io/job-name=${name}` }))
    .items;

test('reports the pinned Kubernetes version', async () => {
  const version = await c.kc.makeApiClient(k8s.VersionApi).getCode();
  expect(version.gitVersion).toBe(readState().kubernetesVersion);
});

// Written as YAML, like the charts' CRDs. loadYaml maps `x-kubernetes-validations` to the model's
// `x_kubernetes_validations`; an object literal with the YAML key would be dropped silently.
const widgetCrd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.smoke.moocflix.io
spec:
  group: smoke.moocflix.io
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget }
  versions:
    - name: v1alpha1
      served: true
      storage: true
      subresources: { status: {} }
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [partitions]
              properties:
                partitions: { type: integer, minimum: 1 }
              x-kubernetes-validations:
                - rule: self.partitions <= 64
                  message: partitions must be at most 64
                - rule: self.partitions >= oldSelf.partitions
                  message: partitions never decrease
`;

test('a CRD with CEL rules refuses invalid objects with a readable message', async () => {
  const crd = k8s.loadYaml<k8s.V1CustomResourceDefinition>(widgetCrd);
  await c.apiextensions.createCustomResourceDefinition({ body: crd });
  await eventually('Widget CRD Established', async () => {
    const current = await c.apiextensions.readCustomResourceDefinition({ name: crd.metadata!.name! });
    return current.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True');
  });
  const widgets = { group: 'smoke.moocflix.io', version: 'v1alpha1', namespace: ns, plural: 'widgets' };
  const widget = (name: string, partitions: number) => ({
    apiVersion: 'smoke.moocflix.io/v1alpha1',
    kind: 'Widget',
    metadata: { name },
    spec: { partitions },
  });
  await c.custom.createNamespacedCustomObject({ ...widgets, body: widget('ok', 3) });

  const tooMany = await refusal(
    c.custom.createNamespacedCustomObject({ ...widgets, body: widget('too-many', 100) }),
  );
  expect(tooMany.code).toBe(422);
  expect(tooMany.message).toContain('partitions must be at most 64');

  const current = (await c.custom.getNamespacedCustomObject({ ...widgets, name: 'ok' })) as ReturnType<
    typeof widget
  >;
  const shrunk = await refusal(
    c.custom.replaceNamespacedCustomObject({
      ...widgets,
      name: 'ok',
      body: { ...current, spec: { partitions: 2 } },
    }),
  );
  expect(shrunk.code).toBe(422);
  expect(shrunk.message).toContain('partitions never decrease');

  await c.apiextensions.deleteCustomResourceDefinition({ name: crd.metadata!.name! });
});

test('a Job runs to Complete on a kwok node', async () => {
  await c.batch.createNamespacedJob({ namespace: ns, body: job('succeeds') });
  const done = await eventually('Job succeeds Complete', async () => {
    const j = await c.batch.readNamespacedJob({ name: 'succeeds', namespace: ns });
    return condition(j, 'Complete') && j;
  });
  expect(done.status?.succeeded).toBe(1);
  const [pod] = await jobPods('succeeds');
  expect(pod?.spec?.nodeName).toMatch(/^kwok-node-/);
  expect(pod?.status?.phase).toBe('Succeeded');
  expect(pod?.status?.containerStatuses?.[0]?.state?.terminated).toMatchObject({
    exitCode: 0,
    reason: 'Completed',
  });
});

test(`a Job whose pod carries ${FAIL_POD_LABEL}=true ends Failed`, async () => {
  await c.batch.createNamespacedJob({ namespace: ns, body: job('fails', { [FAIL_POD_LABEL]: 'true' }) });
  const failed = await eventually('Job fails Failed', async () => {
    const j = await c.batch.readNamespacedJob({ name: 'fails', namespace: ns });
    return condition(j, 'Failed') && j;
  });
  expect(condition(failed, 'Failed')?.reason).toBe('BackoffLimitExceeded');
  const [pod] = await jobPods('fails');
  expect(pod?.status?.phase).toBe('Failed');
  expect(pod?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(1);
});

test("the garbage collector deletes a Job's pods after the Job (propagation Background)", async () => {
  await c.batch.createNamespacedJob({ namespace: ns, body: job('collected') });
  await eventually('pod of Job collected', async () => (await jobPods('collected')).length === 1);
  await c.batch.deleteNamespacedJob({ name: 'collected', namespace: ns, propagationPolicy: 'Background' });
  await eventually('pods of Job collected deleted', async () => (await jobPods('collected')).length === 0);
});

test('Pod Security admission enforces the restricted profile', async () => {
  const restricted = `${ns}-restricted`;
  await createNamespace(c.core, restricted, { 'pod-security.kubernetes.io/enforce': 'restricted' });
  try {
    const pod = (name: string, securityContext: k8s.V1SecurityContext): k8s.V1Pod => ({
      metadata: { name },
      spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [{ name: 'main', image: 'example.invalid/app:1', securityContext }],
      },
    });
    const refused = await refusal(
      c.core.createNamespacedPod({ namespace: restricted, body: pod('privileged', { privileged: true }) }),
    );
    expect(refused.code).toBe(403);
    expect(refused.message).toContain('violates PodSecurity "restricted:latest"');

    const compliant = pod('compliant', { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    await c.core.createNamespacedPod({ namespace: restricted, body: compliant });
    await eventually('compliant pod Running', async () => {
      const p = await c.core.readNamespacedPod({ name: 'compliant', namespace: restricted });
      return p.status?.phase === 'Running';
    });
  } finally {
    await c.core.deleteNamespace({ name: restricted });
  }
});

test('helm installs and uninstalls a chart', async () => {
  expect(await helm('version', '--short')).toMatch(/^v3\./);
  const dir = mkdtempSync(join(tmpdir(), 'moocflix-chart-'));
  try {
    mkdirSync(join(dir, 'templates'));
    // kubeVersion makes helm check the server's version, which prepare.sh stamps into the binaries.
    writeFileSync(
      join(dir, 'Chart.yaml'),
      'apiVersion: v2\nname: smoke\nversion: 0.1.0\nkubeVersion: ">=1.30.0-0"\n',
    );
    writeFileSync(
      join(dir, 'templates', 'configmap.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  greeting: {{ .Values.greeting | quote }}\n',
    );
    writeFileSync(join(dir, 'values.yaml'), 'greeting: hello\n');

    await helm(
      'install',
      'smoke',
      dir,
      '--namespace',
      ns,
      '--set',
      'greeting=bonjour',
      '--wait',
      '--timeout',
      '60s',
    );
    const cm = await c.core.readNamespacedConfigMap({ name: 'smoke-settings', namespace: ns });
    expect(cm.data).toEqual({ greeting: 'bonjour' });

    await helm('uninstall', 'smoke', '--namespace', ns, '--wait', '--timeout', '60s');
    const gone = await refusal(c.core.readNamespacedConfigMap({ name: 'smoke-settings', namespace: ns }));
    expect(gone.code).toBe(404);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
