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
