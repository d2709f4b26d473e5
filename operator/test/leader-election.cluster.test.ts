// Leader election with operator processes on a real apiserver: one of two replicas leads, the
// other stands by; a SIGKILLed leader is replaced within the lease duration, a SIGTERMed one hands
// over at once (it releases the Lease), and a leader that loses its Lease exits.
import { createNamespace, eventually, kubeClients, type KubeClients } from '../../e2e/cluster/test-kit';
import { MoocFlixTopicResource, type MoocFlixTopic } from '../src/api/v1alpha1';
import type { KubeClient } from '../src/controller-runtime/client';
import type { Lease } from '../src/controller-runtime/leader-election';
import { LeaseResource, ResourceClient } from '../src/controller-runtime/resource';
import type { KafkaTopic } from '../src/topics/strimzi-backend';
import { kafkaTopicResource } from '../src/topics/strimzi-discovery';
import {
  adminClient,
  installCrds,
  OPERATOR_CRDS,
  operatorKubeconfig,
  spawnOperator,
  STRIMZI_V1BETA2_CRD,
  type OperatorProcess,
} from './support/cluster';

jest.setTimeout(180_000);

const ns = `leader-${Date.now().toString(36)}`;
const LEASE_MS = 6_000;
let c: KubeClients;
let client: KubeClient;
let leases: ResourceClient<Lease>;
let topics: ResourceClient<MoocFlixTopic>;
let kafkaTopics: ResourceClient<KafkaTopic>;
let env: Record<string, string>;
const replicas = new Map<string, OperatorProcess>();

beforeAll(async () => {
  c = kubeClients();
  await installCrds(c, [...OPERATOR_CRDS, STRIMZI_V1BETA2_CRD]);
  await createNamespace(c.core, ns);
  client = await adminClient();
  leases = new ResourceClient(client, LeaseResource);
  topics = new ResourceClient(client, MoocFlixTopicResource);
  kafkaTopics = new ResourceClient(client, kafkaTopicResource('v1beta2'));
  env = {
    KUBECONFIG: await operatorKubeconfig(c, ns),
    POD_NAMESPACE: ns,
    WATCH_NAMESPACES: ns,
    OPERATOR_CONTROLLERS: 'topics',
    TOPIC_BACKEND: 'strimzi',
    LEADER_ELECTION_LEASE_DURATION_MS: String(LEASE_MS),
    LEADER_ELECTION_RENEW_DEADLINE_MS: '4000',
    LEADER_ELECTION_RETRY_PERIOD_MS: '500',
  };
}, 120_000);

afterAll(async () => {
  for (const p of replicas.values()) await p.kill('SIGKILL');
  await c?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  client?.close();
});

function startReplica(name: string): OperatorProcess {
  const p = spawnOperator({ ...env, POD_NAME: name }, name);
  replicas.set(name, p);
  return p;
}

const holder = async () => (await leases.get(ns, 'moocflix-operator'))?.spec?.holderIdentity;

/** The replica's health server, from its "operator started" log line. */
async function urlOf(p: OperatorProcess): Promise<string> {
  return eventually(
    'the operator started',
    async () => {
      const line = p
        .log()
        .split('\n')
        .find((l) => l.includes('"operator started"'));
      return line ? (JSON.parse(line) as { url: string }).url : undefined;
    },
    60_000,
  );
}

async function masterStatus(p: OperatorProcess): Promise<number | undefined> {
  const text = await (await fetch(`${await urlOf(p)}/metrics`)).text();
  const match = /^leader_election_master_status\{name="moocflix-operator"\} (\d)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

async function reconciledBy(name: string): Promise<void> {
  await topics.create({
    metadata: { name, namespace: ns },
    spec: { topicName: name, partitions: 1, deletionPolicy: 'Delete' },
  });
  await eventually(`KafkaTopic ${name}`, () => kafkaTopics.get(ns, name), 30_000);
}

test('two replicas: one leads and reconciles, the other stands by, both ready', async () => {
  const a = startReplica('replica-a');
  const b = startReplica('replica-b');
  const leader = await eventually(
    'a leader',
    async () => {
      const h = await holder();
      return (h === 'replica-a' || h === 'replica-b') && h;
    },
    60_000,
  );
  const [lead, standby] = leader === 'replica-a' ? [a, b] : [b, a];
  await reconciledBy('first');
  await eventually(
    'master status on both',
    async () => (await masterStatus(lead)) === 1 && (await masterStatus(standby)) === 0,
  );
  for (const p of [a, b]) expect((await fetch(`${await urlOf(p)}/readyz`)).status).toBe(200);
  // The standby reconciled nothing.
  const standbyMetrics = await (await fetch(`${await urlOf(standby)}/metrics`)).text();
  expect(standbyMetrics).not.toMatch(/^controller_runtime_reconcile_total\{[^}]*\} [1-9]/m);
});

test('the leader SIGKILLed: the standby takes over within the lease duration and reconciles', async () => {
  const leaderName = (await holder())!;
  const standbyName = leaderName === 'replica-a' ? 'replica-b' : 'replica-a';
  const killedAt = Date.now();
  await replicas.get(leaderName)!.kill('SIGKILL');
  await eventually('the standby leading', async () => (await holder()) === standbyName, 30_000);
  const takeoverMs = Date.now() - killedAt;
  // It waits out the lease it saw renewed last (plus a retry period and this test's polling).
  expect(takeoverMs).toBeLessThan(LEASE_MS + 4_000);
  await reconciledBy('after-kill');
  replicas.delete(leaderName);
});

test('the leader SIGTERMed releases the Lease: a standby takes over at once', async () => {
  const leaderName = (await holder())!;
  const standby = startReplica('replica-c');
  await urlOf(standby);
  await eventually('replica-c standing by', async () => (await masterStatus(standby)) === 0);
  const leader = replicas.get(leaderName)!;
  await leader.kill('SIGTERM');
  const stoppedAt = Date.now();
  expect(await leader.exited).toBe(0);
  expect(leader.log()).toContain('lease released');
  await eventually('replica-c leading', async () => (await holder()) === 'replica-c', 30_000);
  expect(Date.now() - stoppedAt).toBeLessThan(LEASE_MS);
  await reconciledBy('after-handover');
  replicas.delete(leaderName);
});

test('a leader whose Lease is taken stops leading and exits (to restart clean)', async () => {
  const leader = replicas.get('replica-c')!;
  const lease = (await leases.get(ns, 'moocflix-operator'))!;
  const now = new Date().toISOString().replace('Z', '000Z');
  await leases.replace({
    ...lease,
    spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: now, acquireTime: now },
  });
  const code = await Promise.race([
    leader.exited,
    new Promise((r) => setTimeout(() => r('still running'), 30_000)),
  ]);
  expect(code).toBe(1);
  expect(leader.log()).toContain('leadership lost');
  replicas.delete('replica-c');
});
