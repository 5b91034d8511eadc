import type { Logger } from '../log/create-logger.ts';
import { eventLogger, type EventLogger } from '../log/event-logger.ts';
import type { Clock } from '../time/clock.ts';
import type { OutboxBatch, Store } from '../store/ports.ts';
import { backoffDelay, sleep, type BackoffPolicy } from '../util/backoff.ts';
import { createKeyedQueue } from '../util/keyed-queue.ts';
import { isQuiet, nextAllowedPushTime, type QuietHoursOptions } from '../time/quiet-hours.ts';
import { LineApiError, toLineApiError, type LineGateway, type PushResult } from './gateway.ts';

export interface OutboxSenderOptions {
  store: Store;
  gateway: LineGateway;
  clock: Clock;
  log: Logger;
  replyTokenMaxAgeMs: number;
  /** Proactive pushes (from timers) never go out in quiet hours; held ones go when they end. */
  quietHours?: QuietHoursOptions;
  /** Backoff between tries (maxAttempts is not used: see maxRetryAgeMs). */
  retry?: Pick<BackoffPolicy, 'baseMs' | 'maxMs'> & { maxAttempts?: number };
  /** A batch LINE keeps failing (429, 5xx, network, timeout) is retried until it is this old (default 24 h). */
  maxRetryAgeMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Why proactive pushes must wait now (the message quota is under its reserve), if they must. */
  holdProactive?: () => string | undefined;
  /** Told each step a batch takes (metrics: akari_sends_total). */
  onSend?: (via: 'reply' | 'push', result: SendStep) => void;
}

/** sent · already_sent (409: LINE had it) · fallback_to_push (the reply failed) · retry · failed (given up) · held (quiet hours, quota). */
export type SendStep = 'sent' | 'already_sent' | 'fallback_to_push' | 'retry' | 'failed' | 'held';

export interface OutboxSender {
  /** Sends the user's pending batches, in order. Resolves when they are sent or given up on. */
  flush(userId: string): Promise<void>;
  /** Sends every pending batch (at start-up: what a crash left unsent). */
  flushAll(): Promise<void>;
  idle(): Promise<void>;
  /** Ends the waits between retries: what is still unsent stays pending for the next start. */
  stop(): void;
}

/** What every log line about a batch carries: the batch, its user and the event it answers. */
function batchBindings(batch: OutboxBatch): Record<string, string> {
  return { batchId: batch.id, userId: batch.userId, ...(batch.eventId ? { webhookEventId: batch.eventId } : {}) };
}

export const DEFAULT_SEND_RETRY: Pick<BackoffPolicy, 'baseMs' | 'maxMs'> = { baseMs: 500, maxMs: 60_000 };
/** LINE keeps an X-Line-Retry-Key for 24 h: retrying longer could deliver a push twice. */
export const MAX_SEND_RETRY_AGE_MS = 24 * 60 * 60_000;
/**
 * A proactive push still unsent this long after it was written was held (quiet hours) or left by
 * a restart: before its first attempt, it is checked against what the user has done since
 * (see `superseded`).
 */
const LATE_PUSH_MS = 60_000;
/** Recording a delivered batch as sent: a few quick tries before it is left to the next flush. */
const MARK_RETRY: BackoffPolicy = { maxAttempts: 4, baseMs: 100, maxMs: 2_000 };
/** Shared store: looks at a user whose batches another instance is sending, before leaving them to the sweep. */
const SEND_LOCK_TRIES = 50;

export function createOutboxSender(opts: OutboxSenderOptions): OutboxSender {
  const log = opts.log.child({ module: 'outbox' });
  const retry = opts.retry ?? DEFAULT_SEND_RETRY;
  const wait = opts.sleep ?? sleep;
  const maxRetryAgeMs = Math.min(opts.maxRetryAgeMs ?? MAX_SEND_RETRY_AGE_MS, MAX_SEND_RETRY_AGE_MS);
  const queue = createKeyedQueue();
  const observe = (via: 'reply' | 'push', step: SendStep) => opts.onSend?.(via, step);
  let stopped = false;
  const wakers = new Set<() => void>();
  /** Users with a drain queued but not started: one is enough (it reads every pending batch). */
  const queued = new Set<string>();
  /** Batches this process delivered but could not yet record as sent: never sent again. */
  const deliveredUnrecorded = new Map<string, { via: 'reply' | 'push'; at: number }>();

  const tokenFresh = (b: OutboxBatch) =>
    b.replyToken !== undefined &&
    b.replyTokenAt !== undefined &&
    opts.clock.now().getTime() - b.replyTokenAt < opts.replyTokenMaxAgeMs;

  /**
   * Still to be sent? The user may have deleted their data (batch cancelled) since it was read.
   * Only the status can have changed meanwhile: the rest of a pending batch is written by this
   * user's sends alone, which run one at a time.
   */
  async function stillPending(batch: OutboxBatch): Promise<OutboxBatch | undefined> {
    return (await opts.store.outboxStatus(batch.id)) === 'pending' ? batch : undefined;
  }

  /**
   * `justRead`: the batch comes straight from the store, with nothing sent or awaited since, so a
   * second read could not be any more current. `verdicts`: see `superseded`.
   *
   * A failure LINE may recover from (429, 5xx, network, timeout) is retried with capped exponential
   * backoff for as long as the batch is younger than `maxRetryAgeMs`: the batch stays pending
   * meanwhile (a restart or the periodic sweep picks it up again). Only LINE refusing the batch
   * itself (400, 401/403, the monthly limit) or the age limit fails it, with one error line.
   */
  async function sendBatch(listed: OutboxBatch, justRead: boolean, verdicts: Map<string, boolean>): Promise<void> {
    const batch = justRead ? listed : await stillPending(listed);
    if (!batch) return;
    const blog = eventLogger(log, batchBindings(batch));
    if (heldForQuietHours(batch, blog)) return;
    if (await superseded(batch, blog, verdicts)) return;
    if (heldForQuota(batch, blog)) return;
    if (batch.attempts > 0 && tooOld(batch)) {
      // Tried before (it may have reached LINE) and older than the retry limit, which is at most
      // LINE's retry-key lifetime: another push could arrive twice, and the answer is stale anyway.
      await opts.store.markOutboxFailed(batch.id, 'too old to retry', true);
      observe('push', 'failed');
      blog.error({ attempts: batch.attempts, writtenAt: new Date(batch.createdAt).toISOString() }, 'giving up on a message batch: tried before and now too old to retry');
      return;
    }
    let attempt = 0;
    // A reply tried before a restart, or one whose answer was lost: it may have been delivered.
    let uncertain = batch.replyAttempted;
    while (tokenFresh(batch)) {
      attempt++;
      // Recorded first, so that after a crash we know a reply may already have gone out.
      await opts.store.markReplyAttempted(batch.id);
      const failure = await opts.gateway.reply(batch.replyToken!, batch.messages).then(
        () => undefined,
        (err: unknown) => toLineApiError(err, 'reply'),
      );
      if (!failure) {
        observe('reply', 'sent');
        await recordSent(batch, 'reply', blog);
        blog.debug({ messages: batch.messages.length, attempt }, 'replied');
        return;
      }
      if (failure.kind === 'invalidReplyToken') {
        if (uncertain) {
          // The token is still young, so LINE refusing it means an earlier attempt of ours used it.
          observe('reply', 'already_sent');
          await recordSent(batch, 'reply', blog);
          blog.warn({ requestId: failure.details.requestId, attempt }, 'reply token already used by an earlier attempt whose answer was lost; counted as sent');
          return;
        }
        blog.warn({ kind: failure.kind, status: failure.details.status, requestId: failure.details.requestId }, 'reply failed; falling back to push');
        break;
      }
      if (!failure.retryable) {
        observe('reply', 'failed');
        await failForGood(batch, failure, blog);
        return;
      }
      if (failure.outcome === 'unknown') uncertain = true;
      const delay = retryDelay(failure, attempt);
      blog.warn(
        { kind: failure.kind, status: failure.details.status, requestId: failure.details.requestId, outcome: failure.outcome, attempt, delayMs: delay },
        'reply failed; trying the same token again while it is fresh',
      );
      observe('reply', 'retry');
      if (!(await pause(batch, delay, blog))) return;
    }
    if (uncertain && batch.replyToken !== undefined) {
      // The one window left (README): no retry could settle whether LINE took the reply before the
      // token aged, so the push may deliver it a second time; a loss would be worse.
      blog.warn('a reply whose outcome is unknown could not be settled before its token aged; sending it by push');
    }
    // A reply was tried (refused, or retried until its token aged): the push below delivers it.
    if (attempt > 0) observe('reply', 'fallback_to_push');
    if (batch.proactive && batch.attempts === 0 && !(await recordPushStart(batch, blog))) return;
    for (;;) {
      attempt++;
      let result: PushResult;
      try {
        result = await opts.gateway.push(batch.userId, batch.messages, batch.id);
      } catch (err) {
        const e = err instanceof LineApiError ? err : toLineApiError(err, 'push');
        if (!e.retryable) {
          observe('push', 'failed');
          await failForGood(batch, e, blog);
          return;
        }
        if (tooOld(batch)) {
          observe('push', 'failed');
          await opts.store.markOutboxFailed(batch.id, e.message, true);
          blog.error(
            { kind: e.kind, status: e.details.status, requestId: e.details.requestId, attempt, body: e.details.body, writtenAt: new Date(batch.createdAt).toISOString() },
            'giving up on a message batch: LINE still fails it and it is too old to send',
          );
          return;
        }
        await opts.store.markOutboxFailed(batch.id, e.message, false);
        observe('push', 'retry');
        const delay = retryDelay(e, attempt);
        blog.warn({ kind: e.kind, status: e.details.status, requestId: e.details.requestId, attempt, delayMs: delay }, 'push failed; retrying');
        if (!(await pause(batch, delay, blog))) return;
        if (heldForQuietHours(batch, blog)) return;
        continue;
      }
      observe('push', result === 'alreadySent' ? 'already_sent' : 'sent');
      await recordSent(batch, 'push', blog);
      blog.debug({ result, attempt }, 'pushed');
      return;
    }
  }

  function retryDelay(e: LineApiError, attempt: number): number {
    return Math.max(backoffDelay(retry, attempt), e.details.retryAfterMs ?? 0);
  }

  const tooOld = (b: OutboxBatch) => opts.clock.now().getTime() - b.createdAt >= maxRetryAgeMs;

  /** LINE refused the batch itself: no retry can help. One error line with what LINE said. */
  async function failForGood(batch: OutboxBatch, e: LineApiError, blog: EventLogger): Promise<void> {
    await opts.store.markOutboxFailed(batch.id, e.message, true);
    blog.error(
      { kind: e.kind, status: e.details.status, requestId: e.details.requestId, body: e.details.body, error: e.message },
      e.kind === 'unauthorized'
        ? 'LINE refused the channel access token; not retrying'
        : e.kind === 'quotaExceeded'
          ? 'LINE refused the batch: the monthly message limit is reached; not retrying'
          : 'LINE refused the batch; not retrying',
    );
  }

  /**
   * Waits before a retry. False when the retry should not happen: the sender is stopping (the batch
   * stays pending for the next start) or the batch was cancelled meanwhile (data deleted).
   */
  async function pause(batch: OutboxBatch, ms: number, blog: EventLogger): Promise<boolean> {
    await interruptibleWait(ms);
    if (stopped) {
      blog.info('stopping: the batch stays pending and is sent after the next start');
      return false;
    }
    if (!(await stillPending(batch))) {
      blog.info('batch cancelled while waiting to retry (the user’s data was deleted); not sent');
      return false;
    }
    return true;
  }

  function interruptibleWait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        wakers.delete(wake);
        resolve();
      };
      wakers.add(wake);
      void wait(ms).then(wake);
    });
  }

  /**
   * Recorded before the first try: a crash before LINE's answer leaves a push that may have gone
   * out, which `superseded` must then not cancel (its retry key settles it instead). False: the
   * batch was cancelled meanwhile (data deletion, unfollow), so it is not sent. If the store
   * can't write it, the push goes ahead unrecorded rather than leave the turn half sent.
   */
  async function recordPushStart(batch: OutboxBatch, blog: EventLogger): Promise<boolean> {
    try {
      if (await opts.store.markPushAttempted(batch.id)) return true;
      blog.info('batch cancelled before its first try (data deletion or unfollow); not sent');
      return false;
    } catch (err) {
      blog.warn({ err }, 'could not record the start of a push; sending it anyway');
      return true;
    }
  }

  /**
   * A proactive push waits (stays pending) while the quota is short; the outbox sweep tries it
   * again. Answers to the user go out whatever the quota: a reply costs none, and a push that
   * answers a stale token is what the reserve is kept for. Said once per batch at info.
   */
  const quotaHeldLogged = new Set<string>();
  function heldForQuota(batch: OutboxBatch, blog: EventLogger): boolean {
    if (!batch.proactive || !opts.holdProactive) return false;
    const reason = opts.holdProactive();
    if (!reason) {
      // The hold is over (for every batch): a later one is said again.
      quotaHeldLogged.clear();
      return false;
    }
    const first = !quotaHeldLogged.has(batch.id);
    quotaHeldLogged.add(batch.id);
    blog[first ? 'info' : 'debug']({ reason }, 'push held: message quota under the reserve; it goes out when there is quota again');
    observe('push', 'held');
    return true;
  }

  /**
   * A proactive push that was delayed (failures, retries, a restart) into quiet hours stays pending:
   * the outbox sweep sends it when they end. Answers to the user's own messages are never held.
   */
  function heldForQuietHours(batch: OutboxBatch, blog: EventLogger): boolean {
    if (!batch.proactive) return false;
    const now = opts.clock.now();
    if (!isQuiet(now, opts.quietHours)) return false;
    blog.info({ until: nextAllowedPushTime(now, opts.quietHours).toISOString() }, 'push held: quiet hours; it goes out when they end');
    observe('push', 'held');
    return true;
  }

  /**
   * A proactive push written for a moment that has passed: it waited (quiet hours, a restart) and
   * meanwhile the user sent Akari a message or a tap. Sent now it would ask about something the
   * conversation has left behind, so it is cancelled instead. Only a push with no try on record
   * (started or failed): one that may have reached LINE goes on with its retry key (a 409 then
   * settles it). A push sent within LATE_PUSH_MS of being written is never second-guessed.
   *
   * The batches of one timer turn (more than five messages make several) go together: the verdict
   * on the first one listed in this flush holds for the rest (`verdicts`, by event id), and a turn
   * with a batch already tried or sent (a crash between them) is finished, so a user never gets
   * half of one.
   */
  async function superseded(batch: OutboxBatch, blog: EventLogger, verdicts: Map<string, boolean>): Promise<boolean> {
    if (!batch.proactive || !batch.eventId) return false;
    let cancel = verdicts.get(batch.eventId);
    if (cancel === undefined) {
      // `attempts` counts every try on record (see OutboxBatch): 0 means none was ever started.
      cancel =
        batch.attempts === 0 &&
        opts.clock.now().getTime() - batch.createdAt >= LATE_PUSH_MS &&
        !(await opts.store.pushTurnStarted(batch.userId, batch.eventId)) &&
        (await opts.store.hasNewerUserEvent(batch.userId, batch.eventId));
      verdicts.set(batch.eventId, cancel);
    }
    if (!cancel) return false;
    await opts.store.cancelOutbox(batch.id, 'not sent: the user wrote while this push waited');
    blog.info({ writtenAt: new Date(batch.createdAt).toISOString() }, 'delayed push not sent: the user has written to Akari since');
    return true;
  }

  /**
   * The messages are out: record it. A store failure here must not look like a failed delivery (a
   * reply would be pushed again), so the mark is retried, and if it still can't be written, this
   * process remembers the batch as delivered and never sends it again; the next flush records it.
   */
  async function recordSent(batch: OutboxBatch, via: 'reply' | 'push', blog: EventLogger): Promise<void> {
    const at = opts.clock.now().getTime();
    for (let attempt = 1; ; attempt++) {
      try {
        await opts.store.markOutboxSent(batch.id, via, at);
        return;
      } catch (err) {
        if (attempt >= MARK_RETRY.maxAttempts) {
          deliveredUnrecorded.set(batch.id, { via, at });
          blog.error({ err, via }, 'delivered, but could not record it as sent; it will not be sent again');
          return;
        }
        await wait(backoffDelay(MARK_RETRY, attempt));
      }
    }
  }

  async function drain(userId: string): Promise<void> {
    const batches = await opts.store.pendingOutbox(userId);
    const verdicts = new Map<string, boolean>();
    for (const [i, batch] of batches.entries()) {
      const delivered = deliveredUnrecorded.get(batch.id);
      if (delivered) {
        // Already out: only the record is missing (and the rest of its turn's batches go too).
        if (batch.eventId) verdicts.set(batch.eventId, false);
        try {
          await opts.store.markOutboxSent(batch.id, delivered.via, delivered.at);
          deliveredUnrecorded.delete(batch.id);
        } catch (err) {
          log.error({ err, ...batchBindings(batch) }, 'still cannot record a delivered batch as sent');
        }
        continue;
      }
      try {
        // Later batches wait for the ones before them: the user may have deleted their data meanwhile.
        await sendBatch(batch, i === 0, verdicts);
      } catch (err) {
        // A store failure here must not stop the user's other batches or other users.
        log.error({ err, ...batchBindings(batch) }, 'could not send a batch');
      }
    }
  }

  /**
   * A drain per user at a time, and at most one more queued behind it: during an outage a drain
   * waits between retries, and the sweep must not pile up drains behind it.
   */
  const pendingDrains = new Map<string, Promise<void>>();
  function schedule(userId: string): Promise<void> {
    const waiting = pendingDrains.get(userId);
    if (waiting && queued.has(userId)) return waiting;
    queued.add(userId);
    const run = queue.run(userId, () => {
      queued.delete(userId);
      return stopped ? Promise.resolve() : drainExclusive(userId);
    });
    pendingDrains.set(userId, run);
    void run.then(
      () => pendingDrains.get(userId) === run && pendingDrains.delete(userId),
      () => pendingDrains.get(userId) === run && pendingDrains.delete(userId),
    );
    return run;
  }

  /**
   * On a shared store, one instance at a time sends a user's batches (in order, each once). When
   * another holds the user, it may have listed the batches before ours was committed: look again
   * shortly, until the user has nothing pending or the lock is ours (the sweep is the backstop).
   */
  async function drainExclusive(userId: string): Promise<void> {
    const shared = opts.store.shared;
    if (!shared) return drain(userId);
    for (let attempt = 1; ; attempt++) {
      if ((await shared.withUserSend(userId, () => drain(userId))).locked) return;
      if (attempt >= SEND_LOCK_TRIES) {
        log.debug({ userId }, 'another instance keeps sending to this user; the sweep looks again');
        return;
      }
      await wait(Math.min(200, 10 * attempt));
      if ((await opts.store.pendingOutbox(userId)).length === 0) return;
    }
  }

  return {
    flush: (userId) => schedule(userId),
    async flushAll() {
      const users = new Set((await opts.store.pendingOutbox()).map((b) => b.userId));
      await Promise.all([...users].map((u) => schedule(u)));
    },
    idle: () => queue.idle(),
    stop() {
      stopped = true;
      for (const wake of [...wakers]) wake();
    },
  };
}
