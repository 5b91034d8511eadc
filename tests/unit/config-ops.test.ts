/** The operations settings: drain, metrics, quota. Each bad value stops the start, naming its key. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/load-config.ts';

function problemsFor(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('operations settings', () => {
  it('DRAIN_TIMEOUT_SECONDS: 10 s by default, whole seconds from 1 to 600', () => {
    expect(loadConfig({}).drainTimeoutMs).toBe(10_000);
    expect(loadConfig({ DRAIN_TIMEOUT_SECONDS: '30' }).drainTimeoutMs).toBe(30_000);
    for (const bad of ['0', '-1', '1.5', 'soon', '601']) expect(problemsFor({ DRAIN_TIMEOUT_SECONDS: bad })).toMatch(/^DRAIN_TIMEOUT_SECONDS: /);
  });
});

describe('metrics settings', () => {
  it('serves nothing by default; METRICS_PORT, METRICS_HOST and METRICS_TOKEN as given', () => {
    expect(loadConfig({}).metrics).toEqual({ host: '127.0.0.1' });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', METRICS_TOKEN: 'a'.repeat(16) }).metrics).toEqual({ port: 9464, host: '0.0.0.0', token: 'a'.repeat(16) });
  });

  it('refuses a bad port, a short token, and the public port for the metrics listener', () => {
    for (const bad of ['http', '-1', '70000', '1.5']) expect(problemsFor({ METRICS_PORT: bad })).toMatch(/^METRICS_PORT: /);
    expect(problemsFor({ METRICS_TOKEN: 'short' })).toMatch(/^METRICS_TOKEN: .*16/);
    expect(problemsFor({ METRICS_TOKEN: 'has spaces in it, sixteen+' })).toMatch(/^METRICS_TOKEN: /);
    expect(problemsFor({ PORT: '8080', METRICS_PORT: '8080' })).toMatch(/^METRICS_PORT: must differ from PORT/);
  });
});

describe('secrets in errors', () => {
  it('never repeats a METRICS_TOKEN, even a wrong one', () => {
    const token = 'short secret';
    expect(problemsFor({ METRICS_TOKEN: token })).not.toContain(token);
  });
});

describe('quota settings', () => {
  it('reserve 20 and a reading every 15 minutes by default; bad values named', () => {
    expect(loadConfig({}).quota).toEqual({ reserve: 20, checkMs: 15 * 60_000 });
    expect(loadConfig({ LINE_QUOTA_RESERVE: '0', LINE_QUOTA_CHECK_MINUTES: '60' }).quota).toEqual({ reserve: 0, checkMs: 3_600_000 });
    for (const bad of ['-1', 'many', '2.5']) expect(problemsFor({ LINE_QUOTA_RESERVE: bad })).toMatch(/^LINE_QUOTA_RESERVE: /);
    for (const bad of ['0', '1441', 'hourly']) expect(problemsFor({ LINE_QUOTA_CHECK_MINUTES: bad })).toMatch(/^LINE_QUOTA_CHECK_MINUTES: /);
  });
});
