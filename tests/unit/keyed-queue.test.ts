import { describe, expect, it } from 'vitest';
import { createKeyedQueue } from '../../src/util/keyed-queue.ts';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('createKeyedQueue', () => {
  it('runs one key’s tasks one at a time, in the order they were queued', async () => {
    const queue = createKeyedQueue();
    const log: string[] = [];
    let running = 0;
    let maxRunning = 0;
    const gates = Array.from({ length: 5 }, () => deferred());
    const results = gates.map((gate, i) =>
      queue.run('u', async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        log.push(`start ${i}`);
        await gate.promise;
        log.push(`end ${i}`);
        running--;
        return i;
      }),
    );
    // Release in reverse: order must still follow the queue, not the release.
    for (const gate of [...gates].reverse()) gate.resolve();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect(maxRunning).toBe(1);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3', 'start 4', 'end 4']);
  });

  it('runs different keys in parallel', async () => {
    const queue = createKeyedQueue();
    const bStarted = deferred();
    // a waits for b to start: with keys serialised this would never finish.
    const a = queue.run('a', async () => {
      await bStarted.promise;
      return 'a';
    });
    const b = queue.run('b', async () => {
      bStarted.resolve();
      return 'b';
    });
    expect(await Promise.all([a, b])).toEqual(['a', 'b']);
  });

  it('goes on with a key’s next task after one fails, and hands the failure to its caller', async () => {
    const queue = createKeyedQueue();
    const failed = queue.run('u', async () => {
      throw new Error('boom');
    });
    const next = queue.run('u', async () => 'next');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
  });

  it('is idle only once every task has finished, including tasks queued while waiting', async () => {
    const queue = createKeyedQueue();
    const gate = deferred();
    const done: string[] = [];
    void queue.run('u', async () => {
      await gate.promise;
      done.push('first');
      // Queued from inside a running task, after idle() was called.
      void queue.run('u', async () => {
        await tick();
        done.push('second');
      });
    });
    let idle = false;
    const idlePromise = queue.idle().then(() => {
      idle = true;
    });
    await tick();
    expect(idle).toBe(false);
    gate.resolve();
    await idlePromise;
    expect(done).toEqual(['first', 'second']);
    expect(queue.size()).toBe(0);
  });

  it('forgets keys once their tasks are done', async () => {
    const queue = createKeyedQueue();
    await Promise.all([queue.run('a', async () => 1), queue.run('b', async () => 2)]);
    await queue.idle();
    expect(queue.size()).toBe(0);
  });

  it('is idle at once when nothing was queued', async () => {
    await expect(createKeyedQueue().idle()).resolves.toBeUndefined();
  });
});
