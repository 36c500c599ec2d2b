import { BenchContext, LOAD_PREFIX } from './bench-context';
import { BenchFigure, figure } from './bench-results';
import { startService } from './bench-service';
import { gql } from './http-load';
import { PAGE_QUERY } from './read-and-batch-bench';
import { startWireCounter, WireCounts } from './wire-counter';
import { deComplaint, ESCALATE_MUTATION, FILE_MUTATION } from './write-path-bench';

const RUNS = 5;

/**
 * Round trips per request, counted on the wire: a second instance of the built service
 * (SLA worker off, so nothing else talks) connects through a counting relay, and files,
 * escalates and reads pages one request at a time.
 */
export async function countRoundTrips(ctx: BenchContext, jwtSecret: string): Promise<BenchFigure[]> {
  const upstream = new URL(ctx.databaseUrl);
  const counter = await startWireCounter(upstream.hostname, Number(upstream.port || 5432));
  const proxied = new URL(ctx.databaseUrl);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(counter.port);
  const service = await startService(proxied.toString(), jwtSecret, { SLA_WORKER: 'off' });
  const tenant = `${LOAD_PREFIX}03`;
  const token = ctx.token(tenant);
  const perRequest = async (run: (i: number) => Promise<void>): Promise<WireCounts> => {
    await run(RUNS); // warm: caches, provisioning
    counter.reset();
    for (let i = 0; i < RUNS; i++) await run(i);
    const c = counter.counts();
    return { roundTrips: c.roundTrips / RUNS, framing: c.framing / RUNS, transactions: c.transactions / RUNS };
  };
  try {
    const filing = await perRequest(async () => {
      await gql(service.baseUrl, token, FILE_MUTATION, { input: deComplaint() });
    });
    const cases = (
      await ctx.owner.query<{ id: string }>(`SELECT id FROM complaints WHERE tenant_id = $1 AND stage = 'INTERNAL_DPO' ORDER BY received_at LIMIT $2`, [
        tenant,
        RUNS + 1,
      ])
    ).rows;
    const escalation = await perRequest(async (i) => {
      await gql(service.baseUrl, token, ESCALATE_MUTATION, { id: cases[i].id, v: null });
    });
    const page = await perRequest(async () => {
      await gql(service.baseUrl, ctx.token(`${LOAD_PREFIX}01`), PAGE_QUERY);
    });
    const besides = (c: WireCounts) => c.roundTrips - c.framing;
    const note = (c: WireCounts) =>
      `${c.roundTrips.toFixed(1)} in all with BEGIN, COMMIT and the tenant gate; ${c.transactions.toFixed(1)} transactions per request (mean of ${RUNS}, counted on the wire)`;
    return [
      figure('fileComplaint round trips', besides(filing), '', null, { atMost: 8, atMostLabel: '≤ 8' }, note(filing)),
      figure('escalateComplaint round trips', besides(escalation), '', null, { atMost: 8, atMostLabel: '≤ 8' }, note(escalation)),
      figure('page of 100: statements', besides(page), '', null, { atMost: 6, atMostLabel: '≤ 6' }, note(page)),
      figure('page of 100: read transactions', page.transactions, '', null, { atMost: 1, atMostLabel: '1 (one snapshot)' }),
    ];
  } finally {
    await service.stop();
    await counter.close();
  }
}
