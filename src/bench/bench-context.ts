import type { Client } from 'pg';

/** Settings of one bench run (environment), shared by its phases. */
const SMOKE = process.env.BENCH_SMOKE === '1';
export const SETTINGS = {
  seconds: Number(process.env.BENCH_SECONDS ?? (SMOKE ? 2 : 10)),
  connections: 16,
  tenants: 16,
  pageRuns: SMOKE ? 3 : 30,
  importItems: SMOKE ? 20 : 1000,
  slaTimers: Number(process.env.BENCH_SLA_TIMERS ?? (SMOKE ? 200 : 10_000)),
  report: process.env.BENCH_REPORT !== '0',
  reportComplaints: Number(process.env.BENCH_COMPLAINTS ?? (SMOKE ? 2000 : 1_000_000)),
  smoke: SMOKE,
};
export const SECRET = 'bench-secret-0123456789abcdef0123456789abcdef';
export const ACTOR = 'bench-dpo';

export interface BenchContext {
  baseUrl: string;
  /** Owner connection to the bench database (bypasses RLS: setup and checks only). */
  owner: Client;
  databaseUrl: string;
  token(tenant: string): string;
}

export const tenantNames = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(2, '0')}`);
export const FLOOR_PREFIX = 'floor-';
export const LOAD_PREFIX = 'load-';
