import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

const TIMESTAMPS = new Set(['timestamptz', 'timestamp with time zone', 'timestamp', 'date']);

/**
 * An entity from a row read as JSON (row_to_json / json_agg: database column names, ISO
 * timestamps), so that one statement can read several tables: the columns are TypeORM's own
 * metadata, so a column added to an entity comes along.
 */
export function hydrate<T extends ObjectLiteral>(manager: EntityManager, target: EntityTarget<T>, row: Record<string, unknown>): T {
  const entity = manager.create(target);
  for (const column of manager.connection.getMetadata(target).columns) {
    if (!(column.databaseName in row)) continue;
    const value = row[column.databaseName];
    const isTime = typeof column.type === 'string' && TIMESTAMPS.has(column.type);
    (entity as Record<string, unknown>)[column.propertyName] = isTime && typeof value === 'string' ? new Date(value) : value;
  }
  return entity;
}
