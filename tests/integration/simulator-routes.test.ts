import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { startAkari, type Akari } from '../../src/main.ts';
import { createLinePlatform, type LinePlatform } from '../../src/local/line-platform.ts';
import { createFakeClock, type FakeClock } from '../../src/time/clock.ts';
import { createLogCapture, startHarness, TEST_SECRET, TEST_TOKEN, tempDatabaseUrl, type Harness } from '../support/harness.ts';

const USER = 'U0123456789abcdef0123456789abcdef';
const OTHER = 'Ufedcba9876543210fedcba9876543210';

/** Every route the simulator adds, as [method, path]. */
const SIMULATOR_ROUTES: Array<['get' | 'post', string]> = [
  ['get', '/'],
  ['get', '/local/sim/static/app.js'],
  ['get', '/local/sim/static/index.html'],
  ['get', '/local/sim/users'],
  ['post', '/local/sim/users'],
  ['post', `/local/sim/users/${USER}/text`],
  ['post', `/local/sim/users/${USER}/postback`],
  ['post', `/local/sim/users/${USER}/follow`],
  ['post', `/local/sim/users/${USER}/unfollow`],
  ['post', `/local/sim/users/${USER}/reset`],
  ['get', `/local/sim/users/${USER}/state`],
  ['get', `/local/sim/events?userId=${USER}`],
  ['get', `/local/sim/richmenu?userId=${USER}`],
  ['get', '/local/sim/richmenu.png'],
  ['get', '/local/sim/clock'],
  ['get', '/local/sim/fonts/regular.ttf'],
];

async function expectAllAbsent(url: string): Promise<void> {
  for (const [method, path] of SIMULATOR_ROUTES) {
    const req = method === 'get' ? request(url).get(path) : request(url).post(path).send({ text: 'こんにちは', data: 'action=help' });
    const res = await req;
    expect(`${method.toUpperCase()} ${path} → ${res.status}`).toBe(`${method.toUpperCase()} ${path} → 404`);
  }
}

describe('simulator routes are absent without local tools', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('answers 404 with LINE credentials and LOCAL_TOOLS unset', async () => {
    h = await startHarness();
    expect(h.akari.config.localTools).toBe(false);
    await expectAllAbsent(h.akari.url);
  });

  it('answers 404 with NODE_ENV=production', async () => {
    h = await startHarness({ env: { NODE_ENV: 'production' } });
    expect(h.akari.config.nodeEnv).toBe('production');
    await expectAllAbsent(h.akari.url);
    // The webhook itself still works.
    expect((await request(h.akari.url).get('/healthz')).status).toBe(200);
  });

  it('cannot be switched on in production', () => {
    expect(() =>
      loadConfig({ NODE_ENV: 'production', LOCAL_TOOLS: 'true', LINE_CHANNEL_SECRET: TEST_SECRET, LINE_CHANNEL_ACCESS_TOKEN: TEST_TOKEN }),
    ).toThrow(/LOCAL_TOOLS/);
  });

  it('answers 404 in local mode with LOCAL_TOOLS=false', async () => {
    const akari = await startAkari(loadConfig({ NODE_ENV: 'test', PORT: '0', LOCAL_TOOLS: 'false', DATABASE_URL: tempDatabaseUrl() }), {
      logDestination: createLogCapture().stream,
    });
    try {
      expect(akari.config.mode).toBe('local');
      await expectAllAbsent(akari.url);
    } finally {
      await akari.stop();
    }
  });
});

/**
 * Opens a server-sent event stream. Once this resolves the server has registered the stream (the
 * route answers synchronously), so anything that happens afterwards arrives live.
 */
async function openEvents(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const events: SseEvent[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    /** Reads until `done` says enough; then closes the stream. */
    async until(done: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
      try {
        while (!done(events)) {
          const { value, done: ended } = await reader.read();
          if (ended) break;
          buffer += decoder.decode(value, { stream: true });
          let cut: number;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            const event: SseEvent = { event: 'message', data: '' };
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) event.event = line.slice(7);
              else if (line.startsWith('data: ')) event.data += line.slice(6);
              else if (line.startsWith('id: ')) event.id = line.slice(4);
            }
            if (event.data !== '') events.push(event);
          }
        }
      } finally {
        controller.abort();
      }
      return events;
    },
  };
}

async function readEvents(url: string, done: (events: SseEvent[]) => boolean, headers: Record<string, string> = {}): Promise<SseEvent[]> {
  return (await openEvents(url, headers)).until(done);
}

interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

/** The chat entries of a stream; `violation` entries only when asked (the rich menu linker may add some). */
const entries = (events: SseEvent[], withViolations = false) =>
  events
    .filter((e) => e.event === 'entry' && (withViolations || !e.data.includes('"kind":"violation"'))).map((e) => JSON.parse(e.data) as { kind: string; text?: string; delivery?: { kind: string; messages: Array<{ type: string; text?: string }> }; violation?: { status: number; reasons: string[] } });

describe('simulator routes in local mode', () => {
  let akari: Akari;
  let platform: LinePlatform;
  let clock: FakeClock;
  let logs: ReturnType<typeof createLogCapture>;
  /** Requests the platform had seen when the test began (start-up sets up the rich menus). */
  let requestsAtStart: number;

  beforeEach(async () => {
    clock = createFakeClock('2026-12-04T10:00:00+09:00'); // a Friday
    // Our own platform (no access token), so the test can also act on it directly.
    platform = createLinePlatform({ now: () => clock.now().getTime() });
    logs = createLogCapture();
    akari = await startAkari(loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'debug', DATABASE_URL: tempDatabaseUrl() }), {
      clock,
      platform,
      logDestination: logs.stream,
    });
    requestsAtStart = platform.requests.length;
  });
  afterEach(async () => {
    await akari.stop();
    await platform.close();
  });

  it('serves the page at / with a strict content security policy, and its files', async () => {
    expect(akari.config.mode).toBe('local');
    expect(akari.config.host).toBe('127.0.0.1');
    const page = await request(akari.url).get('/');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('<script type="module" src="/local/sim/static/app.js"></script>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    for (const [file, type] of [
      ['app.js', /javascript/],
      ['flex.js', /javascript/],
      ['style.css', /text\/css/],
    ] as const) {
      const res = await request(akari.url).get(`/local/sim/static/${file}`);
      expect(res.status, file).toBe(200);
      expect(res.headers['content-type']).toMatch(type);
    }
    expect((await request(akari.url).get('/local/sim/static/missing.js')).status).toBe(404);
    expect(logs.text()).toContain(`Open the simulator: ${akari.url}/`);
  });

  it('turns a typed text into a signed webhook that Akari answers', async () => {
    const res = await request(akari.url).post(`/local/sim/users/${USER}/text`).send({ text: 'こんにちは' });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    const [eventId] = res.body.webhookEventIds as string[];
    await akari.idle();
    // It came in through /webhook: the signature checked out and the event sits in the inbox.
    const row = await akari.store.getInboxRow(eventId!);
    expect(row).toMatchObject({ userId: USER, status: 'done' });
    expect(logs.records().some((r) => r.module === 'webhook' && r.webhookEventId === eventId && r.msg === 'event accepted')).toBe(true);
    // And Akari answered through the platform, with the reply token the simulator issued.
    const deliveries = platform.deliveriesFor(USER);
    expect(deliveries.length).toBeGreaterThan(0);
    expect(deliveries[0]!.kind).toBe('reply');
    expect(platform.textsFor(USER).join('\n')).toMatch(/あかり/);
    // The user's text is only logged at debug level.
    expect(logs.records().filter((r) => JSON.stringify(r).includes('こんにちは')).every((r) => r.level === 20)).toBe(true);
  });

  it('sends postbacks, follows and unfollows as LINE-shaped events', async () => {
    const follow = await request(akari.url).post(`/local/sim/users/${USER}/follow`).send({});
    expect(follow.status).toBe(200);
    const tap = await request(akari.url).post(`/local/sim/users/${USER}/postback`).send({ data: 'action=help', displayText: 'ヘルプ' });
    expect(tap.status).toBe(200);
    await akari.idle();
    const followRow = await akari.store.getInboxRow(follow.body.webhookEventIds[0]);
    const tapRow = await akari.store.getInboxRow(tap.body.webhookEventIds[0]);
    expect((followRow?.payload as { type: string }).type).toBe('follow');
    expect(tapRow?.payload).toMatchObject({ type: 'postback', postback: { data: 'action=help' }, source: { type: 'user', userId: USER } });
    expect(platform.deliveriesFor(USER)).toHaveLength(2);

    const unfollow = await request(akari.url).post(`/local/sim/users/${USER}/unfollow`).send({});
    expect(unfollow.status).toBe(200);
    await akari.idle();
    expect(await akari.store.loadConversation(USER)).toBeUndefined();
  });

  it('checks what the page sends', async () => {
    const bad = [
      request(akari.url).post('/local/sim/users/not-a-user/text').send({ text: 'x' }),
      request(akari.url).post(`/local/sim/users/${USER}/text`).send({ text: '' }),
      request(akari.url).post(`/local/sim/users/${USER}/text`).send({ text: 'あ'.repeat(5001) }),
      request(akari.url).post(`/local/sim/users/${USER}/postback`).send({ data: 'x'.repeat(301) }),
      request(akari.url).post(`/local/sim/users/${USER}/postback`).send({}),
      request(akari.url).get('/local/sim/events?userId=nobody'),
    ];
    for (const res of await Promise.all(bad)) {
      expect(res.status).toBe(400);
      expect(res.body.message).toEqual(expect.any(String));
    }
    expect(platform.requests.slice(requestsAtStart)).toHaveLength(0);
  });

  it('only takes JSON, so a form on another web page cannot act for a simulated user', async () => {
    for (const path of ['text', 'postback', 'follow', 'unfollow', 'reset']) {
      const res = await request(akari.url).post(`/local/sim/users/${USER}/${path}`).type('form').send('text=hi&data=action%3Dhelp');
      expect(res.status, path).toBe(415);
    }
    expect((await request(akari.url).post('/local/sim/users').type('text/plain').send('{}')).status).toBe(415);
    expect(platform.requests.slice(requestsAtStart)).toHaveLength(0);
  });

  it('streams the user’s chat over server-sent events: history first, then live', async () => {
    await request(akari.url).post(`/local/sim/users/${USER}/follow`).send({});
    await akari.idle();
    // Someone else's chat is not in this stream.
    await request(akari.url).post(`/local/sim/users/${OTHER}/text`).send({ text: '別の人です' });
    await akari.idle();

    const streamUrl = `${akari.url}/local/sim/events?userId=${USER}`;
    const stream = await openEvents(streamUrl);
    await request(akari.url).post(`/local/sim/users/${USER}/text`).send({ text: '3日前です' });
    const events = await stream.until((evs) => entries(evs).some((e) => e.kind === 'user' && e.text === '3日前です') && entries(evs).filter((e) => e.kind === 'bot').length >= 2);

    expect(events[0]).toMatchObject({ event: 'hello' });
    const got = entries(events);
    expect(got[0]).toMatchObject({ kind: 'note' }); // the follow
    expect(got[1]).toMatchObject({ kind: 'bot', delivery: { kind: 'reply' } }); // the greeting, replayed
    expect(got.some((e) => e.text === '別の人です')).toBe(false);
    const lastBot = got.filter((e) => e.kind === 'bot').at(-1)!;
    expect(lastBot.delivery!.messages.length).toBeGreaterThan(0);

    // A reconnecting EventSource sends Last-Event-ID: only what came after is sent again.
    const lastId = events.filter((e) => e.event === 'entry').at(-1)!.id!;
    await request(akari.url).post(`/local/sim/users/${USER}/postback`).send({ data: 'action=help', displayText: 'ヘルプ' });
    await akari.idle();
    const resumed = await readEvents(streamUrl, (evs) => entries(evs).some((e) => e.kind === 'bot'), { 'last-event-id': lastId });
    expect(JSON.parse(resumed[0]!.data)).toMatchObject({ resumed: true });
    expect(entries(resumed)[0]).toMatchObject({ kind: 'user', text: 'ヘルプ' });
  });

  it('shows the user a request the platform refused, with LINE’s reasons', async () => {
    const streamUrl = `${akari.url}/local/sim/events?userId=${USER}`;
    const stream = await openEvents(streamUrl);
    // As if the bot pushed a text over LINE's 5000-character limit.
    const res = await fetch(`${platform.url}/v2/bot/message/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: USER, messages: [{ type: 'text', text: 'あ'.repeat(5001) }] }),
    });
    expect(res.status).toBe(400);
    const violation = entries(await stream.until((evs) => entries(evs, true).some((e) => e.kind === 'violation' && e.violation!.status === 400)), true).find(
      (e) => e.kind === 'violation' && e.violation!.status === 400,
    )!;
    expect(violation.violation!.status).toBe(400);
    expect(violation.violation!.reasons.join(' ')).toMatch(/5000/);
  });

  it('reports the user’s stage and profile, and resets the user through unfollow + follow', async () => {
    const empty = await request(akari.url).get(`/local/sim/users/${USER}/state`);
    expect(empty.body).toMatchObject({ userId: USER, stage: null, profile: null, timers: [] });

    await request(akari.url).post(`/local/sim/users/${USER}/follow`).send({});
    await request(akari.url).post(`/local/sim/users/${USER}/text`).send({ text: '株式会社ミライから3日前に電話がありました' });
    await akari.idle();
    const state = await request(akari.url).get(`/local/sim/users/${USER}/state`);
    expect(state.status).toBe(200);
    expect(state.body.stage).toBe('situation');
    expect(state.body.stageLabel).toBe('状況整理');
    expect(state.body.profile).toEqual(expect.any(Object));

    const before = platform.deliveriesFor(USER).length;
    const reset = await request(akari.url).post(`/local/sim/users/${USER}/reset`).send({});
    expect(reset.status).toBe(200);
    expect(reset.body.webhookEventIds).toHaveLength(2);
    await akari.idle();
    const [unfollowRow, followRow] = await Promise.all((reset.body.webhookEventIds as string[]).map((id) => akari.store.getInboxRow(id)));
    // The unfollow deleted what the user had said (its stored payload included); the follow came after.
    expect(unfollowRow).toMatchObject({ userId: USER, status: 'done' });
    expect(followRow).toMatchObject({ userId: USER, status: 'done', payload: { type: 'follow' } });
    expect(followRow!.seq).toBeGreaterThan(unfollowRow!.seq);
    // Greeted again as a new friend, with nothing remembered.
    expect(platform.deliveriesFor(USER).length).toBeGreaterThan(before);
    const after = await request(akari.url).get(`/local/sim/users/${USER}/state`);
    expect(after.body.stage).toBe('situation');
    expect(JSON.stringify(after.body.profile ?? {})).not.toContain('ミライ');
    // The page is told to clear the chat: the replayed history starts at the reset.
    const history = await readEvents(`${akari.url}/local/sim/events?userId=${USER}`, (evs) => entries(evs).some((e) => e.kind === 'bot'));
    expect(entries(history)[0]).toMatchObject({ kind: 'note', text: expect.stringContaining('リセット') });
  });

  it('registers simulated users on the platform, so the bot sees their names', async () => {
    const created = await request(akari.url).post('/local/sim/users').send({ displayName: 'さくら' });
    expect(created.status).toBe(201);
    expect(created.body.userId).toMatch(/^U[0-9a-f]{32}$/);
    const again = await request(akari.url).post('/local/sim/users').send({ userId: USER });
    expect(again.body).toEqual({ userId: USER, displayName: 'ユーザー2' });
    expect((await request(akari.url).get('/local/sim/users')).body.users).toHaveLength(2);
    const profile = await fetch(`${platform.url}/v2/bot/profile/${created.body.userId}`);
    expect(await profile.json()).toMatchObject({ displayName: 'さくら' });
  });

  it('shows the rich menu the platform would show the user, else the layout', async () => {
    // Local start-up deployed the real menus: everyone sees the default one.
    const deployed = await request(akari.url).get(`/local/sim/richmenu?userId=${USER}`);
    expect(deployed.body).toMatchObject({ source: 'platform', menu: { name: 'akari-main' } });
    // Without a default menu on the platform, the page falls back to the layout.
    expect((await fetch(`${platform.url}/v2/bot/user/all/richmenu`, { method: 'DELETE' })).status).toBe(200);
    const fallback = await request(akari.url).get(`/local/sim/richmenu?userId=${USER}`);
    expect(fallback.body.source).toBe('layout');
    expect(fallback.body.menu.areas).toHaveLength(6);
    expect(fallback.body.menu.chatBarText).toBe('あかりのメニュー');
    const png = await request(akari.url).get('/local/sim/richmenu.png');
    expect(png.status).toBe(200);
    expect(png.type).toBe('image/png');

    // The bot links a menu to the user on the platform: that one wins.
    const menu = { ...fallback.body.menu, name: 'test-menu' };
    const created = await (await fetch(`${platform.url}/v2/bot/richmenu`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(menu) })).json();
    const upload = await fetch(`${platform.url}/v2/bot/richmenu/${created.richMenuId}/content`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: new Uint8Array(png.body as Buffer) });
    expect(upload.status).toBe(200);
    expect((await fetch(`${platform.url}/v2/bot/user/${USER}/richmenu/${created.richMenuId}`, { method: 'POST' })).status).toBe(200);

    const linked = await request(akari.url).get(`/local/sim/richmenu?userId=${USER}`);
    expect(linked.body).toMatchObject({ source: 'platform', richMenuId: created.richMenuId, menu: { name: 'test-menu' } });
    const image = await request(akari.url).get(linked.body.imageUrl);
    expect(image.status).toBe(200);
    expect(image.type).toBe('image/png');
    // Another user still sees the layout.
    expect((await request(akari.url).get(`/local/sim/richmenu?userId=${OTHER}`)).body.source).toBe('layout');
  });

  it('tells the page the time and the next business morning (Friday → Monday)', async () => {
    const res = await request(akari.url).get('/local/sim/clock');
    expect(res.body).toMatchObject({
      now: '2026-12-04T10:00:00+09:00',
      shortLabel: '12月4日（金）10:00',
      nextBusinessMorning: '2026-12-07T10:00:00+09:00',
    });
    // The page moves the clock with /local/clock, which accepts this format.
    const moved = await request(akari.url).post('/local/clock').send({ now: res.body.nextBusinessMorning });
    expect(moved.status).toBe(200);
    expect(clock.now().toISOString()).toBe('2026-12-07T01:00:00.000Z');
  });
});
