import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The Dockerfile must build with the classic builder (machines and CI runners without BuildKit):
 * a `# syntax=` line, `RUN --mount` or `COPY --chmod`/`ADD --chmod` make it fail there. No engine is
 * needed to check that, so this runs in the unit tier.
 */
const dockerfile = readFileSync(path.resolve(__dirname, '../../Dockerfile'), 'utf8');
const serviceTargets = [
  'users',
  'courses',
  'content',
  'assessments',
  'notifications',
  'transcoder',
  'operator',
];
const workspaces: Record<string, string> = {
  users: 'services/users',
  courses: 'services/courses',
  content: 'services/content',
  assessments: 'services/assessments',
  notifications: 'services/notifications',
  transcoder: 'services/transcoder',
  operator: 'operator',
};
const root = path.resolve(__dirname, '../..');
/** Every stage by name: the stage it is built FROM and its instructions. */
const stages = new Map<string, { from: string; body: string }>();
for (const chunk of dockerfile.split(/^FROM /m).slice(1)) {
  const [header = '', ...rest] = chunk.split('\n');
  const match = /^(\S+)\s+AS\s+(\S+)\s*$/i.exec(header.trim());
  if (match) stages.set(match[2]!, { from: match[1]!, body: rest.join('\n') });
}
/** A target and the stages it is built FROM, nearest first (what ends up in the image). */
const chainOf = (target: string): string[] => {
  const chain: string[] = [];
  for (let name: string | undefined = target; name && stages.has(name); name = stages.get(name)?.from)
    chain.push(name);
  return chain;
};
const manifest = (dir: string) =>
  JSON.parse(readFileSync(path.join(root, dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
const kitDeps = (dir: string) =>
  Object.keys(manifest(dir).dependencies ?? {})
    .filter((name) => name.startsWith('@moocflix/platform-'))
    .map((name) => name.slice('@moocflix/platform-'.length));
/** The kit packages a workspace depends on, directly or through another kit package. */
const closure = (dir: string): string[] => {
  const seen = new Set<string>();
  const todo = kitDeps(dir);
  for (let pkg = todo.pop(); pkg; pkg = todo.pop()) {
    if (seen.has(pkg)) continue;
    seen.add(pkg);
    todo.push(...kitDeps(`services/platform/${pkg}`));
  }
  return [...seen].sort();
};

const instructions = dockerfile
  .split('\n')
  .filter((line) => !line.trimStart().startsWith('#') || /^#\s*syntax\s*=/i.test(line));

describe('Dockerfile', () => {
  test('has no BuildKit-only syntax', () => {
    const buildkitOnly = instructions.filter(
      (line) =>
        /^#\s*syntax\s*=/i.test(line) ||
        /^\s*RUN\s+--mount/i.test(line) ||
        /^\s*(COPY|ADD)\s.*--chmod/i.test(line),
    );
    expect(buildkitOnly).toEqual([]);
  });

  test('every image target runs as uid 10001', () => {
    for (const target of [...serviceTargets, 'web']) {
      const stage = dockerfile
        .split(/^FROM /m)
        .find((s) => new RegExp(`\\sAS ${target}\\s*$`, 'm').test(s.split('\n')[0] ?? ''));
      expect(stage).toBeDefined();
      expect(stage).toMatch(/^USER 10001:10001$/m);
    }
  });

  // The build-only CA bundle (.build-ca/, for npm behind a TLS-intercepting proxy) must stay in the
  // stages npm runs in: an image target, and every stage it is built FROM, neither copies it nor
  // points NODE_EXTRA_CA_CERTS at it, and what they copy from other stages comes from /app.
  test('no image target carries the build-only CA bundle', () => {
    expect(stages.get('build')?.body).toMatch(/^COPY \.build-ca\/ \/build-ca\/$/m);
    for (const target of [...serviceTargets, 'web']) {
      const chain = chainOf(target);
      expect(chain).not.toContain('build');
      for (const name of chain) {
        const body = stages.get(name)!.body;
        expect({ stage: name, caBundle: /build-ca|NODE_EXTRA_CA_CERTS/.test(body) }).toEqual({
          stage: name,
          caBundle: false,
        });
        for (const copy of body.match(/^COPY --from=\S+ \S+/gm) ?? []) {
          expect(copy).toMatch(/ \/app(\/\S*)?$/);
        }
      }
    }
  });

  // The images run tsc's output (stage compile, tsconfig.build.json), not TypeScript through tsx:
  // each service target's ENTRYPOINT is node on its workspace's compiled src/main.js, preceded by
  // `--import` of the telemetry register file when the workspace has the telemetry kit package (so
  // tracing patches express, pg and kafkajs before they load, as `make dev` does), and nothing in
  // an image's stages mentions tsx.
  test('every service image runs compiled JavaScript, telemetry registered first', () => {
    expect(stages.get('compile')?.body).toMatch(/tsc -p tsconfig\.build\.json/);
    for (const target of serviceTargets) {
      const dir = workspaces[target]!;
      const entrypoint = /^ENTRYPOINT (.*)$/m.exec(stages.get(target)?.body ?? '')?.[1];
      const telemetry = closure(dir).includes('telemetry');
      expect({ target, entrypoint: JSON.parse(entrypoint ?? 'null') as unknown }).toEqual({
        target,
        entrypoint: [
          'node',
          ...(telemetry ? ['--import', '@moocflix/platform-telemetry/instrument'] : []),
          `${dir}/src/main.js`,
        ],
      });
      for (const name of chainOf(target))
        expect({ stage: name, tsx: /tsx/.test(stages.get(name)!.body) }).toEqual({ stage: name, tsx: false });
      // What the image copies from its -build stage is compiled output, not the repository's sources.
      const build = stages.get(`${target}-build`)?.body ?? '';
      expect(build).not.toMatch(/^COPY (services|operator)\//m);
    }
  });

  // tsc emits the images' code; tests, fixtures and the jest contract suites kept in src must not be
  // part of it (they need jest's globals, which an image does not have).
  test('the build tsconfig compiles sources only', () => {
    const build = JSON.parse(readFileSync(path.join(root, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: Record<string, unknown>;
      exclude: string[];
    };
    expect(build.compilerOptions).toMatchObject({ noEmit: false, rootDir: '.', types: ['node'] });
    expect(build.exclude).toEqual(
      expect.arrayContaining(['**/*.test.ts', '**/*.fixture.ts', 'services/platform/testing']),
    );
  });

  // An image gets the kit packages its workspace depends on, directly or through another kit
  // package, and no others (docs/images.md#kit-split): a missing one fails at start, an extra one is
  // weight the split was made to remove.
  test('each workspace stage copies exactly the kit packages its workspace depends on', () => {
    for (const [target, dir] of Object.entries(workspaces)) {
      const body = stages.get(`${target}-build`)?.body ?? '';
      const copied = [
        ...body.matchAll(
          /^COPY --from=compile \/app\/dist\/services\/platform\/([a-z-]+)\/ services\/platform\/\1\/$/gm,
        ),
      ]
        .map((m) => m[1])
        .sort();
      expect({ target, kit: copied }).toEqual({ target, kit: closure(dir) });
      expect(body).toMatch(new RegExp(`^COPY --from=compile /app/dist/${dir}/ ${dir}/$`, 'm'));
    }
    for (const pkg of ['http', 'storage', 'media', 'runtime']) expect(closure('operator')).not.toContain(pkg);
    for (const target of ['users', 'courses', 'assessments', 'notifications', 'operator']) {
      expect({ target, media: closure(workspaces[target]!).includes('media') }).toEqual({
        target,
        media: false,
      });
    }
  });

  // Images with Debian's ffmpeg on PATH never use the static builds of the installer packages (the media kit
  // looks on PATH first), so they leave them out: 140 MB in each of the two largest images.
  test('the ffmpeg images install without the optional static ffmpeg builds; images without ffmpeg keep them out by the kit split', () => {
    const media = JSON.parse(
      readFileSync(path.join(root, 'services/platform/media/package.json'), 'utf8'),
    ) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    for (const installer of ['@ffmpeg-installer/ffmpeg', '@ffprobe-installer/ffprobe']) {
      expect(Object.keys(media.optionalDependencies ?? {})).toContain(installer);
      expect(Object.keys(media.dependencies ?? {})).not.toContain(installer);
    }
    for (const target of serviceTargets) {
      const withFfmpeg = chainOf(target).includes('runtime-ffmpeg');
      const install = /^RUN npm ci .*$/m.exec(stages.get(`${target}-build`)?.body ?? '')?.[0] ?? '';
      expect({ target, withFfmpeg, omitsOptional: install.includes('--omit=optional') }).toEqual({
        target,
        withFfmpeg,
        omitsOptional: withFfmpeg,
      });
    }
    expect(serviceTargets.filter((t) => chainOf(t).includes('runtime-ffmpeg')).sort()).toEqual([
      'content',
      'transcoder',
    ]);
  });

  // `npm ci --omit=dev --workspace <ws>` installs the devDependencies of every workspace it links:
  // one kit package with a kit devDependency (bus → testing) put the AWS SDK, express and
  // OpenTelemetry back into the operator's image.
  test('no kit package declares another kit package as a devDependency', () => {
    const kit = path.join(root, 'services/platform');
    const offenders = readdirSync(kit, { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(path.join(kit, e.name, 'package.json')))
      .flatMap((e) => {
        const pkg = JSON.parse(readFileSync(path.join(kit, e.name, 'package.json'), 'utf8')) as {
          devDependencies?: Record<string, string>;
        };
        return Object.keys(pkg.devDependencies ?? {})
          .filter((name) => name.startsWith('@moocflix/'))
          .map((name) => `${e.name} → ${name}`);
      });
    expect(offenders).toEqual([]);
  });
});
