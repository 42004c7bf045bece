import { randomUUID } from 'node:crypto';
import { IDENTITY_HEADER, signIdentity, type Role } from '../identity';

/**
 * The header the gateway would send for a signed-in caller: what a subgraph test uses to
 * call as a given user or role without going through the gateway.
 */
export function gatewayHeaders(
  secret: string,
  role: Role = 'CUSTOMER',
  userId: string = randomUUID(),
): Record<string, string> {
  const caller = { userId, role, tokenId: randomUUID(), tokenExpiresAt: Math.floor(Date.now() / 1000) + 900, familyId: randomUUID() };
  return { [IDENTITY_HEADER]: signIdentity(secret, { caller, clientIp: '127.0.0.1' }) };
}
