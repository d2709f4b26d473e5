// Lints fixtures with the repository's own ESLint config and prints the rule ids each one raised, as
// JSON. Run as a child process by boundaries.test.ts (jest cannot load the ESM config).
// Input (stdin): [{ "path": "services/x/src/y.ts", "code": "..." }, ...]; only the folder of each path
// counts. The type-aware rules need real files in the TypeScript project, so each fixture is written
// under a name of its own next to the code it pretends to be, linted, and removed on every exit path.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '../..');
const fixtures = JSON.parse(await text(process.stdin));
const files = fixtures.map((f, i) => path.join(root, path.dirname(f.path), `__lint_fixture_${process.pid}_${i}${path.extname(f.path) || '.ts'}`));
const removeAll = () => files.forEach((file) => rmSync(file, { force: true }));
process.on('SIGINT', () => (removeAll(), process.exit(130)));
process.on('SIGTERM', () => (removeAll(), process.exit(143)));
try {
  fixtures.forEach((f, i) => writeFileSync(files[i], f.code));
  const results = await new ESLint({ cwd: root }).lintFiles(files);
  const byFile = new Map(results.map((r) => [r.filePath, r.messages.map((m) => m.ruleId ?? `fatal: ${m.message}`)]));
  process.stdout.write(JSON.stringify(files.map((file) => byFile.get(file) ?? ['fatal: not linted'])));
} finally {
  removeAll();
}
