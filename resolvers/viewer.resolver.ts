import { Ctx, Query, Resolver } from 'type-graphql';
import { Allow } from '../src/auth/allow';
import type { RequestContext } from '../src/context';
import { listUsers } from '../src/services/user.service';
import { UserType, ViewerType } from './types/objects';

@Resolver()
export class ViewerResolver {
  @Query(() => ViewerType, { description: 'The caller: user, tenant and roles from the bearer token. Any role.' })
  @Allow('me')
  me(@Ctx() ctx: RequestContext): ViewerType {
    const { userId, tenantId, roles, name, email } = ctx.user;
    return { user: { id: userId, name, email, roles }, tenantId, roles };
  }

  @Query(() => [UserType], { description: 'The users of the tenant (provisioned from their tokens). Any role.' })
  @Allow('users')
  users(@Ctx() ctx: RequestContext) {
    return listUsers(ctx);
  }
}
