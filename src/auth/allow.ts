import { Authorized, AuthChecker } from 'type-graphql';
import type { RequestContext } from '../context';
import { ForbiddenError } from '../errors';
import { Operation, PERMISSIONS } from './permissions';
import type { Role } from './roles';

/** Declares which roles may call an operation, from the one map in permissions.ts. */
export function Allow(operation: Operation): MethodDecorator & PropertyDecorator {
  return Authorized<Role>(...(PERMISSIONS[operation] as Role[]));
}

/** type-graphql's authChecker: no actor → UNAUTHENTICATED; wrong role → FORBIDDEN. */
export const authChecker: AuthChecker<RequestContext, Role> = ({ context, info }, roles) => {
  const actor = context.user; // throws UNAUTHENTICATED without one
  if (roles.length > 0 && !actor.roles.some((r) => roles.includes(r))) {
    throw new ForbiddenError(`${info.fieldName} requires one of the roles ${roles.join(', ')}`);
  }
  return true;
};
