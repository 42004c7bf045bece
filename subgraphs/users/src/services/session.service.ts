import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { forbidden, unauthenticated, uuidv7, type AccessTokenSigner, type RequestContext } from '@storegraph/common';
import { RefreshToken, User } from '../entities';
import { AuthPayload } from '../types/auth-payload.type';
import { formatRefreshToken, hashSecret, newSecret, parseRefreshToken, secretMatches } from './refresh-token.codec';
import type { Revocation, RevocationService } from './revocation.service';

const invalidSession = () => unauthenticated('Refresh token is invalid, expired or revoked');
/** Only said to someone who proved the account's password (or an emailed token). */
export const accountDisabled = () => forbidden('This account is disabled');

type RefreshOutcome =
  | { kind: 'refused' }
  | { kind: 'reused'; revocation: Revocation }
  | { kind: 'rotated'; user: User; refreshToken: string; familyId: string };

/**
 * Logins as refresh-token families: opening one, rotating its token, ending it. Access
 * tokens are signed here too, so every AuthPayload comes from one place.
 */
export class SessionService {
  constructor(
    private readonly signer: AccessTokenSigner,
    private readonly revocations: RevocationService,
    private readonly refreshTokenTtlSeconds: number,
  ) {}

  /**
   * Starts a new login for `user` inside the caller's transaction `tx`; a disabled account
   * gets none (FORBIDDEN). The row is read FOR SHARE, so a concurrent setUserDisabled
   * either waits for this login and then ends it, or has committed and is seen here.
   */
  async open(tx: EntityManager, user: User): Promise<AuthPayload> {
    // No row yet for an account created in this very transaction (register).
    const [row] = await tx.execute<Array<{ disabled: boolean }>>('select disabled from users where id = ? for share', [user.id]);
    if (user.disabled || row?.disabled) throw accountDisabled();
    const familyId = uuidv7();
    const refreshToken = this.addToken(tx, user, familyId);
    return this.payload(user, familyId, refreshToken);
  }

  /**
   * Trades a refresh token for a new pair. The row is locked, so of two concurrent
   * refreshes with one token exactly one rotates it; the other then sees a rotated token,
   * which is what a stolen-and-replayed token looks like, and ends the whole login.
   */
  async refresh(ctx: RequestContext, presented: string): Promise<AuthPayload> {
    const parts = parseRefreshToken(presented);
    if (!parts) throw invalidSession();
    const outcome = await ctx.em.transactional(async (tx): Promise<RefreshOutcome> => {
      const row = await tx.findOne(RefreshToken, { id: parts.id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row || !secretMatches(parts.secret, row.secretHash) || row.revokedAt) return { kind: 'refused' };
      if (row.rotatedAt) {
        await this.revokeFamilyRows(tx, row.familyId);
        return { kind: 'reused', revocation: await this.revocations.recordFamily(tx, row.familyId) };
      }
      if (row.expiresAt.getTime() <= Date.now()) return { kind: 'refused' };
      // Locked like open(): a login disabled meanwhile gets no new token.
      const user = await tx.findOneOrFail(User, { id: row.user.id }, { lockMode: LockMode.PESSIMISTIC_READ });
      if (user.disabled) return { kind: 'refused' };
      row.rotatedAt = new Date();
      return { kind: 'rotated', user, familyId: row.familyId, refreshToken: this.addToken(tx, user, row.familyId) };
    });
    if (outcome.kind === 'reused') {
      // The login's end committed with its revocation entry; pushing it stops the access
      // tokens already handed out under it (retried by the sync if Redis is away).
      await this.revocations.publish([outcome.revocation]);
      throw invalidSession();
    }
    if (outcome.kind === 'refused') throw invalidSession();
    return this.payload(outcome.user, outcome.familyId, outcome.refreshToken);
  }

  /**
   * Ends the login the refresh token belongs to, and the access token of the call. The
   * refresh token alone proves the session, so a client whose access token has already
   * expired can still log out; a signed-in caller may only end their own logins.
   */
  async logout(ctx: RequestContext, presented: string): Promise<void> {
    const parts = parseRefreshToken(presented);
    if (!parts) throw invalidSession();
    const row = await ctx.em.findOne(RefreshToken, { id: parts.id });
    if (!row || !secretMatches(parts.secret, row.secretHash)) throw invalidSession();
    if (ctx.caller && ctx.caller.userId !== row.user.id) throw invalidSession();
    const { caller } = ctx;
    // One transaction: the refresh tokens and the revocation entries end together or not at all.
    const entries = await ctx.em.transactional(async (tx) => {
      await this.revokeFamilyRows(tx, row.familyId);
      const revoked = [await this.revocations.recordFamily(tx, row.familyId)];
      if (caller) revoked.push(await this.revocations.recordAccessToken(tx, caller.tokenId, caller.tokenExpiresAt));
      return revoked;
    });
    // Committed, so the logout holds: if Redis is away now the sync pushes the entries when
    // it returns, and the gateway refuses tokens meanwhile (it cannot check them).
    await this.revocations.publish(entries);
  }

  /**
   * In `tx`: ends every login of `userId` (all its refresh-token families) and records a
   * durable revocation for each, so their access tokens are refused and their open sockets
   * close once the caller publishes the returned entries after commit. Families whose rows
   * are all revoked already have their entry; families whose newest token expired hold no
   * live access token (an access token never outlives the refresh token issued with it).
   */
  async endAllLogins(tx: EntityManager, userId: string): Promise<Revocation[]> {
    const families = await tx.execute<Array<{ family_id: string }>>(
      'select distinct family_id from refresh_tokens where user_id = ? and revoked_at is null',
      [userId],
    );
    await tx.nativeUpdate(RefreshToken, { user: userId, revokedAt: null }, { revokedAt: new Date() });
    const entries: Revocation[] = [];
    for (const { family_id: familyId } of families) entries.push(await this.revocations.recordFamily(tx, familyId));
    return entries;
  }

  /** After commit: pushes entries recorded by endAllLogins (the sync retries what fails). */
  publish(entries: Revocation[]): Promise<boolean> {
    return this.revocations.publish(entries);
  }

  private addToken(tx: EntityManager, user: User, familyId: string): string {
    const secret = newSecret();
    const row = tx.create(RefreshToken, {
      familyId,
      user,
      secretHash: hashSecret(secret),
      expiresAt: new Date(Date.now() + this.refreshTokenTtlSeconds * 1000),
    });
    return formatRefreshToken({ id: row.id, secret });
  }

  private async revokeFamilyRows(em: EntityManager, familyId: string): Promise<void> {
    await em.nativeUpdate(RefreshToken, { familyId, revokedAt: null }, { revokedAt: new Date() });
  }

  private async payload(user: User, familyId: string, refreshToken: string): Promise<AuthPayload> {
    const { token } = await this.signer.sign({ sub: user.id, role: user.role, fam: familyId, jti: uuidv7() });
    return Object.assign(new AuthPayload(), { accessToken: token, refreshToken, expiresIn: this.signer.expiresIn, user });
  }
}
