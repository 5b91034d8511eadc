/**
 * Real Akari processes on one PostgreSQL database, against the fake LINE platform: users' events
 * alternate between two instances, one is killed with SIGKILL mid-load and restarted, then every
 * event is redelivered. Each user must receive exactly what a single instance delivers for the same
 * script: nothing lost, nothing doubled, in order. And a start on a database that can't be reached
 * stops with a message naming it, password redacted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { webhook } from '@line/bot-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { createLinePlatform, type LinePlatform } from '../../src/local/line-platform.ts';
import { callbackBody, followEvent, postbackEvent, signBody, textEvent } from '../../src/local/webhook-events.ts';
import { TEST_SECRET, TEST_TOKEN, testEnv, testValidator, waitFor } from '../support/harness.ts';
import { createTestSchema, querySchema, type TestSchema } from '../support/postgres.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const USERS = 24;

/** One user's script: the situation, answered first, then more of the story and a few details. */
type Step = { say: string } | { tap: string } | { follow: true };
const SCRIPT: Step[] = [
  { follow: true },
  { say: '3日前です' },
  { say: '知らない番号だったので出ませんでした' },
  { say: '3回' },
  { say: '株式会社サクラ物流' },
  { tap: 'action=skip' },
];

const userId = (i: number) => `U${String(i).padStart(4, '0')}${'0'.repeat(27)}a`;

interface Instance {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  output: string[];
}

function startInstance(env: Record<string, string>): Promise<Instance> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  createInterface({ input: child.stderr! }).on('line', (l) => output.push(l));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const url = /"url":"(http:\/\/[^"]+)"/.exec(line)?.[1];
      if (url && line.includes('serving LINE webhooks')) resolve({ child, url, exited, output });
    });
    void exited.then((code) => reject(new Error(`Akari exited with ${code} before it was ready:\n${output.join('\n')}`)));
  });
}

async function stopInstance(i: Instance | undefined): Promise<void> {
  if (!i || i.child.exitCode !== null || i.child.signalCode !== null) return;
  i.child.kill('SIGTERM');
  await i.exited;
}

async function post(url: string, events: webhook.Event[]): Promise<number> {
  const body = callbackBody(events);
  try {
    const res = await fetch(`${url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, TEST_SECRET) },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

function eventsFor(platform: LinePlatform, i: number): webhook.Event[] {
  const u = userId(i);
  return SCRIPT.map((step, k) => {
    const base = { userId: u, timestamp: Date.now() + k, replyToken: platform.issueReplyToken(u) };
    if ('follow' in step) return followEvent(base);
    if ('say' in step) return textEvent({ ...base, text: step.say });
    return postbackEvent({ ...base, data: step.tap });
  });
}

describe('several Akari processes on one PostgreSQL database', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const f of cleanup.reverse()) await f().catch(() => undefined);
    cleanup.length = 0;
  });

  async function setUp(): Promise<{ schema: TestSchema; platform: LinePlatform; env: Record<string, string> }> {
    const schema = await createTestSchema('procs');
    cleanup.push(() => schema.drop());
    const platform = createLinePlatform({ now: () => Date.now(), channelAccessToken: TEST_TOKEN, validator: testValidator() });
    const lineUrl = await platform.listen(0, '127.0.0.1');
    // LINE takes a while to answer: sends overlap with the next turns (and with the other instance's).
    platform.setLatency(20);
    cleanup.push(() => platform.close());
    const env = { ...testEnv(lineUrl, schema.url), LOG_LEVEL: 'info', RICH_MENU_PER_STAGE: 'false' };
    return { schema, platform, env };
  }

  async function settled(schema: TestSchema, platform: LinePlatform): Promise<void> {
    await waitFor(async () => {
      const [r] = await querySchema<{ inbox: number; outbox: number }>(
        schema,
        "SELECT (SELECT COUNT(*)::int FROM inbox WHERE status = 'pending') AS inbox, (SELECT COUNT(*)::int FROM outbox WHERE status = 'pending') AS outbox",
      );
      return r!.inbox === 0 && r!.outbox === 0;
    }, 'every event handled and every batch sent', 90_000);
    // Nothing more arrives afterwards (a late double would show up here).
    const count = platform.deliveries.length;
    await new Promise((r) => setTimeout(r, 500));
    expect(platform.deliveries.length).toBe(count);
  }

  it('delivers to each user exactly what one instance does, through a SIGKILL and a full redelivery', async () => {
    // The reference: one instance, the same script.
    const ref = await setUp();
    const single = await startInstance(ref.env);
    cleanup.push(() => stopInstance(single));
    await Promise.all(
      Array.from({ length: USERS }, async (_, i) => {
        for (const e of eventsFor(ref.platform, i)) expect(await post(single.url, [e])).toBe(200);
      }),
    );
    await settled(ref.schema, ref.platform);
    await stopInstance(single);
    const expected = Array.from({ length: USERS }, (_, i) => ref.platform.textsFor(userId(i)));
    expect(expected[0]!.join('\n')).toContain('知らない番号からの着信でも');

    // Two instances behind "one webhook URL": a user's events alternate between them.
    const { schema, platform, env } = await setUp();
    const [a, b0] = await Promise.all([startInstance(env), startInstance(env)]);
    let b = b0;
    cleanup.push(() => stopInstance(a), () => stopInstance(b));
    const all = Array.from({ length: USERS }, (_, i) => eventsFor(platform, i));
    let acked = 0;
    let killed = false;
    let restarted: Promise<void> | undefined;
    const total = USERS * SCRIPT.length;
    await Promise.all(
      all.map(async (events, i) => {
        for (const [k, e] of events.entries()) {
          // Like a load balancer: the event goes to its instance, or to the other if that one is down.
          for (let attempt = 0; ; attempt++) {
            const target = (i + k + attempt) % 2 === 0 ? a : b;
            if ((await post(target.url, [e])) === 200) break;
            if (attempt > 200) throw new Error(`event ${k} of user ${i} was never acknowledged`);
            await new Promise((r) => setTimeout(r, 10));
          }
          acked++;
          if (!killed && acked >= total / 3) {
            killed = true;
            b.child.kill('SIGKILL');
            restarted = b.exited.then(async () => {
              b = await startInstance(env);
            });
          }
        }
      }),
    );
    await restarted;
    expect(killed).toBe(true);

    // LINE redelivers every event, to either instance: all of them are known already.
    await Promise.all(
      all.flatMap((events, i) =>
        events.map(async (e, k) => {
          const target = (i + k) % 2 === 0 ? b : a;
          expect(await post(target.url, [{ ...e, deliveryContext: { isRedelivery: true } } as webhook.Event])).toBe(200);
        }),
      ),
    );
    await settled(schema, platform);

    for (let i = 0; i < USERS; i++) expect(platform.textsFor(userId(i)), `user ${i}`).toEqual(expected[i]);
    const [counts] = await querySchema<{ events: number; done: number }>(schema, "SELECT COUNT(*)::int AS events, COUNT(*) FILTER (WHERE status = 'done')::int AS done FROM inbox");
    expect(counts).toEqual({ events: total, done: total });
    // Nothing broke LINE's rules. A reply in flight when the instance was killed is tried again with
    // its token, which LINE then refuses as used (that is how the retry knows it went out).
    const used = (v: (typeof platform.violations)[number]) =>
      v.path === '/v2/bot/message/reply' && v.reasons.length > 0 && v.reasons.every((r) => r.includes('it was already used'));
    expect(platform.violations.filter((v) => !used(v))).toEqual([]);
  }, 240_000);

  it('stops at start with a message naming an unreachable DATABASE_URL, password redacted', async () => {
    const env = testEnv('http://127.0.0.1:9', 'postgres://akari:s3cret-pass@127.0.0.1:1/akari');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.resume();
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('DATABASE_URL=postgres://akari:***@127.0.0.1:1/akari');
    expect(stderr).toContain('ECONNREFUSED');
    expect(stderr).not.toContain('s3cret-pass');
  }, 60_000);
});
