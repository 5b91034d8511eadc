// What a message is, before it is taken as an answer: a request or a refusal is no name, small talk
// is answered in a word, "いつ電話すればいいですか？" is a question. Built from what people type.
import { describe, expect, it } from 'vitest';
import { interpretAnswer } from '../../src/conversation/kit/questions.ts';
import { mergeFacts } from '../../src/conversation/kit/profile.ts';
import { asksWhenToCall, extractFacts, notADetail, readSmallTalk, readTypedTicks } from '../../src/understanding/index.ts';

const now = new Date('2026-12-08T04:00:00Z');
const other = (text: string) => ({ kind: 'other' as const, text });

describe('a command or a refusal is never saved as a name', () => {
  const refusals = ['教えたくないです', 'お店の名前は伏せます', '名前は言いたくありません', '秘密です', '内緒で', 'とりあえず伏せます', '言えません'];
  const requests = ['お詫び', '台本', '先に結論を教えてください', '芸名でもいいですか？', 'お詫びの文を作って', '台本を見せてください', 'まず何をすればいいですか', '寝ていて気づかなかったです', '電話したほうがいいですか'];
  for (const q of ['employer', 'userName', 'contactPerson'] as const) {
    for (const text of refusals) {
      it(`${q}: 「${text}」 is declined (skipped), nothing saved`, () => {
        expect(interpretAnswer(q, other(text), {}, now)).toEqual({ kind: 'skip' });
      });
    }
    for (const text of requests) {
      it(`${q}: 「${text}」 is no value`, () => {
        const result = interpretAnswer(q, other(text), {}, now);
        expect(result.kind).toBe('unclear');
        const p = 'profile' in result ? result.profile : {};
        expect([p.employerName, p.userName, p.contactPerson].filter(Boolean)).toEqual([]);
      });
    }
  }

  it('names that look like names are taken', () => {
    expect(interpretAnswer('employer', other('ひまわり食堂です'), {}, now)).toMatchObject({ kind: 'answer', profile: { employerName: 'ひまわり食堂' } });
    expect(interpretAnswer('employer', other('カフェ・ド・ミナミ'), {}, now)).toMatchObject({ kind: 'answer', profile: { employerName: 'カフェ・ド・ミナミ' } });
    expect(interpretAnswer('userName', other('山田花子です'), {}, now)).toMatchObject({ kind: 'answer', profile: { userName: '山田花子' } });
    expect(interpretAnswer('contactPerson', other('佐藤さん'), {}, now)).toMatchObject({ kind: 'answer', profile: { contactPerson: '佐藤' } });
  });

  it('「佐藤さんという店長さん」 gives the contact 佐藤, not the employer, at any name question', () => {
    expect(extractFacts('佐藤さんという店長さん', { now }).employerName).toBeUndefined();
    for (const q of ['employer', 'userName', 'contactPerson'] as const) {
      const result = interpretAnswer(q, other('佐藤さんという店長さん'), {}, now);
      const p = 'profile' in result ? result.profile : {};
      expect(p.contactPerson, q).toBe('佐藤');
      expect(p.employerName, q).toBeUndefined();
      expect(p.userName, q).toBeUndefined();
    }
  });

  it('at the contact question, 「山田花子です」 is the contact, not the user', () => {
    const result = interpretAnswer('contactPerson', other('山田花子です'), { userName: '鈴木一郎' }, now);
    expect(result).toMatchObject({ kind: 'answer', profile: { contactPerson: '山田花子', userName: '鈴木一郎' } });
  });

  it('at the user-name question, the shop or the contact is not the user name', () => {
    for (const text of ['株式会社サクラ物流', '担当の佐藤さんはお休みでした', 'カフェ・ド・ミナミ']) {
      const result = interpretAnswer('userName', other(text), {}, now);
      expect(result.kind, text).toBe('unclear');
      expect('profile' in result ? result.profile.userName : undefined, text).toBeUndefined();
    }
  });

  it('「お店の名前は伏せます」 names no employer', () => {
    expect(extractFacts('お店の名前は伏せます', { now }).employerName).toBeUndefined();
    expect(notADetail('お店の名前は伏せます')).toBe('refusal');
  });

  it('a known employer is not overwritten by a shop met in passing', () => {
    const p = mergeFacts({ employerName: 'ひまわり食堂' }, extractFacts('友だちがカフェ・ド・ミナミで働いていて', { now }));
    expect(p.employerName).toBe('ひまわり食堂');
  });
});

describe('small talk', () => {
  it.each([
    ['こんにちは', 'greeting'],
    ['こんばんは！', 'greeting'],
    ['はじめまして、よろしくお願いします', 'greeting'],
    ['ありがとうございます！', 'thanks'],
    ['わかりました、ありがとうございます', 'thanks'],
    ['本当にありがとうございました。助かりました', 'thanks'],
    ['他のバイトも探したいです', 'otherJobs'],
    ['別の求人を紹介してほしいです', 'otherJobs'],
  ])('「%s」 is %s', (text, kind) => expect(readSmallTalk(text)).toBe(kind));

  it.each(['こんにちは、昨日面接先から着信がありました', 'ありがとうと言われました', 'はい', '6日前です'])('「%s」 is no small talk', (text) => expect(readSmallTalk(text)).toBeUndefined());
});

describe('「いつ電話すればいいですか？」 is a question', () => {
  it.each(['いつ電話すればいいですか？', '何時ごろかければいいですか', '電話する時間はいつがいい？', 'いつ折り返せばいいでしょうか', '何曜日に電話するべき？'])('「%s」 asks when to call', (t) =>
    expect(asksWhenToCall(t)).toBe(true));
  it.each(['いつ電話したか忘れました', '昨日電話しました', '14時に電話します'])('「%s」 does not', (t) => expect(asksWhenToCall(t)).toBe(false));
});

describe('a checklist item reported done in words', () => {
  const items = [
    { id: 'site', label: 'HPを見直す', text: 'ホームページやお店のページを見直す' },
    { id: 'posting', label: '求人情報を読む', text: '求人情報・募集要項を読み直す' },
    { id: 'interview', label: '面接の振り返り', text: '面接で話したこと・聞かれたことを思い出す' },
  ];
  it.each([
    ['HPを見直しました', ['site']],
    ['ホームページは見た', ['site']],
    ['求人情報を読みました', ['posting']],
    ['面接で聞かれたことを思い出しました', ['interview']],
    ['全部やりました', ['site', 'posting', 'interview']],
  ])('「%s」 ticks %j', (text, ids) => expect(readTypedTicks(text, items)).toEqual(ids));
  it.each(['HPを見たほうがいいですか？', 'まだ見ていません', '求人情報はこれから読みます'])('「%s」 ticks nothing', (text) => expect(readTypedTicks(text, items)).toEqual([]));
});

describe('blanks fit the employer', () => {
  it('a shop with no name is 〇〇店, a company 〇〇株式会社', async () => {
    const { placeholderValues } = await import('../../src/conversation/kit/profile.ts');
    expect(placeholderValues({ employerKind: 'shop' }, now).employerName).toBe('〇〇店');
    expect(placeholderValues({ employerKind: 'office' }, now).employerName).toBe('〇〇株式会社');
  });
});

describe('a strength typed in plain form is not spoken to the employer as it is', () => {
  it.each([
    ['体力に自信がある', '体力に自信があること'],
    ['接客が得意です', '接客が得意なこと'],
    ['接客の経験が2年あります', '接客の経験が2年あること'],
    ['責任感が強い', '責任感が強いこと'],
    ['笑顔と体力', '笑顔と体力'],
  ])('「%s」 → 「%s」', async (typed, spoken) => {
    const { asStrengthNoun, placeholderValues } = await import('../../src/conversation/kit/profile.ts');
    expect(asStrengthNoun(typed)).toBe(spoken);
    expect(placeholderValues({ strengths: [typed] }, now).strengthSentence).toBe(`${spoken}を活かして、御社でお役に立ちたいと考えております。`);
  });
});
