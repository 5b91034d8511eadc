/**
 * GET/POST /local/clock: look at and move the fake clock (local tools only, never in production).
 *
 *   GET  /local/clock                          → { "now": ISO-8601 }
 *   POST /local/clock { "advanceMinutes": N }  → { "now": ISO-8601, "fired": n }
 *   POST /local/clock { "now": "2026-12-04T09:00" } (no zone = Tokyo time; or with Z / +09:00)
 *
 * Moving forward steps from timer to timer: the clock is set to each due timer's own time, the
 * scheduler runs it, and the resulting turn and sends finish (`idle()`) before the next step. So
 * every timer that falls due fires in order and sees the right "now" (quiet hours, daily cap), and
 * all of it has happened before the response returns.
 *
 * `now` may also move the clock backwards (to replay a scenario from an earlier time). Nothing is
 * undone: timers that fired stay fired, sent messages stay sent; only timers still pending and due
 * at the new time run. `advanceMinutes` only goes forward.
 */
import express, { type ErrorRequestHandler, type Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../log/create-logger.ts';
import type { Scheduler } from '../scheduler/scheduler.ts';
import type { FakeClock } from '../time/clock.ts';
import { parseTokyoInstant } from '../time/tokyo.ts';

export interface ClockRouterDeps {
  clock: FakeClock;
  scheduler: Pick<Scheduler, 'runDue' | 'nextDueAt'>;
  /** Resolves when every fired timer's turn has been handled and its messages sent. */
  idle: () => Promise<void>;
  log?: Logger;
  /** Resolves once the app has finished starting (resumed pending work, started the scheduler). */
  ready?: () => Promise<void>;
}

/** Ten years: far enough for any scenario, small enough to catch a typo'd unit. */
export const MAX_ADVANCE_MINUTES = 10 * 366 * 24 * 60;
/** A guard against a timer that can never be handled keeping one request busy forever. */
const MAX_STEPS = 100_000;

const bodySchema = z
  .strictObject(
    {
      now: z.string({ message: 'now must be a date-time string, e.g. "2026-12-04T09:00:00+09:00"' }).optional(),
      advanceMinutes: z
        .number({ message: 'advanceMinutes must be a number of minutes' })
        .int({ message: 'advanceMinutes must be a whole number of minutes' })
        .min(0, { message: 'advanceMinutes cannot be negative: the clock only moves forward by minutes (set "now" to go back)' })
        .max(MAX_ADVANCE_MINUTES, { message: `advanceMinutes must be at most ${MAX_ADVANCE_MINUTES} (ten years)` })
        .optional(),
    },
    { message: 'expected a JSON object: { "now": ISO-8601 } or { "advanceMinutes": N }' },
  )
  .refine((b) => (b.now === undefined) !== (b.advanceMinutes === undefined), {
    message: 'give exactly one of "now" (ISO-8601) or "advanceMinutes" (a whole number of minutes)',
  });

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys') return `unknown field(s) ${i.keys.map((k) => `"${k}"`).join(', ')}: expected "now" or "advanceMinutes"`;
      return i.message;
    })
    .join('; ');
}

export function createClockRouter(deps: ClockRouterDeps): Router {
  const { clock, scheduler, idle } = deps;
  const log = deps.log?.child({ module: 'local-clock' });
  const router = express.Router();
  // Moves never interleave: a second request waits for the first to finish.
  let chain: Promise<unknown> = Promise.resolve();

  const runAndSettle = async (): Promise<number> => {
    const fired = await scheduler.runDue();
    await idle();
    return fired;
  };

  /** Steps the clock to `target`, stopping at every due timer on the way. */
  async function moveTo(target: number): Promise<number> {
    let fired = 0;
    if (target <= clock.now().getTime()) {
      clock.set(new Date(target));
      return runAndSettle();
    }
    for (let step = 0; step < MAX_STEPS; step++) {
      const next = await scheduler.nextDueAt();
      if (next === undefined || next > target) break;
      const now = clock.now().getTime();
      // Overdue timers (next < now) run at the current time; the clock never goes back here.
      if (next > now) clock.set(new Date(next));
      const n = await runAndSettle();
      fired += n;
      if (n === 0 && (await scheduler.nextDueAt()) === next && clock.now().getTime() >= next) {
        // The scheduler could not handle this timer (it logged why): don't spin on it.
        log?.warn({ dueAt: new Date(next).toISOString() }, 'a due timer could not be handled; moving on');
        break;
      }
    }
    clock.set(new Date(target));
    fired += await runAndSettle();
    return fired;
  }

  router.get('/clock', (_req, res) => {
    res.json({ now: clock.now().toISOString() });
  });

  // The JSON parser lives on this route only: /webhook must keep its raw body.
  router.post('/clock', express.json({ limit: '10kb' }), async (req, res) => {
    const parsed = bodySchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_body', message: describeIssues(parsed.error) });
      return;
    }
    let target: number;
    if (parsed.data.now !== undefined) {
      try {
        target = parseTokyoInstant(parsed.data.now).getTime();
      } catch {
        res.status(400).json({
          error: 'invalid_body',
          message: `now: ${JSON.stringify(parsed.data.now)} is not an ISO-8601 date-time (e.g. "2026-12-04T09:00:00+09:00", or "2026-12-04T09:00" for Tokyo time)`,
        });
        return;
      }
    } else {
      target = clock.now().getTime() + (parsed.data.advanceMinutes ?? 0) * 60_000;
    }
    const result = chain.then(async () => {
      await deps.ready?.();
      const from = clock.now().getTime();
      const fired = await moveTo(target);
      log?.info({ from: new Date(from).toISOString(), to: clock.now().toISOString(), fired }, 'clock moved');
      return fired;
    });
    chain = result.catch(() => undefined);
    const fired = await result;
    res.json({ now: clock.now().toISOString(), fired });
  });

  const onError: ErrorRequestHandler = (err: unknown, _req, res, next) => {
    const e = err as { type?: string; status?: number };
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'malformed_json', message: 'the body is not valid JSON' });
      return;
    }
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: 'payload_too_large', message: 'the body is over 10kb' });
      return;
    }
    next(err);
  };
  router.use(onError);
  return router;
}
