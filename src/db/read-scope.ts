import type { QueryRunner } from 'typeorm';
import type { RequestContext, TxContext } from '../context';
import { enterTenant } from './transaction';

/** One snapshot for the whole response; read-only, so it never conflicts or needs a retry. */
const BEGIN_READ = 'START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY';

/**
 * The read transaction of one GraphQL query operation: opened on its first read (so a
 * request that reads nothing takes no connection), shared by the operation's resolvers and
 * every DataLoader batch, committed when execution ends. The whole response then comes
 * from one snapshot on one pooled connection: a query never holds a second connection
 * while it waits for another (no pool deadlock under load).
 */
export class ReadScope {
  private opened: Promise<{ runner: QueryRunner; tx: TxContext }> | null = null;
  private closed = false;

  constructor(private readonly ctx: RequestContext) {}

  /** Runs `work` in the shared read transaction; after close, in a transaction of its own. */
  async run<T>(work: (tx: TxContext) => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('read scope used after its operation ended');
    this.opened ??= this.open();
    const { tx } = await this.opened;
    return work(tx);
  }

  /** Ends the transaction and returns the connection; safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const opened = this.opened;
    if (!opened) return;
    const { runner } = await opened.catch(() => ({ runner: null }));
    if (!runner) return;
    try {
      await runner.query('COMMIT');
      markTransaction(runner, false);
      await runner.release();
    } catch (error) {
      // A broken connection goes back to the pool as broken, so it is not reused.
      markTransaction(runner, false);
      await releaseBroken(runner, error);
    }
  }

  private async open(): Promise<{ runner: QueryRunner; tx: TxContext }> {
    const runner = this.ctx.dataSource.createQueryRunner();
    try {
      await runner.connect();
      serializeQueries(runner);
      await runner.query(BEGIN_READ);
      // TypeORM must know a transaction is open, so it never wraps a statement in one of its own.
      markTransaction(runner, true);
      await enterTenant(runner.manager, this.ctx.tenantId);
      return { runner, tx: this.ctx.withManager(runner.manager) };
    } catch (error) {
      markTransaction(runner, false);
      await runner
        .query('ROLLBACK')
        .then(() => runner.release())
        .catch((e: unknown) => releaseBroken(runner, e))
        .catch(() => undefined);
      throw error;
    }
  }
}

function markTransaction(runner: QueryRunner, active: boolean): void {
  (runner as { isTransactionActive: boolean }).isTransactionActive = active;
}

/** pg-pool destroys a connection released with an error instead of reusing it. */
async function releaseBroken(runner: QueryRunner, error: unknown): Promise<void> {
  await (runner as unknown as { release(err?: Error): Promise<void> }).release(error as Error).catch(() => undefined);
}

/**
 * DataLoader batches of one response run concurrently; one connection runs one statement
 * at a time, so they queue here (pg 9 refuses overlapping client.query calls).
 */
function serializeQueries(runner: QueryRunner): void {
  const send = runner.query.bind(runner) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  (runner as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
    const result = tail.then(() => send(...args));
    tail = result.catch(() => undefined);
    return result;
  };
}
