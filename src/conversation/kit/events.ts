// Events the conversation machine understands. `at` is the event's time (ms epoch): the machine has
// no clock of its own, so time arrives with the events.
/** A top-level state of a scenario (see scenarios/registry.ts). */
export type StageName = string;

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
