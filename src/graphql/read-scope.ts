import type { ApolloServerPlugin } from '@apollo/server';
import type { RequestContext } from '../context';
import { ReadScope } from '../db/read-scope';

/**
 * Gives every query operation one read-only snapshot (ReadScope), released when its
 * execution ends, errors included. Mutations write in their own transactions and read
 * their nested fields afterwards, each batch in a transaction of its own: a snapshot taken
 * before a later root mutation would show stale data.
 */
export const queryReadScope: ApolloServerPlugin<RequestContext> = {
  async requestDidStart() {
    let scope: ReadScope | null = null;
    const release = async (ctx: RequestContext) => {
      if (!scope) return;
      const ending = scope;
      scope = null;
      ctx.readScope = null;
      await ending.close();
    };
    return {
      async executionDidStart({ operation, contextValue }) {
        if (operation.operation !== 'query' || !contextValue.actor) return;
        scope = new ReadScope(contextValue);
        contextValue.readScope = scope;
        return { executionDidEnd: () => release(contextValue) };
      },
      // Belt and braces: a request that ends without executionDidEnd still returns its connection.
      async willSendResponse({ contextValue }) {
        await release(contextValue);
      },
    };
  },
};
