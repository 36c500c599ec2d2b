import { isFreeText } from '../domain/free-text';
import type { Changes } from './audit-chain';

/** The complainant's details: like free text, never recorded as values. */
const COMPLAINANT_FIELDS = new Set(['complainant.name', 'complainant.email', 'complainant.phone']);

/**
 * Fields whose values never enter the audit trail, only the fact that they were set or
 * changed, so that erasing a complainant's data leaves the hash chain valid (SPEC §6, §7):
 * the complainant's details and every free-text field (src/domain/free-text.ts).
 */
export function isValueless(field: string): boolean {
  return COMPLAINANT_FIELDS.has(field) || isFreeText(field);
}

const CHANGED = { changed: true } as const;

/**
 * `changes` as the trail may hold them: each PII or free-text field, at any depth,
 * becomes { changed: true }. Applied by the audit writer to every event.
 */
export function withoutValues(changes: Changes): Changes {
  const out: Changes = {};
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    if (isValueless(field)) out[field] = CHANGED;
    else if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) out[field] = withoutValues(value as Changes);
    else out[field] = value;
  }
  return out;
}

type Value = string | number | boolean | null | undefined | Date | string[];

function plain(value: Value): unknown {
  if (value instanceof Date) return value.toISOString();
  return value ?? null;
}

function same(a: Value, b: Value): boolean {
  return JSON.stringify(plain(a)) === JSON.stringify(plain(b));
}

/** field → { from, to } for the fields that differ; PII and free-text fields as { changed: true }. */
export function diff(before: Record<string, Value>, after: Record<string, Value>): Changes {
  const changes: Changes = {};
  for (const field of Object.keys(after)) {
    if (same(before[field], after[field])) continue;
    changes[field] = isValueless(field) ? CHANGED : { from: plain(before[field]), to: plain(after[field]) };
  }
  return changes;
}

/** The changes of a new record: every field from null. */
export function created(fields: Record<string, Value>): Changes {
  return diff({}, fields);
}
