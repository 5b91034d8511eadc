/**
 * The outage drill with a real Akari process and its production defaults (real clock, real backoff,
 * the periodic sweep): LINE unreachable while three users add Akari, then back. Every greeting
 * arrives, once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createLinePlatform } from '../../src/local/line-platform.ts';
import { callbackBody, followEvent, signBody } from '../../src/local/webhook-events.ts';
import { spawnAkari, type AkariProcess } from '../support/akari-process.ts';
import { expectEveryAnswerOnce, lineUserId } from '../support/exactly-once.ts';
import { tempDatabaseUrl, TEST_SECRET, TEST_TOKEN, waitFor, testEnv } from '../support/harness.ts';

describe('drill: LINE unreachable, a real process', () => {
  const procs: AkariProcess[] = [];
  const platform = createLinePlatform({ channelAccessToken: TEST_TOKEN, validate: false, checkRecipients: true });
  afterAll(async () => {
    for (const p of procs) await p.kill();
    await platform.close();
  });

  it('sends every greeting once LINE is reachable again, with nothing marked failed', async () => {
    const lineUrl = await platform.listen(0, '127.0.0.1');
    const databaseUrl = tempDatabaseUrl();
    const proc = spawnAkari({
      ...testEnv(lineUrl, databaseUrl),
      LOG_LEVEL: 'info',
    });
    procs.push(proc);
    const url = String((await proc.waitForLog((r) => r.msg === 'Akari is serving LINE webhooks at /webhook', 'Akari to serve')).url);
    await platform.goOffline();
    const who = [lineUserId(1), lineUserId(2), lineUserId(3)];
    for (const userId of who) {
      const body = callbackBody([followEvent({ userId, timestamp: Date.now(), replyToken: platform.issueReplyToken(userId) })]);
      const res = await fetch(`${url}/webhook`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, TEST_SECRET) }, body });
      expect(res.status).toBe(200);
    }
    const failures = () => proc.lines.filter((l) => l.includes('reply failed; trying the same token again while it is fresh')).length;
    await waitFor(() => failures() >= who.length * 3, 'three failed tries per greeting');
    await platform.goOnline();
    await waitFor(() => who.every((u) => platform.deliveriesFor(u).length > 0), 'every greeting', 60_000);
    await proc.stop();
    expectEveryAnswerOnce(platform, databaseUrl, who);
    expect(proc.lines.filter((l) => l.includes('"level":50'))).toEqual([]);
  }, 90_000);
});
