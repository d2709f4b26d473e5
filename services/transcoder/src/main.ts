import { runStandalone } from '@moocflix/platform-runtime';
import { OneShotExit, runOneShot } from './one-shot';
import { createTranscoderService } from './service';

// `main.ts [worker]` serves health/metrics and consumes Transcoding-Request (a Deployment, `make dev`);
// `main.ts one-shot --request <json>` runs one request and exits (a Kubernetes Job).
const [mode = 'worker', ...rest] = process.argv.slice(2);

if (mode === 'worker') {
  void runStandalone({ name: 'transcoder', defaultPort: 8086, create: createTranscoderService });
} else if (mode === 'one-shot') {
  void runOneShot(rest, process.env).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(OneShotExit.invalid);
    },
  );
} else {
  console.error(
    `unknown mode ${JSON.stringify(mode)}: use "worker" (default) or "one-shot --request <json>"`,
  );
  process.exit(OneShotExit.invalid);
}
