import {
  AccessTokenSigner,
  createLogger,
  createRedis,
  createSubgraphService,
  openDatabase,
  RateLimits,
  startEventRuntime,
  type EventRuntime,
  type Logger,
  type SubgraphService,
} from '@storegraph/common';
import type { UsersConfig } from './config';
import { createContextFactory, type UsersContext } from './context';
import { entities } from './entities';
import { usersSubscriptions } from './events/subscriptions';
import { migrations } from './migrations';
import { buildSchema } from './schema';
import { ensureAdminAccount } from './services/admin-account.service';
import { AccountService } from './services/account.service';
import { AddressService } from './services/address.service';
import { Mailer } from './mail/mailer';
import { AuditLogService } from './services/audit-log.service';
import { AuthService } from './services/auth.service';
import { EmailTokenService } from './services/email-token.service';
import { EmailVerificationService } from './services/email-verification.service';
import { LoginThrottleService } from './services/login-throttle.service';
import { PasswordResetService } from './services/password-reset.service';
import { RevocationService } from './services/revocation.service';
import { RevocationSync } from './services/revocation-sync';
import { SessionService } from './services/session.service';
import { UserAdminService } from './services/user-admin.service';
import { UserService } from './services/user.service';

export { buildSchema } from './schema';
export { readConfig, type UsersConfig } from './config';

export interface UsersApp extends SubgraphService {
  config: UsersConfig;
  /** The consumer of other subgraphs' audit entries (users publishes nothing: no relay). */
  events: EventRuntime;
}

/** Opens the database (migrating it) and Redis, ensures the ADMIN account; never listens itself. */
export async function createApp(config: UsersConfig, logger: Logger = createLogger('users')): Promise<UsersApp> {
  const signer = await AccessTokenSigner.fromPem(config.jwtPrivateKeyPem, config.accessTokenTtlSeconds);
  const schema = await buildSchema();
  const database = await openDatabase({ url: config.databaseUrl, timeouts: config.databaseTimeouts, entities, migrations });
  const redis = createRedis(config.redisUrl, config.redisPrefix);
  redis.on('error', (err: Error) => logger.warn('redis error', { err }));
  let revocationSync: RevocationSync | undefined;
  let events: EventRuntime | undefined;
  const mailer = Mailer.create(config.mail, logger);
  try {
    if (config.admin) {
      const outcome = await ensureAdminAccount(database.orm.em.fork(), config.admin);
      logger.info('admin account ensured', { email: config.admin.email, outcome });
    }
    const revocations = new RevocationService(database.orm.em, redis, config.accessTokenTtlSeconds, logger);
    revocationSync = new RevocationSync(database.orm.em, redis, revocations, logger, config.revocationSyncIntervalMs);
    // Before serving: a healthy start leaves Redis holding the whole list, marked complete.
    await revocationSync.run().catch((err: unknown) => logger.warn('revocation list not pushed yet; retrying', { err }));
    revocationSync.start();
    events = await startEventRuntime({
      name: 'users',
      natsUrl: config.natsUrl,
      natsNamespace: config.natsNamespace,
      orm: database.orm,
      logger,
      subscriptions: usersSubscriptions,
      relay: false,
      // Only the audit subjects: users must not be sent every saga event to ignore. A few
      // at a time: entries are background work and must not take the pool from logins.
      consumer: { filtered: true, concurrency: 4 },
    });
    const runtime = events;
    const sessions = new SessionService(signer, revocations, config.refreshTokenTtlSeconds);
    const limits = new RateLimits(redis, config.rateLimits);
    const throttle = new LoginThrottleService(limits);
    const emailTokens = new EmailTokenService();
    const emailVerification = new EmailVerificationService(emailTokens, mailer, limits, config.emailVerificationTtlSeconds);
    const passwordReset = new PasswordResetService(
      database.orm.em,
      emailTokens,
      sessions,
      throttle,
      limits,
      mailer,
      config.passwordResetTtlSeconds,
    );
    const auth = new AuthService(sessions, throttle, emailVerification);
    const account = new AccountService(sessions, throttle);
    const addresses = new AddressService(config.maxAddressesPerUser);
    const service = await createSubgraphService<UsersContext>({
      name: 'users',
      config,
      schema,
      database,
      logger,
      extendContext: createContextFactory({
        auth,
        account,
        addresses,
        sessions,
        users: new UserService(),
        userAdmin: new UserAdminService(sessions),
        auditLog: new AuditLogService(),
        limits,
        passwordReset,
        emailVerification,
      }),
      ready: async () => {
        await redis.ping();
      },
      onStop: async () => {
        await runtime.stop();
        await revocationSync?.stop();
        // Emails already promised (a reset the caller was told about) go out before we stop.
        await mailer.close();
        // Redis may be down at shutdown (nothing is lost: pending revocations are in the
        // table); quit() then resolves at once but leaves ioredis reconnecting.
        await redis.quit().catch(() => undefined);
        redis.disconnect();
      },
    });
    return { ...service, config, events: runtime };
  } catch (err) {
    await events?.stop();
    await revocationSync?.stop();
    await mailer.close();
    redis.disconnect();
    await database.close();
    throw err;
  }
}
