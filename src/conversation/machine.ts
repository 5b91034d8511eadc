import { and, assign, emit, setup } from 'xstate';
import type { Content } from '../flows/load-flows.ts';
import { fillPlaceholders } from '../flows/load-flows.ts';
import { buildTextMessages } from '../messages/build-text.ts';
import type { LineMessage } from '../messages/types.ts';
import { STAGES, type ConversationEvent, type Effect, type StageName } from './events.ts';

/**
 * Bump when a persisted snapshot of the previous machine can no longer be restored (states renamed,
 * context reshaped). Users on an older version restart their current stage politely.
 */
export const MACHINE_VERSION = 1;

export interface Profile {
  userName?: string;
  employerName?: string;
  daysElapsed?: number;
}

export interface ConversationContext {
  profile: Profile;
  notifications: boolean;
  confirmingDelete: boolean;
  resumeStage?: StageName;
}

export interface ConversationInput {
  /** Restart in this stage (after a machine upgrade) instead of the beginning. */
  resumeStage?: StageName;
  profile?: Profile;
  notifications?: boolean;
}

export const CONTENT_REQUIREMENTS = {
  texts: [
    'greeting',
    'help',
    'nonText',
    'reprompt',
    'versionReset',
    'restarted',
    'deleteConfirm',
    'deleted',
    'deleteCancelled',
    'notificationsOff',
    'notificationsOn',
    ...STAGES.map((s) => `stage.${s}`),
  ],
  quickReplies: ['stageNext', 'deleteConfirm'],
  placeholders: ['userName', 'employerName', 'days'],
} as const;

const NEXT_STAGE: Record<StageName, StageName | undefined> = {
  situation: 'preparation',
  preparation: 'call',
  call: 'followUp',
  followUp: 'lessons',
  lessons: undefined,
};
const PREVIOUS_STAGE: Record<StageName, StageName | undefined> = {
  situation: undefined,
  preparation: 'situation',
  call: 'preparation',
  followUp: 'call',
  lessons: 'followUp',
};

const STAGE_WORDS: Record<string, StageName> = {
  状況整理: 'situation',
  電話の準備: 'preparation',
  準備: 'preparation',
  電話する: 'call',
  電話: 'call',
  フォローアップ: 'followUp',
  教訓: 'lessons',
};

type Intent =
  | { kind: 'help' }
  | { kind: 'restart' }
  | { kind: 'back' }
  | { kind: 'next' }
  | { kind: 'stage'; stage: StageName }
  | { kind: 'stopNotifications' }
  | { kind: 'resumeNotifications' }
  | { kind: 'deleteData' }
  | { kind: 'yes' }
  | { kind: 'no' }
  | { kind: 'other'; text: string };

function textIntent(raw: string): Intent {
  const text = raw.normalize('NFKC').trim().replace(/[。！!？?]+$/u, '');
  if (/^(ヘルプ|使い方|help)$/i.test(text)) return { kind: 'help' };
  if (/^(最初から|リセット)$/.test(text)) return { kind: 'restart' };
  if (/^(戻る|もどる)$/.test(text)) return { kind: 'back' };
  if (/^(次へ|つぎへ|次)$/.test(text)) return { kind: 'next' };
  if (/^通知(を)?(停止|オフ|止めて)/.test(text)) return { kind: 'stopNotifications' };
  if (/^通知(を)?(再開|オン)/.test(text)) return { kind: 'resumeNotifications' };
  if (/^データ(を)?(削除|消して)/.test(text)) return { kind: 'deleteData' };
  if (/^(はい|削除する)$/.test(text)) return { kind: 'yes' };
  if (/^(いいえ|やめる|キャンセル)$/.test(text)) return { kind: 'no' };
  const stage = STAGE_WORDS[text];
  if (stage) return { kind: 'stage', stage };
  return { kind: 'other', text: raw };
}

function postbackIntent(data: string): Intent {
  const params = new URLSearchParams(data);
  const action = params.get('action');
  const stage = params.get('stage');
  if (action === 'stage' && stage && (STAGES as readonly string[]).includes(stage)) return { kind: 'stage', stage: stage as StageName };
  if (action === 'help') return { kind: 'help' };
  if (action === 'next') return { kind: 'next' };
  if (action === 'delete' && params.get('confirm') === 'yes') return { kind: 'yes' };
  if (action === 'delete' && params.get('confirm') === 'no') return { kind: 'no' };
  return { kind: 'other', text: '' };
}

function intentOf(event: ConversationEvent): Intent | undefined {
  if (event.type === 'TEXT') return textIntent(event.text);
  if (event.type === 'POSTBACK') return postbackIntent(event.data);
  return undefined;
}

const intentGuard = (kind: Intent['kind']) => ({ type: 'intentIs' as const, params: { kind } });

export function createConversationMachine(content: Content) {
  const placeholders = (profile: Profile): Record<string, string> => ({
    userName: profile.userName ?? '〇〇',
    employerName: profile.employerName ?? '〇〇株式会社',
    days: profile.daysElapsed !== undefined ? String(profile.daysElapsed) : '〇',
  });
  const say = (key: string, profile: Profile, quickReplyKey?: string): LineMessage[] => {
    const parts = content.texts[key] ?? [];
    const qr = quickReplyKey ? content.quickReplies[quickReplyKey] : undefined;
    return parts.flatMap((part, i) =>
      buildTextMessages(fillPlaceholders(part, placeholders(profile)), i === parts.length - 1 ? qr : undefined),
    );
  };
  const reply = (messages: LineMessage[]): Effect => ({ type: 'reply', messages });

  const stageState = (stage: StageName) => {
    const next = NEXT_STAGE[stage];
    const previous = PREVIOUS_STAGE[stage];
    const moves = [
      ...(next ? [{ guard: intentGuard('next'), target: next }] : []),
      ...(previous ? [{ guard: intentGuard('back'), target: previous }] : []),
    ];
    return {
      entry: [{ type: 'openStage' as const, params: { stage } }],
      on: { TEXT: moves, POSTBACK: moves },
    };
  };

  // Commands that work anywhere, in priority order. Stage states only claim next/back.
  const commands = [
    {
      guard: and(['confirmingDelete', intentGuard('yes')]),
      target: '.new',
      actions: ['deleteEverything', 'resetContext', { type: 'say' as const, params: { key: 'deleted' } }],
    },
    {
      guard: 'confirmingDelete' as const,
      actions: [{ type: 'setConfirmingDelete' as const, params: { value: false } }, { type: 'say' as const, params: { key: 'deleteCancelled' } }],
    },
    { guard: intentGuard('help'), actions: [{ type: 'say' as const, params: { key: 'help' } }] },
    {
      guard: intentGuard('restart'),
      target: '.situation',
      reenter: true,
      actions: ['cancelAllTimers', 'resetProfile', { type: 'say' as const, params: { key: 'restarted' } }],
    },
    ...STAGES.map((stage) => ({
      guard: { type: 'intentIsStage' as const, params: { stage } },
      target: `.${stage}`,
      reenter: true,
    })),
    {
      guard: intentGuard('stopNotifications'),
      actions: ['cancelAllTimers', { type: 'setNotifications' as const, params: { value: false } }, { type: 'say' as const, params: { key: 'notificationsOff' } }],
    },
    {
      guard: intentGuard('resumeNotifications'),
      actions: [{ type: 'setNotifications' as const, params: { value: true } }, { type: 'say' as const, params: { key: 'notificationsOn' } }],
    },
    {
      guard: intentGuard('deleteData'),
      actions: [{ type: 'setConfirmingDelete' as const, params: { value: true } }, { type: 'say' as const, params: { key: 'deleteConfirm', quickReplies: 'deleteConfirm' } }],
    },
    { actions: [{ type: 'say' as const, params: { key: 'reprompt', quickReplies: 'stageNext' } }] },
  ] as const;

  return setup({
    types: {
      context: {} as ConversationContext,
      events: {} as ConversationEvent,
      input: {} as ConversationInput,
      emitted: {} as Effect,
    },
    actions: {
      openStage: emit(({ context }, params: { stage: StageName }) =>
        reply(say(`stage.${params.stage}`, context.profile, NEXT_STAGE[params.stage] ? 'stageNext' : undefined)),
      ),
      say: emit(({ context }, params: { key: string; quickReplies?: string }) => reply(say(params.key, context.profile, params.quickReplies))),
      deleteEverything: emit((): Effect => ({ type: 'deleteUserData' })),
      cancelAllTimers: emit((): Effect => ({ type: 'cancel', kinds: 'all' })),
      setConfirmingDelete: assign({ confirmingDelete: (_, params: { value: boolean }) => params.value }),
      setNotifications: assign({ notifications: (_, params: { value: boolean }) => params.value }),
      resetProfile: assign({ profile: () => ({}) }),
      resetContext: assign(() => ({ profile: {}, notifications: true, confirmingDelete: false })),
    },
    guards: {
      intentIs: ({ event }, params: { kind: Intent['kind'] }) => intentOf(event)?.kind === params.kind,
      intentIsStage: ({ event }, params: { stage: StageName }) => {
        const intent = intentOf(event);
        return intent?.kind === 'stage' && intent.stage === params.stage;
      },
      confirmingDelete: ({ context }) => context.confirmingDelete,
      resumeAt: ({ context }, params: { stage: StageName }) => context.resumeStage === params.stage,
    },
  }).createMachine({
    id: 'akari',
    context: ({ input }) => ({
      profile: input.profile ?? {},
      notifications: input.notifications ?? true,
      confirmingDelete: false,
      ...(input.resumeStage ? { resumeStage: input.resumeStage } : {}),
    }),
    initial: 'new',
    on: {
      UNFOLLOW: { target: '.gone', actions: ['cancelAllTimers', 'deleteEverything'] },
      FOLLOW: { target: '.situation', reenter: true, actions: [{ type: 'say', params: { key: 'greeting' } }] },
      NON_TEXT: { actions: [{ type: 'say', params: { key: 'nonText' } }] },
      TEXT: commands,
      POSTBACK: commands,
    },
    states: {
      // Nobody has talked to Akari yet (or the data was deleted): the first message opens the conversation.
      new: {
        always: STAGES.map((stage) => ({
          guard: { type: 'resumeAt' as const, params: { stage } },
          target: stage,
          actions: [{ type: 'say' as const, params: { key: 'versionReset' } }, assign({ resumeStage: undefined })],
        })),
        on: {
          TEXT: { guard: intentGuard('other'), target: 'situation', actions: [{ type: 'say', params: { key: 'greeting' } }] },
          POSTBACK: { guard: intentGuard('other'), target: 'situation', actions: [{ type: 'say', params: { key: 'greeting' } }] },
        },
      },
      situation: stageState('situation'),
      preparation: stageState('preparation'),
      call: stageState('call'),
      followUp: stageState('followUp'),
      lessons: stageState('lessons'),
      // Unfollowed: everything was deleted; a new follow starts again.
      gone: {},
    },
  });
}

export type ConversationMachine = ReturnType<typeof createConversationMachine>;

/** The stage a snapshot is in (top-level state), or undefined before the conversation starts. */
export function stageOf(value: unknown): StageName | undefined {
  const top = typeof value === 'string' ? value : value && typeof value === 'object' ? Object.keys(value)[0] : undefined;
  return (STAGES as readonly string[]).includes(top ?? '') ? (top as StageName) : undefined;
}
