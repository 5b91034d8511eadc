import { describe, expect, it } from 'vitest';
import { checkEvent, depthOf, MAX_EVENT_DEPTH } from '../../src/inbox/check-events.ts';
import { textEvent } from '../../src/local/webhook-events.ts';

const U = 'U0123456789abcdef0123456789abcdef';
const ok = () => textEvent({ userId: U, text: 'こんにちは', timestamp: 1_700_000_000_000 }) as unknown as Record<string, unknown>;

describe('checking webhook events one by one', () => {
  it('takes a good event, keyed by the chat: user, group or room id', () => {
    expect(checkEvent(ok(), 5)).toMatchObject({ ok: true, sourceType: 'user', event: { userId: U, receivedAt: 5 } });
    expect(checkEvent({ ...ok(), source: { type: 'group', groupId: 'Cgroup', userId: U } }, 5)).toMatchObject({ ok: true, event: { userId: 'Cgroup' } });
    expect(checkEvent({ ...ok(), source: { type: 'room', roomId: 'Rroom' } }, 5)).toMatchObject({ ok: true, event: { userId: 'Rroom' } });
    expect(checkEvent({ type: 'unfollow', timestamp: 1, source: { type: 'user', userId: U }, webhookEventId: 'E' }, 5)).toMatchObject({ ok: true });
    // Event types Akari does not know still pass the base check (the conversation ignores them).
    expect(checkEvent({ type: 'beacon', timestamp: 1, source: { type: 'user', userId: U }, webhookEventId: 'E2', beacon: {} }, 5)).toMatchObject({ ok: true });
  });

  it('names what is wrong with a malformed event, by path, never by value', () => {
    const bad = checkEvent({ ...ok(), message: { type: 'text', id: '1', text: { secret: '秘密' } } }, 5);
    expect(bad).toMatchObject({ ok: false, reason: 'malformed' });
    expect(JSON.stringify(bad)).toContain('message');
    expect(JSON.stringify(bad)).not.toContain('秘密');
    expect(checkEvent({ ...ok(), timestamp: 'now' }, 5)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(checkEvent({ ...ok(), source: { type: 'user', userId: 42 } }, 5)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(checkEvent({ ...ok(), type: 'postback' }, 5)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(checkEvent({ ...ok(), type: 'unsend' }, 5)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(checkEvent('not an object', 5)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(checkEvent(null, 5)).toMatchObject({ ok: false, reason: 'malformed' });
  });

  it('tells an event from no chat apart from a malformed one', () => {
    const { source: _s, ...noSource } = ok();
    expect(checkEvent(noSource, 5)).toEqual({ ok: false, reason: 'noSource' });
    expect(checkEvent({ ...ok(), source: { type: 'group' } }, 5)).toEqual({ ok: false, reason: 'noSource' });
  });

  it('measures nesting without recursion, and refuses an event nested past the limit', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(depthOf(deep, MAX_EVENT_DEPTH)).toBe(MAX_EVENT_DEPTH + 1);
    expect(depthOf({ a: { b: [1, { c: 2 }] } }, MAX_EVENT_DEPTH)).toBe(4);
    expect(checkEvent({ ...ok(), extra: deep }, 5)).toMatchObject({ ok: false, reason: 'malformed' });
  });
});
