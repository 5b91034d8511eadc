import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { webhook } from '@line/bot-sdk';
import { ConfigError, loadConfig, readEnvironment, type Config } from './config/load-config.ts';
import { createConversationMachine, CONTENT_REQUIREMENTS } from './conversation/machine.ts';
import { createConversationRuntime, type TurnResult } from './conversation/runtime.ts';
import { ContentError, loadFlows } from './flows/load-flows.ts';
import { createApp } from './http/create-app.ts';
import { isLoopbackHost } from './http/local-only.ts';
import { checkEvents } from './inbox/check-events.ts';
import { createDispatcher } from './inbox/dispatcher.ts';
import { createLineGateway, type LineGateway } from './line/gateway.ts';
import { createUndiciLineGateway } from './line/undici-gateway.ts';
import { createOutboxSender } from './line/outbox-sender.ts';
import { createChatFeedback, createChatFeedbackClient } from './line/chat-feedback.ts';
import { countPushes, createQuotaClient, createQuotaWatcher, type QuotaWatcher } from './line/quota.ts';
import { createLogger, type Logger, type LoggerOptions } from './log/create-logger.ts';
import { createRetentionSweeper, type RetentionSweeper } from './store/retention.ts';
import { StoreLockedError, StoreMissingError } from './store/sqlite-store.ts';
import { isStoreFault } from './store/faults.ts';
import { openStore } from './store/open-store.ts';
import { StoreOpenError } from './store/postgres-store.ts';
import type { Store } from './store/ports.ts';
import { createFakeClock, createSystemClock, type Clock, type FakeClock } from './time/clock.ts';
import { createBusinessCalendar } from './time/business-calendar.ts';
import { createCallWindows } from './time/call-windows.ts';
import { DEFAULT_SCHEDULER_POLICY, type Scheduler } from './scheduler/scheduler.ts';
import { createStoreScheduler } from './scheduler/store-scheduler.ts';
import { createClockRouter } from './local/clock-routes.ts';
import { createLinePlatform, type LinePlatform } from './local/line-platform.ts';
import { createSimulatorRouter } from './local/simulator-routes.ts';
import { loadRichMenuLayout } from './richmenu/layout.ts';
import { createStageMenuClient, createStageMenuLinker } from './richmenu/stage-linker.ts';
import { deployRichMenus } from './richmenu/deploy.ts';
import type { BackoffPolicy } from './util/backoff.ts';
import { createMetrics, type Metrics } from './metrics/metrics.ts';
import { instrumentGateway, instrumentStore } from './metrics/instrument.ts';
import { createTokenMetricsRouter, MetricsListenError, startMetricsServer } from './metrics/metrics-routes.ts';

/** What tests (and the local tools) may swap; production passes nothing. */
export interface AkariOverrides {
  clock?: Clock;
  logDestination?: LoggerOptions['destination'];
  gateway?: LineGateway;
  /** Local mode: use this platform instead of starting one. */
  platform?: LinePlatform;
  retry?: { events?: BackoffPolicy; sends?: BackoffPolicy };
  sleep?: (ms: number) => Promise<void>;
  /** Don't resume pending work at start, nor start the scheduler or retention (tests that inspect a crashed state). */
  skipResume?: boolean;
  beforeMiddleware?: Parameters<typeof createApp>[0]['before'];
  /** A timer overdue by more than this is dropped instead of sent (default 24 h). */
  maxLatenessMs?: number;
  /** Tests: wrap the store, e.g. to watch calls or make one event's turn fail. */
  wrapStore?: (store: Store) => Store;
  /** How often batches left pending are tried again (default 60 s; 0: never). */
  outboxSweepMs?: number;
  /** How long a call to LINE may take before it counts as timed out (default 10 s). */
  lineTimeoutMs?: number;
  /** The loading animation shows when an answer is not out this long after its message (default 1 s). */
  loadingAnimationAfterMs?: number;
  /** Shared store (PostgreSQL): how often pending events are looked for, whoever took them in (default 1 s; 0: never). */
  sharedPollMs?: number;
  /** The conversation machine's version this instance writes (tests of a rolling deploy). */
  machineVersion?: number;
}

/**
 * A batch stays pending when sending it failed on the store (it is stored, so not lost); without a
 * sweep it would wait for the user's next message or a restart. Sending is serialised per user, so a
 * sweep never sends a batch that is being sent.
 */
const OUTBOX_SWEEP_MS = 60_000;
/**
 * With several instances on one database, an event one instance took in may be left to another:
 * the first was killed before its turn, it holds a snapshot of a newer machine version, or the
 * user's lock was busy at the moment it looked. Every instance looks this often for events left
 * pending at least this long.
 */
const SHARED_POLL_MS = 1_000;

/** Called after each committed turn (e.g. to move the user's rich menu to their new stage). */
export type TurnListener = (result: TurnResult) => void;

export interface Akari {
  config: Config;
  url: string;
  server: Server;
  store: Store;
  log: Logger;
  clock: Clock;
  /** Durable timers; with a fake clock nothing fires until `runDue()` (or POST /local/clock). */
  scheduler: Scheduler;
  /** Deletes finished records past DATA_RETENTION_DAYS: at start, then hourly (with a fake clock, only when asked). */
  retention: RetentionSweeper;
  platform?: LinePlatform;
  /** Local mode's channel secret (generated): the local tools sign webhooks with it. */
  channelSecret: string;
  /** Resolves once every accepted event has been handled and its messages sent. */
  idle(): Promise<void>;
  /**
   * Drains and closes (see `drainAndClose`); `timeoutMs` defaults to DRAIN_TIMEOUT_SECONDS. Calling
   * it again returns the same stop.
   */
  stop(options?: { timeoutMs?: number }): Promise<void>;
  /** A stop has begun (/readyz answers 503). */
  isDraining(): boolean;
  metrics: Metrics;
  /** The message quota as last read (and counted since); `refresh()` reads it again. */
  quota: QuotaWatcher;
  /** The metrics listener's base URL (METRICS_PORT), if any. */
  metricsUrl?: string;
}

export async function startAkari(config: Config, overrides: AkariOverrides = {}): Promise<Akari> {
  const log = createLogger({ ...config.log, ...(overrides.logDestination ? { destination: overrides.logDestination } : {}) });
  const fakeClock = pickFakeClock(config, overrides.clock);
  const clock: Clock = fakeClock ?? overrides.clock ?? createSystemClock();
  // groupNotice: said by the runtime (not the machine) when Akari is added to a group or room.
  const content = loadFlows(config.flowsDir, { ...CONTENT_REQUIREMENTS, texts: [...CONTENT_REQUIREMENTS.texts, 'groupNotice'] });
  // exclusive: a second process on the same SQLite file is refused at start (StoreLockedError).
  const baseStore = await openStore(config.databaseUrl, log.child({ module: 'store' }), { exclusive: true });
  const wrappedStore = overrides.wrapStore ? overrides.wrapStore(baseStore) : baseStore;
  const metricsServed = config.metrics.port !== undefined || config.metrics.token !== undefined;
  const metrics = createMetrics({ store: wrappedStore, clock, defaultMetrics: metricsServed });
  const store = instrumentStore(wrappedStore, metrics);

  let platform = overrides.platform;
  let line = config.line;
  if (config.mode === 'local') {
    // No LINE channel: a built-in platform with made-up credentials stands in for LINE.
    const channelAccessToken = `local-${randomBytes(12).toString('hex')}`;
    if (!platform) platform = createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken });
    const apiBaseUrl = platform.url ?? (await platform.listen(0, '127.0.0.1'));
    line = { ...line, channelSecret: randomBytes(16).toString('hex'), channelAccessToken, apiBaseUrl, dataApiBaseUrl: apiBaseUrl };
  }

  const quota = createQuotaWatcher({
    client: createQuotaClient({ channelAccessToken: line.channelAccessToken, apiBaseUrl: line.apiBaseUrl }),
    log,
    reserve: config.quota.reserve,
    // With a fake clock (tests, local tools) only when asked, like retention.
    intervalMs: fakeClock === undefined ? config.quota.checkMs : 0,
    onReading: (reading) => metrics.quota(reading),
    onRequest: (status) => metrics.lineRequest('quota', status),
  });
  const chatFeedback = createChatFeedback({
    client: createChatFeedbackClient({ channelAccessToken: line.channelAccessToken, apiBaseUrl: line.apiBaseUrl }),
    log,
    loadingAnimation: config.chatFeedback.loadingAnimation,
    loadingAfterMs: overrides.loadingAnimationAfterMs ?? 1_000,
    markAsRead: config.chatFeedback.markAsRead,
    onRequest: (operation, status) => metrics.lineRequest(operation, status),
  });
  const gatewayOptions = {
    channelAccessToken: line.channelAccessToken,
    apiBaseUrl: line.apiBaseUrl,
    ...(overrides.lineTimeoutMs !== undefined ? { timeoutMs: overrides.lineTimeoutMs } : {}),
  };
  const leanGateway = overrides.gateway || line.httpClient !== 'undici' ? undefined : createUndiciLineGateway(gatewayOptions);
  const gateway = countPushes(instrumentGateway(overrides.gateway ?? leanGateway ?? createLineGateway(gatewayOptions), metrics), quota);
  const calendar = createBusinessCalendar({ yearEndBreak: config.push.yearEndBreak });
  const machine = createConversationMachine({ content, calendar, callWindows: createCallWindows(calendar) });
  const runtime = createConversationRuntime({
    store,
    machine,
    clock,
    log,
    groupNotice: content.texts.groupNotice?.[0],
    ...(overrides.machineVersion !== undefined ? { machineVersion: overrides.machineVersion } : {}),
  });
  // One definition of quiet hours for the scheduler (when timers fire) and the sender (when a delayed push may go).
  const quietHours = DEFAULT_SCHEDULER_POLICY.quietHours;
  const sender = createOutboxSender({
    store,
    gateway,
    clock,
    log,
    replyTokenMaxAgeMs: line.replyTokenMaxAgeMs,
    maxRetryAgeMs: line.sendRetryMaxAgeMs,
    quietHours,
    onSend: (via, result) => metrics.send(via, result),
    holdProactive: () => quota.holdReason(),
    ...(overrides.retry?.sends ? { retry: overrides.retry.sends } : {}),
    ...(overrides.sleep ? { sleep: overrides.sleep } : {}),
  });
  const dispatcher = createDispatcher({
    store,
    log,
    handle: async (row, turnStore) => {
      const turnStarted = performance.now();
      const eventName = (row.payload as { type?: string } | null)?.type ?? 'unknown';
      let result: TurnResult;
      try {
        result = await runtime.handle(row, turnStore);
      } catch (err) {
        metrics.turn(eventName, 'failed', (performance.now() - turnStarted) / 1000);
        throw err;
      }
      metrics.turn(eventName, 'ok', (performance.now() - turnStarted) / 1000);
      // The turn is committed: nothing after this may fail the event (a retry would answer twice).
      for (const listener of turnListeners) {
        try {
          listener(result);
        } catch (err) {
          log.error({ err, webhookEventId: row.eventId, userId: row.userId }, 'a turn listener failed; the turn stands');
        }
      }
      // Send right away, not after the user's whole queue: reply tokens go stale quickly.
      sender
        .flush(row.userId)
        .catch((err: unknown) => log.error({ err, userId: row.userId }, 'sending failed'))
        .finally(() => chatFeedback.answered(row.eventId, row.payload));
    },
    ...(overrides.retry?.events ? { retry: overrides.retry.events } : {}),
    ...(overrides.sleep ? { sleep: overrides.sleep } : {}),
    isStoreFault,
  });

  const turnListeners: TurnListener[] = [];
  // Timers become inbox events for the same per-user pipeline. With a fake clock (tests, local tools)
  // nothing fires by itself: runDue() or POST /local/clock moves things along.
  const scheduler = createStoreScheduler({
    store,
    clock,
    log,
    onFired: (userId) => dispatcher.kick(userId),
    autoRun: fakeClock === undefined,
    onTimer: (result, lateMs) => metrics.timer(result, lateMs),
    policy: { dailyCap: config.push.dailyCap, quietHours, ...(overrides.maxLatenessMs !== undefined ? { maxLatenessMs: overrides.maxLatenessMs } : {}) },
  });
  turnListeners.push((result) => {
    if (result.effects.some((e) => e.type === 'schedule')) scheduler.wake();
  });
  // The user's rich menu follows their stage (best effort; see docs/rich-menu.md).
  const stageMenus = config.richMenu.perStage
    ? createStageMenuLinker({ client: createStageMenuClient({ channelAccessToken: line.channelAccessToken, apiBaseUrl: line.apiBaseUrl }), log })
    : undefined;
  if (stageMenus) turnListeners.push((result) => stageMenus.onTurn(result));
  async function idle(): Promise<void> {
    // Sending can enqueue nothing new for the dispatcher, but the dispatcher enqueues sends.
    for (let i = 0; i < 50; i++) {
      await dispatcher.idle();
      await sender.idle();
      await stageMenus?.idle();
      if ((await store.usersWithPendingInbox()).length === 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  // The server answers before start-up has resumed what a crash left: local tools wait for it
  // rather than move the clock under a scheduler that has not started.
  let startedUp!: () => void;
  const startUp = new Promise<void>((resolve) => (startedUp = resolve));
  // Moving the local clock past quiet hours sends the pushes they held (the sweep runs on real time).
  const afterClockMoved = async () => {
    await sender.flushAll();
    await idle();
  };
  const hlog = log.child({ module: 'webhook' });
  const acceptEvents = async (body: webhook.CallbackRequest) => {
    const receivedAt = clock.now().getTime();
    // Each event checked on its own: a malformed one (or one from no chat) is logged and dropped.
    const events = checkEvents(body.events as unknown[], receivedAt, hlog);
    if (events.length === 0) return;
    const { accepted, duplicates } = await store.acceptEvents(events);
    for (const e of events) {
      const isNew = accepted.includes(e);
      metrics.event((e.payload as webhook.Event).type, isNew ? 'accepted' : 'duplicate');
      if (isNew) chatFeedback.accepted(e.eventId, e.payload as webhook.Event);
      hlog.info(
        { webhookEventId: e.eventId, type: (e.payload as webhook.Event).type, redelivery: (e.payload as webhook.Event).deliveryContext?.isRedelivery ?? false, duplicate: !isNew, outcome: isNew ? 'accepted' : 'duplicate' },
        isNew ? 'event accepted' : 'event already known; acknowledged again',
      );
    }
    if (duplicates > 0) hlog.debug({ duplicates }, 'duplicates ignored');
    for (const userId of new Set(accepted.map((e) => e.userId))) dispatcher.kick(userId);
  };

  const app = createApp({
    channelSecret: line.channelSecret,
    log,
    acceptEvents,
    checkReady: () => store.ping(),
    isDraining: () => draining,
    onWebhook: (outcome) => metrics.webhook(outcome),
    ...(config.localTools && fakeClock ? { localRouters: [createClockRouter({ clock: fakeClock, scheduler, idle: afterClockMoved, log, ready: () => startUp })] } : {}),
    // The browser simulator at / (local tools only): its taps become signed events posted to our own /webhook.
    rootRouters: [
      ...(config.metrics.token ? [createTokenMetricsRouter(metrics, config.metrics.token, log.child({ module: 'metrics' }))] : []),
      ...(config.localTools && platform
        ? [createSimulatorRouter({ platform, channelSecret: line.channelSecret, webhookUrl: () => `${url}/webhook`, clock, log, store, layout: loadRichMenuLayout(), calendar })]
        : []),
    ],
    ...(overrides.beforeMiddleware ? { before: overrides.beforeMiddleware } : {}),
  });

  // Before the public port opens: a metrics port that is taken stops the start with nothing left open.
  let metricsServer: Awaited<ReturnType<typeof startMetricsServer>> | undefined;
  try {
    if (config.metrics.port !== undefined) metricsServer = await startMetricsServer(metrics, config.metrics.port, config.metrics.host, log.child({ module: 'metrics' }));
  } catch (err) {
    if (platform && !overrides.platform) await platform.close();
    await store.close();
    throw err;
  }
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  if (metricsServer) log.info({ metricsUrl: `${metricsServer.url}/metrics` }, 'serving metrics on their own port');
  else if (config.metrics.token) log.info('serving metrics at /metrics to requests with the METRICS_TOKEN');
  else log.info('metrics are not served (set METRICS_PORT or METRICS_TOKEN)');

  // The first reading, waited for at most 2 s: a LINE that doesn't answer must not hold the start
  // (nothing is held for the quota until a reading comes).
  let quotaWait: NodeJS.Timeout | undefined;
  await Promise.race([quota.start(), new Promise<void>((resolve) => (quotaWait = setTimeout(resolve, 2_000)))]);
  clearTimeout(quotaWait);
  if (!overrides.skipResume) {
    await sender.flushAll();
    await dispatcher.resumeAll();
  }
  // After the resume, so that overdue timers queue up behind what a crash left pending.
  if (!overrides.skipResume) await scheduler.start();
  startedUp();

  if (config.mode === 'local' && platform) {
    // The built-in platform starts empty: give it the real rich menus (and their stage variants), so
    // the simulator shows what a LINE user would see. Best effort: the chat works without them.
    try {
      await deployRichMenus({ channelAccessToken: line.channelAccessToken, apiBaseUrl: line.apiBaseUrl, dataApiBaseUrl: line.dataApiBaseUrl });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'could not set up the rich menus on the local LINE platform');
    }
  }

  if (config.localTools && !isLoopbackHost(config.host)) {
    log.warn(
      { host: config.host },
      'LOCAL TOOLS ARE ON AND AKARI LISTENS BEYOND THIS MACHINE: the simulator and /local/* answer only requests from loopback, but set HOST=127.0.0.1 or LOCAL_TOOLS=false',
    );
  }
  if (config.localTools && config.mode === 'line') {
    log.warn('LOCAL TOOLS ARE ON WITH REAL LINE CREDENTIALS: the fake clock drives real pushes and the simulator signs webhooks with the real channel secret; set LOCAL_TOOLS=false');
  }
  if (config.mode === 'local') {
    log.info({ url, linePlatform: platform?.url }, `Local mode: no LINE credentials, so Akari talks to the built-in local LINE platform. ${config.localTools ? `Open the simulator: ${url}/ (or try \`npm run chat\`)` : 'Local tools are off (LOCAL_TOOLS=false).'}`);
  } else {
    log.info({ url }, 'Akari is serving LINE webhooks at /webhook');
  }

  const sweepMs = overrides.outboxSweepMs ?? OUTBOX_SWEEP_MS;
  const sweep =
    sweepMs > 0
      ? setInterval(() => {
          sender.flushAll().catch((err: unknown) => log.error({ err }, 'could not go through the pending outbox'));
          // Events a store failure left pending (a full disk) are taken up again once it is back.
          dispatcher.resumeAll().catch((err: unknown) => log.error({ err }, 'could not go through the pending inbox'));
        }, sweepMs)
      : undefined;
  sweep?.unref();
  const sharedPollMs = overrides.sharedPollMs ?? SHARED_POLL_MS;
  const shared = store.shared;
  let pollFailing = false;
  const sharedPoll =
    shared && sharedPollMs > 0 && !overrides.skipResume
      ? setInterval(() => {
          shared.usersWithWaitingEvents(sharedPollMs).then(
            (users) => {
              if (pollFailing) log.info('the store answers again; looking for pending events');
              pollFailing = false;
              for (const u of users) dispatcher.kick(u);
            },
            (err: unknown) => {
              // Once per outage, not every second.
              if (!pollFailing) log.warn({ err }, 'could not look for pending events; trying again every second');
              pollFailing = true;
            },
          );
        }, sharedPollMs)
      : undefined;
  sharedPoll?.unref();
  const retention = createRetentionSweeper({ store, clock, log, retentionMs: config.dataRetentionMs });
  // After start-up's own work: it sweeps at once, then hourly. Not with a fake clock (tests, local
  // tools): there time jumps back and forth at will, and "old" would mean nothing.
  if (fakeClock === undefined && !overrides.skipResume) retention.start();

  let draining = false;
  let stopping: Promise<void> | undefined;
  const akari: Akari = {
    config,
    url,
    server,
    store,
    log,
    clock,
    scheduler,
    retention,
    ...(platform ? { platform } : {}),
    channelSecret: line.channelSecret,
    metrics,
    quota,
    ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
    idle,
    stop(options) {
      stopping ??= drainAndClose(options?.timeoutMs ?? config.drainTimeoutMs);
      return stopping;
    },
    isDraining: () => draining,
  };

  /**
   * The graceful stop: /readyz says 503 at once; no new connections, but the requests in flight
   * finish (their events are stored and acknowledged); the turns those and earlier events started,
   * and the replies they produced, go out while their reply tokens are fresh; all bounded by
   * `timeoutMs`. What is left then stays stored and resumes at the next start.
   */
  async function drainAndClose(timeoutMs: number): Promise<void> {
    draining = true;
    const startedAt = performance.now();
    const slog = log.child({ module: 'shutdown' });
    slog.info({ drainTimeoutMs: timeoutMs }, 'draining: finishing the requests, turns and replies in flight');
    clearInterval(sweep);
    clearInterval(sharedPoll);
    quota.stop();
    await retention.stop();
    await scheduler.stop();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Idle keep-alive connections would hold close() up; busy ones are closed once their answer is out.
    server.closeIdleConnections();
    const idleCloser = setInterval(() => server.closeIdleConnections(), 50);
    let deadline: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      closed.then(async () => {
        clearInterval(idleCloser);
        await akari.idle();
        return 'drained' as const;
      }),
      new Promise<'timeout'>((resolve) => {
        deadline = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(deadline);
    clearInterval(idleCloser);
    const drainMs = Math.round(performance.now() - startedAt);
    if (outcome === 'timeout') {
      dispatcher.stop();
      sender.stop();
      server.closeAllConnections();
      const [pendingEvents, pendingBatches] = await Promise.all([
        store.usersWithPendingInbox().then((u) => u.length, () => undefined),
        store.pendingOutbox().then((b) => b.length, () => undefined),
      ]);
      slog.warn({ drainMs, usersWithPendingEvents: pendingEvents, pendingBatches }, 'drain timed out; what is left is stored and resumes at the next start');
    } else {
      slog.info({ drainMs }, 'drained');
    }
    chatFeedback.stop();
    // Out of time: what is still in flight to LINE is cut (it is stored, and resumes at the next start).
    await (outcome === 'timeout' ? leanGateway?.destroy() : leanGateway?.close());
    if (metricsServer) {
      metricsServer.server.closeAllConnections();
      await new Promise<void>((resolve) => metricsServer.server.close(() => resolve()));
    }
    if (platform && !overrides.platform) await platform.close();
    await store.close();
  }
  return akari;
}

/**
 * Local tools move time (POST /local/clock), so they need a fake clock: the one a test passed in,
 * or one starting at the real time, which is the one place main reads the system clock.
 */
function pickFakeClock(config: Config, override: Clock | undefined): FakeClock | undefined {
  const isFake = (c: Clock): c is FakeClock => typeof (c as Partial<FakeClock>).set === 'function' && typeof (c as Partial<FakeClock>).advance === 'function';
  if (override) {
    if (isFake(override)) return override;
    if (config.localTools) throw new Error('LOCAL_TOOLS needs a fake clock (one with set/advance), or no clock override');
    return undefined;
  }
  return config.localTools ? createFakeClock(createSystemClock().now()) : undefined;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(readEnvironment(process.env), { isTTY: Boolean(process.stdout.isTTY) });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  try {
    const akari = await startAkari(config);
    let signalled = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (signalled) {
        // Someone wants it gone now: what is left is stored and resumes at the next start.
        akari.log.warn({ signal }, 'second signal: exiting at once');
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      signalled = true;
      akari.log.info({ signal }, 'shutting down');
      akari.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          akari.log.error({ err }, 'the stop failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  } catch (err) {
    if (err instanceof ContentError || err instanceof StoreLockedError || err instanceof StoreMissingError || err instanceof MetricsListenError || err instanceof StoreOpenError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
