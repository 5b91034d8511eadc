/**
 * The employer's name and kind (shop or office).
 *
 * Names, strongest first:
 *   株式会社ABC / ABC株式会社 / (株)ABC       → kept whole
 *   「ABC」という… / 「ABC」の面接            → ABC
 *   ABCというお店 / ABCって会社 / ABCってところ → ABC
 *   ABC渋谷店                                → ABC渋谷店
 *   ABCの面接 / ABCでバイトの面接 / ABCに応募  → ABC
 *   ABCから電話 / ABCから着信                 → ABC
 * Generic words are never a name: バイト先, 面接した所, お店, 会社, 携帯ショップ …
 */
import type { EmployerKind } from './types.ts';
import { allMatches, isHiragana } from './normalize.ts';

const NAME_CHAR = "[A-Za-z0-9&'・.\\u30A1-\\u30FA\\u30FC\\u4E00-\\u9FFF々]";
/** Up to 30 name characters (spaces only between Latin letters). */
const NAME_BODY = `(?:${NAME_CHAR}|(?<=[A-Za-z]) (?=[A-Za-z])){1,30}`;
/** A name run that starts where the previous character is not a name character (keeps scans linear). */
const NAME_RUN = `(?<!${NAME_CHAR})${NAME_BODY}`;
const COMPANY = '(?:株式会社|有限会社|合同会社|\\(株\\)|\\(有\\))';

const GENERIC: readonly string[] = Object.freeze([
  'バイト', 'アルバイト', 'パート', '面接先', '応募先', '会社', '企業', '店', 'お店', '職場', '勤務先',
  '就職先', '転職先', '先方', '相手', '相手方', 'ショップ', '携帯', 'スマホ', '非通知', '番号',
  'カフェ', 'レストラン', '居酒屋', 'コンビニ', 'スーパー', '美容室', '美容院', 'サロン', '飲食',
  '飲食店', '事務所', 'オフィス', '正社員', '新卒', '中途', '転職', '派遣', '派遣会社', '契約社員',
  '最終', '一次', '二次', '三次', '次', '昨日', '今日', '先日', '先週', '前回', '今回', '以前', '最初',
  '今度', '事務', '営業', '販売', '接客', '介護', '看護', '保育', '調理', '清掃', '倉庫', '工場',
  '配送', '軽作業', 'ホール', 'キッチン', 'レジ', '受付', 'オンライン', 'web', 'グループ', '個人',
  '集団', '説明会', '採用', '人事', '担当', '担当者', '面接官', '店長', '社長', '本社', '本部',
  '夜勤', '日勤', '短期', '長期', '単発', '土日', '平日', '週末', '学生', '高校生', '大学生', '主婦',
  '初めて', '本命', '第一志望', '志望', '希望', '某', '別', '他', '次回', 'そこ', 'ここ', 'あそこ',
  '近所', '地元', '店舗', '今週', '来週', '先月', '今月', '来月', '週明け', '向こう', '家', '実家', '学校', '大学', '病院', '会社側', 'お店側', '店側',
]);

const GENERIC_PATTERNS: readonly RegExp[] = [
  /(?:バイト|アルバイト|パート)先$/,
  /^面接/,
  /^[0-9一二三四五六七八九十]+(?:回目|次|度目|社目|件目|社|つ目)?$/,
  /^[〇○◯×△□]/,
  /^(?:株式会社|有限会社|合同会社|\(株\)|\(有\))$/,
  /(?:曜日?|曜)$/,
  /^[0-9〇一二三四五六七八九十/:]+(?:月|日|時|分|週|年|ヶ月|か月|カ月)/,
  /^(?:携帯|スマホ|ケータイ|ドコモ|docomo|au|ソフトバンク|softbank|ワイモバイル|楽天モバイル|uq)/i,
  /^(?:お|飲食|販売|代理|小売|専門|量販|百貨|喫茶|雑貨|修理|実|系列|他|当|同|各|本|支|売|商|書|洋菓子|和菓子|家電量販|チェーン|個人|近く|近所|地元|駅前|その|この|あの|別|前|次)店$/,
  /^(?:知らない|見知らぬ)/,
  /(?:公衆|固定|家の|自宅の?|会社の|携帯)電話$|番号$|(?:フリー|ナビ)ダイ[ヤア]ル$|フリーコール$/,
  /(?:さん|様)$/,
];

const LEADING_NOISE =
  /^(?:[0-9一二三四五六七八九十]+月[0-9一二三四五六七八九十]+日|[0-9]+\/[0-9]+|昨日|今日|本日|先日|先週|先月|一昨日|おととい|前回|今回|以前|最近|今度|この前|こないだ|[0-9一二三四五六七八九十]+(?:日|週間|ヶ月|か月|カ月)(?:前|ほど前|くらい前)?)/;
const TRAILING_NOISE = /(?:さん|様|さま|御中|殿|側|面接|採用|人事部|人事|担当者|担当|本社)$/;

function clean(raw: string): string {
  let x = raw.trim();
  for (let i = 0; i < 4; i++) {
    const before = x;
    x = x.replace(LEADING_NOISE, '').replace(TRAILING_NOISE, '').trim();
    if (x === before) break;
  }
  return x;
}

export function isGenericName(x: string): boolean {
  if (GENERIC.includes(x) || GENERIC.includes(x.toLowerCase())) return true;
  return GENERIC_PATTERNS.some((re) => re.test(x));
}

function acceptable(x: string, allowAllHiragana: boolean): boolean {
  if (x.length < 2 || x.length > 24) return false;
  if (!allowAllHiragana && /^[ぁ-ゖー]+$/.test(x)) return false;
  if (/[。、!?]/.test(x)) return false;
  return !isGenericName(x);
}

/**
 * The words just before `end`, which may include hiragana ("すき家"), cut at the last
 * boundary, verb ending ("面接した") or particle after a non-hiragana character.
 */
function leftSegment(t: string, end: number): string {
  let s = t.slice(Math.max(0, end - 24), end);
  const boundary = Math.max(...[...'、。!?\n 「」()『』:,~/'].map((c) => s.lastIndexOf(c)));
  if (boundary >= 0) s = s.slice(boundary + 1);
  let cut = -1;
  for (const m of allMatches(
    /した|った|けた|いた|れた|きた|んだ|てる|ている|ていた|ます|です|ました|でした|のは|では|には|とは|から|まで|より|って|という|ている/,
    s,
  )) {
    cut = Math.max(cut, m.index + m[0].length);
  }
  if (cut >= 0) s = s.slice(cut);
  for (let i = s.length - 1; i > 0; i--) {
    const ch = s[i] ?? '';
    if ('はがをにでのともへや'.includes(ch) && !isHiragana(s[i - 1])) {
      s = s.slice(i + 1);
      break;
    }
  }
  return s;
}

const COMPANY_LEADING = new RegExp(`${COMPANY} ?${NAME_BODY}`);
const COMPANY_TRAILING = new RegExp(`${NAME_RUN}${COMPANY}`);

function companyName(t: string): string | undefined {
  const found = [COMPANY_LEADING.exec(t), COMPANY_TRAILING.exec(t)].filter((m) => m !== null);
  found.sort((a, b) => a.index - b.index);
  for (const m of found) {
    const x = clean(m[0]);
    const body = x.replace(new RegExp(COMPANY, 'g'), '').trim();
    if (body.length > 0 && !/^[〇○◯×△□]/.test(body) && !isGenericName(body)) return x;
  }
  return undefined;
}

function quotedName(t: string): string | undefined {
  const re =
    /[「『"“]([^「」『』"“”]{1,20})[」』"”](?=という|っていう|って|の(?:面接|バイト|アルバイト|パート|求人|採用|選考)|で(?:面接|働)|から|に応募|さん|様)/;
  const m = re.exec(t);
  if (m === null) return undefined;
  const x = clean(m[1] ?? '');
  return acceptable(x, true) ? x : undefined;
}

/** "店名は「ひだまり」です", "会社の名前はサクラ商事です". */
function statedName(t: string): string | undefined {
  const re =
    /(?:お店の名前|店の名前|会社の名前|企業の名前|店名|社名|会社名|企業名)(?:は|が|:) ?[「『"“]?([^「」『』"“”。、!?\s]{2,20}?)[」』"”]?(?:です|でした|だよ|だ|という|と|$|[。、!\s])/;
  const m = re.exec(t);
  if (m === null) return undefined;
  const x = clean(m[1] ?? '');
  // "お店の名前は伏せます", "会社名は言えません": a refusal, not a name.
  if (/(?:ます|ません|ない|たい)$|伏せ|秘密|内緒|ないしょ|非公開/u.test(x)) return undefined;
  return acceptable(x, true) ? x : undefined;
}

function calledName(t: string): string | undefined {
  const re =
    /(?:という|っていう|って|と言う)(?:お店|店|会社|ところ|所|企業|カフェ|レストラン|居酒屋|美容室|美容院|サロン|事務所|コンビニ|スーパー|チェーン|ショップ)(?![長員舗内頭主])/;
  for (const m of allMatches(re, t)) {
    const left = leftSegment(t, m.index);
    // "佐藤さんという店長さん": a person, not the shop.
    if (/(?:さん|様|さま|くん|ちゃん)$/u.test(left)) continue;
    const x = clean(left);
    if (acceptable(x, true)) return x;
  }
  return undefined;
}

const STORE_NAME = new RegExp(`${NAME_RUN}店(?![長員舗内頭主])`);

function storeName(t: string): string | undefined {
  for (const m of allMatches(STORE_NAME, t)) {
    const x = clean(m[0]);
    if (x.endsWith('店') && acceptable(x, false) && x.length >= 3) return x;
  }
  return undefined;
}

function interviewName(t: string): string | undefined {
  const re =
    /(?:の|で)(?:最終面接|一次面接|二次面接|面接|採用|選考|バイト|アルバイト|パート|求人)|に(?:応募|面接)|の(?:店長|人事|採用担当|担当者?|面接官)(?:の|から|さん|様|が|は)/;
  for (const m of allMatches(re, t)) {
    const x = clean(leftSegment(t, m.index));
    if (acceptable(x, false)) return x;
  }
  return undefined;
}

const CALLER_NAME = new RegExp(
  `(${NAME_RUN})(さん|様|さま)?から(?:の)?(?:お?電話|着信|連絡|不在着信|留守電|メール|sms|ショートメール)`,
  'i',
);

function callerName(t: string): string | undefined {
  for (const m of allMatches(CALLER_NAME, t)) {
    if (m[2] !== undefined) continue; // "田中さんから電話": a person, not the employer
    const x = clean(m[1] ?? '');
    if (acceptable(x, false)) return x;
  }
  return undefined;
}

export function findEmployerName(t: string): string | undefined {
  return (
    companyName(t) ?? statedName(t) ?? quotedName(t) ?? calledName(t) ?? storeName(t) ?? interviewName(t) ?? callerName(t)
  );
}

/** Phone shops and carriers are where the user's phone went, not the employer. */
const PHONE_SHOP =
  /(?:携帯|スマホ|ケータイ|ドコモ|docomo|au|ソフトバンク|softbank|ワイモバイル|楽天モバイル)(?:の)?(?:ショップ|修理店|修理屋|販売店|会社|電話会社|キャリア)|修理(?:店|屋)|通信会社|携帯会社/i;
const SHOP =
  /店|カフェ|喫茶|レストラン|居酒屋|コンビニ|(?<![ァ-ヺー])スーパー(?!バイザー)|美容室|美容院|サロン|飲食|ファミレス|ファストフード|ラーメン|焼肉|寿司|ベーカリー|パン屋|薬局|ドラッグストア|アパレル|(?<![ァ-ヺー])ショップ|ネイル|エステ|ホールスタッフ|キッチンスタッフ/;
const OFFICE = /株式会社|有限会社|合同会社|\(株\)|\(有\)|会社|事務所|オフィス|企業|法人|商事|本社|事務職/;

export function findEmployerKind(t: string, name: string | undefined): EmployerKind {
  if (name !== undefined) {
    if (name.endsWith('店')) return 'shop';
    if (OFFICE.test(name)) return 'office';
    if (SHOP.test(name)) return 'shop';
  }
  const masked = t.replace(new RegExp(PHONE_SHOP.source, 'gi'), (s) => '□'.repeat(s.length));
  const shop = SHOP.exec(masked);
  const office = OFFICE.exec(masked);
  if (shop === null && office === null) return undefined;
  if (office === null) return 'shop';
  if (shop === null) return 'office';
  return shop.index <= office.index ? 'shop' : 'office';
}
