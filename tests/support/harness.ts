import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import request from 'supertest';
import type { webhook } from '@line/bot-sdk';
import { loadConfig } from '../../src/config/load-config.ts';
import { startAkari, type Akari, type AkariOverrides } from '../../src/main.ts';
import { createLinePlatform, type LinePlatform } from '../../src/local/line-platform.ts';
import { createLineSchemaValidator, type LineSchemaValidator } from '../../src/local/openapi-validator.ts';
import { callbackBody, postbackEvent, signBody, textEvent, followEvent } from '../../src/local/webhook-events.ts';
import { createFakeClock, type FakeClock } from '../../src/time/clock.ts';

export const TEST_SECRET = 'test-channel-secret-0123456789abcdef';
export const TEST_TOKEN = 'test-channel-access-token-abcdef0123456789';

/** Polls until `check` returns something truthy; fails with `what` after `timeoutMs` (never hangs). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Captures every JSON log line, so tests can assert on logs (and on what never appears in them). */
export function createLogCapture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return {
    stream,
    lines,
    records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => lines.join('\n'),
  };
}

// One compiled OpenAPI validator per test file (compiling LINE's spec takes a while); the
// validator holds no per-platform state, so every platform a file creates can share it.
let sharedValidator: LineSchemaValidator | undefined;
export function testValidator(): LineSchemaValidator {
  sharedValidator ??= createLineSchemaValidator();
  return sharedValidator;
}

/** The environment of an Akari under test: a LINE channel pointed at `lineUrl`, a given database. */
export function testEnv(lineUrl: string, databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    LINE_CHANNEL_SECRET: TEST_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: TEST_TOKEN,
    LINE_API_BASE_URL: lineUrl,
    LINE_DATA_API_BASE_URL: lineUrl,
    DATABASE_URL: databaseUrl,
  };
}

export function tempDatabaseUrl(): string {
  return `file:${join(mkdtempSync(join(tmpdir(), 'akari-test-')), 'akari.db')}`;
}

export interface HarnessOptions {
  databaseUrl?: string;
  platform?: LinePlatform;
  clock?: FakeClock;
  overrides?: AkariOverrides;
  env?: Record<string, string>;
}

export interface Harness {
  akari: Akari;
  platform: LinePlatform;
  clock: FakeClock;
  logs: ReturnType<typeof createLogCapture>;
  databaseUrl: string;
  /** POSTs a signed webhook body with these events. */
  post(events: webhook.Event[]): Promise<request.Response>;
  /** A user sends text; resolves after Akari has handled it, with the texts Akari sent back. */
  say(userId: string, text: string): Promise<string[]>;
  tap(userId: string, data: string): Promise<string[]>;
  follow(userId: string): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const clock = opts.clock ?? createFakeClock('2026-12-01T10:00:00+09:00');
  const platform = opts.platform ?? createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken: TEST_TOKEN, validator: testValidator() });
  const baseUrl = platform.url ?? (await platform.listen(0, '127.0.0.1'));
  const logs = createLogCapture();
  const databaseUrl = opts.databaseUrl ?? tempDatabaseUrl();
  const config = loadConfig({ ...testEnv(baseUrl, databaseUrl), ...opts.env });
  const akari = await startAkari(config, {
    clock,
    logDestination: logs.stream,
    retry: { events: { maxAttempts: 3, baseMs: 5, maxMs: 20 }, sends: { maxAttempts: 4, baseMs: 5, maxMs: 20 } },
    ...opts.overrides,
  });

  const post = (events: webhook.Event[]) => {
    const body = callbackBody(events);
    return request(akari.url).post('/webhook').set('content-type', 'application/json').set('x-line-signature', signBody(body, TEST_SECRET)).send(body);
  };
  const exchange = async (userId: string, event: webhook.Event) => {
    const before = platform.deliveriesFor(userId).length;
    const res = await post([event]);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${res.text}`);
    await akari.idle();
    return platform
      .deliveriesFor(userId)
      .slice(before)
      .flatMap((d) => d.messages.map((m) => (m.type === 'text' ? m.text : m.type === 'flex' ? m.altText : `[${m.type}]`)));
  };
  const now = () => clock.now().getTime();
  return {
    akari,
    platform,
    clock,
    logs,
    databaseUrl,
    post,
    say: (userId, text) => exchange(userId, textEvent({ userId, text, timestamp: now(), replyToken: platform.issueReplyToken(userId) })),
    tap: (userId, data) => exchange(userId, postbackEvent({ userId, data, timestamp: now(), replyToken: platform.issueReplyToken(userId) })),
    follow: (userId) => exchange(userId, followEvent({ userId, timestamp: now(), replyToken: platform.issueReplyToken(userId) })),
    async stop() {
      await akari.stop();
      if (!opts.platform) await platform.close();
    },
  };
}
