import http from 'node:http';
import { connect } from 'node:net';
import express from 'express';
import { createLogger } from '@moocflix/platform-core/log';
import { startHttpServer, type RunningServer } from './server';

/**
 * The keep-alive drain of close(): clients reusing a connection learn from an answer that it ends,
 * instead of having it closed under a request they are sending (the rolling-update race).
 */
describe('startHttpServer close() with a keep-alive drain', () => {
  let release: (() => void) | undefined;
  const app = express();
  app.get('/quick', (_req, res) => void res.json({ ok: true }));
  // Sends its headers and part of its body at once, the rest when the test says so.
  let finishStream: (() => void) | undefined;
  app.get('/stream', (_req, res) => {
    res.setHeader('Content-Type', 'text/plain');
    res.write('part one;');
    finishStream = () => res.end('part two');
  });
  // Answers only when the test says so: a request in flight while close() starts.
  app.get('/slow', (_req, res) => {
    release = () => void res.json({ ok: true });
  });

  async function serve(keepAliveDrainMs: number): Promise<RunningServer> {
    return startHttpServer({
      app,
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('test', 'silent'),
      keepAliveDrainMs,
    });
  }

  function get(server: RunningServer, agent: http.Agent, path: string) {
    return new Promise<{ status: number; connection: string | undefined; socketClosed: Promise<void> }>(
      (resolve, reject) => {
        const req = http.get(`${server.url}${path}`, { agent }, (res) => {
          res.resume();
          const socket = res.socket;
          const socketClosed = new Promise<void>((done) =>
            socket.destroyed ? done() : socket.once('close', () => done()),
          );
          res.on('end', () =>
            resolve({ status: res.statusCode!, connection: res.headers.connection, socketClosed }),
          );
        });
        req.on('error', reject);
      },
    );
  }

  it('answers a request on a reused connection with Connection: close, then ends at once when no connection is left', async () => {
    // A drain far longer than the test's timeout: close() only resolves in time if it ends early.
    const server = await serve(60_000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(server, agent, '/quick');
      expect(first.connection).toBe('keep-alive');
      const closed = server.close();
      const second = await get(server, agent, '/quick');
      expect(second).toMatchObject({ status: 200, connection: 'close' });
      await second.socketClosed;
      await closed;
      expect(server.server.listening).toBe(false);
    } finally {
      agent.destroy();
    }
  });

  it('puts Connection: close on an answer that was in flight when close() began', async () => {
    const server = await serve(60_000);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const slow = get(server, agent, '/slow');
      while (!release) await new Promise((r) => setTimeout(r, 5));
      const closed = server.close();
      release();
      await expect(slow).resolves.toMatchObject({ status: 200, connection: 'close' });
      await closed;
    } finally {
      release = undefined;
      agent.destroy();
    }
  });

  it('puts Connection: close on a pipelined answer still waiting behind another when close() began', async () => {
    const server = await serve(60_000);
    const socket = connect(server.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    try {
      // Two requests in one write: /slow's answer waits until /stream's is done.
      socket.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\nGET /slow HTTP/1.1\r\nHost: x\r\n\r\n');
      while (!received.includes('part one;') || !release) await new Promise((r) => setTimeout(r, 5));
      const closed = server.close();
      release();
      finishStream!();
      await ended;
      await closed;
      const answers = received.split(/(?=HTTP\/1\.1 )/);
      expect(answers).toHaveLength(2);
      // The first answer's headers were out before the drain: only the waiting one can say it.
      expect(answers[0]).toMatch(/^HTTP\/1\.1 200 [^]*connection: keep-alive/i);
      expect(answers[1]).toMatch(/^HTTP\/1\.1 200 [^]*connection: close/i);
      expect(answers[1]).toContain('{"ok":true}');
    } finally {
      finishStream = undefined;
      release = undefined;
      socket.destroy();
    }
  });

  it('closes a connection that stays idle through the drain once it is over', async () => {
    const server = await serve(200);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(server, agent, '/quick');
      expect(first.connection).toBe('keep-alive');
      await server.close();
      await first.socketClosed;
      expect(server.server.listening).toBe(false);
    } finally {
      agent.destroy();
    }
  });

  it('without a drain (the default) answers keep-alive and closes idle connections at once', async () => {
    const server = await startHttpServer({
      app,
      port: 0,
      host: '127.0.0.1',
      logger: createLogger('test', 'silent'),
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(server, agent, '/quick');
      await server.close();
      await first.socketClosed;
      expect(first.connection).toBe('keep-alive');
    } finally {
      agent.destroy();
    }
  });
});
