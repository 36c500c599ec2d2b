import type { DataSource, EntityManager } from 'typeorm';
import type { RequestContext } from '../context';
import type { Logger } from '../logger';
import { inTenantTransactionWith } from './transaction';

/** Where a read was answered: the hot standby (DATABASE_READ_URL) or the primary. */
export enum ReadOrigin {
  STANDBY = 'STANDBY',
  PRIMARY = 'PRIMARY',
}

/** How fresh the rows of a read are (SPEC §2: a standby may lag behind the primary). */
export interface ReadFreshness {
  origin: ReadOrigin;
  /** Every change committed on the primary up to this instant is in the read; null when the standby cannot tell. */
  dataAsOf: Date | null;
  /** How far the standby's replay was behind; 0 when it had replayed all it received; null on the primary or unknown. */
  replicaLagSeconds: number | null;
}

/** How often a standby found down is tried again in the background. */
const PROBE_INTERVAL_MS = 1_000;

// Connection exceptions (class 08), the server shutting down or starting up (57P01-57P03), and a
// standby that refuses the login or lacks the database (28xxx, 3D000): it cannot serve reads.
const UNREACHABLE_SQLSTATES = /^(08...|57P0[123]|28...|3D000)$/;
const UNREACHABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
// A query on a standby cancelled by a conflict with WAL replay: the primary can answer it.
const RECOVERY_CONFLICT_SQLSTATES = new Set(['40001', '40P01']);

function codesOf(error: unknown): string[] {
  const e = error as { code?: unknown; driverError?: { code?: unknown }; errors?: unknown[] } | null;
  if (!e || typeof e !== 'object') return [];
  const own = [e.code, e.driverError?.code].filter((c): c is string => typeof c === 'string');
  return [...own, ...(Array.isArray(e.errors) ? e.errors.flatMap(codesOf) : [])];
}

/** The standby cannot be reached or will not serve this service (pg's own connection errors carry no code). */
export function isUnreachable(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return (
    codesOf(error).some((c) => UNREACHABLE_SQLSTATES.test(c) || UNREACHABLE_ERRNO.has(c)) ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)
  );
}

/**
 * The hot standby of SPEC §2 and whether it answers. Starts optimistic; a read that cannot reach
 * it marks it down, and from then on reads go to the primary while a background probe tries it
 * every second; the first probe that gets an answer sends reads back to it. The pool connects
 * lazily, so a standby that is down when the service starts does not stop the start.
 */
export class ReadReplica {
  private up = true;
  private probe: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;
  private checking: Promise<'up' | 'down'> | null = null;
  private stopped = false;

  constructor(
    readonly standby: DataSource,
    private readonly log: Logger,
  ) {}

  get isUp(): boolean {
    return this.up && !this.stopped;
  }

  /** The standby's pool, initialised on first use (its first connection fails while the standby is down). */
  async connect(): Promise<DataSource> {
    if (!this.standby.isInitialized) {
      this.connecting ??= this.standby
        .initialize()
        .then(() => undefined)
        .finally(() => (this.connecting = null));
      await this.connecting;
    }
    return this.standby;
  }

  /** Asks the standby now and records the answer (one question at a time: a slow standby is not asked again meanwhile). */
  check(): Promise<'up' | 'down'> {
    this.checking ??= (async () => {
      try {
        await (await this.connect()).query('SELECT 1');
        this.markUp();
        return 'up' as const;
      } catch (error) {
        this.markDown(error);
        return 'down' as const;
      } finally {
        this.checking = null;
      }
    })();
    return this.checking;
  }

  /** For /readyz: the standby's answer, or `down` when it takes longer than `withinMs` (the check goes on). */
  async checkWithin(withinMs: number): Promise<'up' | 'down'> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'down'>((resolve) => (timer = setTimeout(() => resolve('down'), withinMs)));
    try {
      return await Promise.race([this.check(), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  markDown(error: unknown): void {
    if (this.stopped) return;
    if (this.up) this.log.warn({ err: error }, 'read replica unreachable: reports and exports read from the primary until it answers');
    this.up = false;
    this.probe ??= setInterval(() => void this.check(), PROBE_INTERVAL_MS).unref();
  }

  private markUp(): void {
    if (!this.up) this.log.info('read replica answers again: reports and exports read from it');
    this.up = true;
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
  }

  /** Stops the probe; the standby's pool belongs to whoever created it. */
  stop(): void {
    this.stopped = true;
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
  }
}

const replicas = new WeakMap<DataSource, ReadReplica>();

/** Registers the standby that serves reads for `primary` (createApp does, when DATABASE_READ_URL is set). */
export function useReadReplica(primary: DataSource, replica: ReadReplica | null): void {
  if (replica) replicas.set(primary, replica);
  else replicas.delete(primary);
}

export function readReplicaOf(primary: DataSource): ReadReplica | null {
  return replicas.get(primary) ?? null;
}

export interface ReplicaReadOptions {
  /** This transaction's statement_timeout (a streamed export's longer one). */
  statementTimeoutMs?: number;
  /** Whether a failed read on the standby may still be run again on the primary (nothing has been sent yet). */
  canFallBack?: () => boolean;
}

/**
 * SPEC §2: a report or export read, in one read-only REPEATABLE READ tenant transaction (one
 * snapshot, the same row-level security) on the standby when there is one and it answers, else
 * on the primary. A standby that cannot be reached, or that cancels the read for a conflict with
 * replay, hands the read to the primary unless `canFallBack` says output has left already.
 */
export async function readFromReplica<T>(
  ctx: RequestContext,
  options: ReplicaReadOptions,
  work: (manager: EntityManager, origin: ReadOrigin) => Promise<T>,
): Promise<T> {
  const read = (source: DataSource, origin: ReadOrigin) =>
    inTenantTransactionWith(source, ctx.tenantId, { readOnly: true, isolation: 'REPEATABLE READ', statementTimeoutMs: options.statementTimeoutMs }, (manager) =>
      work(manager, origin),
    );
  if (ctx.manager) return work(ctx.manager, ReadOrigin.PRIMARY); // joins the request's transaction on the primary
  const replica = readReplicaOf(ctx.dataSource);
  if (!replica?.isUp) return read(ctx.dataSource, ReadOrigin.PRIMARY);
  try {
    return await read(await replica.connect(), ReadOrigin.STANDBY);
  } catch (error) {
    const unreachable = isUnreachable(error);
    const conflict = codesOf(error).some((c) => RECOVERY_CONFLICT_SQLSTATES.has(c));
    if (!(unreachable || conflict) || !(options.canFallBack?.() ?? true)) throw error;
    if (unreachable) replica.markDown(error);
    else ctx.log.info({ code: codesOf(error)[0] }, 'read cancelled on the standby by replay: answered by the primary');
    return read(ctx.dataSource, ReadOrigin.PRIMARY);
  }
}

/**
 * How fresh a read is, from inside its transaction. On the standby one statement: caught up
 * (it has replayed all the WAL it received) means as of now; otherwise as of the commit time of
 * the last transaction it replayed, and the lag is the time since then (PostgreSQL's standard
 * measure, exact only as far as the two servers' clocks agree); a DATABASE_READ_URL that is not
 * in recovery is current. On the primary: now, no lag.
 */
export async function freshnessOf(manager: EntityManager, origin: ReadOrigin): Promise<ReadFreshness> {
  if (origin === ReadOrigin.PRIMARY) return { origin, dataAsOf: new Date(), replicaLagSeconds: null };
  const [row] = (await manager.query(`
    SELECT CASE WHEN caught_up THEN now() ELSE replayed_at END AS as_of,
           CASE WHEN caught_up THEN 0 ELSE greatest(0, extract(epoch FROM now() - replayed_at))::float8 END AS lag
    FROM (SELECT NOT pg_is_in_recovery() OR coalesce(pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn(), false) AS caught_up,
                 pg_last_xact_replay_timestamp() AS replayed_at) s`)) as { as_of: Date | null; lag: number | null }[];
  return { origin, dataAsOf: row.as_of, replicaLagSeconds: row.lag };
}
