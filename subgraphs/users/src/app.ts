import {
  AccessTokenSigner,
  createLogger,
  createRedis,
  createSubgraphService,
  metricsFor,
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
import { userSubscriptions } from './events/subscriptions';
import { EmailOutbox } from './mail/email-outbox';
import { OrderEmailSender } from './mail/order-email-sender';
import { HttpOrderLookup, type OrderLookup } from './mail/order-lookup';
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
export { EmailOutbox, type EmailRow, type EmailStatus } from './mail/email-outbox';

/** Users' email_outbox for an operator's script (npm run emails), on the database at `url`. */
export async function openEmailOutbox(url: string): Promise<{ outbox: EmailOutbox; close(): Promise<void> }> {
  const database = await openDatabase({ url, entities, migrations });
  return { outbox: new EmailOutbox(database.orm.em), close: () => database.close() };
}

export interface UsersApp extends SubgraphService {
  config: UsersConfig;
  /** The consumer of the order events that owe emails (tests publish through its bus). */
  events: EventRuntime;
  /** Drains email_outbox (tests read its counts and run it at once). */
  orderEmails: OrderEmailSender;
  /** Keeps Redis holding the revocation list (tests run its passes and read its count). */
  revocationSync: RevocationSync;
}

export interface UsersDeps {
  /** Defaults to batched `_entities` calls to orders, catalog and payments (ORDERS_URL ...). */
  orderLookup?: OrderLookup;
}

/** Opens the database (migrating it) and Redis, ensures the ADMIN account; never listens itself. */
export async function createApp(config: UsersConfig, logger: Logger = createLogger('users'), deps: UsersDeps = {}): Promise<UsersApp> {
  const signer = await AccessTokenSigner.fromPem(config.jwtPrivateKeyPem, config.accessTokenTtlSeconds);
  const schema = await buildSchema();
  const database = await openDatabase({ url: config.databaseUrl, timeouts: config.databaseTimeouts, poolMax: config.databasePoolMax, entities, migrations });
  const redis = createRedis(config.redisUrl, config.redisPrefix);
  redis.on('error', (err: Error) => logger.warn('redis error', { err }));
  let revocationSync: RevocationSync | undefined;
  let events: EventRuntime | undefined;
  let orderEmails: OrderEmailSender | undefined;
  const mailer = Mailer.create(config.mail, logger);
  const lookup = deps.orderLookup ?? new HttpOrderLookup(config.orderEmails, config.gatewaySecret);
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
    // The relay publishes users' one event, the default shipping address (orders' copy
    // for checkout). The consumer records the emails the order events owe (sent by the
    // sender on its own timer, off the saga's path) and the audit entries other subgraphs
    // record with their ADMIN changes.
    events = await startEventRuntime({
      name: 'users',
      natsUrl: config.natsUrl,
      natsNamespace: config.natsNamespace,
      streamReplicas: config.natsStreamReplicas,
      orm: database.orm,
      logger,
      subscriptions: userSubscriptions(),
      // Each event is one insert: a few at a time keep users' pool for its logins. Filtered:
      // of the CATALOG stream users is sent only the audit entries, not every stock event.
      consumer: { filtered: true, concurrency: 4 },
    });
    orderEmails = new OrderEmailSender(new EmailOutbox(database.orm.em), lookup, mailer, database.orm.em, config.orderEmails, logger);
    orderEmails.start();
    const unobserveEmails = orderEmails.observe(metricsFor('users'));
    const runtime = events;
    const sender = orderEmails;
    const sync = revocationSync;
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
        await sender.stop();
        unobserveEmails();
        lookup.close();
        await revocationSync?.stop();
        // Emails already promised (a reset the caller was told about) go out before we stop.
        await mailer.close();
        // Redis may be down at shutdown (nothing is lost: pending revocations are in the
        // table); quit() then resolves at once but leaves ioredis reconnecting.
        await redis.quit().catch(() => undefined);
        redis.disconnect();
      },
    });
    return { ...service, config, events: runtime, orderEmails: sender, revocationSync: sync };
  } catch (err) {
    await events?.stop();
    await orderEmails?.stop();
    lookup.close();
    await revocationSync?.stop();
    await mailer.close();
    redis.disconnect();
    await database.close();
    throw err;
  }
}
