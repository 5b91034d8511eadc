import { existsSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';
import { readFileSync } from 'node:fs';
import { envSchema } from './schema.ts';

export type Mode = 'line' | 'local';

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  mode: Mode;
  port: number;
  host: string;
  log: { level: string; pretty: boolean };
  line: {
    channelSecret: string;
    channelAccessToken: string;
    apiBaseUrl: string;
    dataApiBaseUrl: string;
    replyTokenMaxAgeMs: number;
    /** How replies and pushes go out: undici's keep-alive pool (lean) or the SDK's MessagingApiClient. */
    httpClient: 'undici' | 'sdk';
    /** A batch LINE keeps failing with a retryable error is retried until it is this old. */
    sendRetryMaxAgeMs: number;
  };
  databaseUrl: string;
  /** Finished events, sent messages and past timers are deleted after this long (ms). */
  dataRetentionMs: number;
  localTools: boolean;
  flowsDir: string;
  push: { dailyCap: number; yearEndBreak: { start: string; end: string } };
  /** perStage: link each user to the menu that highlights their stage (docs/rich-menu.md). */
  richMenu: { perStage: boolean };
  /** GET /metrics: on `port` (a listener of its own on `host`), and/or on the public port with `token`. */
  metrics: { port?: number; host: string; token?: string };
  /** Hold proactive pushes under `reserve` messages left; read the quota every `checkMs`. */
  quota: { reserve: number; checkMs: number };
  /** The loading animation when an answer takes over ~1 s; marking messages read (chat mode). */
  chatFeedback: { loadingAnimation: boolean; markAsRead: boolean };
  /** SIGTERM/SIGINT: how long the drain may take before the process stops anyway (ms). */
  drainTimeoutMs: number;
}

const SECRET_KEYS = new Set(['LINE_CHANNEL_SECRET', 'LINE_CHANNEL_ACCESS_TOKEN', 'METRICS_TOKEN']);

/** Thrown when the environment is not usable; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads `.env` (if present) beneath the real environment: real variables win, as with dotenv. */
export function readEnvironment(processEnv: NodeJS.ProcessEnv, dotenvPath = '.env'): Record<string, string | undefined> {
  const fromFile = existsSync(dotenvPath) ? parseDotenv(readFileSync(dotenvPath)) : {};
  return { ...fromFile, ...processEnv };
}

export function loadConfig(env: Record<string, string | undefined>, opts: { isTTY?: boolean } = {}): Config {
  // Empty strings in .env files mean "not set".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.join('.') || '(environment)';
        // A secret's value is never repeated, even a wrong one.
        const got = SECRET_KEYS.has(key) ? '[redacted]' : JSON.stringify(cleaned[key] ?? null);
        return `${key}: ${issue.message} (got ${got})`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  const missing = [
    e.LINE_CHANNEL_SECRET ? undefined : 'LINE_CHANNEL_SECRET',
    e.LINE_CHANNEL_ACCESS_TOKEN ? undefined : 'LINE_CHANNEL_ACCESS_TOKEN',
  ].filter((k): k is string => k !== undefined);
  let mode: Mode = 'line';
  if (missing.length === 2 && e.NODE_ENV !== 'production') {
    mode = 'local';
  } else if (missing.length > 0) {
    problems.push(
      e.NODE_ENV === 'production'
        ? `${missing.join(' and ')} must be set when NODE_ENV=production (find them in the LINE Developers console)`
        : `${missing.join(' and ')} must be set too (set both LINE credentials, or neither for local mode)`,
    );
  }
  if (e.NODE_ENV === 'production' && e.LOCAL_TOOLS === true) {
    problems.push('LOCAL_TOOLS: local tools cannot be enabled when NODE_ENV=production (remove LOCAL_TOOLS or set it to false)');
  }
  if (e.METRICS_PORT !== undefined && e.METRICS_PORT !== 0 && e.METRICS_PORT === e.PORT) {
    problems.push(`METRICS_PORT: must differ from PORT (${e.PORT}); to serve /metrics on the public port, set METRICS_TOKEN instead`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const [start, end] = e.YEAR_END_BREAK.split('..') as [string, string];
  return {
    nodeEnv: e.NODE_ENV,
    mode,
    port: e.PORT,
    // The local simulator is for one person at one machine: never expose it beyond loopback.
    host: e.HOST ?? (mode === 'local' ? '127.0.0.1' : '0.0.0.0'),
    log: { level: e.LOG_LEVEL, pretty: e.LOG_PRETTY ?? Boolean(opts.isTTY) },
    line: {
      channelSecret: e.LINE_CHANNEL_SECRET ?? '',
      channelAccessToken: e.LINE_CHANNEL_ACCESS_TOKEN ?? '',
      apiBaseUrl: e.LINE_API_BASE_URL.replace(/\/+$/, ''),
      dataApiBaseUrl: e.LINE_DATA_API_BASE_URL.replace(/\/+$/, ''),
      replyTokenMaxAgeMs: e.REPLY_TOKEN_MAX_AGE_SECONDS * 1000,
      httpClient: e.LINE_HTTP_CLIENT,
      sendRetryMaxAgeMs: Math.round(e.SEND_RETRY_HOURS * 60 * 60_000),
    },
    databaseUrl: e.DATABASE_URL,
    dataRetentionMs: e.DATA_RETENTION_DAYS * 24 * 60 * 60_000,
    localTools: e.LOCAL_TOOLS ?? mode === 'local',
    flowsDir: e.FLOWS_DIR,
    push: { dailyCap: e.PUSH_DAILY_CAP, yearEndBreak: { start, end } },
    richMenu: { perStage: e.RICH_MENU_PER_STAGE ?? true },
    metrics: { ...(e.METRICS_PORT !== undefined ? { port: e.METRICS_PORT } : {}), host: e.METRICS_HOST, ...(e.METRICS_TOKEN ? { token: e.METRICS_TOKEN } : {}) },
    quota: { reserve: e.LINE_QUOTA_RESERVE, checkMs: e.LINE_QUOTA_CHECK_MINUTES * 60_000 },
    chatFeedback: { loadingAnimation: e.LINE_LOADING_ANIMATION ?? true, markAsRead: e.LINE_MARK_AS_READ ?? false },
    drainTimeoutMs: e.DRAIN_TIMEOUT_SECONDS * 1000,
  };
}
