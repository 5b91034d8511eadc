import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { followEvent, postbackEvent, textEvent, unfollowEvent, stickerEvent } from '../../src/local/webhook-events.ts';
import { createFakeClock } from '../../src/time/clock.ts';
import { startHarness } from '../support/harness.ts';

/**
 * Conversations as data: each tests/conversations/*.yaml is a transcript of what a user sends (text,
 * taps, follow, time passing) and fragments Akari's answer must (and must not) contain, with the
 * stage, state and remembered details expected after each step. Run through the real webhook.
 */
const expectSchema = z
  .object({
    replies: z.array(z.string()).optional(),
    notReplies: z.array(z.string()).optional(),
    /** The quick-reply labels offered with the step's last message, in order. */
    options: z.array(z.string()).optional(),
    /** Nothing at all is sent (e.g. a stale timer). */
    silent: z.boolean().optional(),
    stage: z.string().optional(),
    state: z.string().optional(),
    profile: z.record(z.string(), z.unknown()).optional(),
    context: z.record(z.string(), z.unknown()).optional(),
    /** Pending timers of the user, by kind. */
    timers: z.array(z.string()).optional(),
    deleted: z.boolean().optional(),
    pushes: z.number().optional(),
    flex: z.boolean().optional(),
  })
  .strict();

const stepSchema = z
  .object({
    say: z.string().optional(),
    tap: z.string().optional(),
    follow: z.boolean().optional(),
    unfollow: z.boolean().optional(),
    sticker: z.boolean().optional(),
    advance: z.object({ minutes: z.number().optional(), hours: z.number().optional(), days: z.number().optional(), to: z.string().optional() }).strict().optional(),
    expect: expectSchema.optional(),
  })
  .strict();

const transcriptSchema = z
  .object({
    name: z.string(),
    start: z.string().optional(),
    steps: z.array(stepSchema).min(1),
  })
  .strict();

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

function stateString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [k, v] = Object.entries(value)[0] ?? [];
    return v === undefined ? String(k) : `${k}.${stateString(v)}`;
  }
  return String(value);
}

describe('conversation transcripts', () => {
  it('has transcripts', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  for (const file of files) {
    const transcript = transcriptSchema.parse(parseYaml(readFileSync(join(dir, file), 'utf8')));
    it(`${file}: ${transcript.name}`, async () => {
      const clock = createFakeClock(transcript.start ?? '2026-12-01T10:00:00+09:00');
      const h = await startHarness({ clock, env: { LOCAL_TOOLS: 'true' } });
      const user = `U${'0'.repeat(32 - file.length % 10)}${file.length % 10}`.slice(0, 33);
      try {
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
            const res = await request(h.akari.url).post('/local/clock').send(body);
            expect(res.status, `${where}: POST /local/clock ${res.text}`).toBe(200);
          }
          await h.akari.idle();
          const delivered = h.platform.deliveries.slice(before).filter((d) => d.userId === user);
          const texts = delivered.flatMap((d) => d.messages.map((m) => (m.type === 'text' ? m.text : m.type === 'flex' ? m.altText : ''))).join('\n');
          const e = step.expect;
          if (!e) continue;
          for (const fragment of e.replies ?? []) expect(texts, `${where}: reply should contain 「${fragment}」`).toContain(fragment);
          for (const fragment of e.notReplies ?? []) expect(texts, `${where}: reply should not contain 「${fragment}」`).not.toContain(fragment);
          if (e.options) {
            const last = delivered.at(-1)?.messages.at(-1) as { quickReply?: { items: Array<{ action: { label?: string } }> } } | undefined;
            expect(last?.quickReply?.items.map((i) => i.action.label), `${where}: options`).toEqual(e.options);
          }
          if (e.silent) expect(delivered, `${where}: nothing should be sent`).toHaveLength(0);
          if (e.pushes !== undefined) expect(delivered.filter((d) => d.kind === 'push').length, `${where}: pushes`).toBe(e.pushes);
          if (e.flex) expect(delivered.some((d) => d.messages.some((m) => m.type === 'flex')), `${where}: a flex card`).toBe(true);
          const conv = await h.akari.store.loadConversation(user);
          if (e.deleted) expect(conv, `${where}: conversation deleted`).toBeUndefined();
          const snapshot = conv?.snapshot as { value?: unknown; context?: Record<string, unknown> } | undefined;
          if (e.stage) expect(conv?.stage, `${where}: stage`).toBe(e.stage);
          if (e.state) expect(stateString(snapshot?.value), `${where}: state`).toBe(e.state);
          if (e.profile) expect(snapshot?.context?.profile, `${where}: profile`).toMatchObject(e.profile);
          if (e.context) expect(snapshot?.context, `${where}: context`).toMatchObject(e.context);
          if (e.timers) {
            const pending = (await h.akari.store.pendingTimers(user)).map((t) => t.kind).sort();
            expect(pending, `${where}: pending timers`).toEqual([...e.timers].sort());
          }
        }
        expect(h.platform.violations.filter((v) => !v.path.includes('/richmenu/alias/')), 'no request broke LINE rules').toEqual([]);
      } finally {
        await h.stop();
      }
    });
  }
});
