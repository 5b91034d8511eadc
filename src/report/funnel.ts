/**
 * The stage funnel for the operator, from the store's funnel records (no message text): per
 * scenario and stage, how many users reached it, moved on, dropped; the median time in it; the
 * pushes sent in it and what followed them. Counts under MIN_COUNT are hidden, as LINE does in its
 * own statistics, and so is a median over fewer visits.
 */
import type { FunnelRecord } from '../store/ports.ts';

export const MIN_COUNT = 20;
/** A user who has not moved on and whose last turn is older than this has dropped out. */
export const DROPPED_AFTER_MS = 7 * 24 * 60 * 60_000;
/** What follows a push counts if it comes this soon (and before the next push). */
export const PUSH_FOLLOW_UP_MS = 48 * 60 * 60_000;
/** Stages that are no step forward: leaving for one of them (unfollow) is dropping out. */
export const EXIT_STAGES = new Set(['gone']);

export interface StageRow {
  scenario: string;
  stage: string;
  reached: number;
  movedOn: number;
  dropped: number;
  /** Median time from entering the stage to leaving it, over the visits that left it (ms). */
  medianMs?: number;
  visitsLeft: number;
  pushes: number;
  /** Pushes the user answered (wrote or tapped) within PUSH_FOLLOW_UP_MS. */
  pushesReplied: number;
  /** Pushes after which the user left the stage within PUSH_FOLLOW_UP_MS. */
  pushesMovedOn: number;
}

export interface FunnelInput {
  records: FunnelRecord[];
  conversations: Array<{ userId: string; stage: string; updatedAt: number }>;
  now: number;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function buildFunnel(input: FunnelInput): StageRow[] {
  const rows = new Map<string, StageRow & { reachedBy: Set<string>; movedOnBy: Set<string>; leftBy: Set<string>; durations: number[] }>();
  const order: string[] = [];
  const rowFor = (scenario: string, stage: string) => {
    const key = `${scenario}\u0000${stage}`;
    let row = rows.get(key);
    if (!row) {
      row = { scenario, stage, reached: 0, movedOn: 0, dropped: 0, visitsLeft: 0, pushes: 0, pushesReplied: 0, pushesMovedOn: 0, reachedBy: new Set(), movedOnBy: new Set(), leftBy: new Set(), durations: [] };
      rows.set(key, row);
      order.push(key);
    }
    return row;
  };

  const byUser = new Map<string, FunnelRecord[]>();
  for (const r of input.records) {
    const list = byUser.get(r.userId) ?? [];
    list.push(r);
    byUser.set(r.userId, list);
  }
  for (const [userId, list] of byUser) {
    let entered: { stage: string; scenario: string; at: number } | undefined;
    for (const [i, r] of list.entries()) {
      if (r.kind === 'stage') {
        if (r.from !== undefined) {
          const left = rowFor(scenarioOf(list, r.from, r.scenario), r.from);
          if (EXIT_STAGES.has(r.to)) left.leftBy.add(userId);
          else left.movedOnBy.add(userId);
          if (entered && entered.stage === r.from) {
            left.durations.push(r.at - entered.at);
          }
        }
        if (!EXIT_STAGES.has(r.to)) rowFor(r.scenario, r.to).reachedBy.add(userId);
        entered = { stage: r.to, scenario: r.scenario, at: r.at };
      } else if (r.kind === 'push') {
        const row = rowFor(r.scenario, r.to);
        row.pushes++;
        // What came next, before the next push and within the window.
        let replied = false;
        let movedOn = false;
        for (const next of list.slice(i + 1)) {
          if (next.kind === 'push' || next.at - r.at > PUSH_FOLLOW_UP_MS) break;
          if (next.kind === 'reply') replied = true;
          if (next.kind === 'stage' && next.from === r.to) {
            movedOn = true;
            break;
          }
        }
        if (replied) row.pushesReplied++;
        if (movedOn) row.pushesMovedOn++;
      }
    }
  }

  const current = new Map(input.conversations.map((c) => [c.userId, c]));
  for (const row of rows.values()) {
    row.reached = row.reachedBy.size;
    row.movedOn = row.movedOnBy.size;
    for (const userId of row.reachedBy) {
      if (row.movedOnBy.has(userId)) continue;
      const c = current.get(userId);
      if (row.leftBy.has(userId) || !c || (c.stage === row.stage && input.now - c.updatedAt >= DROPPED_AFTER_MS)) row.dropped++;
    }
    row.visitsLeft = row.durations.length;
    const m = median(row.durations);
    if (m !== undefined) row.medianMs = m;
  }
  return order.filter((key) => rows.get(key)!.reachedBy.size > 0).map((key) => {
    const { reachedBy: _r, movedOnBy: _m, leftBy: _l, durations: _d, ...row } = rows.get(key)!;
    return row;
  });
}

/** The scenario of the stage a user left: the one their record entering it named. */
function scenarioOf(list: FunnelRecord[], stage: string, fallback: string): string {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.kind === 'stage' && list[i]!.to === stage) return list[i]!.scenario;
  return fallback;
}

const hidden = (n: number) => (n < MIN_COUNT ? `<${MIN_COUNT}` : String(n));

function duration(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 1) return `${Math.round(ms / 60_000)} min`;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} d`;
}

/** The report as text: one table per scenario, small counts hidden. */
export function formatFunnel(rows: StageRow[]): string {
  if (rows.length === 0) return 'No stage changes recorded yet.\n';
  const header = ['stage', 'reached', 'moved on', 'dropped', 'median time in stage', 'pushes', 'then replied', 'then moved on'];
  const out: string[] = [];
  for (const scenario of [...new Set(rows.map((r) => r.scenario))]) {
    const table = rows
      .filter((r) => r.scenario === scenario)
      .map((r) => [
        r.stage,
        hidden(r.reached),
        hidden(r.movedOn),
        hidden(r.dropped),
        r.medianMs !== undefined && r.visitsLeft >= MIN_COUNT ? duration(r.medianMs) : '—',
        hidden(r.pushes),
        hidden(r.pushesReplied),
        hidden(r.pushesMovedOn),
      ]);
    const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
    out.push(`Scenario: ${scenario}`, line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...table.map(line), '');
  }
  out.push(`Counts under ${MIN_COUNT} are shown as <${MIN_COUNT}, and a median over fewer than ${MIN_COUNT} visits as —. Dropped: reached, never moved on, no turn for 7 days (users who unfollow or delete their data are not counted at all). A push is followed by what comes within 48 h and before the next push.`, '');
  return out.join('\n');
}
