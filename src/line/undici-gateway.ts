/**
 * The lean LINE gateway: reply and push over undici's `request()` on one keep-alive pool.
 *
 * Why not the SDK's MessagingApiClient: it sends through WHATWG `fetch`, whose per-call CPU cost on
 * Node 20 is several times that of undici's `request()` on a kept-alive connection, and replies and
 * pushes are the one LINE call Akari makes per event. The SDK stays for its types, the webhook
 * signature middleware and the rarely called endpoints (rich menus, profiles, quota).
 *
 * Same contract as the SDK gateway (`createLineGateway`): the same URLs and headers, the retry key as
 * `X-Line-Retry-Key`, 409 on a push = already sent, and every failure mapped to `LineApiError` by the
 * same rules (`lineHttpError`), with status, `x-line-request-id`, Retry-After and the body.
 */
import { Pool, errors } from 'undici';
import type { Dispatcher } from 'undici';
import { LineApiError, lineHttpError, type LineGateway, type LineGatewayOptions } from './gateway.ts';

export interface UndiciLineGatewayOptions extends LineGatewayOptions {
  /** Parallel connections to LINE (default 16). */
  connections?: number;
}

export interface ClosableLineGateway extends LineGateway {
  /** Lets requests in flight finish, then closes the pool's connections. */
  close(): Promise<void>;
  /** Closes the pool's connections at once; requests in flight fail (a drain that ran out of time). */
  destroy(): Promise<void>;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function headerOf(headers: Dispatcher.ResponseData['headers']): (name: string) => string | undefined {
  return (name) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
}

function failure(err: unknown, operation: string, timeoutMs: number): LineApiError {
  if (err instanceof LineApiError) return err;
  const code = err instanceof errors.UndiciError ? err.code : (err as { code?: unknown } | null)?.code;
  // No connection, no request: nothing can have reached LINE. Anything later may have (see DeliveryOutcome).
  const outcome = typeof code === 'string' && NOT_CONNECTED_CODES.has(code) ? 'notSent' : 'unknown';
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) {
    return new LineApiError(`LINE ${operation} timed out after ${timeoutMs} ms (${code})`, 'timeout', { outcome });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new LineApiError(`LINE ${operation} failed: ${message}${typeof code === 'string' ? ` (${code})` : ''}`, 'network', { outcome });
}

export function createUndiciLineGateway(opts: UndiciLineGatewayOptions): ClosableLineGateway {
  const base = new URL(opts.apiBaseUrl);
  const timeoutMs = opts.timeoutMs ?? 10_000;
  // Like the SDK (`new URL('/v2/…', baseURL)`): the path of the base URL is not kept.
  const pool = new Pool(base.origin, {
    connections: opts.connections ?? 16,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: timeoutMs },
  });
  const authorization = `Bearer ${opts.channelAccessToken}`;

  async function post(operation: string, path: string, payload: unknown, retryKey?: string): Promise<number> {
    const headers: Record<string, string> = { authorization, 'content-type': 'application/json' };
    if (retryKey !== undefined) headers['x-line-retry-key'] = retryKey;
    let response: Dispatcher.ResponseData;
    try {
      response = await pool.request({ method: 'POST', path, headers, body: JSON.stringify(payload) });
    } catch (err) {
      throw failure(err, operation, timeoutMs);
    }
    const { statusCode, body } = response;
    if (statusCode < 300) {
      // Drain the answer ({ sentMessages }): the connection goes back to the pool only once it is read.
      await body.dump().catch(() => undefined);
      return statusCode;
    }
    let text = '';
    try {
      text = await body.text();
    } catch (err) {
      // The status is known; a body cut short doesn't change what it means.
      text = err instanceof Error ? err.message : '';
    }
    if (operation === 'push' && statusCode === 409) return statusCode;
    throw lineHttpError(operation, statusCode, text, headerOf(response.headers));
  }

  return {
    async reply(replyToken, messages) {
      await post('reply', '/v2/bot/message/reply', { replyToken, messages });
    },
    async push(to, messages, retryKey) {
      const status = await post('push', '/v2/bot/message/push', { to, messages }, retryKey);
      // 409: this retry key was already accepted, so the messages were delivered once already.
      return status === 409 ? 'alreadySent' : 'sent';
    },
    async close() {
      await pool.close();
    },
    async destroy() {
      await pool.destroy();
    },
  };
}
