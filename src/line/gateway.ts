import { HTTPFetchError, messagingApi } from '@line/bot-sdk';

export type LineErrorKind =
  | 'invalidReplyToken'
  | 'rateLimited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'unauthorized'
  /** 429 "You have reached your monthly limit.": no retry helps before the month (or the plan) changes. */
  | 'quotaExceeded'
  | 'rejected';

/**
 * Did the failed request reach LINE? `notSent`: LINE answered with an error, or the connection was
 * never made, so nothing was delivered. `unknown`: the request may have been taken (a timeout, a
 * connection lost after the request was written): only a retry can tell.
 */
export type DeliveryOutcome = 'notSent' | 'unknown';

/** Connection errors that happen before any byte of the request reaches the other side. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** A failed call to LINE, with what is needed to decide on a retry and to find it in LINE's logs. */
export class LineApiError extends Error {
  constructor(
    message: string,
    readonly kind: LineErrorKind,
    readonly details: { status?: number; requestId?: string; retryAfterMs?: number; body?: string; outcome?: DeliveryOutcome } = {},
  ) {
    super(message);
    this.name = 'LineApiError';
  }
  /** A timeout or a lost connection may have delivered the messages; an answer from LINE did not. */
  get outcome(): DeliveryOutcome {
    return this.details.outcome ?? (this.kind === 'timeout' || this.kind === 'network' ? 'unknown' : 'notSent');
  }
  get retryable(): boolean {
    return this.kind === 'rateLimited' || this.kind === 'server' || this.kind === 'network' || this.kind === 'timeout';
  }
}

export type PushResult = 'sent' | 'alreadySent';

/** The port the rest of Akari sends through; tests and local mode point it at a fake platform. */
export interface LineGateway {
  reply(replyToken: string, messages: unknown[]): Promise<void>;
  /** `retryKey` goes out as X-Line-Retry-Key: LINE answers 409 to a key it has already accepted. */
  push(to: string, messages: unknown[], retryKey: string): Promise<PushResult>;
}

export interface LineGatewayOptions {
  channelAccessToken: string;
  apiBaseUrl: string;
  timeoutMs?: number;
}

/**
 * LINE's error answer as a LineApiError: the kind decides whether it is retried; status, request id,
 * Retry-After and the body's start go along for the log. Shared by both gateways.
 */
export function lineHttpError(
  operation: string,
  status: number,
  body: string,
  header: (name: string) => string | null | undefined,
): LineApiError {
  const requestId = header('x-line-request-id') ?? undefined;
  const retryAfter = Number(header('retry-after'));
  const details = {
    status,
    ...(requestId ? { requestId } : {}),
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
    body: body.slice(0, 500),
  };
  const kind: LineErrorKind =
    status === 429
      ? /monthly limit/i.test(body)
        ? 'quotaExceeded'
        : 'rateLimited'
      : status >= 500
        ? 'server'
        : status === 401 || status === 403
          ? 'unauthorized'
          : operation === 'reply' && status === 400 && /reply token/i.test(body)
            ? 'invalidReplyToken'
            : 'rejected';
  return new LineApiError(`LINE ${operation} failed with ${status}: ${summarise(body)}`, kind, details);
}

export function toLineApiError(err: unknown, operation: string): LineApiError {
  if (err instanceof LineApiError) return err;
  if (err instanceof HTTPFetchError) {
    return lineHttpError(operation, err.status, err.body, (name) => err.headers.get(name));
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = networkCode(err);
  const outcome: DeliveryOutcome = code !== undefined && NOT_CONNECTED.has(code) ? 'notSent' : 'unknown';
  return new LineApiError(`LINE ${operation} failed: ${message}${code ? ` (${code})` : ''}`, 'network', { outcome });
}

/** fetch wraps the socket's error: `TypeError('fetch failed', { cause: { code } })`, sometimes twice. */
function networkCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 4 && e && typeof e === 'object'; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function summarise(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string; details?: Array<{ message?: string; property?: string }> };
    const details = (parsed.details ?? []).map((d) => `${d.property ?? ''} ${d.message ?? ''}`.trim()).join('; ');
    return [parsed.message, details].filter(Boolean).join(' — ') || body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LineApiError(`LINE ${operation} timed out after ${ms} ms`, 'timeout')), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function createLineGateway(opts: LineGatewayOptions): LineGateway {
  const client = new messagingApi.MessagingApiClient({
    channelAccessToken: opts.channelAccessToken,
    baseURL: opts.apiBaseUrl,
  });
  const timeoutMs = opts.timeoutMs ?? 10_000;
  return {
    async reply(replyToken, messages) {
      try {
        await withTimeout(
          client.replyMessage({ replyToken, messages: messages as messagingApi.Message[] }),
          timeoutMs,
          'reply',
        );
      } catch (err) {
        throw toLineApiError(err, 'reply');
      }
    },
    async push(to, messages, retryKey) {
      try {
        await withTimeout(client.pushMessage({ to, messages: messages as messagingApi.Message[] }, retryKey), timeoutMs, 'push');
        return 'sent';
      } catch (err) {
        // 409: this retry key was already accepted, so the messages were delivered once already.
        if (err instanceof HTTPFetchError && err.status === 409) return 'alreadySent';
        throw toLineApiError(err, 'push');
      }
    },
  };
}
