/**
 * The stores side by side, in one run: Akari on SQLite (one process), on PostgreSQL with one
 * instance, and on PostgreSQL with two instances sharing the load (each user's events alternate
 * between them, as behind a load balancer).
 *
 *   npm run bench -- --stores [--events 3000] [--concurrency 20] [--warmup 1000] [--postgres URL] [--sticky] [--readme]
 *
 * --sticky: with two instances, each user's events all go to one of them (a load balancer that
 * hashes the user) instead of alternating.
 *
 * Each Akari is a real process (`tsx src/main.ts`, NODE_ENV=production, LOG_LEVEL=warn, system
 * clock) against the fake LINE API, which runs in this process beside the load generator (the
 * same for every mode, so the modes compare; absolute figures are lower than webhook-bench's).
 * Measured per mode, closed loop (each user sends again once the previous event is acknowledged):
 * acknowledged events/s, replies/s (reply + push requests the fake API accepted), ack latency
 * p50/p99, and afterwards that every event is in the store and handled. PostgreSQL runs on a
 * schema of its own in the given database (default the local test database), dropped afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createLinePlatform } from '../src/local/line-platform.ts';
import { callbackBody, signBody, textEvent } from '../src/local/webhook-events.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// The same kind of conversation as webhook-bench's, in a loop.
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

interface Mode {
  name: string;
  store: 'sqlite' | 'postgres';
  instances: number;
}

const MODES: Mode[] = [
  { name: 'SQLite', store: 'sqlite', instances: 1 },
  { name: 'PostgreSQL', store: 'postgres', instances: 1 },
  { name: 'PostgreSQL', store: 'postgres', instances: 2 },
];

interface ModeResult {
  mode: Mode;
  ackedPerSec: number;
  repliesPerSec: number;
  p50: number;
  p99: number;
  events: number;
  stored: number;
  handled: number;
  replies: number;
}

const wallNow = () => performance.timeOrigin + performance.now();
const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolvePort(port));
    });
  });
}

interface Instance {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

async function startInstance(env: Record<string, string>, label: string): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => process.stderr.write(`[${label}] ${line}\n`));
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label} exited with ${child.exitCode} before it was ready`);
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) return { child, url, exited };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${label}: not ready within 60 s`);
    }
    await delay(100);
  }
}

async function stopInstance(i: Instance): Promise<void> {
  if (i.child.exitCode !== null) return;
  i.child.kill('SIGTERM');
  await Promise.race([i.exited, delay(15_000).then(() => i.child.kill('SIGKILL'))]);
}

function post(agent: http.Agent, url: URL, body: string, signature: string): Promise<number> {
  return new Promise((done) => {
    const req = http.request(
      {
        agent,
        hostname: url.hostname,
        port: url.port,
        path: '/webhook',
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'x-line-signature': signature },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.once('end', () => done(res.statusCode ?? 0));
        res.once('error', () => done(0));
      },
    );
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', () => done(0));
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;

async function runMode(mode: Mode, opts: { events: number; concurrency: number; warmup: number; postgresUrl: string; sticky: boolean }): Promise<ModeResult> {
  const channelSecret = randomBytes(16).toString('hex');
  const channelAccessToken = `bench-${randomBytes(12).toString('hex')}`;
  const platform = createLinePlatform({ validate: false, channelAccessToken, replyTokenTtlMs: 10 * 60_000 });
  const lineUrl = await platform.listen(0, '127.0.0.1');
  let replies = 0;
  let lastReplyAt = 0;
  platform.onDelivery(() => {
    replies += 1;
    lastReplyAt = wallNow();
  });

  let databaseUrl: string;
  let cleanup: () => Promise<void>;
  let counts: (ids: string[]) => Promise<{ stored: number; handled: number }>;
  if (mode.store === 'sqlite') {
    const dir = mkdtempSync(join(os.tmpdir(), 'akari-store-bench-'));
    const path = join(dir, 'akari.db');
    databaseUrl = `file:${path}`;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
    counts = async (ids) => {
      const db = new Database(path, { readonly: true });
      try {
        const rows = db.prepare('SELECT event_id AS id, status FROM inbox').all() as Array<{ id: string; status: string }>;
        const byId = new Map(rows.map((r) => [r.id, r.status]));
        return { stored: ids.filter((id) => byId.has(id)).length, handled: ids.filter((id) => byId.get(id) === 'done').length };
      } finally {
        db.close();
      }
    };
  } else {
    const schema = `akari_bench_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: opts.postgresUrl });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const u = new URL(opts.postgresUrl);
    u.searchParams.set('options', `-c search_path=${schema}`);
    databaseUrl = u.toString();
    cleanup = async () => {
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    };
    counts = async (ids) => {
      const r = await admin.query<{ stored: number; handled: number }>(
        `SELECT COUNT(*)::int AS stored, COUNT(*) FILTER (WHERE status = 'done')::int AS handled FROM ${schema}.inbox WHERE event_id = ANY($1::text[])`,
        [ids],
      );
      return r.rows[0]!;
    };
  }

  const env = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    LOG_PRETTY: 'false',
    LINE_CHANNEL_SECRET: channelSecret,
    LINE_CHANNEL_ACCESS_TOKEN: channelAccessToken,
    LINE_API_BASE_URL: lineUrl,
    LINE_DATA_API_BASE_URL: lineUrl,
    DATABASE_URL: databaseUrl,
    RICH_MENU_PER_STAGE: 'false',
  };
  const label = `${mode.name}×${mode.instances}`;
  const instances: Instance[] = [];
  try {
    // One at a time: the second instance finds the schema migrated.
    for (let i = 0; i < mode.instances; i++) instances.push(await startInstance(env, `${label}#${i + 1}`));
    const targets = instances.map((i) => new URL(i.url));
    const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency * 2 });

    const load = async (events: number, prefix: string) => {
      const users = Array.from({ length: opts.concurrency }, (_, i) => `U${prefix}${i.toString(16).padStart(32 - prefix.length, '0')}`);
      const perUser = Math.ceil(events / users.length);
      const latencies: number[] = [];
      const ids: string[] = [];
      replies = 0;
      const startedAt = wallNow();
      let lastAckAt = startedAt;
      let failed = 0;
      await Promise.all(
        users.map(async (userId, u) => {
          for (let k = 0; k < perUser; k++) {
            const event = textEvent({ userId, text: SCRIPT[k % SCRIPT.length]!, timestamp: Date.now(), replyToken: platform.issueReplyToken(userId) });
            const body = callbackBody([event]);
            ids.push(event.webhookEventId);
            const t0 = wallNow();
            // A user's events alternate between the instances (or, --sticky, all go to one).
            const status = await post(agent, targets[(opts.sticky ? u : u + k) % targets.length]!, body, signBody(body, channelSecret));
            const t1 = wallNow();
            if (status === 200) {
              latencies.push(t1 - t0);
              lastAckAt = Math.max(lastAckAt, t1);
            } else failed += 1;
          }
        }),
      );
      // Until every acknowledged event has had its answer and nothing more comes (bounded).
      const deadline = wallNow() + 60_000;
      let seen = -1;
      let stableSince = wallNow();
      while (wallNow() < deadline) {
        if (replies !== seen) {
          seen = replies;
          stableSince = wallNow();
        }
        if (replies >= latencies.length && wallNow() - stableSince > 300) break;
        await delay(50);
      }
      latencies.sort((a, b) => a - b);
      return { startedAt, lastAckAt, latencies, ids, failed, replies, lastReplyAt };
    };

    if (opts.warmup > 0) {
      process.stderr.write(`${label}: warm-up, ${opts.warmup} events…\n`);
      await load(opts.warmup, 'w');
    }
    process.stderr.write(`${label}: ${opts.events} events from ${opts.concurrency} users, closed loop…\n`);
    const r = await load(opts.events, 'm');
    agent.destroy();
    for (const i of instances) await stopInstance(i);
    instances.length = 0;
    const { stored, handled } = await counts(r.ids);
    return {
      mode,
      ackedPerSec: r.latencies.length / ((r.lastAckAt - r.startedAt) / 1000),
      repliesPerSec: r.replies / ((r.lastReplyAt - r.startedAt) / 1000),
      p50: percentile(r.latencies, 0.5),
      p99: percentile(r.latencies, 0.99),
      events: r.ids.length,
      stored,
      handled,
      replies: r.replies,
    };
  } finally {
    for (const i of instances) await stopInstance(i);
    await platform.close();
    await cleanup();
  }
}

function table(results: ModeResult[]): string[] {
  const rows = [
    ['store', 'instances', 'events/s (acked)', 'replies/s', 'ack p50 (ms)', 'ack p99 (ms)', 'stored / handled'],
    ...results.map((r) => [
      r.mode.name,
      String(r.mode.instances),
      r.ackedPerSec.toFixed(0),
      r.repliesPerSec.toFixed(0),
      r.p50.toFixed(1),
      r.p99.toFixed(1),
      `${r.stored}/${r.events} / ${r.handled}`,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => `| ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.slice(1).map(line)];
}

export async function runStoreBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv.filter((a) => a !== '--stores'),
    options: {
      events: { type: 'string', default: '3000' },
      concurrency: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '1000' },
      postgres: { type: 'string', default: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
      readme: { type: 'boolean', default: false },
      sticky: { type: 'boolean', default: false },
    },
  });
  const int = (name: string, raw: string) => {
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 0) throw new Error(`--${name}: expected a whole number, got ${raw}`);
    return v;
  };
  const opts = {
    events: int('events', values.events),
    concurrency: Math.max(1, int('concurrency', values.concurrency)),
    warmup: int('warmup', values.warmup),
    postgresUrl: values.postgres,
    sticky: values.sticky,
  };
  const results: ModeResult[] = [];
  for (const mode of MODES) results.push(await runMode(mode, opts));

  const cpus = os.cpus();
  const lines = [
    `Machine: ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${cpus.length} logical cores · Node ${process.version} · ${opts.events} events from ${opts.concurrency} users per mode, closed loop, after ${opts.warmup} warm-up events; with two instances each user's events ${opts.sticky ? 'all go to one of them' : 'alternate between them'}`,
    '',
    ...table(results),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.readme) {
    const path = join(REPO_ROOT, 'README.md');
    const readme = readFileSync(path, 'utf8');
    const begin = '<!-- store-bench:begin (generated by npm run bench -- --stores --readme) -->';
    const end = '<!-- store-bench:end -->';
    const from = readme.indexOf(begin);
    const to = readme.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${begin} … ${end} section`);
    const block = [`Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench -- ${argv.filter((a) => a !== '--readme').join(' ')}\`:`, '', ...lines];
    writeFileSync(path, `${readme.slice(0, from + begin.length)}\n${block.join('\n')}\n${readme.slice(to)}`);
  }
  const lost = results.some((r) => r.stored !== r.events || r.handled !== r.events);
  if (lost) process.stderr.write('an event was not stored or not handled\n');
  return lost ? 1 : 0;
}
