import { DefaultNamingStrategy, NamingStrategyInterface, Table } from 'typeorm';

/** `receivedAt` → `received_at`, `HTTPStatus` → `http_status` (TypeORM's own rule, which it doesn't export). */
export function snakeCase(name: string): string {
  return name
    .replace(/([A-Z])([A-Z])([a-z])/g, '$1_$2$3')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * camelCase properties ↔ snake_case columns. Foreign keys get PostgreSQL's own default
 * names (`<table>_<columns>_fkey`), the names the hand-written migrations created.
 */
export class SnakeNamingStrategy extends DefaultNamingStrategy implements NamingStrategyInterface {
  columnName(propertyName: string, customName: string | undefined, prefixes: string[]): string {
    return customName ?? snakeCase([...prefixes, propertyName].join('_'));
  }

  foreignKeyName(tableOrName: Table | string, columnNames: string[]): string {
    const table = typeof tableOrName === 'string' ? tableOrName : tableOrName.name;
    return `${table.split('.').pop()}_${columnNames.join('_')}_fkey`;
  }
}
