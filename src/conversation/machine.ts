import { PLACEHOLDERS } from './kit/profile.ts';
import type { ConversationContext, ConversationInput } from './kit/context.ts';
import type { StageName } from './kit/events.ts';
import { QUESTION_CONTENT } from './kit/questions.ts';
import { createRenderer } from './kit/render.ts';
import { intentOf } from './kit/intents.ts';
import { createRoot } from './kit/root.ts';
import type { KitTools, MachineDeps, ScenarioHooks } from './kit/scenario.ts';
import { createKitSetup, KIT_CONTENT, type Kit } from './kit/setup.ts';
import { SCENARIOS } from './scenarios/registry.ts';
import { tellsAnotherStory } from '../understanding/index.ts';
import type { Profile } from './kit/profile.ts';

export type { Profile } from './kit/profile.ts';
export type { ConversationContext, ConversationInput, MachineDeps };

/**
 * Bump when a persisted snapshot of the previous machine can no longer be restored (states renamed,
 * context reshaped). Users on an older version restart their current stage politely.
 */
export const MACHINE_VERSION = 1;

/** Every stage of every scenario, in registry order. */
export const STAGES: readonly StageName[] = SCENARIOS.flatMap((s) => s.stages);
/** What people call the stages, typed. */
const STAGE_WORDS = SCENARIOS.flatMap((s) => s.stageWords ?? []);
/** The stages with a rich-menu shortcut. */
export const RICH_MENU_STAGES: readonly StageName[] = SCENARIOS.flatMap((s) => s.richMenuStages ?? []);

/** The scenarios' hooks, merged (a name defined twice is a mistake caught here). */
function mergeHooks(tools: KitTools): Required<ScenarioHooks> {
  const merged: Required<ScenarioHooks> = { composers: {}, updates: {}, conditions: {}, readers: {}, timers: {}, checked: {}, questions: {}, readFacts: {}, placeholders: {} };
  for (const scenario of SCENARIOS) {
    const hooks = scenario.hooks(tools);
    for (const key of Object.keys(merged) as (keyof ScenarioHooks)[]) {
      for (const [name, value] of Object.entries(hooks[key] ?? {})) {
        if (name in merged[key]) throw new Error(`scenario ${scenario.id}: ${key}.${name} is already defined by another scenario`);
        (merged[key] as Record<string, unknown>)[name] = value;
      }
    }
  }
  return merged;
}

/** Hooks are built without calling their dependencies, so their names are known without any. */
const HOOK_NAMES = mergeHooks({ deps: {} as MachineDeps, r: {} as KitTools['r'], intentOf: () => undefined });
/** Kinds of scheduled pushes, from the scenarios' timer tables. */
export const TIMER_KINDS: readonly string[] = Object.keys(HOOK_NAMES.timers);

/** The machine: the kit's root and setup, with every registered scenario's stages. */
export function createConversationMachine(deps: MachineDeps) {
  // The renderer fills the scenarios' placeholders too; the hooks that compute them are made with it.
  let scenarioValues: Required<ScenarioHooks>['placeholders'] = {};
  const values = (p: Profile, now: Date) => Object.fromEntries(Object.entries(scenarioValues).map(([name, value]) => [name, value(p, now)]));
  const tools: KitTools = { deps, r: createRenderer(deps.content, values), intentOf: (e) => intentOf(e, STAGE_WORDS) };
  const hooks = mergeHooks(tools);
  scenarioValues = hooks.placeholders;
  const kit = createKitSetup(tools, hooks, {
    ids: SCENARIOS.map((s) => s.id),
    defaultId: SCENARIOS[0]!.id,
    claims: Object.fromEntries(SCENARIOS.map((s) => [s.id, s.claims])),
    switchesTo: Object.fromEntries(SCENARIOS.map((s) => [s.id, s.switchesTo])),
    fitsNone: (text) => !SCENARIOS.some((s) => s.claims?.(text)) && tellsAnotherStory(text),
    menuOptions: SCENARIOS.flatMap((s) => (s.menuOption ? [s.menuOption] : [])),
    stageWords: STAGE_WORDS,
  });
  const root = createRoot(kit, {
    scenarios: SCENARIOS.map((s) => ({ id: s.id, stages: s.stages, ...(s.switchText ? { switchText: s.switchText } : {}) })),
    stages: STAGES,
    start: STAGES[0]!,
    timers: Object.entries(hooks.timers).map(([kind, spec]) => ({ kind, then: spec.then ?? [] })),
    checklists: SCENARIOS.flatMap((s) => s.checklists ?? []),
    confirmed: SCENARIOS.flatMap((s) => s.confirmed?.(kit) ?? []),
    anywhere: SCENARIOS.flatMap((s) => s.anywhere?.(kit) ?? []),
  });
  const states = Object.assign({}, ...SCENARIOS.map((s) => s.states(kit))) as Record<string, object>;
  // The stage configs are typed where they are written (createStateConfig); composed, their union
  // is the machine's config.
  const config = {
    id: 'akari',
    context: root.context,
    initial: 'new',
    on: root.on,
    states: { new: root.states!.new, ...states, gone: root.states!.gone },
  } as Parameters<Kit['createMachine']>[0];
  // Fail at start, not at 3 a.m.: every hook a stage names must exist.
  const unknown = unknownHooks(config, hooks);
  if (unknown.length > 0) throw new Error(`the conversation names hooks no scenario defines: ${unknown.join(', ')}`);
  return kit.createMachine(config);
}

export type ConversationMachine = ReturnType<typeof createConversationMachine>;

/** Hooks a machine definition names (`compose`, `update`, `holds`, `typed`, `schedule`, `sayTimer`) that `hooks` lacks. */
export function unknownHooks(config: unknown, hooks: Required<ScenarioHooks>): string[] {
  const table: Record<string, [keyof ScenarioHooks, string]> = {
    compose: ['composers', 'name'],
    update: ['updates', 'name'],
    holds: ['conditions', 'name'],
    typed: ['readers', 'reader'],
    schedule: ['timers', 'kind'],
    sayTimer: ['timers', 'kind'],
  };
  const missing = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const o = node as { type?: unknown; params?: Record<string, unknown> };
    const entry = typeof o.type === 'string' ? table[o.type] : undefined;
    if (entry && o.params) {
      const name = o.params[entry[1]];
      if (typeof name === 'string' && !(name in hooks[entry[0]])) missing.add(`${o.type} ${name}`);
    }
    for (const value of Object.values(node)) walk(value);
  };
  walk(config);
  return [...missing].sort();
}

/** Content keys a machine speaks: every `say`, `qr`, `template`, checklist and lead in its definition. */
export function contentKeysOf(config: unknown) {
  const keys = { texts: new Set<string>(), quickReplies: new Set<string>(), templates: new Set<string>(), checklists: new Set<string>(), fills: new Set<string>() };
  const seen = new Set<unknown>();
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    const o = node as Record<string, unknown>;
    if (typeof o.say === 'string') keys.texts.add(o.say);
    if (typeof o.lead === 'string') keys.texts.add(o.lead);
    if (typeof o.qr === 'string') keys.quickReplies.add(o.qr);
    if (typeof o.template === 'string') keys.templates.add(o.template);
    if (typeof o.checklist === 'string') keys.checklists.add(o.checklist);
    if (typeof o.list === 'string') keys.checklists.add(o.list);
    if (o.fill && typeof o.fill === 'object') {
      for (const [name, key] of Object.entries(o.fill)) {
        keys.fills.add(name);
        if (typeof key === 'string') keys.texts.add(key);
      }
    }
    for (const value of Object.values(o)) walk(value);
  };
  walk(config);
  return keys;
}

/** Keys the machine refers to: checked against flows/ at start-up. Derived from the kit and the registry. */
export const CONTENT_REQUIREMENTS = (() => {
  const stub = { content: { texts: {}, quickReplies: {}, templates: {}, checklists: {} }, calendar: {}, callWindows: {} } as unknown as MachineDeps;
  const found = contentKeysOf(createConversationMachine(stub).config);
  const union = (...lists: Iterable<string>[]) => [...new Set(lists.flatMap((l) => [...l]))].sort();
  return {
    texts: union(
      KIT_CONTENT.texts,
      QUESTION_CONTENT.texts,
      found.texts,
      ...SCENARIOS.map((s) => [...(s.content.texts ?? []), ...(s.switchText ? [s.switchText] : [])]),
      ...Object.values(HOOK_NAMES.questions).map((q) => [q.text]),
    ),
    quickReplies: union(
      KIT_CONTENT.quickReplies,
      QUESTION_CONTENT.quickReplies,
      found.quickReplies,
      ...SCENARIOS.map((s) => [...(s.content.quickReplies ?? []), ...(s.menuOption ? [s.menuOption] : [])]),
      ...Object.values(HOOK_NAMES.questions).map((q) => (q.qr ? [q.qr] : [])),
    ),
    templates: union(found.templates, ...SCENARIOS.map((s) => s.content.templates ?? [])),
    checklists: union(found.checklists, ...SCENARIOS.map((s) => s.checklists ?? [])),
    placeholders: union(PLACEHOLDERS, Object.keys(HOOK_NAMES.placeholders), found.fills),
  };
})();

/** The stage a snapshot is in (top-level state), or undefined before the conversation starts. */
export function stageOf(value: unknown): StageName | undefined {
  const top = typeof value === 'string' ? value : value && typeof value === 'object' ? Object.keys(value)[0] : undefined;
  return STAGES.includes(top ?? '') ? top : undefined;
}
