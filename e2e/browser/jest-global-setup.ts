import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

/** The browser tier tests the console as built: build it once (generate, typecheck, bundle: ~10 s). */
export default function globalSetup(): void {
  const repo = resolve(__dirname, '../..');
  // A production build whatever jest set NODE_ENV to: what a person gets, and what the budget measures.
  execFileSync('npm', ['run', 'build', '-w', 'web'], { cwd: repo, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  execFileSync('bash', [resolve(__dirname, 'ensure-chromium.sh')], { cwd: repo, stdio: ['ignore', 'ignore', 'inherit'] });
}
