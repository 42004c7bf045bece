import { badInput } from '@storegraph/common';

export const EMAIL_MAX_LENGTH = 254;
export const PASSWORD_MIN_LENGTH = 8;
/** scrypt hashes any length, but an unbounded password is a cheap way to burn our CPU. */
export const PASSWORD_MAX_LENGTH = 1024;
export const NAME_MAX_LENGTH = 200;

// Deliberately simple: one @, no spaces, a dot in the domain. Deliverability is for a
// verification mail to prove, not for a regex.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Emails are compared and stored trimmed and lowercased, so the unique index sees one spelling. */
export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Why a (normalized) email is refused, or null when it is acceptable. */
export function emailProblem(email: string): string | null {
  if (email.length > EMAIL_MAX_LENGTH) return `email must be at most ${EMAIL_MAX_LENGTH} characters`;
  if (!EMAIL_SHAPE.test(email)) return 'email is not a valid email address';
  return null;
}

export function passwordProblem(password: string): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  return null;
}

/** Why a (trimmed) display name is refused, or null. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'name must not be empty';
  if (name.length > NAME_MAX_LENGTH) return `name must be at most ${NAME_MAX_LENGTH} characters`;
  return null;
}

export interface NewAccount {
  email: string;
  password: string;
  name: string;
}

/** Normalizes a registration, or throws BAD_USER_INPUT naming the first offending field. */
export function validateNewAccount(input: NewAccount): NewAccount {
  const account = { email: normalizeEmail(input.email), password: input.password, name: input.name.trim() };
  const checks: Array<[keyof NewAccount, string | null]> = [
    ['email', emailProblem(account.email)],
    ['password', passwordProblem(account.password)],
    ['name', nameProblem(account.name)],
  ];
  for (const [field, problem] of checks) {
    if (problem) throw badInput(problem, field);
  }
  return account;
}
