// Kubeconfig files with the credentials embedded, so a test can copy or mount one alone.
// JSON is valid YAML, which every client here (client-go, helm, @kubernetes/client-node) reads.
import { readFileSync, writeFileSync } from 'node:fs';
import type { CertPair } from './pki';

const b64 = (path: string): string => readFileSync(path).toString('base64');

export function writeKubeconfig(
  path: string,
  server: string,
  caCert: string,
  user: string,
  creds: CertPair,
): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'moocflix', cluster: { server, 'certificate-authority-data': b64(caCert) } }],
    users: [
      { name: user, user: { 'client-certificate-data': b64(creds.cert), 'client-key-data': b64(creds.key) } },
    ],
    contexts: [{ name: 'moocflix', context: { cluster: 'moocflix', user, namespace: 'default' } }],
    'current-context': 'moocflix',
  };
  writeFileSync(path, JSON.stringify(config, null, 2), { mode: 0o600 });
}
