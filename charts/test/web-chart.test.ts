import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { helmBinary } from './helm';

const run = promisify(execFile);
const CHART = join(__dirname, '..', 'web');

interface K8s {
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown> & {
    template?: { spec: { securityContext: Record<string, unknown>; containers: { securityContext: Record<string, unknown> }[] } };
    rules?: { host?: string; http: { paths: { path: string; pathType: string }[] } }[];
  };
}

async function template(...args: string[]): Promise<K8s[]> {
  const { stdout } = await run(helmBinary(), ['template', 'moocflix', CHART, ...args]);
  return parseAllDocuments(stdout).map((d) => d.toJSON() as K8s).filter(Boolean);
}

// The web console's chart stands alone (no dependency on moocflix-common: it has no database, bus or
// token settings), so it is linted and rendered here rather than in charts.test.ts's service loop.
describe('charts/web', () => {
  test('passes helm lint --strict', async () => {
    const { stdout } = await run(helmBinary(), ['lint', '--strict', CHART]);
    expect(stdout).toContain('0 chart(s) failed');
  });

  test('runs non-root on a read-only root filesystem, without privileges', async () => {
    const objects = await template();
    const deployment = objects.find((o) => o.kind === 'Deployment')!;
    const pod = deployment.spec.template!.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001 });
    expect(pod.containers[0]!.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(objects.map((o) => o.kind).sort()).toEqual(['Deployment', 'Service']);
  });

  test('its Ingress serves path / on the API’s host (the API keeps /api/…)', async () => {
    const objects = await template('--set', 'ingress.enabled=true', '--set', 'ingress.host=moocflix.example.com');
    const ingress = objects.find((o) => o.kind === 'Ingress')!;
    expect(ingress.spec.rules).toEqual([
      expect.objectContaining({ host: 'moocflix.example.com', http: { paths: [expect.objectContaining({ path: '/', pathType: 'Prefix' })] } }),
    ]);
  });
});
