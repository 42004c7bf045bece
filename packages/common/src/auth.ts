import type { Caller } from './identity';
import { forbidden, unauthenticated } from './errors';

/** The part of every request context that authorization reads. */
export interface CallerContext {
  caller: Caller | null;
}

export function requireCaller(ctx: CallerContext): Caller {
  if (!ctx.caller) throw unauthenticated();
  return ctx.caller;
}

export function requireAdmin(ctx: CallerContext): Caller {
  const caller = requireCaller(ctx);
  if (caller.role !== 'ADMIN') throw forbidden('ADMIN only');
  return caller;
}

/** True when the caller may see data that belongs to `ownerId`. */
export function isOwnerOrAdmin(ctx: CallerContext, ownerId: string): boolean {
  return ctx.caller !== null && (ctx.caller.role === 'ADMIN' || ctx.caller.userId === ownerId);
}
