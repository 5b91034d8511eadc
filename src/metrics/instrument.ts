/** Wrappers that time and count what passes through the store and the LINE gateway. */
import { LineApiError, type LineGateway } from '../line/gateway.ts';
import type { Store } from '../store/ports.ts';
import type { Metrics } from './metrics.ts';

const WRITES = ['acceptEvents', 'commitTurn', 'recordInboxFailure', 'markReplyAttempted', 'markPushAttempted', 'markOutboxSent', 'markOutboxFailed', 'cancelOutbox', 'fireTimer', 'rescheduleTimer', 'cancelTimer', 'pruneFinished'] as const;

/** The store, with each write timed until it is durable (akari_store_commit_duration_seconds). */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  const timed: Partial<Store> = {};
  for (const name of WRITES) {
    const original = store[name] as (...args: unknown[]) => Promise<unknown>;
    (timed as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      const started = performance.now();
      try {
        return await original.apply(store, args);
      } finally {
        metrics.storeWrite(name, (performance.now() - started) / 1000);
      }
    };
  }
  return Object.assign(Object.create(store) as Store, timed);
}

/** The status LINE answered (as a label): 200, 409, 429, 500…, or timeout/network when none came. */
export function lineStatusOf(err: unknown): string {
  if (err instanceof LineApiError) return err.details.status !== undefined ? String(err.details.status) : err.kind === 'timeout' ? 'timeout' : 'network';
  const status = (err as { status?: unknown } | undefined)?.status;
  return typeof status === 'number' ? String(status) : 'network';
}

/** The gateway, with every reply and push counted by LINE's status code (akari_line_requests_total). */
export function instrumentGateway(gateway: LineGateway, metrics: Metrics): LineGateway {
  return {
    ...gateway,
    async reply(replyToken, messages) {
      try {
        await gateway.reply(replyToken, messages);
        metrics.lineRequest('reply', '200');
      } catch (err) {
        metrics.lineRequest('reply', lineStatusOf(err));
        throw err;
      }
    },
    async push(to, messages, retryKey) {
      try {
        const result = await gateway.push(to, messages, retryKey);
        metrics.lineRequest('push', result === 'alreadySent' ? '409' : '200');
        return result;
      } catch (err) {
        metrics.lineRequest('push', lineStatusOf(err));
        throw err;
      }
    },
  };
}
