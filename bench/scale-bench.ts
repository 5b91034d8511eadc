/**
 * Scale figures: what Akari does with many users at once, beside the per-event webhook benchmark.
 *
 *   npm run bench:scale
 *   npm run bench:scale -- --timers 10000 --users 100000 --load 2000 --starts 5 [--skip-build] [--keep]
 *
 * 1. Timers falling due at once: N users waiting for the employer (the follow-up stage, a check-in
 *    timer pending, as a real conversation leaves them) all reach their check-in at the same minute.
 *    Akari (in this process, fake clock at the due time) fires them; a fake LINE API in a child
 *    process counts the pushes. Reported: time from firing to the last push accepted, pushes per
 *    second, and duplicates (a user pushed more than once, a retry key seen twice).
 * 2. Memory with many users stored: a database holding U users' conversations (each a clone of a
 *    real one, with a pending timer); Akari compiled (`npm run build`, `node dist/main.js`) starts
 *    on it; then L of those users each send a message. Reported: database size, RSS at ready, peak
 *    RSS (VmHWM) after the load.
 * 3. Cold start: from spawning `node dist/main.js` to the first 200 from /readyz, median of S starts
 *    on a small database, beside `tsx src/main.ts` (what `npm start` runs) measured alternately.
 *
 * Every wait is bounded and the script exits 1 if a figure misses its goal's precondition (a push
 * lost or doubled, a start that never became ready). Goals (issue "lean hot path"): all 10,000
 * pushes within 10 s, 0 duplicates; RSS ≤ 150 MB with 100,000 users; cold start ≤ 1 s.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config/load-config.ts';
import { callbackBody, postbackEvent, signBody, textEvent } from '../src/local/webhook-events.ts';
import { createLinePlatform, type LinePlatform } from '../src/local/line-platform.ts';
import { startAkari } from '../src/main.ts';
import { createSqliteStore } from '../src/store/sqlite-store.ts';
import type { Store } from '../src/store/ports.ts';
import { createFakeClock } from '../src/time/clock.ts';

const SELF = fileURLToPath(import.meta.url);
/** Akari's log lines in this process go nowhere: the figures are the output. */
const QUIET = { write: () => undefined };
const ROOT = resolve(dirname(SELF), '..');
const SECRET = 'bench-channel-secret-0123456789abcdef';
const TOKEN = 'bench-channel-access-token-0123456789';
/** A Tuesday morning in Japan: a business day, outside quiet hours. */
const START = '2026-12-01T11:00:00+09:00';

// ---------------------------------------------------------------------------------------------
// The fake LINE API child: counts what it accepts and answers the parent's questions.

interface Counts {
  pushes: number;
  replies: number;
  users: number;
  /** Users who received more than one push. */
  doubledUsers: number;
  /** Retry keys accepted more than once (LINE would have answered 409). */
  repeatedKeys: number;
}

async function runPlatformChild(): Promise<void> {
  const platform = createLinePlatform({ validate: false, channelAccessToken: TOKEN, replyTokenTtlMs: 10 * 60_000 });
  const url = await platform.listen(0, '127.0.0.1');
  const pushesPerUser = new Map<string, number>();
  const keys = new Map<string, number>();
  let pushes = 0;
  let replies = 0;
  platform.onDelivery((d) => {
    if (d.kind === 'push') {
      pushes += 1;
      pushesPerUser.set(d.userId, (pushesPerUser.get(d.userId) ?? 0) + 1);
      if (d.retryKey) keys.set(d.retryKey, (keys.get(d.retryKey) ?? 0) + 1);
    } else {
      replies += 1;
    }
  });
  process.on('message', (m: { type: string; users?: string[] }) => {
    if (m.type === 'counts') {
      const counts: Counts = {
        pushes,
        replies,
        users: pushesPerUser.size,
        doubledUsers: [...pushesPerUser.values()].filter((n) => n > 1).length,
        repeatedKeys: [...keys.values()].filter((n) => n > 1).length,
      };
      process.send?.({ type: 'counts', counts });
    } else if (m.type === 'tokens') {
      process.send?.({ type: 'tokens', tokens: (m.users ?? []).map((u) => platform.issueReplyToken(u)) });
    } else if (m.type === 'reset') {
      platform.reset();
      pushesPerUser.clear();
      keys.clear();
      pushes = 0;
      replies = 0;
      process.send?.({ type: 'reset' });
    } else if (m.type === 'close') {
      void platform.close().then(() => process.exit(0));
    }
  });
  // The benchmark ended (or failed): never outlive it.
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', url });
}

// ---------------------------------------------------------------------------------------------

interface PlatformChild {
  url: string;
  ask<T>(type: string, extra?: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

async function startPlatformChild(): Promise<PlatformChild> {
  const child = fork(SELF, ['--platform-child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((res, rej) => {
    const t = setTimeout(() => rej(new Error('fake LINE API did not start within 30 s')), 30_000);
    child.once('message', (m: { type: string; url: string }) => {
      clearTimeout(t);
      res(m.url);
    });
  });
  return {
    url,
    ask<T>(type: string, extra: Record<string, unknown> = {}) {
      return new Promise<T>((res) => {
        const on = (m: { type: string } & Record<string, unknown>) => {
          if (m.type !== type) return;
          child.off('message', on);
          res((m.counts ?? m.tokens ?? m) as T);
        };
        child.on('message', on);
        child.send({ type, ...extra });
      });
    },
    async close() {
      child.send({ type: 'close' });
      await new Promise((r) => child.once('exit', r));
    },
  };
}

function lineEnv(apiBaseUrl: string, databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LINE_CHANNEL_SECRET: SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: TOKEN,
    LINE_API_BASE_URL: apiBaseUrl,
    LINE_DATA_API_BASE_URL: apiBaseUrl,
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    RICH_MENU_PER_STAGE: 'false',
    PORT: '0',
    HOST: '127.0.0.1',
  };
}

function userId(n: number): string {
  return `U${n.toString(16).padStart(32, '0')}`;
}

function post(url: string, body: string): Promise<number> {
  return new Promise((res, rej) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, SECRET) } }, (r) => {
      r.resume();
      r.on('end', () => res(r.statusCode ?? 0));
    });
    req.on('error', rej);
    req.end(body);
  });
}

async function waitUntil<T>(check: () => Promise<T | undefined>, what: string, timeoutMs: number, everyMs = 50): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (performance.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * One real conversation, driven through the real app to the follow-up stage with a check-in
 * timer pending: the template every seeded user is a copy of.
 */
async function templateConversation(dir: string): Promise<{ conversation: NonNullable<Awaited<ReturnType<Store['loadConversation']>>>; timer: { kind: string; dueAt: number; payload: unknown } }> {
  const clock = createFakeClock(START);
  const platform: LinePlatform = createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken: TOKEN, validate: false });
  const url = await platform.listen(0, '127.0.0.1');
  const databaseUrl = `file:${join(dir, 'template.db')}`;
  const akari = await startAkari(loadConfig(lineEnv(url, databaseUrl)), { clock, logDestination: QUIET });
  const user = userId(1);
  const steps: Array<{ say?: string; tap?: string }> = [
    { say: '6日前に株式会社ミライから電話。携帯の修理中で出られませんでした。名前は佐藤健です' },
    { say: '電話する' },
    { tap: 'action=next' }, { tap: 'action=next' }, { tap: 'action=next' }, { tap: 'action=next' },
    { tap: 'action=outcome' }, { tap: 'action=outcome&v=waiting' }, { tap: 'action=thanksSent' },
    { tap: 'action=next' }, { tap: 'action=answer&q=waitDays&v=0' },
  ];
  for (const step of steps) {
    const base = { userId: user, timestamp: clock.now().getTime(), replyToken: platform.issueReplyToken(user) };
    const event = step.say !== undefined ? textEvent({ ...base, text: step.say }) : postbackEvent({ ...base, data: step.tap ?? '' });
    const status = await post(`${akari.url}/webhook`, callbackBody([event]));
    if (status !== 200) throw new Error(`template conversation: webhook answered ${status}`);
    await akari.idle();
  }
  const conversation = await akari.store.loadConversation(user);
  const timer = (await akari.store.pendingTimers(user)).find((t) => t.kind === 'checkIn');
  await akari.stop();
  await platform.close();
  if (!conversation || !timer) throw new Error('the template conversation did not reach the follow-up check-in (did the content change?)');
  return { conversation, timer: { kind: timer.kind, dueAt: timer.dueAt, payload: timer.payload } };
}

/** Writes `count` copies of the template (users 1…count), each with its own pending timer. */
async function seed(databaseUrl: string, template: Awaited<ReturnType<typeof templateConversation>>, count: number, dueAt: number): Promise<void> {
  const store = createSqliteStore(databaseUrl);
  const chunk = 500;
  for (let from = 0; from < count; from += chunk) {
    const writes: Array<Promise<void>> = [];
    for (let n = from; n < Math.min(count, from + chunk); n++) {
      const id = userId(n + 1);
      writes.push(
        store.commitTurn({
          userId: id,
          conversation: { ...template.conversation, userId: id },
          scheduleTimers: [{ id: randomUUID(), userId: id, kind: template.timer.kind, dueAt, payload: template.timer.payload, createdAt: 0 }],
        }),
      );
    }
    await Promise.all(writes);
  }
  await store.close();
}

function fileSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : Number.NaN;
}

interface Spawned {
  child: ChildProcess;
  url: string;
  readyMs: number;
}

/** Starts Akari as its own process and measures spawn → first 200 from /readyz. */
async function spawnAkari(command: string, args: string[], env: Record<string, string>, port: number): Promise<Spawned> {
  const t0 = performance.now();
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] });
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitUntil(
    () =>
      new Promise<true | undefined>((res) => {
        if (exited) throw new Error(`${command} ${args.join(' ')} exited before it was ready`);
        const req = http.get(`${url}/readyz`, (r) => {
          r.resume();
          res(r.statusCode === 200 ? true : undefined);
        });
        req.on('error', () => res(undefined));
      }),
    `${command} to answer /readyz`,
    60_000,
    5,
  );
  return { child, url, readyMs: performance.now() - t0 };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await gone;
  clearTimeout(timer);
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = http.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function runBench(): Promise<void> {
  const { values } = parseArgs({
    options: {
      timers: { type: 'string', default: '10000' },
      users: { type: 'string', default: '100000' },
      load: { type: 'string', default: '2000' },
      starts: { type: 'string', default: '5' },
      'skip-build': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  const timers = Number(values.timers);
  const users = Number(values.users);
  const load = Math.min(Number(values.load), users);
  const starts = Number(values.starts);
  const dir = mkdtempSync(join(os.tmpdir(), 'akari-scale-'));
  const failures: string[] = [];
  const rows: Array<[string, string, string]> = [];
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log(`Scale benchmark · ${cpu}, ${os.cpus().length} logical cores · Node ${process.version} · work folder in the OS temp dir`);

  try {
    if (!values['skip-build']) {
      console.log('building dist/ (npm run build)…');
      execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    }
    const template = await templateConversation(dir);
    const snapshotBytes = Buffer.byteLength(JSON.stringify(template.conversation.snapshot));
    console.log(`template conversation: stage ${template.conversation.stage}, snapshot ${snapshotBytes} bytes of JSON`);

    // 1. Timers falling due at once.
    {
      const platform = await startPlatformChild();
      const databaseUrl = `file:${join(dir, 'timers.db')}`;
      const dueAt = template.timer.dueAt;
      const t0 = performance.now();
      await seed(databaseUrl, template, timers, dueAt);
      console.log(`seeded ${timers} users with a check-in due at once (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      const clock = createFakeClock(new Date(dueAt - 60_000));
      const akari = await startAkari(loadConfig(lineEnv(platform.url, databaseUrl)), { clock, logDestination: QUIET });
      clock.set(new Date(dueAt));
      const fired = performance.now();
      await akari.scheduler.runDue();
      const firedMs = performance.now() - fired;
      let counts: Counts | undefined;
      try {
        counts = await waitUntil(
          async () => {
            const c = await platform.ask<Counts>('counts');
            return c.pushes >= timers ? c : undefined;
          },
          `${timers} pushes`,
          120_000,
        );
      } catch (err) {
        failures.push(String(err));
      }
      const allSentMs = performance.now() - fired;
      await akari.idle();
      await akari.stop();
      const final = await platform.ask<Counts>('counts');
      await platform.close();
      if (final.pushes !== timers || final.users !== timers) failures.push(`timers: ${final.pushes} pushes to ${final.users} users, expected ${timers} each`);
      if (final.doubledUsers > 0 || final.repeatedKeys > 0) failures.push(`timers: ${final.doubledUsers} users pushed twice, ${final.repeatedKeys} retry keys repeated`);
      rows.push([`${timers} timers due at once: all pushes sent after`, counts ? `${(allSentMs / 1000).toFixed(2)} s` : 'incomplete', '≤ 10 s']);
      rows.push(['  of which firing them (timer → inbox event)', `${(firedMs / 1000).toFixed(2)} s`, '']);
      rows.push(['  pushes per second', counts ? (timers / (allSentMs / 1000)).toFixed(0) : '—', '']);
      rows.push(['  duplicates (users pushed twice, retry keys repeated)', `${final.doubledUsers}, ${final.repeatedKeys}`, '0']);
    }

    // 2. Memory with many users stored, compiled JS.
    {
      const databaseUrl = `file:${join(dir, 'users.db')}`;
      const t0 = performance.now();
      // Due in a week: pending, as a real database holds them, without firing during the run.
      await seed(databaseUrl, template, users, Date.now() + 7 * 86_400_000);
      const dbPath = join(dir, 'users.db');
      const dbBytes = fileSize(dbPath) + fileSize(`${dbPath}-wal`);
      console.log(`seeded ${users} users (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      const platform = await startPlatformChild();
      const port = await freePort();
      const akari = await spawnAkari(process.execPath, ['dist/main.js'], lineEnv(platform.url, databaseUrl), port);
      const pid = akari.child.pid ?? 0;
      const rssReady = procStatus(pid, 'VmRSS');
      const picked = Array.from({ length: load }, (_, i) => userId(1 + Math.floor((i * users) / load)));
      const tokens = await platform.ask<string[]>('tokens', { users: picked });
      const concurrency = 20;
      let next = 0;
      const sendAll = async () => {
        while (next < picked.length) {
          const i = next++;
          const event = textEvent({ userId: picked[i]!, text: 'まだ連絡は来ていません', timestamp: Date.now(), replyToken: tokens[i]! });
          const status = await post(`${akari.url}/webhook`, callbackBody([event]));
          if (status !== 200) failures.push(`users: webhook answered ${status}`);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, sendAll));
      try {
        await waitUntil(
          async () => {
            const c = await platform.ask<Counts>('counts');
            return c.replies + c.pushes >= load ? c : undefined;
          },
          `${load} answers`,
          120_000,
        );
      } catch (err) {
        failures.push(String(err));
      }
      const rssAfter = procStatus(pid, 'VmRSS');
      const rssPeak = procStatus(pid, 'VmHWM');
      await stopChild(akari.child);
      await platform.close();
      rows.push([`database with ${users} users (SQLite file + WAL)`, `${mb(dbBytes)} MB`, '']);
      rows.push(['RSS when ready (compiled JS)', `${mb(rssReady)} MB`, '≤ 150 MB']);
      rows.push([`RSS after ${load} of them wrote (now / peak)`, `${mb(rssAfter)} / ${mb(rssPeak)} MB`, '≤ 150 MB']);
    }

    // 3. Cold start to /readyz, compiled JS beside tsx, alternately.
    {
      const platform = await startPlatformChild();
      const compiled: number[] = [];
      const viaTsx: number[] = [];
      for (let i = 0; i < starts; i++) {
        for (const [list, args] of [
          [compiled, ['dist/main.js']],
          [viaTsx, ['--import', 'tsx', 'src/main.ts']],
        ] as const) {
          const databaseUrl = `file:${join(dir, `start-${randomBytes(4).toString('hex')}.db`)}`;
          const started = await spawnAkari(process.execPath, [...args], lineEnv(platform.url, databaseUrl), await freePort());
          list.push(started.readyMs);
          await stopChild(started.child);
        }
      }
      await platform.close();
      rows.push([`cold start to /readyz, node dist/main.js (median of ${starts})`, `${(median(compiled) / 1000).toFixed(2)} s`, '≤ 1 s']);
      rows.push([`cold start to /readyz, tsx src/main.ts (median of ${starts})`, `${(median(viaTsx) / 1000).toFixed(2)} s`, '']);
    }
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  }

  const width = Math.max(...rows.map((r) => r[0].length));
  console.log(`\n| ${'figure'.padEnd(width)} | measured | goal |\n|${'-'.repeat(width + 2)}|---------:|-----:|`);
  for (const [name, value, goal] of rows) console.log(`| ${name.padEnd(width)} | ${value} | ${goal} |`);
  if (failures.length > 0) {
    console.error(`\n${failures.length} problem(s):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exit(1);
  }
}

if (process.argv[2] === '--platform-child') await runPlatformChild();
else await runBench();
