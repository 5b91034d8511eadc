import { and, not } from 'xstate';
import type { Kit } from '../../kit/setup.ts';
import { STAGE_NEEDS } from './questions.ts';
import { askFirst, compose, holds, ig, nextOn, say } from '../../kit/steps.ts';

const toStrengths = { label: '次へ（強みの整理）', data: 'action=next', displayText: '次へ' };

/** 電話の準備: the apology, what to look up about the employer, and the user's strengths. */
export const preparationStage = (kit: Kit) =>
  kit.createStateConfig({
    on: { '*': [{ guard: ig('back'), target: '#akari.situation' }] },
    initial: 'route',
    states: {
      ...askFirst({ needs: STAGE_NEEDS.preparation, lead: 'preparation.intro', then: 'apology', direct: [{ say: 'preparation.intro' }] }),
      apology: {
        entry: [say({ say: 'apology.intro' }, { template: 'apology' }, { say: 'apology.tips', qr: 'apology.tips' })],
        on: nextOn('research'),
      },
      research: {
        entry: [{ type: 'showChecklist', params: { list: 'research', lead: 'research.intro', next: toStrengths } }],
        on: {
          POSTBACK: [
            { guard: and([ig('tick')]), actions: ['tick', { type: 'sayProgress', params: { list: 'research', say: 'research.progress', next: toStrengths } }] },
            { guard: ig('next'), target: 'strengths' },
          ],
          TEXT: [
            { guard: ig('next'), target: 'strengths' },
            // "HPを見直しました": ticked as if tapped (LINE for PC shows no buttons).
            {
              guard: { type: 'typedTick', params: { list: 'research' } },
              actions: [{ type: 'tickTyped', params: { list: 'research' } }, { type: 'sayProgress', params: { list: 'research', say: 'research.progress', next: toStrengths } }],
            },
          ],
        },
      },
      strengths: {
        entry: [{ type: 'setQuestion', params: { question: 'strengths' } }, 'askQuestion'],
        on: {
          TEXT: [
            { guard: and([not('editing'), ig('other')]), actions: [{ type: 'update', params: { name: 'addStrengths' } }, compose('strengths')] },
            { guard: ig('done'), target: 'done' },
            { guard: ig('next'), target: 'done' },
            { guard: ig('skip'), target: 'done', actions: [say({ say: 'strengths.none' })] },
            // A bare "はい" names no strength: the question again, with its own options.
            { guard: ig('yes'), actions: ['reprompt'] },
          ],
          POSTBACK: [
            { guard: ig('done'), target: 'done' },
            { guard: ig('next'), target: 'done' },
            { guard: ig('skip'), target: 'done', actions: [say({ say: 'strengths.none' })] },
          ],
        },
        always: { guard: holds('strengthsFull'), target: 'done' },
      },
      done: {
        entry: ['clearQuestion', say({ say: 'preparation.done', qr: 'preparation.done' })],
        on: nextOn('#akari.call'),
      },
    },
  });
