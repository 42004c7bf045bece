import { StoregraphError } from './errors';

// Runtime code here must run in browsers and React Native as well as Node: no Node imports,
// no platform storage. Where a session is persisted is the app's choice (SessionStorage).

/** A signed-in session: the access token sent with each call and the refresh token that renews it. */
export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
}

type MaybePromise<T> = T | Promise<T>;

/**
 * Where the client keeps its session. The default holds it in memory (lost on reload). An app
 * that should stay signed in across restarts passes its own, e.g.:
 *
 * ```ts
 * // Browser: localStorage (one origin's tabs share it; `exclusive` keeps them from refreshing twice)
 * const browserStorage: SessionStorage = {
 *   load: () => JSON.parse(localStorage.getItem('storegraph.session') ?? 'null'),
 *   save: (tokens) => localStorage.setItem('storegraph.session', JSON.stringify(tokens)),
 *   clear: () => localStorage.removeItem('storegraph.session'),
 *   exclusive: (work) => navigator.locks.request('storegraph.session', work),
 * };
 * // React Native: the platform's secure store (expo-secure-store, react-native-keychain ...)
 * const nativeStorage: SessionStorage = {
 *   load: async () => JSON.parse((await SecureStore.getItemAsync('storegraph.session')) ?? 'null'),
 *   save: (tokens) => SecureStore.setItemAsync('storegraph.session', JSON.stringify(tokens)),
 *   clear: () => SecureStore.deleteItemAsync('storegraph.session'),
 * };
 * ```
 *
 * The client reads `load()` once, then again before each refresh (another tab or process
 * sharing the storage may have rotated the pair already), and writes every new pair with
 * `save` before using it.
 */
export interface SessionStorage {
  load(): MaybePromise<SessionTokens | null | undefined>;
  save(tokens: SessionTokens): MaybePromise<void>;
  clear(): MaybePromise<void>;
  /**
   * Optional: runs `work` (re-read the storage, refresh if still needed, save) while holding
   * a lock shared by every client using this storage, e.g. the Web Locks API across a
   * browser's tabs. Without it two tabs whose tokens expire together could both present the
   * same refresh token, which the server takes for a stolen token and ends the login.
   */
  exclusive?<T>(work: () => Promise<T>): Promise<T>;
}

/** The default storage: the session lives as long as the client object. */
export function memorySessionStorage(initial?: SessionTokens): SessionStorage {
  let held: SessionTokens | null = initial ?? null;
  return {
    load: () => held,
    save: (tokens) => {
      held = tokens;
    },
    clear: () => {
      held = null;
    },
  };
}

/**
 * Why a session ended:
 * - `refresh_refused`: the server refused the refresh token: it expired, the login was ended
 *   elsewhere (logout, logoutEverywhere, a password change or reset), or a rotated token was
 *   presented again and the server ended the whole login as stolen. The server answers all of
 *   these alike, on purpose, so the client cannot tell them apart;
 * - `logged_out`: this client's logout or logoutEverywhere ended it.
 */
export type SessionEndedReason = 'refresh_refused' | 'logged_out';

export interface SessionEvents {
  /** The stored pair changed: signed in, refreshed, or (null) ended or cleared. */
  changed: (tokens: SessionTokens | null) => void;
  /** The session ended (not fired for the app's own `set(null)`): sign the user out. */
  ended: (reason: SessionEndedReason) => void;
}

/** The session of one client, as the app sees it (`client.session`). */
export interface ClientSession {
  /** The current pair, or null when signed out. */
  get(): Promise<SessionTokens | null>;
  /**
   * Stores a pair obtained elsewhere, or null to forget the session (nothing is sent to the
   * server: use the Logout mutation to end the login itself). The SDK's own login, register,
   * refreshToken, resetPassword and changePassword results are stored without this.
   */
  set(tokens: SessionTokens | null): Promise<void>;
  /** Trades the refresh token for a new pair now; rejects (and ends the session) when it is refused. */
  refresh(): Promise<SessionTokens>;
  /** Listens for an event; returns the function that stops listening. */
  on<E extends keyof SessionEvents>(event: E, listener: SessionEvents[E]): () => void;
}

/** Trades a refresh token for a new pair with the server (the RefreshToken mutation). */
export type Refresher = (refreshToken: string) => Promise<SessionTokens>;

export function isSessionTokens(value: unknown): value is SessionTokens {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>).accessToken === 'string' &&
    typeof (value as Record<string, unknown>).refreshToken === 'string'
  );
}

/** A listener's exception must not break the client's work: report it as unhandled, as EventTarget does. */
function report(error: unknown): void {
  void Promise.reject(error);
}

/**
 * Holds the session and renews it. A refresh is single-flight: however many calls fail
 * together, they share one refresh (one RefreshToken call), because the server rotates the
 * refresh token on every use and takes a second use of the old one for theft.
 */
export class SessionKeeper implements ClientSession {
  private cached: SessionTokens | null | undefined;
  private inflight: Promise<string | null> | null = null;
  private readonly listeners: { [E in keyof SessionEvents]: Set<SessionEvents[E]> } = { changed: new Set(), ended: new Set() };

  constructor(
    private readonly storage: SessionStorage,
    private readonly refresher: Refresher,
  ) {}

  async get(): Promise<SessionTokens | null> {
    if (this.cached === undefined) await this.reload();
    return this.cached ?? null;
  }

  async accessToken(): Promise<string | undefined> {
    return (await this.get())?.accessToken;
  }

  async set(tokens: SessionTokens | null): Promise<void> {
    if (tokens !== null && !isSessionTokens(tokens)) throw new StoregraphError('session.set needs { accessToken, refreshToken } or null');
    if (tokens) await this.storage.save(tokens);
    else await this.storage.clear();
    this.cached = tokens;
    this.emit('changed', tokens);
  }

  async refresh(): Promise<SessionTokens> {
    const current = await this.get();
    if (!current) throw new StoregraphError('No session to refresh: sign in first');
    const fresh = await this.recover(current.accessToken);
    const tokens = await this.get();
    if (fresh === null || !tokens) throw unauthenticated('The session could not be refreshed');
    return tokens;
  }

  /**
   * After `failedToken` was refused: the access token to retry with, or null when there is
   * no session to renew (none stored, or the server refused the refresh token: the session is
   * then ended and reported). Rejects, keeping the session, when the refresh itself could not
   * be made (network, SERVICE_UNAVAILABLE, RATE_LIMITED): the login may well be alive.
   */
  recover(failedToken: string | undefined): Promise<string | null> {
    // Set synchronously, so calls failing in the same tick join this refresh.
    this.inflight ??= this.guarded(() => this.renew(failedToken)).finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  /** Ends the session (once: a session already gone reports nothing). */
  async end(reason: SessionEndedReason): Promise<void> {
    if (!(await this.get())) return;
    await this.set(null);
    this.emit('ended', reason);
  }

  on<E extends keyof SessionEvents>(event: E, listener: SessionEvents[E]): () => void {
    const set = this.listeners[event] as Set<SessionEvents[E]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  private emit<E extends keyof SessionEvents>(event: E, ...args: Parameters<SessionEvents[E]>): void {
    for (const listener of [...this.listeners[event]]) {
      try {
        (listener as (...a: Parameters<SessionEvents[E]>) => void)(...args);
      } catch (error) {
        report(error);
      }
    }
  }

  private guarded<T>(work: () => Promise<T>): Promise<T> {
    return this.storage.exclusive ? this.storage.exclusive(work) : work();
  }

  private async reload(): Promise<SessionTokens | null> {
    const loaded = await this.storage.load();
    this.cached = isSessionTokens(loaded) ? { accessToken: loaded.accessToken, refreshToken: loaded.refreshToken } : null;
    return this.cached;
  }

  private async renew(failedToken: string | undefined): Promise<string | null> {
    const stored = await this.reload();
    if (!stored) return null;
    // Renewed already, by this client a moment ago or by another sharing the storage.
    if (stored.accessToken !== failedToken) return stored.accessToken;
    let tokens: SessionTokens;
    try {
      tokens = await this.refresher(stored.refreshToken);
    } catch (error) {
      if (!(error instanceof StoregraphError && error.has('UNAUTHENTICATED'))) throw error;
      // The app signed in anew (or out) while the refresh was out: that session stands.
      if (this.cached !== stored) return this.cached?.accessToken ?? null;
      await this.end('refresh_refused');
      return null;
    }
    if (this.cached !== stored) return this.cached?.accessToken ?? null;
    await this.set(tokens);
    return tokens.accessToken;
  }
}

export function unauthenticated(message: string): StoregraphError {
  return new StoregraphError(`UNAUTHENTICATED: ${message}`, {
    errors: [{ message, code: 'UNAUTHENTICATED', extensions: { code: 'UNAUTHENTICATED' } }],
  });
}
