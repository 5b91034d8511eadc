/**
 * Akari as a real process, for tests that need signals, exit codes and real start-up: by default
 * `node --import tsx src/main.ts` (what `npm start` runs), or any other command (e.g. the built
 * `dist/main.js`). Every variable the config knows is set empty (= unset) first, so neither the test
 * runner's environment nor a `.env` file changes what the process sees.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { envSchema } from '../../src/config/schema.ts';
import { waitFor } from './harness.ts';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface AkariProcess {
  child: ChildProcess;
  /** stdout, one entry per line (JSON log lines, as stdout is not a TTY). */
  lines: string[];
  /** The JSON log lines so far, parsed. */
  records(): Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Waits for a JSON log line matching `test`. */
  waitForLog(test: (record: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
  /** SIGTERM, and waits for the exit. */
  stop(): Promise<void>;
  /** SIGKILL if still running, and waits for the exit (cleanup). */
  kill(): Promise<void>;
}

export function spawnAkari(vars: Record<string, string>, command: { args: string[]; cwd?: string } = { args: ['--import', 'tsx', 'src/main.ts'] }): AkariProcess {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(envSchema.shape)) env[key] = '';
  Object.assign(env, { LOG_PRETTY: 'false' }, vars);
  const child = spawn(process.execPath, command.args, { cwd: command.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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
    records,
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
