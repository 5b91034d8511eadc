/**
 * The transcripts that reach past one exchange (timers and pushes, the clock moved on, deletion,
 * notifications off, a restart) played on PostgreSQL: each on a schema of its own, through the real
 * app, checking what the user receives, pushes, timers and deletion as transcripts.test.ts does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { followEvent, postbackEvent, stickerEvent, textEvent, unfollowEvent } from '../../src/local/webhook-events.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { startHarness } from '../support/harness.ts';
import { createTestSchema } from '../support/postgres.ts';

const dir = fileURLToPath(new URL('.', import.meta.url));
// The transcripts that move the clock (timers fire, pushes go out) or delete the user's data.
const FILES = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.yaml'))
  .filter((f) => /^\s*- advance:|deleted: true/m.test(readFileSync(join(dir, f), 'utf8')))
  .sort();

interface Step {
  say?: string;
  tap?: string;
  follow?: boolean;
  unfollow?: boolean;
  sticker?: boolean;
  advance?: { minutes?: number; hours?: number; days?: number; to?: string };
  expect?: { replies?: string[]; notReplies?: string[]; silent?: boolean; pushes?: number; timers?: string[]; deleted?: boolean; stage?: string };
}

describe('conversation transcripts on PostgreSQL', () => {
  it('has transcripts with timers and deletions', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(5);
  });

  for (const file of FILES) {
    const transcript = parseYaml(readFileSync(join(dir, file), 'utf8')) as { name: string; start?: string; steps: Step[] };
    it(`${file}: ${transcript.name}`, async () => {
      const schema = await createTestSchema('tx');
      const clock = createFakeClock(transcript.start ?? '2026-12-01T10:00:00+09:00');
      const h = await startHarness({ clock, databaseUrl: schema.url, env: { LOCAL_TOOLS: 'true' } });
      const user = 'U0000000000000000000000000000pg01';
      try {
        expect(h.akari.store.kind).toBe('postgres');
        for (const [index, step] of transcript.steps.entries()) {
          const where = `${file} step ${index + 1}`;
          const before = h.platform.deliveries.length;
          const now = () => h.clock.now().getTime();
          const token = () => h.platform.issueReplyToken(user);
          if (step.say !== undefined) await h.post([textEvent({ userId: user, text: step.say, timestamp: now(), replyToken: token() })]);
          else if (step.tap !== undefined) await h.post([postbackEvent({ userId: user, data: step.tap, timestamp: now(), replyToken: token() })]);
          else if (step.follow) await h.post([followEvent({ userId: user, timestamp: now(), replyToken: token() })]);
          else if (step.unfollow) await h.post([unfollowEvent({ userId: user, timestamp: now() })]);
          else if (step.sticker) await h.post([stickerEvent({ userId: user, timestamp: now(), replyToken: token() })]);
          else if (step.advance) {
            const a = step.advance;
            const body = a.to ? { now: a.to } : { advanceMinutes: (a.minutes ?? 0) + (a.hours ?? 0) * 60 + (a.days ?? 0) * 1440 };
            expect((await request(h.akari.url).post('/local/clock').send(body)).status, where).toBe(200);
          }
          await h.akari.idle();
          const delivered = h.platform.deliveries.slice(before).filter((d) => d.userId === user);
          const texts = delivered.flatMap((d) => d.messages.map((m) => (m.type === 'text' ? m.text : m.type === 'flex' ? m.altText : ''))).join('\n');
          const e = step.expect;
          if (!e) continue;
          for (const fragment of e.replies ?? []) expect(texts, `${where}: reply should contain 「${fragment}」`).toContain(fragment);
          for (const fragment of e.notReplies ?? []) expect(texts, `${where}: reply should not contain 「${fragment}」`).not.toContain(fragment);
          if (e.silent) expect(delivered, `${where}: nothing should be sent`).toHaveLength(0);
          if (e.pushes !== undefined) expect(delivered.filter((d) => d.kind === 'push').length, `${where}: pushes`).toBe(e.pushes);
          const conv = await h.akari.store.loadConversation(user);
          if (e.deleted) expect(conv, `${where}: conversation deleted`).toBeUndefined();
          if (e.stage) expect(conv?.stage, `${where}: stage`).toBe(e.stage);
          if (e.timers) {
            const pending = (await h.akari.store.pendingTimers(user)).map((t) => t.kind).sort();
            expect(pending, `${where}: pending timers`).toEqual([...e.timers].sort());
          }
        }
      } finally {
        await h.stop();
        await schema.drop();
      }
    });
  }
});
