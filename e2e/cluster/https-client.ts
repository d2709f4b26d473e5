// A minimal HTTPS JSON client for bringing the control plane up (readiness probes, creating the
// fake nodes). It keeps startup free of @kubernetes/client-node, an ESM-only package that
// jest's global setup would otherwise have to transform.
import { request } from 'node:https';

export interface TlsCredentials {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

export interface HttpsResponse {
  status: number;
  body: string;
}

export function httpsRequest(
  url: string,
  tls: TlsCredentials,
  method = 'GET',
  body?: unknown,
): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      url,
      {
        method,
        ...tls,
        // Components other than the apiserver serve self-signed certificates of their own;
        // without a CA we only probe their health endpoints, which carry nothing secret.
        rejectUnauthorized: tls.ca !== undefined,
        headers: payload
          ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }
          : {},
        timeout: 5_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    req.end(payload);
  });
}
