import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// The console's API types are generated from the services' OpenAPI documents and committed: a
// contract change must come with `npm run generate -w web` (and then breaks `tsc` where it matters).
// The generator runs in its own Node process: openapi-typescript is ESM that jest's CommonJS cannot load.
describe('web/src/api/generated', () => {
  it('is current with every service’s src/openapi.ts', () => {
    const check = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/generate-api.ts', '--check'], {
      cwd: join(__dirname, '..'),
      encoding: 'utf8',
    });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
