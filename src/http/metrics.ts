import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

/** Prometheus metrics for /metrics: process defaults, GraphQL latency, pool use. */
export class Metrics {
  private readonly registry = new Registry();
  private readonly operations: Histogram<'operation'>;
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
  }

  observeOperation(operation: string, ms: number): void {
    this.operations.observe({ operation }, ms);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
