import { and } from 'xstate';
import type { Kit } from '../../kit/setup.ts';
import { cancel, compose, ig, say, schedule, vg } from '../../kit/steps.ts';

const next = { label: '次へ', data: 'action=next', displayText: '次へ' };
const toStart = { label: '状況整理へ', data: 'action=stage&stage=situation', displayText: '状況整理' };
const planRecap = [{ type: 'set' as const, params: { values: { recap: true } } }, cancel(['lessonsRecap']), schedule('lessonsRecap'), compose('recapScheduled')];

/** 教訓: the lessons as a checklist, and a recap a week later if they want one. */
export const lessonsStage = (kit: Kit) =>
  kit.createStateConfig({
    on: { '*': [{ guard: ig('back'), target: '#akari.followUp' }] },
    initial: 'checklist',
    states: {
      checklist: {
        entry: ['clearQuestion', { type: 'showChecklist', params: { list: 'lessons', lead: 'lessons.intro', next } }],
        on: {
          POSTBACK: [
            { guard: ig('tick'), actions: ['tick', { type: 'sayProgress', params: { list: 'lessons', say: 'lessons.progress', next } }] },
            { guard: ig('next'), target: 'recapOffer' },
          ],
          TEXT: [
            { guard: ig('next'), target: 'recapOffer' },
            { guard: ig('done'), target: 'recapOffer' },
          ],
        },
        always: { guard: { type: 'checklistComplete', params: { list: 'lessons' } }, target: 'recapOffer', actions: [say({ say: 'lessons.complete' })] },
      },
      recapOffer: {
        entry: [say({ say: 'lessons.recapOffer', qr: 'lessons.recapOffer' })],
        on: {
          POSTBACK: [
            { guard: and([vg('recap', 'yes'), 'notifications']), target: 'end', actions: planRecap },
            { guard: vg('recap', 'yes'), target: 'end', actions: [say({ say: 'notificationsRequired' }, { say: 'lessons.end' })] },
            { guard: vg('recap', 'no'), target: 'end', actions: [say({ say: 'lessons.recapDeclined' }, { say: 'lessons.end' })] },
          ],
          TEXT: [
            { guard: and([ig('yes'), 'notifications']), target: 'end', actions: planRecap },
            { guard: ig('no'), target: 'end', actions: [say({ say: 'lessons.recapDeclined' }, { say: 'lessons.end' })] },
          ],
        },
      },
      // The journey is over; commands, ticks from the recap, and stage names still work.
      end: {
        on: {
          POSTBACK: [{ guard: ig('tick'), actions: ['tick', { type: 'sayProgress', params: { list: 'lessons', say: 'lessons.progress', next: toStart } }] }],
        },
      },
    },
  });
