/**
 * The store's rows as both adapters read them back, and their mapping to the port's records: the
 * same columns in SQLite and PostgreSQL (SQLite keeps flags as 0/1, PostgreSQL as booleans).
 */
import type { InboxRow, InboxStatus, OutboxBatch, OutboxStatus, TimerRecord, TimerStatus } from './ports.ts';

export interface InboxDbRow {
  seq: number;
  event_id: string;
  user_id: string;
  payload: string;
  received_at: number;
  status: InboxStatus;
  attempts: number;
  last_error: string | null;
}

export interface OutboxDbRow {
  seq: number;
  id: string;
  user_id: string;
  messages: string;
  reply_token: string | null;
  reply_token_at: number | null;
  event_id: string | null;
  /** SQLite stores 0/1, PostgreSQL a boolean. */
  proactive: number | boolean;
  created_at: number;
  status: OutboxStatus;
  attempts: number;
  reply_attempted: number | boolean;
  sent_via: 'reply' | 'push' | null;
  last_error: string | null;
}

export interface TimerDbRow {
  id: string;
  user_id: string;
  kind: string;
  due_at: number;
  payload: string;
  status: TimerStatus;
  created_at: number;
}

export const toInbox = (r: InboxDbRow): InboxRow => ({
  seq: r.seq,
  eventId: r.event_id,
  userId: r.user_id,
  payload: JSON.parse(r.payload) as unknown,
  receivedAt: r.received_at,
  status: r.status,
  attempts: r.attempts,
  ...(r.last_error ? { lastError: r.last_error } : {}),
});

export const toOutbox = (r: OutboxDbRow): OutboxBatch => ({
  seq: r.seq,
  id: r.id,
  userId: r.user_id,
  ...(r.event_id !== null ? { eventId: r.event_id } : {}),
  messages: JSON.parse(r.messages) as unknown[],
  ...(r.reply_token ? { replyToken: r.reply_token } : {}),
  ...(r.reply_token_at !== null ? { replyTokenAt: r.reply_token_at } : {}),
  proactive: r.proactive === true || r.proactive === 1,
  createdAt: r.created_at,
  status: r.status,
  attempts: r.attempts,
  replyAttempted: r.reply_attempted === true || r.reply_attempted === 1,
  ...(r.sent_via ? { sentVia: r.sent_via } : {}),
  ...(r.last_error ? { lastError: r.last_error } : {}),
});

export const toTimer = (r: TimerDbRow): TimerRecord => ({
  id: r.id,
  userId: r.user_id,
  kind: r.kind,
  dueAt: r.due_at,
  payload: JSON.parse(r.payload) as unknown,
  status: r.status,
  createdAt: r.created_at,
});
