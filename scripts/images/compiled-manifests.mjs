// Writes the package.json of each compiled workspace next to its compiled JavaScript:
//   node scripts/images/compiled-manifests.mjs <outDir> <workspace dir>...
// The workspaces' `exports` (and `main`) point at ./src/*.ts, which is what tsx, jest and the
// type checker want in the repository; the images hold only tsc's .js output, so there the same
// entries must name .js files. Rewriting the copied manifests keeps the repository's manifests as
// they are; an exports condition ("require": "./src/x.js" next to the .ts entry) would work too,
// but would make every manifest say two things and tie the repository to a build layout.
// Only "./src/….ts" values change; anything else is kept as written.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';

const [outDir, ...workspaces] = process.argv.slice(2);
if (!outDir || workspaces.length === 0) {
  console.error('usage: compiled-manifests.mjs <outDir> <workspace dir>...');
  process.exit(2);
}

const toJs = (value) => {
  if (typeof value === 'string')
    return /^\.\/src\/.*\.ts$/.test(value) ? value.replace(/\.ts$/, '.js') : value;
  if (Array.isArray(value)) return value.map(toJs);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJs(v)]));
  return value;
};

for (const dir of workspaces) {
  const target = path.join(outDir, dir, 'package.json');
  // Not a workspace (services/platform/ itself), or one tsc emitted nothing for (excluded from the
  // build): no manifest.
  if (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.dirname(target))) continue;
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const field of ['exports', 'main']) {
    if (field in manifest) manifest[field] = toJs(manifest[field]);
  }
  writeFileSync(target, `${JSON.stringify(manifest, null, 2)}\n`);
  // Every rewritten entry must exist, or the image would fail at its first import of it.
  for (const entry of JSON.stringify([manifest.exports ?? null, manifest.main ?? null]).match(
    /\.\/src\/[^"]*\.js/g,
  ) ?? []) {
    if (!entry.includes('*') && !existsSync(path.join(outDir, dir, entry))) {
      console.error(`${dir}: ${entry} was not emitted`);
      process.exit(1);
    }
  }
}
