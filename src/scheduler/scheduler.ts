/**
 * Durable timers behind an interface. The conversation machine asks for a timer with a `schedule`
 * effect; the runtime stores it in the turn's transaction; a scheduler turns due timers into inbox
 * events (`timer:<id>`) so they go through the same per-user pipeline as webhook events, and the
 * machine decides what, if anything, to send.
 *
 * Every implementation applies the same push policy at fire time, in this order:
 *   1. stale: overdue by more than `maxLatenessMs`, or past the payload's own `expiresAt` → dropped;
 *   2. quiet hours (21:00–09:00 JST by default) → moved to the next allowed minute;
 *   3. daily cap (`PUSH_DAILY_CAP` proactive pushes per user per Tokyo day) → moved to the next
 *      day's first allowed minute (09:00 JST);
 *   4. otherwise fired.
 * Every timer is assumed to lead to (at most) one proactive push; the machine may still decide to
 * send nothing.
 */
import type { TimerRecord } from '../store/ports.ts';
import { nextAllowedPushTime, type QuietHoursOptions } from '../time/quiet-hours.ts';
import { DAY_MS, startOfTokyoDay } from '../time/tokyo.ts';

export interface Scheduler {
  /**
   * Handles what is already due (at start-up: what was overdue while the process was down), then,
   * in auto mode, keeps one wake-up planned for the next due timer.
   */
  start(): Promise<void>;
  /** Plans no more wake-ups; resolves once a run in progress has finished. */
  stop(): Promise<void>;
  /** New timers were stored: re-plan the next wake-up. Does nothing in manual mode or when stopped. */
  wake(): void;
  /** Applies the policy to every pending timer due now, in due order; resolves to how many fired. */
  runDue(): Promise<number>;
  /** When the next pending timer falls due (ms epoch), if any: lets a fake clock step timer by timer. */
  nextDueAt(): Promise<number | undefined>;
}

export interface SchedulerPolicy {
  /** A timer overdue by more than this is dropped instead of sent (default 24 h). */
  maxLatenessMs: number;
  /** Proactive pushes per user per Tokyo calendar day (PUSH_DAILY_CAP). 0: no proactive pushes at all. */
  dailyCap: number;
  quietHours: QuietHoursOptions;
  /**
   * The cap is in doubt while one of the user's fired timers has not been handled yet (it may send
   * nothing): a timer waiting on that is looked at again this much later (default 1 min).
   */
  capRecheckMs: number;
}

export const DEFAULT_MAX_LATENESS_MS = 24 * 60 * 60 * 1000;

export const DEFAULT_SCHEDULER_POLICY: Readonly<SchedulerPolicy> = Object.freeze({
  maxLatenessMs: DEFAULT_MAX_LATENESS_MS,
  dailyCap: 1,
  quietHours: {},
  capRecheckMs: 60_000,
});

export function resolveSchedulerPolicy(partial: Partial<SchedulerPolicy> = {}): SchedulerPolicy {
  const policy: SchedulerPolicy = { ...DEFAULT_SCHEDULER_POLICY, ...stripUndefined(partial) };
  if (!(policy.maxLatenessMs >= 0)) throw new RangeError(`maxLatenessMs must be 0 or more, got ${policy.maxLatenessMs}`);
  if (!Number.isInteger(policy.dailyCap) || policy.dailyCap < 0) throw new RangeError(`dailyCap must be a whole number, got ${policy.dailyCap}`);
  if (!(policy.capRecheckMs > 0)) throw new RangeError(`capRecheckMs must be more than 0, got ${policy.capRecheckMs}`);
  // Validates the quiet-hours bounds now rather than at the first timer.
  nextAllowedPushTime(new Date(0), policy.quietHours);
  return policy;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * A timer's own deadline: `payload.expiresAt`, as ms epoch or an ISO-8601 string with a zone.
 * Past it, the timer is dropped rather than sent late (e.g. "your call is at 14:00" after 14:00).
 */
export function timerExpiresAt(payload: unknown): number | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const raw = (payload as { expiresAt?: unknown }).expiresAt;
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  if (typeof raw === 'string') {
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) return ms;
  }
  return undefined;
}

export type TimingDecision =
  | { action: 'continue' }
  | { action: 'drop'; reason: 'late'; lateMs: number }
  | { action: 'drop'; reason: 'expired'; expiresAt: number }
  | { action: 'defer'; reason: 'quietHours'; until: number };

/** Steps 1 and 2 of the policy: is the timer stale, or is it quiet hours? */
export function checkTiming(timer: Pick<TimerRecord, 'dueAt' | 'payload'>, now: number, policy: SchedulerPolicy): TimingDecision {
  const lateMs = now - timer.dueAt;
  if (lateMs > policy.maxLatenessMs) return { action: 'drop', reason: 'late', lateMs };
  const expiresAt = timerExpiresAt(timer.payload);
  if (expiresAt !== undefined && now >= expiresAt) return { action: 'drop', reason: 'expired', expiresAt };
  const allowed = nextAllowedPushTime(new Date(now), policy.quietHours).getTime();
  if (allowed > now) return { action: 'defer', reason: 'quietHours', until: allowed };
  return { action: 'continue' };
}

/** What the user has had, or is about to get, today: the daily cap counts all of it. */
export interface PushUsage {
  /** Proactive batches sent since Tokyo midnight. */
  sentToday: number;
  /** Proactive batches written by timer turns but not sent yet: they will be. */
  queued: number;
  /** The user's fired timers whose turn has not run yet: each may or may not become a push. */
  inFlight: number;
}

export type CapDecision =
  | { action: 'fire' }
  | { action: 'drop'; reason: 'pushesDisabled' }
  | { action: 'defer'; reason: 'dailyCap'; until: number }
  | { action: 'recheck'; reason: 'capInDoubt'; until: number };

/** Step 3 of the policy. */
export function checkDailyCap(usage: PushUsage, now: number, policy: SchedulerPolicy): CapDecision {
  if (policy.dailyCap === 0) return { action: 'drop', reason: 'pushesDisabled' };
  const certain = usage.sentToday + usage.queued;
  if (certain >= policy.dailyCap) return { action: 'defer', reason: 'dailyCap', until: nextDayFirstPush(now, policy.quietHours) };
  // A fired timer may still turn out to send nothing: look again once it has been handled, rather
  // than pushing this one to tomorrow for nothing (or sending both and breaking the cap).
  if (certain + usage.inFlight >= policy.dailyCap) return { action: 'recheck', reason: 'capInDoubt', until: now + policy.capRecheckMs };
  return { action: 'fire' };
}

/** The first moment a push is allowed on the Tokyo day after `now` (09:00 JST by default). */
export function nextDayFirstPush(now: number, quietHours: QuietHoursOptions = {}): number {
  const tomorrow = new Date(startOfTokyoDay(new Date(now)).getTime() + DAY_MS);
  return nextAllowedPushTime(tomorrow, quietHours).getTime();
}

/** Tokyo midnight of `now`'s day: where the daily cap's count starts. */
export function capDayStart(now: number): number {
  return startOfTokyoDay(new Date(now)).getTime();
}
