import { detectCommand, detectStage, normalize, readSmallTalk, type SmallTalk, type StageWords } from '../../understanding/index.ts';
import type { ConversationEvent, StageName } from './events.ts';
import type { EditableField } from './profile.ts';
import { rememberInTurn } from '../turn-memo.ts';

/**
 * What a user's message or tap means, before the machine decides what to do with it. Taps carry
 * postback data (`action=…&…`); typed text is matched against commands and stage names. Anything
 * else is `other` and may be an answer to the question being asked.
 */
export type Intent =
  | { kind: 'help' }
  | { kind: 'restart' }
  | { kind: 'back' }
  | { kind: 'next' }
  | { kind: 'done' }
  | { kind: 'skip' }
  | { kind: 'stage'; stage: StageName; step?: string }
  | { kind: 'stopNotifications' }
  | { kind: 'resumeNotifications' }
  | { kind: 'deleteData' }
  | { kind: 'showProfile' }
  | { kind: 'edit'; field: string }
  | { kind: 'yes' }
  | { kind: 'no' }
  | { kind: 'answer'; question: string; value: string }
  | { kind: 'tick'; list: string; item: string }
  | { kind: 'remind'; reminder: string }
  | { kind: 'askHours' }
  | { kind: 'branch'; branch: string }
  | { kind: 'outcome'; outcome?: string }
  | { kind: 'thanksSent' }
  | { kind: 'letter' }
  | { kind: 'heard'; value: string }
  | { kind: 'inquiry' }
  | { kind: 'wait' }
  | { kind: 'recap'; value: string }
  | { kind: 'smallTalk'; talk: SmallTalk }
  | { kind: 'other'; text: string };

export type IntentKind = Intent['kind'];

const NEXT_WORDS = /^(次へ|次|つぎ|つぎへ|次に進む|進む|すすむ|続ける|つづける|続き|次のステップ)$/;
const DONE_WORDS = /^(完了|以上|おわり|終わり|終了|それだけ|以上です|もうない|ない|ありません)$/;

/**
 * What people call each detail Akari keeps, for "お名前を変更" typed instead of tapped. Only words
 * and verbs that name the record: "働き方を変えたい" or "会社を変えたい" answer the reflection's
 * "what would you change?", and must stay answers.
 */
const FIELD_WORDS: ReadonlyArray<readonly [EditableField, string]> = [
  ['userName', 'お?名前|氏名'],
  ['employerName', '応募先(?:の名前)?|会社名|お店の名前|店名'],
  ['contactPerson', '担当(?:の方|者|の人)?(?:の名前)?'],
  ['daysElapsed', '経過日数|日数'],
  ['callCount', '着信(?:の)?回数'],
  ['reasons', '出られなかった理由'],
  ['contactLeft', '(?:応募先からの)?伝言'],
  ['businessHours', '営業時間'],
  ['jobKind', '雇用形態'],
  ['strengths', '(?:あなたの|自分の|私の)?強み'],
];
const EDIT_REQUEST = new RegExp(
  `^(?:${FIELD_WORDS.map(([, w]) => `(${w})`).join('|')})(?:を|の|は)?(?:変更|直し|直す|修正|訂正|書き直|入れ直|編集)(?:したい|して(?:ください|ほしい)?|する|します|たい|て(?:ください|ほしい)?)?(?:です)?$`,
);

function editRequest(core: string): EditableField | undefined {
  const m = EDIT_REQUEST.exec(core);
  if (!m) return undefined;
  const index = m.slice(1).findIndex((g) => g !== undefined);
  return FIELD_WORDS[index]?.[0];
}

/** What a text message asks for; the same answer for the same text within a turn. */
export function textIntent(raw: string, stageWords: StageWords = []): Intent {
  return rememberInTurn(`intent\u0000${stageWords.length}\u0000${raw}`, () => readTextIntent(raw, stageWords));
}

function readTextIntent(raw: string, stageWords: StageWords): Intent {
  const core = normalize(raw).replace(/[。！!？?\s]+$/u, '');
  if (NEXT_WORDS.test(core)) return { kind: 'next' };
  if (DONE_WORDS.test(core)) return { kind: 'done' };
  // "こんにちは", "ありがとうございます！", "他のバイトも探したいです": answered in a word, not read as an answer.
  const talk = readSmallTalk(raw);
  if (talk) return { kind: 'smallTalk', talk };
  const command = detectCommand(raw);
  if (command) return { kind: command };
  const stage = detectStage(raw, stageWords);
  if (stage) return { kind: 'stage', stage };
  const field = editRequest(core);
  if (field) return { kind: 'edit', field };
  return { kind: 'other', text: raw };
}

export function postbackIntent(data: string): Intent {
  const p = new URLSearchParams(data);
  const v = p.get('v') ?? undefined;
  switch (p.get('action')) {
    case 'stage': {
      const stage = p.get('stage');
      // Which stages exist is the registry's business: an unknown one matches no stage and is unclear.
      if (stage && /^[A-Za-z]{1,40}$/.test(stage)) {
        const step = p.get('step');
        return { kind: 'stage', stage: stage as StageName, ...(step ? { step } : {}) };
      }
      break;
    }
    case 'help':
      return { kind: 'help' };
    case 'next':
      return { kind: 'next' };
    case 'done':
      return { kind: 'done' };
    case 'skip':
      return { kind: 'skip' };
    case 'profile':
      return { kind: 'showProfile' };
    case 'edit':
      return { kind: 'edit', field: p.get('field') ?? '' };
    case 'delete':
      return p.get('confirm') === 'yes' ? { kind: 'yes' } : { kind: 'no' };
    case 'check':
      return v === 'yes' ? { kind: 'yes' } : { kind: 'no' };
    case 'answer':
      if (p.get('q') && v !== undefined) return { kind: 'answer', question: p.get('q')!, value: v };
      break;
    case 'tick':
      return { kind: 'tick', list: p.get('list') ?? '', item: p.get('item') ?? '' };
    case 'remind':
      return { kind: 'remind', reminder: p.get('kind') ?? '' };
    case 'askHours':
      return { kind: 'askHours' };
    case 'branch':
      return { kind: 'branch', branch: v ?? '' };
    case 'outcome':
      return v ? { kind: 'outcome', outcome: v } : { kind: 'outcome' };
    case 'thanksSent':
      return { kind: 'thanksSent' };
    case 'letter':
      return { kind: 'letter' };
    case 'heard':
      return { kind: 'heard', value: v ?? '' };
    case 'inquiry':
      return { kind: 'inquiry' };
    case 'wait':
      return { kind: 'wait' };
    case 'recap':
      return { kind: 'recap', value: v ?? '' };
    case 'notifications':
      return v === 'on' ? { kind: 'resumeNotifications' } : { kind: 'stopNotifications' };
  }
  return { kind: 'other', text: '' };
}

/** What an event means; `stageWords`: the registered scenarios' names for their stages. */
export function intentOf(event: ConversationEvent, stageWords: StageWords = []): Intent | undefined {
  if (event.type === 'TEXT') return textIntent(event.text, stageWords);
  if (event.type === 'POSTBACK') return postbackIntent(event.data);
  return undefined;
}
