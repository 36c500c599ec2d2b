import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { Client } from 'pg';

/**
 * A real PostgreSQL primary and a hot standby streaming from it (pg_basebackup -R), both of the
 * Debian packages' major version: the embedded package is a newer major without pg_basebackup.
 * As root the servers run as the `postgres` OS user (initdb refuses root), under /var/tmp.
 */
export const PG_BIN = process.env.PG_REPLICA_BIN ?? '/usr/lib/postgresql/15/bin';

export interface Server {
  port: number;
  dataDir: string;
  /** A superuser URL (trust auth on 127.0.0.1). */
  url(database?: string): string;
  start(): void;
  stop(): void;
}

export interface ReplicatedPair {
  primary: Server;
  standby: Server;
  /** Stops both servers (immediately) and removes their directory; safe to call twice, or after a failed start. */
  destroy(): void;
}

/** A TCP port on 127.0.0.1 that nothing listens on (yet). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The postgres OS user when this runs as root, else the current user. */
function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * initdb + start a primary (wal_level replica), run `prepare` against it (migrations), then
 * pg_basebackup -R a standby and start it; resolves once the standby streams.
 */
export async function startReplicatedPair(prepare: (primaryUrl: (database?: string) => string) => Promise<void>): Promise<ReplicatedPair> {
  if (!existsSync(path.join(PG_BIN, 'pg_basebackup')))
    throw new Error(`no PostgreSQL server binaries with pg_basebackup in ${PG_BIN}: apt-get install postgresql-15, or set PG_REPLICA_BIN`);
  const user = serverUser();
  const root = mkdtempSync('/var/tmp/cms-replica-');
  if (user.uid !== undefined) chownSync(root, user.uid, user.gid!);
  const run = (bin: string, args: string[]) => execFileSync(path.join(PG_BIN, bin), args, { cwd: root, stdio: 'pipe', timeout: 120_000, ...user });
  const started: Server[] = [];

  const server = (name: string, port: number): Server => {
    const dataDir = path.join(root, name);
    const s: Server = {
      port,
      dataDir,
      url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
      start() {
        run('pg_ctl', ['-D', dataDir, '-l', path.join(root, `${name}.log`), '-w', '-t', '60', 'start']);
        if (!started.includes(s)) started.push(s);
      },
      stop() {
        run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
      },
    };
    return s;
  };

  const destroy = () => {
    for (const s of started.reverse()) {
      if (existsSync(path.join(s.dataDir, 'postmaster.pid'))) {
        try {
          run('pg_ctl', ['-D', s.dataDir, '-m', 'immediate', '-w', 'stop']);
        } catch {
          // already stopped
        }
      }
    }
    started.length = 0;
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', destroy); // a test run cut short leaves no server behind

  try {
    const primary = server('primary', await freePort());
    const standby = server('standby', await freePort());
    run('initdb', ['-D', primary.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '-N']);
    const settings = (port: number) =>
      [
        `listen_addresses = '127.0.0.1'`,
        `port = ${port}`,
        `unix_socket_directories = '${root}'`,
        `wal_level = replica`,
        `hot_standby = on`,
        `max_wal_senders = 4`,
        `fsync = off`,
        `shared_buffers = 32MB`,
      ].join('\n') + '\n';
    appendFileSync(path.join(primary.dataDir, 'postgresql.conf'), settings(primary.port));
    primary.start();
    await prepare(primary.url);

    run('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', standby.dataDir, '-R', '-X', 'stream', '-c', 'fast']);
    appendFileSync(path.join(standby.dataDir, 'postgresql.conf'), `port = ${standby.port}\n`);
    standby.start();
    await untilStreaming(primary.url());
    return { primary, standby, destroy };
  } catch (error) {
    destroy();
    throw error;
  }
}

async function untilStreaming(primaryUrl: string): Promise<void> {
  const client = new Client({ connectionString: primaryUrl });
  await client.connect();
  try {
    for (let i = 0; i < 300; i++) {
      const { rows } = await client.query(`SELECT 1 FROM pg_stat_replication WHERE state = 'streaming'`);
      if (rows.length > 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the standby did not start streaming within 30 s');
  } finally {
    await client.end();
  }
}

/** One statement as the superuser (e.g. pg_wal_replay_pause() on the standby). */
export async function superuserQuery<T = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
