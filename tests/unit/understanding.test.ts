import { describe, expect, it } from 'vitest';
import {
  confirmsDeletion,
  isNoNewValue,
  detectCommand,
  detectStage,
  extractFacts,
  normalize,
  parseBusinessHours,
  parseCount,
  parseDays,
  readWaitingChoice,
  readWaitingNews,
  type Command,
  type Facts,
  type StageName,
  type WaitingNews,
} from '../../src/understanding/index.ts';
import {
  declinesReminder,
  readCallBranch,
  readCallOutcome,
  readThanksStep,
  readTimingChoice,
  saysThanksSent,
  type CallBranch,
  type CallOutcome,
} from '../../src/conversation/scenarios/missed-call/call-words.ts';
import { MISSED_CALL_STAGE_WORDS } from '../../src/conversation/scenarios/missed-call/words.ts';

/** The opening question of the article, pasted as one message. */
const ARTICLE =
  '6日前に面接したバイト先から連絡が来ていたみたいですが、携帯の修理に出していて携帯ショップから預かった変わりの携帯を使っていました。その携帯には何度か連絡が来ていたのですが非通知設定になっていたため怖くて出ていませんでした。修理を終え戻ってきた携帯の着信履歴を見ると面接した所の名前がいくつも残っていました。6日経ってますが連絡してもいいものですか？それともやはり連絡しない方がいいですかね？さすがにもうお店側もなに今更…って感じですかね';

/** 2025-03-10 12:00 in Japan. */
const NOW = new Date('2025-03-10T03:00:00Z');

describe('the article', () => {
  const facts = extractFacts(ARTICLE);

  it('reads days, reasons, job, count, employer kind and the question', () => {
    expect(facts.daysElapsed).toBe(6);
    expect(facts.reasons).toEqual(expect.arrayContaining(['phoneRepair', 'hiddenNumber']));
    expect(facts.reasons).not.toContain('didNotNotice');
    expect(facts.jobKind).toBe('partTime');
    expect(facts.callCountIsApprox).toBe(true);
    expect(facts.callCount).toBeGreaterThanOrEqual(2);
    expect(facts.employerKind).toBe('shop');
    expect(facts.asksTooLate).toBe(true);
  });

  it('does not invent a name, a contact left, a person or hours', () => {
    expect(facts.employerName).toBeUndefined();
    expect(facts.contactLeft).toBeUndefined();
    expect(facts.contactPerson).toBeUndefined();
    expect(facts.userName).toBeUndefined();
    expect(facts.businessHours).toBeUndefined();
  });

  it('is the same with full-width input and CRLF line breaks', () => {
    const variant = ARTICLE.replace('6日前', '６日前').replace(/。/g, '。\r\n');
    expect(extractFacts(variant)).toEqual(facts);
  });
});

describe('normalize', () => {
  it.each<[string, string]>([
    ['  ６日前  ', '6日前'],
    ['１１時〜２１時', '11時~21時'],
    ['10:00～19:00', '10:00~19:00'],
    ['９：３０−１８：００', '9:30-18:00'],
    ['ＳＭＳ', 'SMS'],
    ['ｱﾙﾊﾞｲﾄ', 'アルバイト'],
    ['㈱ABC', '(株)ABC'],
    ['こんにちは\u3000山田です', 'こんにちは 山田です'],
    ['一行目\r\n\r\n二行目', '一行目\n二行目'],
    ['？', '?'],
  ])('%j → %j', (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });
});

describe('parseDays', () => {
  it.each<[string, number]>([
    ['6日', 6],
    ['六日', 6],
    ['６日前', 6],
    ['6日前に面接しました', 6],
    ['一週間', 7],
    ['1週間くらい', 7],
    ['１週間ぐらい経ちます', 7],
    ['2週間', 14],
    ['二週間前', 14],
    ['昨日', 1],
    ['きのう電話があった', 1],
    ['おととい', 2],
    ['一昨日', 2],
    ['先週', 7],
    ['先々週', 14],
    ['今日', 0],
    ['さっき着信があった', 0],
    ['3日経って', 3],
    ['三日たちました', 3],
    ['6日経過', 6],
    ['6日も経ってしまいました', 6],
    ['数日', 3],
    ['数日前', 3],
    ['何日か前', 3],
    ['十日', 10],
    ['十日前', 10],
    ['二十日前', 20],
    ['20日前', 20],
    ['20日経ちます', 20],
    ['20日', 20],
    ['十五日経過', 15],
    ['1週間半', 10],
    ['一週間半くらい前', 10],
    ['半月', 15],
    ['1ヶ月', 30],
    ['一か月', 30],
    ['1カ月前', 30],
    ['ひと月', 30],
    ['2ヶ月半', 75],
    ['先月', 30],
    ['3時間前に着信', 0],
    ['みっか前', 3],
    ['むいかたちました', 6],
    ['3日間', 3],
    ['今日で6日目です', 6],
  ])('%j → %d', (text, expected) => {
    expect(parseDays(text)).toBe(expected);
  });

  it.each<[string]>([
    ['3回'],
    ['三回着信がありました'],
    ['電話が何度もありました'],
    ['3日後に連絡しますと言われた'],
    ['1週間以内に連絡しますと言われました'],
    ['1日中待っていた'],
    ['24時間営業のお店です'],
    ['3月6日に面接しました'],
    ['6日に面接しました'],
    ['6日の面接'],
    ['いつか連絡したい'],
    ['どうしようか迷っています'],
    ['何日に電話すればいいですか'],
    ['十分に気をつけます'],
    ['〇〇日'],
    ['おおげさですが'],
    [''],
  ])('%j → undefined', (text) => {
    expect(parseDays(text)).toBeUndefined();
  });

  it('prefers a duration with an elapsed marker over a bare one or a weak word', () => {
    expect(parseDays('今日電話したいのですが、面接から6日経っています')).toBe(6);
    expect(parseDays('修理に3日間出していて、面接から1週間たちました')).toBe(7);
    expect(parseDays('昨日着信、面接は先週')).toBe(1);
  });

  it('prefers the time of the calls over the time of the interview', () => {
    expect(parseDays('2週間前に面接、3日前に着信')).toBe(3);
    expect(parseDays('先週の金曜に面接を受けたコンビニから、昨日電話がありました')).toBe(1);
  });

  it('does not read a plan for today as elapsed time', () => {
    expect(parseDays('今日電話してもいいですか？')).toBeUndefined();
    expect(parseDays('今日中に連絡したほうがいいですか')).toBeUndefined();
    expect(parseDays('今日電話がありました')).toBe(0);
  });

  it('reads weekdays only when now is given (Monday 10 March 2025)', () => {
    expect(parseDays('先週の金曜に面接')).toBe(7);
    expect(parseDays('先週の金曜に面接', { now: NOW })).toBe(3);
    expect(parseDays('今週の月曜日に面接を受けた', { now: NOW })).toBe(0);
    expect(parseDays('土曜日に着信がありました', { now: NOW })).toBe(2);
    expect(parseDays('土曜日に着信がありました')).toBeUndefined();
  });

  it('turns dates into days when now is given (Japan time)', () => {
    expect(parseDays('3月6日に面接しました', { now: NOW })).toBe(4);
    expect(parseDays('３／４に面接', { now: NOW })).toBe(6);
    expect(parseDays('6日に面接しました', { now: NOW })).toBe(4);
    expect(parseDays('12月28日に面接', { now: NOW })).toBe(72);
    expect(parseDays('6日の面接', { now: NOW })).toBe(4);
    // 23:30 UTC on 9 March is already 10 March in Japan.
    expect(parseDays('3月9日', { now: new Date('2025-03-09T23:30:00Z') })).toBe(1);
  });

  it('ignores impossible dates', () => {
    expect(parseDays('2月30日', { now: NOW })).toBeUndefined();
    expect(parseDays('13月1日', { now: NOW })).toBeUndefined();
  });
});

describe('parseCount', () => {
  it.each<[string, number, boolean]>([
    ['3回', 3, false],
    ['三回', 3, false],
    ['着信が3回ありました', 3, false],
    ['不在着信が2件', 2, false],
    ['電話が2本来ていた', 2, false],
    ['一度だけ着信がありました', 1, false],
    ['二度電話がありました', 2, false],
    ['3回も電話をもらっていた', 3, false],
    ['3回くらい', 3, true],
    ['5回以上かかってきていた', 5, true],
    ['約4回', 4, true],
    ['2、3回電話があった', 3, true],
    ['２～３回', 3, true],
    ['二、三回着信', 3, true],
    ['何度も', 3, true],
    ['何回も電話が来ていた', 3, true],
    ['いくつも履歴が残っていた', 3, true],
    ['何件も着信', 3, true],
    ['何度か連絡が来ていた', 3, true],
    ['数回着信', 3, true],
    ['着信がたくさん残っていた', 3, true],
    ['複数回かかってきていた', 3, true],
  ])('%j → %d (approx %s)', (text, count, approx) => {
    expect(parseCount(text)).toEqual({ count, approx });
  });

  it.each<[string]>([
    ['6日'],
    ['6日前に面接しました'],
    ['面接は2回ありました'],
    ['もう一度電話してみます'],
    ['一度も電話に出られなかった'],
    ['1回電話してみようと思います'],
    ['たくさん不安があります'],
    ['〇回'],
    [''],
  ])('%j → undefined', (text) => {
    expect(parseCount(text)).toBeUndefined();
  });

  it('prefers a count in a sentence about calls', () => {
    expect(parseCount('面接は2回ありました。着信が5回ありました')).toEqual({ count: 5, approx: false });
  });
});

describe('parseBusinessHours', () => {
  it.each<[string, number, number]>([
    ['11時から21時', 11 * 60, 21 * 60],
    ['10:00〜19:00', 10 * 60, 19 * 60],
    ['１０：００～１９：００', 10 * 60, 19 * 60],
    ['朝9時から夜8時まで', 9 * 60, 20 * 60],
    ['11時～22時', 11 * 60, 22 * 60],
    ['営業時間は11~22時です', 11 * 60, 22 * 60],
    ['10時半~19時', 10 * 60 + 30, 19 * 60],
    ['9:30-18:00', 9 * 60 + 30, 18 * 60],
    ['午前10時から午後7時まで', 10 * 60, 19 * 60],
    ['十一時から二十一時', 11 * 60, 21 * 60],
    ['11時から9時まで', 11 * 60, 21 * 60],
    ['17時から翌2時', 17 * 60, 26 * 60],
    ['18時~2時', 18 * 60, 26 * 60],
    ['10時15分から18時45分', 10 * 60 + 15, 18 * 60 + 45],
  ])('%j → %d-%d', (text, open, close) => {
    expect(parseBusinessHours(text)).toEqual({ open, close });
  });

  it.each<[string]>([
    ['10時から面接でした'],
    ['3時に電話がありました'],
    ['2~3回電話がありました'],
    ['6日から7日'],
    ['1~2時間くらいかかります'],
    ['6日前'],
    [''],
  ])('%j → undefined', (text) => {
    expect(parseBusinessHours(text)).toBeUndefined();
  });
});

describe('extractFacts', () => {
  type Case = [string, Partial<Facts>];

  it.each<Case>([
    // reasons
    ['非通知だったので出ませんでした', { reasons: ['hiddenNumber'] }],
    ['知らない番号からだったので無視してしまいました', { reasons: ['hiddenNumber'] }],
    ['携帯を修理に出していました', { reasons: ['phoneRepair'] }],
    ['代わりの携帯を使っていて', { reasons: ['phoneRepair'] }],
    ['代替機を借りていました', { reasons: ['phoneRepair'] }],
    ['スマホが故障していて', { reasons: ['phoneRepair'] }],
    ['携帯が壊れてしまって', { reasons: ['phoneRepair'] }],
    ['着信に気づかなかった', { reasons: ['didNotNotice'] }],
    ['電話がありました。気づきませんでした', { reasons: ['didNotNotice'] }],
    ['着信に気付くのが遅れました', { reasons: ['didNotNotice'] }],
    ['マナーモードにしていて', { reasons: ['didNotNotice'] }],
    ['携帯を見てなかったです', { reasons: ['didNotNotice'] }],
    ['仕事中で出られませんでした', { reasons: ['other'] }],
    ['マナーモードで気づかず、しかも非通知でした', { reasons: ['didNotNotice', 'hiddenNumber'] }],
    // job kind
    ['バイトの面接を受けました', { jobKind: 'partTime' }],
    ['アルバイトに応募しました', { jobKind: 'partTime' }],
    ['パートの面接です', { jobKind: 'partTime' }],
    ['正社員の面接を受けました', { jobKind: 'fullTime' }],
    ['新卒の就活中です', { jobKind: 'fullTime' }],
    ['中途採用の面接', { jobKind: 'fullTime' }],
    ['転職活動中です', { jobKind: 'fullTime' }],
    ['派遣の面接でした', { jobKind: 'other' }],
    ['契約社員として応募', { jobKind: 'other' }],
    ['転職活動の合間にバイトの面接を受けました', { jobKind: 'partTime' }],
    // employer kind
    ['カフェの面接でした', { employerKind: 'shop' }],
    ['居酒屋でバイトの面接', { employerKind: 'shop' }],
    ['コンビニから電話', { employerKind: 'shop' }],
    ['スーパーのレジ', { employerKind: 'shop' }],
    ['美容室の面接', { employerKind: 'shop' }],
    ['飲食のバイト', { employerKind: 'shop' }],
    ['レストランのホール', { employerKind: 'shop' }],
    ['会社から電話がありました', { employerKind: 'office' }],
    ['事務所の面接', { employerKind: 'office' }],
    ['オフィスワークの面接', { employerKind: 'office' }],
    ['株式会社サクラ商事の面接', { employerKind: 'office', employerName: '株式会社サクラ商事' }],
    // employer name
    ['株式会社ABCから電話がありました', { employerName: '株式会社ABC' }],
    ['サクラ商事株式会社の面接', { employerName: 'サクラ商事株式会社' }],
    ['㈱ミライの面接を受けました', { employerName: '(株)ミライ' }],
    ['カフェドリーム渋谷店の面接', { employerName: 'カフェドリーム渋谷店', employerKind: 'shop' }],
    ['昨日ローソン新宿店から電話', { employerName: 'ローソン新宿店' }],
    ['スターバックスの面接を受けました', { employerName: 'スターバックス' }],
    ['先週受けたマクドナルドの面接', { employerName: 'マクドナルド' }],
    ['すき家でバイトの面接をしました', { employerName: 'すき家' }],
    ['ひまわり食堂というお店です', { employerName: 'ひまわり食堂', employerKind: 'shop' }],
    ['さくら薬局というところで面接', { employerName: 'さくら薬局' }],
    ['ミドリ工業って会社です', { employerName: 'ミドリ工業', employerKind: 'office' }],
    ['「はなまる」というお店', { employerName: 'はなまる' }],
    ['ABC商事から着信がありました', { employerName: 'ABC商事' }],
    // contact left
    ['留守電が入っていました', { contactLeft: ['voicemail'] }],
    ['留守番電話にメッセージがありました', { contactLeft: ['voicemail'] }],
    ['伝言が残っていた', { contactLeft: ['voicemail'] }],
    ['SMSが届いていました', { contactLeft: ['sms'] }],
    ['ショートメールが来ていた', { contactLeft: ['sms'] }],
    ['ショートメッセージもありました', { contactLeft: ['sms'] }],
    ['メールも来ていました', { contactLeft: ['email'] }],
    ['留守電とメールがありました', { contactLeft: ['voicemail', 'email'] }],
    ['何も残っていない', { contactLeft: ['none'] }],
    ['何も残ってないです', { contactLeft: ['none'] }],
    ['特になし', { contactLeft: ['none'] }],
    ['着信だけでした', { contactLeft: ['none'] }],
    ['留守電は入っていませんでした', { contactLeft: ['none'] }],
    ['留守電もメールも来てない', { contactLeft: ['none'] }],
    ['留守電はなかったけどSMSが来てた', { contactLeft: ['sms'] }],
    ['留守電が入っていたのに気づかなかった', { contactLeft: ['voicemail'] }],
    // contact person
    ['担当の田中さんから電話がありました', { contactPerson: '田中' }],
    ['田中様からでした', { contactPerson: '田中' }],
    ['採用担当の佐藤さん', { contactPerson: '佐藤' }],
    ['人事の鈴木さまから連絡', { contactPerson: '鈴木' }],
    ['佐藤店長さんから電話', { contactPerson: '佐藤' }],
    ['担当の高橋という方から', { contactPerson: '高橋' }],
    // user name
    ['山田花子です', { userName: '山田花子' }],
    ['名前は山田です', { userName: '山田' }],
    ['山田と申します', { userName: '山田' }],
    ['はじめまして、佐藤です。相談させてください', { userName: '佐藤' }],
    ['私は鈴木といいます', { userName: '鈴木' }],
    // business hours
    ['お店の営業時間は11時から21時です', { businessHours: { open: 660, close: 1260 } }],
    ['10:00〜19:00の営業です', { businessHours: { open: 600, close: 1140 } }],
    ['朝9時から夜8時までやっています', { businessHours: { open: 540, close: 1200 } }],
    ['11時～22時', { businessHours: { open: 660, close: 1320 } }],
    // too late
    ['もう遅いですか？', { asksTooLate: true }],
    ['今から連絡してもいいですか', { asksTooLate: true }],
    ['今更かけても迷惑じゃないですか', { asksTooLate: true }],
    ['電話しない方がいいですか', { asksTooLate: true }],
    ['今さら折り返しても大丈夫でしょうか', { asksTooLate: true }],
    ['まだ間に合いますか', { asksTooLate: true }],
    // counts through extractFacts
    ['何度も着信がありました', { callCount: 3, callCountIsApprox: true }],
    ['着信が3回', { callCount: 3, callCountIsApprox: false }],
    // more names
    ['お店の名前は「ひだまり」です', { employerName: 'ひだまり', employerKind: 'shop' }],
    ['店名はひだまりです', { employerName: 'ひだまり' }],
    ['会社の名前は株式会社ABCです', { employerName: '株式会社ABC', employerKind: 'office' }],
    ['ファミマの店長から電話がありました', { employerName: 'ファミマ', employerKind: 'shop' }],
    ['イオンのパートの面接', { employerName: 'イオン', jobKind: 'partTime' }],
    ['居酒屋さくらの面接', { employerName: '居酒屋さくら', employerKind: 'shop' }],
    ['寝ていて気づかなかった', { reasons: ['didNotNotice'] }],
    ['もう面接は無理かな', { asksTooLate: true }],
    ['10時〜18時の間に折り返しくださいと留守電がありました', { contactLeft: ['voicemail'], businessHours: { open: 600, close: 1080 } }],
  ])('%j', (text, expected) => {
    expect(extractFacts(text)).toMatchObject(expected);
  });

  it.each<[string, keyof Facts]>([
    // never a generic word as the employer's name
    ['携帯ショップから代わりの携帯を借りていました', 'employerName'],
    ['携帯ショップから電話がありました', 'employerName'],
    ['ドコモショップで修理中でした', 'employerName'],
    ['バイト先から電話がありました', 'employerName'],
    ['面接した所から電話が来ていました', 'employerName'],
    ['お店から電話がありました', 'employerName'],
    ['お店側から連絡', 'employerName'],
    ['会社から着信がありました', 'employerName'],
    ['バイトの面接を受けました', 'employerName'],
    ['正社員の面接でした', 'employerName'],
    ['昨日の面接', 'employerName'],
    ['2回目の面接', 'employerName'],
    ['非通知から電話がありました', 'employerName'],
    ['知らない番号から着信', 'employerName'],
    ['田中さんから電話がありました', 'employerName'],
    ['3月6日に面接しました', 'employerName'],
    ['〇〇の面接', 'employerName'],
    ['飲食店の面接', 'employerName'],
    ['修理店に預けていた', 'employerName'],
    ['株式会社の面接', 'employerName'],
    ['新宿の店舗で面接', 'employerName'],
    ['今週の月曜日に面接を受けた', 'employerName'],
    ['バイト先の店長から電話', 'employerName'],
    // a phone shop is not the employer
    ['携帯ショップから代わりの携帯を借りていました', 'employerKind'],
    ['携帯会社に問い合わせた', 'employerKind'],
    // counts and days do not leak into each other
    ['3回', 'daysElapsed'],
    ['6日', 'callCount'],
    // the user's name only when given
    ['心配です', 'userName'],
    ['面接です', 'userName'],
    ['不安です', 'userName'],
    ['原因です', 'userName'],
    ['私は学生です', 'userName'],
    ['お店の名前はわからないです', 'userName'],
    ['会社の名前は株式会社ABCです', 'userName'],
    ['担当の田中さんから電話', 'userName'],
    // people who are not the contact
    ['お客様から電話', 'contactPerson'],
    ['お母さんに相談した', 'contactPerson'],
    ['店長さんから電話', 'contactPerson'],
    ['パートさんが出ました', 'contactPerson'],
    ['皆さんはどうしてますか', 'contactPerson'],
    ['株式会社ABC様', 'contactPerson'],
    // contact left: about what the user may send, or nothing said
    ['メールで連絡してもいいですか', 'contactLeft'],
    ['着信がありました', 'contactLeft'],
    ['メールアドレスは伝えてあります', 'contactLeft'],
    ['メールの返信をしたほうがいい?', 'contactLeft'],
    ['ショートメールで連絡してもいいですか', 'contactLeft'],
    // ordinals are not counts
    ['一回目の電話は出られませんでした', 'callCount'],
    // not asking whether it is too late
    ['明日電話します', 'asksTooLate'],
    ['面接を受けました', 'asksTooLate'],
    // not business hours
    ['10時から面接でした', 'businessHours'],
    ['2~3回電話がありました', 'businessHours'],
    // no reason given
    ['出られませんでした', 'reasons'],
    ['着信履歴を見ると', 'reasons'],
    ['遅くして', 'reasons'],
  ])('%j has no %s', (text, key) => {
    expect(extractFacts(text)[key]).toBeUndefined();
  });

  it('only sets the keys it found', () => {
    expect(extractFacts('')).toEqual({});
    expect(extractFacts('こんにちは')).toEqual({});
    expect(Object.keys(extractFacts('昨日着信がありました'))).toEqual(['daysElapsed']);
  });

  it('uses now for dates', () => {
    expect(extractFacts('3月6日に面接しました', { now: NOW }).daysElapsed).toBe(4);
    expect(extractFacts('3月6日に面接しました').daysElapsed).toBeUndefined();
  });

  it('reads a long message with many facts', () => {
    const text =
      '山田花子と申します。3日前にカフェドリーム渋谷店でアルバイトの面接を受けました。昨日、店長の佐藤さんから2回着信があったのですが、マナーモードで気づきませんでした。留守電が入っていて、営業時間は10時〜22時だそうです。今から折り返しても大丈夫でしょうか？';
    expect(extractFacts(text)).toEqual({
      daysElapsed: 3,
      callCount: 2,
      callCountIsApprox: false,
      reasons: ['didNotNotice'],
      employerName: 'カフェドリーム渋谷店',
      employerKind: 'shop',
      jobKind: 'partTime',
      contactLeft: ['voicemail'],
      contactPerson: '佐藤',
      userName: '山田花子',
      businessHours: { open: 600, close: 1320 },
      asksTooLate: true,
    } satisfies Facts);
  });

  it('stays fast on long, repetitive messages (LINE allows 5000 characters)', () => {
    const inputs = ['株'.repeat(5000), 'ア'.repeat(4999) + '店', '山'.repeat(4998) + 'さん', 'ABC '.repeat(1250), ARTICLE.repeat(20)];
    for (const input of inputs) {
      const started = performance.now();
      extractFacts(input);
      detectCommand(input);
      detectStage(input, MISSED_CALL_STAGE_WORDS);
      expect(performance.now() - started).toBeLessThan(1000);
    }
  });

  it('is pure: the same input gives the same output', () => {
    const first = extractFacts(ARTICLE);
    for (let i = 0; i < 3; i++) expect(extractFacts(ARTICLE)).toEqual(first);
  });
});

describe('detectCommand', () => {
  it.each<[string, Command]>([
    ['ヘルプ', 'help'],
    ['使い方', 'help'],
    ['help', 'help'],
    ['HELP', 'help'],
    ['？', 'help'],
    ['?', 'help'],
    ['使い方を教えてください', 'help'],
    ['最初から', 'restart'],
    ['最初からお願いします', 'restart'],
    ['リセット', 'restart'],
    ['やり直し', 'restart'],
    ['やり直したいです', 'restart'],
    ['戻る', 'back'],
    ['もどる', 'back'],
    ['前へ', 'back'],
    ['戻って！', 'back'],
    ['通知停止', 'stopNotifications'],
    ['通知オフ', 'stopNotifications'],
    ['通知を止めて', 'stopNotifications'],
    ['配信停止', 'stopNotifications'],
    ['通知を止めてほしいです', 'stopNotifications'],
    ['通知を止めてください', 'stopNotifications'],
    ['もう通知はいらないです', 'stopNotifications'],
    ['通知やめる', 'stopNotifications'],
    ['通知再開', 'resumeNotifications'],
    ['通知オン', 'resumeNotifications'],
    ['通知を再開してください', 'resumeNotifications'],
    ['データ削除', 'deleteData'],
    ['データを消して', 'deleteData'],
    ['退会', 'deleteData'],
    ['データを削除してください', 'deleteData'],
    ['私のデータを全部消してほしいです', 'deleteData'],
    ['退会したいです', 'deleteData'],
    ['登録内容', 'showProfile'],
    ['登録情報', 'showProfile'],
    ['プロフィール', 'showProfile'],
    ['覚えていること', 'showProfile'],
    ['登録内容を見せてください', 'showProfile'],
    ['はい', 'yes'],
    ['はい。', 'yes'],
    ['うん', 'yes'],
    ['OK', 'yes'],
    ['ＯＫです', 'yes'],
    ['お願いします', 'yes'],
    ['はい、お願いします！', 'yes'],
    ['いいえ', 'no'],
    ['いや', 'no'],
    ['やめる', 'no'],
    ['いいえ、結構です', 'no'],
    ['今回は大丈夫です', 'no'],
    ['不要です', 'no'],
    ['いりません', 'no'],
    ['スキップ', 'skip'],
    ['わからない', 'skip'],
    ['分からないです', 'skip'],
    ['飛ばす', 'skip'],
    ['パス', 'skip'],
    ['スキップで', 'skip'],
    ['はーい', 'yes'],
    ['わかりました', 'yes'],
    ['最初からやり直したい', 'restart'],
    ['通知を止めてもらえますか', 'stopNotifications'],
    ['通知が多すぎるので止めてほしい', 'stopNotifications'],
    ['通知をオフにしてください', 'stopNotifications'],
    ['やっぱり通知を再開してほしい', 'resumeNotifications'],
    ['個人情報を削除してほしいです', 'deleteData'],
    ['登録解除', 'deleteData'],
    ['プロフィールを確認したい', 'showProfile'],
    ['ヘルプを見たい', 'help'],
  ])('%j → %s', (text, expected) => {
    expect(detectCommand(text)).toBe(expected);
  });

  it.each<[string]>([
    [''],
    ['   '],
    [ARTICLE],
    ['面接の日程をもう一度最初から確認したいのですが、どうすればいいですか'],
    ['前の会社に戻るかどうか悩んでいます'],
    ['はい、でも非通知だったので出られませんでした'],
    ['使い方がわからないまま電話に出られなかった時のことを相談したいです'],
    ['通知を止めないでください'],
    ['携帯のデータが消えてしまいました'],
    ['着信履歴を消してしまった'],
    ['着信履歴を消して'],
    ['非通知だったので出るのをやめた'],
    ['非通知をオンにしてた'],
    ['メッセージを送るのはやめた方がいい?'],
    ['通知は止めなくていいです'],
    ['通知を再開しないで'],
    ['こんにちは'],
    ['電話'],
  ])('%j → undefined', (text) => {
    expect(detectCommand(text)).toBeUndefined();
  });
});

describe('detectStage', () => {
  it.each<[string, StageName]>([
    ['状況整理', 'situation'],
    ['状況', 'situation'],
    ['電話の準備', 'preparation'],
    ['準備', 'preparation'],
    ['電話する', 'call'],
    ['電話', 'call'],
    ['通話', 'call'],
    ['フォローアップ', 'followUp'],
    ['お礼', 'followUp'],
    ['フォロー', 'followUp'],
    ['教訓', 'lessons'],
    ['振り返り', 'lessons'],
    ['学び', 'lessons'],
    ['状況整理！', 'situation'],
    ['電話の準備をしたい', 'preparation'],
    ['2. 電話の準備', 'preparation'],
    ['【振り返り】', 'lessons'],
    ['フォローアップへ', 'followUp'],
    ['お礼のメール', 'followUp'],
    ['振り返りたい', 'lessons'],
    ['電話をかけたい', 'call'],
    ['3. 電話する', 'call'],
  ])('%j → %s', (text, expected) => {
    expect(detectStage(text, MISSED_CALL_STAGE_WORDS)).toBe(expected);
  });

  it.each<[string]>([
    [''],
    [ARTICLE],
    ['昨日電話がありましたが出られませんでした'],
    ['面接の準備はしていたのに電話に出られなかった'],
    ['お礼のメールを送るべきか迷っています、どう思いますか'],
    ['はい'],
  ])('%j → undefined', (text) => {
    expect(detectStage(text, MISSED_CALL_STAGE_WORDS)).toBeUndefined();
  });
});

describe('readCallOutcome', () => {
  it.each<[string, CallOutcome]>([
    ['選考が続くことになりました', 'continuing'],
    ['次の面接に進めることになりました！', 'continuing'],
    ['面接の日程が決まりました', 'continuing'],
    ['来週から出勤です', 'continuing'],
    ['採用されました', 'continuing'],
    ['連絡を待つことになりました', 'waiting'],
    ['結果は後日連絡しますと言われました', 'waiting'],
    ['折り返し待ちです', 'waiting'],
    ['不採用でした', 'rejected'],
    ['採用されませんでした', 'rejected'],
    ['もう他の方に決まったそうです', 'rejected'],
    ['誰も出ませんでした', 'unreached'],
    ['担当の方が不在でした', 'unreached'],
    ['留守電でした', 'unreached'],
  ])('%j → %s', (text, outcome) => {
    expect(readCallOutcome(text)).toBe(outcome);
  });

  it.each([
    ['はい'],
    ['電話しました'],
    ['ありがとうございます'],
    // Two answers in one message: asked again rather than guessed.
    ['連絡を待つことになったけど、たぶん不採用'],
    ['誰も出なくて、折り返しを待つことにしました'],
    [ARTICLE],
  ])('%j → undefined', (text) => {
    expect(readCallOutcome(text)).toBeUndefined();
  });
});

describe('readWaitingNews', () => {
  it.each<[string, WaitingNews]>([
    ['連絡が来ました', 'continuing'],
    ['連絡がきた！', 'continuing'],
    ['先ほど電話がありました', 'continuing'],
    ['メールが来てました', 'continuing'],
    ['内定をもらいました', 'continuing'],
    ['二次面接に進みます', 'continuing'],
    ['不採用でした', 'rejected'],
    ['お祈りメールでした', 'rejected'],
    // A refusal that came as a call is one answer, not two.
    ['連絡が来て、不採用でした', 'rejected'],
    ['まだです', 'none'],
    ['まだ来ていません', 'none'],
    ['連絡がありません', 'none'],
    ['連絡が来ない', 'none'],
    ['連絡がきてない…', 'none'],
    ['音沙汰なしです', 'none'],
  ])('%j → %s', (text, news) => {
    expect(readWaitingNews(text)).toBe(news);
  });

  it.each([['ありがとうございます'], ['どうしようかな'], ['まだ連絡はないけど、落ちました'], [ARTICLE]])('%j → undefined', (text) => {
    expect(readWaitingNews(text)).toBeUndefined();
  });

  it('a guess next to "nothing yet" is no second answer', () => {
    expect(readWaitingNews('まだ連絡はないけど、たぶん落ちました')).toBe('none');
  });
});

describe('readCallBranch', () => {
  it.each<[string, CallBranch]>([
    ['電話を終えました', 'finished'],
    ['話せました', 'finished'],
    ['電話しました', 'finished'],
    ['担当の方が不在でした', 'absent'],
    ['担当者がいませんでした', 'absent'],
    ['外出中とのことでした', 'absent'],
    // About the person: the absent branch says when to call again.
    ['担当の方が不在で、また後でかけ直します', 'absent'],
    ['誰も出ませんでした', 'noAnswer'],
    ['電話したけど誰も出ませんでした', 'noAnswer'],
    ['留守電でした', 'noAnswer'],
    ['時間を改めてかけます', 'retry'],
    ['あとでかけ直します', 'retry'],
  ])('%j → %s', (text, branch) => {
    expect(readCallBranch(text)).toBe(branch);
  });

  it.each([['次のステップ'], ['はい'], ['話せました。時間を改めてかけます'], [ARTICLE]])('%j → undefined', (text) => {
    expect(readCallBranch(text)).toBeUndefined();
  });
});

describe('readWaitingChoice, readThanksStep, saysThanksSent', () => {
  it.each([
    ['もう少し待ちます', 'wait'],
    ['まだ待ちます', 'wait'],
    ['しばらく待ってみます', 'wait'],
    ['問い合わせの文面を見たいです', 'inquiry'],
    ['問い合わせてみます', 'inquiry'],
    ['結果を聞いてみたい', 'inquiry'],
    ['はい', undefined],
  ])('waiting choice %j → %s', (text, choice) => {
    expect(readWaitingChoice(text)).toBe(choice);
  });

  it('"まだ待ちます" is a choice, not news', () => {
    expect(readWaitingNews('まだ待ちます')).toBeUndefined();
    expect(readWaitingNews('まだ')).toBe('none');
  });

  it.each([
    ['送りました', 'sent'],
    ['もう送りました！', 'sent'],
    ['メール送りました', 'sent'],
    ['手紙を送りました', 'sent'],
    ['手紙の文面も見たい', 'letter'],
    ['お礼状も出したい', 'letter'],
    ['送りたいです', undefined],
  ])('thanks step %j → %s', (text, step) => {
    expect(readThanksStep(text)).toBe(step);
  });

  it.each([
    ['お礼を送りました', true],
    ['お礼のメールを送りました！', true],
    ['お礼状を出しました', true],
    // Without お礼 it could be anything: only with the mail on screen does it mean the thanks.
    ['送りました', false],
    ['お礼を送りたい', false],
  ])('thanks sent, said anywhere: %j → %s', (text, sent) => {
    expect(saysThanksSent(text)).toBe(sent);
  });
});

describe('readTimingChoice', () => {
  it.each([
    ['その時間に知らせて', 'remind'],
    ['時間になったら教えてください', 'remind'],
    ['リマインドお願いします', 'remind'],
    ['台本を見たい', 'script'],
    ['話す内容を見たい', 'script'],
    ['営業時間を伝えます', 'hours'],
    // Offering the hours asks for no reminder, though 教え is in it.
    ['営業時間を教えます', 'hours'],
    ['教えて', undefined],
    ['その時間に知らせて、台本も見たい', undefined],
  ])('%j → %s', (text, choice) => {
    expect(readTimingChoice(text)).toBe(choice);
  });
});

describe('confirmsDeletion', () => {
  it.each([
    ['削除する'],
    ['削除してください'],
    ['はい、全部消してください'],
    ['消去で'],
    ['データ削除'],
    ['データを削除してください'],
    ['退会します'],
    ['削除してください。お願いします'],
    ['削除をお願いいたします'],
    ['削除して大丈夫です'],
    ['削除してもいいです'],
    ['はい、削除したいです'],
    ['個人情報を削除してください'],
    ['データの削除をお願いします'],
    ['全データ削除'],
  ])('%j confirms', (text) => {
    expect(confirmsDeletion(text)).toBe(true);
  });
  it.each([
    ['削除を取り消してください'],
    ['消さないで'],
    ['やっぱりやめておきます'],
    ['ちょっと待って'],
    ['はい'],
    ['気づきませんでした'],
    // Saying no with the verb in it, asking about it, or a mistake.
    ['いいえ、削除しません'],
    ['退会はしません'],
    ['削除は大丈夫です'],
    ['削除は結構です'],
    ['削除しなくて大丈夫です'],
    ['削除したらどうなりますか'],
    ['データを削除したらどうなる？'],
    ['間違えて削除って押しました'],
    ['削除じゃなくて名前を変えたい'],
    ['データ削除は大丈夫です'],
    ['削除してください。やっぱりやめます'],
  ])(
    '%j does not',
    (text) => {
      expect(confirmsDeletion(text)).toBe(false);
    },
  );
});

describe('typed answers that are no report of what happened', () => {
  it.each([
    ['1週間以内に連絡がなければ不採用だそうです'],
    ['落ちたらどうしよう'],
    ['不採用だったらどうしよう'],
    ['採用されたらどうすればいい？'],
    ['不採用じゃなかった！'],
    ['落ちたと思ったら内定でした'],
  ])('outcome %j → undefined (a condition, a worry, a question, a negation, or two answers)', (text) => {
    expect(readCallOutcome(text)).toBeUndefined();
  });

  it('a past clause with たら is still a report; a negated step forward is a refusal', () => {
    expect(readCallOutcome('電話したら、選考が続くことになりました')).toBe('continuing');
    expect(readCallOutcome('次の面接には進めませんでした')).toBe('rejected');
  });

  it.each([
    ['電話がありましたが出られませんでした', undefined],
    ['連絡あった？', undefined],
    ['内定の場合は来週電話が来るそうです', undefined],
    ['不採用の場合は連絡しないそうです', undefined],
    ['連絡があって、二次面接に進めませんでした', 'rejected'],
    ['残念ながらという連絡がきました', 'rejected'],
  ])('news %j → %s', (text, news) => {
    expect(readWaitingNews(text)).toBe(news);
  });

  it.each([
    ['お知らせしてほしくないです'],
    ['リマインドは大丈夫です'],
    ['台本はいらない'],
  ])('timing %j declines, so chooses nothing', (text) => {
    expect(readTimingChoice(text)).toBeUndefined();
  });

  it('declining the letter or the inquiry chooses neither', () => {
    expect(readThanksStep('手紙はいらない')).toBeUndefined();
    expect(readWaitingChoice('問い合わせはしないでおきます')).toBeUndefined();
  });
});

describe('typed answers, a sentence at a time', () => {
  it.each([
    ['不採用でした。仕方ないです', 'rejected'],
    ['内定もらいました！信じられない', 'continuing'],
    ['不採用でした。電話して良かったのかな', 'rejected'],
    ['いつから働けますかと聞かれて、採用になりました', 'continuing'],
    ['結果が分かり次第連絡しますと言われました', 'waiting'],
    ['かけたら不採用とのことです', 'rejected'],
    ['電話したら、選考が続くことになりました😊', 'continuing'],
    ['受かったら嬉しいな', undefined],
  ])('outcome %j → %s', (text, outcome) => {
    expect(readCallOutcome(text)).toBe(outcome);
  });

  it('news: a refusal in the next sentence is still the one answer; a call missed again is none', () => {
    expect(readWaitingNews('連絡が来ました。不採用でした')).toBe('rejected');
    expect(readWaitingNews('電話がありました。でも出られませんでした')).toBeUndefined();
  });

  it.each([
    ['大丈夫です、台本ください', 'script'],
    ['もう大丈夫なので台本を見せて', 'script'],
    ['リマインドしてもらえるといいです', 'remind'],
    ['台本だけ見れればいいです', 'script'],
  ])('timing %j → %s (the declining clause is another one)', (text, choice) => {
    expect(readTimingChoice(text)).toBe(choice);
  });
});

describe('typed answers: guesses, wishes, quotes and refusals after a topic (third review)', () => {
  it.each([
    ['不採用かなと思います'],
    ['不採用だろうと思います'],
    ['不採用になるかもです'],
    ['「不採用です。」と言われたらどうしよう'],
    ['採用されたい'],
    ['選考に進めるといいな'],
    ['不採用になりそうで怖い'],
    ['どうせ不採用です'],
    ['不採用覚悟でかけます'],
  ])('outcome %j → undefined', (text) => {
    expect(readCallOutcome(text)).toBeUndefined();
  });

  it('guesses are no news, but a worry doesn\'t hide "nothing yet"; the rejection idiom お祈り is no prayer', () => {
    expect(readWaitingNews('連絡はまだ。落ちたかもです')).toBe('none');
    expect(readWaitingNews('まだ連絡がなくて不安です')).toBe('none');
    expect(readWaitingNews('お祈りメールでした')).toBe('rejected');
    expect(readCallOutcome('内定をいただきました、よろしくお願いします')).toBe('continuing');
  });

  it.each([
    ['リマインド、結構です'],
    ['台本は、大丈夫です'],
    ['台本、いらない'],
  ])('timing %j declines what it names', (text) => {
    expect(readTimingChoice(text)).toBeUndefined();
  });

  it('a refusal after a topic, and から inside a word', () => {
    expect(readWaitingChoice('問い合わせは、結構です')).toBeUndefined();
    expect(readThanksStep('手紙は、いらないです')).toBeUndefined();
    expect(readTimingChoice('これから台本を見ます')).toBe('script');
  });

  it.each([['データ削除はやめます'], ['データ削除はキャンセルで'], ['退会はやめます'], ['データ消去は中止']])('%j is no request to delete', (text) => {
    expect(detectCommand(text)).toBeUndefined();
  });
});

describe('typed answers: the fourth review\'s harmful misreads', () => {
  it.each([
    ['電話が落ちました'],
    ['充電が落ちた'],
    ['たぶん落ちた'],
    ['多分不採用'],
    ['落ちたかなー'],
    ['これって不採用ってこと'],
    ['落ちたと思ったら受かってた'],
    ['不採用ではないけど保留です'],
  ])('outcome %j → not a refusal', (text) => {
    expect(readCallOutcome(text)).not.toBe('rejected');
  });

  it('"ダメでした" reads as a refusal (the machine checks it with the user before acting)', () => {
    expect(readCallOutcome('今回もダメでした')).toBe('rejected');
    expect(readWaitingNews('連絡もらったけど、ダメでした')).toBe('rejected');
  });

  it.each([
    ['他の会社から電話がありました'],
    ['ハローワークから電話がありました'],
    ['母から電話があった'],
    ['連絡が来たらすぐ教えます'],
    ['連絡来てたらいいな'],
    ['電話があったらしい'],
    ['他社の内定が出ました'],
  ])('news %j → not heard back from the employer', (text) => {
    expect(readWaitingNews(text)).not.toBe('continuing');
  });

  it.each([['時間に知らせる必要なし'], ['リマインドなしで'], ['リマインドいらん'], ['リマインドって何']])('timing %j → no reminder', (text) => {
    expect(readTimingChoice(text)).not.toBe('remind');
  });

  it.each([['はい？'], ['ええ？'], ['うん？'], ['OK?']])('%j is no yes', (text) => {
    expect(detectCommand(text)).toBeUndefined();
  });

  it('what is no new value for a name, and what is', () => {
    for (const t of ['キャンセル', 'やっぱりいいです', 'そのままで', 'え？', '👍', '聞いてない', '特にないです']) expect(isNoNewValue(t), t).toBe(true);
    for (const t of ['山田花子', '株式会社サンプル', '田中様', 'コミュニケーション力']) expect(isNoNewValue(t), t).toBe(false);
  });
});

describe('typed answers: the fifth review', () => {
  it.each([['メール来たけどまだ開いてない'], ['電話があったので明日かけ直します'], ['連絡あったけど折り返せてない'], ['電話あったけど出れんかった'], ['電話がありましたが、別の件でした']])(
    'news %j → not heard back (a contact, but no news yet)',
    (text) => {
      expect(readWaitingNews(text)).not.toBe('continuing');
    },
  );

  it.each([['リマインドいいです'], ['リマインドより今かける'], ['リマインドされても出られないので'], ['時間になったら知らせて…いややっぱいい'], ['時間になったら知らせてくれる'], ['リマインド設定できる']])(
    'timing %j → no reminder',
    (text) => {
      expect(readTimingChoice(text)).not.toBe('remind');
    },
  );

  it('declining the reminder, and the edit words that are no value', () => {
    expect(declinesReminder('言われてないけど知らせなくていい')).toBe(true);
    expect(declinesReminder('来週って言われました')).toBe(false);
    for (const t of ['変更なしで', '今のままでOK', '元に戻して', '秘密', '言いたくない', 'さっきと同じ', '聞き忘れた', '思いつかない', 'うーん']) expect(isNoNewValue(t), t).toBe(true);
  });

  it('"リマインドしてほしいけど通知切ってる" does not stop notifications', () => {
    expect(detectCommand('リマインドしてほしいけど通知切ってる')).toBeUndefined();
  });
});

describe('typed answers: the sixth review', () => {
  it('names, shops and strengths that merely contain a cancel word are values', () => {
    for (const t of ['ミスズ', 'あやめ', '名前は佐藤あやめです', 'ミスタードーナツ', 'ミス・ジョーンズ', 'ミスが少ない', '忘れ物をしない、時間を守る', '嘘をつかない', '結構体力あります', '途中でやめない', '知らない人とも話せる', '間違いに気づける'])
      expect(isNoNewValue(t), t).toBe(false);
    for (const t of ['佐藤健のままで', 'うーん、ない', '名前は聞きそびれました']) expect(isNoNewValue(t), t).toBe(true);
  });

  it('a dropped call is no refusal; a reminder turned off is none; a contact whose content is lost is no news', () => {
    expect(readCallOutcome('通話が途中で落ちた')).toBeUndefined();
    expect(readCallOutcome('落ちました')).toBe('rejected');
    expect(readTimingChoice('リマインドは通知オフにしてるから')).toBeUndefined();
    expect(readWaitingNews('連絡もらったけど内容忘れた')).toBeUndefined();
  });
});

describe('typed answers: the seventh review', () => {
  it('a refusal heard on the phone is a refusal; only the line or the battery "drops"', () => {
    for (const t of ['電話来たけど落ちました', '電話したら落ちてた', '電話で落ちたって言われました']) expect(readCallOutcome(t), t).toBe('rejected');
    for (const t of ['通話が途中で落ちた', '電波が悪くて落ちた']) expect(readCallOutcome(t), t).toBeUndefined();
  });

  it('a cancel with a filler word is still no value; a name starting with あ is a name', () => {
    for (const t of ['やめときます', 'あ、やっぱりいいや', 'あ、大丈夫です', '押し間違えです', 'ごめん間違い', 'すみません、間違えて押しました', 'なんでもないです', '今のでいいです', '後でやります', '名前わからない', '昨日と同じ'])
      expect(isNoNewValue(t), t).toBe(true);
    for (const t of ['あやめ', 'すみません、山田です', 'ごめんね商事']) expect(isNoNewValue(t), t).toBe(false);
  });
});

describe('typed answers: "don\'t know" is no value (eighth review)', () => {
  it.each([['分からん'], ['特にないかな'], ['あとで考えます'], ['ちょっとわからないです'], ['わからなかったです'], ['聞きそびれちゃいました'], ['ちょっと忘れました'], ['会社名は秘密で'], ['覚えていません'], ['聞いていません'], ['名乗ってなかった'], ['すみません、わかりません'], ['担当者はわかりません'], ['なんて名前だっけ'], ['とばします']])(
    '%j',
    (text) => {
      expect(isNoNewValue(text)).toBe(true);
    },
  );
});

describe('typed answers: the last walk', () => {
  it('"急に落ちた" alone is the line dropping; "落ちたと言われて" is a refusal', () => {
    expect(readCallOutcome('急に落ちた')).toBeUndefined();
    expect(readCallOutcome('途中で落ちました')).toBeUndefined();
    expect(readCallOutcome('急に落ちたと言われて…')).toBe('rejected');
  });

  it('"リマインドしなくて大丈夫" declines the reminder', () => {
    expect(declinesReminder('リマインドしなくて大丈夫、3日後って言われた')).toBe(true);
    expect(declinesReminder('3日後って言われた')).toBe(false);
  });
});
