import { Role } from '../auth/roles';
import type { RequestContext, TxContext } from '../context';
import { BadUserInputError, ForbiddenError } from '../errors';
import { User } from '../../entities';

/** SPEC §3: an AGENT assigns to self only; the DPO to anyone known in the tenant. */
export async function checkAssignee(tx: TxContext, assigneeId: string, field: string): Promise<User> {
  checkAssigneeRole(tx, assigneeId);
  const user = await tx.manager.findOneBy(User, { tenantId: tx.tenantId, id: assigneeId });
  if (!user) throw new BadUserInputError({ [field]: `no user ${assigneeId} in this tenant` });
  return user;
}

/** The role half of checkAssignee, with no database: an AGENT assigns to self only. */
export function checkAssigneeRole(ctx: RequestContext, assigneeId: string): void {
  if (!ctx.hasRole(Role.DPO) && assigneeId !== ctx.user.userId) {
    throw new ForbiddenError('An AGENT may assign complaints to themselves only');
  }
}
