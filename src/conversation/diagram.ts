import { toDirectedGraph } from 'xstate/graph';
import type { AnyStateMachine } from 'xstate';

type Graph = ReturnType<typeof toDirectedGraph>;

/**
 * A guard in words: its name and string parameters. Of a combined guard (`and`), the parts that
 * say something: negations, inline functions and scenario conditions (filters such as "not while
 * editing") are left out.
 */
function describeGuard(guard: unknown, nested = false): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'function') {
    const parts = (guard as { guards?: unknown[] }).guards;
    if (guard.name !== 'and' || !parts) return '';
    return parts.map((p) => describeGuard(p, true)).filter(Boolean).join(' & ');
  }
  if (!guard || typeof guard !== 'object') return '';
  const { type, params } = guard as { type?: unknown; params?: Record<string, unknown> };
  // A scenario's reader: typed<Reader> <value> ("typedBranch absent"); its condition, by name.
  if (type === 'typed' && typeof params?.reader === 'string') return `typed${params.reader[0]!.toUpperCase()}${params.reader.slice(1)} ${String(params.value)}`;
  if (type === 'holds' && typeof params?.name === 'string') return nested ? '' : params.name;
  const values = params ? Object.values(params).filter((v) => typeof v === 'string').join(' ') : '';
  const name = typeof type === 'string' && !type.startsWith('xstate.') ? type : '';
  return [name, values].filter(Boolean).join(' ');
}

/** A readable label for a transition: the event and, if any, its guard's parameters. */
function edgeLabel(edge: Graph['edges'][number]): string {
  const t = edge.transition as { eventType: string; guard?: unknown };
  const event = t.eventType === '' ? 'always' : t.eventType === '*' || t.eventType === 'TEXT' || t.eventType === 'POSTBACK' ? '' : t.eventType;
  const detail = describeGuard(t.guard);
  return (detail ? `${event} [${detail}]` : event).trim();
}

const nodeName = (id: string) => id.replace(/^akari\.?/, '').replace(/\./g, '_') || 'root';

/**
 * A Mermaid state diagram of the machine, generated from its definition (so it cannot drift):
 * nested states as composite states, one arrow per distinct transition.
 */
export function toMermaid(machine: AnyStateMachine, scenarios: ReadonlyArray<{ id: string; stages: readonly string[] }> = []): string {
  const graph = toDirectedGraph(machine);
  const lines: string[] = ['stateDiagram-v2'];
  const scenarioOf = (key: string) => scenarios.find((s) => s.stages.includes(key));
  // from → to → guard → events: a transition taken on both a tap and a text is drawn once.
  const edges = new Map<string, Set<string>>();

  const walk = (node: Graph, depth: number) => {
    const pad = '  '.repeat(depth);
    for (const child of node.children) {
      const name = nodeName(child.id);
      const key = child.stateNode.key;
      if (child.children.length > 0) {
        lines.push(`${pad}state "${key}" as ${name} {`);
        const initial = (child.stateNode.config as { initial?: string }).initial;
        if (initial) lines.push(`${pad}  [*] --> ${name}_${initial}`);
        walk(child, depth + 1);
        lines.push(`${pad}}`);
      } else {
        lines.push(`${pad}state "${key}" as ${name}`);
      }
    }
  };
  const collect = (node: Graph) => {
    for (const edge of node.edges) {
      // Transitions without a target only run actions (answers, reprompts): not drawn.
      if (!(edge.transition as { target?: unknown[] }).target?.length) continue;
      const from = nodeName(edge.source.id);
      const to = nodeName(edge.target.id);
      if (from === 'root' || to === 'root') continue;
      const key = `${from} --> ${to}`;
      const labels = edges.get(key) ?? new Set<string>();
      labels.add(edgeLabel(edge).replace(/:/g, '') || 'tap/text');
      edges.set(key, labels);
    }
    node.children.forEach(collect);
  };
  // Each scenario's stages drawn inside a box of its own; the kit's states (new, gone) outside.
  if (scenarios.length > 0) {
    const top = { ...graph, children: graph.children.filter((c) => !scenarioOf(c.stateNode.key)) };
    walk(top, 1);
    for (const scenario of scenarios) {
      lines.push(`  state "scenario ${scenario.id}" as scenario_${scenario.id.replace(/\W/g, '_')} {`);
      walk({ ...graph, children: graph.children.filter((c) => scenarioOf(c.stateNode.key) === scenario) }, 2);
      lines.push('  }');
    }
  } else {
    walk(graph, 1);
  }
  lines.push(`  [*] --> ${nodeName(`akari.${(machine.config as { initial?: string }).initial ?? ''}`)}`);
  collect(graph);
  const arrows = [...edges.entries()].map(([key, labels]) => `  ${key} : ${[...labels].sort().join(' / ')}`).sort();
  return [...lines, ...arrows].join('\n') + '\n';
}
