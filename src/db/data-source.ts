import { DataSource, Logger as OrmLogger, QueryRunner } from 'typeorm';
import { DEFAULT_STATEMENT_TIMEOUT_MS } from '../config';
import { ENTITIES } from '../../entities';
import { MIGRATIONS } from '../../migrations';
import { SnakeNamingStrategy } from './naming';

/** A statement as sent, and the PostgreSQL backend (pid) that ran it. */
export interface RecordedStatement {
  sql: string;
  pid: number | null;
}

/** Counts SQL statements (the N+1 test and /metrics read it) and logs failures. */
export class QueryCounter implements OrmLogger {
  count = 0;
  /** The statements sent while recording (tests: which statements, on which connection). */
  recorded: RecordedStatement[] | null = null;
  constructor(private readonly onError?: (query: string, error: unknown) => void) {}
  logQuery(query: string, _parameters?: unknown[], queryRunner?: QueryRunner): void {
    this.count += 1;
    const connection = (queryRunner as { databaseConnection?: { processID?: number } } | undefined)?.databaseConnection;
    this.recorded?.push({ sql: query, pid: connection?.processID ?? null });
  }
  logQueryError(error: string | Error, query: string): void {
    this.onError?.(query, error);
  }
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export const APP_ROLE = 'cms_app';

export interface DataSourceOptions {
  poolSize?: number;
  logger?: QueryCounter;
  applicationName?: string;
  /** PostgreSQL statement_timeout of every statement on these connections (0: none). */
  statementTimeoutMs?: number;
  /** Connect as the database owner: migrations only. */
  asOwner?: boolean;
  /** Give up a connection attempt after this long (a hot standby that is down must not hold a read up). */
  connectTimeoutMs?: number;
}

/**
 * The API's pool. Fail closed: every connection runs as the non-owner role cms_app from the
 * moment it connects (a startup option, so RESET ROLE and the end of a SET LOCAL ROLE come
 * back to it), so a query that escapes the tenant transaction sees no tenant's rows. A
 * connection cannot be made without the role: migrations create it on their own owner pool.
 */
export function createDataSource(url: string, options: DataSourceOptions = {}): DataSource {
  const target = new URL(url);
  // pg lets the URL's own `options` replace ours: merge them instead.
  const startup = [target.searchParams.get('options') ?? ''];
  target.searchParams.delete('options');
  if (!options.asOwner) startup.push(`-c role=${APP_ROLE}`, `-c statement_timeout=${options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS}`);
  return new DataSource({
    type: 'postgres',
    url: target.toString(),
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: true,
    logger: options.logger ?? new QueryCounter(),
    ...(options.connectTimeoutMs ? { connectTimeoutMS: options.connectTimeoutMs } : {}),
    extra: {
      max: options.poolSize ?? 10,
      application_name: options.applicationName ?? 'complaint-cms',
      ...(startup.join(' ').trim() ? { options: startup.join(' ').trim() } : {}),
    },
  });
}
