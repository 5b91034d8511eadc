/**
 * The stage funnel end to end: real conversations through the webhook leave stage records (no
 * text) in the store, `npm run report` prints them per scenario and stage with small counts hidden,
 * and a user's データ削除 deletes their records.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config/schema.ts';
import { ROOT } from '../support/akari-process.ts';
import { startHarness } from '../support/harness.ts';

const run = promisify(execFile);
const ALICE = `U${'a1'.repeat(16)}`;
const BOB = `U${'b2'.repeat(16)}`;

describe('the stage funnel', () => {
  it('records stage changes from real turns, reports them, and forgets a user who deletes their data', async () => {
    const h = await startHarness();
    try {
      for (const user of [ALICE, BOB]) {
        await h.say(user, '2日前に株式会社ミライから電話。非通知で出ませんでした。名前は佐藤です');
        await h.say(user, '電話する');
      }
      const records = await h.akari.store.funnelRecords();
      const alice = records.filter((r) => r.userId === ALICE);
      expect(alice.map((r) => [r.kind, r.from ?? null, r.to])).toEqual([
        ['stage', null, 'situation'],
        ['stage', 'situation', 'call'],
      ]);
      expect(alice.every((r) => r.scenario === 'missed-call')).toBe(true);
      expect(JSON.stringify(records)).not.toMatch(/ミライ|佐藤|電話/);

      // The operator's report, from the same database file.
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const key of Object.keys(envSchema.shape)) env[key] = '';
      env.DATABASE_URL = h.databaseUrl;
      const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/report.ts'], { cwd: ROOT, env });
      expect(stdout).toContain('Scenario: missed-call');
      expect(stdout).toMatch(/\| situation\s+\|\s+<20 \|/);
      expect(stdout).toMatch(/\| call\s+\|\s+<20 \|/);
      const json = JSON.parse((await run(process.execPath, ['--import', 'tsx', 'scripts/report.ts', '--json'], { cwd: ROOT, env })).stdout) as Array<{ stage: string; reached: number | null }>;
      expect(json.find((r) => r.stage === 'situation')).toMatchObject({ reached: null });

      // The second scenario: its stages are recorded under its own name.
      const CAROL = `U${'c4'.repeat(16)}`;
      await h.say(CAROL, '先週面接して、1週間以内に連絡すると言われたのにまだ来ません。電話してもいいですか？');
      expect((await h.akari.store.funnelRecords()).filter((r) => r.userId === CAROL).map((r) => [r.scenario, r.to])).toEqual([['waiting', 'contactWait']]);

      await h.say(ALICE, 'データ削除');
      await h.tap(ALICE, 'action=delete&confirm=yes');
      const after = await h.akari.store.funnelRecords();
      expect(after.filter((r) => r.userId === ALICE)).toEqual([]);
      expect(after.filter((r) => r.userId === BOB)).toHaveLength(2);
    } finally {
      await h.stop();
    }
  }, 60_000);
});
