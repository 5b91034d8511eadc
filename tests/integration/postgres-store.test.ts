/**
 * Akari on PostgreSQL, in process: a conversation end to end, a rolling deploy (an older instance
 * leaves a newer snapshot alone), and the database going away at run time and coming back.
 */
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { MACHINE_VERSION } from '../../src/conversation/machine.ts';
import { createLinePlatform } from '../../src/local/line-platform.ts';
import { textEvent } from '../../src/local/webhook-events.ts';
import type { Store } from '../../src/store/ports.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { startHarness, TEST_TOKEN, testValidator, waitFor, type Harness } from '../support/harness.ts';
import { createTestSchema, querySchema, TEST_POSTGRES_URL, urlWithSchema, type TestSchema } from '../support/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const USER = 'U0123456789abcdef0123456789abcdef';
const texts = (h: Harness, userId: string) => h.platform.textsFor(userId);

describe('Akari on PostgreSQL', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const f of cleanup.reverse()) await f();
    cleanup.length = 0;
  });
  async function schema(): Promise<TestSchema> {
    const s = await createTestSchema('app');
    cleanup.push(() => s.drop());
    return s;
  }
  async function harness(opts: Parameters<typeof startHarness>[0]): Promise<Harness> {
    const h = await startHarness(opts);
    cleanup.push(() => h.stop());
    return h;
  }

  it('runs a conversation end to end, and remembers it across a restart', async () => {
    const s = await schema();
    const first = await startHarness({ databaseUrl: s.url });
    expect(first.akari.store.kind).toBe('postgres');
    expect((await first.follow(USER)).join('\n')).toContain('何日くらい経っていますか');
    expect((await first.say(USER, '3日前です')).join('\n')).toContain('・経過：3日');
    await first.stop();

    const second = await harness({ databaseUrl: s.url });
    expect((await second.say(USER, '知らない番号だったので出ませんでした')).join('\n')).toContain('知らない番号からの着信でも');
    const rows = await querySchema<{ status: string; n: number }>(s, 'SELECT status, COUNT(*)::int AS n FROM inbox GROUP BY status');
    expect(rows).toEqual([{ status: 'done', n: 3 }]);
  });

  it('rolling deploy: an instance of an older machine version leaves a newer snapshot to a newer instance', async () => {
    const s = await schema();
    const clock = createFakeClock('2026-12-01T10:00:00+09:00');
    const platform = createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken: TEST_TOKEN, validator: testValidator() });
    await platform.listen(0, '127.0.0.1');
    cleanup.push(() => platform.close());
    const newer = await harness({ databaseUrl: s.url, clock, platform, overrides: { machineVersion: MACHINE_VERSION + 1, sharedPollMs: 50 } });
    const older = await harness({ databaseUrl: s.url, clock, platform, overrides: { sharedPollMs: 50 } });

    await newer.follow(USER);
    await newer.say(USER, '3日前です');
    const before = texts(newer, USER).length;
    // The next message reaches the older instance: it must not restart the user's stage.
    const event = textEvent({ userId: USER, text: '知らない番号だったので出ませんでした', timestamp: clock.now().getTime(), replyToken: platform.issueReplyToken(USER) });
    expect((await older.post([event])).status).toBe(200);
    await waitFor(() => older.logs.records().some((r) => r.msg === 'the conversation was written by a newer machine version; left pending for another instance'), 'the older instance to leave the event');
    // The newer instance's poll takes it and answers as the conversation goes on.
    await waitFor(async () => (await newer.akari.store.getInboxRow(event.webhookEventId))?.status === 'done', 'the newer instance to handle the event');
    await newer.akari.idle();
    const answer = texts(newer, USER).slice(before).join('\n');
    expect(answer).toContain('知らない番号からの着信でも');
    expect(answer).not.toContain('仕組みを新しくしたため');
    expect((await newer.akari.store.loadConversation(USER))?.machineVersion).toBe(MACHINE_VERSION + 1);
    expect(older.logs.records().some((r) => r.msg === 'turn committed')).toBe(false);

    // An older snapshot is still restarted politely by the newer instance, as before.
    await newer.akari.store.commitTurn({ userId: USER, conversation: { userId: USER, machineVersion: MACHINE_VERSION, stage: 'situation', snapshot: { value: 'gone' }, updatedAt: 0 } });
    expect((await newer.say(USER, 'ヘルプ')).join('\n')).toContain('仕組みを新しくしたため');
  });

  it('one user’s turns run on one instance at a time: the other leaves the user to it', async () => {
    const s = await schema();
    const clock = createFakeClock('2026-12-01T10:00:00+09:00');
    const platform = createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken: TEST_TOKEN, validator: testValidator() });
    await platform.listen(0, '127.0.0.1');
    cleanup.push(() => platform.close());
    // Instance A's turns wait at a gate after reading the conversation, holding the user's lock.
    let gate: Promise<void> | undefined;
    let open: () => void = () => undefined;
    let waiting = false;
    const wrapStore = (store: Store): Store => ({
      ...store,
      shared: {
        ...store.shared!,
        withUserTurn: (u, work) =>
          store.shared!.withUserTurn(u, (scoped) =>
            work({
              ...scoped,
              async loadConversation(id) {
                const c = await scoped.loadConversation(id);
                if (gate) {
                  waiting = true;
                  await gate;
                }
                return c;
              },
            }),
          ),
      },
    });
    const a = await harness({ databaseUrl: s.url, clock, platform, overrides: { wrapStore, sharedPollMs: 0 } });
    const b = await harness({ databaseUrl: s.url, clock, platform, overrides: { sharedPollMs: 0 } });
    await a.follow(USER);
    const before = platform.textsFor(USER).length;

    gate = new Promise<void>((resolve) => (open = resolve));
    const first = textEvent({ userId: USER, text: '3日前です', timestamp: clock.now().getTime(), replyToken: platform.issueReplyToken(USER) });
    expect((await a.post([first])).status).toBe(200);
    await waitFor(() => waiting, 'instance A to be inside the first turn');
    // The next message reaches B while A is in the middle of the first turn.
    const second = textEvent({ userId: USER, text: '知らない番号だったので出ませんでした', timestamp: clock.now().getTime(), replyToken: platform.issueReplyToken(USER) });
    expect((await b.post([second])).status).toBe(200);
    await b.akari.idle();
    expect(b.logs.records().some((r) => r.msg === 'turn committed')).toBe(false);
    gate = undefined;
    open();
    // A works through the user's queue: both events, in order, each answered once.
    await waitFor(async () => (await a.akari.store.getInboxRow(second.webhookEventId))?.status === 'done', 'A to handle the second event');
    await a.akari.idle();
    const answers = platform.textsFor(USER).slice(before);
    const days = answers.findIndex((t) => t.includes('・経過：3日'));
    const calls = answers.findIndex((t) => t.includes('知らない番号からの着信でも'));
    expect(days).toBeGreaterThanOrEqual(0);
    expect(calls).toBeGreaterThan(days);
    expect(answers.filter((t) => t.includes('・経過：3日'))).toHaveLength(1);
    expect(answers.filter((t) => t.includes('知らない番号からの着信でも'))).toHaveLength(1);
  });

  it('answers 503 while the database is away, and recovers by itself with nothing lost', async () => {
    const s = await schema();
    const pgUrl = new URL(TEST_POSTGRES_URL);
    const proxy: TcpProxy = await startTcpProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    cleanup.push(() => proxy.close());
    const viaProxy = new URL(urlWithSchema(TEST_POSTGRES_URL, s.name));
    viaProxy.port = String(proxy.port);
    // The database goes away right after this event is stored: its turn can't run until it is back.
    let cutAfterAccept = false;
    const wrapStore = (store: Store): Store => ({
      ...store,
      async acceptEvents(events) {
        const r = await store.acceptEvents(events);
        if (cutAfterAccept) {
          cutAfterAccept = false;
          await proxy.cut();
        }
        return r;
      },
    });
    const h = await harness({ databaseUrl: viaProxy.toString(), overrides: { wrapStore, sharedPollMs: 50 } });
    await h.follow(USER);
    expect((await request(h.akari.url).get('/readyz')).status).toBe(200);

    cutAfterAccept = true;
    const stored = textEvent({ userId: USER, text: '3日前です', timestamp: h.clock.now().getTime(), replyToken: h.platform.issueReplyToken(USER) });
    expect((await h.post([stored])).status).toBe(200);
    expect((await request(h.akari.url).get('/readyz')).status).toBe(503);
    const refused = textEvent({ userId: USER, text: '知らない番号だったので出ませんでした', timestamp: h.clock.now().getTime(), replyToken: h.platform.issueReplyToken(USER) });
    const during = await h.post([refused]);
    expect(during.status).toBe(503);
    expect(during.body).toMatchObject({ error: 'store_unavailable' });
    expect(h.platform.textsFor(USER).join('\n')).not.toContain('・経過：3日');

    await proxy.restore();
    await waitFor(async () => (await request(h.akari.url).get('/readyz')).status === 200, '/readyz to recover');
    // The event stored before the outage is handled by itself, without being counted as a failure.
    await waitFor(() => h.platform.textsFor(USER).join('\n').includes('・経過：3日'), 'the stored event to be answered');
    // LINE redelivers the refused one.
    expect((await h.post([{ ...refused, deliveryContext: { isRedelivery: true } }])).status).toBe(200);
    await h.akari.idle();
    await waitFor(() => h.platform.textsFor(USER).join('\n').includes('知らない番号からの着信でも'), 'the redelivered event to be answered');
    const rows = await querySchema<{ status: string; attempts: number }>(s, 'SELECT status, attempts FROM inbox ORDER BY seq');
    expect(rows).toEqual([
      { status: 'done', attempts: 0 },
      { status: 'done', attempts: 0 },
      { status: 'done', attempts: 0 },
    ]);
  });
});
