/**
 * Settings come from the environment, are parsed once, and fail fast: every problem
 * found is reported together, so a misconfigured deploy is fixed in one go.
 */
export type Mode = 'development' | 'production';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  string(name: string, fallback: string): string {
    const value = this.env[name];
    return value === undefined || value === '' ? fallback : value;
  }

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  int(name: string, fallback: number, min = 0): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      this.problems.push(`${name} must be an integer >= ${min} (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  bool(name: string, fallback: boolean): boolean {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
    if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  /** `APP_MODE` is the one switch between development and production behaviour. */
  mode(): Mode {
    const raw = this.string('APP_MODE', 'development');
    if (raw !== 'development' && raw !== 'production') {
      this.problems.push(`APP_MODE must be development or production (got "${raw}")`);
      return 'production';
    }
    return raw;
  }

  problem(message: string): void {
    // Settings read by two parts of one service would otherwise be reported twice.
    if (!this.problems.includes(message)) this.problems.push(message);
  }

  /** Throws a ConfigError naming every problem seen so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

/** Infrastructure locations every service shares, with localhost defaults. */
export interface InfraConfig {
  natsUrl: string;
  /** Prefix of every NATS subject and stream of this deployment (see EventBus). */
  natsNamespace: string;
  redisUrl: string;
  /** Prefix of every Redis key, so several stacks (or test runs) can share one Redis. */
  redisPrefix: string;
}

export function readInfra(env: EnvReader): InfraConfig {
  return {
    natsUrl: env.string('NATS_URL', 'nats://127.0.0.1:4222'),
    natsNamespace: env.string('NATS_NAMESPACE', 'storegraph'),
    redisUrl: env.string('REDIS_URL', 'redis://127.0.0.1:6379'),
    redisPrefix: env.string('REDIS_PREFIX', 'storegraph:'),
  };
}

/** `<SERVICE>_DATABASE_URL`, else a database named after the service on local PostgreSQL. */
export function readDatabaseUrl(env: EnvReader, service: string): string {
  const base = env.string('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432');
  return env.string(`${service.toUpperCase()}_DATABASE_URL`, `${base.replace(/\/+$/, '')}/${service}`);
}
