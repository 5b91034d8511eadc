import { z } from 'zod';

// Environment variables are strings; these helpers turn them into typed values with readable errors.
const boolFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const url = z.url({ message: 'expected an absolute URL such as https://api.line.me' });

export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { message: 'expected development, production or test' }).default('development'),
  PORT: z.coerce.number({ message: 'expected a port number' }).int().min(0).max(65535, 'expected a port number between 0 and 65535').default(3000),
  HOST: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'expected one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
  LOG_PRETTY: boolFromEnv.optional(),
  LINE_CHANNEL_SECRET: z.string().trim().min(1).optional(),
  LINE_CHANNEL_ACCESS_TOKEN: z.string().trim().min(1).optional(),
  LINE_API_BASE_URL: url.default('https://api.line.me'),
  LINE_DATA_API_BASE_URL: url.default('https://api-data.line.me'),
  LINE_HTTP_CLIENT: z.enum(['undici', 'sdk'], { message: 'expected undici or sdk' }).default('undici'),
  DATABASE_URL: z
    .string()
    .regex(/^(file:.+|postgres(ql)?:\/\/.+)$/, 'expected file:PATH (SQLite) or postgres://… (PostgreSQL)')
    .default('file:./data/akari.db'),
  LOCAL_TOOLS: boolFromEnv.optional(),
  FLOWS_DIR: z.string().min(1).default('./flows'),
  REPLY_TOKEN_MAX_AGE_SECONDS: z.coerce.number({ message: 'expected a number of seconds' }).int().min(1).max(600).default(50),
  // LINE keeps a push's retry key for 24 h: retrying longer could deliver it twice.
  SEND_RETRY_HOURS: z.coerce.number({ message: 'expected a number of hours' }).min(0.1, 'expected at least 0.1 hours').max(24, 'expected at most 24 hours (LINE keeps a retry key for 24 h)').default(24),
  PUSH_DAILY_CAP: z.coerce.number({ message: 'expected a whole number' }).int().min(0).max(20).default(1),
  RICH_MENU_PER_STAGE: boolFromEnv.optional(),
  // At least two days: the daily push cap counts the last day's pushes, and LINE may redeliver an event.
  DATA_RETENTION_DAYS: z.coerce.number({ message: 'expected a whole number of days' }).int('expected a whole number of days').min(2, 'expected at least 2 days').max(3650, 'expected at most 3650 days').default(30),
  YEAR_END_BREAK: z
    .string()
    .regex(/^\d{2}-\d{2}\.\.\d{2}-\d{2}$/, 'expected MM-DD..MM-DD, e.g. 12-29..01-03')
    .default('12-29..01-03'),
  // Graceful stop (SIGTERM/SIGINT): how long turns and replies in flight may take to finish.
  // GET /metrics: on a listener of its own (off the public port), and/or on the public port behind a token.
  METRICS_PORT: z.coerce.number({ message: 'expected a port number' }).int('expected a port number').min(0, 'expected a port number between 0 and 65535').max(65535, 'expected a port number between 0 and 65535').optional(),
  METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  METRICS_TOKEN: z.string().min(16, 'expected at least 16 characters (a long random string)').regex(/^\S+$/, 'expected no spaces').optional(),
  // The monthly message quota: proactive pushes wait while fewer than this many messages are left.
  LINE_QUOTA_RESERVE: z.coerce.number({ message: 'expected a whole number of messages' }).int('expected a whole number of messages').min(0, 'expected 0 or more messages').default(20),
  LINE_QUOTA_CHECK_MINUTES: z.coerce.number({ message: 'expected a number of minutes' }).int('expected a whole number of minutes').min(1, 'expected at least 1 minute').max(1440, 'expected at most 1440 minutes (a day)').default(15),
  // Optional LINE niceties (docs in the README): the loading animation, and mark-as-read for chat mode.
  LINE_LOADING_ANIMATION: boolFromEnv.optional(),
  LINE_MARK_AS_READ: boolFromEnv.optional(),
  DRAIN_TIMEOUT_SECONDS: z.coerce.number({ message: 'expected a number of seconds' }).int('expected a whole number of seconds').min(1, 'expected at least 1 second').max(600, 'expected at most 600 seconds').default(10),
});

export type Env = z.infer<typeof envSchema>;
