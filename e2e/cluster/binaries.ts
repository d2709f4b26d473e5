// Paths of the tools prepare.sh builds. Versions are read from tools/versions.sh, the file
// prepare.sh itself uses, so the cache key can never drift between the two.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ClusterBinaries {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kwok: string;
  helm: string;
}

export function toolVersions(): Record<string, string> {
  const versions: Record<string, string> = {};
  for (const line of readFileSync(join(__dirname, 'tools', 'versions.sh'), 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(\S+)$/.exec(line.trim());
    if (match) versions[match[1]!] = match[2]!;
  }
  return versions;
}

export function cacheDir(): string {
  return process.env.MOOCFLIX_CACHE || join(homedir(), '.cache', 'moocflix');
}

export function clusterBinaries(): ClusterBinaries {
  const v = toolVersions();
  const bin = (tool: string, versionKey: string, name: string): string => {
    const version = v[versionKey];
    if (!version) throw new Error(`${versionKey} missing from e2e/cluster/tools/versions.sh`);
    const path = join(cacheDir(), `${tool}-${version}`, 'bin', name);
    if (!existsSync(path)) throw new Error(`${path} not found: run \`bash e2e/cluster/prepare.sh\` first`);
    return path;
  };
  return {
    etcd: bin('etcd', 'ETCD_VERSION', 'etcd'),
    kubeApiserver: bin('kubernetes', 'KUBERNETES_VERSION', 'kube-apiserver'),
    kubeControllerManager: bin('kubernetes', 'KUBERNETES_VERSION', 'kube-controller-manager'),
    kubeScheduler: bin('kubernetes', 'KUBERNETES_VERSION', 'kube-scheduler'),
    kwok: bin('kwok', 'KWOK_VERSION', 'kwok'),
    helm: bin('helm', 'HELM_VERSION', 'helm'),
  };
}
