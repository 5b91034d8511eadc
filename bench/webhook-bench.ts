/**
 * Webhook load benchmark: Akari against a minimal @line/bot-sdk echo bot, in the same run, on loopback.
 *
 *   npm run bench
 *   npm run bench -- --stores [...]   SQLite vs PostgreSQL (one and two instances): bench/store-bench.ts
 *   npm run bench -- --events 2000 --concurrency 20 --warmup 2000 --rounds 1 [--rate N]
 *                    [--closed-only] [--only akari|echo] [--profile] [--timeline] [--keep-db] [--flows DIR] [--readme]
 *
 * Three kinds of process, so that nothing measured shares an event loop with the load generator:
 *   - this process: the load generator (N signed text-message webhooks from C users; each user's
 *     events one after the other, users in parallel) and the report;
 *   - a fake LINE API child: the project's local LINE platform with body validation off, which counts
 *     the reply/push requests it accepts and hands out reply tokens in bulk;
 *   - a bot child: Akari (`startAkari`, temp SQLite file, LOG_LEVEL=warn, system clock) or the echo
 *     bot (bench/echo-bot.ts).
 * Each bot gets a fresh fake LINE API, a fresh process and a warm-up that is not measured (as many
 * events as the measured run unless --warmup says otherwise: both bots get faster for ~1500 events).
 *
 * Runs, per round: the echo bot, closed loop (each user sends again as soon as the previous event is
 * acknowledged); Akari, closed loop; then Akari again with new users, paced at the echo bot's
 * acknowledged rate from the same round ("at that load"). Measured per run: acknowledged events/s
 * (200s per second from the first send to the last ack), ack latency p50/p99 (send → 200), replies/s
 * (reply + push requests the fake API accepted, per second from the first send to the last one), CPU
 * per event of each process, and for Akari that every event is in the inbox (the SQLite file is
 * opened read-only after Akari has stopped). Every wait is bounded; exit 1 if an event was lost.
 * --rate N paces Akari's second run at N events/s instead of the echo bot's rate; --profile adds
 * where each bot's CPU goes (V8 sampling profile of the closed-loop run); --timeline adds the
 * acknowledgements and replies of each closed-loop run per 100 ms; --readme writes the report
 * between the README's bench markers (without the profile or the timeline).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { callbackBody, signBody, textEvent } from '../src/local/webhook-events.ts';
import { createSystemClock } from '../src/time/clock.ts';

const SELF = fileURLToPath(import.meta.url);
// Real time throughout: webhook timestamps, and the date in the README.
const clock = createSystemClock();
const REPO_ROOT = resolve(dirname(SELF), '..');

type BotName = 'echo' | 'akari';
type Role = 'platform' | BotName;

// ---------------------------------------------------------------------------------------------
// What parent and children say to each other (over the fork IPC channel).

interface InitMessage {
  type: 'init';
  channelSecret: string;
  channelAccessToken: string;
  platformUrl?: string;
  databasePath?: string;
  flowsDir?: string;
}
type Call =
  | { type: 'issueTokens'; users: Array<{ userId: string; count: number }> }
  | { type: 'stats' }
  | { type: 'deliveryTimes' }
  | { type: 'reset' }
  | { type: 'idle' }
  | { type: 'cpu' }
  | { type: 'profileStart' }
  | { type: 'profileStop'; path: string }
  | { type: 'stop' };
type CallMessage = Call & { id: number };
type FromChild = { type: 'ready'; url: string } | { type: 'result'; id: number; value?: unknown; error?: string };

interface PlatformStats {
  replies: number;
  pushes: number;
  rejected: number;
  rejectReasons: string[];
  firstAt: number | undefined;
  lastAt: number | undefined;
}

/** CPU time used so far and the event loop's busy/idle time so far. */
interface ProcessLoad {
  usage: NodeJS.CpuUsage;
  elu: { idle: number; active: number };
}

/** Wall-clock ms with sub-ms precision, comparable between processes on one machine. */
const wallNow = (): number => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------
// Children.

async function runChild(role: Role): Promise<void> {
  const init = await new Promise<InitMessage>((resolveInit) => {
    process.once('message', (m) => resolveInit(m as InitMessage));
  });
  const handlers = await startRole(role, init);
  const profiler = createProfiler();
  // The parent went away (Ctrl-C, crash): don't linger.
  process.once('disconnect', () => setTimeout(() => process.exit(0), 50));
  process.on('message', (raw) => {
    const message = raw as CallMessage;
    void (async () => {
      try {
        let value: unknown;
        // CPU time used so far, so the parent can tell what each process spends per event.
        if (message.type === 'cpu') value = { usage: process.cpuUsage(), elu: performance.eventLoopUtilization() } satisfies ProcessLoad;
        else if (message.type === 'profileStart') await profiler.start();
        else if (message.type === 'profileStop') await profiler.stop(message.path);
        else value = await handlers.call(message);
        process.send?.({ type: 'result', id: message.id, value } satisfies FromChild);
        if (message.type === 'stop') {
          process.disconnect();
          // Give stdout a moment to flush.
          setTimeout(() => process.exit(0), 50);
        }
      } catch (err) {
        process.send?.({ type: 'result', id: message.id, error: err instanceof Error ? err.stack ?? err.message : String(err) } satisfies FromChild);
      }
    })();
  });
  process.send?.({ type: 'ready', url: handlers.url } satisfies FromChild);
}

/** V8's sampling profiler over the inspector, started and stopped around the measured run only. */
function createProfiler() {
  let session: Session | undefined;
  return {
    async start() {
      session = new Session();
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 250 });
      await session.post('Profiler.start');
    },
    async stop(path: string) {
      if (!session) return;
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(path, JSON.stringify(profile));
      session.disconnect();
      session = undefined;
    },
  };
}

async function startRole(role: Role, init: InitMessage): Promise<{ url: string; call: (m: Call) => Promise<unknown> }> {
  if (role === 'platform') {
    const { createLinePlatform } = await import('../src/local/line-platform.ts');
    // No OpenAPI validation: the fake API should cost as little as possible and the same for both bots.
    // Tokens are handed out in bulk before a run, so they live longer than LINE's; each bot still
    // applies its own age rule from the moment the webhook arrives.
    const platform = createLinePlatform({ validate: false, channelAccessToken: init.channelAccessToken, replyTokenTtlMs: 10 * 60_000 });
    const url = await platform.listen(0, '127.0.0.1');
    let stats: PlatformStats = emptyStats();
    // When each request was accepted, for --timeline: asked for once after a run, not with every poll.
    let deliveredAt: number[] = [];
    platform.onDelivery((d) => {
      const at = wallNow();
      deliveredAt.push(at);
      if (d.kind === 'reply') stats.replies += 1;
      else stats.pushes += 1;
      stats.firstAt ??= at;
      stats.lastAt = at;
    });
    platform.onViolation((v) => {
      stats.rejected += 1;
      if (stats.rejectReasons.length < 5) stats.rejectReasons.push(`${v.status} ${v.path}: ${v.reasons.join('; ')}`);
    });
    return {
      url,
      async call(m) {
        switch (m.type) {
          case 'issueTokens':
            return Object.fromEntries(m.users.map((u) => [u.userId, Array.from({ length: u.count }, () => platform.issueReplyToken(u.userId))]));
          case 'stats':
            return stats;
          case 'deliveryTimes':
            return deliveredAt;
          case 'reset':
            // Forget the warm-up: recorded requests, deliveries, tokens.
            platform.reset();
            stats = emptyStats();
            deliveredAt = [];
            return undefined;
          case 'stop':
            await platform.close();
            return undefined;
          default:
            return undefined;
        }
      },
    };
  }

  if (role === 'akari') {
    const { loadConfig } = await import('../src/config/load-config.ts');
    const { startAkari } = await import('../src/main.ts');
    const config = loadConfig({
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      LINE_CHANNEL_SECRET: init.channelSecret,
      LINE_CHANNEL_ACCESS_TOKEN: init.channelAccessToken,
      LINE_API_BASE_URL: init.platformUrl,
      LINE_DATA_API_BASE_URL: init.platformUrl,
      DATABASE_URL: `file:${init.databasePath}`,
      FLOWS_DIR: init.flowsDir ?? join(REPO_ROOT, 'flows'),
    });
    const akari = await startAkari(config);
    return {
      url: `${akari.url}/webhook`,
      async call(m) {
        if (m.type === 'idle') await akari.idle();
        if (m.type === 'stop') await akari.stop();
        return undefined;
      },
    };
  }

  const { createEchoBot } = await import('./echo-bot.ts');
  const app = createEchoBot({ channelSecret: init.channelSecret, channelAccessToken: init.channelAccessToken, apiBaseUrl: init.platformUrl ?? '' });
  const server = await new Promise<http.Server>((resolveServer, reject) => {
    const s = app.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolveServer(s)));
  });
  const address = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/callback`,
    async call(m) {
      if (m.type === 'stop') {
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
      }
      return undefined;
    },
  };
}

function emptyStats(): PlatformStats {
  return { replies: 0, pushes: 0, rejected: 0, rejectReasons: [], firstAt: undefined, lastAt: undefined };
}

// ---------------------------------------------------------------------------------------------
// Parent side: a child with request/answer calls, every wait bounded.

interface ChildHandle {
  url: string;
  call<T = unknown>(call: Call, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

async function spawnChild(role: Role, init: Omit<InitMessage, 'type'>): Promise<ChildHandle> {
  const child: ChildProcess = fork(SELF, [`--role=${role}`], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  // Children's output (Akari's warn/error logs) goes to stderr, prefixed, away from the report.
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => process.stderr.write(`[${role}] ${line}\n`));
  }
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let exited = false;
  const exitPromise = new Promise<void>((r) => child.once('exit', () => {
    exited = true;
    for (const p of pending.values()) p.reject(new Error(`${role} child exited`));
    pending.clear();
    r();
  }));

  const url = await withTimeout(
    new Promise<string>((resolveUrl, reject) => {
      child.on('message', (raw) => {
        const m = raw as FromChild;
        if (m.type === 'ready') resolveUrl(m.url);
        else if (m.type === 'result') {
          const p = pending.get(m.id);
          pending.delete(m.id);
          if (m.error !== undefined) p?.reject(new Error(`${role}: ${m.error}`));
          else p?.resolve(m.value);
        }
      });
      child.once('exit', (code) => reject(new Error(`${role} child exited with ${code} before it was ready`)));
      child.send({ type: 'init', ...init } satisfies InitMessage);
    }),
    30_000,
    `${role} start`,
  ).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });

  const call = <T,>(c: Call, timeoutMs = 30_000): Promise<T> => {
    if (exited) return Promise.reject(new Error(`${role} child is gone`));
    const id = nextId++;
    const answer = new Promise<T>((res, rej) => {
      pending.set(id, { resolve: res as (v: unknown) => void, reject: rej });
    });
    child.send({ ...c, id } satisfies CallMessage);
    return withTimeout(answer, timeoutMs, `${role} ${c.type}`);
  };

  return {
    url,
    call,
    async stop() {
      if (exited) return;
      await call({ type: 'stop' }, 15_000).catch((err: unknown) => process.stderr.write(`${String(err)}\n`));
      await withTimeout(exitPromise, 10_000, `${role} exit`).catch(() => child.kill('SIGKILL'));
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Load generator.

// A conversation a job seeker might have, in a loop: commands, stage moves and free text, so Akari
// walks through its stages instead of answering one path over and over.
const SCRIPT = [
  'こんにちは',
  '面接のあとに知らない番号から3回電話がありました',
  '次へ',
  'スマホを修理に出していて出られませんでした',
  '次へ',
  'ヘルプ',
  '戻る',
  '次へ',
  '次へ',
  '株式会社サンプル商事です。5日たっています',
  '次へ',
  '最初から',
];

interface LoadOptions {
  url: string;
  channelSecret: string;
  events: number;
  concurrency: number;
  userPrefix: string;
  tokens: Record<string, string[]>;
  /** Paced (open loop): event j is due at start + j / rate. Closed loop (as fast as acks come back) when absent. */
  ratePerSec?: number;
  deadlineMs: number;
  requestTimeoutMs: number;
}

interface LoadResult {
  startedAt: number;
  lastAckAt: number;
  sent: number;
  acked: number;
  failed: number;
  failures: string[];
  latencies: Float64Array;
  /** When each acknowledgement came back (wall clock), in order. */
  ackedAt: Float64Array;
  eventIds: string[];
  users: string[];
}

const userIdOf = (prefix: string, i: number): string => `U${prefix}${i.toString(16).padStart(32 - prefix.length, '0')}`;

/** Which user sends each event: events dealt round-robin, so users differ by one event at most. */
function usersPlan(events: number, concurrency: number, prefix: string): Array<{ userId: string; count: number }> {
  const users = Math.max(1, Math.min(concurrency, events));
  return Array.from({ length: users }, (_, i) => ({
    userId: userIdOf(prefix, i),
    count: Math.floor(events / users) + (i < events % users ? 1 : 0),
  }));
}

function postWebhook(agent: http.Agent, url: URL, body: string, signature: string, timeoutMs: number): Promise<{ status: number; error?: string }> {
  return new Promise((resolvePost) => {
    let done = false;
    const finish = (result: { status: number; error?: string }) => {
      if (done) return;
      done = true;
      resolvePost(result);
    };
    const req = http.request(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-line-signature': signature },
        timeout: timeoutMs,
      },
      (res) => {
        res.resume();
        res.once('end', () => finish({ status: res.statusCode ?? 0 }));
        res.once('error', (err) => finish({ status: 0, error: err.message }));
      },
    );
    req.once('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.once('error', (err) => finish({ status: 0, error: err.message }));
    req.end(body);
  });
}

async function generateLoad(opts: LoadOptions): Promise<LoadResult> {
  const url = new URL(opts.url);
  const plan = usersPlan(opts.events, opts.concurrency, opts.userPrefix);
  const agent = new http.Agent({ keepAlive: true, maxSockets: plan.length });
  const latencies = new Float64Array(opts.events);
  const ackedAt = new Float64Array(opts.events);
  const eventIds: string[] = [];
  const failures: string[] = [];
  let sent = 0;
  let acked = 0;
  let failed = 0;
  let lastAckAt = 0;
  const startedAt = wallNow();
  const deadline = startedAt + opts.deadlineMs;

  await Promise.all(
    plan.map(async ({ userId, count }, u) => {
      const tokens = opts.tokens[userId] ?? [];
      for (let k = 0; k < count && wallNow() < deadline; k++) {
        if (opts.ratePerSec) {
          // User u sends the events u, u + C, u + 2C… of the whole sequence.
          const dueAt = startedAt + ((u + k * plan.length) * 1000) / opts.ratePerSec;
          const wait = dueAt - wallNow();
          if (wait > 1) await delay(wait);
        }
        const text = SCRIPT[k % SCRIPT.length]!;
        const event = textEvent({ userId, text, timestamp: clock.now().getTime(), replyToken: tokens[k] });
        const body = callbackBody([event]);
        const signature = signBody(body, opts.channelSecret);
        eventIds.push(event.webhookEventId);
        const index = sent++;
        const t0 = wallNow();
        const { status, error } = await postWebhook(agent, url, body, signature, opts.requestTimeoutMs);
        const t1 = wallNow();
        if (status === 200) {
          ackedAt[acked] = t1;
          latencies[acked++] = t1 - t0;
          lastAckAt = Math.max(lastAckAt, t1);
        } else {
          failed += 1;
          if (failures.length < 5) failures.push(`event ${index}: ${status || error}`);
        }
      }
    }),
  );
  agent.destroy();
  return { startedAt, lastAckAt, sent, acked, failed, failures, latencies: latencies.slice(0, acked).sort(), ackedAt: ackedAt.slice(0, acked), eventIds, users: plan.map((p) => p.userId) };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

// ---------------------------------------------------------------------------------------------
// One bot, measured.

interface BenchOptions {
  events: number;
  concurrency: number;
  warmup: number;
  rounds: number;
  paced: boolean;
  /** Pace Akari's second run at this rate instead of the echo bot's. */
  rate?: number;
  profileDir?: string;
  /** Print acknowledgements and replies per 100 ms of each closed-loop run. */
  timeline: boolean;
  keepDb: boolean;
  flowsDir: string;
  /** Write the report into this README's bench section. */
  readme?: string;
}

interface CpuSplit {
  bot: number;
  platform: number;
  generator: number;
}

interface Snapshot {
  at: number;
  cpu: CpuSplit;
  botElu: { idle: number; active: number };
  /** CPU ms the whole machine has been busy, all cores together (os.cpus()). */
  machineBusyMs: number;
}

function machineBusyMs(): number {
  return os.cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}

/** One measured run of one bot. */
interface RunResult {
  load: LoadResult;
  stats: PlatformStats;
  repliesComplete: boolean;
  /** CPU ms per event spent by each process during the run (user + system). */
  cpu: CpuSplit;
  /** The bot's event loop: share of the run's wall time it was busy, and share it was on a CPU. */
  botBusy: number;
  botOnCpu: number;
  /** CPU the rest of the machine used meanwhile (other programs), in cores. */
  otherCores: number;
  ratePerSec?: number;
  profilePath?: string;
  /** --timeline: when the fake LINE API accepted each reply or push (wall clock). */
  deliveredAt?: number[];
}

interface BotResult {
  bot: BotName;
  closed: RunResult;
  /** Akari only: a second run paced at the echo bot's acknowledged rate. */
  paced?: RunResult;
  persisted?: { found: number; done: number; expected: number; outbox: Record<string, number> };
}

async function measureBot(bot: BotName, opts: BenchOptions, pacedRate?: number): Promise<BotResult> {
  const channelSecret = randomBytes(16).toString('hex');
  const channelAccessToken = `bench-${randomBytes(12).toString('hex')}`;
  const dbDir = bot === 'akari' ? mkdtempSync(join(os.tmpdir(), 'akari-bench-')) : undefined;
  const databasePath = dbDir ? join(dbDir, 'akari.db') : undefined;

  const platform = await spawnChild('platform', { channelSecret, channelAccessToken });
  let botChild: ChildHandle | undefined;
  try {
    const child = await spawnChild(bot, { channelSecret, channelAccessToken, platformUrl: platform.url, flowsDir: opts.flowsDir, ...(databasePath ? { databasePath } : {}) });
    botChild = child;

    const run = async (events: number, userPrefix: string, ratePerSec?: number, profilePath?: string): Promise<RunResult> => {
      // Forget what came before (warm-up, the closed-loop run): requests, deliveries, tokens.
      await platform.call({ type: 'reset' });
      const tokens = await platform.call<Record<string, string[]>>({ type: 'issueTokens', users: usersPlan(events, opts.concurrency, userPrefix) });
      if (profilePath) await child.call({ type: 'profileStart' });
      const before = await snapshotOf(platform, child);
      const load = await generateLoad({
        url: child.url,
        channelSecret,
        events,
        concurrency: opts.concurrency,
        userPrefix,
        tokens,
        ...(ratePerSec ? { ratePerSec } : {}),
        deadlineMs: 60_000,
        requestTimeoutMs: 10_000,
      });
      const { stats, complete } = await waitForReplies(platform, child, bot, load.acked);
      const after = await snapshotOf(platform, child);
      if (profilePath) await child.call({ type: 'profileStop', path: profilePath });
      const deliveredAt = opts.timeline ? await platform.call<number[]>({ type: 'deliveryTimes' }) : undefined;
      const perEvent = (k: keyof CpuSplit) => (after.cpu[k] - before.cpu[k]) / 1000 / Math.max(1, load.sent);
      const cpu: CpuSplit = { bot: perEvent('bot'), platform: perEvent('platform'), generator: perEvent('generator') };
      const wallMs = after.at - before.at;
      const active = after.botElu.active - before.botElu.active;
      const idle = after.botElu.idle - before.botElu.idle;
      return {
        load,
        stats,
        repliesComplete: complete,
        cpu,
        botBusy: active / Math.max(1, active + idle),
        botOnCpu: (after.cpu.bot - before.cpu.bot) / 1000 / Math.max(1, wallMs),
        otherCores: Math.max(0, after.machineBusyMs - before.machineBusyMs - (ourCpuUs(after.cpu) - ourCpuUs(before.cpu)) / 1000) / Math.max(1, wallMs),
        ...(ratePerSec ? { ratePerSec } : {}),
        ...(deliveredAt ? { deliveredAt } : {}),
      };
    };

    if (opts.warmup > 0) {
      process.stderr.write(`${bot}: warm-up, ${opts.warmup} events…\n`);
      await run(opts.warmup, 'f');
    }
    process.stderr.write(`${bot}: ${opts.events} events from ${opts.concurrency} users, closed loop…\n`);
    const profilePath = opts.profileDir ? join(opts.profileDir, `${bot}-${randomBytes(3).toString('hex')}.cpuprofile`) : undefined;
    const closed = await run(opts.events, 'a', undefined, profilePath);
    if (profilePath) closed.profilePath = profilePath;
    let paced: RunResult | undefined;
    if (pacedRate) {
      process.stderr.write(`${bot}: ${opts.events} events paced at ${pacedRate.toFixed(0)}/s…\n`);
      paced = await run(opts.events, 'b', pacedRate);
    }

    await child.stop();
    botChild = undefined;
    const result: BotResult = { bot, closed, ...(paced ? { paced } : {}) };
    if (databasePath) {
      const runs = [closed, ...(paced ? [paced] : [])];
      result.persisted = checkPersisted(databasePath, runs.flatMap((r) => r.load.eventIds), runs.flatMap((r) => r.load.users));
    }
    return result;
  } finally {
    await botChild?.stop();
    await platform.stop();
    if (dbDir && !opts.keepDb) rmSync(dbDir, { recursive: true, force: true });
    else if (dbDir) process.stderr.write(`Akari's database kept at ${databasePath}\n`);
  }
}

const ourCpuUs = (c: CpuSplit) => c.bot + c.platform + c.generator;

async function snapshotOf(platform: ChildHandle, bot: ChildHandle): Promise<Snapshot> {
  const total = (u: NodeJS.CpuUsage) => u.user + u.system;
  const [p, b] = await Promise.all([platform.call<ProcessLoad>({ type: 'cpu' }), bot.call<ProcessLoad>({ type: 'cpu' })]);
  return { at: wallNow(), cpu: { bot: total(b.usage), platform: total(p.usage), generator: total(process.cpuUsage()) }, botElu: b.elu, machineBusyMs: machineBusyMs() };
}

/**
 * Until the replies have stopped coming: every acknowledged event gets at least one reply from both
 * bots; Akari's own idle() says when its queues are empty. Bounded by a timeout either way.
 */
async function waitForReplies(platform: ChildHandle, bot: ChildHandle, name: BotName, acked: number): Promise<{ stats: PlatformStats; complete: boolean }> {
  const deadline = wallNow() + 30_000;
  if (name === 'akari') await bot.call({ type: 'idle' }, 30_000).catch((err: unknown) => process.stderr.write(`${String(err)}\n`));
  let last = -1;
  let stableSince = wallNow();
  for (;;) {
    const stats = await platform.call<PlatformStats>({ type: 'stats' });
    const delivered = stats.replies + stats.pushes;
    if (delivered !== last) {
      last = delivered;
      stableSince = wallNow();
    }
    const enough = delivered >= acked;
    if (enough && wallNow() - stableSince >= 200) return { stats, complete: true };
    if (wallNow() > deadline) return { stats, complete: enough };
    await delay(50);
  }
}

function checkPersisted(path: string, eventIds: string[], users: string[]): NonNullable<BotResult['persisted']> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT event_id AS id, status FROM inbox').all() as Array<{ id: string; status: string }>;
    const byId = new Map(rows.map((r) => [r.id, r.status]));
    let found = 0;
    let done = 0;
    for (const id of eventIds) {
      const status = byId.get(id);
      if (status !== undefined) found += 1;
      if (status === 'done') done += 1;
    }
    const placeholders = users.map(() => '?').join(',');
    const outboxRows = db
      .prepare(`SELECT status || coalesce('/' || sent_via, '') AS k, COUNT(*) AS n FROM outbox WHERE user_id IN (${placeholders}) GROUP BY k`)
      .all(...users) as Array<{ k: string; n: number }>;
    return { found, done, expected: eventIds.length, outbox: Object.fromEntries(outboxRows.map((r) => [r.k, r.n])) };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Report.

interface Figures {
  ackedPerSec: number;
  p50: number;
  p99: number;
  max: number;
  repliesPerSec: number;
  replies: number;
  lastReplyS: number;
  cpuBot: number;
  cpuPlatform: number;
  cpuGenerator: number;
  botBusy: number;
  botOnCpu: number;
  otherCores: number;
}

function figuresOf(r: RunResult): Figures {
  const ackWindow = (r.load.lastAckAt - r.load.startedAt) / 1000;
  const replies = r.stats.replies + r.stats.pushes;
  const replyWindow = ((r.stats.lastAt ?? r.load.startedAt) - r.load.startedAt) / 1000;
  return {
    ackedPerSec: ackWindow > 0 ? r.load.acked / ackWindow : 0,
    p50: percentile(r.load.latencies, 0.5),
    p99: percentile(r.load.latencies, 0.99),
    max: percentile(r.load.latencies, 1),
    repliesPerSec: replyWindow > 0 ? replies / replyWindow : 0,
    replies,
    lastReplyS: replyWindow,
    cpuBot: r.cpu.bot,
    cpuPlatform: r.cpu.platform,
    cpuGenerator: r.cpu.generator,
    botBusy: r.botBusy * 100,
    botOnCpu: r.botOnCpu * 100,
    otherCores: r.otherCores,
  };
}

function medianOf(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median of each figure over the rounds (the middle round's value for an odd count). */
function medianFigures(all: Figures[]): Figures | undefined {
  if (all.length === 0) return undefined;
  const keys = Object.keys(all[0]!) as Array<keyof Figures>;
  return Object.fromEntries(keys.map((k) => [k, medianOf(all.map((f) => f[k]))])) as unknown as Figures;
}

function machine(): string {
  const cpus = os.cpus();
  return [
    `${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} logical cores`,
    `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `${os.type()} ${os.release()} ${os.arch()}`,
    `Node ${process.version}`,
  ].join(' · ');
}

function markdownTable(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)];
}

function report(rounds: BotResult[][], opts: BenchOptions): boolean {
  const all = rounds.flat();
  const echoRuns = all.filter((r) => r.bot === 'echo').map((r) => figuresOf(r.closed));
  const akariRuns = all.filter((r) => r.bot === 'akari').map((r) => figuresOf(r.closed));
  const pacedRuns = all.flatMap((r) => (r.bot === 'akari' && r.paced ? [figuresOf(r.paced)] : []));
  const fe = medianFigures(echoRuns);
  const fa = medianFigures(akariRuns);
  const fp = medianFigures(pacedRuns);
  const n = (v: number | undefined, digits = 0) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(digits));
  const ratio = (a: number | undefined, e: number | undefined) => (a === undefined || e === undefined || e === 0 ? '—' : `${(a / e).toFixed(2)}×`);
  const sum = (f: (r: BotResult) => number, bot: BotName) => all.filter((r) => r.bot === bot).reduce((s, r) => s + f(r), 0);
  const pacedRates = all.flatMap((r) => (r.paced?.ratePerSec ? [r.paced.ratePerSec] : []));

  // The most events/s the machine could carry at the measured CPU per event of the three processes,
  // were every core busy with them and nothing else: spreading a bot over threads doesn't lift it;
  // only spending less CPU per event does (and that changes with the load).
  const cores = os.cpus().length;
  const ceilingOf = (f: Figures) => (cores * 1000) / (f.cpuBot + f.cpuPlatform + f.cpuGenerator);

  const pacedLabel = opts.rate ? `Akari at ${opts.rate}/s` : 'Akari at echo’s rate';
  const header = ['', 'echo bot', 'Akari', 'Akari/echo', ...(fp ? [pacedLabel] : [])];
  const row = (label: string, pick: (f: Figures) => number, digits: number, withRatio = true) => [
    label,
    n(fe && pick(fe), digits),
    n(fa && pick(fa), digits),
    withRatio ? ratio(fa && pick(fa), fe && pick(fe)) : '',
    ...(fp ? [n(pick(fp), digits)] : []),
  ];
  const rows: string[][] = [
    header,
    row('acknowledged events/s', (f) => f.ackedPerSec, 0),
    row('ack latency p50 (ms)', (f) => f.p50, 1),
    row('ack latency p99 (ms)', (f) => f.p99, 1),
    row('ack latency max (ms)', (f) => f.max, 1),
    row('replies/s', (f) => f.repliesPerSec, 0),
    row('last reply after (s)', (f) => f.lastReplyS, 2, false),
    row('bot CPU per event (ms)', (f) => f.cpuBot, 2),
    row('fake LINE API CPU per event (ms)', (f) => f.cpuPlatform, 2, false),
    row('load generator CPU per event (ms)', (f) => f.cpuGenerator, 2, false),
    row(`CPU ceiling: events/s with all ${cores} cores busy`, ceilingOf, 0),
    row('bot event loop busy (% of wall time)', (f) => f.botBusy, 0, false),
    row('bot process on a CPU (% of wall time)', (f) => f.botOnCpu, 0, false),
    row('other programs on the machine (cores busy)', (f) => f.otherCores, 2, false),
  ];
  const echoAll = all.filter((r) => r.bot === 'echo');
  const akariAll = all.filter((r) => r.bot === 'akari');
  const counts = (rs: BotResult[], pick: (r: BotResult) => RunResult | undefined) => {
    const runs = rs.flatMap((r) => (pick(r) ? [pick(r)!] : []));
    if (runs.length === 0) return '—';
    return `${runs.reduce((s, r) => s + r.load.acked, 0)}/${runs.reduce((s, r) => s + r.load.sent, 0)}`;
  };
  rows.push(['events acked / sent', counts(echoAll, (r) => r.closed), counts(akariAll, (r) => r.closed), '', ...(fp ? [counts(akariAll, (r) => r.paced)] : [])]);
  rows.push(['replies (reply + push requests)', counts2(echoAll, (r) => r.closed), counts2(akariAll, (r) => r.closed), '', ...(fp ? [counts2(akariAll, (r) => r.paced)] : [])]);

  const out: string[] = [];
  out.push('');
  out.push(
    `Webhook benchmark: ${opts.events} signed text-message webhooks from ${opts.concurrency} users (each user's events in sequence), ` +
      `${opts.warmup} warm-up events per bot, ${opts.rounds} round(s)${opts.rounds > 1 ? ' (medians)' : ''}, loopback.`,
  );
  out.push('');
  out.push(`Machine: ${machine()}.`);
  out.push('');
  out.push(...markdownTable(rows));
  out.push('');
  out.push('- Closed loop: every user sends their next event as soon as the previous one is acknowledged.');
  if (fp) {
    out.push(
      opts.rate
        ? `- ${pacedLabel}: the same number of events again (new users), paced at ${opts.rate} events/s.`
        : `- ${pacedLabel}: the same number of events again (new users), paced at the echo bot's acknowledged rate from the same round (${pacedRates.map((r) => `${n(r)}/s`).join(', ')}); per-user order is kept, so a bot that cannot keep up falls behind the pace.`,
    );
  }
  out.push('- CPU per event: user + system time of each process during the run, divided by the events sent; "on a CPU" above 100% means more than one core (V8 and SQLite helper threads).');
  out.push('- CPU ceiling: logical cores × 1000 ÷ (bot + fake LINE API + load generator CPU per event): the rate at which this run\'s three processes would fill every core, at the CPU per event they spent at this load (it changes with the load). A bot whose ceiling is below another bot\'s measured rate would need to spend less CPU per event to reach it, however its work were spread over threads.');
  out.push('- Other programs: CPU the rest of the machine used meanwhile; figures taken with other programs busy are not comparable.');

  if (opts.rounds > 1) {
    out.push('');
    const perRound: string[][] = [['round', 'echo replies/s', 'Akari replies/s', 'Akari/echo', 'echo p99 (ms)', 'Akari p99 (ms)', ...(fp ? ['paced Akari p99 (ms)'] : [])]];
    rounds.forEach((round, i) => {
      const e = round.find((r) => r.bot === 'echo');
      const a = round.find((r) => r.bot === 'akari');
      const fe1 = e && figuresOf(e.closed);
      const fa1 = a && figuresOf(a.closed);
      const fp1 = a?.paced && figuresOf(a.paced);
      perRound.push([String(i + 1), n(fe1?.repliesPerSec), n(fa1?.repliesPerSec), ratio(fa1?.repliesPerSec, fe1?.repliesPerSec), n(fe1?.p99, 1), n(fa1?.p99, 1), ...(fp ? [n(fp1?.p99, 1)] : [])]);
    });
    out.push(...markdownTable(perRound));
  }

  out.push('');
  for (const r of all) {
    for (const [label, run] of [['', r.closed], [' (paced)', r.paced]] as const) {
      if (!run) continue;
      if (run.load.failed > 0) out.push(`${r.bot}${label}: ${run.load.failed} webhook(s) not acknowledged, e.g. ${run.load.failures.join('; ')}`);
      if (run.stats.rejected > 0) out.push(`${r.bot}${label}: the fake LINE API rejected ${run.stats.rejected} request(s), e.g. ${run.stats.rejectReasons.join(' | ')}`);
      if (!run.repliesComplete) out.push(`${r.bot}${label}: replies still missing when the wait timed out`);
    }
  }
  const persisted = akariAll.flatMap((r) => (r.persisted ? [r.persisted] : []));
  const found = persisted.reduce((s, p) => s + p.found, 0);
  const expected = persisted.reduce((s, p) => s + p.expected, 0);
  const acked = sum((r) => r.closed.load.acked + (r.paced?.load.acked ?? 0), 'akari');
  const sent = sum((r) => r.closed.load.sent + (r.paced?.load.sent ?? 0), 'akari');
  const planned = akariAll.length * opts.events * (fp ? 2 : 1);
  const allPersisted = akariAll.length > 0 && found === expected && expected === planned && acked === sent;
  if (persisted.length > 0) {
    const outbox = new Map<string, number>();
    for (const p of persisted) for (const [k, v] of Object.entries(p.outbox)) outbox.set(k, (outbox.get(k) ?? 0) + v);
    const done = persisted.reduce((s, p) => s + p.done, 0);
    out.push(`Akari's inbox (SQLite, read after the run): ${found}/${expected} events stored, ${done} handled; outbox batches: ${[...outbox].map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  }

  // At a load Akari cannot keep up with, users fall behind the pace and the run turns into a closed
  // loop at a lower rate: its latency then says nothing about "that load".
  const pacedGoal = (f: Figures): [string, boolean] => {
    const target = medianOf(pacedRates);
    const keptUp = f.ackedPerSec >= 0.95 * target;
    const where = opts.rate ? `at ${opts.rate}/s` : "at the echo bot's rate";
    return keptUp
      ? [`ack latency p99 ≤ 50 ms ${where} (${n(f.p99, 1)} ms)`, f.p99 <= 50]
      : [`ack latency p99 ≤ 50 ms ${where}: Akari did not keep up (${n(f.ackedPerSec)} of ${n(target)} events/s acknowledged; p99 ${n(f.p99, 1)} ms)`, false];
  };
  if (fa) {
    const goals: Array<[string, boolean]> = [
      ...(fe ? ([[`replies/s ≥ the echo bot's, closed loop (${n(fa.repliesPerSec)} vs ${n(fe.repliesPerSec)})`, fa.repliesPerSec >= fe.repliesPerSec]] as Array<[string, boolean]>) : []),
      [`every event acknowledged and persisted (${found}/${planned})`, allPersisted],
      [`ack latency p99 ≤ 50 ms, closed loop (${n(fa.p99, 1)} ms)`, fa.p99 <= 50],
      ...(fp ? [pacedGoal(fp)] : []),
    ];
    out.push('');
    out.push('Goals:');
    out.push('');
    for (const [what, met] of goals) out.push(`- ${met ? 'MET' : 'NOT MET'}: ${what}`);
  }
  const forReadme = out.slice(1);
  if (opts.timeline) out.push('', ...timelineReport(rounds));
  for (const r of all) {
    if (!r.closed.profilePath) continue;
    out.push('');
    out.push(`Where ${r.bot === 'akari' ? 'Akari' : 'the echo bot'} spends its CPU (closed loop; V8 sampling profile ${r.closed.profilePath}):`);
    out.push(...summarizeProfile(r.closed.profilePath, r.closed.load.sent));
  }
  process.stdout.write(`${out.join('\n')}\n`);
  if (opts.readme) writeReadme(opts.readme, forReadme);
  return akariAll.length === 0 || allPersisted;
}

/** Replaces what is between the README's bench markers with this run's report. */
function writeReadme(path: string, lines: string[]): void {
  const begin = '<!-- bench:begin -->';
  const end = '<!-- bench:end -->';
  const readme = readFileSync(path, 'utf8');
  const from = readme.indexOf(begin);
  const to = readme.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${path} has no ${begin} … ${end} section to fill`);
  const args = process.argv.slice(2).filter((a) => a !== '--readme');
  const block = [
    `Measured ${clock.now().toISOString().slice(0, 10)} with \`npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}\`:`,
    '',
    ...lines,
  ];
  writeFileSync(path, `${readme.slice(0, from + begin.length)}\n${block.join('\n').trim()}\n${readme.slice(to)}`);
  process.stderr.write(`README: benchmark section updated in ${path}\n`);
}

/**
 * Self time from a V8 CPU profile, by where the code lives (a native function counts for the JS
 * that called it, so `writev` lands on node's net code), and the busiest functions.
 */
function summarizeProfile(path: string, events: number): string[] {
  interface ProfileNode {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }
  const profile = JSON.parse(readFileSync(path, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const placeOf = (url: string): string => {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) return pkg[1]!;
    if (url.startsWith('node:internal/deps/undici')) return 'node: undici (fetch)';
    if (/^node:(_http|net|internal\/(streams|stream_base|http|net))/.test(url)) return 'node: http, net, streams';
    if (url.startsWith('node:')) return 'node: other';
    const local = /\/((?:src|bench)\/.+)$/.exec(url);
    return local ? local[1]! : url;
  };
  const categoryOf = (node: ProfileNode): string | undefined => {
    const name = node.callFrame.functionName;
    if (name === '(idle)') return undefined;
    if (name === '(garbage collector)') return 'V8: garbage collection';
    if (name === '(program)') return 'V8: other';
    for (let cur: ProfileNode | undefined = node; cur; cur = byId.get(parentOf.get(cur.id) ?? -1)) {
      if (cur.callFrame.url) return placeOf(cur.callFrame.url);
    }
    return 'native (no JS caller)';
  };
  const categories = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const category = categoryOf(node);
    if (!category) continue;
    total += us;
    categories.set(category, (categories.get(category) ?? 0) + us);
    const { functionName, url } = node.callFrame;
    const fn = `${functionName || '(anonymous)'}${url ? ` (${placeOf(url)})` : ''}`;
    functions.set(fn, (functions.get(fn) ?? 0) + us);
  }
  const rows = (m: Map<string, number>, limit: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([k, us]) => [k, (us / 1000 / Math.max(1, events)).toFixed(3), `${((100 * us) / Math.max(1, total)).toFixed(1)}%`]);
  return [
    ...markdownTable([['where (self time, natives counted for their JS caller)', 'ms/event', 'share'], ...rows(categories, 14)]),
    '',
    ...markdownTable([['busiest functions (self time)', 'ms/event', 'share'], ...rows(functions, 12)]),
  ];
}

/**
 * --timeline: acknowledgements and replies per 100 ms of each closed-loop run, as rates, side by
 * side for the bots of a round: shows whether replies keep pace with the webhooks or pile up behind
 * them and go out after the last acknowledgement.
 */
function timelineReport(rounds: BotResult[][]): string[] {
  const BIN_MS = 100;
  const out: string[] = [];
  rounds.forEach((round, i) => {
    const runs = round.filter((r) => r.closed.deliveredAt);
    if (runs.length === 0) return;
    const binsOf = (times: ArrayLike<number>, startedAt: number) => {
      const bins: number[] = [];
      for (let k = 0; k < times.length; k++) {
        const b = Math.max(0, Math.floor((times[k]! - startedAt) / BIN_MS));
        while (bins.length <= b) bins.push(0);
        bins[b]! += 1;
      }
      return bins;
    };
    const columns = runs.map((r) => ({
      name: r.bot === 'akari' ? 'Akari' : 'echo',
      acks: binsOf(r.closed.load.ackedAt, r.closed.load.startedAt),
      replies: binsOf(r.closed.deliveredAt!, r.closed.load.startedAt),
    }));
    const length = Math.max(...columns.map((c) => Math.max(c.acks.length, c.replies.length)));
    const perSec = (v: number | undefined) => String(((v ?? 0) * 1000) / BIN_MS);
    const rows: string[][] = [['from (s)', ...columns.flatMap((c) => [`${c.name} acks/s`, `${c.name} replies/s`])]];
    for (let b = 0; b < length; b++) rows.push([((b * BIN_MS) / 1000).toFixed(1), ...columns.flatMap((c) => [perSec(c.acks[b]), perSec(c.replies[b])])]);
    out.push(`Timeline of round ${i + 1} (closed loop; per ${BIN_MS} ms from the first send, as rates):`, '', ...markdownTable(rows), '');
  });
  return out;
}

function counts2(rs: BotResult[], pick: (r: BotResult) => RunResult | undefined): string {
  const runs = rs.flatMap((r) => (pick(r) ? [pick(r)!] : []));
  if (runs.length === 0) return '—';
  const replies = runs.reduce((s, r) => s + r.stats.replies, 0);
  const pushes = runs.reduce((s, r) => s + r.stats.pushes, 0);
  return pushes > 0 ? `${replies} + ${pushes}` : String(replies);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '2000' },
      concurrency: { type: 'string', default: '20' },
      // Both bots need ~1500 events before V8 has compiled their hot paths (Akari 3.4 → 2.5 ms and the
      // echo bot 2.0 → 1.5 ms of CPU per event): warm up as long as the measured run by default.
      warmup: { type: 'string' },
      rounds: { type: 'string', default: '1' },
      rate: { type: 'string' },
      'closed-only': { type: 'boolean', default: false },
      only: { type: 'string' },
      profile: { type: 'boolean', default: false },
      timeline: { type: 'boolean', default: false },
      'keep-db': { type: 'boolean', default: false },
      flows: { type: 'string', default: join(REPO_ROOT, 'flows') },
      readme: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'npm run bench -- [--events 2000] [--concurrency 20] [--warmup =events] [--rounds 1] [--rate N] [--closed-only] [--only akari|echo] [--profile] [--timeline] [--keep-db] [--flows DIR] [--readme]\n',
    );
    return 0;
  }
  const int = (name: string, raw: string, min: number) => {
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min) throw new Error(`--${name}: expected a whole number ≥ ${min}, got ${raw}`);
    return v;
  };
  if (values.only !== undefined && values.only !== 'akari' && values.only !== 'echo') throw new Error('--only: expected akari or echo');
  const bots: BotName[] = values.only ? [values.only as BotName] : ['echo', 'akari'];
  const opts: BenchOptions = {
    events: int('events', values.events, 1),
    concurrency: int('concurrency', values.concurrency, 1),
    warmup: int('warmup', values.warmup ?? values.events, 0),
    rounds: int('rounds', values.rounds, 1),
    // The paced run needs the echo bot's rate from the same round.
    paced: !values['closed-only'] && bots.includes('akari') && (bots.includes('echo') || values.rate !== undefined),
    ...(values.rate !== undefined ? { rate: int('rate', values.rate, 1) } : {}),
    timeline: values.timeline,
    keepDb: values['keep-db'],
    flowsDir: resolve(values.flows),
    ...(values.readme ? { readme: join(REPO_ROOT, 'README.md') } : {}),
    ...(values.profile ? { profileDir: mkdtempSync(join(os.tmpdir(), 'akari-bench-profile-')) } : {}),
  };

  const rounds: BotResult[][] = [];
  for (let i = 0; i < opts.rounds; i++) {
    if (opts.rounds > 1) process.stderr.write(`round ${i + 1}/${opts.rounds}\n`);
    const round: BotResult[] = [];
    // Echo first: Akari's paced run takes the echo bot's rate from this round.
    for (const bot of bots) {
      const echo = round.find((r) => r.bot === 'echo');
      const rate = bot === 'akari' && opts.paced ? opts.rate ?? (echo ? figuresOf(echo.closed).ackedPerSec : undefined) : undefined;
      round.push(await measureBot(bot, opts, rate));
    }
    rounds.push(round);
  }
  return report(rounds, opts) ? 0 : 1;
}

const roleArg = process.argv.find((a) => a.startsWith('--role='));
if (roleArg) {
  void runChild(roleArg.slice('--role='.length) as Role);
} else if (process.argv.includes('--stores')) {
  // The stores side by side (SQLite; PostgreSQL with one and two instances): bench/store-bench.ts.
  import('./store-bench.ts')
    .then((m) => m.runStoreBench(process.argv.slice(2)))
    .then(
      (code) => process.exit(code),
      (err: unknown) => {
        process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
        process.exit(1);
      },
    );
} else {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
