import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../src/log/create-logger.ts';
import { eventLogger } from '../../src/log/event-logger.ts';
import { createLogCapture } from '../support/harness.ts';

function setup(level: string) {
  const capture = createLogCapture();
  const root = createLogger({ level, pretty: false, destination: capture.stream });
  const parent = root.child({ module: 'test' });
  const childSpy = vi.spyOn(parent, 'child');
  return { capture, parent, childSpy };
}

describe('eventLogger', () => {
  it('logs at enabled levels with the parent’s and the event’s bindings', () => {
    const { capture, parent } = setup('info');
    const elog = eventLogger(parent, { webhookEventId: 'E1', userId: 'U1' });
    elog.warn({ attempts: 2 }, 'event failed; retrying');
    elog.info('plain message');
    const [first, second] = capture.records();
    expect(first).toMatchObject({ module: 'test', webhookEventId: 'E1', userId: 'U1', attempts: 2, msg: 'event failed; retrying', level: 40 });
    expect(second).toMatchObject({ module: 'test', webhookEventId: 'E1', userId: 'U1', msg: 'plain message', level: 30 });
  });

  it('makes no child (and writes nothing) while nothing is logged at an enabled level', () => {
    const { capture, parent, childSpy } = setup('warn');
    const elog = eventLogger(parent, { webhookEventId: 'E2' });
    elog.debug({ text: 'hello' }, 'text received');
    elog.info('turn committed');
    expect(childSpy).not.toHaveBeenCalled();
    expect(capture.lines).toEqual([]);
    elog.error('now it counts');
    elog.warn('and again');
    expect(childSpy).toHaveBeenCalledTimes(1);
    expect(capture.records().map((r) => [r.webhookEventId, r.msg])).toEqual([
      ['E2', 'now it counts'],
      ['E2', 'and again'],
    ]);
  });

  it('keeps the root’s redaction for what a line carries', () => {
    const { capture, parent } = setup('info');
    eventLogger(parent, { batchId: 'B1' }).error({ err: { headers: { authorization: 'Bearer secret-token' } } }, 'push failed');
    expect(capture.text()).not.toContain('secret-token');
    expect(capture.records()[0]).toMatchObject({ batchId: 'B1', err: { headers: { authorization: '[redacted]' } } });
  });
});
