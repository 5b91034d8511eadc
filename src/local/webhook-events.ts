import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { webhook } from '@line/bot-sdk';

/**
 * Builds webhook payloads shaped like LINE's (see spec/line-openapi/webhook.yml) and signs them as
 * LINE does. Used by the local tools (terminal chat, simulator page) and by the tests, so both go
 * through the real /webhook path.
 */

const ULID_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID-shaped id, like LINE's webhookEventId. */
export function newEventId(now: number): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = ULID_ALPHABET[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += ULID_ALPHABET[bytes[i]! % 32];
  return time + rand;
}

export function signBody(body: string, channelSecret: string): string {
  return createHmac('sha256', channelSecret).update(body).digest('base64');
}

interface Base {
  userId: string;
  timestamp: number;
  replyToken?: string;
  redelivery?: boolean;
  eventId?: string;
}

function base(opts: Base) {
  return {
    timestamp: opts.timestamp,
    source: { type: 'user', userId: opts.userId },
    mode: 'active',
    webhookEventId: opts.eventId ?? newEventId(opts.timestamp),
    deliveryContext: { isRedelivery: opts.redelivery ?? false },
  } as const;
}

const token = (opts: Base) => opts.replyToken ?? randomUUID().replace(/-/g, '');

export function textEvent(opts: Base & { text: string }): webhook.MessageEvent {
  return {
    type: 'message',
    ...base(opts),
    replyToken: token(opts),
    message: { type: 'text', id: String(opts.timestamp) + randomBytes(2).readUInt16BE(0), text: opts.text, quoteToken: randomUUID() },
  } as webhook.MessageEvent;
}

export function postbackEvent(opts: Base & { data: string }): webhook.PostbackEvent {
  return { type: 'postback', ...base(opts), replyToken: token(opts), postback: { data: opts.data } } as webhook.PostbackEvent;
}

export function followEvent(opts: Base): webhook.FollowEvent {
  return { type: 'follow', ...base(opts), replyToken: token(opts), follow: { isUnblocked: false } } as webhook.FollowEvent;
}

export function unfollowEvent(opts: Base): webhook.UnfollowEvent {
  return { type: 'unfollow', ...base(opts) } as webhook.UnfollowEvent;
}

export function stickerEvent(opts: Base): webhook.MessageEvent {
  return {
    type: 'message',
    ...base(opts),
    replyToken: token(opts),
    message: { type: 'sticker', id: String(opts.timestamp), quoteToken: randomUUID(), packageId: '446', stickerId: '1988', stickerResourceType: 'STATIC' },
  } as webhook.MessageEvent;
}

export function imageEvent(opts: Base): webhook.MessageEvent {
  return {
    type: 'message',
    ...base(opts),
    replyToken: token(opts),
    message: { type: 'image', id: String(opts.timestamp), quoteToken: randomUUID(), contentProvider: { type: 'line' } },
  } as webhook.MessageEvent;
}

export function locationEvent(opts: Base): webhook.MessageEvent {
  return {
    type: 'message',
    ...base(opts),
    replyToken: token(opts),
    message: { type: 'location', id: String(opts.timestamp), title: '渋谷駅', address: '東京都渋谷区', latitude: 35.658, longitude: 139.7016 },
  } as webhook.MessageEvent;
}

export function callbackBody(events: webhook.Event[], destination = 'Uakaribot000000000000000000000000'): string {
  return JSON.stringify({ destination, events });
}
