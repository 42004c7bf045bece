import { isOwnerOrAdmin } from '@storegraph/common';
import type { UsersContext } from '../context';
import type { User } from '../entities';

/**
 * `_entities` for User. Other subgraphs reach users through the gateway with the caller's
 * identity, so the same rule as everywhere holds: the owner or an ADMIN sees the user,
 * anyone else (including an anonymous direct call) gets null and learns nothing.
 */
export async function resolveUserReference(reference: { id: string }, ctx: UsersContext): Promise<User | null> {
  if (typeof reference.id !== 'string' || !isOwnerOrAdmin(ctx, reference.id)) return null;
  return ctx.loaders.user.load(reference.id);
}
