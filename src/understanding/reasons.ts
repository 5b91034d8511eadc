/** Why the call was missed, whether the user asks if it is too late, and the kind of job. */
import type { JobKind, MissReason } from './types.ts';
import { allMatches } from './normalize.ts';

const REASON_PATTERNS: ReadonlyArray<readonly [MissReason, RegExp]> = [
  [
    'hiddenNumber',
    /非通知|番号非表示|非表示の番号|通知不可|知らない(?:電話)?番号|知らん番号|見知らぬ番号|見覚えの?ない番号|登録(?:されて|して)?(?:い)?ない番号|知らない電話/,
  ],
  [
    'phoneRepair',
    /修理|(?:代わり|替わり|変わり|かわり)の(?:携帯|スマホ|電話|端末|機種|ケータイ|ケイタイ)|代替機|代替え機|代用機|代機|故障|壊れ|こわれ|水没|画面(?:が)?割れ|機種変/,
  ],
  [
    'didNotNotice',
    /気(?:づ|付)かな|気(?:づ|付)きませ|気が(?:つ|付)かな|気が(?:つ|付)きませ|気(?:づ|付)けな|気(?:づ|付)くのが遅|マナーモード|サイレント|見てなかった|見ていなかった|見てない|見ていない|見てませんでした|見ていませんでした|見逃|音を?(?:消|切)|消音|バイブ|おやすみモード|集中モード|ミュート|鳴ら(?:な|ず)|鳴ってな|寝て(?:い|た|て|しま)|寝過ご|眠って|爆睡/,
  ],
  [
    'other',
    /仕事中|勤務中|バイト中|授業中|運転中|会議中|移動中|電車の中|電池(?:が)?切れ|充電(?:が)?切れ|バッテリー(?:が)?切れ|圏外|電波(?:が)?(?:悪|な|届)|紛失|(?:な|失|無)くし(?:て|た)|落とし(?:て|た)|入院|体調/,
  ],
];

/** Reasons in the order the text gives them, each once. */
export function findReasons(t: string): MissReason[] {
  const found: Array<[MissReason, number]> = [];
  for (const [reason, re] of REASON_PATTERNS) {
    const m = re.exec(t);
    if (m !== null) found.push([reason, m.index]);
  }
  return found.sort((a, b) => a[1] - b[1]).map(([r]) => r);
}

const TOO_LATE = new RegExp(
  [
    'もう遅い', '遅いですか', '遅いかな', '遅いでしょうか', '遅すぎ', '遅くない', '手遅れ',
    '今更', '今さら', 'いまさら',
    '(?:連絡|電話|折り返し|折り返|かけ|掛け|メール)(?:して|し|て)?も(?:いい|良い|よい|大丈夫|問題(?:ない|ありません)|平気|構わない|かまわない|ok)',
    '(?:連絡|電話|折り返し|かけ)(?:して|し)?(?:は)?(?:いけない|だめ|ダメ|まずい)',
    '(?:しない|かけない|やめた|やめておいた|やめといた|控えた|諦めた|あきらめた)(?:方|ほう)が(?:いい|良い|よい|無難)',
    '迷惑(?:じゃ|では|になら|かな|ですか|でしょうか|だと|に思わ)',
    '間に合(?:う|い|わ)',
    '失礼(?:じゃ|では|にあた|かな|ですか|でしょうか|に思わ|になら)',
    '諦め|あきらめ',
    'もう[^。!?]{0,6}?(?:無理|ダメ|だめ)',
    '(?:連絡|電話)(?:す|し)?べき(?:か|でしょう|ですか|なの)',
  ].join('|'),
);

export function asksTooLate(t: string): boolean {
  return TOO_LATE.test(t.toLowerCase());
}

const JOB_PATTERNS: ReadonlyArray<readonly [JobKind, RegExp]> = [
  ['partTime', /アルバイト|(?<![ァ-ヺー])バイト|(?<![ァ-ヺー])パート(?!ナ)/],
  ['fullTime', /正社員|正規雇用|新卒|中途|転職|就活|就職活動|本採用/],
  ['other', /派遣|契約社員|業務委託|インターン|嘱託/],
];

const APPLY_WORDS = /面接|応募|求人|採用|選考/;

/**
 * The kind of job. A keyword next to 面接/応募/求人 ("面接したバイト先", "正社員の面接")
 * wins; otherwise the first keyword in the text.
 */
export function findJobKind(t: string): JobKind | undefined {
  const applyAt = allMatches(APPLY_WORDS, t).map((m) => [m.index, m.index + m[0].length] as const);
  let first: [JobKind, number] | undefined;
  let near: [JobKind, number] | undefined;
  for (const [kind, re] of JOB_PATTERNS) {
    for (const m of allMatches(re, t)) {
      const start = m.index;
      const end = start + m[0].length;
      if (first === undefined || start < first[1]) first = [kind, start];
      const isNear = applyAt.some(([s, e]) => Math.abs(s - end) <= 6 || Math.abs(start - e) <= 6);
      if (isNear && (near === undefined || start < near[1])) near = [kind, start];
    }
  }
  return (near ?? first)?.[0];
}
