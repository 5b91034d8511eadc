import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLinePlatform, type LinePlatform, type RecordedRequest } from '../../src/local/line-platform.ts';
import { createLineSchemaValidator } from '../../src/local/openapi-validator.ts';
import { RICH_MENU_STAGES } from '../../src/richmenu/layout.ts';
import { deployRichMenus, runRichMenuDeploy, RichMenuDeployError, type RichMenuDeployOptions } from '../../src/richmenu/deploy.ts';

// Loading LINE's OpenAPI files takes a moment: one validator for every platform in this file.
const validator = createLineSchemaValidator();

const TOKEN = 'deploy-test-channel-access-token';
const ALIASES = ['akari-main', ...RICH_MENU_STAGES.map((s) => `akari-${s.toLowerCase()}`)];

const step = (r: RecordedRequest): string => {
  const path = r.path
    .replace(/^\/v2\/bot\/richmenu\/richmenu-[0-9a-f]+\/content$/, '/v2/bot/richmenu/{id}/content')
    .replace(/^\/v2\/bot\/user\/all\/richmenu\/richmenu-[0-9a-f]+$/, '/v2/bot/user/all/richmenu/{id}')
    .replace(/^\/v2\/bot\/richmenu\/alias\/akari-\w+$/, '/v2/bot/richmenu/alias/{alias}')
    .replace(/^\/v2\/bot\/richmenu\/richmenu-[0-9a-f]+$/, '/v2/bot/richmenu/{id}');
  return `${r.method} ${path}`;
};

/** Consecutive identical steps folded: "POST /x ×6". */
const folded = (requests: readonly RecordedRequest[]): string[] => {
  const out: { step: string; n: number }[] = [];
  for (const r of requests) {
    const s = step(r);
    const last = out[out.length - 1];
    if (last?.step === s) last.n += 1;
    else out.push({ step: s, n: 1 });
  }
  return out.map(({ step: s, n }) => (n > 1 ? `${s} ×${n}` : s));
};

const isWrite = (r: RecordedRequest) => r.method !== 'GET' && r.path !== '/v2/bot/richmenu/validate';

describe('npm run richmenu:deploy against the local LINE platform', () => {
  let platform: LinePlatform;
  let url: string;
  let lines: string[];

  const options = (extra: Partial<RichMenuDeployOptions> = {}): RichMenuDeployOptions => ({
    channelAccessToken: TOKEN,
    apiBaseUrl: url,
    dataApiBaseUrl: url,
    write: (line) => lines.push(line),
    ...extra,
  });
  const env = (extra: Record<string, string> = {}) => ({
    NODE_ENV: 'test',
    LINE_CHANNEL_SECRET: 'deploy-test-secret',
    LINE_CHANNEL_ACCESS_TOKEN: TOKEN,
    LINE_API_BASE_URL: url,
    LINE_DATA_API_BASE_URL: url,
    ...extra,
  });
  const aliasTargets = () => Object.fromEntries(ALIASES.map((a) => [a, platform.resolveRichMenuAlias(a)]));
  const defaultMenu = () => platform.richMenuFor('U-nobody-linked');

  beforeEach(async () => {
    platform = createLinePlatform({ channelAccessToken: TOKEN, validator });
    url = await platform.listen(0, '127.0.0.1');
    lines = [];
  });
  afterEach(async () => {
    await platform.close();
  });

  it('validates, creates six menus, uploads six images, points the aliases and sets the default', async () => {
    const result = await deployRichMenus(options());

    expect(folded(platform.requests)).toEqual([
      'GET /v2/bot/richmenu/list',
      'GET /v2/bot/richmenu/alias/list',
      'GET /v2/bot/user/all/richmenu',
      'POST /v2/bot/richmenu/validate ×6',
      'POST /v2/bot/richmenu ×6',
      'POST /v2/bot/richmenu/{id}/content ×6',
      'POST /v2/bot/richmenu/alias ×6',
      'POST /v2/bot/user/all/richmenu/{id}',
    ]);
    expect(platform.violations.filter((v) => v.path !== '/v2/bot/user/all/richmenu')).toEqual([]);

    const menus = platform.listRichMenus();
    expect(menus.map((m) => m.menu.name).sort()).toEqual(['akari-main', ...RICH_MENU_STAGES.map((s) => `akari-main-${s}`)].sort());
    expect(menus.every((m) => m.image?.contentType === 'image/png' && m.image.data.length > 0)).toBe(true);

    const main = defaultMenu();
    expect(main?.menu.name).toBe('akari-main');
    expect(main?.image).toBeDefined();
    expect(main?.richMenuId).toBe(result.defaultRichMenuId);
    expect(platform.resolveRichMenuAlias('akari-main')).toBe(result.defaultRichMenuId);
    for (const stage of RICH_MENU_STAGES) {
      const id = platform.resolveRichMenuAlias(`akari-${stage.toLowerCase()}`);
      expect(id && platform.getRichMenu(id)?.menu.name).toBe(`akari-main-${stage}`);
    }
    // The postbacks the machine understands.
    expect(main?.menu.areas?.map((a) => (a.action as { data?: string }).data)).toEqual([
      ...RICH_MENU_STAGES.map((s) => `action=stage&stage=${s}`),
      'action=help',
    ]);

    // Each step is reported as it happens.
    expect(lines.filter((l) => l.startsWith('✓ validated'))).toHaveLength(6);
    expect(lines.filter((l) => l.startsWith('✓ created'))).toHaveLength(6);
    expect(lines.filter((l) => l.startsWith('✓ uploaded'))).toHaveLength(6);
    expect(lines.filter((l) => l.startsWith('✓ alias'))).toHaveLength(6);
    expect(lines.some((l) => l.startsWith('✓ default rich menu → akari-main'))).toBe(true);
  });

  it('a re-run replaces the menus, moves the aliases and deletes the menus it replaced', async () => {
    const first = await deployRichMenus(options());
    const firstIds = first.menus.map((m) => m.richMenuId!);
    // A menu that is not ours stays untouched.
    const other = await fetch(`${url}/v2/bot/richmenu`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...platform.getRichMenu(firstIds[0]!)!.menu, name: 'campaign-menu' }),
    }).then((r) => r.json() as Promise<{ richMenuId: string }>);
    const before = platform.requests.length;

    const second = await deployRichMenus(options());

    const secondIds = second.menus.map((m) => m.richMenuId!);
    expect(secondIds.some((id) => firstIds.includes(id))).toBe(false);
    expect(second.replaced.sort()).toEqual([...firstIds].sort());
    expect(platform.listRichMenus().map((m) => m.richMenuId).sort()).toEqual([...secondIds, other.richMenuId].sort());
    expect(defaultMenu()?.richMenuId).toBe(second.defaultRichMenuId);
    expect(aliasTargets()).toEqual(Object.fromEntries(second.menus.map((m) => [m.aliasId, m.richMenuId])));

    const rerun = platform.requests.slice(before);
    // Aliases that exist are moved, not created; the old menus go only after the switch.
    expect(rerun.filter((r) => r.method === 'POST' && r.path.startsWith('/v2/bot/richmenu/alias/')).length).toBe(6);
    const switchAt = rerun.findIndex((r) => r.path.startsWith('/v2/bot/user/all/richmenu/'));
    const firstDelete = rerun.findIndex((r) => r.method === 'DELETE');
    expect(switchAt).toBeGreaterThan(0);
    expect(firstDelete).toBeGreaterThan(switchAt);
    expect(rerun.filter((r) => r.method === 'DELETE').map((r) => r.path.split('/').pop()).sort()).toEqual([...firstIds].sort());
    expect(lines.filter((l) => l.startsWith('✓ deleted the replaced menu'))).toHaveLength(6);
  });

  it('--dry-run reads and validates but calls none of LINE\'s write endpoints', async () => {
    await deployRichMenus(options());
    const state = { menus: platform.listRichMenus().map((m) => m.richMenuId).sort(), aliases: aliasTargets(), main: defaultMenu()?.richMenuId };
    const before = platform.requests.length;
    lines = [];

    const out: string[] = [];
    const code = await runRichMenuDeploy({ argv: ['--dry-run'], env: env(), write: (l) => out.push(l) });

    expect(code).toBe(0);
    const calls = platform.requests.slice(before);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter(isWrite)).toEqual([]);
    expect(calls.filter((r) => r.path === '/v2/bot/richmenu/validate')).toHaveLength(6);
    expect({ menus: platform.listRichMenus().map((m) => m.richMenuId).sort(), aliases: aliasTargets(), main: defaultMenu()?.richMenuId }).toEqual(state);
    const text = out.join('\n');
    expect(text).toContain('would create akari-main-situation');
    expect(text).toContain('would move alias akari-lessons → akari-main-lessons');
    expect(text).toContain('would set akari-main as the default rich menu');
    expect(out.filter((l) => l.startsWith('- would delete the replaced menu'))).toHaveLength(6);
  });

  it('a bad token fails with a worded message and changes nothing', async () => {
    const out: string[] = [];
    const code = await runRichMenuDeploy({ argv: [], env: env({ LINE_CHANNEL_ACCESS_TOKEN: 'not-the-token' }), write: (l) => out.push(l) });

    expect(code).toBe(1);
    const text = out.join('\n');
    expect(text).toContain('LINE rejected the channel access token (401)');
    expect(text).toContain('LINE_CHANNEL_ACCESS_TOKEN');
    expect(text).not.toContain('not-the-token');
    expect(platform.requests.filter(isWrite)).toEqual([]);
    expect(platform.listRichMenus()).toEqual([]);
  });

  it('refuses to run without a channel access token, before calling LINE', async () => {
    const out: string[] = [];
    const code = await runRichMenuDeploy({ argv: [], env: { NODE_ENV: 'test', LINE_API_BASE_URL: url }, write: (l) => out.push(l) });
    expect(code).toBe(1);
    expect(out.join('\n')).toMatch(/Refusing to deploy: LINE_CHANNEL_ACCESS_TOKEN is not set/);
    expect(platform.requests).toEqual([]);
  });

  it('stops before LINE is touched when an image is over 1 MB', async () => {
    const tooLarge = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(1024 * 1024)]);
    const error = await deployRichMenus(options({ readImage: (v) => (v.highlight === 'call' ? tooLarge : Buffer.from(tooLarge.subarray(0, 100))) })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RichMenuDeployError);
    expect((error as Error).message).toMatch(/image for akari-main-call .* is too large: 1048584 bytes.*at most 1048576 bytes \(1 MB\)/);
    expect(platform.requests).toEqual([]);
  });

  it('reports LINE\'s validation details in words', async () => {
    platform.failNext({
      path: '/v2/bot/richmenu/validate',
      status: 400,
      body: { message: 'The request body has 1 error(s)', details: [{ message: 'Must not be longer than 14 characters', property: 'chatBarText' }] },
    });
    const error = await deployRichMenus(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RichMenuDeployError);
    expect((error as Error).message).toContain('LINE rejected validating the rich menu akari-main (400): "The request body has 1 error(s)"');
    expect((error as Error).message).toContain('  - chatBarText: Must not be longer than 14 characters');
    expect(platform.listRichMenus()).toEqual([]);
  });

  it('says so when LINE cannot be reached', async () => {
    await platform.close();
    const error = await deployRichMenus(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RichMenuDeployError);
    expect((error as Error).message).toMatch(/^Could not reach LINE at http:\/\/127\.0\.0\.1:\d+ while listing the rich menus: ECONNREFUSED/);
    platform = createLinePlatform({ channelAccessToken: TOKEN, validator });
    url = await platform.listen(0, '127.0.0.1');
  });

  it('a failure halfway leaves the previous default and aliases in place and deletes what the run created', async () => {
    const first = await deployRichMenus(options());
    const state = { menus: platform.listRichMenus().map((m) => m.richMenuId).sort(), aliases: aliasTargets(), main: defaultMenu()?.richMenuId };
    expect(state.main).toBe(first.defaultRichMenuId);

    // Fail the third image upload: arm the fault when the second upload is reported.
    let uploads = 0;
    const error = await deployRichMenus(
      options({
        write: (line) => {
          lines.push(line);
          if (line.startsWith('✓ uploaded') && ++uploads === 2) platform.failNext({ path: /\/content$/, status: 500 });
        },
      }),
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RichMenuDeployError);
    const message = (error as Error).message;
    expect(message).toContain('LINE had a server error (500) while uploading the image for akari-main-preparation');
    expect(message).toContain(`the previous default ${first.defaultRichMenuId} stays`);
    expect((error as RichMenuDeployError).details.rolledBack).toBe(true);
    expect({ menus: platform.listRichMenus().map((m) => m.richMenuId).sort(), aliases: aliasTargets(), main: defaultMenu()?.richMenuId }).toEqual(state);
    expect(lines.filter((l) => l.startsWith('↺ deleted'))).toHaveLength(6);
  });

  it('a failure during the switch puts the aliases back', async () => {
    const first = await deployRichMenus(options());
    const state = { menus: platform.listRichMenus().map((m) => m.richMenuId).sort(), aliases: aliasTargets(), main: defaultMenu()?.richMenuId };

    platform.failNext({ path: /^\/v2\/bot\/user\/all\/richmenu\//, method: 'POST', status: 503 });
    const error = await deployRichMenus(options()).catch((e: unknown) => e);

    expect((error as Error).message).toContain('LINE had a server error (503) while setting akari-main as the default rich menu');
    expect({ menus: platform.listRichMenus().map((m) => m.richMenuId).sort(), aliases: aliasTargets(), main: defaultMenu()?.richMenuId }).toEqual(state);
    expect(defaultMenu()?.richMenuId).toBe(first.defaultRichMenuId);
    expect(lines.filter((l) => l.startsWith('↺ put back alias'))).toHaveLength(6);
  });
});
