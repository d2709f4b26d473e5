// Unit tier: every chart linted and rendered by the real helm (built by e2e/cluster/prepare.sh),
// with default and with full values; every rendered pod spec checked against the Pod Security
// "restricted" profile; bad values refused with a readable message.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_TOPICS, deadLetterTopic, SEED_TOPICS, Topics } from '@moocflix/platform-bus';
import type {
  V1Deployment,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1Service,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { parser as promql } from '@prometheus-io/lezer-promql';
import { podSpecsOf, restrictedViolations } from './pod-security';
import {
  APPLICATION_CHARTS,
  CHARTS_DIR,
  REPO_DIR,
  type ApplicationChart,
  envOf,
  type K8sObject,
  mainContainer,
  podSpecOf,
  scratchCharts,
  typed,
  type ScratchCharts,
} from './helm';

const FULL_VALUES = join(__dirname, 'full-values.yaml');
/** The values of the kind e2e (e2e/kind/run.sh, skaffold -p kind): rendered here so they stay valid. */
const KIND_VALUES = join(REPO_DIR, 'e2e', 'kind', 'values.yaml');
const SERVICE_CHARTS = [
  'users',
  'courses',
  'content',
  'assessments',
  'notifications',
  'transcoder',
  'moocflix-operator',
] as const;
/** The umbrella chart's key of each part (the operator chart is aliased). */
const UMBRELLA_KEY: Record<(typeof SERVICE_CHARTS)[number], string> = {
  users: 'users',
  courses: 'courses',
  content: 'content',
  assessments: 'assessments',
  notifications: 'notifications',
  transcoder: 'transcoder',
  'moocflix-operator': 'operator',
};

let charts: ScratchCharts;
const rendered = new Map<string, K8sObject[]>();

beforeAll(async () => {
  charts = scratchCharts();
  // A standalone chart gets the umbrella's full values of its part, plus the globals.
  const full = parse(readFileSync(FULL_VALUES, 'utf8'), { merge: true }) as Record<
    string,
    Record<string, unknown>
  >;
  const renders: Promise<void>[] = [];
  for (const chart of APPLICATION_CHARTS) {
    renders.push(charts.template(chart).then((objects) => void rendered.set(`${chart} defaults`, objects)));
  }
  renders.push(
    charts.template('moocflix', ['-f', FULL_VALUES]).then((o) => void rendered.set('moocflix full', o)),
  );
  renders.push(
    charts
      .template('moocflix', ['-f', KIND_VALUES, '--set', 'users.image.tag=e2e'])
      .then((o) => void rendered.set('moocflix kind e2e', o)),
  );
  for (const chart of SERVICE_CHARTS) {
    // Without the umbrella's dependency condition: a standalone chart does not know it.
    const { enabled: _enabled, ...part } = full[UMBRELLA_KEY[chart]] ?? {};
    const values = { ...part, global: full.global };
    renders.push(
      charts
        .template(chart, ['-f', writeValues(chart, values)])
        .then((objects) => void rendered.set(`${chart} full`, objects)),
    );
  }
  await Promise.all(renders);
}, 180_000);

afterAll(() => charts?.remove());

function writeValues(name: string, values: unknown): string {
  const path = join(charts.dir, `${name}-full-values.json`);
  writeFileSync(path, JSON.stringify(values));
  return path;
}

const renderings = () => [...rendered.entries()];

describe('helm lint', () => {
  test.each([...APPLICATION_CHARTS, 'moocflix-common'])(
    '%s passes helm lint --strict with defaults',
    async (chart) => {
      const { stdout } = await charts.helm('lint', '--strict', join(charts.dir, chart));
      expect(stdout).toContain('0 chart(s) failed');
    },
  );

  test('the umbrella chart passes helm lint --strict with the full values', async () => {
    const { stdout } = await charts.helm('lint', '--strict', join(charts.dir, 'moocflix'), '-f', FULL_VALUES);
    expect(stdout).toContain('0 chart(s) failed');
  });
});

describe('rendered objects', () => {
  test('every chart renders with defaults and with full values', () => {
    for (const chart of APPLICATION_CHARTS)
      expect(rendered.get(`${chart} defaults`)?.length).toBeGreaterThan(0);
    for (const chart of SERVICE_CHARTS) expect(rendered.get(`${chart} full`)?.length).toBeGreaterThan(0);
    expect(rendered.get('moocflix full')?.length).toBeGreaterThan(0);
    expect(rendered.get('moocflix kind e2e')?.length).toBeGreaterThan(0);
  });

  test('every pod spec meets the Pod Security "restricted" profile', () => {
    let checked = 0;
    for (const [rendering, objects] of renderings()) {
      for (const object of objects) {
        for (const spec of podSpecsOf(object)) {
          checked++;
          expect({
            rendering,
            object: `${object.kind}/${object.metadata.name}`,
            violations: restrictedViolations(spec),
          }).toEqual({
            rendering,
            object: `${object.kind}/${object.metadata.name}`,
            violations: [],
          });
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(7 + 7 + 7 + 6);
  });

  test('no Secret is ever rendered: secrets are referenced by name only', () => {
    for (const [, objects] of renderings()) expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  test('every Deployment probes /healthz and /readyz, sets resources and a read-only root filesystem, and mounts /tmp', () => {
    for (const [rendering, objects] of renderings()) {
      for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
        const pod = podSpecOf(deployment);
        const [container] = pod.containers;
        const where = `${rendering}: ${deployment.metadata.name}`;
        expect([
          where,
          container!.livenessProbe?.httpGet?.path,
          container!.readinessProbe?.httpGet?.path,
        ]).toEqual([where, '/healthz', '/readyz']);
        expect([where, container!.startupProbe?.httpGet?.path]).toEqual([where, '/healthz']);
        expect([where, Object.keys(container!.resources?.requests ?? {}).sort()]).toEqual([
          where,
          ['cpu', 'memory'],
        ]);
        expect([where, container!.securityContext?.readOnlyRootFilesystem]).toEqual([where, true]);
        expect(container!.volumeMounts).toEqual(expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }]));
        expect(pod.volumes?.find((v) => v.name === 'tmp')?.emptyDir).toBeDefined();
      }
    }
  });

  test('a stopping pod keeps serving for shutdownDelaySeconds (preStop sleep) and has time left to drain after it', () => {
    for (const [rendering, objects] of renderings()) {
      for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
        const pod = podSpecOf(deployment);
        const sleep = (pod.containers[0] as { lifecycle?: { preStop?: { sleep?: { seconds: number } } } }).lifecycle
          ?.preStop?.sleep?.seconds;
        const where = `${rendering}: ${deployment.metadata.name}`;
        expect([where, sleep]).toEqual([where, 10]);
        expect([where, (pod.terminationGracePeriodSeconds ?? 30) > sleep! + 10]).toEqual([where, true]);
      }
    }
  });

  test('shutdownDelaySeconds 0 renders no preStop hook (clusters older than Kubernetes 1.30 lack the sleep action)', async () => {
    const objects = await charts.template('users', ['--set', 'shutdownDelaySeconds=0']);
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    expect((podSpecOf(deployment).containers[0] as { lifecycle?: unknown }).lifecycle).toBeUndefined();
  });

  test('only the operator mounts a ServiceAccount token', () => {
    for (const [rendering, objects] of renderings()) {
      for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
        const automount = (podSpecsOf(deployment)[0] as { automountServiceAccountToken?: boolean })
          .automountServiceAccountToken;
        const isOperator = deployment.metadata.labels?.['app.kubernetes.io/component'] === 'operator';
        expect([rendering, deployment.metadata.name, automount]).toEqual([
          rendering,
          deployment.metadata.name,
          isOperator,
        ]);
      }
    }
  });

  test('every Deployment has a Service, a PodDisruptionBudget and a NetworkPolicy selecting its pods', () => {
    for (const [rendering, objects] of renderings()) {
      for (const deployment of objects.filter((o) => o.kind === 'Deployment')) {
        const selector = typed<V1Deployment>(deployment).spec!.selector.matchLabels;
        const selects = (o: K8sObject, labels: Record<string, string> | undefined) =>
          JSON.stringify(labels) === JSON.stringify(selector) ? o.kind : undefined;
        const kinds = objects.map((o) =>
          o.kind === 'Service'
            ? selects(o, typed<V1Service>(o).spec?.selector)
            : o.kind === 'PodDisruptionBudget'
              ? selects(o, typed<V1PodDisruptionBudget>(o).spec?.selector?.matchLabels)
              : o.kind === 'NetworkPolicy'
                ? selects(o, typed<V1NetworkPolicy>(o).spec?.podSelector?.matchLabels)
                : undefined,
        );
        expect([rendering, deployment.metadata.name, kinds.filter(Boolean).sort()]).toEqual([
          rendering,
          deployment.metadata.name,
          ['NetworkPolicy', 'PodDisruptionBudget', 'Service'],
        ]);
      }
    }
  });

  test('NetworkPolicies deny by default: both directions, only the listed ports', () => {
    const policies = rendered.get('moocflix defaults')!.filter((o) => o.kind === 'NetworkPolicy');
    // One per Deployment and one for the operator's transcode Job pods.
    expect(policies).toHaveLength(7);
    for (const policy of policies) {
      const spec = typed<V1NetworkPolicy>(policy).spec!;
      expect(spec.policyTypes).toEqual(['Ingress', 'Egress']);
      for (const rule of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) {
        expect(rule.ports?.length).toBeGreaterThan(0);
      }
    }
    const egressPorts = (name: string) =>
      (typed<V1NetworkPolicy>(policies.find((p) => p.metadata.name === name)!).spec!.egress ?? []).flatMap(
        (rule) => (rule.ports ?? []).map((p) => p.port),
      );
    expect(egressPorts('moocflix-users')).toEqual(expect.arrayContaining([53, 9092, 5432]));
    expect(egressPorts('moocflix-operator')).toEqual(expect.arrayContaining([6443]));
    expect(egressPorts('moocflix-operator')).not.toContain(5432);
  });

  test("services verify tokens against the release's users JWKS, and the global settings reach every part", () => {
    const env = (objects: K8sObject[], deployment: string) =>
      envOf(objects.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment)!);
    const defaults = rendered.get('moocflix defaults')!;
    expect(env(defaults, 'moocflix-courses')).toMatchObject({
      JWT_JWKS_URL: 'http://moocflix-users/api/v1/users/.well-known/jwks.json',
      KAFKA_BROKERS: 'moocflix-kafka-bootstrap:9092',
      DATABASE_URL: { secretKeyRef: { name: 'moocflix-courses-database', key: 'DATABASE_URL' } },
      PORT: '8080',
    });
    expect(env(defaults, 'moocflix-users').JWT_JWKS_URL).toBeUndefined();
    expect(env(defaults, 'moocflix-users').JWT_PRIVATE_JWKS).toEqual({
      secretKeyRef: { name: 'moocflix-users-jwt', key: 'JWT_PRIVATE_JWKS' },
    });
    expect(env(defaults, 'moocflix-content').PLAYBACK_TOKEN_SECRET).toEqual({
      secretKeyRef: { name: 'moocflix-content-playback', key: 'PLAYBACK_TOKEN_SECRET' },
    });
    expect(env(defaults, 'moocflix-notifications').NOTIFICATION_RETENTION_DAYS).toBe('180');
    // The browser session's settings: the refresh cookie's lifetime as an integer (not 1.2096e+06),
    // PUBLIC_ORIGIN only when set.
    expect(env(defaults, 'moocflix-users').REFRESH_TOKEN_TTL_SECONDS).toBe('1209600');
    expect(env(defaults, 'moocflix-users').PUBLIC_ORIGIN).toBeUndefined();
    expect(env(rendered.get('moocflix full')!, 'moocflix-users')).toMatchObject({
      REFRESH_TOKEN_TTL_SECONDS: '86400',
      PUBLIC_ORIGIN: 'https://moocflix.example.com',
    });

    const full = rendered.get('moocflix full')!;
    for (const deployment of full.filter((o) => o.kind === 'Deployment')) {
      expect(env(full, deployment.metadata.name)).toMatchObject({
        KAFKA_BROKERS: 'kafka-0.kafka:9092,kafka-1.kafka:9092',
        S3_ENDPOINT: 'http://seaweedfs:8333',
        S3_BUCKET: 'videos',
        JWT_ISSUER: 'https://moocflix.example.com',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
        EXTRA_SETTING: '1',
      });
      const s3Key =
        deployment.metadata.name === 'moocflix-courses'
          ? { name: 'courses-s3', key: 'access-key' }
          : { name: 'moocflix-s3', key: 'S3_ACCESS_KEY_ID' };
      expect(env(full, deployment.metadata.name).S3_ACCESS_KEY_ID).toEqual({ secretKeyRef: s3Key });
    }
  });

  test('the transcoder workers are off by default and run in worker mode when on', () => {
    expect(
      rendered.get('moocflix defaults')!.find((o) => o.metadata.name === 'moocflix-transcoder'),
    ).toBeUndefined();
    const worker = rendered
      .get('moocflix full')!
      .find((o) => o.kind === 'Deployment' && o.metadata.name === 'moocflix-transcoder')!;
    expect(mainContainer(worker).args).toEqual(['worker']);
  });
});

describe('alerts (PrometheusRule)', () => {
  interface Rule {
    alert: string;
    expr: string;
    for: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }
  const rulesOf = (rendering: string): Rule[] => {
    const objects = rendered.get(rendering)!.filter((o) => o.kind === 'PrometheusRule');
    expect(objects).toHaveLength(1);
    return (objects[0] as unknown as { spec: { groups: { rules: Rule[] }[] } }).spec.groups.flatMap((g) => g.rules);
  };

  test('off by default (the kind only exists where the Prometheus Operator runs)', () => {
    expect(rendered.get('moocflix defaults')!.filter((o) => o.kind === 'PrometheusRule')).toEqual([]);
  });

  test("on: the events-delayed and server-errors alerts with the release's namespace and the values' thresholds", () => {
    const rules = rulesOf('moocflix full');
    expect(rules.map((r) => r.alert)).toEqual(['MoocFlixEventsDelayed', 'MoocFlixServerErrors']);
    const [delayed, errors] = rules;
    expect(delayed!.expr).toMatch(/moocflix_outbox_oldest_pending_age_seconds\{namespace="moocflix"\}\) > 120$/);
    expect(errors!.expr).toContain('status=~"5.."');
    expect(errors!.expr).toMatch(/> 0\.02$/);
    for (const rule of rules) {
      expect(rule.for).toBe('10m');
      // Prometheus's own templates, not Helm's: left for Prometheus to fill in.
      expect(rule.annotations.description).toMatch(/\{\{ \$labels\.\w+ \}\}/);
    }
  });

  test("every alert's expression parses as PromQL (Prometheus's own grammar)", () => {
    const broken = (expr: string): string[] => {
      const errors: string[] = [];
      promql.parse(expr).iterate({
        enter: (node) => {
          if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(node.from, node.from + 20))}`);
        },
      });
      return errors;
    };
    // The check itself: a broken expression is caught.
    expect(broken('sum(rate(x[5m]) /')).not.toEqual([]);
    for (const rule of rulesOf('moocflix full')) {
      expect({ alert: rule.alert, errors: broken(rule.expr) }).toEqual({ alert: rule.alert, errors: [] });
    }
  });

  test('every metric an alert reads is one the services register', () => {
    const source = platformSources();
    const names = new Set(
      rulesOf('moocflix full').flatMap((r) => r.expr.match(/\b[a-z_]+_(?:seconds|total|events)(?:_count)?\b/g) ?? []),
    );
    expect(names.size).toBeGreaterThanOrEqual(2);
    for (const name of names) {
      const registered = name.replace(/_count$/, '');
      expect({ name, registered: source.includes(`'${registered}'`) }).toEqual({ name, registered: true });
    }
  });
});

/** The kit's sources, where every metric a service serves is named. */
function platformSources(): string {
  const texts: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path);
      }
      else if (entry.name.endsWith('.ts') && !entry.name.includes('.test.')) texts.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(REPO_DIR, 'services', 'platform'));
  return texts.join('\n');
}

describe('topics', () => {
  const topicsOf = (rendering: string) =>
    rendered
      .get(rendering)!
      .filter((o) => o.kind === 'MoocFlixTopic')
      .map(
        (o) =>
          o.spec as {
            topicName: string;
            partitions: number;
            replicas?: number;
            config?: Record<string, unknown>;
          },
      );

  test('a MoocFlixTopic for every platform topic and a dead-letter topic for every consumed one', () => {
    const expected = [
      ...ALL_TOPICS,
      ...[...SEED_TOPICS, Topics.TranscodingProgress, Topics.VideoUploaded].map(deadLetterTopic),
    ].sort();
    expect(
      topicsOf('moocflix defaults')
        .map((t) => t.topicName)
        .sort(),
    ).toEqual(expected);
  });

  test('Session-Revoked is kept longer than an access token lives; overrides apply', () => {
    const sessionRevoked = topicsOf('moocflix defaults').find((t) => t.topicName === Topics.SessionRevoked)!;
    const ttlSeconds = (
      parse(readFileSync(join(CHARTS_DIR, 'users', 'values.yaml'), 'utf8')) as {
        accessTokenTtlSeconds: number;
      }
    ).accessTokenTtlSeconds;
    expect(sessionRevoked.config!['retention.ms']).toBeGreaterThan(ttlSeconds * 1000);

    const full = topicsOf('moocflix full');
    expect(full.find((t) => t.topicName === Topics.TranscodingRequest)).toMatchObject({
      partitions: 12,
      replicas: 3,
      config: { 'retention.ms': 604800000 },
    });
    expect(full.find((t) => t.topicName === Topics.SessionRevoked)).toMatchObject({
      partitions: 6,
      replicas: 5,
    });
  });

  test('MoocFlixTopic names are valid Kubernetes names', () => {
    for (const topic of rendered.get('moocflix defaults')!.filter((o) => o.kind === 'MoocFlixTopic')) {
      expect(topic.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });
});

describe('invalid values are refused with a readable message', () => {
  const refused = (chart: ApplicationChart, ...set: string[]) =>
    charts.templateError(
      chart,
      set.flatMap((s) => ['--set', s]),
    );

  test.each(SERVICE_CHARTS)('%s: an unknown key', async (chart) => {
    expect(await refused(chart, 'replicaCont=3')).toMatch(
      /additional propert(y|ies) 'replicaCont' not allowed/,
    );
  });

  test.each(SERVICE_CHARTS)('%s: a wrong type', async (chart) => {
    expect(await refused(chart, 'service.port=http')).toMatch(/service\/port.*got string, want integer/);
  });

  test('a users publicOrigin that is not an origin', async () => {
    expect(await refused('users', 'publicOrigin=https://moocflix.example.com/app')).toMatch(/publicOrigin/);
  });

  test('an unknown key deep in a part of the umbrella chart', async () => {
    const message = await refused('moocflix', 'content.upload.maxByte=1');
    expect(message).toMatch(/content:/);
    expect(message).toMatch(/additional propert(y|ies) 'maxByte' not allowed/);
  });

  test('an unknown top-level key of the umbrella chart', async () => {
    expect(await refused('moocflix', 'transcoding.enabled=true')).toMatch(
      /additional propert(y|ies) 'transcoding' not allowed/,
    );
  });

  test('a notification retention below the processed-events window', async () => {
    expect(await refused('notifications', 'retention.days=7')).toMatch(/retention\/days.*minimum/);
  });

  test('an enum', async () => {
    expect(await refused('users', 'logLevel=verbose')).toMatch(/logLevel/);
    expect(await refused('moocflix', 'topics.deletionPolicy=delete')).toMatch(/deletionPolicy/);
  });

  test('both consumers of Transcoding-Request', async () => {
    expect(await refused('moocflix', 'transcoder.enabled=true')).toMatch(
      /transcoder.enabled=true and operator.intake.enabled=true: exactly one consumer of Transcoding-Request is allowed/,
    );
    // Either one alone renders.
    await charts.template('moocflix', [
      '--set',
      'transcoder.enabled=true',
      '--set',
      'operator.intake.enabled=false',
    ]);
    await charts.template('moocflix', [
      '--set',
      'transcoder.enabled=true',
      '--set',
      'operator.enabled=false',
    ]);
  });

  test('Session-Revoked retained no longer than an access token lives', async () => {
    expect(await refused('moocflix', 'users.accessTokenTtlSeconds=86400')).toMatch(
      /Session-Revoked retention.ms \(86400000\) must exceed the access-token TTL/,
    );
  });

  test("an override of a topic that is not the platform's", async () => {
    expect(await refused('moocflix', 'topics.overrides.Transcoding-Requests.partitions=4')).toMatch(
      /topics.overrides: "Transcoding-Requests" is not a MoocFlix topic/,
    );
  });

  test('an S3 Secret with other key names than the transcode Jobs can read', async () => {
    expect(
      await refused(
        'moocflix',
        'global.s3.existingSecret=s3',
        'global.s3.accessKeyIdKey=id',
        'global.s3.secretAccessKeyKey=secret',
      ),
    ).toMatch(
      /the transcode Jobs read Secret s3 whole \(envFrom\), so its keys must be S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY/,
    );
  });

  test('a leader-election renew deadline not shorter than the lease', async () => {
    expect(await refused('moocflix-operator', 'leaderElection.renewDeadlineSeconds=15')).toMatch(
      /leaderElection.renewDeadlineSeconds \(15\) must be shorter than leaderElection.leaseDurationSeconds \(15\)/,
    );
  });

  test('autoscaling bounds upside down', async () => {
    expect(
      await refused(
        'courses',
        'autoscaling.enabled=true',
        'autoscaling.minReplicas=5',
        'autoscaling.maxReplicas=2',
      ),
    ).toMatch(/autoscaling.minReplicas \(5\) is greater than autoscaling.maxReplicas \(2\)/);
  });
});
