/**
 * Two optional LINE niceties around a user's message (1:1 chats only), both best effort:
 * - the loading animation (`showLoadingAnimation`) when the answer has not gone out `afterMs`
 *   (~1 s) after the message arrived: a backlog, a slow LINE, retries;
 * - marking the message as read (`markMessagesAsReadByToken`) once its turn is committed, for a
 *   channel with chat mode on (LINE then leaves messages unread until the bot says so).
 * A failure is logged at debug and changes nothing else.
 */
import { messagingApi, type webhook } from '@line/bot-sdk';
import type { Logger } from '../log/create-logger.ts';

export interface ChatFeedbackClient {
  showLoadingAnimation(request: { chatId: string; loadingSeconds: number }): Promise<unknown>;
  markMessagesAsReadByToken(request: { markAsReadToken: string }): Promise<unknown>;
}

export interface ChatFeedbackOptions {
  client: ChatFeedbackClient;
  log: Logger;
  loadingAnimation: boolean;
  /** Show the animation when the answer is still not out this long after the message arrived. */
  loadingAfterMs: number;
  markAsRead: boolean;
  onRequest?: (operation: string, status: string) => void;
}

export interface ChatFeedback {
  /** A new event was stored: its answer is now awaited. */
  accepted(eventId: string, event: webhook.Event): void;
  /** The event's turn is committed and its answer sent (or given up on). */
  answered(eventId: string, event: unknown): void;
  stop(): void;
}

export function createChatFeedbackClient(opts: { channelAccessToken: string; apiBaseUrl: string }): ChatFeedbackClient {
  const client = new messagingApi.MessagingApiClient({ channelAccessToken: opts.channelAccessToken, baseURL: opts.apiBaseUrl });
  return {
    showLoadingAnimation: (request) => client.showLoadingAnimation(request),
    markMessagesAsReadByToken: (request) => client.markMessagesAsReadByToken(request),
  };
}

/** The user of a 1:1 chat's message or tap; undefined for anything else (groups, rooms, follows…). */
function chatUserOf(event: unknown): string | undefined {
  const e = event as { type?: string; source?: { type?: string; userId?: string } } | null;
  if (!e || (e.type !== 'message' && e.type !== 'postback')) return undefined;
  return e.source?.type === 'user' ? e.source.userId : undefined;
}

export function createChatFeedback(opts: ChatFeedbackOptions): ChatFeedback {
  const log = opts.log.child({ module: 'chat-feedback' });
  const waiting = new Map<string, NodeJS.Timeout>();

  const call = (operation: string, request: () => Promise<unknown>, bindings: Record<string, unknown>) => {
    request().then(
      () => opts.onRequest?.(operation, '200'),
      (err: unknown) => {
        const status = (err as { status?: unknown }).status;
        opts.onRequest?.(operation, typeof status === 'number' ? String(status) : 'network');
        log.debug({ ...bindings, operation, status, err: err instanceof Error ? err.message : String(err) }, 'LINE chat feedback failed; nothing else changes');
      },
    );
  };

  return {
    accepted(eventId, event) {
      const chatId = chatUserOf(event);
      if (!opts.loadingAnimation || !chatId || waiting.has(eventId)) return;
      const timer = setTimeout(() => {
        waiting.delete(eventId);
        log.debug({ webhookEventId: eventId, userId: chatId }, 'answer not out yet: showing the loading animation');
        // 5 s, LINE's shortest: it ends by itself as soon as Akari's message arrives.
        call('loading', () => opts.client.showLoadingAnimation({ chatId, loadingSeconds: 5 }), { webhookEventId: eventId });
      }, opts.loadingAfterMs);
      timer.unref();
      waiting.set(eventId, timer);
    },
    answered(eventId, event) {
      clearTimeout(waiting.get(eventId));
      waiting.delete(eventId);
      const token = (event as { message?: { markAsReadToken?: unknown } } | null)?.message?.markAsReadToken;
      if (opts.markAsRead && chatUserOf(event) && typeof token === 'string') {
        call('markAsRead', () => opts.client.markMessagesAsReadByToken({ markAsReadToken: token }), { webhookEventId: eventId });
      }
    },
    stop() {
      for (const timer of waiting.values()) clearTimeout(timer);
      waiting.clear();
    },
  };
}
