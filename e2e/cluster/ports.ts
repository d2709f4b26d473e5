// Free TCP ports on 127.0.0.1, found by letting the kernel pick them. Another process could take
// one between release and use; the component then fails to bind and startup reports its log.
import { createServer, type Server } from 'node:net';

function listen(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** One distinct port per name: all are held open at once, so the kernel cannot repeat one. */
export async function freePorts<Name extends string>(...names: Name[]): Promise<Record<Name, number>> {
  const servers = await Promise.all(names.map(listen));
  const ports = {} as Record<Name, number>;
  names.forEach((name, i) => (ports[name] = (servers[i]!.address() as { port: number }).port));
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
