import type { ScenarioDefinition } from '../kit/scenario.ts';
import type { Kit } from '../kit/setup.ts';
import { missedCall } from './missed-call/index.ts';
import { waiting } from './waiting/index.ts';

/** Every scenario Akari knows, in order; the first is where a conversation starts. */
export const SCENARIOS: readonly ScenarioDefinition<Kit>[] = [missedCall, waiting];
