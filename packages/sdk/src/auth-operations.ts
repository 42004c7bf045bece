import { Kind, type DocumentNode, type FieldNode, type OperationDefinitionNode, type ValueNode } from 'graphql';
import { StoregraphError } from './errors';
import { isSessionTokens, type SessionKeeper } from './session';

/**
 * The mutations a client uses to get (back) a session. The gateway serves them even with a
 * bad token, so a refused one is never a reason to refresh: it is the app's answer
 * (a wrong password, a used reset link).
 */
const RECOVERY_FIELDS = new Set(['login', 'register', 'refreshToken', 'logout', 'requestPasswordReset', 'resetPassword']);

/** Mutations whose AuthPayload is the session from now on. */
const SESSION_OPENING_FIELDS = new Set(['login', 'register', 'refreshToken', 'resetPassword', 'changePassword']);

interface RootField {
  name: string;
  /** Where the field's value sits in `data` (its alias, or its name). */
  key: string;
  node: FieldNode;
}

/** What the client needs to know of an operation to keep the session. */
export interface OperationAuth {
  /** Every root field is a recovery mutation: a refused one is not retried after a refresh. */
  recovery: boolean;
  /** The mutation's root fields that touch the session (login, logout ...). */
  sessionFields: RootField[];
}

const analysed = new WeakMap<DocumentNode, OperationAuth>();

/** Reads the operation's root fields once per document. */
export function operationAuth(document: DocumentNode): OperationAuth {
  let auth = analysed.get(document);
  if (!auth) {
    auth = analyse(document);
    analysed.set(document, auth);
  }
  return auth;
}

function analyse(document: DocumentNode): OperationAuth {
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation || operation.operation !== 'mutation') return { recovery: false, sessionFields: [] };
  const fields: RootField[] = [];
  let other = false;
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) {
      other = true; // a fragment at the root: the server judges it; the client refreshes as for any call
      continue;
    }
    const name = selection.name.value;
    if (name === '__typename') continue;
    if (!RECOVERY_FIELDS.has(name)) other = true;
    if (RECOVERY_FIELDS.has(name) || SESSION_OPENING_FIELDS.has(name) || name === 'logoutEverywhere') {
      fields.push({ name, key: selection.alias?.value ?? name, node: selection });
    }
  }
  return { recovery: !other && fields.length > 0, sessionFields: fields };
}

function argumentValue(field: FieldNode, name: string, variables: Record<string, unknown>): unknown {
  const value: ValueNode | undefined = field.arguments?.find((argument) => argument.name.value === name)?.value;
  if (!value) return undefined;
  if (value.kind === Kind.VARIABLE) return variables[value.name.value];
  return value.kind === Kind.STRING ? value.value : undefined;
}

/**
 * After a mutation answered: a new pair (login, register, refreshToken, resetPassword,
 * changePassword) becomes the session; logging this session out, or every session, ends it.
 */
export async function applySessionResult(
  auth: OperationAuth,
  session: SessionKeeper,
  data: Record<string, unknown>,
  variables: Record<string, unknown>,
): Promise<void> {
  for (const field of auth.sessionFields) {
    const value = data[field.key];
    if (SESSION_OPENING_FIELDS.has(field.name) && isSessionTokens(value)) {
      await session.set({ accessToken: value.accessToken, refreshToken: value.refreshToken });
    } else if (field.name === 'logoutEverywhere' && value === true) {
      await session.end('logged_out');
    } else if (field.name === 'logout' && value === true && (await isCurrentLogin(field, session, variables))) {
      await session.end('logged_out');
    }
  }
}

/**
 * After a mutation failed: a logout of this session's refresh token that the server refuses
 * as UNAUTHENTICATED means the login is over already, so the session goes as the app asked.
 */
export async function applySessionFailure(
  auth: OperationAuth,
  session: SessionKeeper,
  error: unknown,
  variables: Record<string, unknown>,
): Promise<void> {
  if (!(error instanceof StoregraphError) || !error.has('UNAUTHENTICATED')) return;
  for (const field of auth.sessionFields) {
    if (field.name === 'logout' && (await isCurrentLogin(field, session, variables))) await session.end('logged_out');
  }
}

async function isCurrentLogin(field: RootField, session: SessionKeeper, variables: Record<string, unknown>): Promise<boolean> {
  const current = await session.get();
  return current !== null && argumentValue(field.node, 'refreshToken', variables) === current.refreshToken;
}
