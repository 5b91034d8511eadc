import type { QuestionId } from '../../kit/questions.ts';

/** What the situation stage asks, in order (each skippable). */
export const SITUATION_QUESTIONS: readonly QuestionId[] = ['days', 'reason', 'count', 'employer', 'jobKind', 'contactLeft'];

/** What each later stage needs before it can fill in its templates (asked first if a user jumps in). */
export const STAGE_NEEDS = {
  preparation: ['reason', 'employer', 'userName', 'contactPerson'],
  call: ['employer', 'userName'],
  followUp: ['employer', 'userName'],
} as const satisfies Record<string, readonly QuestionId[]>;
