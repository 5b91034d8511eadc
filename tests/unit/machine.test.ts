import { fileURLToPath } from 'node:url';
import { createActor } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { ConversationEvent, Effect } from '../../src/conversation/kit/events.ts';
import { createConversationMachine, CONTENT_REQUIREMENTS, type ConversationInput } from '../../src/conversation/machine.ts';
import { loadFlows } from '../../src/flows/load-flows.ts';
import { createBusinessCalendar } from '../../src/time/business-calendar.ts';
import { createCallWindows } from '../../src/time/call-windows.ts';

const content = loadFlows(fileURLToPath(new URL('../../flows', import.meta.url)), CONTENT_REQUIREMENTS);
const calendar = createBusinessCalendar();
const machine = createConversationMachine({ content, calendar, callWindows: createCallWindows(calendar) });
const AT = Date.parse('2026-12-01T01:00:00Z');

/** Runs events through a fresh actor; returns the effects of the last event and the actor. */
function run(events: ConversationEvent[], input: ConversationInput = {}) {
  const actor = createActor(machine, { input });
  let effects: Effect[] = [];
  actor.on('*', (e) => effects.push(e as Effect));
  actor.start();
  for (const e of events) {
    effects = [];
    actor.send(e);
  }
  return { actor, effects };
}
const text = (t: string): ConversationEvent => ({ type: 'TEXT', text: t, at: AT });
const tap = (data: string): ConversationEvent => ({ type: 'POSTBACK', data, at: AT });
const timer = (kind: string): ConversationEvent => ({ type: 'TIMER', timer: { id: 't1', kind, dueAt: AT, payload: null }, at: AT });
const story = text('6日前に株式会社ミライから非通知で何度も電話がありました。名前は佐藤健です');
const toWaiting = [story, text('電話する'), tap('action=next'), tap('action=next'), tap('action=next'), tap('action=next'), tap('action=outcome'), tap('action=outcome&v=waiting')];

describe('the conversation machine (pure)', () => {
  it('is pure: the same events give the same effects', () => {
    const a = run(toWaiting).effects;
    const b = run(toWaiting).effects;
    expect(a).toEqual(b);
    expect(a.some((e) => e.type === 'schedule' && e.kind === 'thanksReminder')).toBe(true);
  });

  it('a check-in timer for a user still waiting asks, and plans the one inquiry offer', () => {
    const { effects } = run([...toWaiting, timer('checkIn')]);
    const texts = JSON.stringify(effects);
    expect(texts).toContain('連絡はありましたか');
    expect(effects.filter((e) => e.type === 'schedule').map((e) => (e as { kind: string }).kind)).toEqual(['inquiryOffer']);
  });

  it('a timer whose reason has passed says nothing (the employer already answered)', () => {
    const { effects } = run([...toWaiting, tap('action=heard&v=continuing'), timer('checkIn')]);
    expect(effects).toEqual([]);
  });

  it('a thank-you reminder after the thanks were sent says nothing', () => {
    const { effects } = run([...toWaiting, tap('action=thanksSent'), timer('thanksReminder')]);
    expect(effects).toEqual([]);
  });

  it('no timer speaks to a user who stopped notifications', () => {
    const { effects } = run([...toWaiting, text('通知停止'), timer('checkIn'), timer('thanksReminder')]);
    expect(effects).toEqual([]);
  });

  it('an unknown timer kind says nothing', () => {
    expect(run([story, timer('somethingElse')]).effects).toEqual([]);
  });

  it('unfollow deletes everything and cancels every timer', () => {
    const { effects, actor } = run([...toWaiting, { type: 'UNFOLLOW', at: AT }]);
    expect(effects).toContainEqual({ type: 'deleteUserData' });
    expect(effects).toContainEqual({ type: 'cancel', kinds: 'all' });
    expect(actor.getSnapshot().context.profile).toEqual({});
  });

  describe('news from the employer, typed instead of tapped', () => {
    const toWaitingQuestion = [...toWaiting, tap('action=next')];
    const toStatus = [...toWaitingQuestion, tap('action=answer&q=waitDays&v=0')];
    const stateOf = (actor: ReturnType<typeof run>['actor']) => JSON.stringify(actor.getSnapshot().value);

    it('heard back while asked how long they said: checked, then the reflection, with the check-ins cancelled', () => {
      const checked = run([...toWaitingQuestion, text('内定をいただきました！')]);
      expect(JSON.stringify(checked.effects)).toContain('「応募先から連絡がきた」で合っていますか');
      expect(checked.effects.filter((e) => e.type === 'cancel')).toEqual([]);
      const { actor, effects } = run([...toWaitingQuestion, text('内定をいただきました！'), text('はい')]);
      expect(stateOf(actor)).toBe(JSON.stringify({ followUp: { reflection: 'wentWell' } }));
      expect(actor.getSnapshot().context).toMatchObject({ heardBack: true, outcome: 'continuing' });
      expect(effects).toContainEqual({ type: 'cancel', kinds: ['checkIn', 'inquiryOffer'] });
    });

    it('turned down while waiting: the lessons, with every timer cancelled', () => {
      const { actor, effects } = run([...toStatus, text('連絡が来て、不採用でした'), tap('action=check&v=yes')]);
      expect(actor.getSnapshot().value).toMatchObject({ lessons: expect.anything() });
      expect(actor.getSnapshot().context).toMatchObject({ heardBack: true, outcome: 'rejected' });
      expect(effects).toContainEqual({ type: 'cancel', kinds: 'all' });
    });

    it('heard back after the inquiry was suggested', () => {
      const { actor } = run([...toStatus, tap('action=heard&v=none'), text('先ほど電話がありました'), text('合っています')]);
      expect(stateOf(actor)).toBe(JSON.stringify({ followUp: { reflection: 'wentWell' } }));
    });

    it('"nothing yet" is news only where Akari asked for it', () => {
      expect(stateOf(run([...toStatus, text('まだです')]).actor)).toBe(JSON.stringify({ followUp: 'inquiry' }));
      // Asked how long they said, "まだ" is no answer to that: asked again, not sent to the inquiry.
      expect(stateOf(run([...toWaitingQuestion, text('まだです')]).actor)).toBe(JSON.stringify({ followUp: 'waiting' }));
    });

    it('the same words in the story of the missed calls are not news', () => {
      const { actor, effects } = run([story, text('連絡が来ました')]);
      expect(actor.getSnapshot().value).toMatchObject({ situation: expect.anything() });
      expect(actor.getSnapshot().context.checking).toBeUndefined();
      expect(JSON.stringify(effects)).not.toContain('合っていますか');
    });

    it('a detail being edited is taken as the detail, even when it reads like news', () => {
      const { actor } = run([...toStatus, tap('action=edit&field=userName'), text('まだ')]);
      expect(stateOf(actor)).toBe(JSON.stringify({ followUp: 'waitingStatus' }));
      expect(actor.getSnapshot().context.editing).toBeUndefined();
    });
  });

  it('"お礼を送りました" typed in another stage records the thanks; a question being asked takes it as its answer', () => {
    const elsewhere = run([...toWaiting, text('教訓'), text('お礼のメールを送りました')]);
    expect(elsewhere.actor.getSnapshot().value).toMatchObject({ lessons: expect.anything() });
    expect(elsewhere.actor.getSnapshot().context.thanksSent).toBe(true);
    expect(elsewhere.effects).toContainEqual({ type: 'cancel', kinds: ['thanksReminder'] });

    const toReflection = [...toWaiting, tap('action=next'), tap('action=next')];
    expect(run(toReflection).actor.getSnapshot().value).toEqual({ followUp: { reflection: 'wentWell' } });
    const answered = run([...toReflection, text('お礼のメールを送りました')]).actor.getSnapshot();
    expect(answered.context.profile).toMatchObject({ wentWell: 'お礼のメールを送りました' });
    expect(answered.context.thanksSent).toBe(false);
  });

  describe('a deletion being confirmed or a detail being edited takes the next message, whatever the stage asks', () => {
    // A greeting tells no story, so the situation stage asks its one question (how many days).
    const asking = [text('こんにちは')];

    it('"はい、全部消してください" deletes even while a question is open', () => {
      expect(run(asking).actor.getSnapshot().value).toEqual({ situation: 'asking' });
      const { effects } = run([...asking, text('データ削除'), text('はい、全部消してください')]);
      expect(effects).toContainEqual({ type: 'deleteUserData' });
    });

    it('anything else cancels the deletion; a later "はい" deletes nothing', () => {
      const cancelled = run([...asking, text('データ削除'), text('気づきませんでした')]);
      expect(JSON.stringify(cancelled.effects)).toContain('削除はとりやめました');
      expect(cancelled.actor.getSnapshot().context.confirmingDelete).toBe(false);
      const later = run([...asking, text('データ削除'), text('気づきませんでした'), text('はい')]);
      expect(later.effects).not.toContainEqual({ type: 'deleteUserData' });
    });

    it('a detail typed while the reflection asks its question goes to the detail', () => {
      const toReflection = [...toWaiting, tap('action=next'), tap('action=next')];
      const { actor } = run([...toReflection, tap('action=edit&field=userName'), text('中村あおい')]);
      expect(actor.getSnapshot().context.profile).toMatchObject({ userName: '中村あおい' });
      expect(actor.getSnapshot().context.profile.wentWell).toBeUndefined();
      expect(actor.getSnapshot().value).toEqual({ followUp: { reflection: 'wentWell' } });
    });
  });

  it('"今回は大丈夫です" declines the recap, and keeps the data when a deletion is asked', () => {
    const toRecapOffer = [...toWaiting, text('教訓'), tap('action=next')];
    expect(run(toRecapOffer).actor.getSnapshot().value).toEqual({ lessons: 'recapOffer' });
    const declined = run([...toRecapOffer, text('今回は大丈夫です')]);
    expect(declined.actor.getSnapshot().value).toEqual({ lessons: 'end' });
    expect(declined.effects.filter((e) => e.type === 'schedule')).toEqual([]);

    const kept = run([...toRecapOffer, text('データ削除'), text('大丈夫です')]);
    expect(kept.effects).not.toContainEqual({ type: 'deleteUserData' });
    expect(JSON.stringify(kept.effects)).toContain('削除はとりやめました');
    expect(kept.actor.getSnapshot().value).toEqual({ lessons: 'recapOffer' });
  });

  it('"はい" to "delete everything?" deletes, even where the stage has a yes/no question of its own', () => {
    const toRecapOffer = [...toWaiting, text('教訓'), tap('action=next')];
    const { effects } = run([...toRecapOffer, text('データ削除'), text('はい')]);
    expect(effects).toContainEqual({ type: 'deleteUserData' });
    expect(effects.filter((e) => e.type === 'schedule')).toEqual([]);
  });

  describe('what must not be taken as an answer (found in review)', () => {
    const toReception = [story, text('電話する'), tap('action=next')];
    const toOutcome = [...toReception, tap('action=next'), tap('action=next'), tap('action=next'), tap('action=outcome')];

    it.each([['削除しません'], ['削除は大丈夫です'], ['削除したらどうなりますか'], ['データを削除したらどうなる？']])('"%s" after データ削除 deletes nothing', (answer) => {
      const { effects, actor } = run([...toWaiting, text('データ削除'), text(answer)]);
      expect(effects).not.toContainEqual({ type: 'deleteUserData' });
      expect(actor.getSnapshot().context.confirmingDelete).toBe(false);
    });

    it('a worry typed before the call is no result: nothing is cancelled, the stage stays', () => {
      expect(run(toReception).actor.getSnapshot().value).toEqual({ call: { script: 'reception' } });
      const { actor, effects } = run([...toReception, text('落ちたらどうしよう')]);
      expect(actor.getSnapshot().value).toMatchObject({ call: expect.anything() });
      expect(effects.filter((e) => e.type === 'cancel')).toEqual([]);
    });

    it('a condition while asked how long they said is not news', () => {
      const { actor, effects } = run([...toWaiting, tap('action=next'), text('内定の場合は来週電話が来るそうです')]);
      expect(actor.getSnapshot().context.checking).toBeUndefined();
      expect(JSON.stringify(effects)).not.toContain('合っていますか');
    });

    it('a tap while a detail is being edited ends the edit and does what it does; the next text is no name', () => {
      const { actor } = run([...toOutcome, text('名前を変更'), tap('action=outcome&v=continuing'), text('ありがとう')]);
      const snap = actor.getSnapshot();
      expect(snap.value).toMatchObject({ followUp: expect.anything() });
      expect(snap.context.outcome).toBe('continuing');
      expect(snap.context.editing).toBeUndefined();
      expect(snap.context.profile.userName).toBe('佐藤健');
    });

    it('"次へ" while a detail is being edited skips the edit, and says so; the next message is the stage\'s again', () => {
      const atTiming = [story, text('電話する')];
      expect(run(atTiming).actor.getSnapshot().value).toEqual({ call: 'timing' });
      const skipped = run([...atTiming, tap('action=edit&field=businessHours'), text('次へ')]);
      expect(JSON.stringify(skipped.effects)).toContain('登録内容はそのままにしています');
      expect(skipped.actor.getSnapshot().context.editing).toBeUndefined();
      const { actor } = run([...atTiming, tap('action=edit&field=businessHours'), text('次へ'), text('次へ')]);
      expect(actor.getSnapshot().value).toEqual({ call: { script: 'reception' } });
    });

    it('a command while a detail is being edited ends the edit and is carried out', () => {
      const { actor, effects } = run([...toWaiting, tap('action=edit&field=userName'), text('通知停止')]);
      expect(actor.getSnapshot().context.notifications).toBe(false);
      expect(actor.getSnapshot().context.editing).toBeUndefined();
      expect(JSON.stringify(effects)).toContain('お知らせを止めました');
    });

    it('a command while "delete everything?" waits calls the deletion off and is carried out', () => {
      const { actor, effects } = run([...toWaiting, text('データ削除'), text('通知停止')]);
      expect(effects).not.toContainEqual({ type: 'deleteUserData' });
      expect(JSON.stringify(effects)).toContain('削除はとりやめました');
      expect(actor.getSnapshot().context.notifications).toBe(false);
    });

    it('"データ削除はやめます" calls the deletion off and asks nothing more; a "はい" after it deletes nothing', () => {
      const { actor, effects } = run([...toWaiting, text('データ削除'), text('データ削除はやめます')]);
      expect(JSON.stringify(effects)).toContain('削除はとりやめました');
      expect(JSON.stringify(effects)).not.toContain('よろしいですか');
      expect(actor.getSnapshot().context.confirmingDelete).toBe(false);
      expect(run([...toWaiting, text('データ削除'), text('データ削除はやめます'), text('はい')]).effects).not.toContainEqual({ type: 'deleteUserData' });
    });

    it('"最初から" while "delete everything?" waits calls it off and keeps the profile', () => {
      const { actor, effects } = run([...toWaiting, text('データ削除'), text('最初から')]);
      expect(JSON.stringify(effects)).toContain('削除はとりやめました');
      expect(JSON.stringify(effects)).not.toContain('最初からやり直しますね');
      expect(actor.getSnapshot().context.profile.userName).toBe('佐藤健');
    });

    it.each([['採用されたい'], ['連絡を待ちます'], ['どうせ不採用です']])('"%s" before the call is no result', (said) => {
      const { actor, effects } = run([...toReception, text(said)]);
      expect(actor.getSnapshot().value).toEqual({ call: { script: 'reception' } });
      expect(effects.filter((e) => e.type === 'cancel' || e.type === 'schedule')).toEqual([]);
    });

    it('"担当の方が不在でした" typed at the first step of the script goes to the absent branch', () => {
      const { actor } = run([...toReception, text('担当の方が不在でした')]);
      expect(actor.getSnapshot().value).toEqual({ call: 'absent' });
    });

    it.each([['キャンセル'], ['やっぱりいいです'], ['そのままで'], ['え？'], ['👍'], ['聞いてない']])('"%s" to "the new name?" saves no name', (said) => {
      const { actor, effects } = run([...toWaiting, tap('action=edit&field=userName'), text(said)]);
      expect(actor.getSnapshot().context.profile.userName).toBe('佐藤健');
      expect(JSON.stringify(effects)).toContain('登録内容はそのままにしています');
    });

    it('asked the name for the script, "秘密" is no name (the question is asked again, then left)', () => {
      const toNameQuestion = [text('3日前、株式会社ミライの面接後に電話に出られませんでした。気づきませんでした'), text('電話の準備')];
      expect(JSON.stringify(run(toNameQuestion).effects)).toContain('電話で名乗るお名前');
      const { actor } = run([...toNameQuestion, text('秘密')]);
      expect(actor.getSnapshot().context.profile.userName).toBeUndefined();
    });

    it.each([['山田花子'], ['あやめ'], ['山田ミスズ']])('a real new name ("%s") is saved', (name) => {
      const { actor } = run([...toWaiting, tap('action=edit&field=userName'), text(name)]);
      expect(actor.getSnapshot().context.profile.userName).toBe(name);
    });

    it('"佐藤健のままで" keeps the name; a date in the new name moves nothing else', () => {
      expect(run([...toWaiting, tap('action=edit&field=userName'), text('佐藤健のままで')]).actor.getSnapshot().context.profile.userName).toBe('佐藤健');
      const before = run(toWaiting).actor.getSnapshot().context.profile.daysElapsed;
      const { actor } = run([...toWaiting, tap('action=edit&field=userName'), text('昨日結婚して山田になりました')]);
      expect(actor.getSnapshot().context.profile.daysElapsed).toBe(before);
    });

    it('"また不在でした" in the absent branch says its advice again instead of nothing', () => {
      const toAbsent = [...toReception, text('担当の方が不在でした')];
      const { effects } = run([...toAbsent, text('また担当の方が不在でした')]);
      expect(JSON.stringify(effects)).toContain('戻られる時間を伺って');
    });

    it('"他の会社から電話がありました" while waiting is no news from the employer', () => {
      const toStatus = [...toWaiting, tap('action=next'), tap('action=answer&q=waitDays&v=0')];
      const { actor, effects } = run([...toStatus, text('他の会社から電話がありました')]);
      expect(JSON.stringify(effects)).not.toContain('合っていますか');
      expect(actor.getSnapshot().context.heardBack).toBe(false);
    });

    it('"いいえ" to the edit prompt leaves the detail as it was, and says so', () => {
      const { actor, effects } = run([...toWaiting, tap('action=edit&field=contactPerson'), text('いいえ')]);
      expect(JSON.stringify(effects)).toContain('登録内容はそのままにしています');
      expect(actor.getSnapshot().context.editing).toBeUndefined();
    });

    it('a tap to change an unknown detail is ignored, not a crash', () => {
      const { actor } = run([...toWaiting, tap('action=edit&field=nonsense'), text('通知停止')]);
      expect(actor.getSnapshot().status).toBe('active');
      expect(actor.getSnapshot().context.editing).toBeUndefined();
      expect(actor.getSnapshot().context.notifications).toBe(false);
    });

    it('free text the edit cannot use says the profile is unchanged', () => {
      const { actor, effects } = run([...toWaiting, tap('action=edit&field=callCount'), text('うーん')]);
      expect(JSON.stringify(effects)).toContain('登録内容はそのままにしています');
      expect(actor.getSnapshot().context.editing).toBeUndefined();
    });

    it('a push ends a pending "delete everything?": a "はい" to the push deletes nothing', () => {
      const toStatus = [...toWaiting, tap('action=next'), tap('action=answer&q=waitDays&v=0')];
      const { effects } = run([...toStatus, text('データ削除'), timer('checkIn'), text('はい')]);
      expect(effects).not.toContainEqual({ type: 'deleteUserData' });
    });

    it('"働き方を変えたい" answers the reflection\'s "what would you change?"', () => {
      const toChange = [...toWaiting, tap('action=next'), tap('action=next'), text('正直に話せた')];
      expect(run(toChange).actor.getSnapshot().value).toEqual({ followUp: { reflection: 'toChange' } });
      const { actor } = run([...toChange, text('働き方を変えたい')]);
      expect(actor.getSnapshot().context.profile).toMatchObject({ toChange: '働き方を変えたい' });
      expect(actor.getSnapshot().context.editing).toBeUndefined();
    });

    it('"お礼を送りました" in a state that asks again is still the thanks', () => {
      const toStatus = [...toWaiting, tap('action=next'), tap('action=answer&q=waitDays&v=0')];
      const { actor, effects } = run([...toStatus, text('お礼を送りました')]);
      expect(actor.getSnapshot().context.thanksSent).toBe(true);
      expect(JSON.stringify(effects)).not.toContain('うまく読み取れませんでした');
    });

    it('"リマインドは大丈夫です" at the call-time advice schedules nothing', () => {
      const { effects } = run([story, text('電話する'), text('リマインドは大丈夫です')]);
      expect(effects.filter((e) => e.type === 'schedule')).toEqual([]);
    });
  });

  describe('a typed result is checked before it changes anything', () => {
    const toOutcome = [story, text('電話する'), tap('action=next'), tap('action=next'), tap('action=next'), tap('action=next'), tap('action=outcome')];

    it('"違います" leaves everything as it was and offers the options again', () => {
      const { actor, effects } = run([...toOutcome, text('不採用でした'), text('違います')]);
      expect(actor.getSnapshot().value).toEqual({ call: 'outcome' });
      expect(actor.getSnapshot().context.checking).toBeUndefined();
      expect(actor.getSnapshot().context.outcome).toBeUndefined();
      expect(JSON.stringify(effects)).toContain('失礼しました');
      expect(effects.filter((e) => e.type === 'cancel')).toEqual([]);
    });

    it('a puzzled "はい？" is no yes', () => {
      const { actor } = run([...toOutcome, text('不採用でした'), text('はい？')]);
      expect(actor.getSnapshot().value).toEqual({ call: 'outcome' });
      expect(actor.getSnapshot().context.outcome).toBeUndefined();
    });

    it('a command instead of an answer ends the check and is carried out', () => {
      const { actor } = run([...toOutcome, text('不採用でした'), text('通知停止')]);
      expect(actor.getSnapshot().context.checking).toBeUndefined();
      expect(actor.getSnapshot().context.notifications).toBe(false);
      expect(actor.getSnapshot().context.outcome).toBeUndefined();
    });

    it('a push ends the check: a "はい" to the push confirms nothing', () => {
      const toStatus = [...toWaiting, tap('action=next'), tap('action=answer&q=waitDays&v=0')];
      const { actor } = run([...toStatus, text('不採用でした'), timer('checkIn'), text('はい')]);
      expect(actor.getSnapshot().context.heardBack).toBe(false);
      expect(actor.getSnapshot().value).toEqual({ followUp: 'waitingStatus' });
    });

    it.each([
      ['合ってる'], ['はい、不採用でした'], ['そうなんです'], ['はい😢'], ['👍'], ['はい、そうです'], ['はい、合っています。'], ['うん、そう'], ['うんうん'], ['OK'],
      ['yes'], ['はい…'], ['そうなんです…'], ['はい、ありがとうございます'], ['そうですね'], ['はいっ'], ['合ってるよ'], ['はい、残念ですが'], ['間違いないです'],
      ['間違いありません'], ['間違ってないです'], ['了解です'], ['はい、かなり落ち込んでます'], ['はい、緊張したけど話せました'],
    ])('"%s" confirms the check', (said) => {
      const { actor } = run([...toOutcome, text('不採用でした'), text(said)]);
      expect(actor.getSnapshot().value).toMatchObject({ lessons: expect.anything() });
    });

    it.each([
      ['合ってない'], ['そうかも'], ['はい、でも出られなかった'], ['ええと…'], ['いや'], ['はい、選考が続くことになりました'],
      ['合っていません'], ['合っておりません'], ['そうではありません'], ['そうとは言えません'],
    ])('"%s" does not confirm the check', (said) => {
      const { actor } = run([...toOutcome, text('不採用でした'), text(said)]);
      expect(actor.getSnapshot().context.outcome).not.toBe('rejected');
      expect(actor.getSnapshot().value).not.toMatchObject({ lessons: expect.anything() });
    });

    it('a yes to "the refusal came" naming how it came ("はい、メールが来ました") confirms the refusal', () => {
      const toStatus = [...toWaiting, tap('action=next'), tap('action=answer&q=waitDays&v=0')];
      const { actor } = run([...toStatus, text('不採用でした'), text('はい、メールが来ました')]);
      expect(actor.getSnapshot().context.outcome).toBe('rejected');
      expect(actor.getSnapshot().value).toMatchObject({ lessons: expect.anything() });
    });

    it('a yes to "連絡がきた" with what came ("はい、来ました") confirms it', () => {
      const toStatus = [...toWaiting, tap('action=next'), tap('action=answer&q=waitDays&v=0')];
      const { actor } = run([...toStatus, text('連絡が来ました'), text('はい、来ました')]);
      expect(actor.getSnapshot().context.heardBack).toBe(true);
    });

    it('"わかりました" is no answer to "is this right?": the check is asked once more', () => {
      const { actor, effects } = run([...toOutcome, text('不採用でした'), text('わかりました')]);
      expect(JSON.stringify(effects)).toContain('「不採用だった」で合っていますか');
      expect(actor.getSnapshot().context.checking).toMatchObject({ reading: 'outcome', value: 'rejected' });
    });

    it('"いいえ" to "連絡はありましたか？" is nothing yet', () => {
      const toStatus = [...toWaiting, tap('action=next'), tap('action=answer&q=waitDays&v=0')];
      expect(run([...toStatus, text('いいえ')]).actor.getSnapshot().value).toEqual({ followUp: 'inquiry' });
    });

    it('"はーい！" to "delete everything?" deletes', () => {
      expect(run([...toWaiting, text('データ削除'), text('はーい！')]).effects).toContainEqual({ type: 'deleteUserData' });
    });

    it('a correction in words is read afresh: "いや、誰も出ませんでした" goes where that goes', () => {
      const { actor } = run([...toOutcome, text('不採用でした'), text('いや、誰も出ませんでした')]);
      expect(actor.getSnapshot().context.outcome).toBe('unreached');
      expect(actor.getSnapshot().value).toEqual({ call: 'timing' });
    });

    it('after "違います" at the end of the script, the result buttons it offers work', () => {
      const toClosing = [story, text('電話する'), tap('action=next'), tap('action=next'), tap('action=next'), tap('action=next')];
      const { actor } = run([...toClosing, text('不採用でした'), text('違います'), tap('action=outcome&v=rejected')]);
      expect(actor.getSnapshot().context.outcome).toBe('rejected');
      expect(actor.getSnapshot().value).toMatchObject({ lessons: expect.anything() });
    });

    it('following again ends a pending check', () => {
      const { actor } = run([...toOutcome, text('不採用でした'), { type: 'FOLLOW', at: AT }, text('はい')]);
      expect(actor.getSnapshot().context.checking).toBeUndefined();
      expect(actor.getSnapshot().context.outcome).toBeUndefined();
    });

    it('"選考が続くことになりました" after a wrong check is checked in its turn', () => {
      const { effects } = run([...toOutcome, text('不採用でした'), text('選考が続くことになりました')]);
      expect(JSON.stringify(effects)).toContain('「選考が続くことになった」で合っていますか');
    });

    it('a casual "うん" or "ええ!" does not delete everything; a plain "はい" does', () => {
      expect(run([...toWaiting, text('データ削除'), text('ええ!')]).effects).not.toContainEqual({ type: 'deleteUserData' });
      expect(run([...toWaiting, text('データ削除'), text('はい、お願いします？')]).effects).not.toContainEqual({ type: 'deleteUserData' });
      expect(run([...toWaiting, text('データ削除'), text('うん')]).effects).not.toContainEqual({ type: 'deleteUserData' });
      expect(run([...toWaiting, text('データ削除'), text('はい')]).effects).toContainEqual({ type: 'deleteUserData' });
    });

    it.each([['1週間以内と言われました'], ['2〜3日以内と言われました'], ['3日後に連絡するそうです']])('"%s" answers how long they said', (said) => {
      const { actor, effects } = run([...toWaiting, tap('action=next'), text(said)]);
      expect(actor.getSnapshot().value).toEqual({ followUp: 'waitingStatus' });
      expect(effects.some((e) => e.type === 'schedule' && e.kind === 'checkIn')).toBe(true);
    });

    it('after "the selection goes on", a typed wait answer keeps that outcome and plans no check-in, as the tap does', () => {
      const continuing = [story, text('電話する'), tap('action=next'), tap('action=next'), tap('action=next'), tap('action=next'), tap('action=outcome'), tap('action=outcome&v=continuing'), tap('action=next')];
      expect(run(continuing).actor.getSnapshot().value).toEqual({ followUp: 'waiting' });
      const { actor, effects } = run([...continuing, text('1週間以内と言われました')]);
      expect(actor.getSnapshot().context.outcome).toBe('continuing');
      expect(effects.filter((e) => e.type === 'schedule')).toEqual([]);
    });

    it('"言われてないけど知らせなくていい" answers how long without planning a check-in', () => {
      const { effects } = run([...toWaiting, tap('action=next'), text('言われてないけど知らせなくていい')]);
      expect(effects.filter((e) => e.type === 'schedule')).toEqual([]);
    });

    it('"nothing yet" and "nobody answered" are acted on at once (they change no course)', () => {
      expect(run([...toOutcome, text('誰も出ませんでした')]).actor.getSnapshot().value).toEqual({ call: 'timing' });
    });
  });

  it('at the end of the script, an outcome typed straight away skips the question about it', () => {
    const toClosing = [story, text('電話する'), tap('action=next'), tap('action=next'), tap('action=next'), tap('action=next')];
    expect(run(toClosing).actor.getSnapshot().value).toEqual({ call: { script: 'closing' } });
    const { actor, effects } = run([...toClosing, text('電話が終わって、選考が続くことになりました！'), text('はい')]);
    expect(actor.getSnapshot().value).toMatchObject({ followUp: expect.anything() });
    expect(actor.getSnapshot().context.outcome).toBe('continuing');
    expect(effects).toContainEqual({ type: 'cancel', kinds: ['callReminder'] });
  });

  it('restarted after an upgrade, it says so and reopens the stage it was in, keeping the profile', () => {
    const actor = createActor(machine, { input: { at: AT, resumeStage: 'call', profile: { userName: '佐藤健', employerName: '株式会社ミライ' } } });
    const effects: Effect[] = [];
    actor.on('*', (e) => effects.push(e as Effect));
    actor.start();
    expect(JSON.stringify(effects)).toContain('仕組みを新しくしたため');
    expect(actor.getSnapshot().value).toMatchObject({ call: 'timing' });
    expect(actor.getSnapshot().context.profile.userName).toBe('佐藤健');
  });
});
