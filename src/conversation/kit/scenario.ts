import type { Content } from '../../flows/load-flows.ts';
import type { StageWords } from '../../understanding/index.ts';
import type { BusinessCalendar } from '../../time/business-calendar.ts';
import type { CallWindows } from '../../time/call-windows.ts';
import type { ConversationContext } from './context.ts';
import type { ConversationEvent, StageName } from './events.ts';
import type { Intent } from './intents.ts';
import type { Profile } from './profile.ts';
import type { Interpretation } from './questions.ts';
import type { Renderer } from './render.ts';

export interface MachineDeps {
  content: Content;
  calendar: BusinessCalendar;
  callWindows: CallWindows;
}

/** What a scenario's hooks are given: the machine's dependencies and the renderer over flows/. */
export interface KitTools {
  deps: MachineDeps;
  r: Renderer;
  /** What an event means (with every scenario's stage names). */
  intentOf(e: ConversationEvent): Intent | undefined;
}

type Ev = ConversationEvent;
type Ctx = ConversationContext;

/**
 * One kind of scheduled push, in one row: when it falls due, whether it still makes sense when it
 * fires (the machine decides: the employer already called → nothing is sent), and what it says.
 */
export interface TimerSpec {
  /** When it falls due, and until when it is still worth sending (ms epoch). */
  due(c: Ctx, e: Ev, at: number): { dueAt: number; expiresAt: number };
  relevant(c: Ctx): boolean;
  /** The push itself (LINE messages). */
  message(c: Ctx, at: number): unknown[];
  /** Timers to plan when this one has been sent (a check-in plans the inquiry offer). */
  then?: readonly string[];
}

/** A typed result the root checks with the user before acting on it (see TypedCheck). */
export interface CheckedReading {
  /** Whether `again` (the same reader on the reply) says the same result as `value`. */
  sameResult?(value: string, again: string | undefined, text: string): boolean;
}

/**
 * The behaviour a scenario plugs into the kit's closed set of actions and guards, by name: the
 * stage configs say `{ type: 'compose', params: { name: 'assessment' } }`, the kit looks it up here.
 */
export interface ScenarioHooks {
  /** Replies computed from what is known (an assessment, the time to call): LINE messages. */
  composers?: Record<string, (c: Ctx, e: Ev, at: number) => unknown[]>;
  /** Context changes computed from the message (strengths added, hours saved). */
  updates?: Record<string, (c: Ctx, e: Ev, at: number) => Partial<Ctx>>;
  /** Conditions on the context and the message ("knows enough for the assessment"). */
  conditions?: Record<string, (c: Ctx, e: Ev) => boolean>;
  /** Typed-answer readers: text → the option it picks, or undefined. */
  readers?: Record<string, (text: string) => string | undefined>;
  /** The timer table: kind → due time, relevance, message. */
  timers?: Record<string, TimerSpec>;
  /**
   * Readers that report a result: the root checks some with the user before acting ("「不採用だった」
   * で合っていますか？"), and a denial that names one ("いや、不在でした") is read afresh.
   */
  checked?: Record<string, CheckedReading>;
  /** Questions of its own, beside the kit's (asked with setQuestion / setNextQuestion like them). */
  questions?: Record<string, QuestionSpec>;
  /** Facts read from any message the conversation absorbs (the first one, a switch), into profile.facts. */
  readFacts?: Record<string, (text: string, now: Date) => number | string | undefined>;
  /** Placeholders its texts use, computed from the profile (its facts). */
  placeholders?: Record<string, (p: Profile, now: Date) => string>;
}

/** A question a scenario asks: its text and options, whether it is answered, how an answer is read. */
export interface QuestionSpec {
  text: string;
  qr?: string;
  isAnswered(p: Profile): boolean;
  interpret(intent: Intent, p: Profile, now: Date): Interpretation;
}

/** A transition list as the machine config takes it (typed by the stage files' createStateConfig). */
export type Transitions = readonly unknown[];

/**
 * One situation Akari knows, in its own folder: its stages (top-level states, each in a file), its
 * timers, its words, its content keys. Registered in scenarios/registry.ts.
 */
export interface ScenarioDefinition<K = unknown> {
  id: string;
  /** Its top-level states in conversation order; the first is where it starts. */
  stages: readonly StageName[];
  /** Stages that have a shortcut (and a highlighted rich menu). */
  richMenuStages?: readonly StageName[];
  /** Checklists whose ticks it keeps (context.ticks). */
  checklists?: readonly string[];
  /** Content keys it uses that no `speak` action names (composed replies, timers). */
  content: { texts?: readonly string[]; quickReplies?: readonly string[]; templates?: readonly string[] };
  /** What people call its stages, typed instead of tapped ("電話の準備", "連絡待ち"). */
  stageWords?: StageWords;
  /** The first message tells this scenario's story (the first scenario that claims it takes it). */
  claims?(text: string): boolean;
  /** Said later, the user says this scenario is theirs after all ("実は電話はまだ来ていなくて…"). */
  switchesTo?(text: string): boolean;
  /** What Akari says on switching to it (the stage's own start follows). */
  switchText?: string;
  /** Quick-reply key of its one option in the help menu and in the "what I can help with" answer. */
  menuOption?: string;
  hooks(tools: KitTools): ScenarioHooks;
  /** Its stages' state configs, written with the kit's setup (`kit.createStateConfig`). */
  states(kit: K): Record<string, unknown>;
  /** Root transitions for its confirmed typed results (before the kit's "is that right?" handling). */
  confirmed?(kit: K): Transitions;
  /** Root transitions that work anywhere (after the kit's commands, before its catch-all). */
  anywhere?(kit: K): Transitions;
}
