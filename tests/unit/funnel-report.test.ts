import { describe, expect, it } from 'vitest';
import { buildFunnel, formatFunnel } from '../../src/report/funnel.ts';
import type { FunnelRecord } from '../../src/store/ports.ts';

const H = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const NOW = T0 + 30 * 24 * H;
const S = 'missed-call';
const u = (i: number) => `U${String(i).padStart(32, '0')}`;

/**
 * 30 users reach situation; 24 of them move on to preparation after i hours (1..24 h, median 12.5 h);
 * 6 stay in situation: 4 silent for weeks (dropped), 2 active yesterday (not dropped). 21 of the 24
 * get a push in preparation: 20 reply, and 15 of those move on to call within a day.
 */
function story(): { records: FunnelRecord[]; conversations: Array<{ userId: string; stage: string; updatedAt: number }> } {
  const records: FunnelRecord[] = [];
  const conversations: Array<{ userId: string; stage: string; updatedAt: number }> = [];
  for (let i = 1; i <= 30; i++) {
    const start = T0 + i * 60_000;
    records.push({ userId: u(i), scenario: S, kind: 'stage', to: 'situation', at: start });
    if (i <= 24) {
      const prep = start + i * H;
      records.push({ userId: u(i), scenario: S, kind: 'stage', from: 'situation', to: 'preparation', at: prep });
      let stage = 'preparation';
      if (i <= 21) {
        records.push({ userId: u(i), scenario: S, kind: 'push', to: 'preparation', at: prep + 24 * H });
        if (i <= 20) records.push({ userId: u(i), scenario: S, kind: 'reply', to: 'preparation', at: prep + 25 * H });
        if (i <= 15) {
          records.push({ userId: u(i), scenario: S, kind: 'stage', from: 'preparation', to: 'call', at: prep + 26 * H });
          stage = 'call';
        }
      }
      conversations.push({ userId: u(i), stage, updatedAt: NOW - H });
    } else {
      conversations.push({ userId: u(i), stage: 'situation', updatedAt: i <= 28 ? T0 + i * H : NOW - 24 * H });
    }
  }
  return { records, conversations };
}

describe('the stage funnel', () => {
  it('counts reached, moved on, dropped, median time, pushes and what followed them', () => {
    const rows = buildFunnel({ ...story(), now: NOW });
    const situation = rows.find((r) => r.stage === 'situation')!;
    expect(situation).toMatchObject({ scenario: S, reached: 30, movedOn: 24, dropped: 4, visitsLeft: 24, pushes: 0 });
    expect(situation.medianMs).toBe(12.5 * H);
    const preparation = rows.find((r) => r.stage === 'preparation')!;
    expect(preparation).toMatchObject({ reached: 24, movedOn: 15, dropped: 0, pushes: 21, pushesReplied: 20, pushesMovedOn: 15 });
    expect(preparation.medianMs).toBe(26 * H);
    expect(rows.find((r) => r.stage === 'call')).toMatchObject({ reached: 15, movedOn: 0, dropped: 0 });
  });

  it('hides counts under 20 and medians over fewer than 20 visits', () => {
    const text = formatFunnel(buildFunnel({ ...story(), now: NOW }));
    const line = (stage: string) => text.split('\n').find((l) => l.startsWith(`| ${stage} `))!;
    expect(text).toContain('Scenario: missed-call');
    expect(line('situation')).toMatch(/\|\s+30 \|\s+24 \|\s+<20 \|\s+12\.5 h \|\s+<20 \|/);
    // 15 moved on (hidden), 15 visits left it (median hidden), 21 pushes, 20 replied, 15 moved on.
    expect(line('preparation')).toMatch(/\|\s+24 \|\s+<20 \|\s+<20 \|\s+— \|\s+21 \|\s+20 \|\s+<20 \|/);
    expect(line('call')).toMatch(/\|\s+<20 \|/);
    expect(text).not.toMatch(/\b(15|4|6)\b \|/);
  });

  it('counts leaving for gone (unfollow) as dropping out, not moving on', () => {
    const records: FunnelRecord[] = [
      { userId: u(1), scenario: S, kind: 'stage', to: 'call', at: T0 },
      { userId: u(1), scenario: S, kind: 'stage', from: 'call', to: 'gone', at: T0 + H },
    ];
    const rows = buildFunnel({ records, conversations: [{ userId: u(1), stage: 'gone', updatedAt: T0 + H }], now: T0 + 2 * H });
    expect(rows.map((r) => r.stage)).toEqual(['call']);
    expect(rows[0]).toMatchObject({ reached: 1, movedOn: 0, dropped: 1 });
  });

  it('says so when nothing is recorded', () => {
    expect(formatFunnel(buildFunnel({ records: [], conversations: [], now: NOW }))).toMatch(/No stage changes/);
  });
});
