import type { RequestContext } from '../context';
import { transaction } from '../db/transaction';
import { User } from '../../entities';

/** The tenant's users, as provisioned from their tokens. */
export function listUsers(ctx: RequestContext): Promise<User[]> {
  return transaction(ctx, (tx) => tx.manager.find(User, { order: { name: 'ASC', id: 'ASC' } }));
}
