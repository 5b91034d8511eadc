// The simulator page in a real browser: Debian's chromium driven by playwright-core, against Akari
// started in local mode in this process (its own local LINE platform, a fake clock, a temp SQLite).
//
// It walks part of the real conversation, so it names texts from flows/*.yaml: when the content
// changes, the step that fails says which text it was waiting for.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { startAkari, type Akari } from '../../src/main.ts';
import { createLinePlatform, type LinePlatform } from '../../src/local/line-platform.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { createLogCapture, tempDatabaseUrl } from '../support/harness.ts';

const CHROMIUM = '/usr/bin/chromium';
const IN_CI = process.env.CI === 'true';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Every run leaves its screenshot here (git-ignored); UPDATE_SCREENSHOTS=1 also refreshes the README's. */
const ARTIFACT = join(ROOT, 'tests', '.artifacts', 'simulator.png');
const DOCS_SCREENSHOT = join(ROOT, 'docs', 'simulator.png');
const SCRIPT = '<script>alert(1)</script>';

if (!HAVE_CHROMIUM && !IN_CI) {
  console.warn(`simulator browser test skipped: ${CHROMIUM} is missing (install it with \`apt-get install -y chromium\`; in CI it always runs)`);
}

describe.skipIf(!HAVE_CHROMIUM && !IN_CI)('the simulator page in chromium', () => {
  let akari: Akari;
  let platform: LinePlatform;
  let browser: Browser;
  let page: Page;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) throw new Error(`${CHROMIUM} is missing: .ci/run must install Debian's chromium (apt-get install -y chromium)`);
    // 20:30 on a Tuesday: too late to call, so Akari offers to remind at the next good time.
    const clock = createFakeClock('2026-12-01T20:30:00+09:00');
    platform = createLinePlatform({ now: () => clock.now().getTime() });
    const config = loadConfig({ NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'info', DATABASE_URL: tempDatabaseUrl() });
    akari = await startAkari(config, { clock, platform, logDestination: createLogCapture().stream });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'ja-JP', timezoneId: 'Asia/Tokyo' });
    page.setDefaultTimeout(15_000);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await akari?.stop();
    await platform?.close();
  });

  /** Waits for one of Akari's messages containing `text`. */
  const botSays = (text: string) => page.locator('.row-bot', { hasText: text }).last().waitFor();
  const tapChip = (label: string) => page.locator('.chip', { hasText: label }).first().click();
  const type = async (text: string) => {
    await page.locator('#text').fill(text);
    await page.locator('#text').press('Enter');
    await page.locator('.bubble-user').filter({ hasText: text }).last().waitFor();
  };
  const tapMenu = (label: string) => page.locator(`.richmenu-area[aria-label="${label}"]`).click();
  const stage = () => page.locator('#stage').textContent();

  it('opens as a new LINE friend: Akari greets on the left, with her name and avatar', async () => {
    await page.goto(`${akari.url}/`);
    await botSays('はじめまして');
    const first = page.locator('.row-bot').first();
    expect(await first.locator('.avatar').textContent()).toBe('あ');
    expect(await first.locator('.bot-name').textContent()).toBe('あかり');
    await page.waitForFunction(() => document.getElementById('stage')?.dataset.stage === 'situation');
    expect(await stage()).toContain('状況整理');
    expect(await page.locator('#clock').textContent()).toBe('12月1日（火）20:30');
  }, 30_000);

  it('shows what the user types as text, even if it looks like HTML', async () => {
    await type(SCRIPT);
    const bubble = page.locator('.bubble-user').last();
    expect(await bubble.textContent()).toBe(SCRIPT);
    expect(await bubble.evaluate((node) => node.children.length)).toBe(0);
    expect(await page.locator('#chat script').count()).toBe(0);
    // On the right, in a user bubble.
    expect(await bubble.evaluate((node) => getComputedStyle(node.parentElement!).justifyContent)).toBe('flex-end');
    await botSays('何日くらい経っていますか');
    expect(dialogs).toEqual([]);
  }, 30_000);

  it('walks the situation stage with quick-reply chips and a typed answer', async () => {
    expect(await page.locator('.chip').allTextContents()).toEqual(expect.arrayContaining(['2〜3日', 'スキップ']));
    // As in LINE, the chips go away the moment one is tapped.
    const hiddenOnTap = await page.locator('.chip', { hasText: '2〜3日' }).evaluate((chip) => {
      (chip as HTMLButtonElement).click();
      return document.getElementById('quick-replies')!.hidden;
    });
    expect(hiddenOnTap).toBe(true);
    await page.locator('.bubble-user', { hasText: '2〜3日です' }).waitFor(); // the chip's displayText
    // The answer first: one tap is enough for the assessment.
    await botSays('十分に間に合います');
    // More of the story, typed: kept, and the answer given again as it now stands.
    await type('株式会社ミライから非通知で2回着信がありました');
    await botSays('非通知や知らない番号の電話を警戒する');
    expect(await stage()).toContain('状況整理');
  }, 60_000);

  it('moves on from the rich menu and renders the apology template as a flex card', async () => {
    await tapMenu('電話の準備');
    await page.locator('.bubble-user', { hasText: '電話の準備' }).last().waitFor();
    await botSays('電話で名乗るお名前');
    await page.waitForFunction(() => document.getElementById('stage')?.dataset.stage === 'preparation');
    await type('佐藤健と申します');
    await botSays('担当の方のお名前');
    await type('採用担当の田中さんです');

    const card = page.locator('.flex-bubble').last();
    await card.waitFor();
    expect(await card.locator('.flex-header .flex-text').first().textContent()).toContain('お詫び');
    const body = (await card.locator('.flex-body').textContent()) ?? '';
    expect(body).toContain('佐藤健と申します');
    expect(body).not.toContain('〇〇');
    // Drawn like LINE draws it: a white card, bold coloured title, wrapped body text.
    const title = card.locator('.flex-header .flex-text').first();
    expect(await title.evaluate((node) => getComputedStyle(node).fontWeight)).toBe('700');
    expect(await card.locator('.flex-body .flex-text-wrap').count()).toBeGreaterThan(1);
    expect(await card.evaluate((node) => node.getBoundingClientRect().width)).toBeLessThanOrEqual(300);

    // The page fits a phone: nothing sticks out sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    // The screenshot: the card and the chat around it.
    await page.locator('#text').blur();
    await page.mouse.move(0, 0);
    await page.locator('.row-user', { hasText: '採用担当の田中さんです' }).evaluate((row) => {
      const chat = document.getElementById('chat')!;
      chat.scrollTop += row.getBoundingClientRect().top - chat.getBoundingClientRect().top - 8;
    });
    await page.evaluate(() => document.fonts.ready);
    mkdirSync(dirname(ARTIFACT), { recursive: true });
    await page.screenshot({ path: ARTIFACT });
    if (process.env.UPDATE_SCREENSHOTS === '1') await page.screenshot({ path: DOCS_SCREENSHOT });
  }, 60_000);

  it('asks for a reminder at night and shows the scheduled push when the clock moves a day', async () => {
    await tapMenu('電話する');
    await botSays('いまは電話を控えたほうがよい時間');
    await tapChip('その時間に知らせて');
    await botSays('にお知らせしますね');
    const pushesBefore = await page.locator('.row-bot[data-delivery="push"]').count();

    await page.locator('.clockbar button', { hasText: '+1日' }).click();
    const push = page.locator('.row-bot[data-delivery="push"]', { hasText: 'そろそろ' });
    await push.waitFor();
    expect(await page.locator('.row-bot[data-delivery="push"]').count()).toBe(pushesBefore + 1);
    expect(await push.locator('.meta-tag').textContent()).toBe('プッシュ');
    // It came at the reminder's time, under the new day's date line.
    expect(await push.locator('.meta-time').textContent()).toBe('10:00');
    await page.locator('.day-label', { hasText: '12月2日' }).waitFor();
    await page.waitForFunction(() => document.getElementById('clock')?.textContent === '12月2日（水）20:30');
  }, 60_000);

  it('shows a readable error when the bot breaks a LINE rule', async () => {
    const userId = await page.locator('#user-select').inputValue();
    // As if the bot pushed more than LINE's five messages at once.
    const res = await fetch(`${platform.url}/v2/bot/message/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: userId, messages: Array.from({ length: 6 }, (_, i) => ({ type: 'text', text: `${i}` })) }),
    });
    expect(res.status).toBe(400);
    const card = page.locator('.violation:not(.violation-soft)').last();
    await card.waitFor();
    expect(await card.locator('.violation-title').textContent()).toContain('拒否');
    expect(await card.locator('.violation-path').textContent()).toBe('POST /v2/bot/message/push');
    expect(await card.locator('.violation-reasons').textContent()).toMatch(/messages/);
  }, 30_000);

  it('draws every flex component LINE accepts, and keeps their text as text', async () => {
    // Not from the conversation: a push straight to the platform, to cover what the bot doesn't use yet.
    const userId = await page.locator('#user-select').inputValue();
    const imageUrl = `${akari.url}/local/sim/richmenu.png`;
    const flex = {
      type: 'flex',
      altText: 'コンポーネント見本',
      contents: {
        type: 'carousel',
        contents: [
          {
            type: 'bubble',
            hero: { type: 'image', url: imageUrl, size: 'full', aspectRatio: '20:13', aspectMode: 'cover' },
            body: {
              type: 'box',
              layout: 'vertical',
              spacing: 'md',
              contents: [
                { type: 'text', text: '見本 <img src=x onerror=alert(2)>', weight: 'bold', size: 'xl', color: '#E8795A' },
                {
                  type: 'box',
                  layout: 'baseline',
                  contents: [
                    { type: 'icon', url: imageUrl, size: 'sm' },
                    { type: 'text', text: 'アイコンつき', flex: 0, margin: 'sm' },
                    { type: 'filler' },
                  ],
                },
                { type: 'separator', color: '#FF0000' },
                {
                  type: 'box',
                  layout: 'horizontal',
                  contents: [
                    { type: 'text', text: 'ひとつ', flex: 1 },
                    { type: 'text', text: 'ふたつ', flex: 2, align: 'end' },
                  ],
                },
                { type: 'text', contents: [{ type: 'span', text: '太字', weight: 'bold' }, { type: 'span', text: 'と普通' }], wrap: true },
              ],
            },
            footer: {
              type: 'box',
              layout: 'vertical',
              spacing: 'sm',
              contents: [
                { type: 'button', style: 'primary', action: { type: 'postback', label: '押す', data: 'action=help', displayText: 'ボタンを押しました' } },
                { type: 'button', style: 'secondary', height: 'sm', action: { type: 'message', label: '送る', text: 'ボタンから送信' } },
                { type: 'button', style: 'link', action: { type: 'uri', label: 'リンク', uri: 'https://example.com/' } },
              ],
            },
          },
          { type: 'bubble', size: 'micro', body: { type: 'box', layout: 'vertical', contents: [{ type: 'text', text: '二枚目', wrap: true }] } },
        ],
      },
    };
    const res = await fetch(`${platform.url}/v2/bot/message/push`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: userId, messages: [flex] }),
    });
    expect(res.status, await res.clone().text()).toBe(200);

    const carousel = page.locator('.flex-carousel').last();
    await carousel.waitFor();
    expect(await carousel.locator('.flex-bubble').count()).toBe(2);
    expect(await carousel.locator('.flex-bubble-micro').count()).toBe(1);
    const bubble = carousel.locator('.flex-bubble').first();

    const hero = bubble.locator('.flex-hero img');
    await page.waitForFunction((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0, await hero.elementHandle());
    const heroBox = (await bubble.locator('.flex-hero .flex-image-frame').boundingBox())!;
    expect(heroBox.width / heroBox.height).toBeCloseTo(20 / 13, 1);
    expect(await hero.evaluate((img) => getComputedStyle(img).objectFit)).toBe('cover');

    const title = bubble.locator('.flex-text').first();
    expect(await title.textContent()).toBe('見本 <img src=x onerror=alert(2)>');
    expect(await title.evaluate((n) => [getComputedStyle(n).color, getComputedStyle(n).fontSize, n.children.length])).toEqual(['rgb(232, 121, 90)', '22px', 0]);
    expect(await bubble.locator('.flex-icon img').count()).toBe(1);
    expect(await bubble.locator('.flex-separator').evaluate((n) => [n.getBoundingClientRect().height, getComputedStyle(n).backgroundColor])).toEqual([1, 'rgb(255, 0, 0)']);
    const [one, two] = await bubble.locator('.flex-box-horizontal > .flex-text').evaluateAll((nodes) => nodes.map((n) => n.getBoundingClientRect().width));
    expect(two! / one!).toBeCloseTo(2, 1);
    expect(await bubble.locator('.flex-span').evaluateAll((nodes) => nodes.map((n) => [n.textContent, getComputedStyle(n).fontWeight]))).toEqual([
      ['太字', '700'],
      ['と普通', '400'],
    ]);
    const primary = bubble.locator('.flex-button-primary');
    expect(await primary.evaluate((n) => getComputedStyle(n).backgroundColor)).toBe('rgb(23, 201, 80)');
    expect(await bubble.locator('.flex-button-link').textContent()).toBe('リンク');

    // Buttons act as LINE's actions do: a postback shows its displayText, a message action sends its text.
    await primary.click();
    await page.locator('.bubble-user', { hasText: 'ボタンを押しました' }).waitFor();
    await bubble.locator('.flex-button-secondary').click();
    await page.locator('.bubble-user', { hasText: 'ボタンから送信' }).waitFor();
    expect(dialogs).toEqual([]);
  }, 30_000);

  it('keeps several users apart, and resets one', async () => {
    const first = await page.locator('#user-select').inputValue();
    await page.locator('#add-user').click();
    await page.waitForFunction((id) => (document.getElementById('user-select') as HTMLSelectElement).value !== id, first);
    await botSays('はじめまして');
    expect(await page.locator('.row-bot', { hasText: 'そろそろ' }).count()).toBe(0);
    expect(await page.locator('#user-select option').count()).toBe(2);

    // Back to the first user: their chat comes back from the server.
    await page.locator('#user-select').selectOption(first);
    await page.locator('.row-bot', { hasText: 'そろそろ' }).waitFor();

    await page.locator('#reset-user').click();
    await page.locator('.note', { hasText: 'リセット' }).waitFor();
    await botSays('はじめまして');
    expect(await page.locator('.row-bot', { hasText: 'そろそろ' }).count()).toBe(0);
    await page.waitForFunction(() => document.getElementById('stage')?.dataset.stage === 'situation');
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
  }, 60_000);
});
