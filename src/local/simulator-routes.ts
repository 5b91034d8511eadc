// The browser simulator: a LINE-like chat page for trying Akari without a LINE channel.
//
// The page never talks to the bot directly. Its taps and texts become LINE-shaped webhook events,
// signed with the channel secret and POSTed over HTTP to the app's own /webhook, exactly like LINE
// would send them. What Akari sends back lands in the local LINE platform; this router watches the
// platform (onDelivery, onViolation) and streams it to the page with server-sent events.
//
// Mounted only in local mode with LOCAL_TOOLS (see main.ts): it serves the page at `/`, its static
// files under /local/sim/static/ and its API under /local/sim/.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { webhook } from '@line/bot-sdk';
import type { Logger } from '../log/create-logger.ts';
import type { Store } from '../store/ports.ts';
import type { Clock } from '../time/clock.ts';
import { createBusinessCalendar, type BusinessCalendar } from '../time/business-calendar.ts';
import { atTokyoMinute, formatTokyo, TOKYO_OFFSET_MINUTES } from '../time/tokyo.ts';
import { richMenuImagePath, toRichMenuRequest, type RichMenuLayout } from '../richmenu/layout.ts';
import type { Delivery, LinePlatform, Violation } from './line-platform.ts';
import { callbackBody, followEvent, postbackEvent, signBody, textEvent, unfollowEvent } from './webhook-events.ts';

export const SIMULATOR_STATIC_DIR = fileURLToPath(new URL('./simulator/', import.meta.url));

/** Japanese font files for machines without a Japanese system font (the rich menu renderer's font). */
const FONT_FILES: Record<string, string> = {
  'regular.ttf': '@expo-google-fonts/m-plus-rounded-1c/400Regular/MPLUSRounded1c_400Regular.ttf',
  'bold.ttf': '@expo-google-fonts/m-plus-rounded-1c/700Bold/MPLUSRounded1c_700Bold.ttf',
};

export interface SimulatorDeps {
  platform: LinePlatform;
  /** The webhook's channel secret: the page's events are signed with it, as LINE signs them. */
  channelSecret: string;
  /**
   * The app's own webhook URL (a function: the port is known only once the server listens).
   * Ignored when `postWebhook` is given.
   */
  webhookUrl?: string | (() => string);
  /** Delivers a signed body some other way (tests); default: fetch POST to `webhookUrl`. */
  postWebhook?: (body: string, signature: string) => Promise<{ status: number; text: string }>;
  clock: Clock;
  log: Logger;
  /** Read-only look at a user's conversation and timers, for the page's "stage" panel. */
  store?: Pick<Store, 'loadConversation' | 'pendingTimers'>;
  /** The rich menu layout: shown when the bot has not given the user a menu on the platform. */
  layout?: RichMenuLayout;
  /** For the "next business day 10:00" button (default: Japanese holidays, 12-29..01-03 break). */
  calendar?: Pick<BusinessCalendar, 'nextBusinessDay'>;
}

/** One line of a user's chat as the page draws it. */
export type TranscriptEntry =
  | { seq: number; at: number; kind: 'user'; text: string }
  | { seq: number; at: number; kind: 'note'; text: string }
  | { seq: number; at: number; kind: 'bot'; delivery: Pick<Delivery, 'id' | 'kind' | 'messages' | 'at'> }
  | { seq: number; at: number; kind: 'violation'; violation: Pick<Violation, 'method' | 'path' | 'status' | 'reasons' | 'requestId'> };

type NewEntry = TranscriptEntry extends infer E ? (E extends TranscriptEntry ? Omit<E, 'seq' | 'at'> : never) : never;

interface SimUser {
  userId: string;
  displayName: string;
}

const USER_ID = /^U[0-9a-f]{32}$/;
const MAX_TEXT = 5000;
const MAX_POSTBACK_DATA = 300;
const MAX_ENTRIES_PER_USER = 1000;
const MAX_TRACKED_TOKENS = 5000;
const HEARTBEAT_MS = 25_000;

/** Content-Security-Policy of the page: its own scripts and styles only, nothing inline. */
const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' https: data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function createSimulatorRouter(deps: SimulatorDeps): Router {
  const log = deps.log.child({ module: 'simulator' });
  const calendar = deps.calendar ?? createBusinessCalendar();
  // A fresh id per start: event ids of a previous run must not be taken for this run's.
  const epoch = randomBytes(4).toString('hex');
  const transcripts = new Map<string, TranscriptEntry[]>();
  const streams = new Map<string, Set<Response>>();
  const users = new Map<string, SimUser>();
  /** Reply tokens this simulator issued → user, to tell whose reply LINE refused. */
  const tokenOwners = new Map<string, string>();
  let seq = 0;

  const postWebhook =
    deps.postWebhook ??
    (async (body: string, signature: string) => {
      const target = typeof deps.webhookUrl === 'function' ? deps.webhookUrl() : deps.webhookUrl;
      if (!target) throw new Error('the simulator has no webhook URL to post to');
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-line-signature': signature },
        body,
      });
      return { status: res.status, text: await res.text() };
    });

  // ---------- transcript and streams ----------

  function record(userId: string, entry: NewEntry): TranscriptEntry {
    seq += 1;
    const full = { ...entry, seq, at: deps.clock.now().getTime() } as TranscriptEntry;
    let list = transcripts.get(userId);
    if (!list) transcripts.set(userId, (list = []));
    list.push(full);
    if (list.length > MAX_ENTRIES_PER_USER) list.splice(0, list.length - MAX_ENTRIES_PER_USER);
    for (const res of streams.get(userId) ?? []) writeEntry(res, full);
    return full;
  }

  function writeEvent(res: Response, event: string, data: unknown, id?: string): void {
    // JSON.stringify never emits a raw newline, so one data: line carries the whole value.
    res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  function writeEntry(res: Response, entry: TranscriptEntry): void {
    writeEvent(res, 'entry', entry, `${epoch}-${entry.seq}`);
  }

  function ownerOfViolation(v: Violation): string | undefined {
    const body = v.body as { to?: unknown; replyToken?: unknown } | undefined;
    if (body && typeof body.to === 'string') return body.to;
    if (body && typeof body.replyToken === 'string') return tokenOwners.get(body.replyToken);
    return /^\/v2\/bot\/user\/(U[0-9a-f]{32})\//.exec(v.path)?.[1];
  }

  deps.platform.onDelivery((delivery) => {
    record(delivery.userId, {
      kind: 'bot',
      delivery: { id: delivery.id, kind: delivery.kind, messages: delivery.messages, at: delivery.at },
    });
  });

  deps.platform.onViolation((violation) => {
    const entry: NewEntry = {
      kind: 'violation',
      violation: {
        method: violation.method,
        path: violation.path,
        status: violation.status,
        reasons: violation.reasons,
        requestId: violation.requestId,
      },
    };
    const owner = ownerOfViolation(violation);
    // A refusal nobody can be tied to (e.g. a rich menu upload) is shown to everyone watching.
    const targets = owner ? [owner] : [...new Set([...transcripts.keys(), ...streams.keys()])];
    for (const userId of targets) record(userId, entry);
    log.warn({ path: violation.path, status: violation.status, reasons: violation.reasons }, 'the local LINE platform refused a request from the bot');
  });

  // ---------- sending events as LINE would ----------

  function issueToken(userId: string): string {
    const token = deps.platform.issueReplyToken(userId);
    tokenOwners.set(token, userId);
    if (tokenOwners.size > MAX_TRACKED_TOKENS) {
      const oldest = tokenOwners.keys().next().value;
      if (oldest !== undefined) tokenOwners.delete(oldest);
    }
    return token;
  }

  async function send(res: Response, events: webhook.Event[]): Promise<void> {
    const body = callbackBody(events);
    let answer: { status: number; text: string };
    try {
      answer = await postWebhook(body, signBody(body, deps.channelSecret));
    } catch (err) {
      log.error({ err }, 'could not reach the webhook');
      res.status(502).json({ error: 'webhook_unreachable', message: `the webhook could not be reached: ${(err as Error).message}` });
      return;
    }
    const webhookEventIds = events.map((e) => e.webhookEventId);
    if (answer.status !== 200) {
      log.warn({ status: answer.status }, 'the webhook refused a simulated event');
      res.status(502).json({ error: 'webhook_refused', message: `/webhook answered ${answer.status}: ${answer.text.slice(0, 500)}`, webhookEventIds });
      return;
    }
    res.json({ ok: true, webhookEventIds });
  }

  function userIdOf(req: Request, res: Response): string | undefined {
    const userId = String(req.params.userId);
    if (!USER_ID.test(userId)) {
      res.status(400).json({ error: 'invalid_user_id', message: 'a LINE user id is "U" followed by 32 lowercase hex digits' });
      return undefined;
    }
    return userId;
  }

  const now = () => deps.clock.now().getTime();
  // JSON only: a form on some other web page cannot send it (that would need a CORS preflight,
  // which this router never grants), so other sites can't act for a simulated user.
  const onlyJson: RequestHandler = (req, res, next) => {
    if (req.is('application/json')) next();
    else res.status(415).json({ error: 'unsupported_media_type', message: 'send a JSON body (Content-Type: application/json)' });
  };
  const parseJson = express.json({ limit: '64kb' });
  const router = express.Router();

  // ---------- the page ----------

  router.get('/', (_req, res) => {
    res.set({ 'content-security-policy': PAGE_CSP, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' });
    res.sendFile('index.html', { root: SIMULATOR_STATIC_DIR });
  });
  router.use(
    '/local/sim/static',
    express.static(SIMULATOR_STATIC_DIR, { index: false, fallthrough: true, setHeaders: (res) => res.set('cache-control', 'no-cache') }),
  );

  router.get('/local/sim/fonts/:file', (req, res) => {
    const spec = FONT_FILES[String(req.params.file)];
    let path: string | undefined;
    try {
      path = spec ? createRequire(import.meta.url).resolve(spec) : undefined;
    } catch {
      path = undefined; // the font package is a dev dependency; without it the system fonts serve
    }
    if (!path) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    res.set('cache-control', 'max-age=86400');
    res.type('font/ttf').sendFile(path);
  });

  // ---------- users ----------

  router.get('/local/sim/users', (_req, res) => {
    res.json({ users: [...users.values()] });
  });

  router.post('/local/sim/users', onlyJson, parseJson, (req, res) => {
    const body = (req.body ?? {}) as { userId?: unknown; displayName?: unknown };
    const userId = typeof body.userId === 'string' ? body.userId : `U${randomBytes(16).toString('hex')}`;
    if (!USER_ID.test(userId)) {
      res.status(400).json({ error: 'invalid_user_id', message: 'a LINE user id is "U" followed by 32 lowercase hex digits' });
      return;
    }
    const name = typeof body.displayName === 'string' ? body.displayName.trim().slice(0, 20) : '';
    const user: SimUser = { userId, displayName: name || users.get(userId)?.displayName || `ユーザー${users.size + 1}` };
    users.set(userId, user);
    deps.platform.registerUser({ userId, displayName: user.displayName, language: 'ja' });
    res.status(201).json(user);
  });

  router.post('/local/sim/users/:userId/text', onlyJson, parseJson, async (req, res) => {
    const userId = userIdOf(req, res);
    if (!userId) return;
    const text = (req.body as { text?: unknown } | undefined)?.text;
    if (typeof text !== 'string' || text.trim() === '' || text.length > MAX_TEXT) {
      res.status(400).json({ error: 'invalid_text', message: `text must be 1 to ${MAX_TEXT} characters` });
      return;
    }
    log.debug({ userId, text }, 'simulated text');
    record(userId, { kind: 'user', text });
    await send(res, [textEvent({ userId, text, timestamp: now(), replyToken: issueToken(userId) })]);
  });

  router.post('/local/sim/users/:userId/postback', onlyJson, parseJson, async (req, res) => {
    const userId = userIdOf(req, res);
    if (!userId) return;
    const { data, displayText } = (req.body ?? {}) as { data?: unknown; displayText?: unknown };
    if (typeof data !== 'string' || data === '' || data.length > MAX_POSTBACK_DATA) {
      res.status(400).json({ error: 'invalid_data', message: `data must be 1 to ${MAX_POSTBACK_DATA} characters` });
      return;
    }
    if (displayText !== undefined && (typeof displayText !== 'string' || displayText.length > MAX_TEXT)) {
      res.status(400).json({ error: 'invalid_display_text', message: 'displayText must be a string' });
      return;
    }
    // LINE shows displayText as the user's own message; without it, nothing appears in the chat.
    if (typeof displayText === 'string' && displayText !== '') record(userId, { kind: 'user', text: displayText });
    else record(userId, { kind: 'note', text: `postback: ${data}` });
    await send(res, [postbackEvent({ userId, data, timestamp: now(), replyToken: issueToken(userId) })]);
  });

  router.post('/local/sim/users/:userId/follow', onlyJson, parseJson, async (req, res) => {
    const userId = userIdOf(req, res);
    if (!userId) return;
    record(userId, { kind: 'note', text: 'あかりを友だち追加しました' });
    await send(res, [followEvent({ userId, timestamp: now(), replyToken: issueToken(userId) })]);
  });

  router.post('/local/sim/users/:userId/unfollow', onlyJson, parseJson, async (req, res) => {
    const userId = userIdOf(req, res);
    if (!userId) return;
    record(userId, { kind: 'note', text: 'あかりをブロックしました' });
    await send(res, [unfollowEvent({ userId, timestamp: now() })]);
  });

  // Reset = block and add again, in one webhook call so they are handled in that order: the bot
  // deletes what it knew (unfollow) and greets a new friend (follow), through its real code path.
  router.post('/local/sim/users/:userId/reset', onlyJson, parseJson, async (req, res) => {
    const userId = userIdOf(req, res);
    if (!userId) return;
    transcripts.delete(userId);
    for (const stream of streams.get(userId) ?? []) writeEvent(stream, 'reset', { userId });
    record(userId, { kind: 'note', text: 'リセット: ブロックして友だち追加し直しました' });
    const timestamp = now();
    await send(res, [unfollowEvent({ userId, timestamp }), followEvent({ userId, timestamp, replyToken: issueToken(userId) })]);
  });

  router.get('/local/sim/users/:userId/state', async (req, res) => {
    const userId = userIdOf(req, res);
    if (!userId) return;
    if (!deps.store) {
      res.json({ userId, stage: null, stageLabel: null, state: null, profile: null, timers: [] });
      return;
    }
    const stored = await deps.store.loadConversation(userId);
    const snapshot = (stored?.snapshot ?? undefined) as { value?: unknown; context?: Record<string, unknown> } | undefined;
    const timers = await deps.store.pendingTimers(userId);
    const stage = stored?.stage ?? null;
    res.json({
      userId,
      stage,
      stageLabel: stage ? (deps.layout?.areas.find((a) => a.stage === stage)?.label ?? stage) : null,
      state: snapshot?.value ?? null,
      profile: snapshot?.context?.profile ?? null,
      timers: timers.map((t) => ({ kind: t.kind, dueAt: t.dueAt, due: formatTokyo(new Date(t.dueAt), 'dateTime') })),
    });
  });

  // ---------- what the bot sends, live ----------

  router.get('/local/sim/events', (req, res) => {
    const userId = typeof req.query.userId === 'string' ? req.query.userId : '';
    if (!USER_ID.test(userId)) {
      res.status(400).json({ error: 'invalid_user_id', message: 'pass ?userId=U… (a LINE user id)' });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 1000\n\n');
    // A reconnecting EventSource says what it has seen: send only what came after.
    const lastId = req.get('last-event-id') ?? '';
    const [lastEpoch, lastSeq] = lastId.split('-');
    const after = lastEpoch === epoch ? Number(lastSeq) || 0 : 0;
    writeEvent(res, 'hello', { epoch, userId, resumed: after > 0 });
    for (const entry of transcripts.get(userId) ?? []) if (entry.seq > after) writeEntry(res, entry);

    let set = streams.get(userId);
    if (!set) streams.set(userId, (set = new Set()));
    set.add(res);
    // Keeps idle connections open through proxies; not a poll, nothing is asked of the server.
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    req.on('close', () => {
      clearInterval(heartbeat);
      set.delete(res);
      if (set.size === 0) streams.delete(userId);
    });
  });

  // ---------- rich menu ----------

  router.get('/local/sim/richmenu', (req, res) => {
    const userId = typeof req.query.userId === 'string' ? req.query.userId : '';
    const stored = USER_ID.test(userId) ? deps.platform.richMenuFor(userId) : undefined;
    if (stored) {
      res.json({
        source: 'platform',
        richMenuId: stored.richMenuId,
        menu: stored.menu,
        imageUrl: stored.image ? `/local/sim/richmenu/${encodeURIComponent(stored.richMenuId)}/image` : null,
      });
      return;
    }
    if (!deps.layout) {
      res.json({ source: 'none', menu: null, imageUrl: null });
      return;
    }
    res.json({ source: 'layout', menu: toRichMenuRequest(deps.layout), imageUrl: '/local/sim/richmenu.png' });
  });

  router.get('/local/sim/richmenu.png', (_req, res) => {
    res.set('cache-control', 'no-cache');
    res.sendFile(richMenuImagePath());
  });

  router.get('/local/sim/richmenu/:richMenuId/image', (req, res) => {
    const image = deps.platform.getRichMenu(String(req.params.richMenuId))?.image;
    if (!image) {
      res.status(404).json({ error: 'not_found', message: 'this rich menu has no image' });
      return;
    }
    res.type(image.contentType).set('cache-control', 'no-cache').send(image.data);
  });

  // ---------- the clock, as the page shows it (moving it is /local/clock's job) ----------

  router.get('/local/sim/clock', (_req, res) => {
    const current = deps.clock.now();
    const nextBusinessMorning = atTokyoMinute(calendar.nextBusinessDay(current), 10 * 60);
    res.json({
      now: toTokyoIso(current),
      label: formatTokyo(current, 'fullDateTime'),
      shortLabel: formatTokyo(current, 'dateTime'),
      nextBusinessMorning: toTokyoIso(nextBusinessMorning),
      nextBusinessMorningLabel: formatTokyo(nextBusinessMorning, 'dateTime'),
    });
  });

  return router;
}

/** "2026-12-01T10:00:00+09:00": an exact instant that reads as Tokyo time (JST has no DST). */
function toTokyoIso(date: Date): string {
  return `${new Date(date.getTime() + TOKYO_OFFSET_MINUTES * 60_000).toISOString().slice(0, 19)}+09:00`;
}
