import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

// Anything that could carry a credential is censored wherever it appears in a log object.
export const REDACT_PATHS = [
  'channelSecret',
  'channelAccessToken',
  '*.channelSecret',
  '*.channelAccessToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.*.headers.authorization',
  'headers["x-line-signature"]',
  '*.headers["x-line-signature"]',
  'config.line',
];

export interface LoggerOptions {
  level: string;
  pretty: boolean;
  /** Where JSON lines go; tests pass a capturing stream. Defaults to stdout. */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const base = {
    level: opts.level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { app: 'akari' },
  };
  if (opts.destination) return pino(base, opts.destination);
  if (opts.pretty) return pino(base, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,app' }));
  return pino(base);
}
