import type { Kit } from '../../kit/setup.ts';
import { SITUATION_QUESTIONS } from './questions.ts';
import { answerHandlers, compose, holds, ig, nextOn, say } from '../../kit/steps.ts';

/** 状況整理: what happened (asked one question at a time, each skippable), then the assessment. */
export const situationStage = (kit: Kit) =>
  kit.createStateConfig({
    on: { '*': [{ guard: ig('back'), actions: [say({ say: 'alreadyFirst' })] }] },
    initial: 'route',
    states: {
      route: {
        always: [
          { guard: holds('knowsEnough'), target: 'assessment', actions: [compose('understood')] },
          { target: 'askingNext', actions: [say({ say: 'situation.intro' })] },
        ],
      },
      asking: {
        entry: ['askQuestion'],
        on: answerHandlers('askingNext'),
      },
      askingNext: {
        entry: [{ type: 'setNextQuestion', params: { list: SITUATION_QUESTIONS } }],
        always: [{ guard: 'hasQuestion', target: 'asking' }, { target: 'assessment', actions: [compose('understood')] }],
      },
      assessment: {
        entry: ['clearQuestion', compose('assessment')],
        on: nextOn('#akari.preparation'),
      },
    },
  });
