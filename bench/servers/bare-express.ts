// Baseline for the kit-overhead benchmark: the same JSON route on bare Express, nothing else.
import express from 'express';

const app = express();
app.get('/api/v1/bench/ping', (_req, res) => {
  res.json({ ok: true, at: 'bench' });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  console.log(`LISTENING http://127.0.0.1:${address.port}`);
});
// Exit on SIGTERM by closing, not by the signal's default, so BENCH_CPU_PROF can write the profile.
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
