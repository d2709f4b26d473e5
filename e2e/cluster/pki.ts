// Certificates for one throw-away control plane: a CA, the apiserver's serving certificate and
// one client certificate per component, so each authenticates as the identity RBAC expects
// (system:kube-controller-manager and system:kube-scheduler have bootstrap roles; the admin and
// kwok are in system:masters). Node has no X.509 issuing API, hence the openssl CLI.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CertPair {
  cert: string;
  key: string;
}

export interface ClusterPki {
  caCert: string;
  apiserver: CertPair;
  admin: CertPair;
  controllerManager: CertPair;
  scheduler: CertPair;
  kwok: CertPair;
  /** Signs service-account tokens (apiserver) and is its verification key too. */
  serviceAccountKey: string;
}

/** Valid for a week: long enough for a cluster brought up by hand with cli.ts. */
const DAYS = '7';

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new Error('openssl not found: the cluster tier needs it (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

function issue(dir: string, name: string, subject: string, extensions: string[], ca: CertPair): CertPair {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, extensions.join('\n') + '\n');
  openssl([
    'req',
    '-new',
    '-nodes',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-keyout',
    pair.key,
    '-out',
    csr,
    '-subj',
    subject,
  ]);
  openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-days',
    DAYS,
    '-sha256',
    '-extfile',
    ext,
    '-out',
    pair.cert,
  ]);
  return pair;
}

export function generatePki(dir: string): ClusterPki {
  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  openssl([
    'req',
    '-x509',
    '-new',
    '-nodes',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-keyout',
    ca.key,
    '-out',
    ca.cert,
    '-days',
    DAYS,
    '-sha256',
    '-subj',
    '/CN=moocflix-cluster-ca',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);

  const client = [
    'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=clientAuth',
  ];
  // In-cluster clients reach the apiserver as kubernetes.default.svc (10.96.0.1 is the first
  // address of --service-cluster-ip-range); everything outside uses 127.0.0.1.
  const sans = [
    'IP:127.0.0.1',
    'IP:10.96.0.1',
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local',
  ];

  const serviceAccountKey = join(dir, 'service-account.key');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(serviceAccountKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });

  return {
    caCert: ca.cert,
    apiserver: issue(
      dir,
      'apiserver',
      '/CN=kube-apiserver',
      [
        'basicConstraints=CA:FALSE',
        'keyUsage=critical,digitalSignature',
        'extendedKeyUsage=serverAuth',
        `subjectAltName=${sans.join(',')}`,
      ],
      ca,
    ),
    admin: issue(dir, 'admin', '/O=system:masters/CN=moocflix-admin', client, ca),
    controllerManager: issue(
      dir,
      'kube-controller-manager',
      '/CN=system:kube-controller-manager',
      client,
      ca,
    ),
    scheduler: issue(dir, 'kube-scheduler', '/CN=system:kube-scheduler', client, ca),
    kwok: issue(dir, 'kwok', '/O=system:masters/CN=kwok-controller', client, ca),
    serviceAccountKey,
  };
}
