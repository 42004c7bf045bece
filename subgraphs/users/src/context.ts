import type DataLoader from 'dataloader';
import type { RateLimits, RequestContext } from '@storegraph/common';
import type { UsersRateRules } from './config';
import type { Address, User } from './entities';
import { createAddressLoader } from './loaders/address.loader';
import { createUserLoader } from './loaders/user.loader';
import type { AccountService } from './services/account.service';
import type { AddressService } from './services/address.service';
import type { AuditLogService } from './services/audit-log.service';
import type { AuthService } from './services/auth.service';
import type { EmailVerificationService } from './services/email-verification.service';
import type { PasswordResetService } from './services/password-reset.service';
import type { SessionService } from './services/session.service';
import type { UserAdminService } from './services/user-admin.service';
import type { UserService } from './services/user.service';

export interface UsersLoaders {
  user: DataLoader<string, User | null>;
  addresses: DataLoader<string, Address[]>;
}

/** Built once per app; stateless, so shared by all requests. */
export interface UsersServices {
  auth: AuthService;
  account: AccountService;
  addresses: AddressService;
  sessions: SessionService;
  users: UserService;
  userAdmin: UserAdminService;
  auditLog: AuditLogService;
  passwordReset: PasswordResetService;
  emailVerification: EmailVerificationService;
  /** Counted by the resolvers before the work (login counts its failures itself). */
  limits: RateLimits<keyof UsersRateRules>;
}

export interface UsersContext extends RequestContext {
  loaders: UsersLoaders;
  services: UsersServices;
  /**
   * Users this request proved to be without an access token, by an emailed token
   * (verifyEmail, resetPassword): their owner-only fields may be shown in its answer.
   */
  provenUsers: Set<string>;
}

export function createContextFactory(services: UsersServices) {
  return (base: RequestContext): UsersContext => ({
    ...base,
    services,
    provenUsers: new Set(),
    loaders: {
      user: createUserLoader(base.em, services.users),
      addresses: createAddressLoader(base.em, services.addresses),
    },
  });
}
