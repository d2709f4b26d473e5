#!/usr/bin/env node
// Splits the one kit package (@moocflix/platform, services/platform/src/<module>) into the kit
// packages under services/platform/<package>/ (docs/decisions/0009-kit-packages.md), and rewrites
// every reference to the old layout. Re-runnable and idempotent: a second run finds nothing to move
// and nothing to rewrite, and a run after someone added files that still use the old layout (new
// files under services/platform/src/<module>/, imports of `@moocflix/platform/<module>`, relative
// imports written for the old place) moves and rewrites just those.
//
//   node scripts/codemods/split-kit.mjs          # move, rewrite, update package.json dependencies
//   node scripts/codemods/split-kit.mjs --check  # list what would change; exit 1 if anything would
//
// What it does, in order:
//   1. `git mv` every file under services/platform/src/<module>/ to services/platform/<package>/src/<dir>/
//      (MODULES below; the runtime's process guard and periodic task go to core's `process` module),
//      and services/platform/migrations/ to services/platform/bus/migrations/; removes the old
//      services/platform/package.json.
//   2. In every .ts/.mjs/.js/.json/.md/.tpl/.yaml/.sh file (no node_modules, no lockfile):
//      `@moocflix/platform/<module>` → the new specifier (imports from `.../runtime` are split by
//      name: process guard and periodic task → `@moocflix/platform-core/process`), and the paths
//      `services/platform/src/<module>/...`, `services/platform/migrations` → the new paths.
//   3. In the kit's own files: a relative import that no longer resolves is resolved from the file's
//      old place; one into another kit package becomes that package's specifier, one elsewhere
//      (e2e/stack/control) gets the new relative path; the same for `join(__dirname, '<relative>')`.
//   4. Every workspace's package.json: `@moocflix/platform` is replaced by the kit packages its
//      files import (src → dependencies, tests and test support → devDependencies; a kit package
//      gets no kit devDependencies, see below).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CHECK = process.argv.includes('--check');
const KIT = 'services/platform';

/** old module → [package directory, directory under its src/, import specifier] */
const MODULES = {
  config: ['core', 'config', '@moocflix/platform-core/config'],
  log: ['core', 'log', '@moocflix/platform-core/log'],
  errors: ['core', 'errors', '@moocflix/platform-core/errors'],
  retry: ['core', 'retry', '@moocflix/platform-core/retry'],
  metrics: ['core', 'metrics', '@moocflix/platform-core/metrics'],
  transcoding: ['core', 'transcoding', '@moocflix/platform-core/transcoding'],
  tracing: ['telemetry', 'tracing', '@moocflix/platform-telemetry/tracing'],
  instrument: ['telemetry', 'instrument', '@moocflix/platform-telemetry/instrument'],
  db: ['db', 'db', '@moocflix/platform-db'],
  events: ['bus', 'events', '@moocflix/platform-bus'],
  projections: ['bus', 'projections', '@moocflix/platform-bus/projections'],
  http: ['http', 'http', '@moocflix/platform-http'],
  auth: ['http', 'auth', '@moocflix/platform-http/auth'],
  storage: ['storage', 'storage', '@moocflix/platform-storage'],
  media: ['media', 'media', '@moocflix/platform-media'],
  runtime: ['runtime', 'runtime', '@moocflix/platform-runtime'],
  testing: ['testing', 'testing', '@moocflix/platform-testing'],
};
/** Files of the old runtime module that every process needs (the operator too): core's `process`. */
const PROCESS_FILE = /^(process-guard|periodic-task)[.]/;
const PROCESS = ['core', 'process', '@moocflix/platform-core/process'];
const PROCESS_NAMES = new Set([
  'installProcessGuard',
  'UNEXPECTED_ERROR_EXIT_CODE',
  'UnexpectedErrorKind',
  'ProcessGuard',
  'ProcessGuardOptions',
  'periodicTask',
  'PeriodicTask',
  'PeriodicTaskOptions',
]);
const PACKAGE_DIRS = [...new Set([...Object.values(MODULES).map(([p]) => p)])];
const packageName = (dir) => `@moocflix/platform-${dir}`;
/** new module directory (package/src/dir) → its specifier */
const SPECIFIER_OF_DIR = new Map([
  ...Object.values(MODULES).map(([p, d, s]) => [`${p}/${d}`, s]),
  [`${PROCESS[0]}/${PROCESS[1]}`, PROCESS[2]],
]);
const OLD_MODULE_OF_DIR = new Map([
  ...Object.entries(MODULES).map(([m, [p, d]]) => [`${p}/${d}`, m]),
  [`${PROCESS[0]}/${PROCESS[1]}`, 'runtime'],
]);

const changes = [];
const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' });
const tracked = new Set(git('ls-files', '-z', KIT).split('\0').filter(Boolean));

function move(from, to) {
  changes.push(`move ${from} → ${to}`);
  if (CHECK) return;
  mkdirSync(dirname(join(ROOT, to)), { recursive: true });
  if (tracked.has(from)) git('mv', from, to);
  else renameSync(join(ROOT, from), join(ROOT, to));
}

function filesUnder(dir) {
  const abs = join(ROOT, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true })
    .map((f) => posix.join(dir, String(f).split('\\').join('/')))
    .filter((f) => statSync(join(ROOT, f)).isFile());
}

// ---- 1. moves ----------------------------------------------------------------------------------
for (const [module, [pkg, dir]] of Object.entries(MODULES)) {
  for (const file of filesUnder(`${KIT}/src/${module}`)) {
    const rest = file.slice(`${KIT}/src/${module}/`.length);
    const [p, d] = module === 'runtime' && PROCESS_FILE.test(rest) ? PROCESS : [pkg, dir];
    move(file, `${KIT}/${p}/src/${d}/${rest}`);
  }
}
for (const file of filesUnder(`${KIT}/migrations`)) {
  move(file, `${KIT}/bus/migrations/${file.slice(`${KIT}/migrations/`.length)}`);
}
if (existsSync(join(ROOT, KIT, 'package.json'))) {
  changes.push(`remove ${KIT}/package.json (replaced by the kit packages' own)`);
  if (!CHECK) {
    if (tracked.has(`${KIT}/package.json`)) git('rm', '-q', `${KIT}/package.json`);
    else rmSync(join(ROOT, KIT, 'package.json'));
  }
}
if (!CHECK) {
  for (const module of Object.keys(MODULES)) rmSync(join(ROOT, KIT, 'src', module), { recursive: true, force: true });
  if (existsSync(join(ROOT, KIT, 'src')) && readdirSync(join(ROOT, KIT, 'src')).length === 0) rmSync(join(ROOT, KIT, 'src'), { recursive: true });
  if (existsSync(join(ROOT, KIT, 'migrations')) && filesUnder(`${KIT}/migrations`).length === 0) rmSync(join(ROOT, KIT, 'migrations'), { recursive: true });
}

// ---- 2. and 3. rewrites ------------------------------------------------------------------------
const TEXT = /\.(tsx?|mts|cts|mjs|cjs|jsx?|json|md|tpl|ya?ml|sh)$|(^|\/)(Makefile|Dockerfile)$/;
const SKIP_DIR = new Set(['node_modules', '.git', 'dist', 'coverage', '.moocflix']);
const SELF = 'scripts/codemods/split-kit.mjs';

function walk(dir, out = []) {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    if (SKIP_DIR.has(entry.name)) continue;
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) walk(path, out);
    else if (entry.isFile() && TEXT.test(path) && path !== 'package-lock.json' && path !== SELF) out.push(path);
  }
  return out;
}

/** `import { a, type B } from '@moocflix/platform/runtime'` split into core's process module and the runtime package. */
function splitRuntimeImports(text) {
  return text.replace(
    /(import|export)(\s+type)?\s*\{([^}]*)\}\s*from\s*(['"])@moocflix\/platform\/runtime\4;?/g,
    (whole, kind, typeKw = '', names, q) => {
      const parts = names.split(',').map((n) => n.trim()).filter(Boolean);
      const local = (n) => n.replace(/^type\s+/, '').split(/\s+as\s+/)[0].trim();
      const proc = parts.filter((n) => PROCESS_NAMES.has(local(n)));
      const rest = parts.filter((n) => !PROCESS_NAMES.has(local(n)));
      const multiline = names.includes('\n');
      const stmt = (list, spec) =>
        multiline && list.length > 2
          ? `${kind}${typeKw} {\n${list.map((n) => `  ${n},`).join('\n')}\n} from ${q}${spec}${q};`
          : `${kind}${typeKw} { ${list.join(', ')} } from ${q}${spec}${q};`;
      return [proc.length ? stmt(proc, PROCESS[2]) : null, rest.length ? stmt(rest, MODULES.runtime[2]) : null]
        .filter(Boolean)
        .join('\n');
    },
  );
}

function rewriteSpecifiers(text) {
  text = splitRuntimeImports(text);
  return text.replace(/@moocflix\/platform\/([a-z-]+)/g, (whole, module) => MODULES[module]?.[2] ?? whole);
}

function rewritePaths(text) {
  // services/platform/src/runtime/process-guard.ts and periodic-task.ts went to core/src/process.
  text = text.replace(
    /services\/platform\/src\/runtime\/((?:process-guard|periodic-task)[\w.-]*)/g,
    (_, file) => `${KIT}/${PROCESS[0]}/src/${PROCESS[1]}/${file}`,
  );
  text = text.replace(/services\/platform\/src\/([a-z-]+)/g, (whole, module) =>
    MODULES[module] ? `${KIT}/${MODULES[module][0]}/src/${MODULES[module][1]}` : whole,
  );
  return text.replace(/services\/platform\/migrations/g, `${KIT}/bus/migrations`);
}

function resolvesTo(fromDir, spec) {
  const base = posix.normalize(posix.join(fromDir, spec));
  for (const candidate of [base, `${base}.ts`, `${base}/index.ts`, `${base}.js`, `${base}.json`]) {
    if (existsSync(join(ROOT, candidate))) return base;
  }
  return null;
}

/** For a file now at services/platform/<pkg>/src/<dir>/...: where it used to be. */
function oldDirOf(file) {
  const m = file.match(/^services\/platform\/([a-z-]+)\/src\/([a-z-]+)\/(.*)$/);
  if (!m) return null;
  const oldModule = OLD_MODULE_OF_DIR.get(`${m[1]}/${m[2]}`);
  if (!oldModule) return null;
  return posix.dirname(`${KIT}/src/${oldModule}/${m[3]}`);
}

/** The new home of an old path services/platform/src/<module>/<rest> (or migrations), or null. */
function newPathOf(oldPath) {
  const mig = oldPath.match(/^services\/platform\/migrations(\/.*)?$/);
  if (mig) return `${KIT}/bus/migrations${mig[1] ?? ''}`;
  const m = oldPath.match(/^services\/platform\/src\/([a-z-]+)(?:\/(.*))?$/);
  if (!m || !MODULES[m[1]]) return null;
  const rest = m[2] ?? '';
  const [p, d] = m[1] === 'runtime' && PROCESS_FILE.test(`${rest}.`) ? PROCESS : MODULES[m[1]];
  return rest ? `${KIT}/${p}/src/${d}/${rest}` : `${KIT}/${p}/src/${d}`;
}

/** A relative specifier in a moved kit file, fixed for the new layout (or returned unchanged). */
function fixRelative(file, spec, { importLike }) {
  const dir = posix.dirname(file);
  if (resolvesTo(dir, spec)) return spec;
  const oldDir = oldDirOf(file);
  if (!oldDir) return spec;
  const oldTarget = posix.normalize(posix.join(oldDir, spec));
  const newTarget = newPathOf(oldTarget);
  if (newTarget) {
    const [, pkg, sub] = newTarget.match(/^services\/platform\/([a-z-]+)(?:\/src\/([a-z-]+))?/) ?? [];
    const ownPkg = file.split('/')[2];
    if (importLike && pkg !== ownPkg && sub) {
      // Another kit package: its specifier (a deep import becomes the module's public entry).
      return SPECIFIER_OF_DIR.get(`${pkg}/${sub}`) ?? spec;
    }
    const rel = posix.relative(dir, newTarget);
    return rel.startsWith('.') ? rel : `./${rel}`;
  }
  if (resolvesTo(oldDir, spec)) {
    const rel = posix.relative(dir, oldTarget);
    return rel.startsWith('.') ? rel : `./${rel}`;
  }
  return spec;
}

function rewriteKitRelatives(file, text) {
  if (!/^services\/platform\/[a-z-]+\/src\//.test(file) || !/\.(ts|mjs|js)$/.test(file)) return text;
  text = text.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|jest\.mock\s*\(\s*)(['"])(\.\.?\/[^'"]*)\2/g,
    (whole, lead, q, spec) => `${lead}${q}${fixRelative(file, spec, { importLike: true })}${q}`,
  );
  return text.replace(
    /(join\(\s*__dirname\s*,\s*)(['"])(\.\.?\/[^'"]*)\2/g,
    (whole, lead, q, spec) => `${lead}${q}${fixRelative(file, spec, { importLike: false })}${q}`,
  );
}

for (const file of walk('')) {
  const before = readFileSync(join(ROOT, file), 'utf8');
  let after = rewriteSpecifiers(before);
  after = rewritePaths(after);
  after = rewriteKitRelatives(file, after);
  if (after !== before) {
    changes.push(`rewrite ${file}`);
    if (!CHECK) writeFileSync(join(ROOT, file), after);
  }
}

// ---- 4. package.json dependencies --------------------------------------------------------------
const KIT_SPEC = /['"](@moocflix\/platform-[a-z-]+)(?:\/[a-z-]+)?['"]/g;
const isTestFile = (path) =>
  /(^|\/)test\//.test(path) || /\.(test|int\.test|cluster\.test|fixture|kill-fixture)\.ts$/.test(path) || /[.-]fixture\.ts$/.test(path);

function workspaces() {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const out = [];
  for (const pattern of root.workspaces) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      if (!existsSync(join(ROOT, parent))) continue;
      for (const e of readdirSync(join(ROOT, parent), { withFileTypes: true })) {
        if (e.isDirectory() && existsSync(join(ROOT, parent, e.name, 'package.json'))) out.push(`${parent}/${e.name}`);
      }
    } else if (existsSync(join(ROOT, pattern, 'package.json'))) out.push(pattern);
  }
  return out;
}

const allWorkspaces = workspaces();
for (const ws of allWorkspaces) {
  const pkgPath = `${ws}/package.json`;
  const pkg = JSON.parse(readFileSync(join(ROOT, pkgPath), 'utf8'));
  const self = pkg.name;
  // A workspace's own files, not those of workspaces nested in it.
  const nested = allWorkspaces.filter((w) => w !== ws && w.startsWith(`${ws}/`));
  const files = walk(ws).filter((f) => /\.(tsx?|mjs|jsx?)$/.test(f) && !nested.some((n) => f.startsWith(`${n}/`)));
  const prod = new Set();
  const dev = new Set();
  for (const f of files) {
    // Comments (usage examples in doc comments) are not imports.
    const text = readFileSync(join(ROOT, f), 'utf8').replace(/^\s*(\/\/|\/\*\*?|\*).*$/gm, '');
    for (const [, name] of text.matchAll(KIT_SPEC)) {
      if (name === self || !PACKAGE_DIRS.includes(name.slice('@moocflix/platform-'.length))) continue;
      (isTestFile(f) || name === packageName('testing') ? dev : prod).add(name);
    }
  }
  for (const name of prod) dev.delete(name);
  // A kit package declares no kit devDependencies (its tests find testing and runtime through the
  // workspace root): `npm ci --omit=dev --workspace <ws>` installs the devDependencies edges of
  // every workspace it links, so bus → (dev) testing → storage would put the AWS SDK back into the
  // operator's image.
  if (ws.startsWith(`${KIT}/`)) dev.clear();
  const before = JSON.stringify(pkg);
  const update = (field, wanted) => {
    const current = { ...(pkg[field] ?? {}) };
    delete current['@moocflix/platform'];
    for (const key of Object.keys(current)) if (/^@moocflix\/platform-/.test(key) && !wanted.has(key)) delete current[key];
    for (const name of wanted) current[name] = '*';
    const sorted = Object.fromEntries(Object.entries(current).sort(([a], [b]) => a.localeCompare(b)));
    if (Object.keys(sorted).length) pkg[field] = sorted;
    else delete pkg[field];
  };
  update('dependencies', prod);
  update('devDependencies', dev);
  if (JSON.stringify(pkg) !== before) {
    changes.push(`dependencies ${pkgPath}: ${[...prod].join(', ') || '-'} | dev: ${[...dev].join(', ') || '-'}`);
    if (!CHECK) writeFileSync(join(ROOT, pkgPath), `${JSON.stringify(pkg, null, 2)}\n`);
  }
}

for (const line of changes) console.log(line);
console.log(changes.length ? `${changes.length} change(s)${CHECK ? ' would be made' : ''}` : 'nothing to do: the kit is split');
if (CHECK && changes.length) process.exit(1);
