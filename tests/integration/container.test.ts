/**
 * The image, without a Docker engine: the Dockerfile and .dockerignore are read as data, the final
 * stage's files are laid out in a folder as its COPY lines say (what the build stage makes comes
 * from `npm run build` here), and that folder is run as the image would run it: `node dist/main.js`
 * answers /readyz and stops cleanly on SIGTERM, and `npm run richmenu:deploy` deploys from it.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envSchema } from '../../src/config/schema.ts';
import { createLinePlatform, type LinePlatform } from '../../src/local/line-platform.ts';
import { ROOT, spawnAkari, type AkariProcess } from '../support/akari-process.ts';
import { tempDatabaseUrl, TEST_SECRET, TEST_TOKEN } from '../support/harness.ts';

const run = promisify(execFile);
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Instruction {
  op: string;
  args: string;
}

/** The Dockerfile's instructions per stage (continuation lines joined, comments dropped). */
function readStages(text: string): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
    const m = /^\s*([A-Z]+)\s+(.*)$/.exec(line);
    if (!m || line.trimStart().startsWith('#')) continue;
    if (m[1] === 'FROM') stages.push([]);
    stages.at(-1)?.push({ op: m[1]!, args: m[2]!.trim() });
  }
  return stages;
}

/** COPY lines as [from-stage or undefined, sources, destination]. */
function copies(stage: Instruction[]): Array<{ from?: string; sources: string[]; dest: string }> {
  return stage
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words[0]!.startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
      const dest = words.pop()!;
      return { ...(from ? { from } : {}), sources: words, dest };
    });
}

/** .dockerignore's rules as Docker applies them (last match wins; `!` re-includes). Enough for ours. */
function ignoredBy(rules: string[]): (path: string) => boolean {
  const compiled = rules.map((r) => {
    const negate = r.startsWith('!');
    const body = (negate ? r.slice(1) : r).replace(/\/$/, '');
    const re = new RegExp(`^${body.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}(/.*)?$`);
    return { negate, re };
  });
  return (path) => {
    let ignored = false;
    for (const { negate, re } of compiled) if (re.test(path)) ignored = !negate;
    return ignored;
  };
}

const stages = readStages(read('Dockerfile'));
const final = stages.at(-1)!;
const dockerignore = read('.dockerignore')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const isIgnored = ignoredBy(dockerignore);

describe('the Dockerfile, read', () => {
  it('runs the compiled JS with node itself as PID 1 (exec form: signals reach it), as a non-root user, with a health check', () => {
    const cmd = final.filter((i) => i.op === 'CMD').at(-1)!;
    expect(JSON.parse(cmd.args)).toEqual(['node', 'dist/main.js']);
    expect(final.some((i) => i.op === 'ENTRYPOINT')).toBe(false);
    const user = final.filter((i) => i.op === 'USER').at(-1);
    expect(user?.args).toBeDefined();
    expect(['root', '0']).not.toContain(user!.args);
    const health = final.find((i) => i.op === 'HEALTHCHECK');
    expect(health?.args).toContain('/readyz');
    expect(stages[0]!.find((i) => i.op === 'RUN' && i.args.includes('npm run build'))).toBeDefined();
  });

  it('builds on Node 22 LTS in both stages', () => {
    for (const stage of stages) expect(stage[0]!.args).toMatch(/^node:22\b/);
  });

  it('copies only files that exist and that .dockerignore lets into the context', () => {
    for (const stage of stages) {
      for (const c of copies(stage).filter((c) => !c.from)) {
        for (const src of c.sources) {
          expect(existsSync(join(ROOT, src)), src).toBe(true);
          expect(isIgnored(src), `${src} is excluded by .dockerignore`).toBe(false);
        }
      }
    }
  });

  it('.dockerignore keeps dependencies, data, secrets, git and tests out of the context', () => {
    for (const path of ['node_modules', 'data', 'data/akari.db', '.env', '.git', 'tests', 'tests/unit/config.test.ts', 'dist']) {
      expect(isIgnored(path), path).toBe(true);
    }
    for (const path of ['src/main.ts', 'flows/richmenu.yaml', 'assets/richmenu/richmenu.png', 'package-lock.json']) expect(isIgnored(path), path).toBe(false);
  });
});

describe('docker-compose.yml, read', () => {
  const compose = parseYaml(read('docker-compose.yml')) as {
    services: { akari: { command: string[]; environment: Record<string, string>; env_file?: unknown; stop_grace_period?: string } };
  };
  const akari = compose.services.akari;

  it('runs what the image runs and passes every setting', () => {
    expect(akari.command).toEqual(['node', 'dist/main.js']);
    expect(Object.keys(akari.environment).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('uses no env_file long syntax (`path`/`required`, Compose 2.24+ only)', () => {
    expect(JSON.stringify(akari.env_file ?? null)).not.toMatch(/"required"|"path"/);
  });

  it('gives the drain time to finish before docker stop kills', () => {
    const grace = /^(\d+)s$/.exec(akari.stop_grace_period ?? '');
    expect(grace).not.toBeNull();
    const drainDefault = envSchema.shape.DRAIN_TIMEOUT_SECONDS.parse(undefined);
    expect(Number(grace![1])).toBeGreaterThan(drainDefault);
  });
});

describe('the image, laid out and run', () => {
  let image: string;
  let platform: LinePlatform;
  let lineUrl: string;
  const procs: AkariProcess[] = [];

  beforeAll(async () => {
    await run('npm', ['run', 'build'], { cwd: ROOT });
    // The final stage: each COPY, from the build stage (this checkout, just built) or the context.
    image = mkdtempSync(join(tmpdir(), 'akari-image-'));
    for (const c of copies(final)) {
      for (const src of c.sources) {
        const relative = c.from ? src.replace(/^\/app\//, '') : src;
        const target = c.dest.endsWith('/') ? join(image, relative.split('/').pop()!) : join(image, c.dest.replace(/^\.\//, ''));
        if (relative === 'node_modules') symlinkSync(join(ROOT, 'node_modules'), target);
        else cpSync(join(ROOT, relative), target, { recursive: true });
      }
    }
    platform = createLinePlatform({ channelAccessToken: TEST_TOKEN, validate: false });
    lineUrl = await platform.listen(0, '127.0.0.1');
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) await p.kill();
    await platform?.close();
  });

  const channel = () => ({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LINE_CHANNEL_SECRET: TEST_SECRET,
    LINE_CHANNEL_ACCESS_TOKEN: TEST_TOKEN,
    LINE_API_BASE_URL: lineUrl,
    LINE_DATA_API_BASE_URL: lineUrl,
  });

  it('node dist/main.js answers /readyz from the image, and exits 0 on SIGTERM', async () => {
    expect(existsSync(join(image, 'dist/main.js'))).toBe(true);
    expect(existsSync(join(image, 'tests'))).toBe(false);
    const proc = spawnAkari({ ...channel(), DATABASE_URL: tempDatabaseUrl() }, { args: ['dist/main.js'], cwd: image });
    procs.push(proc);
    const serving = await proc.waitForLog((r) => r.msg === 'Akari is serving LINE webhooks at /webhook', 'the image to serve');
    const ready = await fetch(`${String(serving.url)}/readyz`);
    expect(ready.status).toBe(200);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('local mode runs from dist too: the simulator page is there', async () => {
    const proc = spawnAkari({ NODE_ENV: 'development', PORT: '0', DATABASE_URL: tempDatabaseUrl() }, { args: ['dist/main.js'], cwd: image });
    procs.push(proc);
    const line = await proc.waitForLog((r) => /local mode/i.test(String(r.msg)), 'the local mode line');
    const page = await fetch(`${String(line.url)}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    proc.child.kill('SIGTERM');
    expect((await proc.exited).code).toBe(0);
  }, 60_000);

  it('npm run richmenu:deploy works from the image', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(envSchema.shape)) env[key] = '';
    Object.assign(env, channel());
    const { stdout } = await run('npm', ['run', 'richmenu:deploy'], { cwd: image, env });
    expect(stdout).toMatch(/Deploying/);
    expect(platform.listRichMenus().length).toBeGreaterThanOrEqual(6);
  }, 60_000);
});
