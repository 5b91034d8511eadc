import Database from 'better-sqlite3';
import { expect } from 'vitest';
import type { LinePlatform } from '../../src/local/line-platform.ts';
import { sqlitePathFromUrl } from '../../src/store/sqlite-store.ts';

interface BatchRow {
  id: string;
  user_id: string;
  status: string;
  reply_token: string | null;
  messages: string;
}

/** Every outbox batch of these users, read from the database file (what Akari decided to say). */
export function batchesOf(databaseUrl: string, users: string[]): BatchRow[] {
  const db = new Database(sqlitePathFromUrl(databaseUrl), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT id, user_id, status, reply_token, messages FROM outbox ORDER BY seq').all() as BatchRow[];
    return rows.filter((r) => users.includes(r.user_id));
  } finally {
    db.close();
  }
}

/**
 * Per user: every answer Akari stored was sent, and reached LINE exactly once (a reply with the
 * batch's token, or a push keyed by the batch id), and nothing else reached the user. Returns how
 * many answers each user got, for the test to check against what it sent.
 */
export function expectEveryAnswerOnce(platform: LinePlatform, databaseUrl: string, users: string[]): Record<string, number> {
  const batches = batchesOf(databaseUrl, users);
  const counts: Record<string, number> = {};
  for (const user of users) {
    const mine = batches.filter((b) => b.user_id === user);
    const deliveries = platform.deliveriesFor(user);
    expect(mine.map((b) => [b.id, b.status]), `the answers to ${user}`).toEqual(mine.map((b) => [b.id, 'sent']));
    for (const b of mine) {
      const got = deliveries.filter((d) => (d.kind === 'push' ? d.retryKey === b.id : b.reply_token !== null && d.replyToken === b.reply_token));
      expect(got.length, `deliveries of batch ${b.id} to ${user}`).toBe(1);
      expect(got[0]!.messages).toEqual(JSON.parse(b.messages));
    }
    expect(deliveries.length, `deliveries to ${user}`).toBe(mine.length);
    counts[user] = mine.length;
  }
  return counts;
}

/** A LINE-shaped user id (U + 32 hex digits), numbered. */
export const lineUserId = (n: number, prefix = 'U') => `${prefix}${n.toString(16).padStart(32, '0')}`;
