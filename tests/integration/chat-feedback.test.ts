/**
 * The optional LINE niceties: the loading animation for an answer that is slow to come (the turn
 * is held here until LINE has seen the animation request, so nothing depends on timing), and
 * mark-as-read (chat mode) once a message is answered. Both are checked against LINE's spec by
 * the local platform.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { webhook } from '@line/bot-sdk';
import { textEvent } from '../../src/local/webhook-events.ts';
import type { Store } from '../../src/store/ports.ts';
import { startHarness, waitFor, type Harness } from '../support/harness.ts';

const USER = `U${'c3'.repeat(16)}`;

describe('LINE niceties', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('shows the loading animation when the answer is not out in time', async () => {
    let platformSawLoading: () => boolean = () => false;
    h = await startHarness({
      overrides: {
        loadingAnimationAfterMs: 50,
        // The turn commits only once LINE has been asked to show the animation: a slow turn.
        wrapStore: (store: Store): Store =>
          Object.assign(Object.create(store) as Store, {
            commitTurn: async (turn: Parameters<Store['commitTurn']>[0]) => {
              await waitFor(() => platformSawLoading(), 'the loading animation request');
              return store.commitTurn(turn);
            },
          }),
      },
    });
    platformSawLoading = () => h!.platform.requests.some((r) => r.path === '/v2/bot/chat/loading/start' && r.status === 202);
    const replies = await h.say(USER, 'こんにちは');
    expect(replies.length).toBeGreaterThan(0);
    const loading = h.platform.requests.filter((r) => r.path === '/v2/bot/chat/loading/start');
    expect(loading.map((r) => r.body)).toEqual([{ chatId: USER, loadingSeconds: 5 }]);
    expect(h.platform.violations).toEqual([]);
  });

  it('marks an answered message as read when LINE_MARK_AS_READ is on', async () => {
    h = await startHarness({ env: { LINE_MARK_AS_READ: 'true' } });
    const event = textEvent({ userId: USER, text: 'こんにちは', timestamp: h.clock.now().getTime(), replyToken: h.platform.issueReplyToken(USER) });
    (event.message as webhook.TextMessageContent & { markAsReadToken?: string }).markAsReadToken = 'mark-as-read-token-1';
    expect((await h.post([event])).status).toBe(200);
    await h.akari.idle();
    const read = await waitFor(() => h!.platform.requests.find((r) => r.path === '/v2/bot/chat/markAsRead' && r.status !== null), 'the mark-as-read request');
    expect(read.body).toEqual({ markAsReadToken: 'mark-as-read-token-1' });
    expect(read.status).toBe(200);
    expect(h.platform.deliveriesFor(USER).length).toBeGreaterThan(0);
  });

  it('reads the two settings, on and off', async () => {
    const { loadConfig } = await import('../../src/config/load-config.ts');
    expect(loadConfig({}).chatFeedback).toEqual({ loadingAnimation: true, markAsRead: false });
    expect(loadConfig({ LINE_LOADING_ANIMATION: 'false', LINE_MARK_AS_READ: 'true' }).chatFeedback).toEqual({ loadingAnimation: false, markAsRead: true });
    expect(() => loadConfig({ LINE_MARK_AS_READ: 'sometimes' })).toThrow(/LINE_MARK_AS_READ/);
  });
});
