import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { S3ObjectStorage } from './s3-storage';

/**
 * What goes over the wire, checked against a recording HTTP server. Behaviour against a real S3
 * server is the contract suite's job (s3-storage.int.test.ts); these pin the request details that
 * only some S3-compatible servers insist on, so a server that happens not to check cannot hide a
 * regression.
 */
describe('S3ObjectStorage requests', () => {
  let server: Server;
  let endpoint: string;
  const requests: Array<{ method: string; url: string; headers: IncomingHttpHeaders; body: Buffer }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        requests.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        const url = new URL(req.url ?? '/', 'http://s3');
        if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
          res.writeHead(200, { 'content-type': 'application/xml' }).end(listing(['v/1/a.m4s', 'v/1/b.m4s']));
        } else if (req.method === 'POST' && url.searchParams.has('delete')) {
          res.writeHead(200, { 'content-type': 'application/xml' }).end('<DeleteResult></DeleteResult>');
        } else if (req.method === 'PUT') {
          res.writeHead(200, { etag: '"abc"' }).end();
        } else {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests.length = 0;
  });

  function storage(): S3ObjectStorage {
    return new S3ObjectStorage({
      endpoint,
      region: 'us-east-1',
      bucket: 'media',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
      forcePathStyle: true,
    });
  }

  it('sends DeleteObjects with the Content-MD5 that servers following the original S3 API require', async () => {
    const s3 = storage();
    expect(await s3.deletePrefix('v/1/')).toBe(2);
    s3.close();

    const deletion = requests.find((r) => r.method === 'POST');
    expect(deletion?.body.toString()).toContain('<Key>v/1/a.m4s</Key>');
    expect(deletion?.headers['content-md5']).toBe(
      createHash('md5')
        .update(deletion?.body ?? '')
        .digest('base64'),
    );
  });

  it('streams a put as a plain body, without the aws-chunked encoding many servers cannot parse', async () => {
    const s3 = storage();
    const info = await s3.put(
      'v/1/source.mp4',
      Readable.from([Buffer.from('part one, '), Buffer.from('part two')]),
      {
        contentType: 'video/mp4',
      },
    );
    s3.close();

    expect(info).toEqual({ key: 'v/1/source.mp4', size: 18, contentType: 'video/mp4', etag: '"abc"' });
    const [put] = requests;
    expect(put?.url).toMatch(/^\/media\/v\/1\/source\.mp4(\?|$)/);
    expect(put?.body.toString()).toBe('part one, part two');
    expect(put?.headers['content-encoding']).toBeUndefined();
    expect(Object.keys(put?.headers ?? {}).filter((h) => h.startsWith('x-amz-checksum-'))).toEqual([]);
  });

  it('reports a server that accepts connections but never answers as not ready, within seconds', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const s3 = new S3ObjectStorage({
      endpoint: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      region: 'us-east-1',
      bucket: 'media',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
      forcePathStyle: true,
    });
    try {
      const started = Date.now();
      expect(await s3.ping()).toBe(false);
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      s3.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  }, 15_000);
});

function listing(keys: string[]): string {
  const contents = keys.map((key) => `<Contents><Key>${key}</Key><Size>1</Size></Contents>`).join('');
  return `<ListBucketResult><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`;
}
