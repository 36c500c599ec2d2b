import type DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { Role } from './auth/roles';
import { UnauthenticatedError } from './errors';
import type { Logger } from './logger';

export interface Actor {
  userId: string;
  tenantId: string;
  roles: Role[];
  name: string;
  email: string | null;
}

/** What a use case needs: who acts, for which tenant, the request id, and the database. */
export class RequestContext {
  /** Per-request batch loaders, created lazily by src/loaders.ts. */
  readonly loaders = new Map<string, DataLoader<string, unknown>>();

  /**
   * A query operation's shared read-only transaction (src/db/read-scope.ts), set for the
   * operation's execution only; null for mutations, subscriptions and system work.
   */
  readScope: { run<T>(work: (tx: TxContext) => Promise<T>): Promise<T> } | null = null;

  /** Where this service is reached (PUBLIC_URL, else the request's host): absolute links. */
  publicUrl: string | null = null;

  /**
   * In a transaction: audit chain heads this transaction holds locked (the owner row) and
   * knows, by chain id, so the audit writer need not read them again (src/audit/audit-chain.ts).
   */
  readonly chainHeads = new Map<string, { sequence: number; hash: string | null }>();

  constructor(
    readonly dataSource: DataSource,
    readonly requestId: string,
    readonly log: Logger,
    readonly actor: Actor | null,
    /** Set inside a transaction: every query must go through it so RLS applies. */
    readonly manager: EntityManager | null = null,
    /** The tenant a system job (the SLA worker) acts for, with no user. */
    private readonly systemTenantId: string | null = null,
  ) {}

  /** A context for work the system does on a tenant's behalf (timer events: no actor). */
  static system(dataSource: DataSource, tenantId: string, requestId: string, log: Logger): RequestContext {
    return new RequestContext(dataSource, requestId, log, null, null, tenantId);
  }

  get user(): Actor {
    if (!this.actor) throw new UnauthenticatedError();
    return this.actor;
  }

  get tenantId(): string {
    return this.systemTenantId ?? this.user.tenantId;
  }

  get isSystem(): boolean {
    return this.actor === null && this.systemTenantId !== null;
  }

  hasRole(...roles: Role[]): boolean {
    return !!this.actor && this.actor.roles.some((r) => roles.includes(r));
  }

  /** The role an audit event records: the most privileged of the actor's roles. */
  get primaryRole(): Role | null {
    const order = [Role.DPO, Role.ADMIN, Role.AGENT, Role.COMPLIANCE_OFFICER];
    return order.find((r) => this.actor?.roles.includes(r)) ?? null;
  }

  withManager(manager: EntityManager): TxContext {
    const tx = new RequestContext(this.dataSource, this.requestId, this.log, this.actor, manager, this.systemTenantId);
    tx.publicUrl = this.publicUrl;
    return tx as TxContext;
  }
}

export type TxContext = RequestContext & { readonly manager: EntityManager };
