import { and } from 'xstate';
import type { Kit } from '../../kit/setup.ts';
import { SITUATION_QUESTIONS } from './questions.ts';
import { answerHandlers, compose, holds, ig, nextOn, say } from '../../kit/steps.ts';

/**
 * 状況整理: the answer first. A story (whatever it leaves out) gets the assessment straight away;
 * only a message that tells nothing yet ("こんにちは") is asked one question (skippable), and
 * whatever comes back, the assessment follows. The details the templates need are asked later,
 * by the stage whose template needs them.
 */
export const situationStage = (kit: Kit) => {
  const answered = answerHandlers('told');
  // A story told at the question ("昨日の夜、非通知で何回か…") is taken whole, never "couldn't read".
  const story = { guard: and(['forTheStage', holds('tellsStory')]), target: 'told', actions: ['absorbFacts' as const, 'clearQuestion' as const] };
  return kit.createStateConfig({
    on: { '*': [{ guard: ig('back'), actions: [say({ say: 'alreadyFirst' })] }] },
    initial: 'route',
    states: {
      route: {
        always: [
          { guard: holds('knowsSomething'), target: 'assessment', actions: [compose('understood')] },
          { guard: holds('hasStory'), target: 'assessment' },
          { target: 'askingNext', actions: [say({ say: 'situation.intro' })] },
        ],
      },
      asking: {
        entry: ['askQuestion'],
        on: { TEXT: [story, ...answered.TEXT], POSTBACK: answered.POSTBACK },
      },
      askingNext: {
        entry: [{ type: 'setNextQuestion', params: { list: SITUATION_QUESTIONS } }],
        always: [{ guard: 'hasQuestion', target: 'asking' }, { target: 'told' }],
      },
      // One answer (or a skip) is enough: the advice comes now, fitted to what is known.
      told: {
        always: [
          { guard: holds('knowsSomething'), target: 'assessment', actions: [compose('understood')] },
          { target: 'assessment' },
        ],
      },
      assessment: {
        entry: ['clearQuestion', compose('assessment')],
        on: {
          ...nextOn('#akari.preparation'),
          // More of the story after the answer ("3日前です", "株式会社ミライからでした"): kept, and the
          // answer given again as it now stands.
          TEXT: [...nextOn('#akari.preparation').TEXT, { guard: and(['forTheStage', holds('tellsStory')]), target: 'assessment', reenter: true, actions: ['absorbFacts'] }],
        },
      },
    },
  });
};
