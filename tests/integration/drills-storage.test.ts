/**
 * Storage drills: the database file deleted under a running Akari, the disk filling up, and a
 * second process started on the same SQLite file. /readyz must see the first two (503 with a log
 * line), webhooks must answer 503 (LINE redelivers) rather than 500, and the second process must
 * be refused at start, saying who holds the file.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLinePlatform } from '../../src/local/line-platform.ts';
import { callbackBody, signBody, textEvent } from '../../src/local/webhook-events.ts';
import { sqlitePathFromUrl, StoreMissingError } from '../../src/store/sqlite-store.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { spawnAkari, type AkariProcess } from '../support/akari-process.ts';
import { expectEveryAnswerOnce, lineUserId } from '../support/exactly-once.ts';
import { startHarness, tempDatabaseUrl, testValidator, TEST_SECRET, TEST_TOKEN, waitFor, type Harness, testEnv } from '../support/harness.ts';

const validator = testValidator();
beforeAll(() => {
  validator.validateRequest('PushMessageRequest', { to: lineUserId(1), messages: [{ type: 'text', text: 'x' }] });
});

/** A small file system of its own, if this machine lets the test mount one (root, tmpfs). */
function mountSmallDisk(bytes: number): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'akari-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

describe('drills: storage faults', () => {
  let h: Harness | undefined;
  const cleanups: Array<() => void | Promise<void>> = [];
  afterEach(async () => {
    await h?.stop();
    h = undefined;
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const signedPost = (harness: Harness, userId: string, text = 'こんにちは') => {
    const e = textEvent({ userId, text, timestamp: harness.clock.now().getTime(), replyToken: harness.platform.issueReplyToken(userId) });
    const body = callbackBody([e]);
    return request(harness.akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(body, TEST_SECRET)).send(body);
  };

  it('the database file deleted while running: /readyz 503 with a log line, webhooks 503 (not 500), nothing written into the void', async () => {
    h = await startHarness();
    const user = lineUserId(1);
    expect((await request(h.akari.url).get('/readyz')).status).toBe(200);
    expect((await signedPost(h, user)).status).toBe(200);
    await h.akari.idle();
    const path = sqlitePathFromUrl(h.databaseUrl);
    rmSync(path);
    const ready = await request(h.akari.url).get('/readyz');
    expect(ready.status).toBe(503);
    expect(h.logs.records().some((r) => r.msg === 'not ready' && JSON.stringify(r.err).includes('is gone'))).toBe(true);
    const statuses = await Promise.all(Array.from({ length: 5 }, (_, i) => signedPost(h!, lineUserId(10 + i)).then((r) => r.status)));
    expect(statuses).toEqual([503, 503, 503, 503, 503]);
    expect(h.logs.records().filter((r) => r.msg === 'webhook not stored: the store failed; answering 503 so that LINE redelivers')).toHaveLength(5);
    // A restart does not quietly begin again with an empty database where the old one was.
    const databaseUrl = h.databaseUrl;
    await h.stop();
    h = undefined;
    await expect(startHarness({ databaseUrl })).rejects.toBeInstanceOf(StoreMissingError);
  });

  const disk = mountSmallDisk(40 * 1024 * 1024);
  if (disk) execFileSync('umount', [disk]);
  it.skipIf(!disk)('a full disk: /readyz 503, webhooks 200 or 503 (never 500), and once there is room every acknowledged or redelivered event is answered once', async () => {
    const dir = mountSmallDisk(40 * 1024 * 1024)!;
    cleanups.push(() => {
      execFileSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    });
    mkdirSync(join(dir, 'data'));
    const databaseUrl = `file:${join(dir, 'data', 'akari.db')}`;
    const clock = createFakeClock('2026-12-01T10:00:00+09:00');
    const platform = createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken: TEST_TOKEN, validator });
    await platform.listen(0, '127.0.0.1');
    cleanups.push(() => platform.close());
    // A quick sweep: what the full disk left pending is taken up again without waiting a minute.
    h = await startHarness({ clock, platform, databaseUrl, overrides: { outboxSweepMs: 50 } });
    expect((await request(h.akari.url).get('/readyz')).status).toBe(200);
    // Fill the disk to the last byte.
    const filler = join(dir, 'filler');
    try {
      writeFileSync(filler, Buffer.alloc(64 * 1024 * 1024));
    } catch {
      // ENOSPC: it wrote what fitted.
    }
    expect((await request(h.akari.url).get('/readyz')).status).toBe(503);
    expect(h.logs.records().some((r) => r.msg === 'not ready' && JSON.stringify(r.err).includes('full'))).toBe(true);

    const who = Array.from({ length: 40 }, (_, i) => lineUserId(100 + i));
    const events = who.map((userId) => textEvent({ userId, text: 'こんにちは'.repeat(200), timestamp: clock.now().getTime(), replyToken: platform.issueReplyToken(userId) }));
    const post = (e: (typeof events)[number]) => {
      const body = callbackBody([e]);
      return request(h!.akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(body, TEST_SECRET)).send(body);
    };
    const statuses = await Promise.all(events.map((e) => post(e).then((r) => r.status)));
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses).toContain(503);

    // Room again: LINE redelivers what got a 503; everything acknowledged is answered, once.
    rmSync(filler);
    expect((await request(h.akari.url).get('/readyz')).status).toBe(200);
    for (const [i, e] of events.entries()) if (statuses[i] !== 200) expect((await post({ ...e, deliveryContext: { isRedelivery: true } })).status).toBe(200);
    const harness = h;
    await waitFor(async () => (await harness.akari.store.usersWithPendingInbox()).length === 0 && (await harness.akari.store.pendingOutbox()).length === 0, 'the backlog to clear');
    await h.akari.idle();
    for (const e of events) expect((await h.akari.store.getInboxRow(e.webhookEventId))?.status).toBe('done');
    expectEveryAnswerOnce(platform, databaseUrl, who);
  }, 60_000);

  it('a second process on the same SQLite file is refused at start, saying who holds it; the first keeps serving', async () => {
    const platform = createLinePlatform({ channelAccessToken: TEST_TOKEN, validate: false });
    const lineUrl = await platform.listen(0, '127.0.0.1');
    cleanups.push(() => platform.close());
    const vars = {
      ...testEnv(lineUrl, tempDatabaseUrl()),
      LOG_LEVEL: 'info',
    };
    const procs: AkariProcess[] = [];
    cleanups.push(async () => {
      for (const p of procs) await p.kill();
    });
    const first = spawnAkari(vars);
    procs.push(first);
    const serving = await first.waitForLog((r) => r.msg === 'Akari is serving LINE webhooks at /webhook', 'the first process to serve');
    const second = spawnAkari(vars);
    procs.push(second);
    const { code } = await second.exited;
    expect(code).toBe(1);
    expect(second.stderr()).toContain(`pid ${first.child.pid}`);
    expect(second.stderr()).toContain('PostgreSQL');
    // The first one is unaffected.
    const user = lineUserId(7);
    const e = textEvent({ userId: user, text: 'こんにちは', timestamp: Date.now(), replyToken: platform.issueReplyToken(user) });
    const body = callbackBody([e]);
    const res = await fetch(`${String(serving.url)}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, TEST_SECRET) }, body });
    expect(res.status).toBe(200);
    // After the first stops, the file is free again.
    await first.stop();
    const third = spawnAkari(vars);
    procs.push(third);
    await third.waitForLog((r) => r.msg === 'Akari is serving LINE webhooks at /webhook', 'a new process once the first stopped');
    // Answered exactly once, by the first process or (if it stopped first) the third.
    await waitFor(() => platform.deliveriesFor(user).length > 0, 'the answer');
    await third.stop();
    expect(platform.deliveriesFor(user)).toHaveLength(1);
  }, 90_000);
});
