import { fileURLToPath } from 'node:url';
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import { CONTENT_REQUIREMENTS, createConversationMachine } from '../../src/conversation/machine.ts';
import { inTurn } from '../../src/conversation/turn-memo.ts';
import { loadFlows } from '../../src/flows/load-flows.ts';
import { createBusinessCalendar } from '../../src/time/business-calendar.ts';
import { createCallWindows } from '../../src/time/call-windows.ts';

const content = loadFlows(fileURLToPath(new URL('../../flows', import.meta.url)), CONTENT_REQUIREMENTS);
const calendar = createBusinessCalendar();
const machine = createConversationMachine({ content, calendar, callWindows: createCallWindows(calendar) });
const AT = Date.parse('2026-12-01T01:00:00Z'); // Tuesday 10:00 in Tokyo

/** Where the first message leads (the top-level state), and what Akari answers. */
function firstTurn(text: string, opts: { followFirst?: boolean } = {}) {
  const actor = createActor(machine, { input: { at: AT } });
  const said: string[] = [];
  actor.on('*', (e) => {
    if (e.type === 'reply') for (const m of e.messages as { type: string; text?: string }[]) if (m.text) said.push(m.text);
  });
  actor.start();
  // Adding Akari as a friend comes first for most people: the greeting asks the default scenario's
  // first question, and the story still picks its own.
  if (opts.followFirst) inTurn(() => actor.send({ type: 'FOLLOW', at: AT }));
  said.length = 0;
  inTurn(() => actor.send({ type: 'TEXT', text, at: AT }));
  const value = actor.getSnapshot().value;
  actor.stop();
  return { stage: typeof value === 'string' ? value : Object.keys(value)[0], said: said.join('\n') };
}

// First messages as people write them: waiting for a promised contact that hasn't come.
const WAITING = [
  '先週面接して、1週間以内に連絡すると言われたのにまだ来ません。電話してもいいですか？',
  '面接から10日たったけど連絡がない。もう落ちたってことかな',
  '面接から1週間、連絡がありません',
  'バイトの面接を受けて5日経ちますが、まだ連絡が来ません',
  '3日以内に連絡しますと言われたのに、もう5日経ちました',
  '「1週間以内にご連絡します」と言われてから、今日でちょうど1週間です。まだ連絡が来ておらず不安です',
  '面接の結果の連絡がまだ来ません。問い合わせても失礼になりませんか',
  '最終面接から2週間、音沙汰がありません',
  '合否の連絡が来ないのですが、これって不採用ですか？',
  '今週中に連絡すると言われたのに、金曜になっても返事がない',
  '面接後、結果は後日連絡しますと言われたきり何もありません',
  '2週間くらいで結果を連絡すると言われて、もう3週間たちます',
  'アルバイトの面接を受けたお店から、全然連絡が来ない',
  '面接してから連絡待ちの状態です。いつまで待てばいいですか',
  '結果待ちなんですが、こちらから電話してもいいものでしょうか',
  '一次面接のあと、10日ほどで連絡がくると言われたのにまだです。メールで聞いてもいいですか',
  '面接から4日、返事がないです。落ちたかな',
  '数日中にご連絡しますと言われたのに、1週間たっても連絡なし',
  '来週までに連絡すると言われたけど、まだ何も来ていません',
  '転職の面接を受けて、連絡がなかなか来ません',
  '正社員の面接を受けて一週間、結果の連絡が来ないので不安です',
  '面接から12日経過。連絡が来ません。サイレントお祈りでしょうか',
];

// …and missed-call stories, which go where they always went, even when they mention waiting.
const MISSED_CALL = [
  '6日前に面接したバイト先から連絡が来ていたみたいですが、携帯の修理に出していて出られませんでした',
  '3日前に株式会社ミライから電話がありました。気づきませんでした。',
  '面接のあと、応募先からの電話に出られませんでした。折り返してもいいですか',
  '知らない番号からの着信が何回もあって、調べたら面接したお店でした',
  '非通知の電話を無視していたら、面接先からだったみたいです',
  '不在着信が残っていました。面接を受けた会社からです',
  '1週間以内に連絡すると言われていたのに、その電話に出られませんでした',
  '面接先から留守電が入っていました。まだ折り返していません',
  '昨日、面接した会社の電話に気づかなかった',
  '仕事中で面接先からの電話に出れなかった。どうしよう',
];

// Stories about something else: a kind answer with what Akari helps with, and the way in to each.
const NEITHER = ['履歴書の志望動機の書き方を教えてください', '転職しようか迷っています。相談に乗ってください', '今日の天気はどうですか？晴れますか', 'おすすめのレシピを教えてほしいです'];

// Greetings and short openers: the conversation starts as it always did.
const OPENERS = ['こんにちは', 'はじめまして', 'あかりさん、こんにちは', 'ひまわり食堂です', 'こんにちは、相談があります', 'ちょっと聞きたいことがあるんですが', 'すみません、質問してもいいですか？'];

describe('the first message picks the scenario', () => {
  it.each(WAITING)('waiting for a promised contact: %s', (text) => {
    const { stage, said } = firstTurn(text);
    expect(stage).toBe('contactWait');
    // On point at once: silence is not yet a no, and no apology for a missed call.
    expect(said).toMatch(/不採用|いつ頃までに連絡すると言われましたか|結論からお伝えすると/);
    expect(said).not.toMatch(/出られなかった理由|お詫び/);
  });

  it.each(MISSED_CALL)('a missed call: %s', (text) => {
    expect(firstTurn(text).stage).toBe('situation');
  });

  it.each(WAITING)('after following, still waiting: %s', (text) => {
    const { stage, said } = firstTurn(text, { followFirst: true });
    expect(stage).toBe('contactWait');
    expect(said).toMatch(/不採用|いつ頃までに連絡すると言われましたか|結論からお伝えすると/);
  });

  it.each(MISSED_CALL)('after following, still a missed call: %s', (text) => {
    expect(firstTurn(text, { followFirst: true }).stage).toBe('situation');
  });

  it.each(NEITHER)('neither: %s', (text) => {
    const { stage, said } = firstTurn(text);
    expect(stage).toBe('new');
    expect(said).toContain('あかりがお手伝いできるのは');
  });

  it.each(OPENERS)('an opener without a story: %s', (text) => {
    expect(firstTurn(text).stage).toBe('situation');
  });

  it('without a promise, a part-time job waits less than an office job before asking', () => {
    const actor = createActor(machine, { input: { at: AT } });
    const said: string[] = [];
    actor.on('*', (e) => {
      if (e.type === 'reply') for (const m of e.messages as { text?: string }[]) if (m.text) said.push(m.text);
    });
    actor.start();
    inTurn(() => actor.send({ type: 'TEXT', text: 'バイトの面接を受けて6日経ちますが、まだ連絡が来ません', at: AT }));
    inTurn(() => actor.send({ type: 'POSTBACK', data: 'action=answer&q=promisedDays&v=0', at: AT }));
    expect(said.join('\n')).toContain('目安は5日ほど');
    expect(said.join('\n')).toContain('いまは問い合わせてよい時期です');
    actor.stop();
  });

  it('the two messages of the issue are answered on point in the first reply', () => {
    const week = firstTurn('先週面接して、1週間以内に連絡すると言われたのにまだ来ません。電話してもいいですか？').said;
    expect(week).toContain('期限を少し過ぎたところです');
    expect(week).toContain('連絡がないこと＝不採用、ではありません');
    const tenDays = firstTurn('面接から10日たったけど連絡がない。もう落ちたってことかな').said;
    expect(tenDays).toContain('不採用と決まったわけではない');
  });
});
