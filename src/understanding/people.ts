/**
 * People: the employer's contact person ("担当の田中さん" → 田中) and the user's own name
 * when they give it ("山田花子です", "名前は山田です", "山田と申します").
 */
import { allMatches } from './normalize.ts';

const KANJI = '\\u4E00-\\u9FFF々';
const KATAKANA = '\\u30A1-\\u30FA\\u30FC';

/** Titles and roles that may stand before or after a surname: "採用担当佐藤さん", "佐藤店長". */
const TITLES: readonly string[] = Object.freeze([
  '採用担当者', '採用担当', '人事担当者', '人事担当', '人事部長', '人事部', '人事課', '人事', '担当者', '担当',
  '面接担当', '面接官', '副店長', '店長', '社長', '部長', '課長', '係長', '主任', 'マネージャー', 'マネジャー',
  'オーナー', '責任者', '採用', '総務', '本部', 'エリアマネージャー', 'チーフ', 'リーダー', '先方',
]);

/** Words before さん/様 that are not a person's name. */
const NOT_A_NAME: readonly string[] = Object.freeze([
  '客', '皆', '奥', '先方', '相手', '店員', '大家', '業者', '先生', '親御', '母', '父', '兄', '姉', '弟', '妹',
  '嫁', '旦那', '彼氏', '彼女', '友達', '友人', '上司', '先輩', '後輩', '同僚', '家族', '自分', '私', '俺', '僕',
  '職員', '会社', '店', '方', '社員', '受付', '面接', '事務', '人', '誰', '皆様', '神', '仏', '王', '殿',
  'パート', 'バイト', 'アルバイト', 'スタッフ', 'ショップ', 'ドライバー', 'メンバー', 'ママ', 'パパ',
  'お客', 'ユーザー', 'クライアント', 'ナース', 'トレーナー', 'コールセンター', 'センター', '派遣',
  '非通知', '番号', '携帯', 'お店', '会社側', 'お店側',
]);

const NOT_A_NAME_ENDING = /(?:会社|店|部|課|係|屋|室|所|社|局|院|省|庁|府|県|市|区|町|村|者|員|長|客|側|様)$/;
const TIME_WORDS = /^(?:昨日|今日|本日|先日|先週|一昨日|先ほど|先程|今朝|明日)/;

function stripTitles(raw: string): string {
  let x = raw;
  for (let i = 0; i < 4; i++) {
    const before = x;
    x = x.replace(TIME_WORDS, '');
    for (const t of TITLES) {
      if (x.startsWith(t)) x = x.slice(t.length);
      if (x.endsWith(t)) x = x.slice(0, -t.length);
    }
    if (x === before) break;
  }
  return x;
}

function plausibleSurname(x: string): boolean {
  if (x.length === 0 || x.length > 6) return false;
  if (NOT_A_NAME.includes(x)) return false;
  if (NOT_A_NAME_ENDING.test(x)) return false;
  return SURNAME_SHAPE.test(x);
}

const SURNAME_SHAPE = new RegExp(`^(?:[${KANJI}]{1,5}|[${KATAKANA}]{2,8})$`);
const PERSON = `([${KANJI}${KATAKANA}]{1,12})`;
const CONTACT_PERSON_PATTERNS = [
  new RegExp(`${PERSON}(?:さん|様|さま|氏)`),
  new RegExp(`(?:担当|担当者|人事|面接官|店長|社長|オーナー|責任者)(?:の|は|が)?${PERSON}(?:という|と名乗|って(?:人|方|いう))`),
];

export function findContactPerson(t: string): string | undefined {
  const found: Array<[string, number]> = [];
  for (const re of CONTACT_PERSON_PATTERNS) {
    for (const m of allMatches(re, t)) {
      const x = stripTitles(m[1] ?? '');
      if (plausibleSurname(x)) found.push([x, m.index]);
    }
  }
  found.sort((a, b) => a[1] - b[1]);
  return found[0]?.[0];
}

/**
 * Common surnames. A bare "〇〇です" is only taken as the user's name when it starts with one
 * of these (so "心配です" is not a name); explicit phrasings need no list.
 */
const SURNAMES: readonly string[] = Object.freeze([
  '佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '渡邊', '渡邉', '山本', '中村', '小林', '加藤', '吉田', '山田',
  '佐々木', '山口', '松本', '井上', '木村', '林', '斎藤', '斉藤', '清水', '山崎', '森', '池田', '橋本', '阿部',
  '石川', '山下', '中島', '石井', '小川', '前田', '岡田', '長谷川', '藤田', '後藤', '近藤', '村上', '遠藤',
  '青木', '坂本', '福田', '太田', '西村', '藤井', '金子', '岡本', '藤原', '中野', '三浦', '原田', '中川',
  '松田', '竹内', '小野', '田村', '中山', '和田', '石田', '森田', '上田', '原', '柴田', '酒井', '工藤',
  '横山', '宮崎', '宮本', '内田', '高木', '安藤', '島田', '谷口', '大野', '高田', '丸山', '今井', '河野',
  '藤本', '村田', '武田', '上野', '杉山', '増田', '小山', '大塚', '平野', '菅原', '久保', '松井', '千葉',
  '岩崎', '桜井', '木下', '野口', '松尾', '菊地', '菊池', '野村', '新井', '渡部', '佐野', '杉本', '古川',
  '大西', '市川', '北村', '吉川', '五十嵐', '小島', '水野', '桑原', '西田', '荒木', '東', '望月', '堀',
  '川口', '辻', '関', '永井', '岩田', '松下', '山内', '本田', '中西', '服部', '秋山', '樋口', '大橋',
]);

function startsWithSurname(x: string): boolean {
  const compact = x.replace(/ /g, '');
  return SURNAMES.some(
    (s) => compact === s || (compact.startsWith(s) && compact.length >= s.length + 2),
  );
}

const GREETING =
  '(?:(?:こんにちは|こんばんは|おはようございます|はじめまして|初めまして|お世話になっております|お世話になります|すみません|失礼します)[、。!\\s]*)*';
const SELF = '(?:私は|わたしは|僕は|ぼくは|俺は|自分は|私、|わたし、)';

const KANJI_NAME = `[${KANJI}]{1,6}(?: [${KANJI}]{1,4})?`;
const KATA_NAME = `[${KATAKANA}]{2,10}(?: [${KATAKANA}]{2,10})?`;
const KANA_NAME = '[ぁ-ゖ]{2,8}';
const ANY_NAME = `(${KANJI_NAME}|${KATA_NAME}|${KANA_NAME})`;
/** Explicit: 名前は山田です / 氏名: 山田花子 — the user's own name, not "会社の名前は…". */
const NAME_OWNER = '(?:^|[、。!?\\s]|私の|わたしの|僕の|自分の|俺の)(?:名前|なまえ|氏名)(?:は|:) ?';
const NAMED = new RegExp(`${NAME_OWNER}(${KANJI_NAME}|${KATA_NAME})(?:です|だ|と申|といい|と言い|$|[。、!\\s])`);
const NAMED_KANA = new RegExp(`${NAME_OWNER}(${KANA_NAME})(?:です|と申|といい|と言い)`);
/** Explicit: 山田と申します / 山田といいます (at the start of a clause). */
const SAID_NAME = new RegExp(
  `(?:${SELF}|^|[、。!?\\s])${ANY_NAME}(?:と申します|ともうします|と申す者|といいます|と言います|って言います|っていいます)`,
);
/** "山田花子です" at the start (after a greeting), or "私は山田です": needs a known surname. */
const PLAIN_NAME = new RegExp(`(?:^${GREETING}${SELF}?|${SELF})(${KANJI_NAME}|${KATA_NAME})です(?:[。、!\\s]|$)`);

export function findUserName(t: string): string | undefined {
  const ok = (x: string): boolean => {
    const compact = x.replace(/ /g, '');
    return compact.length >= 1 && !NOT_A_NAME.includes(compact) && !NOT_A_NAME_ENDING.test(compact);
  };
  const named = NAMED.exec(t) ?? NAMED_KANA.exec(t);
  if (named?.[1] !== undefined && ok(named[1])) return named[1];
  const said = SAID_NAME.exec(t);
  if (said?.[1] !== undefined && ok(said[1])) return said[1];
  const plain = PLAIN_NAME.exec(t);
  if (plain?.[1] !== undefined && ok(plain[1]) && startsWithSurname(plain[1])) return plain[1];
  return undefined;
}
