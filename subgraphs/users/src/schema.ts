import { buildFederatedSchema } from '@storegraph/common';
import type { GraphQLSchema } from 'graphql';
import { AccountResolver } from './resolvers/account.resolver';
import { AddressResolver } from './resolvers/address.resolver';
import { AuditLogResolver } from './resolvers/audit-log.resolver';
import { AuthResolver } from './resolvers/auth.resolver';
import { EmailResolver } from './resolvers/email.resolver';
import { resolveUserReference } from './resolvers/user.reference';
import { UserAdminResolver } from './resolvers/user-admin.resolver';
import { UserResolver } from './resolvers/user.resolver';

/** The users subgraph schema; needs no database, so it also serves to print the SDL. */
export function buildSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema({
    resolvers: [UserResolver, AuthResolver, AccountResolver, AddressResolver, EmailResolver, UserAdminResolver, AuditLogResolver],
    referenceResolvers: { User: { __resolveReference: resolveUserReference } },
  });
}
