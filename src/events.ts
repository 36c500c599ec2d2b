import { In, type DataSource, type EntityManager } from 'typeorm';
import { inTenantTransaction } from './db/transaction';
import { AuditAction } from './domain/enums';
import type { Logger } from './logger';
import { SLA_ALERT_CHANNEL } from './services/sla-jobs';
import { AuditEvent, Complaint, SlaTimer } from '../entities';

export const AUDIT_CHANNEL = 'cms_audit';

/** Every buffer of the feed has a cap: a flood or a slow subscriber costs bounded memory. */
export const FEED_LIMITS = {
  /** Events queued for one subscription; past this its connection is ended as too slow. */
  maxPendingPerSubscription: 500,
  /** Notices waiting to be loaded in this process; past this the tenant with the most loses them and its feeds end. */
  maxPendingNotices: 20_000,
  /** Events read per query when loading notices or catching up. */
  loadBatchSize: 200,
  /** Keys of recently published events, so that a catch-up publishes each event once. */
  recentKeys: 20_000,
  /** A catch-up also reads this far before the drop: `at` is set before the commit that notifies. */
  catchUpMarginMs: 15_000,
  /** At most this many missed events per tenant are replayed after a reconnect; more ends its feeds instead. */
  catchUpMaxEvents: 5_000,
};

/** WebSocket close code for a feed that cannot go on (RFC 6455 1013: try again later), e.g. a subscriber that falls behind. */
export const SLOW_SUBSCRIBER_CLOSE = 1013;

export interface SlaAlert {
  timer: SlaTimer;
  complaintId: string;
  reference: string;
  kind: 'WARNING' | 'BREACHED';
}

/** Who a feed serves: its tenant, and how to end its connection when the feed cannot keep up. */
export interface FeedOwner {
  readonly tenantId: string;
  endConnection?(code: number, reason: string): void;
  /** Called as each event is handed over for execution. */
  beforeEvent?(): void;
}

/**
 * One subscription's queue, bounded: an event that would overflow it ends the feed and its
 * connection instead of growing (or throwing out of the NOTIFY handler, which killed the process).
 */
class Feed<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private ended = false;

  constructor(
    private readonly owner: FeedOwner,
    private readonly accepts: (item: T) => boolean,
    private readonly onEnd: (feed: Feed<T>) => void,
  ) {}

  push(item: T): void {
    if (this.ended || !this.accepts(item)) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = null;
      this.owner.beforeEvent?.();
      resolve({ value: item, done: false });
    } else if (this.queue.length >= FEED_LIMITS.maxPendingPerSubscription) {
      this.close(
        SLOW_SUBSCRIBER_CLOSE,
        `Subscriber too slow: more than ${FEED_LIMITS.maxPendingPerSubscription} events pending; reconnect and re-read the audit trail`,
      );
    } else {
      this.queue.push(item);
    }
  }

  close(code: number, reason: string): void {
    this.end();
    this.owner.endConnection?.(code, reason);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) {
      this.owner.beforeEvent?.();
      return Promise.resolve({ value: this.queue.shift()!, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = null;
    this.onEnd(this);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Notice = { kind: 'audit'; tenantId: string; eventId: string } | { kind: 'alert'; tenantId: string; timerId: string; alert: 'WARNING' | 'BREACHED' };

const noticeKey = (n: Notice) => (n.kind === 'audit' ? `a:${n.eventId}` : `s:${n.timerId}:${n.alert}`);

/** Feeds grouped by tenant: an event is only ever offered to its own tenant's subscribers. */
class TenantTopics<T> {
  private readonly byTenant = new Map<string, Set<Feed<T>>>();

  open(owner: FeedOwner, accepts: (item: T) => boolean): Feed<T> {
    const feed = new Feed<T>(owner, accepts, (f) => {
      const feeds = this.byTenant.get(owner.tenantId);
      feeds?.delete(f);
      if (feeds?.size === 0) this.byTenant.delete(owner.tenantId);
    });
    let feeds = this.byTenant.get(owner.tenantId);
    if (!feeds) this.byTenant.set(owner.tenantId, (feeds = new Set()));
    feeds.add(feed);
    return feed;
  }

  has(tenantId: string): boolean {
    return this.byTenant.has(tenantId);
  }

  tenants(): string[] {
    return [...this.byTenant.keys()];
  }

  publish(tenantId: string, item: T): void {
    for (const feed of [...(this.byTenant.get(tenantId) ?? [])]) feed.push(item);
  }

  closeTenant(tenantId: string, code: number, reason: string): void {
    for (const feed of [...(this.byTenant.get(tenantId) ?? [])]) feed.close(code, reason);
  }
}

/**
 * This process's fan-out for one database: NOTIFY tells which event changed, the row is
 * loaded once per event (in batches, under the event's tenant so RLS applies) and the same
 * row is handed to every subscriber of that tenant; masking stays with the field resolvers.
 */
export class EventHub {
  private readonly audit = new TenantTopics<AuditEvent>();
  private readonly alerts = new TenantTopics<SlaAlert>();
  private readonly pending: Notice[] = [];
  private readonly recent = new Set<string>();
  private draining = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly log: Logger,
  ) {}

  subscribeAudit(owner: FeedOwner, complaintId?: string | null): AsyncIterableIterator<AuditEvent> {
    return this.audit.open(owner, (e) => !complaintId || e.complaintId === complaintId);
  }

  subscribeSlaAlerts(owner: FeedOwner): AsyncIterableIterator<SlaAlert> {
    return this.alerts.open(owner, () => true);
  }

  /**
   * A NOTIFY payload from `cms_audit` (one per transaction: `eventIds`, in chain order; a
   * single `eventId` is read too) or `cms_sla_alerts`.
   */
  notify(channel: string, payload: string | undefined): void {
    let notices: Notice[];
    try {
      const p = JSON.parse(payload ?? '{}') as Record<string, unknown>;
      const tenantId = p.tenantId;
      if (typeof tenantId !== 'string') throw new Error('no tenantId');
      const eventIds = (Array.isArray(p.eventIds) ? p.eventIds : [p.eventId]).map(String);
      if (channel === AUDIT_CHANNEL && eventIds.length > 0 && eventIds.every((id) => UUID.test(id)))
        notices = eventIds.map((eventId) => ({ kind: 'audit', tenantId, eventId }));
      else if (channel === SLA_ALERT_CHANNEL && UUID.test(String(p.timerId)))
        notices = [{ kind: 'alert', tenantId, timerId: String(p.timerId), alert: p.kind === 'BREACHED' ? 'BREACHED' : 'WARNING' }];
      else throw new Error('no event or timer id');
    } catch (error) {
      this.log.warn({ err: error, channel }, 'unreadable notification');
      return;
    }
    this.enqueue(notices);
  }

  /**
   * After the LISTEN connection came back: what was committed while it was down, read from
   * the audit trail (the source of both feeds), for the tenants that have subscribers.
   */
  async catchUp(since: Date): Promise<void> {
    const from = new Date(since.getTime() - FEED_LIMITS.catchUpMarginMs);
    const tenants = new Set([...this.audit.tenants(), ...this.alerts.tenants()]);
    for (const tenantId of tenants) {
      try {
        // Page through what was committed since, keeping only what this process has not
        // published: events it already delivered (a flood just before the drop) don't count.
        const unseen: Notice[] = [];
        let after: { at: Date; id: string } | null = null;
        let scanned = 0;
        let complete = false;
        while (scanned < FEED_LIMITS.recentKeys && unseen.length <= FEED_LIMITS.catchUpMaxEvents) {
          const rows = (await inTenantTransaction(this.dataSource, tenantId, (m) =>
            m.query(
              `SELECT id, at, action, changes->>'timerId' AS timer_id FROM audit_events
                WHERE tenant_id = $1 AND at >= $2 AND ($3::timestamptz IS NULL OR (at, id) > ($3, $4::uuid))
                ORDER BY at, id LIMIT $5`,
              [tenantId, from, after?.at ?? null, after?.id ?? null, FEED_LIMITS.catchUpMaxEvents],
            ),
          )) as { id: string; at: Date; action: string; timer_id: string | null }[];
          scanned += rows.length;
          for (const row of rows) {
            const notices: Notice[] = [{ kind: 'audit', tenantId, eventId: row.id }];
            if (row.timer_id && (row.action === AuditAction.SLA_WARNING || row.action === AuditAction.SLA_BREACHED)) {
              notices.push({ kind: 'alert', tenantId, timerId: row.timer_id, alert: row.action === AuditAction.SLA_BREACHED ? 'BREACHED' : 'WARNING' });
            }
            unseen.push(...notices.filter((n) => !this.recent.has(noticeKey(n))));
          }
          if (rows.length < FEED_LIMITS.catchUpMaxEvents) {
            complete = true;
            break;
          }
          after = { at: rows[rows.length - 1].at, id: rows[rows.length - 1].id };
        }
        if (!complete) {
          this.log.warn({ tenantId }, 'event feed: too much missed to replay; ending the tenant feeds');
          this.closeTenant(tenantId, `Missed more than ${FEED_LIMITS.catchUpMaxEvents} events while reconnecting; reconnect and re-read the audit trail`);
          continue;
        }
        if (unseen.length > 0) this.log.info({ tenantId, events: unseen.length }, 'event feed caught up after reconnect');
        this.enqueue(unseen);
      } catch (error) {
        this.log.error({ err: error, tenantId }, 'event feed catch-up failed');
        this.closeTenant(tenantId, 'Events may have been missed while reconnecting; reconnect and re-read the audit trail');
      }
    }
  }

  private enqueue(notices: Notice[]): void {
    for (const n of notices) {
      if (!(n.kind === 'audit' ? this.audit : this.alerts).has(n.tenantId)) continue; // nobody listens
      if (this.pending.length >= FEED_LIMITS.maxPendingNotices) this.shedLargestBacklog();
      this.pending.push(n);
    }
    if (!this.draining && this.pending.length > 0) void this.drain();
  }

  /** The backlog is full: the tenant with the most pending events loses them, and its feeds end with a reason. */
  private shedLargestBacklog(): void {
    const counts = new Map<string, number>();
    for (const p of this.pending) counts.set(p.tenantId, (counts.get(p.tenantId) ?? 0) + 1);
    const [tenantId] = [...counts].reduce((a, b) => (b[1] > a[1] ? b : a));
    this.log.warn({ tenantId, pending: counts.get(tenantId) }, 'event backlog full: ending the feeds of the tenant with the most pending events');
    this.pending.splice(0, this.pending.length, ...this.pending.filter((p) => p.tenantId !== tenantId));
    this.closeTenant(tenantId, 'Event backlog full; reconnect and re-read the audit trail');
  }

  private closeTenant(tenantId: string, reason: string): void {
    this.audit.closeTenant(tenantId, SLOW_SUBSCRIBER_CLOSE, reason);
    this.alerts.closeTenant(tenantId, SLOW_SUBSCRIBER_CLOSE, reason);
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, FEED_LIMITS.loadBatchSize);
        const tenants = [...new Set(batch.map((n) => n.tenantId))];
        for (const tenantId of tenants) {
          const notices = batch.filter((n) => n.tenantId === tenantId && !this.recent.has(noticeKey(n)));
          if (notices.length === 0) continue;
          try {
            await inTenantTransaction(this.dataSource, tenantId, (manager) => this.loadAndPublish(manager, tenantId, notices));
          } catch (error) {
            // Never a silent gap: the tenant's subscribers are told to reconnect and re-read.
            this.log.error({ err: error, tenantId, events: notices.length }, 'event feed: loading notified events failed');
            this.closeTenant(tenantId, 'Events could not be loaded; reconnect and re-read the audit trail');
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async loadAndPublish(manager: EntityManager, tenantId: string, notices: Notice[]): Promise<void> {
    const eventIds = notices.flatMap((n) => (n.kind === 'audit' ? [n.eventId] : []));
    const timerIds = notices.flatMap((n) => (n.kind === 'alert' ? [n.timerId] : []));
    const events = new Map((eventIds.length ? await manager.findBy(AuditEvent, { id: In(eventIds) }) : []).map((e) => [e.id, e]));
    const timers = new Map((timerIds.length ? await manager.findBy(SlaTimer, { id: In(timerIds) }) : []).map((t) => [t.id, t]));
    const complaintIds = [...new Set([...timers.values()].map((t) => t.complaintId))];
    const references = new Map(
      (complaintIds.length ? await manager.find(Complaint, { select: { id: true, reference: true }, where: { id: In(complaintIds) } }) : []).map((c) => [
        c.id,
        c.reference,
      ]),
    );
    for (const n of notices) {
      const key = noticeKey(n);
      if (this.recent.has(key)) continue;
      if (n.kind === 'audit') {
        const event = events.get(n.eventId);
        if (!event) continue;
        this.remember(key);
        this.audit.publish(tenantId, event);
      } else {
        const timer = timers.get(n.timerId);
        if (!timer) continue;
        this.remember(key);
        this.alerts.publish(tenantId, { timer, complaintId: timer.complaintId, reference: references.get(timer.complaintId) ?? '', kind: n.alert });
      }
    }
  }

  private remember(key: string): void {
    this.recent.add(key);
    if (this.recent.size > FEED_LIMITS.recentKeys) this.recent.delete(this.recent.values().next().value!);
  }
}

const hubs = new WeakMap<DataSource, EventHub>();

/** The hub of a database: subscribers of one DataSource never hear another's events. */
export function eventHub(dataSource: DataSource, log: Logger): EventHub {
  let hub = hubs.get(dataSource);
  if (!hub) hubs.set(dataSource, (hub = new EventHub(dataSource, log)));
  return hub;
}
