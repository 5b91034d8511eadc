import type { webhook } from '@line/bot-sdk';
import type { ConversationEvent, NonTextKind, TimerInfo } from './kit/events.ts';

/** What the inbox stores for a fired timer (see store.fireTimer). */
export interface TimerPayload {
  type: 'timer';
  timer: TimerInfo;
}

const NON_TEXT: Record<string, NonTextKind> = {
  sticker: 'sticker',
  image: 'image',
  video: 'video',
  audio: 'audio',
  location: 'location',
  file: 'file',
};

/**
 * Turns a stored inbox payload (a LINE webhook event, or a fired timer) into a machine event.
 * Returns undefined for events the conversation has nothing to say to (they are acknowledged).
 */
export function toConversationEvent(payload: unknown, receivedAt: number): ConversationEvent | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const p = payload as { type?: unknown };
  if (p.type === 'timer') return { type: 'TIMER', timer: (payload as TimerPayload).timer, at: receivedAt };
  const event = payload as webhook.Event;
  const at = typeof event.timestamp === 'number' ? event.timestamp : receivedAt;
  switch (event.type) {
    case 'follow':
      return { type: 'FOLLOW', at };
    case 'unfollow':
      return { type: 'UNFOLLOW', at };
    case 'postback':
      return { type: 'POSTBACK', data: event.postback.data, at };
    case 'message': {
      const message = event.message;
      if (message.type === 'text') return { type: 'TEXT', text: message.text, at };
      return { type: 'NON_TEXT', kind: NON_TEXT[message.type] ?? 'other', at };
    }
    default:
      return undefined;
  }
}

/**
 * The key events are ordered and stored by: the LINE id of the chat (U…, C…, R…), which is also
 * where a push goes. Undefined when the event has none (it is dropped: see inbox/check-events.ts).
 */
export function userKeyOf(event: webhook.Event): string | undefined {
  const source = event.source;
  if (source?.type === 'user') return source.userId;
  if (source?.type === 'group') return source.groupId;
  if (source?.type === 'room') return source.roomId;
  return undefined;
}

export function replyTokenOf(event: webhook.Event): string | undefined {
  return 'replyToken' in event && typeof event.replyToken === 'string' ? event.replyToken : undefined;
}
