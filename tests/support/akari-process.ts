/** Akari as a real process (`node --import tsx src/main.ts`, what `npm start` runs), for tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { envSchema } from '../../src/config/schema.ts';
import { waitFor } from './harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface AkariProcess {
  child: ChildProcess;
  /** stdout, one entry per line (JSON log lines, as stdout is not a TTY). */
  lines: string[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for a JSON log line matching `test`. */
  waitForLog(test: (record: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL if still running, and waits for the exit (cleanup). */
  kill(): Promise<void>;
}

/**
 * Starts `node --import tsx src/main.ts` with exactly these Akari variables: every other variable the
 * config knows is set empty (= unset), so neither the test runner's environment nor a `.env` file
 * can change what the process sees.
 */
export function spawnAkari(vars: Record<string, string>): AkariProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(envSchema.shape)) env[key] = '';
  Object.assign(env, { LOG_PRETTY: 'false' }, vars);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let pending = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop()!;
    lines.push(...parts.filter(Boolean));
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const records = () =>
    lines.flatMap((l) => {
      try {
        return [JSON.parse(l) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  let exitedYet = false;
  void exited.then(() => (exitedYet = true));
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    async waitForLog(test, what) {
      return waitFor(() => {
        const found = records().find(test);
        if (!found && exitedYet) throw new Error(`Akari exited before logging ${what}:\n${stderr}\n${lines.join('\n')}`);
        return found;
      }, what);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

