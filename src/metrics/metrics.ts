/**
 * Akari's Prometheus metrics (prom-client), one registry per Akari (no module-level state). The
 * names and labels are the ones the log lines use for the same things (README, "Metrics").
 * Backlogs and stage counts are read from the store when scraped, so they are true for every
 * instance on the database, not only for this process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '../store/ports.ts';
import type { Clock } from '../time/clock.ts';

export type WebhookOutcome = 'accepted' | 'connectivity_check' | 'bad_signature' | 'too_large' | 'malformed' | 'error';

/** What the outbox sender did with a batch (one of these per step it took). */
export type SendResult = 'sent' | 'already_sent' | 'fallback_to_push' | 'retry' | 'failed' | 'held';

export interface QuotaReading {
  /** 'limited': `limit` messages a month; 'none': no limit. */
  type: 'limited' | 'none';
  limit?: number;
  used: number;
}

export interface Metrics {
  readonly registry: Registry;
  webhook(outcome: WebhookOutcome): void;
  event(type: string, outcome: 'accepted' | 'duplicate'): void;
  turn(type: string, result: 'ok' | 'failed', seconds: number): void;
  send(via: 'reply' | 'push', result: SendResult): void;
  lineRequest(operation: string, status: string): void;
  timer(result: 'fired' | 'dropped' | 'deferred', lateMs?: number): void;
  storeWrite(operation: string, seconds: number): void;
  quota(reading: QuotaReading): void;
  /** Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsOptions {
  store: Store;
  clock: Clock;
  /** Node's default metrics (process CPU, memory, event loop lag, GC): when metrics are served. */
  defaultMetrics: boolean;
}

const TURN_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const STORE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const LATENESS_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

export function createMetrics(opts: MetricsOptions): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const { store, clock } = opts;

  const webhookRequests = new Counter({ name: 'akari_webhook_requests_total', help: 'POST /webhook requests by outcome', labelNames: ['outcome'], registers });
  const webhookEvents = new Counter({ name: 'akari_webhook_events_total', help: 'Webhook events by LINE event type and outcome (accepted, duplicate)', labelNames: ['type', 'outcome'], registers });
  const turns = new Histogram({ name: 'akari_turn_duration_seconds', help: 'Time to handle one inbox event (a turn), by event type (LINE\'s, or timer) and result', labelNames: ['type', 'result'], buckets: TURN_BUCKETS, registers });
  const sends = new Counter({ name: 'akari_sends_total', help: 'Outbox batches by how they went (via reply or push) and result', labelNames: ['via', 'result'], registers });
  const lineRequests = new Counter({ name: 'akari_line_requests_total', help: 'Requests to the LINE API by operation and HTTP status (network: no answer)', labelNames: ['operation', 'status'], registers });
  const timers = new Counter({ name: 'akari_timers_total', help: 'Due timers by what the scheduler did (fired, dropped, deferred)', labelNames: ['result'], registers });
  const lateness = new Histogram({ name: 'akari_timer_lateness_seconds', help: 'How late a timer fired after its due time', buckets: LATENESS_BUCKETS, registers });
  const storeWrites = new Histogram({ name: 'akari_store_commit_duration_seconds', help: 'Store writes until durable (group commit included), by operation', labelNames: ['operation'], buckets: STORE_BUCKETS, registers });
  const quotaLimit = new Gauge({ name: 'akari_line_quota_limit_messages', help: "The channel's monthly message quota (-1: no limit)", registers });
  const quotaUsed = new Gauge({ name: 'akari_line_quota_used_messages', help: 'Messages counted against the quota this month', registers });
  const quotaRemaining = new Gauge({ name: 'akari_line_quota_remaining_messages', help: 'Quota left this month (-1: no limit)', registers });

  new Gauge({
    name: 'akari_inbox_pending_events',
    help: 'Inbox events stored but not handled yet',
    registers,
    async collect() {
      this.set((await store.inboxBacklog()).pending);
    },
  });
  new Gauge({
    name: 'akari_inbox_oldest_pending_age_seconds',
    help: 'Age of the oldest pending inbox event (0 when none)',
    registers,
    async collect() {
      const { oldestReceivedAt } = await store.inboxBacklog();
      this.set(oldestReceivedAt === undefined ? 0 : Math.max(0, clock.now().getTime() - oldestReceivedAt) / 1000);
    },
  });
  new Gauge({
    name: 'akari_timers_due',
    help: 'Pending timers whose due time has passed',
    registers,
    async collect() {
      this.set((await store.timerBacklog(clock.now().getTime())).due);
    },
  });
  new Gauge({
    name: 'akari_scheduler_lag_seconds',
    help: 'How far behind the scheduler is: age of the oldest due, unfired timer (0 when none)',
    registers,
    async collect() {
      const now = clock.now().getTime();
      const { oldestDueAt } = await store.timerBacklog(now);
      this.set(oldestDueAt === undefined ? 0 : Math.max(0, now - oldestDueAt) / 1000);
    },
  });
  const stages = new Gauge({
    name: 'akari_conversations',
    help: 'Stored conversations per stage',
    labelNames: ['stage'],
    registers,
    async collect() {
      stages.reset();
      for (const [stage, count] of Object.entries(await store.conversationsByStage())) stages.set({ stage }, count);
    },
  });

  return {
    registry,
    webhook: (outcome) => webhookRequests.inc({ outcome }),
    event: (type, outcome) => webhookEvents.inc({ type, outcome }),
    turn: (type, result, seconds) => turns.observe({ type, result }, seconds),
    send: (via, result) => sends.inc({ via, result }),
    lineRequest: (operation, status) => lineRequests.inc({ operation, status }),
    timer(result, lateMs) {
      timers.inc({ result });
      if (result === 'fired' && lateMs !== undefined) lateness.observe(Math.max(0, lateMs) / 1000);
    },
    storeWrite: (operation, seconds) => storeWrites.observe({ operation }, seconds),
    quota(reading) {
      const unlimited = reading.type === 'none' || reading.limit === undefined;
      quotaLimit.set(unlimited ? -1 : reading.limit!);
      quotaUsed.set(reading.used);
      quotaRemaining.set(unlimited ? -1 : Math.max(0, reading.limit! - reading.used));
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
