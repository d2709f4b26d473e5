// The web image's server: the console's files on PORT (8080), nothing else. The ingress sends /api/*
// to the API services and everything else here, so the console and the API share one origin.
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';
import { createStaticHandler } from './static-handler.mjs';

const port = Number(process.env.PORT ?? 8080);
const dist = process.env.WEB_DIST ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const serve = createStaticHandler(dist);
const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  // The probes of the chart: the process answers, and the app's index.html is readable.
  if (path === '/healthz') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
  void serve(req, res);
});
server.listen(port, process.env.HOST ?? '0.0.0.0', () => {
  const address = server.address();
  console.log(JSON.stringify({ msg: 'web console ready', port: typeof address === 'object' && address ? address.port : port }));
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
