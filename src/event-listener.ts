import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AUDIT_CHANNEL, eventHub } from './events';
import type { Logger } from './logger';
import { SLA_ALERT_CHANNEL } from './services/sla-jobs';

export interface EventListener {
  /** Settles after the first attempt, connected or not, so a start never waits on it for good. */
  ready: Promise<void>;
  /** Whether LISTEN is in place now; /readyz answers 503 while it is not. */
  readonly connected: boolean;
  stop(): Promise<void>;
}

/**
 * One LISTEN connection per process: NOTIFY is sent on commit by whichever replica or
 * worker made the change, so every replica's subscribers hear it (SPEC §2). Reconnects
 * with backoff when the connection drops, then catches up from the audit trail.
 */
/**
 * The longest wait between two attempts: subscribers get nothing new until it is back, and
 * one connection attempt per process every few seconds costs the database nothing.
 */
const RECONNECT_MAX_MS = 4_000;

export function listenForEvents(dataSource: DataSource, url: string, log: Logger): EventListener {
  const hub = eventHub(dataSource, log);
  let client: Client | null = null; // listening
  let current: Client | null = null; // the latest attempt, listening or not
  let settle: () => void = () => {};
  const ready = new Promise<void>((resolve) => (settle = resolve));
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;
  let attempt = 0;
  let lostAt: Date | null = null;

  const lost = (c: Client) => {
    if (c !== current) return; // an older attempt's late 'end'
    if (client === c) log.warn('event listener disconnected: reconnecting');
    current = null;
    client = null;
    lostAt ??= new Date();
    c.end().catch(() => undefined);
    if (!stopped) scheduleReconnect();
  };

  const connect = async () => {
    const c = new Client({ connectionString: url, application_name: 'complaint-cms-events', keepAlive: true });
    current = c;
    c.on('error', (error) => {
      log.warn({ err: error }, 'event listener connection error');
      lost(c);
    });
    c.on('end', () => lost(c));
    c.on('notification', (msg) => hub.notify(msg.channel, msg.payload));
    try {
      await c.connect();
      await c.query(`LISTEN ${AUDIT_CHANNEL}`);
      await c.query(`LISTEN ${SLA_ALERT_CHANNEL}`);
      if (stopped) {
        await c.end();
        return;
      }
      client = c;
      attempt = 0;
      if (lostAt) {
        const since = lostAt;
        lostAt = null;
        log.info('event listener reconnected');
        await hub.catchUp(since); // LISTEN is in place first: nothing committed from now on can slip between
      }
    } catch (error) {
      if (!stopped) log.warn({ err: error }, 'event listener could not connect');
      lost(c);
    } finally {
      settle();
    }
  };
  const scheduleReconnect = () => {
    if (retry) return;
    attempt += 1;
    retry = setTimeout(
      () => {
        retry = null;
        void connect();
      },
      Math.min(RECONNECT_MAX_MS, 250 * 2 ** attempt),
    );
  };
  void connect();
  return {
    ready,
    get connected() {
      return client !== null;
    },
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      const c = current;
      current = null;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
