import { DataSource, Logger as OrmLogger } from 'typeorm';
import { ENTITIES } from '../../entities';
import { MIGRATIONS } from '../../migrations';
import { SnakeNamingStrategy } from './naming';

/** Counts SQL statements (the N+1 test and /metrics read it) and logs failures. */
export class QueryCounter implements OrmLogger {
  count = 0;
  constructor(private readonly onError?: (query: string, error: unknown) => void) {}
  logQuery(): void {
    this.count += 1;
  }
  logQueryError(error: string | Error, query: string): void {
    this.onError?.(query, error);
  }
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

export function createDataSource(url: string, options: { poolSize?: number; logger?: QueryCounter; applicationName?: string } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    logging: true,
    logger: options.logger ?? new QueryCounter(),
    extra: { max: options.poolSize ?? 10, application_name: options.applicationName ?? 'complaint-cms' },
  });
}
