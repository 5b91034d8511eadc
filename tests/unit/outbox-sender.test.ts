import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LineApiError, type LineGateway, type PushResult } from '../../src/line/gateway.ts';
import { createOutboxSender, type OutboxSenderOptions } from '../../src/line/outbox-sender.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import type { NewOutboxBatch, Store } from '../../src/store/ports.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import { createFakeClock, type FakeClock } from '../../src/time/clock.ts';
import type { BackoffPolicy } from '../../src/util/backoff.ts';
import { createLogCapture, waitFor } from '../support/harness.ts';

const ALICE = 'Ualice';
const BOB = 'Ubob';
const MAX_AGE_MS = 50_000;
const RETRY: BackoffPolicy = { maxAttempts: 4, baseMs: 100, maxMs: 1000 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Outcome = 'ok' | 'alreadySent' | Error;
interface Call {
  op: 'reply' | 'push';
  replyToken?: string;
  to?: string;
  retryKey?: string;
  messages: unknown[];
}

/** A LineGateway that answers from a script (default: success) and records every call. */
function createScriptedGateway() {
  const calls: Call[] = [];
  const script = { reply: [] as Outcome[], push: [] as Outcome[] };
  let beforePush: ((to: string) => void | Promise<void>) | undefined;
  const gateway: LineGateway = {
    async reply(replyToken, messages) {
      calls.push({ op: 'reply', replyToken, messages });
      const outcome = script.reply.shift() ?? 'ok';
      if (outcome instanceof Error) throw outcome;
    },
    async push(to, messages, retryKey): Promise<PushResult> {
      await beforePush?.(to);
      calls.push({ op: 'push', to, retryKey, messages });
      const outcome = script.push.shift() ?? 'ok';
      if (outcome instanceof Error) throw outcome;
      return outcome === 'alreadySent' ? 'alreadySent' : 'sent';
    },
  };
  return {
    gateway,
    calls,
    script,
    onPush(fn: (to: string) => void | Promise<void>) {
      beforePush = fn;
    },
  };
}

const invalidReplyToken = () => new LineApiError('LINE reply failed with 400: Invalid reply token', 'invalidReplyToken', { status: 400, requestId: 'req-invalid' });
const serverError = (n = 1) => new LineApiError('LINE push failed with 503', 'server', { status: 503, requestId: `req-503-${n}` });

let idCounter = 0;
const batchId = () => `00000000-0000-4000-8000-${String(++idCounter).padStart(12, '0')}`;

describe('outbox sender', () => {
  let store: Store;
  let clock: FakeClock;
  let logs: ReturnType<typeof createLogCapture>;
  let line: ReturnType<typeof createScriptedGateway>;
  let sleeps: number[];

  beforeEach(() => {
    store = createSqliteStore('file::memory:');
    clock = createFakeClock('2026-12-01T10:00:00+09:00');
    logs = createLogCapture();
    line = createScriptedGateway();
    sleeps = [];
  });
  afterEach(async () => {
    await store.close();
  });

  function sender(extra: Partial<OutboxSenderOptions> = {}) {
    return createOutboxSender({
      store,
      gateway: line.gateway,
      clock,
      log: createLogger({ level: 'debug', pretty: false, destination: logs.stream }),
      replyTokenMaxAgeMs: MAX_AGE_MS,
      retry: RETRY,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      ...extra,
    });
  }

  /** A sender whose waits move the fake clock on (as if they had been waited out). */
  const clockMovingSender = () =>
    sender({
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
    });

  /** Commits a batch answering an event received `ageMs` ago (with a reply token), or a push without one. */
  async function commitBatch(userId: string, opts: { ageMs?: number; replyToken?: string | null; proactive?: boolean; text?: string; eventId?: string } = {}) {
    const now = clock.now().getTime();
    const b: NewOutboxBatch = {
      id: batchId(),
      userId,
      ...(opts.eventId ? { eventId: opts.eventId } : {}),
      messages: [{ type: 'text', text: opts.text ?? 'お返事' }],
      proactive: opts.proactive ?? false,
      createdAt: now,
      ...(opts.replyToken === null ? {} : { replyToken: opts.replyToken ?? `rt-${idCounter}`, replyTokenAt: now - (opts.ageMs ?? 0) }),
    };
    await store.commitTurn({ userId, outbox: [b] });
    return b;
  }

  describe('replies', () => {
    it('replies with a fresh token, and only replies', async () => {
      const b = await commitBatch(ALICE, { ageMs: 1_000 });
      await sender().flush(ALICE);
      expect(line.calls).toEqual([{ op: 'reply', replyToken: b.replyToken, messages: b.messages }]);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'reply', replyAttempted: true });
    });

    it('replies while the token is younger than the limit, and pushes from the limit on', async () => {
      const young = await commitBatch(ALICE, { ageMs: MAX_AGE_MS - 1 });
      const old = await commitBatch(BOB, { ageMs: MAX_AGE_MS });
      const s = sender();
      await s.flushAll();
      expect(line.calls.find((c) => c.replyToken === young.replyToken)?.op).toBe('reply');
      const bobs = line.calls.filter((c) => c.to === BOB || c.replyToken === old.replyToken);
      expect(bobs).toEqual([{ op: 'push', to: BOB, retryKey: old.id, messages: old.messages }]);
    });

    it('pushes with the batch id as X-Line-Retry-Key when the token has expired, and never tries the stale token', async () => {
      const b = await commitBatch(ALICE);
      clock.advance(MAX_AGE_MS + 1);
      await sender().flush(ALICE);
      expect(line.calls).toHaveLength(1);
      expect(line.calls[0]).toMatchObject({ op: 'push', to: ALICE, retryKey: b.id });
      expect(line.calls[0]!.retryKey).toMatch(UUID);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'push', replyAttempted: false });
    });

    it('pushes a batch that has no reply token (a proactive message)', async () => {
      const b = await commitBatch(ALICE, { replyToken: null, proactive: true });
      await sender().flush(ALICE);
      expect(line.calls).toEqual([{ op: 'push', to: ALICE, retryKey: b.id, messages: b.messages }]);
    });

    it('falls back to one push with the retry key when LINE refuses the reply token', async () => {
      const b = await commitBatch(ALICE);
      line.script.reply.push(invalidReplyToken());
      await sender().flush(ALICE);
      expect(line.calls.map((c) => c.op)).toEqual(['reply', 'push']);
      expect(line.calls[1]).toMatchObject({ retryKey: b.id, to: ALICE, messages: b.messages });
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'push' });
      const warning = logs.records().find((r) => r.level === 40);
      expect(warning).toMatchObject({ batchId: b.id, kind: 'invalidReplyToken', requestId: 'req-invalid' });
    });

    it('tries the same token again after a timeout, and takes "Invalid reply token" then as sent: the first try landed', async () => {
      const b = await commitBatch(ALICE);
      line.script.reply.push(new LineApiError('LINE reply timed out after 10000 ms', 'timeout'), invalidReplyToken());
      await sender().flush(ALICE);
      expect(line.calls.map((c) => [c.op, c.replyToken])).toEqual([['reply', b.replyToken], ['reply', b.replyToken]]);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'reply' });
    });

    it('tries the same token again after a timeout, and sends by reply when the first try had not landed', async () => {
      const b = await commitBatch(ALICE);
      line.script.reply.push(new LineApiError('LINE reply timed out after 10000 ms', 'timeout'));
      await sender().flush(ALICE);
      expect(line.calls.map((c) => c.op)).toEqual(['reply', 'reply']);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'reply' });
    });

    it('falls back to push after 5xx only once the token has aged: LINE answered, so nothing was delivered', async () => {
      const b = await commitBatch(ALICE, { ageMs: MAX_AGE_MS - 150 });
      line.script.reply.push(serverError(1), serverError(2), serverError(3));
      await clockMovingSender().flush(ALICE);
      const ops = line.calls.map((c) => c.op);
      expect(ops[0]).toBe('reply');
      expect(ops.at(-1)).toBe('push');
      expect(line.calls.filter((c) => c.op === 'push')).toEqual([{ op: 'push', to: ALICE, retryKey: b.id, messages: b.messages }]);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'push' });
      expect(logs.records().some((r) => String(r.msg).startsWith('a reply whose outcome is unknown'))).toBe(false);
    });

    it('the window left: a reply whose outcome stays unknown until its token ages goes by push, with a warning', async () => {
      const b = await commitBatch(ALICE, { ageMs: MAX_AGE_MS - 150 });
      line.script.reply.push(...Array.from({ length: 10 }, () => new LineApiError('LINE reply timed out after 10000 ms', 'timeout')));
      await clockMovingSender().flush(ALICE);
      expect(line.calls.at(-1)).toMatchObject({ op: 'push', retryKey: b.id });
      expect(logs.records().some((r) => r.level === 40 && String(r.msg).startsWith('a reply whose outcome is unknown') && r.batchId === b.id)).toBe(true);
    });

    it('fails a batch at once when LINE says the monthly limit is reached (a 429 that no retry helps)', async () => {
      const b = await commitBatch(ALICE, { replyToken: null });
      line.script.push.push(new LineApiError('LINE push failed with 429: You have reached your monthly limit.', 'quotaExceeded', { status: 429, requestId: 'req-quota', body: '{"message":"You have reached your monthly limit."}' }));
      await sender().flush(ALICE);
      expect(line.calls).toHaveLength(1);
      expect(sleeps).toEqual([]);
      expect((await store.getOutbox(b.id))?.status).toBe('failed');
      const errors = logs.records().filter((r) => r.level === 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ batchId: b.id, status: 429, requestId: 'req-quota', kind: 'quotaExceeded' });
      expect(String(errors[0]!.body)).toContain('monthly limit');
    });

    it('after a restart, retries a reply-attempted batch with its still-fresh token', async () => {
      const b = await commitBatch(ALICE, { ageMs: 10_000 });
      await store.markReplyAttempted(b.id); // the process died right after this
      await sender().flushAll();
      expect(line.calls).toEqual([{ op: 'reply', replyToken: b.replyToken, messages: b.messages }]);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'reply' });
    });

    it('the window left, after a restart: a reply in flight at the crash, its token aged since, goes by push with a warning', async () => {
      const b = await commitBatch(ALICE, { ageMs: MAX_AGE_MS + 1 });
      await store.markReplyAttempted(b.id);
      await sender().flushAll();
      expect(line.calls).toEqual([{ op: 'push', to: ALICE, retryKey: b.id, messages: b.messages }]);
      expect(logs.records().filter((r) => r.level === 40 && String(r.msg).startsWith('a reply whose outcome is unknown'))).toHaveLength(1);
    });

    it("after a restart, takes 'Invalid reply token' for a reply-attempted batch as sent: the earlier attempt used it", async () => {
      const b = await commitBatch(ALICE, { ageMs: 10_000 });
      await store.markReplyAttempted(b.id);
      line.script.reply.push(invalidReplyToken());
      await sender().flushAll();
      expect(line.calls.map((c) => c.op)).toEqual(['reply']);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'reply' });
    });

    it('gives up at once when LINE refuses the channel access token', async () => {
      const b = await commitBatch(ALICE);
      line.script.reply.push(new LineApiError('LINE reply failed with 401', 'unauthorized', { status: 401, requestId: 'req-401' }));
      await sender().flush(ALICE);
      expect(line.calls.map((c) => c.op)).toEqual(['reply']);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'failed' });
      expect(logs.records().find((r) => r.level === 50)).toMatchObject({ batchId: b.id, status: 401, requestId: 'req-401' });
    });
  });

  describe('pushes', () => {
    it('waits as long as LINE asks (retry-after) after a 429, then sends once', async () => {
      const b = await commitBatch(ALICE, { replyToken: null });
      line.script.push.push(new LineApiError('LINE push failed with 429', 'rateLimited', { status: 429, retryAfterMs: 7_000 }));
      await sender().flush(ALICE);
      expect(line.calls.map((c) => c.op)).toEqual(['push', 'push']);
      expect(line.calls.every((c) => c.retryKey === b.id)).toBe(true);
      expect(sleeps).toHaveLength(1);
      expect(sleeps[0]).toBeGreaterThanOrEqual(7_000);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'push' });
    });

    it('backs off after a 429 without retry-after too', async () => {
      await commitBatch(ALICE, { replyToken: null });
      line.script.push.push(new LineApiError('LINE push failed with 429', 'rateLimited', { status: 429 }));
      await sender().flush(ALICE);
      expect(sleeps).toHaveLength(1);
      expect(sleeps[0]).toBeGreaterThanOrEqual(RETRY.baseMs / 2);
      expect(sleeps[0]).toBeLessThanOrEqual(RETRY.baseMs);
    });

    it('retries 5xx and network errors with the same retry key, with growing, capped waits', async () => {
      const b = await commitBatch(ALICE, { replyToken: null });
      line.script.push.push(serverError(1), new Error('fetch failed'), serverError(3));
      await sender().flush(ALICE);
      expect(line.calls).toHaveLength(4);
      expect(new Set(line.calls.map((c) => c.retryKey))).toEqual(new Set([b.id]));
      expect(sleeps).toHaveLength(3);
      sleeps.forEach((ms, i) => {
        const ceiling = Math.min(RETRY.maxMs, RETRY.baseMs * 2 ** i);
        expect(ms).toBeGreaterThanOrEqual(ceiling / 2);
        expect(ms).toBeLessThanOrEqual(ceiling);
      });
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', attempts: 3 });
    });

    it('keeps retrying while LINE is down, however many tries it takes: the batch stays pending, nothing is failed', async () => {
      const b = await commitBatch(ALICE, { replyToken: null });
      line.script.push.push(...Array.from({ length: 30 }, (_, i) => serverError(i + 1)));
      await sender().flush(ALICE);
      expect(line.calls).toHaveLength(31);
      expect(Math.max(...sleeps)).toBeLessThanOrEqual(RETRY.maxMs);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', attempts: 30 });
      expect(logs.records().filter((r) => Number(r.level) >= 50)).toEqual([]);
    });

    it('gives up only once the batch is older than the retry limit: failed, with one error line saying what LINE said', async () => {
      const b = await commitBatch(ALICE, { replyToken: null });
      line.script.push.push(...Array.from({ length: 100 }, (_, i) => serverError(i + 1)));
      await sender({
        maxRetryAgeMs: 5_000,
        sleep: async (ms) => {
          sleeps.push(ms);
          clock.advance(ms);
        },
      }).flush(ALICE);
      const tries = line.calls.length;
      expect(tries).toBeGreaterThan(3);
      expect(tries).toBeLessThan(100);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'failed' });
      expect(await store.pendingOutbox()).toEqual([]);
      const errors = logs.records().filter((r) => r.level === 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ batchId: b.id, userId: ALICE, status: 503, requestId: `req-503-${tries}` });
    });

    it('does not try again, after a long stop, a batch tried before and now older than the retry limit (its retry key may be gone)', async () => {
      const tried = await commitBatch(ALICE, { replyToken: null });
      const fresh = await commitBatch(BOB, { replyToken: null });
      await store.markOutboxFailed(tried.id, 'LINE push failed with 503', false);
      clock.advance(25 * 60 * 60_000);
      await sender().flushAll();
      // Never tried: it cannot arrive twice, so it goes.
      expect(line.calls.map((c) => c.retryKey)).toEqual([fresh.id]);
      expect((await store.getOutbox(tried.id))?.status).toBe('failed');
      expect(logs.records().filter((r) => r.level === 50 && r.batchId === tried.id)).toHaveLength(1);
    });

    it('stops waiting when stopped: the batch stays pending for the next start', async () => {
      const b = await commitBatch(ALICE, { replyToken: null });
      line.script.push.push(serverError(1));
      let s: ReturnType<typeof sender> | undefined;
      s = sender({ sleep: () => new Promise<void>((resolve) => {
        s!.stop();
        setTimeout(resolve, 60_000).unref();
      }) });
      await s.flush(ALICE);
      expect(line.calls).toHaveLength(1);
      expect((await store.getOutbox(b.id))?.status).toBe('pending');
    });

    it('does not retry a request LINE rejects (400)', async () => {
      const b = await commitBatch(ALICE, { replyToken: null });
      line.script.push.push(new LineApiError('LINE push failed with 400: bad', 'rejected', { status: 400, requestId: 'req-400', body: '{"message":"The request body has 1 error(s)"}' }));
      await sender().flush(ALICE);
      expect(line.calls).toHaveLength(1);
      expect(sleeps).toEqual([]);
      expect((await store.getOutbox(b.id))?.status).toBe('failed');
      const errors = logs.records().filter((r) => r.level === 50);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ batchId: b.id, status: 400, requestId: 'req-400', body: '{"message":"The request body has 1 error(s)"}' });
    });

    it('counts a 409 (retry key already accepted) as sent', async () => {
      const b = await commitBatch(ALICE, { replyToken: null });
      line.script.push.push('alreadySent');
      await sender().flush(ALICE);
      expect(line.calls).toHaveLength(1);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'push' });
    });

    it('stops retrying a batch that was cancelled meanwhile (the user deleted their data)', async () => {
      const b = await commitBatch(ALICE, { replyToken: null });
      line.script.push.push(serverError());
      const s = sender({
        sleep: async (ms) => {
          sleeps.push(ms);
          await store.commitTurn({ userId: ALICE, deleteUserData: true, conversation: null });
        },
      });
      await s.flush(ALICE);
      expect(line.calls).toHaveLength(1);
      expect((await store.getOutbox(b.id))?.status).toBe('cancelled');
    });
  });

  describe('quiet hours', () => {
    it('holds a proactive push that comes due in quiet hours, and sends it once they are over', async () => {
      clock.set('2026-12-01T22:30:00+09:00');
      const b = await commitBatch(ALICE, { replyToken: null, proactive: true });
      const s = sender();
      await s.flush(ALICE);
      expect(line.calls).toEqual([]);
      expect((await store.getOutbox(b.id))?.status).toBe('pending');
      expect(logs.records().some((r) => String(r.msg).startsWith('push held: quiet hours') && r.until === '2026-12-02T00:00:00.000Z')).toBe(true);
      clock.set('2026-12-02T08:59:00+09:00');
      await s.flush(ALICE);
      expect(line.calls).toEqual([]);
      clock.set('2026-12-02T09:00:00+09:00');
      await s.flush(ALICE);
      expect(line.calls.map((c) => [c.op, c.retryKey])).toEqual([['push', b.id]]);
      expect((await store.getOutbox(b.id))?.status).toBe('sent');
    });

    it('stops retrying a proactive push when the retries run into quiet hours', async () => {
      clock.set('2026-12-01T20:59:59.950+09:00');
      const b = await commitBatch(ALICE, { replyToken: null, proactive: true });
      line.script.push.push(serverError());
      // The first retry waits at least 50 ms: past 21:00.
      await sender({
        sleep: async (ms) => {
          sleeps.push(ms);
          clock.advance(ms);
        },
      }).flush(ALICE);
      expect(line.calls).toHaveLength(1);
      expect((await store.getOutbox(b.id))?.status).toBe('pending');
    });

    describe('a push that waited while the user wrote', () => {
      let n = 0;
      /** A timer fires now and its turn writes a push: the inbox event and the batch, as the runtime leaves them. */
      async function timerPush() {
        const eventId = `timer:${++n}`;
        await store.acceptEvents([{ eventId, userId: ALICE, payload: { type: 'timer' }, receivedAt: clock.now().getTime() }]);
        return commitBatch(ALICE, { replyToken: null, proactive: true, text: 'その後、連絡はありましたか？', eventId });
      }
      /** The next batch of the same timer turn (a turn of more than five messages makes several). */
      const restOfTurn = (first: NewOutboxBatch) => commitBatch(ALICE, { replyToken: null, proactive: true, text: 'つづき', eventId: first.eventId });
      /** The user writes now (an event in the inbox). */
      const userWrites = () => store.acceptEvents([{ eventId: `EV-${++n}`, userId: ALICE, payload: { type: 'message' }, receivedAt: clock.now().getTime() }]);

      it('is not sent when quiet hours end if the user has written since', async () => {
        clock.set('2026-12-01T22:30:00+09:00');
        const b = await timerPush();
        const s = sender();
        await s.flush(ALICE);
        clock.set('2026-12-02T08:10:00+09:00');
        await userWrites();
        clock.set('2026-12-02T09:00:00+09:00');
        await s.flush(ALICE);
        expect(line.calls).toEqual([]);
        expect(await store.getOutbox(b.id)).toMatchObject({ status: 'cancelled', lastError: 'not sent: the user wrote while this push waited' });
        expect(logs.records().find((r) => String(r.msg).startsWith('delayed push not sent'))).toMatchObject({ batchId: b.id, writtenAt: '2026-12-01T13:30:00.000Z' });
      });

      it('is sent when quiet hours end if the user has not written since (another user or a timer does not count)', async () => {
        clock.set('2026-12-01T22:30:00+09:00');
        const b = await timerPush();
        await sender().flush(ALICE);
        await store.acceptEvents([{ eventId: 'EV-bob', userId: BOB, payload: { type: 'message' }, receivedAt: clock.now().getTime() }]);
        await store.acceptEvents([{ eventId: 'timer:other', userId: ALICE, payload: { type: 'timer' }, receivedAt: clock.now().getTime() }]);
        clock.set('2026-12-02T09:00:00+09:00');
        await sender().flush(ALICE);
        expect(line.calls.map((c) => [c.op, c.retryKey])).toEqual([['push', b.id]]);
        expect((await store.getOutbox(b.id))?.status).toBe('sent');
      });

      it('keeps retrying a push that may already have reached LINE, whatever the user does meanwhile', async () => {
        const b = await timerPush();
        line.script.push.push(serverError(1), serverError(2));
        await sender({
          retry: { maxAttempts: 6, baseMs: 80_000, maxMs: 80_000 },
          sleep: async (ms) => {
            sleeps.push(ms);
            clock.advance(ms);
            if (sleeps.length === 1) await userWrites();
          },
        }).flush(ALICE);
        expect(line.calls.map((c) => c.retryKey)).toEqual([b.id, b.id, b.id]);
        expect((await store.getOutbox(b.id))?.status).toBe('sent');
      });

      it('is sent after a restart if a try was under way at the crash, even if the user wrote meanwhile', async () => {
        const b = await timerPush();
        let started = 0;
        // The process dies while LINE has the request: no answer, and nothing after it runs.
        line.onPush(() => {
          started++;
          return new Promise<void>(() => {});
        });
        void sender().flush(ALICE);
        await waitFor(() => started === 1, 'the first try to reach LINE');
        line.onPush(() => {});
        clock.advance(10 * 60_000);
        await userWrites();
        // The restarted process: the push may have reached LINE, so it goes again with its retry key.
        await sender().flush(ALICE);
        expect(line.calls.map((c) => [c.op, c.retryKey])).toEqual([['push', b.id]]);
        expect((await store.getOutbox(b.id))?.status).toBe('sent');
      });

      it('is sent, whole turn and in order, if the start of its first try cannot be recorded', async () => {
        const first = await timerPush();
        const second = await restOfTurn(first);
        const failing: Store = {
          ...store,
          async markPushAttempted() {
            throw new Error('SQLITE_IOERR: disk I/O error');
          },
        };
        await sender({ store: failing }).flush(ALICE);
        expect(line.calls.map((c) => c.retryKey)).toEqual([first.id, second.id]);
        expect((await store.getOutbox(first.id))?.status).toBe('sent');
        expect((await store.getOutbox(second.id))?.status).toBe('sent');
        expect(logs.records().filter((r) => r.msg === 'could not record the start of a push; sending it anyway')).toHaveLength(2);
      });

      it('is not sent if it was cancelled (the user deleted their data) just before its first try', async () => {
        const b = await timerPush();
        const deletingMeanwhile: Store = {
          ...store,
          async markPushAttempted(id) {
            await store.cancelOutbox(id, 'user data deleted');
            return store.markPushAttempted(id);
          },
        };
        await sender({ store: deletingMeanwhile }).flush(ALICE);
        expect(line.calls).toEqual([]);
        expect((await store.getOutbox(b.id))?.status).toBe('cancelled');
      });

      it('is sent when quiet hours end if it was tried before they began, even if the user wrote', async () => {
        clock.set('2026-12-01T20:59:59.950+09:00');
        const b = await timerPush();
        line.script.push.push(serverError());
        // The first try fails, the wait for the retry runs into quiet hours: held, after one attempt.
        const advancing = clockMovingSender();
        await advancing.flush(ALICE);
        expect((await store.getOutbox(b.id))?.status).toBe('pending');
        clock.set('2026-12-02T08:10:00+09:00');
        await userWrites();
        clock.set('2026-12-02T09:00:00+09:00');
        await advancing.flush(ALICE);
        expect(line.calls.map((c) => c.retryKey)).toEqual([b.id, b.id]);
        expect((await store.getOutbox(b.id))?.status).toBe('sent');
      });

      it('goes with the other batches of its turn: all sent, or all cancelled, never half', async () => {
        // A turn of more than five messages: two batches for one timer event.
        clock.set('2026-12-01T20:59:59.950+09:00');
        const first = await timerPush();
        const second = await restOfTurn(first);
        line.script.push.push(serverError());
        const advancing = clockMovingSender();
        // The first batch is tried and fails; its retry and the second batch wait for the morning.
        await advancing.flush(ALICE);
        expect((await store.getOutbox(second.id))?.attempts).toBe(0);
        clock.set('2026-12-02T08:10:00+09:00');
        await userWrites();
        clock.set('2026-12-02T09:00:00+09:00');
        await advancing.flush(ALICE);
        expect(line.calls.map((c) => c.retryKey)).toEqual([first.id, first.id, second.id]);

        // Neither tried before the user wrote: both cancelled.
        clock.set('2026-12-02T22:00:00+09:00');
        const third = await timerPush();
        const fourth = await restOfTurn(third);
        await advancing.flush(ALICE);
        clock.set('2026-12-03T08:00:00+09:00');
        await userWrites();
        clock.set('2026-12-03T09:00:00+09:00');
        await advancing.flush(ALICE);
        expect(line.calls).toHaveLength(3);
        expect((await store.getOutbox(third.id))?.status).toBe('cancelled');
        expect((await store.getOutbox(fourth.id))?.status).toBe('cancelled');
      });

      it('finishes a turn cut short by a crash between its batches, even if the user wrote meanwhile', async () => {
        const first = await timerPush();
        const second = await restOfTurn(first);
        // The first batch went out and was recorded; the process died before the second was tried.
        await store.markPushAttempted(first.id);
        await store.markOutboxSent(first.id, 'push', clock.now().getTime());
        clock.advance(10 * 60_000);
        await userWrites();
        await sender().flush(ALICE);
        expect(line.calls.map((c) => [c.op, c.retryKey])).toEqual([['push', second.id]]);
        expect((await store.getOutbox(second.id))?.status).toBe('sent');
      });

      it('is sent if it goes out within a minute of being written, whatever happened since', async () => {
        const b = await timerPush();
        clock.advance(1_000);
        await userWrites();
        clock.advance(58_000);
        await sender().flush(ALICE);
        expect(line.calls.map((c) => [c.op, c.retryKey])).toEqual([['push', b.id]]);
      });

      it('never applies to an answer to the user’s own message', async () => {
        await userWrites();
        const b = await commitBatch(ALICE, { ageMs: 1_000, eventId: `EV-${n}` });
        clock.advance(10 * 60_000);
        await userWrites();
        await sender().flush(ALICE);
        expect(line.calls.map((c) => [c.op, c.retryKey])).toEqual([['push', b.id]]);
      });
    });

    it('answers the user’s own messages at any hour', async () => {
      clock.set('2026-12-01T23:30:00+09:00');
      await commitBatch(ALICE, { ageMs: 1_000 });
      await commitBatch(BOB, { replyToken: null });
      await sender().flushAll();
      expect(line.calls.map((c) => c.op).sort()).toEqual(['push', 'reply']);
    });
  });

  describe('when the store cannot record a delivery', () => {
    /** A store whose "sent" marks fail while `failing` is set (counting the attempts). */
    function flakyMarks(inner: Store) {
      const state = { failing: Infinity as number, attempts: 0 };
      const wrapped: Store = {
        ...inner,
        async markOutboxSent(id, via, at) {
          state.attempts++;
          if (state.failing > 0) {
            state.failing--;
            throw new Error('SQLITE_IOERR: disk I/O error');
          }
          return inner.markOutboxSent(id, via, at);
        },
      };
      return { store: wrapped, state };
    }

    it('records a reply as sent after the store fails once, and never pushes it as well', async () => {
      const b = await commitBatch(ALICE);
      const flaky = flakyMarks(store);
      flaky.state.failing = 1;
      await sender({ store: flaky.store }).flush(ALICE);
      expect(line.calls.map((c) => c.op)).toEqual(['reply']);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'reply' });
    });

    it('never sends a delivered batch again while it cannot be recorded, and records it once the store is back', async () => {
      const b = await commitBatch(ALICE, { replyToken: null });
      const flaky = flakyMarks(store);
      const s = sender({ store: flaky.store });
      await s.flush(ALICE);
      expect(logs.records().some((r) => r.level === 50 && r.batchId === b.id)).toBe(true);
      await s.flush(ALICE);
      expect(line.calls).toHaveLength(1);
      expect((await store.getOutbox(b.id))?.status).toBe('pending');
      flaky.state.failing = 0;
      await s.flush(ALICE);
      expect(line.calls).toHaveLength(1);
      expect(await store.getOutbox(b.id)).toMatchObject({ status: 'sent', sentVia: 'push' });
    });
  });

  describe('ordering and scope', () => {
    it('does not send the later batches of a user who deleted their data while the first was going out', async () => {
      const first = await commitBatch(ALICE, { replyToken: null, text: '1' });
      const second = await commitBatch(ALICE, { replyToken: null, text: '2' });
      line.onPush(async () => {
        line.onPush(() => undefined);
        await store.commitTurn({ userId: ALICE, deleteUserData: true, conversation: null });
      });
      await sender().flush(ALICE);
      expect(line.calls.map((c) => c.retryKey)).toEqual([first.id]);
      expect((await store.getOutbox(second.id))?.status).toBe('cancelled');
    });

    it("sends one user's batches in order, and a failed batch does not hold up the next", async () => {
      const first = await commitBatch(ALICE, { replyToken: null, text: '1' });
      const second = await commitBatch(ALICE, { replyToken: null, text: '2' });
      const third = await commitBatch(ALICE, { replyToken: null, text: '3' });
      line.script.push.push('ok', new LineApiError('LINE push failed with 400', 'rejected', { status: 400 }), 'ok');
      await sender().flush(ALICE);
      expect(line.calls.map((c) => c.retryKey)).toEqual([first.id, second.id, third.id]);
      expect((await store.getOutbox(second.id))?.status).toBe('failed');
      expect((await store.getOutbox(third.id))?.status).toBe('sent');
    });

    it('sends each batch once however many flushes overlap', async () => {
      const batches = [await commitBatch(ALICE, { replyToken: null }), await commitBatch(ALICE, { replyToken: null })];
      const s = sender();
      await Promise.all([s.flush(ALICE), s.flush(ALICE), s.flushAll(), s.flush(ALICE)]);
      await s.idle();
      expect(line.calls.map((c) => c.retryKey)).toEqual(batches.map((b) => b.id));
    });

    it("flush(user) sends only that user's batches; flushAll sends everyone's", async () => {
      await commitBatch(ALICE, { replyToken: null });
      const bobs = await commitBatch(BOB, { replyToken: null });
      const s = sender();
      await s.flush(ALICE);
      expect(line.calls.map((c) => c.to)).toEqual([ALICE]);
      await s.flushAll();
      expect(line.calls.map((c) => c.to)).toEqual([ALICE, BOB]);
      expect((await store.getOutbox(bobs.id))?.status).toBe('sent');
    });

    it("does not make one user wait for another user's slow send", async () => {
      await commitBatch(ALICE, { replyToken: null });
      await commitBatch(BOB, { replyToken: null });
      let releaseAlice!: () => void;
      const aliceHeld = new Promise<void>((r) => (releaseAlice = r));
      line.onPush(async (to) => {
        if (to === ALICE) await aliceHeld; // Alice's push hangs until released
      });
      const s = sender();
      const alice = s.flush(ALICE);
      // Resolves although Alice's push is still hanging (fails fast instead of hanging if it waited).
      await Promise.race([s.flush(BOB), new Promise((_, reject) => setTimeout(() => reject(new Error("Bob waited for Alice's send")), 5000).unref())]);
      expect(line.calls.map((c) => c.to)).toEqual([BOB]);
      releaseAlice();
      await alice;
      expect(line.calls.map((c) => c.to)).toEqual([BOB, ALICE]);
    });

    it('is idle once every flush has finished', async () => {
      await commitBatch(ALICE, { replyToken: null });
      const s = sender();
      void s.flush(ALICE);
      await s.idle();
      expect(await store.pendingOutbox()).toEqual([]);
    });
  });

  describe('on a shared store (several instances)', () => {
    /** A shared store whose send lock another instance holds for the first `busy` tries. */
    function sharedStore(busy: number) {
      let tries = 0;
      const held: string[] = [];
      const shared: NonNullable<Store['shared']> = {
        withUserTurn: async (_u, work) => ({ locked: true, value: await work(store) }),
        usersWithWaitingEvents: async () => [],
        withSchedulerLock: (work) => work(),
        async withUserSend(userId, work) {
          if (++tries <= busy) return { locked: false };
          held.push(userId);
          return { locked: true, value: await work() };
        },
      };
      return { store: { ...store, shared } as Store, held, tries: () => tries };
    }

    it('sends under the user’s send lock, and waits for another instance that holds it', async () => {
      const b = await commitBatch(ALICE);
      const fx = sharedStore(2);
      const s = sender({ store: fx.store });
      await s.flush(ALICE);
      expect(fx.tries()).toBe(3);
      expect(fx.held).toEqual([ALICE]);
      expect(line.calls).toEqual([{ op: 'reply', replyToken: b.replyToken, messages: b.messages }]);
      expect(await store.outboxStatus(b.id)).toBe('sent');
    });

    it('stops waiting once the instance holding the lock has sent the user’s batches', async () => {
      const b = await commitBatch(ALICE);
      const fx = sharedStore(Infinity);
      // The other instance sends it meanwhile.
      const s = sender({ store: fx.store, sleep: async () => store.markOutboxSent(b.id, 'reply', clock.now().getTime()) });
      await s.flush(ALICE);
      expect(fx.tries()).toBe(1);
      expect(line.calls).toEqual([]);
    });
  });
});
