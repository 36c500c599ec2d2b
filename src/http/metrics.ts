import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

/**
 * Prometheus metrics for /metrics: process defaults, GraphQL latency and errors, pool use,
 * and the domain. SLA events and the job queue are read from the database at scrape time,
 * so every replica reports the same totals whichever process did the work.
 */
export class Metrics {
  private readonly registry = new Registry();
  private readonly operations: Histogram<'operation'>;
  private readonly errors: Counter<'code'>;
  private scrapes = 0;
  readonly contentType = this.registry.contentType;

  constructor(dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry });
    this.operations = new Histogram({
      name: 'graphql_operation_duration_ms',
      help: 'GraphQL operation duration in milliseconds, by operation type',
      labelNames: ['operation'],
      buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500],
      registers: [this.registry],
    });
    this.errors = new Counter({
      name: 'graphql_errors_total',
      help: 'Errors returned to API clients by this process, by error code',
      labelNames: ['code'],
      registers: [this.registry],
    });
    new Gauge({
      name: 'db_pool_connections',
      help: 'Connections in the PostgreSQL pool',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const pool = (dataSource.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master;
        if (!pool) return;
        this.set({ state: 'total' }, pool.totalCount);
        this.set({ state: 'idle' }, pool.idleCount);
        this.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
    this.domainGauges(dataSource);
  }

  observeOperation(operation: string, ms: number): void {
    this.operations.observe({ operation }, ms);
  }

  countErrors(codes: string[]): void {
    for (const code of codes) this.errors.inc({ code });
  }

  render(): Promise<string> {
    this.scrapes += 1;
    return this.registry.metrics();
  }

  private domainGauges(dataSource: DataSource): void {
    const registers = [this.registry];
    const perScrape = <T>(read: () => Promise<T>) => oncePerScrape(read, () => this.scrapes);
    const slaEvents = perScrape(async () => {
      // As cms_sweeper: it reads timer kinds and instants across tenants, nothing else.
      const rows = (await dataSource.transaction(async (manager) => {
        await manager.query(`SELECT set_config('role', 'cms_sweeper', true)`);
        return manager.query(
          `SELECT regime, kind, count(warned_at)::int AS warnings, count(breached_at)::int AS breaches FROM sla_timers GROUP BY regime, kind`,
        );
      })) as { regime: string; kind: string; warnings: number; breaches: number }[];
      return rows;
    });
    new Gauge({
      name: 'sla_warnings',
      help: 'SLA timers that reached their warning instant, all tenants and processes, by regime and kind',
      labelNames: ['regime', 'kind'],
      registers,
      async collect() {
        this.reset();
        for (const row of await slaEvents().catch(() => [])) this.set({ regime: row.regime, kind: row.kind }, row.warnings);
      },
    });
    new Gauge({
      name: 'sla_breaches',
      help: 'SLA timers breached, all tenants and processes, by regime and kind',
      labelNames: ['regime', 'kind'],
      registers,
      async collect() {
        this.reset();
        for (const row of await slaEvents().catch(() => [])) this.set({ regime: row.regime, kind: row.kind }, row.breaches);
      },
    });
    const queue = perScrape(
      async () =>
        (
          (await dataSource.query(
            `SELECT count(*)::int AS due, coalesce(extract(epoch FROM max(now() - run_at)), 0)::float AS lag,
                (SELECT count(*)::int FROM graphile_worker._private_jobs WHERE attempts >= max_attempts) AS failed
           FROM graphile_worker._private_jobs
          WHERE run_at <= now() AND locked_at IS NULL AND attempts < max_attempts`,
          )) as { due: number; lag: number; failed: number }[]
        )[0],
    );
    new Gauge({
      name: 'job_queue_due',
      help: 'Jobs (SLA timers, sweeps, purges) due and waiting for a worker',
      registers,
      async collect() {
        const row = await queue().catch(() => null);
        if (row) this.set(row.due);
      },
    });
    new Gauge({
      name: 'job_queue_lag_seconds',
      help: 'How long the oldest due job has been waiting for a worker (0 when none waits)',
      registers,
      async collect() {
        const row = await queue().catch(() => null);
        if (row) this.set(row.lag);
      },
    });
    new Gauge({
      name: 'job_queue_failed',
      help: 'Jobs that used up their attempts and will not run again',
      registers,
      async collect() {
        const row = await queue().catch(() => null);
        if (row) this.set(row.failed);
      },
    });
  }
}

/** One database read serves every gauge of a scrape. */
function oncePerScrape<T>(read: () => Promise<T>, scrape: () => number): () => Promise<T> {
  let cached: { scrape: number; value: Promise<T> } | null = null;
  return () => {
    if (cached?.scrape !== scrape()) cached = { scrape: scrape(), value: read() };
    return cached.value;
  };
}
