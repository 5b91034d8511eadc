import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../log/create-logger.ts';
import type { InboxEvent } from '../store/ports.ts';

/**
 * Checks a signed webhook's events one by one before anything is stored. LINE's schema
 * (spec/line-openapi/webhook.yml) lists many more fields; these are the ones Akari reads, so an
 * event that passes cannot fail the conversation for its shape. A malformed event is logged
 * (without its content) and acknowledged, never stored: LINE would only redeliver it as it is.
 * Its neighbours are stored and handled as usual.
 */

/** Deeper than any event LINE sends (about 6 levels): storing one would recurse in JSON.stringify. */
export const MAX_EVENT_DEPTH = 32;

const id = z.string().min(1).max(200);
const source = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('user'), userId: id.optional() }),
  z.looseObject({ type: z.literal('group'), groupId: id.optional(), userId: id.optional() }),
  z.looseObject({ type: z.literal('room'), roomId: id.optional(), userId: id.optional() }),
]);

const base = z.looseObject({
  type: z.string().min(1),
  timestamp: z.number().finite().nonnegative(),
  webhookEventId: id.optional(),
  replyToken: z.string().min(1).optional(),
  source: source.optional(),
  deliveryContext: z.looseObject({ isRedelivery: z.boolean() }).optional(),
});

/** What the conversation reads of each event type it handles; other types only need the base. */
const byType: Record<string, z.ZodType> = {
  message: z.looseObject({
    message: z.union([
      z.looseObject({ type: z.literal('text'), id, text: z.string().max(10_000) }),
      z.looseObject({ type: z.string().min(1).refine((t) => t !== 'text'), id }),
    ]),
  }),
  postback: z.looseObject({ postback: z.looseObject({ data: z.string().max(1_000) }) }),
  unsend: z.looseObject({ unsend: z.looseObject({ messageId: id }) }),
};

export type CheckedEvent =
  | { ok: true; event: InboxEvent; sourceType: 'user' | 'group' | 'room' }
  | { ok: false; reason: 'malformed'; problems: string[] }
  | { ok: false; reason: 'noSource' };

/** The key a conversation is stored and ordered by: the LINE id of the chat (U…, C… or R…). */
export function chatIdOf(event: { source?: { type?: string; userId?: string; groupId?: string; roomId?: string } }): string | undefined {
  const s = event.source;
  if (s?.type === 'user') return s.userId;
  if (s?.type === 'group') return s.groupId;
  if (s?.type === 'room') return s.roomId;
  return undefined;
}

export function checkEvent(raw: unknown, receivedAt: number): CheckedEvent {
  const depth = depthOf(raw, MAX_EVENT_DEPTH);
  if (depth > MAX_EVENT_DEPTH) return { ok: false, reason: 'malformed', problems: [`nested more than ${MAX_EVENT_DEPTH} levels deep`] };
  const parsed = base.safeParse(raw);
  const extra = parsed.success ? byType[parsed.data.type]?.safeParse(raw) : undefined;
  const issues = [...(parsed.success ? [] : parsed.error.issues), ...(extra && !extra.success ? extra.error.issues : [])];
  if (issues.length > 0 || !parsed.success) {
    // Paths and zod's wording only: never the values (they may be what the user wrote).
    return { ok: false, reason: 'malformed', problems: issues.slice(0, 5).map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`) };
  }
  const event = parsed.data;
  const chatId = chatIdOf(event);
  if (!chatId || !event.source) return { ok: false, reason: 'noSource' };
  return {
    ok: true,
    sourceType: event.source.type,
    event: {
      eventId: event.webhookEventId ?? createHash('sha256').update(JSON.stringify(raw)).digest('hex'),
      userId: chatId,
      payload: raw,
      receivedAt,
    },
  };
}

/**
 * Splits a webhook's events into the ones to store and the ones to drop, logging each dropped one.
 * `raw` is whatever the signed body's `events` held.
 */
export function checkEvents(raw: unknown[], receivedAt: number, log: Logger): InboxEvent[] {
  const good: InboxEvent[] = [];
  raw.forEach((item, index) => {
    const checked = checkEvent(item, receivedAt);
    if (checked.ok) {
      good.push(checked.event);
      return;
    }
    const e = (item && typeof item === 'object' ? item : {}) as { webhookEventId?: unknown; type?: unknown };
    const bindings = {
      index,
      ...(typeof e.webhookEventId === 'string' ? { webhookEventId: e.webhookEventId.slice(0, 100) } : {}),
      ...(typeof e.type === 'string' ? { type: e.type.slice(0, 50) } : {}),
    };
    if (checked.reason === 'noSource') log.warn(bindings, 'event without a user, group or room id; acknowledged and dropped');
    else log.warn({ ...bindings, problems: checked.problems }, 'malformed event; acknowledged and dropped (its neighbours are kept)');
  });
  return good;
}

/** How deep `value` nests, counting no further than `limit + 1` (iteratively: no recursion to overflow). */
export function depthOf(value: unknown, limit: number): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
    }
  }
  return max;
}
