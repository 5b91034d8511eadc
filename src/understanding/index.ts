/**
 * Understanding: pure functions that turn Japanese free text into facts, commands and
 * stage names. No I/O and no module-level mutable state.
 */
export type {
  Command,
  ContactLeft,
  EmployerKind,
  Facts,
  JobKind,
  MissReason,
  StageName,
} from './types.ts';
export type { CallCount } from './count.ts';
export type { BusinessHours } from './hours.ts';
export { normalize } from './normalize.ts';
export { parseDays } from './days.ts';
export { parseCount } from './count.ts';
export { parseBusinessHours } from './hours.ts';
export { extractFacts } from './facts.ts';
export { detectCommand, detectStage } from './commands.ts';
export type { StageWords } from './commands.ts';
export { affirms, denies, hedges, saysPlainYes } from './yes-no.ts';
export { confirmsDeletion, isNoNewValue } from './typed-answers.ts';
export { mentionsProgress, readWaitingChoice, readWaitingNews } from './employer-news.ts';
export type { WaitingChoice, WaitingNews } from './employer-news.ts';
export { tellsAnotherStory } from './topic.ts';
export { readSmallTalk } from './small-talk.ts';
export type { SmallTalk } from './small-talk.ts';
export { notADetail } from './detail-value.ts';
export { asksWhenToCall } from './asked.ts';
export { readTypedTicks } from './ticks.ts';
