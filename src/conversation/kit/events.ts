// Events the conversation machine understands. `at` is the event's time (ms epoch): the machine has
// no clock of its own, so time arrives with the events.
export type StageName = 'situation' | 'preparation' | 'call' | 'followUp' | 'lessons';
export const STAGES: readonly StageName[] = ['situation', 'preparation', 'call', 'followUp', 'lessons'];

export type NonTextKind = 'sticker' | 'image' | 'video' | 'audio' | 'location' | 'file' | 'other';

export interface TimerInfo {
  id: string;
  kind: string;
  dueAt: number;
  payload: unknown;
}

export type ConversationEvent =
  | { type: 'FOLLOW'; at: number }
  | { type: 'UNFOLLOW'; at: number }
  | { type: 'TEXT'; text: string; at: number }
  | { type: 'POSTBACK'; data: string; at: number }
  | { type: 'NON_TEXT'; kind: NonTextKind; at: number }
  | { type: 'TIMER'; timer: TimerInfo; at: number };

export type Effect =
  | { type: 'reply'; messages: unknown[] }
  | { type: 'schedule'; kind: string; dueAt: number; payload?: unknown }
  | { type: 'cancel'; kinds: string[] | 'all' }
  | { type: 'deleteUserData' };
