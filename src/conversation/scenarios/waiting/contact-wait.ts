import type { Kit } from '../../kit/setup.ts';
import { answerHandlers, compose, holds, ig, say } from '../../kit/steps.ts';
import { choiceHandlers } from './steps.ts';

/** "No news is not yet a no" is said once, as early as possible. */
const silenceSaid = { type: 'note' as const, params: { values: { silenceSaid: true } } };

/** The facts the verdict needs: how long ago the interview was, and what was promised. */
const WAIT_QUESTIONS = ['interviewDays', 'promisedDays'];

/** 連絡待ち: how long it has been and what was promised, then whether it is time to ask. */
export const contactWaitStage = (kit: Kit) =>
  kit.createStateConfig({
    on: { '*': [{ guard: ig('back'), actions: [say({ say: 'alreadyFirst' })] }] },
    initial: 'route',
    states: {
      route: {
        always: [
          // The story told it all ("先週面接して、1週間以内に…"): the answer comes at once.
          { guard: holds('knowsBoth'), target: 'verdict', actions: [say({ say: 'wait.intro' })] },
          // "面接から10日たったけど…落ちたのかな": silence is not yet a no, said first; then the promise.
          { guard: holds('knowsInterview'), target: 'askingNext', actions: [say({ say: 'wait.early' }), silenceSaid] },
          // Whatever is known, the first answer says it: no news is not yet a no.
          { target: 'askingNext', actions: [say({ say: 'wait.intro' }, { say: 'wait.silence' }), silenceSaid] },
        ],
      },
      asking: {
        entry: ['askQuestion'],
        on: answerHandlers('askingNext'),
      },
      askingNext: {
        entry: [{ type: 'setNextQuestion', params: { list: WAIT_QUESTIONS } }],
        always: [{ guard: 'hasQuestion', target: 'asking' }, { target: 'verdict' }],
      },
      verdict: {
        entry: ['clearQuestion', 'resetUnclear', compose('waitVerdict')],
        on: choiceHandlers('wait.verdict.wait'),
      },
      // What to do meanwhile: other applications, not asking twice, a phone that answers.
      meanwhile: {
        entry: ['resetUnclear', say({ say: 'waiting.advice' }, { say: 'wait.meanwhile', qr: 'wait.meanwhile' })],
        on: choiceHandlers('wait.meanwhile'),
      },
    },
  });
