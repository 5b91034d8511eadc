import { afterEach, describe, expect, it } from 'vitest';
import { createLinePlatform, type LinePlatform } from '../../src/local/line-platform.ts';
import { createLineSchemaValidator } from '../../src/local/openapi-validator.ts';
import { deployRichMenus } from '../../src/richmenu/deploy.ts';
import { startHarness, TEST_TOKEN, type Harness } from '../support/harness.ts';

// Loading LINE's OpenAPI files takes a moment: one validator for every platform in this file.
const validator = createLineSchemaValidator();

const USER = 'U1111111111aaaaaaaaaa1111111111aa';
const OTHER = 'U2222222222bbbbbbbbbb2222222222bb';

describe('the rich menu follows the conversation stage', () => {
  let h: Harness | undefined;
  let platform: LinePlatform | undefined;

  afterEach(async () => {
    await h?.stop();
    await platform?.close();
    h = undefined;
    platform = undefined;
  });

  async function start(opts: { deploy: boolean; env?: Record<string, string> }): Promise<Harness> {
    platform = createLinePlatform({ channelAccessToken: TEST_TOKEN, validator });
    const url = await platform.listen(0, '127.0.0.1');
    if (opts.deploy) await deployRichMenus({ channelAccessToken: TEST_TOKEN, apiBaseUrl: url, dataApiBaseUrl: url });
    h = await startHarness({ platform, ...(opts.env ? { env: opts.env } : {}) });
    return h;
  }
  const callsSince = (from: number) => platform!.requests.slice(from);
  const linkCalls = (from: number, userId = USER) =>
    callsSince(from)
      .filter((r) => r.path.startsWith(`/v2/bot/user/${userId}/richmenu`))
      .map((r) => `${r.method} ${r.path.replace(/richmenu-[0-9a-f]+$/, '{id}')}`);
  const menuOf = (userId = USER) => platform!.richMenuFor(userId)?.menu.name;

  it('links the user to the highlighted menu of each new stage, and makes no call when the stage stays', async () => {
    const h = await start({ deploy: true });
    expect(menuOf()).toBe('akari-main');
    const from = platform!.requests.length;
    const violationsBefore = platform!.violations.length;

    await h.say(USER, '電話の準備');
    expect(menuOf()).toBe('akari-main-preparation');
    expect(platform!.resolveRichMenuAlias('akari-preparation')).toBe(platform!.richMenuFor(USER)?.richMenuId);

    await h.say(USER, '教訓');
    expect(menuOf()).toBe('akari-main-lessons');

    const beforeSame = platform!.requests.length;
    await h.say(USER, '教訓');
    await h.say(USER, 'ヘルプ');
    expect(linkCalls(beforeSame)).toEqual([]);
    expect(menuOf()).toBe('akari-main-lessons');

    expect(linkCalls(from)).toEqual([`POST /v2/bot/user/${USER}/richmenu/{id}`, `POST /v2/bot/user/${USER}/richmenu/{id}`]);
    // Each alias is resolved once, then cached: another user moving to the same stage costs one call.
    await h.tap(OTHER, 'action=stage&stage=lessons');
    expect(menuOf(OTHER)).toBe('akari-main-lessons');
    const lookups = callsSince(from).filter((r) => r.path.startsWith('/v2/bot/richmenu/alias/')).map((r) => r.path);
    expect(lookups).toEqual(['/v2/bot/richmenu/alias/akari-preparation', '/v2/bot/richmenu/alias/akari-lessons']);
    expect(platform!.violations.slice(violationsBefore)).toEqual([]);
  });

  it('unlinks the user when their conversation is deleted', async () => {
    const h = await start({ deploy: true });
    await h.say(USER, '電話の準備');
    expect(menuOf()).toBe('akari-main-preparation');
    const from = platform!.requests.length;

    await h.say(USER, 'データを削除');
    expect(linkCalls(from)).toEqual([]);
    await h.say(USER, 'はい');

    expect(linkCalls(from)).toEqual([`DELETE /v2/bot/user/${USER}/richmenu`]);
    expect(menuOf()).toBe('akari-main');
  });

  it("another scenario's stage, with no highlighted menu, shows the default menu and looks up no alias", async () => {
    const h = await start({ deploy: true });
    await h.say(USER, '電話の準備');
    expect(menuOf()).toBe('akari-main-preparation');
    const from = platform!.requests.length;

    await h.tap(USER, 'action=stage&stage=contactWait');
    expect(linkCalls(from)).toEqual([`DELETE /v2/bot/user/${USER}/richmenu`]);
    expect(menuOf()).toBe('akari-main');
    expect(callsSince(from).filter((r) => r.path.startsWith('/v2/bot/richmenu/alias/'))).toEqual([]);

    // Linking still works afterwards (a missing alias would have switched it off).
    await h.say(USER, '教訓');
    expect(menuOf()).toBe('akari-main-lessons');
  });

  it('follows a redeploy: a menu id gone stale is looked up again', async () => {
    const h = await start({ deploy: true });
    await h.say(USER, '電話の準備');
    await deployRichMenus({ channelAccessToken: TEST_TOKEN, apiBaseUrl: platform!.url!, dataApiBaseUrl: platform!.url! });

    const from = platform!.requests.length;
    await h.say(USER, '状況整理');
    await h.say(USER, '電話の準備');

    expect(menuOf()).toBe('akari-main-preparation');
    // The cached id of the deleted menu answered 404, so the alias was looked up again.
    expect(callsSince(from).filter((r) => r.path === '/v2/bot/richmenu/alias/akari-preparation')).toHaveLength(1);
    expect(linkCalls(from).filter((c) => c.startsWith('POST'))).toHaveLength(3);
    expect(platform!.resolveRichMenuAlias('akari-preparation')).toBe(platform!.richMenuFor(USER)?.richMenuId);
  });

  it('without deployed stage menus: one lookup, one info log, then no more calls; the conversation goes on', async () => {
    const h = await start({ deploy: false });
    const from = platform!.requests.length;

    const first = await h.say(USER, '電話の準備');
    const second = await h.say(USER, '教訓');

    expect(first.length).toBeGreaterThan(0);
    expect(second.length).toBeGreaterThan(0);
    const richMenuCalls = callsSince(from).filter((r) => r.path.includes('richmenu'));
    expect(richMenuCalls.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/bot/richmenu/alias/akari-preparation']);
    const notices = h.logs.records().filter((r) => r.module === 'richmenu');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ level: 30, aliasId: 'akari-preparation' });
    expect(String(notices[0]!.msg)).toContain('npm run richmenu:deploy');
  });

  it('a failing link logs a warning and never breaks the conversation', async () => {
    const h = await start({ deploy: true });
    platform!.failNext({ path: /^\/v2\/bot\/user\/[^/]+\/richmenu\//, status: 500 });

    const texts = await h.say(USER, '電話の準備');

    expect(texts.length).toBeGreaterThan(0);
    const warnings = h.logs.records().filter((r) => r.module === 'richmenu' && r.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ userId: USER, stage: 'preparation', status: 500 });
    // The next stage change works again.
    await h.say(USER, '教訓');
    expect(menuOf()).toBe('akari-main-lessons');
  });

  it('RICH_MENU_PER_STAGE=false: no rich menu calls at all', async () => {
    const h = await start({ deploy: true, env: { RICH_MENU_PER_STAGE: 'false' } });
    const from = platform!.requests.length;
    await h.say(USER, '電話の準備');
    await h.say(USER, '教訓');
    expect(callsSince(from).filter((r) => r.path.includes('richmenu'))).toEqual([]);
    expect(menuOf()).toBe('akari-main');
  });
});
