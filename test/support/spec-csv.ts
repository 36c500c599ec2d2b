/**
 * SPEC §8's CSV header, written out from the SPEC rather than imported from the service,
 * so the tests that read the export check the service against it.
 */
export const SPEC_CSV_HEADER: readonly string[] = [
  'reference',
  'stage',
  'status',
  'jurisdiction',
  'regimes',
  'rights',
  'channel',
  'data_context',
  'processing_role',
  'assignee_id',
  'received_at',
  'acknowledged_at',
  'resolved_at',
  'closed_at',
  'days_to_acknowledge',
  'days_to_resolve',
  'outcome',
  'next_due_at',
  'breached_timers',
  'breached_kinds',
];
