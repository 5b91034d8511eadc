import type { Logger } from '../log/create-logger.ts';
import type { Clock } from '../time/clock.ts';
import type { OutboxBatch, Store } from '../store/ports.ts';
import { backoffDelay, sleep, type BackoffPolicy } from '../util/backoff.ts';
import { createKeyedQueue } from '../util/keyed-queue.ts';
import { LineApiError, toLineApiError, type LineGateway } from './gateway.ts';

export interface OutboxSenderOptions {
  store: Store;
  gateway: LineGateway;
  clock: Clock;
  log: Logger;
  replyTokenMaxAgeMs: number;
  retry?: BackoffPolicy;
  sleep?: (ms: number) => Promise<void>;
}

export interface OutboxSender {
  /** Sends the user's pending batches, in order. Resolves when they are sent or given up on. */
  flush(userId: string): Promise<void>;
  /** Sends every pending batch (at start-up: what a crash left unsent). */
  flushAll(): Promise<void>;
  idle(): Promise<void>;
}

/** What every log line about a batch carries: the batch, its user and the event it answers. */
function batchBindings(batch: OutboxBatch): Record<string, string> {
  return { batchId: batch.id, userId: batch.userId, ...(batch.eventId ? { webhookEventId: batch.eventId } : {}) };
}

export const DEFAULT_SEND_RETRY: BackoffPolicy = { maxAttempts: 6, baseMs: 500, maxMs: 30_000 };

export function createOutboxSender(opts: OutboxSenderOptions): OutboxSender {
  const log = opts.log.child({ module: 'outbox' });
  const retry = opts.retry ?? DEFAULT_SEND_RETRY;
  const wait = opts.sleep ?? sleep;
  const queue = createKeyedQueue();

  const tokenFresh = (b: OutboxBatch) =>
    b.replyToken !== undefined &&
    b.replyTokenAt !== undefined &&
    opts.clock.now().getTime() - b.replyTokenAt < opts.replyTokenMaxAgeMs;

  /** Still to be sent? The user may have deleted their data (batch cancelled) since it was read. */
  async function stillPending(id: string): Promise<OutboxBatch | undefined> {
    const current = await opts.store.getOutbox(id);
    return current?.status === 'pending' ? current : undefined;
  }

  /**
   * `justRead`: the batch comes straight from the store, with nothing sent or awaited since, so a
   * second read could not be any more current.
   */
  async function sendBatch(listed: OutboxBatch, justRead: boolean): Promise<void> {
    const batch = justRead ? listed : await stillPending(listed.id);
    if (!batch) return;
    const blog = log.child(batchBindings(batch));
    if (tokenFresh(batch)) {
      // Recorded first, so that after a crash we know a reply may already have gone out.
      const resumed = batch.replyAttempted;
      await opts.store.markReplyAttempted(batch.id);
      try {
        await opts.gateway.reply(batch.replyToken!, batch.messages);
        await opts.store.markOutboxSent(batch.id, 'reply', opts.clock.now().getTime());
        blog.debug({ messages: batch.messages.length }, 'replied');
        return;
      } catch (err) {
        const e = toLineApiError(err, 'reply');
        if (resumed && e.kind === 'invalidReplyToken') {
          // The token is still young, so LINE refusing it means our attempt before the crash used it.
          await opts.store.markOutboxSent(batch.id, 'reply', opts.clock.now().getTime());
          blog.warn({ requestId: e.details.requestId }, 'reply token already used by the attempt before a restart; counted as sent');
          return;
        }
        if (e.kind === 'unauthorized') {
          blog.error({ status: e.details.status, requestId: e.details.requestId }, 'LINE refused the channel access token; not retrying');
          await opts.store.markOutboxFailed(batch.id, e.message, true);
          return;
        }
        // Any other failure: the push below, keyed by the batch id, delivers it exactly once.
        blog.warn({ kind: e.kind, status: e.details.status, requestId: e.details.requestId }, 'reply failed; falling back to push');
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await opts.gateway.push(batch.userId, batch.messages, batch.id);
        await opts.store.markOutboxSent(batch.id, 'push', opts.clock.now().getTime());
        blog.debug({ result, attempt }, 'pushed');
        return;
      } catch (err) {
        const e = err instanceof LineApiError ? err : toLineApiError(err, 'push');
        const final = !e.retryable || attempt >= retry.maxAttempts;
        await opts.store.markOutboxFailed(batch.id, e.message, final);
        if (final) {
          blog.error(
            { kind: e.kind, status: e.details.status, requestId: e.details.requestId, attempt, error: e.message },
            'giving up on sending a message batch',
          );
          return;
        }
        const delay = Math.max(backoffDelay(retry, attempt), e.details.retryAfterMs ?? 0);
        blog.warn({ kind: e.kind, status: e.details.status, requestId: e.details.requestId, attempt, delayMs: delay }, 'push failed; retrying');
        await wait(delay);
        if (!(await stillPending(batch.id))) {
          blog.info('batch cancelled while waiting to retry (the user’s data was deleted); not sent');
          return;
        }
      }
    }
  }

  async function drain(userId: string): Promise<void> {
    const batches = await opts.store.pendingOutbox(userId);
    for (const [i, batch] of batches.entries()) {
      try {
        // Later batches wait for the ones before them: the user may have deleted their data meanwhile.
        await sendBatch(batch, i === 0);
      } catch (err) {
        // A store failure here must not stop the user's other batches or other users.
        log.error({ err, ...batchBindings(batch) }, 'could not send a batch');
      }
    }
  }

  return {
    flush: (userId) => queue.run(userId, () => drain(userId)),
    async flushAll() {
      const users = new Set((await opts.store.pendingOutbox()).map((b) => b.userId));
      await Promise.all([...users].map((u) => queue.run(u, () => drain(u))));
    },
    idle: () => queue.idle(),
  };
}
