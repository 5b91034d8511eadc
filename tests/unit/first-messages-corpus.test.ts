// The first messages job seekers write, in their own words (phrasings gathered from questions people
// posted online about missed or awaited calls from an employer, and many variants of them). Each
// must get, in its first reply, the answer to what it asked, never "couldn't read" and never a
// question before the advice, in one reply of at most five messages: with or without following first.
import { fileURLToPath } from 'node:url';
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { ConversationEvent, Effect } from '../../src/conversation/kit/events.ts';
import { createConversationMachine, CONTENT_REQUIREMENTS } from '../../src/conversation/machine.ts';
import { loadFlows } from '../../src/flows/load-flows.ts';
import { createBusinessCalendar } from '../../src/time/business-calendar.ts';
import { createCallWindows } from '../../src/time/call-windows.ts';

const content = loadFlows(fileURLToPath(new URL('../../flows', import.meta.url)), CONTENT_REQUIREMENTS);
const calendar = createBusinessCalendar();
const machine = createConversationMachine({ content, calendar, callWindows: createCallWindows(calendar) });
// Tuesday 2026-12-08, 13:00 in Tokyo.
const AT = Date.parse('2026-12-08T04:00:00Z');

function firstReply(message: string, afterFollow: boolean) {
  const actor = createActor(machine, { input: {} });
  let effects: Effect[] = [];
  actor.on('*', (e) => effects.push(e as Effect));
  actor.start();
  const events: ConversationEvent[] = [...(afterFollow ? [{ type: 'FOLLOW', at: AT } as const] : []), { type: 'TEXT', text: message, at: AT }];
  for (const e of events) {
    effects = [];
    actor.send(e);
  }
  const replies = effects.filter((e): e is Extract<Effect, { type: 'reply' }> => e.type === 'reply');
  const messages = replies.flatMap((r) => r.messages as Array<{ type: string; text?: string; altText?: string }>);
  return { text: messages.map((m) => m.text ?? m.altText ?? '').join('\n'), count: messages.length, snapshot: actor.getSnapshot() };
}

const MISSED_CALL: readonly string[] = [
  'バイトの面接を受けたお店から昨日の夜に何回か着信があったのですが、非通知だったので出られませんでした。もう遅いですか？',
  '面接したバイト先から不在着信が入っていました。気づいたのが次の日になってしまったのですが、今から折り返しても大丈夫でしょうか？',
  '応募先から電話があったのに気づかなくて、3日経ってしまいました。かけ直すべきですか？',
  '面接の次の日に知らない番号から着信があって、調べたら面接を受けた会社でした。もう4日たっています。電話していいですか',
  '携帯を修理に出していて、その間に面接先から何度も電話が来ていたみたいです。1週間たってしまったんですが、今さら連絡しても迷惑ですか？',
  '昨日の18時半ごろ面接したお店から着信があり、留守電に「またかけ直します」と入っていました。こっちからかけたほうがいいですか？',
  '0120から始まる番号から2回着信がありました。面接を受けた会社の採用窓口みたいです。折り返していいですか？',
  '非通知で電話が来ていて出られませんでした。たぶん面接を受けたお店だと思います。どうすればいいですか？',
  '公衆電話から着信がありました。先週面接したバイト先かもしれません。どうしたらいいでしょう',
  'バイトの面接先から何十回も着信が来てました…仕事中で出られなかったです。怒ってますよね？',
  '1日(火)に面接して、次の日に着信があったのに出られませんでした。いつ電話すればいいですか？',
  '面接を受けたところから十数回も電話がきていて怖いです。出られなかったのは寝ていたからです。かけ直すべき？',
  '金曜の夜に面接先から電話があったのに気づきませんでした。今すぐかけ直してもいいですか？',
  'おとといバイト先から不在着信がありました。留守電はなかったです。折り返したほうがいいですか？',
  '面接を受けたカフェから電話がきてたのに、マナーモードで気づかなかった。2日前です。やばいですか？',
  '株式会社サクラ物流の面接を受けたあと、電話に出られませんでした。5日たってます。もう手遅れでしょうか',
  '面接後に応募先から着信があったのですが、知らない番号だったので出ませんでした。折り返しの電話ってどうすればいいですか？',
  'スマホが壊れていて、面接先からの電話に1週間近く出られていませんでした。まだ間に合いますか',
  '応募したお店から着信が3回ありました。留守電もSMSもありません。電話するのが怖いです',
  'バイト面接の結果の電話だと思うんですが、出られませんでした。昨日の夜です。もう落ちましたか？',
  '面接先から電話がかかってきていたのに、気づいたのが2日後でした。今から連絡して失礼になりませんか？',
  '先日面接を受けた会社から不在着信がありました。留守番電話に折り返しくださいと入っていました。何時ごろかければいいですか',
  '着信に気づかず、面接した会社からの電話を10日もほったらかしにしてしまいました。連絡したほうがいいですか？',
  '応募先からメールと電話が来ていたのに、迷惑フォルダに入っていて気づかなかったです。もう1週間経ってます',
  '面接を受けたお店に電話したら留守番電話でした。向こうから何回も着信があったのに出られなかったんです。どうしよう',
];

const WAITING: readonly string[] = [
  '先週面接して、1週間以内に連絡すると言われたのにまだ来ません。電話してもいいですか？',
  '面接から10日たったけど連絡がない。落ちたのかな',
  'バイトの面接を受けて、3日以内に連絡しますと言われたのですが、もう5日たちました。問い合わせても大丈夫ですか？',
  '面接で「合否は1週間以内に電話します」と言われて今日でちょうど1週間です。まだ連絡が来ていません',
  '面接から2週間、音沙汰なしです。こちらから聞いてもいいものでしょうか',
];

describe('first messages from real stories get the answer first', () => {
  for (const afterFollow of [false, true]) {
    describe(afterFollow ? 'after following' : 'as the very first message', () => {
      for (const message of MISSED_CALL) {
        it(`missed call: ${message.slice(0, 40)}…`, () => {
          const { text, count, snapshot } = firstReply(message, afterFollow);
          expect(text).not.toContain('うまく読み取れませんでした');
          expect(text).not.toContain('何日くらい経っていますか');
          expect(text).toMatch(/結論からお伝えすると|連絡する価値は十分にあります/u);
          expect(text).toMatch(/おすすめは|電話しやすい時間帯です/u);
          expect(snapshot.value).toEqual({ situation: 'assessment' });
          expect(count).toBeLessThanOrEqual(5);
        });
      }
      for (const message of WAITING) {
        it(`waiting: ${message.slice(0, 40)}…`, () => {
          const { text, count } = firstReply(message, afterFollow);
          expect(text).not.toContain('うまく読み取れませんでした');
          expect(text).toMatch(/結論からお伝えすると|不採用と決まったわけではない|日数がわからなくても大丈夫/u);
          expect(count).toBeLessThanOrEqual(5);
        });
      }
    });
  }

  it('a hidden number is said to be one that cannot be called back, with what to call instead', () => {
    const { text } = firstReply(MISSED_CALL[7]!, false);
    expect(text).toContain('こちらからかけ直せません');
    expect(text).toContain('求人情報に載っている番号');
  });

  it('a toll-free number is said to reach a reception desk, which is fine to call', () => {
    const { text } = firstReply(MISSED_CALL[6]!, false);
    expect(text).toContain('受付や窓口につながる');
    expect(text).not.toContain('こちらからかけ直せません');
  });
});
