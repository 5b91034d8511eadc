import type { StageName } from './events.ts';
import type { EditableField, Profile } from './profile.ts';

/**
 * A result read from typed words, waiting for the user to say it is right before anything is done
 * with it ("不採用でした" → "「不採用だった」で合っていますか？"). `reading`: the scenario's reader that
 * found it; `qr`: the options to offer again if it isn't right.
 */
export interface TypedCheck {
  reading: string;
  value: string;
  qr: string;
}

/**
 * What the conversation remembers. The kit's own fields (profile, the question being asked, the
 * exchanges at the root) and a few that scenarios set through the kit's `set` action (`outcome`,
 * `thanksSent`, `heardBack`, `recap`, `ticks` of their checklists). Persisted as is: renaming a field
 * means a new MACHINE_VERSION.
 */
export interface ConversationContext {
  profile: Profile;
  notifications: boolean;
  confirmingDelete: boolean;
  /** 「最初から」 said with something told: waiting for a yes before erasing it. */
  confirmingRestart?: boolean;
  resumeStage?: StageName;
  /** The question being asked, if any. */
  question?: string;
  skipped: string[];
  /** Consecutive replies Akari could not read; after two, it moves on instead of asking again. */
  unclear: number;
  editing?: EditableField;
  checking?: TypedCheck;
  /** Ticked items of each checklist the scenarios use. */
  ticks: Record<string, string[]>;
  outcome?: string;
  thanksSent: boolean;
  heardBack: boolean;
  recap: boolean;
  /** The scenario the user is in, once one was chosen (absent: the first registered one). */
  scenario?: string;
  /** Small facts a scenario keeps about its own course (flags and numbers), by name. */
  notes?: Record<string, string | number | boolean>;
  /** When the actor was created (ms epoch): the time for what it says on start-up. */
  createdAt: number;
}

export interface ConversationInput {
  /** The time of the event that creates the actor. */
  at?: number;
  /** Restart in this stage (after a machine upgrade) instead of the beginning. */
  resumeStage?: StageName;
  profile?: Profile;
  notifications?: boolean;
  scenario?: string;
}
