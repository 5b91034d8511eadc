/**
 * Days simulated in milliseconds: the fake clock moved through POST /local/clock (the clock router on
 * a bare app), a SQLite store, the scheduler, and a stand-in for the conversation that answers each
 * timer with one proactive push. Timers are computed the way the conversation does (business
 * calendar), and the push policy is checked over whole days and weeks.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createClockRouter } from '../../src/local/clock-routes.ts';
import { createLogger } from '../../src/log/create-logger.ts';
import { createStoreScheduler } from '../../src/scheduler/store-scheduler.ts';
import { createSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/ports.ts';
import { createBusinessCalendar } from '../../src/time/business-calendar.ts';
import { createFakeClock, type FakeClock } from '../../src/time/clock.ts';
import { formatTokyo } from '../../src/time/tokyo.ts';
import { jst } from './scheduler-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'akari-days-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALICE = 'Ualice00000000000000000000000000a';

interface World {
  store: Store;
  clock: FakeClock;
  app: express.Express;
  /** Pushes sent, as Tokyo "M月D日（曜）HH:MM". */
  pushes: Array<{ userId: string; at: string }>;
  addTimer(userId: string, dueAt: number, payload?: unknown): Promise<string>;
  advance(minutes: number): Promise<number>;
  moveTo(local: string): Promise<number>;
}

const open: Store[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

function createWorld(start: string): World {
  const store = createSqliteStore(`file:${join(dir, `days-${++n}.db`)}`);
  open.push(store);
  const clock = createFakeClock(start);
  const log = createLogger({ level: 'silent', pretty: false });
  const pushes: World['pushes'] = [];
  const scheduler = createStoreScheduler({ store, clock, log, onFired: () => {}, autoRun: false });
  // Stands in for dispatcher + conversation + sender: every timer turn pushes one message.
  const idle = async () => {
    for (const userId of await store.usersWithPendingInbox()) {
      for (let row = await store.nextInboxRow(userId); row; row = await store.nextInboxRow(userId)) {
        const now = clock.now().getTime();
        const batch = { id: randomUUID(), userId, messages: [{ type: 'text', text: 'お知らせ' }], proactive: true, createdAt: now };
        await store.commitTurn({ userId, inboxSeq: row.seq, outbox: [batch] });
        await store.markOutboxSent(batch.id, 'push', now);
        pushes.push({ userId, at: formatTokyo(clock.now(), 'dateTime') });
      }
    }
  };
  const app = express();
  app.use('/local', createClockRouter({ clock, scheduler, idle, log }));
  const post = async (body: object) => {
    const res = await request(app).post('/local/clock').send(body);
    if (res.status !== 200) throw new Error(`clock answered ${res.status}: ${res.text}`);
    return res.body.fired as number;
  };
  return {
    store,
    clock,
    app,
    pushes,
    async addTimer(userId, dueAt, payload = null) {
      const id = randomUUID();
      await store.commitTurn({ userId, scheduleTimers: [{ id, userId, kind: 'followUp', dueAt, payload, createdAt: clock.now().getTime() }] });
      return id;
    },
    advance: (minutes) => post({ advanceMinutes: minutes }),
    moveTo: (local) => post({ now: local }),
  };
}

describe('simulated days', () => {
  const calendar = createBusinessCalendar();

  it('a reminder set on the Friday before a Monday holiday (海の日) comes on Tuesday', async () => {
    const w = createWorld('2026-07-17T16:00');
    const due = calendar.nextBusinessDay(new Date(jst('2026-07-17T10:00'))).getTime();
    expect(due).toBe(jst('2026-07-21T10:00'));
    await w.addTimer(ALICE, due);

    const firedPerDay: number[] = [];
    for (let day = 0; day < 5; day++) firedPerDay.push(await w.advance(24 * 60));
    // Sat, Sun, Mon (holiday): nothing; Tue: the reminder, at 10:00 sharp.
    expect(firedPerDay).toEqual([0, 0, 0, 1, 0]);
    expect(w.pushes).toEqual([{ userId: ALICE, at: '7月21日（火）10:00' }]);
  });

  it('a reminder set just before the year-end break comes on the first business day of the new year', async () => {
    const w = createWorld('2026-12-28T16:00');
    const due = calendar.nextBusinessDay(new Date(jst('2026-12-28T10:00'))).getTime();
    expect(due).toBe(jst('2027-01-04T10:00'));
    await w.addTimer(ALICE, due);

    const firedPerDay: number[] = [];
    for (let day = 0; day < 8; day++) firedPerDay.push(await w.advance(24 * 60));
    expect(firedPerDay).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
    expect(w.pushes).toEqual([{ userId: ALICE, at: '1月4日（月）10:00' }]);
  });

  it('over a week, one user never gets more than one push a day, and none in quiet hours', async () => {
    const w = createWorld('2026-12-01T09:30');
    await w.addTimer(ALICE, jst('2026-12-01T10:00'));
    await w.addTimer(ALICE, jst('2026-12-01T10:00'));
    await w.addTimer(ALICE, jst('2026-12-01T12:00'));
    await w.addTimer(ALICE, jst('2026-12-01T22:30'));
    await w.addTimer(ALICE, jst('2026-12-02T08:00'));
    // Another user is not held back by the first one's cap.
    await w.addTimer('Ubob', jst('2026-12-01T12:00'));

    expect(await w.moveTo('2026-12-08T00:00')).toBe(6);
    expect(w.pushes.filter((p) => p.userId === ALICE).map((p) => p.at)).toEqual([
      '12月1日（火）10:00',
      '12月2日（水）09:00',
      '12月3日（木）09:00',
      '12月4日（金）09:00',
      '12月5日（土）09:00',
    ]);
    expect(w.pushes.filter((p) => p.userId === 'Ubob').map((p) => p.at)).toEqual(['12月1日（火）12:00']);
  });

  it('a timer with an expiresAt that the cap pushes past it is dropped, not sent late', async () => {
    const w = createWorld('2026-12-01T09:30');
    await w.addTimer(ALICE, jst('2026-12-01T10:00'));
    await w.addTimer(ALICE, jst('2026-12-01T15:00'), { expiresAt: jst('2026-12-01T18:00') });
    expect(await w.moveTo('2026-12-03T00:00')).toBe(1);
    expect(w.pushes.map((p) => p.at)).toEqual(['12月1日（火）10:00']);
    expect(await w.store.pendingTimers(ALICE)).toEqual([]);
  });
});
