import { connect, type Socket } from 'node:net';

/** One HTTP/1.1 response as it came off the wire. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** The body parsed as JSON (undefined when it is not JSON). */
  json: unknown;
}

/**
 * A raw TCP connection to a test server, for what an HTTP client library will not send: bodies
 * that stop half-way, trickle, lie about their length, or headers past every limit. Talks only to
 * 127.0.0.1. Reads the first response off the connection (Content-Length or chunked body).
 */
export class RawConnection {
  private received = Buffer.alloc(0);
  private ended = false;
  private waiters: (() => void)[] = [];
  /** Resolves when the server closes the connection (or it is reset). */
  readonly closed: Promise<void>;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    // A reset after the answer is one of the outcomes tests look at, not a failure of the helper.
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.ended = true;
        this.wake();
        resolve();
      });
    });
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    if (hostname !== '127.0.0.1' && hostname !== 'localhost')
      throw new Error(`not a local test server: ${url}`);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: Number(port) }, () =>
        resolve(new RawConnection(socket)),
      );
      socket.once('error', reject);
    });
  }

  /** Writes bytes; resolves once they are handed to the kernel (false when the server has gone). */
  write(data: string | Buffer): Promise<boolean> {
    if (this.socket.destroyed || !this.socket.writable) return Promise.resolve(false);
    return new Promise((resolve) => this.socket.write(data, (err) => resolve(!err)));
  }

  /** Sends `data` one byte at a time, `intervalMs` apart, until done or the server hangs up. */
  async trickle(data: string | Buffer, intervalMs: number): Promise<number> {
    const bytes = Buffer.from(data);
    for (let i = 0; i < bytes.length; i += 1) {
      if (this.ended || !(await this.write(bytes.subarray(i, i + 1)))) return i;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    return bytes.length;
  }

  /** Half-closes: the client will send nothing more but still reads. */
  end(): void {
    this.socket.end();
  }

  /** Drops the connection at once, as a client that crashed or gave up. */
  destroy(): void {
    this.socket.destroy();
  }

  get isClosed(): boolean {
    return this.ended;
  }

  /**
   * The first response, or null when the connection closes (or `timeoutMs` passes) without a
   * complete one.
   */
  async response(timeoutMs = 10_000): Promise<RawResponse | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.received);
      if (parsed) return parsed;
      if (this.ended || Date.now() >= deadline) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

function parseResponse(data: Buffer): RawResponse | null {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const [statusLine, ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const rest = data.subarray(headEnd + 4);
  let body: Buffer | null;
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = dechunk(rest);
  else {
    const length = Number(headers['content-length'] ?? 0);
    body = rest.length >= length ? rest.subarray(0, length) : null;
  }
  if (!body) return null;
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status, headers, body, json };
}

function dechunk(data: Buffer): Buffer | null {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) return null;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) return Buffer.concat(parts);
    if (data.length < lineEnd + 2 + size + 2) return null;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
}
