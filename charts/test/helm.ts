// Helm for the chart tests: the binary e2e/cluster/prepare.sh builds with `go install`-style
// pinned wrapper modules (cached outside the clone), and a scratch copy of charts/ with the
// file:// dependencies vendored, so tests never write into the work tree and never race each other.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { V1Container, V1EnvVarSource, V1PodSpec } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { cacheDir, toolVersions } from '../../e2e/cluster/binaries';

export const CHARTS_DIR = join(__dirname, '..');
export const REPO_DIR = join(CHARTS_DIR, '..');

/** Every chart users install (the library chart renders nothing by itself). */
export const APPLICATION_CHARTS = [
  'users',
  'courses',
  'content',
  'assessments',
  'notifications',
  'transcoder',
  'moocflix-operator',
  'moocflix',
] as const;
export type ApplicationChart = (typeof APPLICATION_CHARTS)[number];

/** The charts of the services that serve the API behind an ingress (trustedProxies, httpLimits). */
export const API_CHARTS = ['users', 'courses', 'content', 'assessments', 'notifications'] as const;

export function helmBinary(): string {
  // Inside the cluster tier jest-env.ts sets it; elsewhere, the cache prepare.sh fills.
  if (process.env.MOOCFLIX_HELM_BIN) return process.env.MOOCFLIX_HELM_BIN;
  const path = join(cacheDir(), `helm-${toolVersions().HELM_VERSION}`, 'bin', 'helm');
  if (!existsSync(path))
    throw new Error(`${path} not found: run \`bash e2e/cluster/prepare.sh\` first (it builds helm)`);
  return path;
}

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [key: string]: unknown };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
};

export interface ScratchCharts {
  dir: string;
  helm(...args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** `helm template` of a chart of the scratch copy; rejects with helm's message. */
  template(chart: ApplicationChart, args?: string[]): Promise<K8sObject[]>;
  /** helm's error message when rendering fails; throws when it renders. */
  templateError(chart: ApplicationChart, args?: string[]): Promise<string>;
  remove(): void;
}

const execFileAsync = promisify(execFile);

/** Copies charts/ to a temp dir and vendors every chart's dependencies there. */
export function scratchCharts(): ScratchCharts {
  const helm = helmBinary();
  const dir = mkdtempSync(join(tmpdir(), 'moocflix-charts-'));
  cpSync(CHARTS_DIR, dir, {
    recursive: true,
    filter: (src) =>
      !/[/\\](test|tools|node_modules)$/.test(src) && !/[/\\]charts[/\\][^/\\]+[/\\]charts$/.test(src),
  });
  // Helm's own config and cache stay inside the scratch dir (never ~/.config/helm).
  const env = {
    ...process.env,
    HELM: helm,
    HELM_CONFIG_HOME: join(dir, '.helm', 'config'),
    HELM_CACHE_HOME: join(dir, '.helm', 'cache'),
    HELM_DATA_HOME: join(dir, '.helm', 'data'),
  };
  execFileSync('bash', [join(dir, 'build-dependencies.sh'), dir], { env, stdio: 'pipe' });

  const run = (...args: string[]) => execFileAsync(helm, args, { env, maxBuffer: 64 * 1024 * 1024 });
  const template = async (chart: ApplicationChart, args: string[] = []) => {
    try {
      const { stdout } = await run(
        'template',
        'moocflix',
        join(dir, chart),
        '--namespace',
        'moocflix',
        ...args,
      );
      return parseManifests(stdout);
    } catch (err) {
      throw new Error(
        `helm template ${chart} ${args.join(' ')}: ${(err as { stderr?: string }).stderr ?? String(err)}`,
      );
    }
  };
  return {
    dir,
    helm: run,
    template,
    async templateError(chart, args = []) {
      try {
        await run('template', 'moocflix', join(dir, chart), ...args);
      } catch (err) {
        return (err as { stderr?: string }).stderr ?? String(err);
      }
      throw new Error(`helm template ${chart} ${args.join(' ')} rendered, but it should have failed`);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`unparsable manifest: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/** A rendered object seen as the Kubernetes model it is (the client's models mirror the JSON). */
export function typed<T>(object: K8sObject): T {
  return object as unknown as T;
}

/** The pod spec of a rendered workload (Deployment, Job...). */
export function podSpecOf(object: K8sObject): V1PodSpec {
  const spec = (object.spec as { template?: { spec?: V1PodSpec } } | undefined)?.template?.spec;
  if (!spec) throw new Error(`${object.kind}/${object.metadata.name} has no pod template`);
  return spec;
}

/** The first container of a rendered workload. */
export function mainContainer(object: K8sObject): V1Container {
  return podSpecOf(object).containers[0]!;
}

/** A workload's environment: variable name → its value, or its valueFrom. */
export function envOf(object: K8sObject): Record<string, string | V1EnvVarSource | undefined> {
  return Object.fromEntries((mainContainer(object).env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
}
