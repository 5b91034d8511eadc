import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getShortestPaths } from 'xstate/graph';
import type { AnyStateNode } from 'xstate';
import { createConversationMachine, CONTENT_REQUIREMENTS, TIMER_KINDS } from '../../src/conversation/machine.ts';
import type { ConversationEvent } from '../../src/conversation/kit/events.ts';
import { loadFlows } from '../../src/flows/load-flows.ts';
import { createBusinessCalendar } from '../../src/time/business-calendar.ts';
import { createCallWindows } from '../../src/time/call-windows.ts';
import { buildDiagram, DIAGRAM_FILE, README_FILE, replaceReadmeDiagram } from '../../scripts/diagram-lib.ts';

const flowsDir = fileURLToPath(new URL('../../flows', import.meta.url));
const content = loadFlows(flowsDir, CONTENT_REQUIREMENTS);
const calendar = createBusinessCalendar();
const machine = createConversationMachine({ content, calendar, callWindows: createCallWindows(calendar) });
const AT = Date.parse('2026-12-01T01:00:00Z'); // Tuesday 10:00 in Tokyo

/** Every tap the content offers, and texts a user would type: the alphabet the walk explores. */
function sampleEvents(): ConversationEvent[] {
  const taps = new Set<string>();
  for (const options of Object.values(content.quickReplies)) for (const o of options) if ('data' in o) taps.add(o.data);
  for (const list of Object.keys(content.checklists)) for (const item of content.checklists[list]!.items) taps.add(`action=tick&list=${list}&item=${item.id}`);
  const texts = ['6日前に株式会社ミライから非通知で電話。佐藤健です', '次へ', 'スキップ', '完了', '戻る', 'はい', 'いいえ', '田中さん', '11時から21時', '正直に話せた', 'ふむ'];
  return [
    { type: 'FOLLOW', at: AT },
    { type: 'UNFOLLOW', at: AT },
    { type: 'NON_TEXT', kind: 'sticker', at: AT },
    ...[...taps].map((data) => ({ type: 'POSTBACK' as const, data, at: AT })),
    ...texts.map((text) => ({ type: 'TEXT' as const, text, at: AT })),
    ...TIMER_KINDS.map((kind) => ({ type: 'TIMER' as const, timer: { id: kind, kind, dueAt: AT, payload: null }, at: AT })),
  ];
}

/** States that are only passed through (an unconditional `always`): they never rest in a snapshot. */
function isTransient(node: AnyStateNode): boolean {
  const always = (node.config as { always?: unknown }).always;
  const list = Array.isArray(always) ? always : always ? [always] : [];
  return list.some((t) => typeof t === 'string' || (typeof t === 'object' && t !== null && !('guard' in t)));
}

function leafPaths(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [`${prefix}${value}`];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [`${prefix}${k}`, ...leafPaths(v, `${prefix}${k}.`)]);
}

describe('the conversation machine as a graph', () => {
  it('has no unreachable state: a walk over every tap and typical texts reaches them all', () => {
    const paths = getShortestPaths(machine, {
      events: sampleEvents(),
      // Reachability of states, not of every context: one snapshot per state and per the context
      // that decides where it can go next (the question asked, what is known, the outcome).
      serializeState: (s) =>
        JSON.stringify([s.value, s.context.question, s.context.outcome, s.context.notifications]),
      limit: 200_000,
    });
    const reached = new Set(paths.flatMap((p) => leafPaths(p.state.value)));
    const all: AnyStateNode[] = [];
    const collect = (node: AnyStateNode) => {
      for (const child of Object.values(node.states)) {
        all.push(child);
        collect(child);
      }
    };
    collect(machine.root);
    const unreachable = all.filter((n) => !isTransient(n) && !reached.has(n.path.join('.'))).map((n) => n.path.join('.'));
    expect(unreachable).toEqual([]);
    // The walk really explored: every stage was reached.
    for (const stage of ['situation', 'preparation', 'call', 'followUp', 'lessons']) expect(reached.has(stage)).toBe(true);
  });

  it('the Mermaid diagram in docs/ and in the README is current (npm run diagram)', () => {
    const mermaid = buildDiagram();
    expect(readFileSync(DIAGRAM_FILE, 'utf8')).toBe(mermaid);
    const readme = readFileSync(README_FILE, 'utf8');
    expect(replaceReadmeDiagram(readme, mermaid)).toBe(readme);
    expect(mermaid).toContain('state "followUp" as followUp {');
  });
});
