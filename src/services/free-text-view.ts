import type { RequestContext } from '../context';
import { canReadFreeText, FreeTextField, maskFreeText, MASK } from '../domain/free-text';
import { loaders } from '../loaders';

/**
 * A free-text value of case `complaintId` as the caller may read it (SPEC §3). The case
 * is loaded (batched) only when the answer depends on whether it involves a child.
 */
export async function readableText<T extends string | null>(
  ctx: RequestContext,
  complaintId: string | null | undefined,
  field: FreeTextField,
  value: T,
): Promise<T | string> {
  const roles = ctx.user.roles;
  const onChildCase = canReadFreeText(roles, true, field);
  if (onChildCase === canReadFreeText(roles, false, field)) return onChildCase ? value : MASK;
  // A record that does not name its case reads as on a child's case: masked, never leaked.
  const complaint = complaintId ? await loaders.complaint(ctx).load(complaintId) : null;
  return maskFreeText(ctx.user, { involvesChildUnder13: complaint?.involvesChildUnder13 ?? true }, field, value);
}
