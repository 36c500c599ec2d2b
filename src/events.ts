import { createPubSub } from '@graphql-yoga/subscription';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import type { Logger } from './logger';
import { SLA_ALERT_CHANNEL } from './services/sla-jobs';

export const AUDIT_CHANNEL = 'cms_audit';

export interface AuditNotice {
  source: DataSource;
  tenantId: string;
  complaintId: string | null;
  eventId: string;
}

export interface SlaAlertNotice {
  source: DataSource;
  tenantId: string;
  complaintId: string;
  timerId: string;
  kind: 'WARNING' | 'BREACHED';
}

/** In-process fan-out to this replica's subscribers; fed only by PostgreSQL NOTIFY. */
export const events = createPubSub<{ audit: [AuditNotice]; slaAlert: [SlaAlertNotice] }>();

/**
 * One LISTEN connection per process: NOTIFY is sent on commit by whichever replica or
 * worker made the change, so every replica's subscribers hear it (SPEC §2). Reconnects
 * with backoff when the connection drops.
 */
export function listenForEvents(dataSource: DataSource, url: string, log: Logger): { ready: Promise<void>; stop(): Promise<void> } {
  let client: Client | null = null;
  let settle: () => void = () => {};
  // Settles after the first attempt, connected or not, so a start never waits on it for good.
  const ready = new Promise<void>((resolve) => (settle = resolve));
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;
  let attempt = 0;

  const connect = async () => {
    const c = new Client({ connectionString: url, application_name: 'complaint-cms-events' });
    c.on('error', (error) => log.warn({ err: error }, 'event listener connection error'));
    c.on('end', () => {
      if (!stopped) scheduleReconnect();
    });
    c.on('notification', (msg) => {
      try {
        const payload = JSON.parse(msg.payload ?? '{}');
        if (msg.channel === AUDIT_CHANNEL) events.publish('audit', { ...payload, source: dataSource });
        if (msg.channel === SLA_ALERT_CHANNEL) events.publish('slaAlert', { ...payload, source: dataSource });
      } catch (error) {
        log.warn({ err: error, channel: msg.channel }, 'unreadable notification');
      }
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${AUDIT_CHANNEL}`);
      await c.query(`LISTEN ${SLA_ALERT_CHANNEL}`);
      client = c;
      attempt = 0;
    } catch (error) {
      log.warn({ err: error }, 'event listener could not connect');
      c.end().catch(() => undefined);
      if (!stopped) scheduleReconnect();
    } finally {
      settle();
    }
  };
  const scheduleReconnect = () => {
    if (retry) return;
    attempt += 1;
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, Math.min(30_000, 250 * 2 ** attempt));
  };
  void connect();
  return {
    ready,
    async stop() {
      stopped = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => undefined);
    },
  };
}
