import { assign, emit, enqueueActions, raise, setup } from 'xstate';
import type { QuickReplyOption } from '../../flows/schema.ts';
import { buildTextMessages } from '../../messages/build-text.ts';
import { affirms, confirmsDeletion, readTypedTicks, denies, hedges, normalize, saysPlainYes, type StageWords } from '../../understanding/index.ts';
import { rememberInTurn } from '../turn-memo.ts';
import type { ConversationContext, ConversationInput, TypedCheck } from './context.ts';
import type { ConversationEvent, Effect, StageName } from './events.ts';
import { intentOf as readIntent, type IntentKind } from './intents.ts';
import { describeProfile, EDITABLE_FIELDS, FIELD_LABELS, mergeFacts, type EditableField, type Profile } from './profile.ts';
import { askPart, EDIT_QUESTION, factsOf, interpretAnswer, isAnswered, QUESTIONS, type Interpretation, type QuestionId } from './questions.ts';
import type { Part } from './render.ts';
import type { KitTools, ScenarioHooks } from './scenario.ts';
import type { Intent } from './intents.ts';

type Ev = ConversationEvent;

/** The event's time; for the start-up event (which has none) the time the actor was created for. */
export const atOf = (e: Ev, c?: ConversationContext): number => (typeof (e as { at?: unknown }).at === 'number' ? e.at : (c?.createdAt ?? 0));

/**
 * An exchange at the root waits for the next message — a deletion being confirmed, a detail being
 * edited, a typed result being checked — and takes it before any stage: "はい" must not answer the
 * stage's own yes/no question instead, nor a typed name become the stage's answer. (An answer the
 * edit can't use leaves the detail unchanged; a command ends the edit and is then carried out.)
 */
const rootExchangePending = (c: ConversationContext): boolean => c.editing !== undefined || c.confirmingDelete || c.confirmingRestart === true || c.checking !== undefined;
const isEmpty = (p: Profile): boolean => Object.keys(p).length === 0;
/** Nothing told, skipped or decided yet, and no scenario chosen: a story may still pick one. */
const untouched = (c: ConversationContext): boolean =>
  c.scenario === undefined && isEmpty(c.profile) && c.skipped.length === 0 && c.outcome === undefined && !c.heardBack && !c.thanksSent;

/**
 * Commands carried out after calling off a pending deletion (a pending check passes every message
 * on). Not "delete" or "restart" (a refusal must not turn into a second confirmation or wipe the
 * profile), nor stage moves like 次へ/戻る.
 */
const CONFIRMATION_PASSES = ['help', 'stage', 'stopNotifications', 'resumeNotifications', 'showProfile', 'edit'] as const satisfies readonly IntentKind[];

/** The profile keys an edit of each detail may change. */
const EDIT_KEYS: Record<EditableField, ReadonlyArray<keyof Profile>> = {
  userName: ['userName'],
  employerName: ['employerName', 'employerKind'],
  contactPerson: ['contactPerson'],
  daysElapsed: ['daysElapsed'],
  callCount: ['callCount', 'callCountApprox'],
  reasons: ['reasons'],
  contactLeft: ['contactLeft'],
  businessHours: ['businessHours'],
  jobKind: ['jobKind'],
  strengths: ['strengths'],
};

/** Replies to the edit prompt that are answers, not commands: the edit takes them, usable or not. */
const EDIT_REPLIES = ['other', 'skip', 'yes', 'no', 'done'] as const satisfies readonly IntentKind[];

/** A hook a stage config names but no scenario defines: a bug the machine tests catch. */
export class MissingHookError extends Error {
  constructor(readonly kind: string, readonly hookName: string) {
    super(`no scenario defines the ${kind} "${hookName}"`);
    this.name = 'MissingHookError';
  }
}

/**
 * The one `setup()` of the conversation: its closed set of actions and guards. What differs between
 * scenarios comes in through `hooks` (composed replies, updates, conditions, readers, timers), named
 * by the stage configs' params, so that adding a scenario adds no action or guard here.
 */
export function createKitSetup(tools: KitTools, hooks: Required<ScenarioHooks>, scenarios: ScenarioRouting = NO_ROUTING) {
  const { r } = tools;
  /** What an event means, with the scenarios' stage names. */
  const intentOf = (e: Ev) => readIntent(e, scenarios.stageWords);
  const reply = (messages: unknown[]): Effect => ({ type: 'reply', messages });

  // The kit's questions and the scenarios' own, asked and read alike.
  const spec = (q: string) => hooks.questions[q];
  const answeredQ = (q: string, p: Profile) => spec(q)?.isAnswered(p) ?? isAnswered(q as QuestionId, p);
  const nextQuestion = (list: readonly string[], p: Profile, skipped: readonly string[]) => list.find((q) => !answeredQ(q, p) && !skipped.includes(q));
  const interpretAnswerQ = (q: string, i: Intent, p: Profile, now: Date): Interpretation => spec(q)?.interpret(i, p, now) ?? interpretAnswer(q as QuestionId, i, p, now);
  const askPartQ = (q: string): Part => {
    const own = spec(q);
    return own ? { say: own.text, ...(own.qr ? { qr: own.qr } : {}) } : askPart(q as QuestionId);
  };
  const ask = (q: string, p: Profile, at: number, lead: Part[] = []): Effect => reply(r.render([...lead, askPartQ(q)], p, at));
  /** The help menu, with one option per scenario (switching keeps what was told). */
  const scenarioOptions = (): QuickReplyOption[] => scenarios.menuOptions.flatMap((key) => tools.deps.content.quickReplies[key] ?? []);
  const help = (p: Profile, at: number) => {
    const options = [...(tools.deps.content.quickReplies.helpMenu ?? []), ...scenarioOptions()].slice(0, 13);
    return reply(r.render([{ say: 'help' }], p, at, options));
  };
  const scenarioOf = (c: ConversationContext) => c.scenario ?? scenarios.defaultId;
  /**
   * The user says another scenario is theirs ("実は電話はまだ来ていなくて…": `explicit`), or, with
   * nothing told and no scenario chosen yet (just after following), tells another scenario's story
   * ("面接から10日、連絡がない" at the first question). No stage takes that message.
   */
  const switchTarget = (c: ConversationContext, e: Ev): { id: string; explicit: boolean } | undefined => {
    if (e.type !== 'TEXT') return undefined;
    return rememberInTurn(`switch\u0000${scenarioOf(c)}\u0000${untouched(c)}\u0000${e.text}`, () => {
      const said = scenarios.ids.find((id) => id !== scenarioOf(c) && scenarios.switchesTo[id]?.(e.text));
      if (said) return { id: said, explicit: true };
      if (!untouched(c)) return undefined;
      const story = scenarios.ids.find((id) => scenarios.claims[id]?.(e.text));
      return story && story !== scenarioOf(c) ? { id: story, explicit: false } : undefined;
    });
  };
  const rootDialogPending = (c: ConversationContext, e?: Ev): boolean => rootExchangePending(c) || (e !== undefined && switchTarget(c, e) !== undefined);
  const intentIs = (e: Ev, kind: IntentKind) => intentOf(e)?.kind === kind;
  const hook = <T>(table: Record<string, T>, kind: string, name: string): T => {
    const found = table[name];
    if (!found) throw new MissingHookError(kind, name);
    return found;
  };

  /**
   * What a typed message answers, by one of the scenarios' readers (undefined for taps). Several
   * guards ask about the same message in one turn: each reader runs once per message and turn.
   */
  const typed = (reader: string, e: Ev): string | undefined =>
    e.type === 'TEXT' ? rememberInTurn(`${reader}\u0000${e.text}`, () => hook(hooks.readers, 'reader', reader)(e.text)) : undefined;

  /** What a message says as the new value of the detail being edited (an edit replaces, never adds). */
  /** The checklist items a typed message reports done ("求人情報を読みました", "全部確認しました"). */
  const typedTicks = (list: string, event: Ev): string[] => {
    if (event.type !== 'TEXT' || intentOf(event)?.kind !== 'other') return [];
    const items = tools.deps.content.checklists[list]?.items ?? [];
    return readTypedTicks(event.text, items);
  };
  const editResult = (context: ConversationContext, event: Ev) => {
    const field = context.editing;
    const i = intentOf(event);
    if (!field || !i) return undefined;
    const base: Profile = { ...context.profile, ...(field === 'strengths' ? { strengths: [] } : {}), ...(field === 'reasons' ? { reasons: [] } : {}) };
    // The new employer's name is read afresh: a known one is otherwise never replaced by a stray phrase.
    if (field === 'employerName') delete base.employerName;
    return interpretAnswerQ(EDIT_QUESTION[field], i, base, new Date(atOf(event, context)));
  };

  return setup({
    types: {
      context: {} as ConversationContext,
      events: {} as ConversationEvent,
      input: {} as ConversationInput,
      emitted: {} as Effect,
    },
    actions: {
      speak: emit(({ context, event }, params: { parts: Part[] }) => reply(r.render(params.parts, context.profile, atOf(event, context)))),
      // A reply a scenario composes from what is known (its assessment, the time to call).
      compose: emit(({ context, event }, params: { name: string }) => reply(hook(hooks.composers, 'composer', params.name)(context, event, atOf(event, context)))),
      // A change a scenario computes from the message (strengths added, hours saved).
      update: assign(({ context, event }, params: { name: string }) => hook(hooks.updates, 'update', params.name)(context, event, atOf(event, context))),
      set: assign((_, params: { values: Partial<ConversationContext> }) => params.values),
      note: assign(({ context }, params: { values: Record<string, string | number | boolean> }) => ({ notes: { ...context.notes, ...params.values } })),
      schedule: emit(({ context, event }, params: { kind: string }): Effect => {
        const { dueAt, expiresAt } = hook(hooks.timers, 'timer', params.kind).due(context, event, atOf(event, context));
        return { type: 'schedule', kind: params.kind, dueAt, payload: { expiresAt } };
      }),
      sayTimer: emit(({ context, event }, params: { kind: string }) => reply(hook(hooks.timers, 'timer', params.kind).message(context, atOf(event, context)))),
      askQuestion: emit(({ context, event }) => ask(context.question!, context.profile, atOf(event, context))),
      askWithLead: emit(({ context, event }, params: { lead: Part[] }) => ask(context.question!, context.profile, atOf(event, context), params.lead)),
      setQuestion: assign({ question: (_, params: { question: string | undefined }) => params.question, unclear: 0 }),
      setNextQuestion: assign(({ context }, params: { list: readonly string[] }) => ({
        question: nextQuestion(params.list, context.profile, context.skipped),
        unclear: 0,
      })),
      clearQuestion: assign({ question: undefined, unclear: 0 }),
      applyAnswer: assign(({ context, event }) => {
        const i = intentOf(event);
        if (!i || !context.question) return {};
        const result = interpretAnswerQ(context.question, i, context.profile, new Date(atOf(event, context)));
        if (result.kind === 'skip') return { skipped: [...context.skipped, context.question], question: undefined, unclear: 0 };
        if (result.kind === 'answer') return { profile: result.profile, question: undefined, unclear: 0 };
        return { profile: result.profile, unclear: context.unclear + 1 };
      }),
      giveUpQuestion: assign(({ context }) => ({ skipped: context.question ? [...context.skipped, context.question] : context.skipped, question: undefined, unclear: 0 })),
      reprompt: emit(({ context, event }) => reply(r.render([{ say: 'reprompt' }, askPartQ(context.question!)], context.profile, atOf(event, context)))),
      // The whole help once, on the second miss in a row; never twice running.
      repromptGeneral: emit(({ context, event }) =>
        context.unclear === 2 ? help(context.profile, atOf(event, context)) : reply(r.render([{ say: 'reprompt', qr: 'helpMenu' }], context.profile, atOf(event, context))),
      ),
      // The question of the state the user is in, asked again with its options (help after two misses).
      repromptWith: emit(({ context, event }, params: { qr: string }) =>
        context.unclear === 2 ? help(context.profile, atOf(event, context)) : reply(r.render([{ say: 'reprompt', qr: params.qr }], context.profile, atOf(event, context))),
      ),
      // A short answer in persona; the question that waits is asked again, with its options.
      saySmallTalk: emit(({ context, event }) => {
        const i = intentOf(event);
        const talk = i?.kind === 'smallTalk' ? i.talk : 'greeting';
        return reply(r.render([{ say: `smallTalk.${talk}` }, ...(context.question ? [askPartQ(context.question)] : [])], context.profile, atOf(event, context)));
      }),
      countUnclear: assign({ unclear: ({ context }) => context.unclear + 1 }),
      resetUnclear: assign({ unclear: 0 }),
      sayHelp: emit(({ context, event }) => help(context.profile, atOf(event, context))),
      // A text, with one option per scenario.
      offerScenarios: emit(({ context, event }, params: { say: string }) => reply(r.render([{ say: params.say }], context.profile, atOf(event, context), scenarioOptions()))),
      absorbFacts: assign({
        profile: ({ context, event }) => {
          if (event.type !== 'TEXT') return context.profile;
          const now = new Date(event.at);
          const merged = mergeFacts(context.profile, factsOf(event.text, now));
          const own = Object.entries(hooks.readFacts).flatMap(([name, read]) => {
            const value = read(event.text, now);
            return value === undefined ? [] : [[name, value] as const];
          });
          return own.length ? { ...merged, facts: { ...merged.facts, ...Object.fromEntries(own) } } : merged;
        },
      }),
      showProfile: emit(({ context, event }) => {
        const options: QuickReplyOption[] = EDITABLE_FIELDS.map((f) => ({ label: `${FIELD_LABELS[f]}を変更`, data: `action=edit&field=${f}`, displayText: `${FIELD_LABELS[f]}を変更` }));
        const header = r.render([{ say: 'profileHeader' }], context.profile, atOf(event, context));
        return reply([...header, ...buildTextMessages(describeProfile(context.profile), options)]);
      }),
      startEdit: assign({
        editing: ({ event }) => {
          const i = intentOf(event);
          return i?.kind === 'edit' && (EDITABLE_FIELDS as readonly string[]).includes(i.field) ? (i.field as EditableField) : undefined;
        },
      }),
      askEdit: emit(({ context, event }) => {
        const field = context.editing!;
        const q = EDIT_QUESTION[field];
        // Strengths are retyped as a whole, so its "skip / done" options don't belong here.
        const qrKey = q === 'strengths' ? undefined : (spec(q)?.qr ?? QUESTIONS[q as QuestionId]?.qr);
        return reply(r.render([{ say: 'profileEditPrompt', extra: { fieldLabel: FIELD_LABELS[field] }, ...(qrKey ? { qr: qrKey } : {}) }], context.profile, atOf(event, context)));
      }),
      applyEdit: assign(({ context, event }) => {
        const result = editResult(context, event);
        if (result?.kind !== 'answer') return { editing: undefined };
        const field = context.editing!;
        // Only the detail being changed: "昨日結婚して山田になりました" must not move the days elapsed.
        const changed = Object.fromEntries(EDIT_KEYS[field].map((k) => [k, result.profile[k]]));
        return { profile: { ...context.profile, ...changed }, editing: undefined, skipped: context.skipped.filter((s) => s !== EDIT_QUESTION[field]) };
      }),
      endEdit: assign({ editing: undefined }),
      askTypedCheck: enqueueActions(({ enqueue, context, event }, params: TypedCheck) => {
        enqueue.assign({ checking: params });
        enqueue.emit(reply(r.render([{ say: `typedCheck.${params.reading}.${params.value}`, qr: 'typedCheck' }], context.profile, atOf(event, context))));
      }),
      endCheck: assign({ checking: undefined }),
      repeatCheck: emit(({ context, event }) =>
        reply(r.render([{ say: `typedCheck.${context.checking!.reading}.${context.checking!.value}`, qr: 'typedCheck' }], context.profile, atOf(event, context))),
      ),
      // Not what they meant: the step's own options again.
      sayCheckMissed: emit(({ context, event }) => reply(r.render([{ say: 'typedCheck.missed', qr: context.checking?.qr ?? 'helpMenu' }], context.profile, atOf(event, context)))),
      // The message again, now that the exchange it interrupted is over: it goes where it would have.
      reraise: raise(({ event }) => event),
      // A push (or following again) changes the subject: an unanswered "delete everything?", edit
      // prompt or "is this typed result right?" is over.
      endRootExchanges: assign({ confirmingDelete: false, confirmingRestart: false, editing: undefined, checking: undefined }),
      sayEdited: emit(({ context, event }) =>
        reply([...r.render([{ say: 'profileUpdated' }], context.profile, atOf(event, context)), ...buildTextMessages(describeProfile(context.profile))]),
      ),
      setConfirmingRestart: assign({ confirmingRestart: (_, params: { value: boolean }) => params.value }),
      setConfirmingDelete: assign({ confirmingDelete: (_, params: { value: boolean }) => params.value }),
      setNotifications: assign({ notifications: (_, params: { value: boolean }) => params.value }),
      resetAll: assign((_, params: { ticks: Record<string, string[]> }) => ({
        profile: {},
        confirmingDelete: false,
        confirmingRestart: false,
        question: undefined,
        skipped: [],
        unclear: 0,
        editing: undefined,
        checking: undefined,
        ticks: params.ticks,
        outcome: undefined,
        thanksSent: false,
        heardBack: false,
        recap: false,
        notes: undefined,
        scenario: undefined,
      })),
      deleteEverything: emit((): Effect => ({ type: 'deleteUserData' })),
      cancelTimers: emit((_, params: { kinds: string[] | 'all' }): Effect => ({ type: 'cancel', kinds: params.kinds })),
      // "HPを見直しました", "全部やりました": the items a typed report names, ticked as if tapped.
      tickTyped: assign({
        ticks: ({ context, event }, params: { list: string }) => {
          const named = typedTicks(params.list, event);
          if (named.length === 0 || !(params.list in context.ticks)) return context.ticks;
          return { ...context.ticks, [params.list]: [...new Set([...context.ticks[params.list]!, ...named])] };
        },
      }),
      tick: assign({
        ticks: ({ context, event }) => {
          const i = intentOf(event);
          if (i?.kind !== 'tick' || !(i.list in context.ticks)) return context.ticks;
          const list = i.list;
          const items = tools.deps.content.checklists[list]?.items.map((x) => x.id) ?? [];
          if (!items.includes(i.item) || context.ticks[list]!.includes(i.item)) return context.ticks;
          return { ...context.ticks, [list]: [...context.ticks[list]!, i.item] };
        },
      }),
      showChecklist: emit(({ context, event }, params: { list: string; lead: string; next: QuickReplyOption }) => {
        const ticked = context.ticks[params.list] ?? [];
        return reply(r.render([{ say: params.lead }, { checklist: params.list, ticked }], context.profile, atOf(event, context), r.tickOptions(params.list, ticked, [params.next])));
      }),
      sayProgress: emit(({ context, event }, params: { list: string; say: string; next: QuickReplyOption }) => {
        const ticked = context.ticks[params.list] ?? [];
        const { complete: _complete, ...progress } = r.checklistProgress(params.list, ticked);
        return reply(r.render([{ say: params.say, extra: progress }], context.profile, atOf(event, context), r.tickOptions(params.list, ticked, [params.next])));
      }),
    },
    guards: {
      // An exchange at the root goes first (see rootDialogPending): no stage takes its message.
      intentIs: ({ context, event }, params: { kind: IntentKind }) => !rootDialogPending(context, event) && intentIs(event, params.kind),
      stageIs: ({ context, event }, params: { stage: StageName; step?: string }) => {
        if (rootDialogPending(context, event)) return false;
        const i = intentOf(event);
        return i?.kind === 'stage' && i.stage === params.stage && (params.step === undefined ? i.step === undefined : i.step === params.step);
      },
      valueIs: ({ context, event }, params: { kind: IntentKind; value: string }) => {
        if (rootDialogPending(context, event)) return false;
        const i = intentOf(event);
        if (!i || i.kind !== params.kind) return false;
        const v = 'value' in i ? i.value : 'outcome' in i ? i.outcome : 'branch' in i ? i.branch : 'reminder' in i ? i.reminder : undefined;
        return v === params.value;
      },
      // A scenario's typed-answer reader picks this option (drawn as typed<Reader> <value>).
      typed: ({ event }, params: { reader: string; value: string }) => typed(params.reader, event) === params.value,
      // A scenario's condition (drawn by its name).
      holds: ({ context, event }, params: { name: string }) => hook(hooks.conditions, 'condition', params.name)(context, event),
      confirmingDelete: ({ context }) => context.confirmingDelete,
      confirmingRestart: ({ context }) => context.confirmingRestart === true,
      // "はい" (or 最初から again) to "erase what was told and start over?".
      restartConfirmed: ({ event }) => intentIs(event, 'yes') || intentIs(event, 'restart'),
      restartDeclined: ({ event }) => intentIs(event, 'no'),
      // Anything told that a restart would erase.
      toldSomething: ({ context }) => Object.keys(context.profile).length > 0,
      // Deleting everything takes the button, a plain はい, or a typed request ("削除する",
      // "データを削除してください"; see confirmsDeletion): not a casual "うん" or "OK".
      deletionConfirmed: ({ event }) => (event.type === 'TEXT' ? saysPlainYes(event.text) || confirmsDeletion(event.text) : intentIs(event, 'yes')),
      editing: ({ context }) => context.editing !== undefined,
      checking: ({ context }) => context.checking !== undefined,
      // "合っています", "はい", "そうなんです", or the same result again in words ("はい、不採用でした").
      checkConfirmed: ({ context, event }, params: { reading: string; value: string }) => {
        const c = context.checking;
        if (c?.reading !== params.reading || c.value !== params.value) return false;
        if (event.type !== 'TEXT') return intentIs(event, 'yes');
        const said = normalize(event.text);
        if (/[?？]/.test(said) || denies(said) || hedges(said)) return false;
        // A yes ("はい、そうです", "合ってます", "はい…", "👍"), unless what follows says another
        // result; or the same result said again ("不採用でした").
        const again = typed(c.reading, event);
        const same = hooks.checked[c.reading]?.sameResult?.(c.value, again, event.text) ?? again === c.value;
        if (again !== undefined && !same) return false;
        return same || affirms(said);
      },
      acknowledges: ({ event }) => intentIs(event, 'yes'),
      // "いや、不在でした": a denial that says what happened instead (any checked or result reader).
      namesAResult: ({ event }) => Object.keys(hooks.checked).some((reader) => typed(reader, event) !== undefined),
      checkDenied: ({ event }) => intentIs(event, 'no') || (event.type === 'TEXT' && denies(normalize(event.text))),
      editAnswered: ({ context, event }) => editResult(context, event)?.kind === 'answer',
      // An answer the edit can't use (free text, skip, yes, no, "ない"): the edit ends there, unchanged.
      editNotUnderstood: ({ context, event }) => EDIT_REPLIES.some((kind) => intentIs(event, kind)) || editResult(context, event)?.kind === 'skip',
      knownField: ({ event }) => {
        const i = intentOf(event);
        return i?.kind === 'edit' && (EDITABLE_FIELDS as readonly string[]).includes(i.field);
      },
      // While "delete everything?" waits, a command that changes nothing (help, a stage, notifications,
      // the profile): the deletion is off, and the command goes on. Anything else only calls it off.
      passesConfirmation: ({ event }) => CONFIRMATION_PASSES.some((kind) => intentIs(event, kind)),
      notifications: ({ context }) => context.notifications,
      resumeAt: ({ context }, params: { stage: StageName }) => context.resumeStage === params.stage,
      typedTick: ({ event }, params: { list: string }) => typedTicks(params.list, event).length > 0,
      hasQuestion: ({ context }) => context.question !== undefined,
      answered: ({ context, event }) => {
        const i = intentOf(event);
        if (!i || !context.question) return false;
        return interpretAnswerQ(context.question, i, context.profile, new Date(atOf(event, context))).kind !== 'unclear';
      },
      unclearTwice: ({ context }) => context.unclear >= 1,
      // Nothing at the root waits for this message, and it switches no scenario: a stage may take it.
      forTheStage: ({ context, event }) => !rootDialogPending(context, event),
      canAnswer: ({ context, event }) => {
        if (rootDialogPending(context, event) || !context.question) return false;
        const i = intentOf(event);
        return i !== undefined && interpretAnswerQ(context.question, i, context.profile, new Date(atOf(event, context))).kind !== 'unclear';
      },
      // A bare yes ("はい", "お願いします") answers no name or date: the question is asked again, with its own options.
      unclearAgain: ({ context, event }) => !rootDialogPending(context, event) && (intentIs(event, 'other') || intentIs(event, 'yes')) && context.unclear >= 1,
      unclearFirst: ({ context, event }) => !rootDialogPending(context, event) && (intentIs(event, 'other') || intentIs(event, 'yes')),
      // The first message tells this scenario's story.
      claims: ({ event }, params: { scenario: string }) => event.type === 'TEXT' && (scenarios.claims[params.scenario]?.(event.text) ?? false),
      // A message that tells a story none of the scenarios is about (see ScenarioRouting.fitsNone).
      fitsNoScenario: ({ event }) => event.type === 'TEXT' && scenarios.fitsNone(event.text),
      switchesTo: ({ context, event }, params: { scenario: string }) => !rootExchangePending(context) && switchTarget(context, event)?.id === params.scenario,
      switchSaid: ({ context, event }) => switchTarget(context, event)?.explicit === true,
      // A message with nothing at the root waiting: the first message's story (see the new state).
      storyText: ({ context, event }) => !rootExchangePending(context) && intentIs(event, 'other'),
      inScenario: ({ context }, params: { scenario: string }) => scenarioOf(context) === params.scenario,
      checklistComplete: ({ context }, params: { list: string }) => r.checklistProgress(params.list, context.ticks[params.list] ?? []).complete,
      timerIs: ({ event }, params: { kind: string }) => event.type === 'TIMER' && event.timer.kind === params.kind,
      timerStillRelevant: ({ context, event }) => {
        if (event.type !== 'TIMER' || !context.notifications) return false;
        return hooks.timers[event.timer.kind]?.relevant(context) ?? false;
      },
    },
  });
}

export type Kit = ReturnType<typeof createKitSetup>;

/** What the kit knows of the registered scenarios to route a message to one of them. */
export interface ScenarioRouting {
  ids: readonly string[];
  defaultId: string;
  claims: Record<string, ((text: string) => boolean) | undefined>;
  switchesTo: Record<string, ((text: string) => boolean) | undefined>;
  /** A story that is about none of them ("履歴書の書き方を教えて"): answered kindly, with what Akari does. */
  fitsNone: (text: string) => boolean;
  menuOptions: readonly string[];
  /** Each stage's names, typed instead of tapped. */
  stageWords: StageWords;
}

const NO_ROUTING: ScenarioRouting = { ids: [], defaultId: '', claims: {}, switchesTo: {}, fitsNone: () => false, menuOptions: [], stageWords: [] };

/** Content keys the kit's own actions use (help, reprompts, the profile, the check of a typed result). */
export const KIT_CONTENT = {
  texts: ['restartConfirm', 'restartCancelled', 'smallTalk.greeting', 'smallTalk.thanks', 'smallTalk.otherJobs', 'help', 'reprompt', 'profileHeader', 'profileEditPrompt', 'profileUpdated', 'typedCheck.missed', 'route.neither'],
  quickReplies: ['helpMenu', 'typedCheck', 'restartConfirm'],
};
