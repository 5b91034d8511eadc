import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MACHINE_VERSION } from '../../src/conversation/machine.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const USER = 'U7777777777777777777777777777777a';

describe('versioned snapshots', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await h.stop();
  });

  it('a snapshot from an older machine restarts the user’s stage politely, keeping what they told', async () => {
    await h.akari.store.commitTurn({
      userId: USER,
      conversation: {
        userId: USER,
        machineVersion: MACHINE_VERSION - 1,
        stage: 'call',
        // An old shape: the state names no longer exist, but the profile is still readable.
        snapshot: { status: 'active', value: { calling: 'oldStep' }, context: { profile: { userName: '佐藤健', employerName: '株式会社ミライ' }, notifications: true } },
        updatedAt: 0,
      },
    });
    const replies = await h.say(USER, 'ヘルプ');
    const all = replies.join('\n');
    expect(all).toContain('仕組みを新しくしたため');
    expect(all).toContain('いよいよ電話です');
    expect(all).toContain('あかりの使い方です');
    const conv = await h.akari.store.loadConversation(USER);
    expect(conv?.machineVersion).toBe(MACHINE_VERSION);
    expect(conv?.stage).toBe('call');
    expect((conv?.snapshot as { context: { profile: object } }).context.profile).toMatchObject({ userName: '佐藤健', employerName: '株式会社ミライ' });
  });

  it("an older snapshot in another scenario's stage restarts that stage, in that scenario", async () => {
    await h.akari.store.commitTurn({
      userId: USER,
      conversation: {
        userId: USER,
        machineVersion: MACHINE_VERSION - 1,
        stage: 'contactWait',
        snapshot: { status: 'active', value: { waitingOld: 'step' }, context: { profile: { employerName: '株式会社ミライ', facts: { interviewDays: 10, promisedDays: 7 } }, notifications: true } },
        updatedAt: 0,
      },
    });
    const all = (await h.say(USER, 'ヘルプ')).join('\n');
    expect(all).toContain('仕組みを新しくしたため');
    expect(all).toContain('いまは問い合わせてよい時期です');
    const conv = await h.akari.store.loadConversation(USER);
    expect(conv?.stage).toBe('contactWait');
    expect((conv?.snapshot as { context: { scenario?: string } }).context.scenario).toBe('waiting');
  });

  it('a snapshot that cannot be restored does not crash the user: the stage restarts', async () => {
    await h.akari.store.commitTurn({
      userId: USER,
      conversation: { userId: USER, machineVersion: MACHINE_VERSION, stage: 'preparation', snapshot: { status: 'active', value: { nowhere: 'x' }, context: null }, updatedAt: 0 },
    });
    const replies = await h.say(USER, '次へ');
    expect(replies.join('\n')).toContain('仕組みを新しくしたため');
    expect((await h.akari.store.loadConversation(USER))?.stage).toBe('preparation');
  });
});
