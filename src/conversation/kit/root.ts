import { and, assign, not } from 'xstate';
import type { ConversationContext, ConversationInput } from './context.ts';
import type { StageName } from './events.ts';
import type { Kit } from './setup.ts';
import { cancel, ig, say } from './steps.ts';

export interface RootOptions {
  /** The registered scenarios: their stages (the first is where each starts) and what is said on switching. */
  scenarios: ReadonlyArray<{ id: string; stages: readonly StageName[]; switchText?: string }>;
  /** Every stage of every scenario, in registry order. */
  stages: readonly StageName[];
  /** Where a conversation starts (the first scenario's first stage). */
  start: StageName;
  /** Timer kinds, in the timer tables' order. */
  timers: ReadonlyArray<{ kind: string; then: readonly string[] }>;
  /** Every checklist the scenarios keep ticks of. */
  checklists: readonly string[];
  /** The scenarios' root transitions for confirmed typed results, and for messages that work anywhere. */
  confirmed: readonly unknown[];
  anywhere: readonly unknown[];
}

/**
 * The machine's root: its context, the commands that work anywhere (in priority order) and the
 * exchanges that outrank the stage, the first message, and "gone". Stage states handle only what
 * is theirs; whatever they don't claim ends here.
 */
export function createRoot(kit: Kit, o: RootOptions) {
  const emptyTicks = () => Object.fromEntries(o.checklists.map((l) => [l, [] as string[]]));
  const resetAll = { type: 'resetAll' as const, params: { ticks: emptyTicks() } };
  const inScenario = (id: string) => ({ type: 'set' as const, params: { values: { scenario: id } } });
  const ownerOf = (stage: StageName) => o.scenarios.find((s) => s.stages.includes(stage))?.id ?? o.scenarios[0]!.id;
  const startOf = (id: string) => o.scenarios.find((s) => s.id === id)!.stages[0]!;
  const context = ({ input }: { input: ConversationInput }): ConversationContext => ({
    profile: input?.profile ?? {},
    notifications: input?.notifications ?? true,
    confirmingDelete: false,
    skipped: [],
    unclear: 0,
    ticks: emptyTicks(),
    thanksSent: false,
    heardBack: false,
    recap: false,
    createdAt: input?.at ?? 0,
    ...(input?.resumeStage ? { resumeStage: input.resumeStage } : {}),
  });

  const on = kit.createStateConfig({
    on: {
      UNFOLLOW: { target: '.gone', actions: [cancel('all'), 'deleteEverything', resetAll] },
      // Following (again) starts where a story-less conversation starts; the next story may pick another.
      FOLLOW: { target: `.${o.start}`, reenter: true, actions: ['endRootExchanges', { type: 'set', params: { values: { scenario: undefined } } }, say({ say: 'greeting' })] },
      NON_TEXT: { actions: [say({ say: 'nonText' })] },
      TIMER: [
        ...o.timers.map(({ kind, then }) => ({
          guard: and([{ type: 'timerIs' as const, params: { kind } }, 'timerStillRelevant']),
          actions: ['endRootExchanges' as const, { type: 'sayTimer' as const, params: { kind } }, ...then.map((k) => ({ type: 'schedule' as const, params: { kind: k } }))],
        })),
        // A timer whose reason has passed says nothing.
        { actions: [] },
      ],
      '*': [
        { guard: and(['confirmingDelete', 'deletionConfirmed']), target: '.new', actions: [cancel('all'), 'deleteEverything', resetAll, say({ say: 'deleted' })] },
        { guard: and(['confirmingDelete', 'passesConfirmation']), actions: [{ type: 'setConfirmingDelete', params: { value: false } }, say({ say: 'deleteCancelled' }), 'reraise'] },
        { guard: 'confirmingDelete', actions: [{ type: 'setConfirmingDelete', params: { value: false } }, say({ say: 'deleteCancelled' })] },
        // "最初からやり直しますか？": yes erases and starts over; no keeps everything; anything else
        // keeps everything and goes where it would have gone.
        ...o.scenarios.map(({ id }) => ({
          guard: and(['confirmingRestart', 'restartConfirmed', { type: 'inScenario' as const, params: { scenario: id } }]),
          target: `.${startOf(id)}`,
          reenter: true,
          actions: [cancel('all'), resetAll, inScenario(id), say({ say: 'restarted' })],
        })),
        { guard: and(['confirmingRestart', 'restartDeclined']), actions: [{ type: 'setConfirmingRestart', params: { value: false } }, say({ say: 'restartCancelled' })] },
        { guard: 'confirmingRestart', actions: [{ type: 'setConfirmingRestart', params: { value: false } }, 'reraise'] },
        // A typed result, confirmed: what its tap would have done (the scenarios say where).
        ...(o.confirmed as []),
        // "違います": the options again; "いや、不在でした" (a denial that says what happened instead) and
        // anything else are read afresh where the user is.
        { guard: and(['checking', 'checkDenied', not('namesAResult')]), actions: ['sayCheckMissed', 'endCheck'] },
        // "わかりました", "OK": an acknowledgement, not an answer to "is this right?": asked once more.
        { guard: and(['checking', 'acknowledges']), actions: ['repeatCheck'] },
        { guard: 'checking', actions: ['endCheck', 'reraise'] },
        { guard: and(['editing', 'editAnswered']), actions: ['applyEdit', 'sayEdited'] },
        { guard: and(['editing', 'editNotUnderstood']), actions: ['endEdit', say({ say: 'profileUnchanged' })] },
        // Any other tap or command was meant for something else: the edit ends, and the message goes on.
        { guard: 'editing', actions: ['endEdit', 'reraise'] },
        // "実は電話はまだ来ていなくて…": another scenario is theirs. What they told is kept.
        ...o.scenarios.flatMap(({ id, switchText }) => [
          {
            guard: and([{ type: 'switchesTo' as const, params: { scenario: id } }, 'switchSaid']),
            target: `.${startOf(id)}`,
            reenter: true,
            actions: ['clearQuestion' as const, 'absorbFacts' as const, inScenario(id), ...(switchText ? [say({ say: switchText })] : [])],
          },
          // Its story told at the first question after following: straight to it.
          {
            guard: { type: 'switchesTo' as const, params: { scenario: id } },
            target: `.${startOf(id)}`,
            reenter: true,
            actions: ['clearQuestion' as const, 'absorbFacts' as const, inScenario(id)],
          },
        ]),
        { guard: ig('help'), actions: ['resetUnclear', 'sayHelp'] },
        // Starting over starts the scenario the user is in; with something told, only after a yes.
        { guard: and([ig('restart'), 'toldSomething']), actions: [{ type: 'setConfirmingRestart', params: { value: true } }, say({ say: 'restartConfirm', qr: 'restartConfirm' })] },
        ...o.scenarios.map(({ id }) => ({
          guard: and([ig('restart'), { type: 'inScenario' as const, params: { scenario: id } }]),
          target: `.${startOf(id)}`,
          reenter: true,
          actions: [cancel('all'), resetAll, inScenario(id), say({ say: 'restarted' })],
        })),
        // A stage's name (typed, or from the menus): its scenario becomes the user's, what they told stays.
        ...o.stages.map((stage) => ({ guard: { type: 'stageIs' as const, params: { stage } }, target: `.${stage}`, reenter: true, actions: ['clearQuestion' as const, inScenario(ownerOf(stage))] })),
        { guard: ig('stopNotifications'), actions: [cancel('all'), { type: 'setNotifications', params: { value: false } }, say({ say: 'notificationsOff' })] },
        { guard: ig('resumeNotifications'), actions: [{ type: 'setNotifications', params: { value: true } }, say({ say: 'notificationsOn' })] },
        { guard: ig('deleteData'), actions: [{ type: 'setConfirmingDelete', params: { value: true } }, say({ say: 'deleteConfirm', qr: 'deleteConfirm' })] },
        { guard: ig('showProfile'), actions: ['showProfile'] },
        { guard: ig('smallTalk'), actions: ['resetUnclear', 'saySmallTalk'] },
        ...(o.anywhere as []),
        { guard: and([ig('edit'), 'knownField']), actions: ['startEdit', 'askEdit'] },
        { actions: ['countUnclear', 'repromptGeneral'] },
      ],
    },
    states: {
      // Nobody has talked to Akari yet (or everything was deleted). The first message opens the
      // conversation; if it already tells the story (e.g. the article's question pasted whole),
      // Akari answers it straight away instead of asking again.
      new: {
        always: o.stages.map((stage) => ({
          guard: { type: 'resumeAt' as const, params: { stage } },
          target: stage,
          actions: [say({ say: 'versionReset' }), assign({ resumeStage: undefined }), inScenario(ownerOf(stage))],
        })),
        on: {
          TEXT: [
            // The story picks the scenario ("1週間以内に連絡すると言われたのに…" is no missed call).
            ...o.scenarios.map(({ id }) => ({
              guard: and(['storyText', { type: 'claims' as const, params: { scenario: id } }]),
              target: startOf(id),
              actions: ['absorbFacts' as const, inScenario(id), say({ say: 'greeting' })],
            })),
            // A story about something else: what Akari helps with, and the way in to each.
            { guard: and(['storyText', 'fitsNoScenario']), actions: [{ type: 'offerScenarios', params: { say: 'route.neither' } }] },
            { guard: 'storyText', target: o.start, actions: ['absorbFacts', say({ say: 'greeting' })] },
            // "こんにちは": Akari introduces itself and starts where a story-less conversation starts.
            { guard: and([ig('smallTalk'), 'forTheStage']), target: o.start, actions: [say({ say: 'greeting' })] },
          ],
          POSTBACK: [{ guard: ig('other'), target: o.start, actions: [say({ say: 'greeting' })] }],
        },
      },
      // Unfollowed: everything was deleted; a new follow starts again.
      gone: {},
    },
  });
  return { context, on: on.on, states: on.states };
}
