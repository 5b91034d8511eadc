import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, readEnvironment } from '../../src/config/load-config.ts';

const CREDENTIALS = { LINE_CHANNEL_SECRET: 'secret-value-1234', LINE_CHANNEL_ACCESS_TOKEN: 'token-value-5678' };

/** The ConfigError loadConfig throws for this environment (fails the test if it does not throw). */
function configErrorFor(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('runs in local mode without LINE credentials outside production, with safe defaults', () => {
    const config = loadConfig({});
    expect(config.mode).toBe('local');
    expect(config.nodeEnv).toBe('development');
    expect(config.port).toBe(3000);
    // The simulator is for one person at one machine.
    expect(config.host).toBe('127.0.0.1');
    expect(config.localTools).toBe(true);
    expect(config.databaseUrl).toBe('file:./data/akari.db');
    expect(config.log.level).toBe('info');
    expect(config.line.apiBaseUrl).toBe('https://api.line.me');
    expect(config.line.dataApiBaseUrl).toBe('https://api-data.line.me');
    expect(config.line.replyTokenMaxAgeMs).toBe(50_000);
    expect(config.dataRetentionMs).toBe(30 * 24 * 3_600_000);
  });

  it('reads DATA_RETENTION_DAYS as days', () => {
    expect(loadConfig({ DATA_RETENTION_DAYS: '2' }).dataRetentionMs).toBe(2 * 24 * 3_600_000);
    expect(loadConfig({ DATA_RETENTION_DAYS: '365' }).dataRetentionMs).toBe(365 * 24 * 3_600_000);
  });

  it('runs in LINE mode with both credentials', () => {
    const config = loadConfig({ ...CREDENTIALS, PORT: '8080', NODE_ENV: 'production', LINE_API_BASE_URL: 'http://127.0.0.1:9999/' });
    expect(config.mode).toBe('line');
    expect(config.port).toBe(8080);
    expect(config.host).toBe('0.0.0.0');
    expect(config.localTools).toBe(false);
    expect(config.line.channelSecret).toBe(CREDENTIALS.LINE_CHANNEL_SECRET);
    expect(config.line.channelAccessToken).toBe(CREDENTIALS.LINE_CHANNEL_ACCESS_TOKEN);
    expect(config.line.apiBaseUrl).toBe('http://127.0.0.1:9999');
  });

  it('treats empty values (as .env files have them) as not set', () => {
    const config = loadConfig({ LINE_CHANNEL_SECRET: '', LINE_CHANNEL_ACCESS_TOKEN: '', PORT: '' });
    expect(config.mode).toBe('local');
    expect(config.port).toBe(3000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '3.5'],
    ['DATABASE_URL', 'mysql://localhost/akari'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['LINE_API_BASE_URL', 'not a url'],
    ['LOCAL_TOOLS', 'maybe'],
    ['LINE_HTTP_CLIENT', 'fetch'],
    ['REPLY_TOKEN_MAX_AGE_SECONDS', 'soon'],
    ['SEND_RETRY_HOURS', '48'],
    ['SEND_RETRY_HOURS', 'long'],
    ['DATA_RETENTION_DAYS', '1'],
    ['DATA_RETENTION_DAYS', '7.5'],
    ['DATA_RETENTION_DAYS', 'forever'],
  ])('names %s when it is invalid (%s), with the value it got', (key, value) => {
    const err = configErrorFor({ ...CREDENTIALS, [key]: value });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toContain(key);
    expect(err.problems[0]).toContain(value);
    expect(err.message).toContain(key);
  });

  it('names every invalid variable at once', () => {
    const err = configErrorFor({ PORT: 'abc', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' });
    const text = err.problems.join('\n');
    for (const key of ['PORT', 'DATABASE_URL', 'LOG_LEVEL']) expect(text).toContain(key);
  });

  it('refuses production without credentials, naming both variables', () => {
    const err = configErrorFor({ NODE_ENV: 'production' });
    expect(err.message).toContain('LINE_CHANNEL_SECRET');
    expect(err.message).toContain('LINE_CHANNEL_ACCESS_TOKEN');
    expect(err.message).toContain('production');
  });

  it.each([
    ['LINE_CHANNEL_SECRET', { LINE_CHANNEL_ACCESS_TOKEN: 'token' }],
    ['LINE_CHANNEL_ACCESS_TOKEN', { LINE_CHANNEL_SECRET: 'secret' }],
  ])('refuses one credential without the other, naming the missing %s', (missing, env) => {
    for (const nodeEnv of ['development', 'production']) {
      const err = configErrorFor({ ...env, NODE_ENV: nodeEnv });
      expect(err.problems).toHaveLength(1);
      expect(err.problems[0]).toContain(missing);
    }
  });

  it('refuses LOCAL_TOOLS=true in production', () => {
    const err = configErrorFor({ ...CREDENTIALS, NODE_ENV: 'production', LOCAL_TOOLS: 'true' });
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toContain('LOCAL_TOOLS');
    // …and says both things when credentials are missing too.
    const both = configErrorFor({ NODE_ENV: 'production', LOCAL_TOOLS: 'true' });
    expect(both.problems.join('\n')).toContain('LOCAL_TOOLS');
    expect(both.problems.join('\n')).toContain('LINE_CHANNEL_SECRET');
  });

  it('allows LOCAL_TOOLS=false in production and LOCAL_TOOLS=true with credentials in development', () => {
    expect(loadConfig({ ...CREDENTIALS, NODE_ENV: 'production', LOCAL_TOOLS: 'false' }).localTools).toBe(false);
    expect(loadConfig({ ...CREDENTIALS, LOCAL_TOOLS: 'true' }).localTools).toBe(true);
  });

  it('never puts a credential in an error message', () => {
    const err = configErrorFor({ ...CREDENTIALS, NODE_ENV: 'production', PORT: 'abc', LOCAL_TOOLS: 'true' });
    expect(err.message).not.toContain(CREDENTIALS.LINE_CHANNEL_SECRET);
    expect(err.message).not.toContain(CREDENTIALS.LINE_CHANNEL_ACCESS_TOKEN);
  });
});

describe('readEnvironment', () => {
  it('reads .env beneath the real environment: real variables win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'akari-env-'));
    const path = join(dir, '.env');
    writeFileSync(path, 'PORT=4000\nLOG_LEVEL=debug\n');
    const env = readEnvironment({ PORT: '5000' }, path);
    expect(env.PORT).toBe('5000');
    expect(env.LOG_LEVEL).toBe('debug');
  });

  it('does without a .env file', () => {
    expect(readEnvironment({ PORT: '1' }, join(tmpdir(), 'no-such-dir-akari', '.env'))).toEqual({ PORT: '1' });
  });
});
