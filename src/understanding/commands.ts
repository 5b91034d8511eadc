/**
 * Commands and stage names. Both match short utterances only — the whole message is
 * (about) the command, allowing trailing punctuation and です/して/ください/お願いします —
 * so a long sentence that merely contains "戻る" or "電話" is not a command.
 * Exceptions: deleteData and stopNotifications also match short polite requests
 * ("データを削除してください", "通知を止めてほしいです").
 */
import type { Command, StageName } from './types.ts';
import { normalize } from './normalize.ts';
import { NO_WORDS, YES_WORDS } from './yes-no.ts';

const TRAILING = /[\s。、.,!?~…♪w笑]+$/;
const POLITE_SUFFIXES: readonly string[] = [
  'をお願いします', 'でお願いします', 'お願いします', 'おねがいします', 'お願い', 'をお願い',
  'してください', 'して下さい', 'してほしいです', 'してほしい', 'して欲しい', 'ください', '下さい',
  'ですか', 'です', 'でーす', 'して', 'したい', 'したいです', 'します', 'する', 'を', 'は', 'へ', 'に', 'で',
  'を確認したい', '確認したい', 'を確認', '確認', 'を見たい', '見たい', 'を見せて', '見せて', 'を教えて', '教えて',
];

/** The message reduced to its core, plus variants with polite endings taken off. */
function variants(text: string): string[] {
  const core = normalize(text).toLowerCase().replace(/\s+/g, ' ');
  const out = new Set<string>([core]);
  const stripped = core.replace(TRAILING, '');
  if (stripped.length > 0) out.add(stripped);
  let frontier = [stripped];
  for (let round = 0; round < 3; round++) {
    const next: string[] = [];
    for (const v of frontier) {
      for (const suffix of POLITE_SUFFIXES) {
        if (v.endsWith(suffix) && v.length > suffix.length) {
          const w = v.slice(0, -suffix.length).replace(TRAILING, '');
          if (w.length > 0 && !out.has(w)) {
            out.add(w);
            next.push(w);
          }
        }
      }
    }
    frontier = next;
  }
  return [...out];
}

const EXACT: ReadonlyArray<readonly [Command, readonly string[]]> = [
  ['stopNotifications', [
    '通知停止', '通知オフ', '通知off', '通知を止めて', '通知をとめて', '通知止めて', '配信停止', '通知を停止',
    '通知ストップ', '通知stop', '通知いらない', '通知不要', '配信を止めて', '通知を切って', '通知をオフ',
    '通知オフにして', 'お知らせ停止', 'リマインド停止',
  ]],
  ['resumeNotifications', [
    '通知再開', '通知オン', '通知on', '通知を再開', '配信再開', '通知をオン', '通知オンにして', '通知を戻して',
    '通知ほしい', '通知欲しい', '通知を入れて', 'お知らせ再開', 'リマインド再開',
  ]],
  ['deleteData', ['データ削除', 'データを消して', 'データ消して', '退会', '退会したい', '退会します', 'データを削除', '全データ削除']],
  ['showProfile', [
    '登録内容', '登録情報', 'プロフィール', '覚えていること', '覚えてること', '私の情報', '自分の情報',
    '登録内容を見せて', '登録内容の確認', '登録内容を確認', '登録情報を見せて', '登録情報を確認', 'プロフィールを見せて',
    'プロフィール確認', '覚えていることを教えて', '覚えてることを教えて', '何を覚えてる', '何を覚えてるの',
    '何を覚えていますか', 'profile',
  ]],
  ['help', ['ヘルプ', 'へるぷ', '使い方', '使いかた', 'つかいかた', 'help', '?', '??', '???', '使い方を教えて', '何ができる', '何ができるの', '何ができますか', 'メニュー', 'menu']],
  ['restart', ['最初から', 'はじめから', '初めから', 'リセット', 'やり直し', 'やりなおし', 'やり直す', 'やり直したい', 'やりなおしたい', '最初からやり直し', '最初からやり直す', '最初からやり直したい', 'はじめからやり直したい', 'もう一度最初から', 'restart', 'reset', 'リスタート', '最初に戻る', '最初に戻って']],
  ['back', ['戻る', 'もどる', '前へ', '前に戻る', '前に戻って', '一つ戻る', 'ひとつ戻る', '1つ戻る', '戻って', 'back', '前の質問', '前の質問に戻る', 'ひとつ前']],
  ['skip', ['スキップ', 'すきっぷ', 'skip', 'わからない', '分からない', 'わかんない', '分かんない', 'わかりません', '分かりません', '飛ばす', 'とばす', '飛ばして', 'パス', 'pass', '不明', '覚えてない', '覚えていない', '忘れた', '次へ']],
  ['no', NO_WORDS],
  ['yes', YES_WORDS],
];

/** Short polite requests to stop notifications or delete data (no negation, no "accidentally"). */
const STOP_REQUEST =
  /(?:(?<!非)通知|配信|お知らせ|リマインド)[^。?]{0,12}?(?:停止|止め|とめ|止まら|オフ|off|切っ|切る|切り|きっ|やめ|いらな|不要|ストップ|stop|解除)/;
const DELETE_REQUEST = /(?:データ|情報|個人情報|記録|登録|アカウント|会話)(?:を|は)?(?:全部|すべて|全て)?(?:削除|消し|消去|消せ|けし|抹消|破棄|消して)|退会|登録解除/;
const RESUME_REQUEST =
  /(?:(?<!非)通知|配信|お知らせ|リマインド)(?:を|は|が)?(?:また|もう一度|もう一回)?(?:再開|オン|on(?![a-z])|戻し|入れ|ほしい|欲しい|有効|復活)/;
const NEGATED_REQUEST =
  /切ってる|止めてる|オフにしてる|ほしいけど|ないで(?!す)|なくて|しません|めません|さない|しない|止めない|とめない|切らない|しまった|ちゃった|消えた|ないよう|どうやって|どうすれば|方法|どうなる|どうなり|たら|場合|[?？]/;

/** "データ削除はやめます", "退会キャンセル": about deleting, but calling it off. */
const DELETE_REFUSAL = /やめ|止め|キャンセル|取り?消し|とりけし|結構|いらな|要らな|待って|まって|また今度|中止|見送|大丈夫|不要/;

export function detectCommand(text: string): Command | undefined {
  const vs = variants(text);
  const core = vs[0] ?? '';
  if (core.length === 0) return undefined;
  // Polite requests first, since they may be longer than the short forms.
  if (core.length <= 30 && !NEGATED_REQUEST.test(core)) {
    if (STOP_REQUEST.test(core) && !/再開|オン|on(?![a-z])/.test(core)) return 'stopNotifications';
    if (DELETE_REQUEST.test(core) && !/履歴|着信/.test(core) && !DELETE_REFUSAL.test(core)) return 'deleteData';
    if (RESUME_REQUEST.test(core)) return 'resumeNotifications';
  }
  for (const [command, words] of EXACT) {
    // "はい？" or "ええ？!" is surprise or doubt, not an answer: no yes or no with a question mark.
    if ((command === 'yes' || command === 'no') && /[?？]/.test(text)) continue;
    // "ええ!" is surprise more often than assent.
    if (command === 'yes' && /^ええ[!！]/.test(normalize(text))) continue;
    if (vs.some((v) => words.includes(v))) return command;
  }
  // "はい、お願いします" / "いいえ、結構です": every part is the same answer (and no question mark).
  const parts = core.replace(TRAILING, '').split(/[\s、,。!]+/).filter((p) => p.length > 0);
  if (parts.length > 1 && !/[?？]/.test(text)) {
    const kinds = parts.map((p) => detectCommand(p));
    const first = kinds[0];
    if ((first === 'yes' || first === 'no') && kinds.every((k) => k === first)) return first;
  }
  return undefined;
}


const STAGE_SUFFIXES: readonly string[] = [
  'に進む', 'へ進む', 'に進みたい', 'へ進みたい', 'をしたい', 'がしたい', 'したい', 'をやりたい', 'を見たい',
  'をお願いします', 'お願いします', 'について', 'の話', 'から', 'をする', 'へ', 'に', 'を', 'で',
];

/** Each stage's names, as a scenario lists them (see ScenarioDefinition.stageWords). */
export type StageWords = ReadonlyArray<readonly [StageName, readonly string[]]>;

/** The stage a short message names ("電話の準備", "教訓へ進みたい"), from the scenarios' own words. */
export function detectStage(text: string, table: StageWords): StageName | undefined {
  let core = normalize(text).toLowerCase().replace(TRAILING, '');
  core = core.replace(/^(?:[0-9]{1,2}|[a-e])(?:[.)、:]\s?|\s)/, '').replace(/^[【\[(「]|[】\])」]$/g, '').trim();
  if (core.length === 0 || core.length > 14) return undefined;
  const candidates = new Set<string>([core]);
  for (const suffix of STAGE_SUFFIXES) {
    if (core.endsWith(suffix) && core.length > suffix.length) candidates.add(core.slice(0, -suffix.length));
  }
  for (const [stage, words] of table) {
    if ([...candidates].some((c) => words.includes(c))) return stage;
  }
  return undefined;
}
