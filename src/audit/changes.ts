import type { Changes } from './audit-chain';

/**
 * Fields whose values never enter the audit trail, only the fact that they changed, so
 * that erasing a complainant's data leaves the hash chain valid (SPEC §6, §7).
 */
export const PII_FIELDS = new Set(['complainant.name', 'complainant.email', 'complainant.phone', 'description', 'note.body']);

type Value = string | number | boolean | null | undefined | Date | string[];

function plain(value: Value): unknown {
  if (value instanceof Date) return value.toISOString();
  return value ?? null;
}

function same(a: Value, b: Value): boolean {
  return JSON.stringify(plain(a)) === JSON.stringify(plain(b));
}

/** field → { from, to } for the fields that differ; PII fields as { changed: true }. */
export function diff(before: Record<string, Value>, after: Record<string, Value>): Changes {
  const changes: Changes = {};
  for (const field of Object.keys(after)) {
    if (same(before[field], after[field])) continue;
    changes[field] = PII_FIELDS.has(field) ? { changed: true } : { from: plain(before[field]), to: plain(after[field]) };
  }
  return changes;
}

/** The changes of a new record: every field from null. */
export function created(fields: Record<string, Value>): Changes {
  return diff({}, fields);
}
