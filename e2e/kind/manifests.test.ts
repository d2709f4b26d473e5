import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The kind e2e's third-party systems (manifests/, images built by images/third-party.sh): checked without
 * a cluster, so a manifest that Pod Security "restricted" would refuse, or that names an image tag the
 * script does not build (kind would then try a registry: imagePullPolicy Never fails the pod), fails in
 * the unit tier instead of minutes into `make e2e`.
 */
interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  readinessProbe?: unknown;
  securityContext?: {
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
  };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec: {
    template?: {
      spec: {
        securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
        containers: Container[];
        volumes?: Array<Record<string, unknown>>;
        hostNetwork?: boolean;
      };
    };
    ports?: Array<{ port: number }>;
  };
}

const here = __dirname;
const read = (file: string) => readFileSync(path.join(here, file), 'utf8');
const manifests = (file: string): Manifest[] =>
  parseAllDocuments(read(`manifests/${file}`)).map((d) => d.toJS() as Manifest);
const variable = (text: string, name: string) => new RegExp(`^${name}=(\\S+)`, 'm').exec(text)?.[1];

const versions = read('../stack/versions.sh');
const thirdParty = read('images/third-party.sh');
const expected = {
  'postgres.yaml': { service: 'postgres', port: 5432, image: 'moocflix-e2e/postgres:15' },
  'kafka.yaml': {
    service: 'kafka',
    port: 9092,
    image: `moocflix-e2e/kafka:${variable(versions, 'KAFKA_VERSION')}`,
  },
  'seaweedfs.yaml': {
    service: 'seaweedfs',
    port: 8333,
    image: `moocflix-e2e/seaweedfs:${variable(versions, 'SEAWEEDFS_VERSION')}`,
  },
  'otlp.yaml': {
    service: 'otlp',
    port: 4318,
    image: `moocflix-e2e/otlp-receiver:${variable(thirdParty, 'OTLP_RECEIVER_VERSION')}`,
  },
};

describe('kind third-party manifests', () => {
  test('are exactly the four systems (no Strimzi resources left)', () => {
    expect(readdirSync(path.join(here, 'manifests')).sort()).toEqual(Object.keys(expected).sort());
  });

  describe.each(Object.entries(expected))('%s', (file, { service, port, image }) => {
    const docs = manifests(file);
    const deployment = docs.find((d) => d.kind === 'Deployment');
    const pod = deployment?.spec.template?.spec;

    test('a Deployment and a Service with the name and port the platform is configured with', () => {
      expect(docs.map((d) => d.kind).sort()).toEqual(['Deployment', 'Service']);
      const svc = docs.find((d) => d.kind === 'Service');
      expect(svc?.metadata.name).toBe(service);
      expect(svc?.spec.ports?.map((p) => p.port)).toEqual([port]);
    });

    test('runs the locally built image, never pulled, with a readiness probe', () => {
      expect(pod?.containers.map((c) => [c.image, c.imagePullPolicy, Boolean(c.readinessProbe)])).toEqual([
        [image, 'Never', true],
      ]);
    });

    test('passes Pod Security "restricted"', () => {
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.securityContext?.runAsUser).toBeGreaterThan(0);
      expect(pod?.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      expect(pod?.hostNetwork).toBeUndefined();
      for (const container of pod?.containers ?? []) {
        expect(container.securityContext?.allowPrivilegeEscalation).toBe(false);
        expect(container.securityContext?.capabilities?.drop).toEqual(['ALL']);
        expect(container.securityContext?.capabilities?.add).toBeUndefined();
      }
      // "restricted" allows only these volume types; storage is an emptyDir, never a hostPath or PVC.
      for (const volume of pod?.volumes ?? []) {
        const types = Object.keys(volume).filter((key) => key !== 'name');
        expect(types.every((type) => ['emptyDir', 'secret', 'configMap'].includes(type))).toBe(true);
      }
    });
  });
});

describe('third-party Dockerfiles', () => {
  test.each(['postgres', 'kafka', 'seaweedfs', 'otlp-receiver'])(
    '%s builds with the classic builder, as a non-root user',
    (name) => {
      const lines = read(`images/${name}/Dockerfile`).split('\n');
      expect(
        lines.filter((l) => /^#\s*syntax\s*=|^\s*RUN\s+--mount|^\s*(COPY|ADD)\s.*--chmod/i.test(l)),
      ).toEqual([]);
      const user = lines.filter((l) => /^USER\s/.test(l)).pop();
      expect(user).toMatch(/^USER [1-9]\d*:[1-9]\d*$/);
    },
  );
});
