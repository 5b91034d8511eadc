import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { webhook } from '@line/bot-sdk';
import { ConfigError, loadConfig, readEnvironment, type Config } from './config/load-config.ts';
import { createConversationMachine, CONTENT_REQUIREMENTS } from './conversation/machine.ts';
import { createConversationRuntime, type TurnResult } from './conversation/runtime.ts';
import { userKeyOf } from './conversation/to-event.ts';
import { ContentError, loadFlows } from './flows/load-flows.ts';
import { createApp } from './http/create-app.ts';
import { createDispatcher } from './inbox/dispatcher.ts';
import { createLineGateway, type LineGateway } from './line/gateway.ts';
import { createOutboxSender } from './line/outbox-sender.ts';
import { createLogger, type Logger, type LoggerOptions } from './log/create-logger.ts';
import { createSqliteStore } from './store/sqlite-store.ts';
import type { Store } from './store/ports.ts';
import { createSystemClock, type Clock } from './time/clock.ts';
import { createLinePlatform, type LinePlatform } from './local/line-platform.ts';
import type { BackoffPolicy } from './util/backoff.ts';

/** What tests (and the local tools) may swap; production passes nothing. */
export interface AkariOverrides {
  clock?: Clock;
  logDestination?: LoggerOptions['destination'];
  gateway?: LineGateway;
  /** Local mode: use this platform instead of starting one. */
  platform?: LinePlatform;
  retry?: { events?: BackoffPolicy; sends?: BackoffPolicy };
  sleep?: (ms: number) => Promise<void>;
  /** Don't resume pending work at start (tests that inspect a crashed state). */
  skipResume?: boolean;
  beforeMiddleware?: Parameters<typeof createApp>[0]['before'];
}

/** Called after each committed turn (e.g. to move the user's rich menu to their new stage). */
export type TurnListener = (result: TurnResult) => void;

export interface Akari {
  config: Config;
  url: string;
  server: Server;
  store: Store;
  log: Logger;
  clock: Clock;
  platform?: LinePlatform;
  /** Local mode's channel secret (generated): the local tools sign webhooks with it. */
  channelSecret: string;
  /** Resolves once every accepted event has been handled and its messages sent. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAkari(config: Config, overrides: AkariOverrides = {}): Promise<Akari> {
  const log = createLogger({ ...config.log, ...(overrides.logDestination ? { destination: overrides.logDestination } : {}) });
  const clock = overrides.clock ?? createSystemClock();
  const content = loadFlows(config.flowsDir, CONTENT_REQUIREMENTS);
  const store = createSqliteStore(config.databaseUrl);

  let platform = overrides.platform;
  let line = config.line;
  if (config.mode === 'local') {
    // No LINE channel: a built-in platform with made-up credentials stands in for LINE.
    const channelAccessToken = `local-${randomBytes(12).toString('hex')}`;
    if (!platform) platform = createLinePlatform({ now: () => clock.now().getTime(), channelAccessToken });
    const apiBaseUrl = platform.url ?? (await platform.listen(0, '127.0.0.1'));
    line = { ...line, channelSecret: randomBytes(16).toString('hex'), channelAccessToken, apiBaseUrl, dataApiBaseUrl: apiBaseUrl };
  }

  const gateway = overrides.gateway ?? createLineGateway({ channelAccessToken: line.channelAccessToken, apiBaseUrl: line.apiBaseUrl });
  const machine = createConversationMachine(content);
  const runtime = createConversationRuntime({ store, machine, clock, log });
  const sender = createOutboxSender({
    store,
    gateway,
    clock,
    log,
    replyTokenMaxAgeMs: line.replyTokenMaxAgeMs,
    ...(overrides.retry?.sends ? { retry: overrides.retry.sends } : {}),
    ...(overrides.sleep ? { sleep: overrides.sleep } : {}),
  });
  const dispatcher = createDispatcher({
    store,
    log,
    handle: async (row) => {
      const result = await runtime.handle(row);
      for (const listener of turnListeners) listener(result);
      // Send right away, not after the user's whole queue: reply tokens go stale quickly.
      void sender.flush(row.userId);
    },
    ...(overrides.retry?.events ? { retry: overrides.retry.events } : {}),
    ...(overrides.sleep ? { sleep: overrides.sleep } : {}),
  });

  const turnListeners: TurnListener[] = [];
  const hlog = log.child({ module: 'webhook' });
  const acceptEvents = async (body: webhook.CallbackRequest) => {
    const receivedAt = clock.now().getTime();
    const events = body.events.map((event) => ({
      eventId: event.webhookEventId || createHash('sha256').update(JSON.stringify(event)).digest('hex'),
      userId: userKeyOf(event),
      payload: event,
      receivedAt,
    }));
    const { accepted, duplicates } = await store.acceptEvents(events);
    for (const e of events) {
      const isNew = accepted.includes(e);
      hlog.info(
        { webhookEventId: e.eventId, type: (e.payload as webhook.Event).type, redelivery: (e.payload as webhook.Event).deliveryContext?.isRedelivery ?? false, duplicate: !isNew },
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
    ...(overrides.beforeMiddleware ? { before: overrides.beforeMiddleware } : {}),
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.port, config.host, (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;

  if (!overrides.skipResume) {
    await sender.flushAll();
    await dispatcher.resumeAll();
  }

  if (config.mode === 'local') {
    log.info({ url, linePlatform: platform?.url }, `Local mode: no LINE credentials, so Akari talks to the built-in local LINE platform. Try it with \`npm run chat\` (or open ${url}/)`);
  } else {
    log.info({ url }, 'Akari is serving LINE webhooks at /webhook');
  }

  let stopped = false;
  return {
    config,
    url,
    server,
    store,
    log,
    clock,
    ...(platform ? { platform } : {}),
    channelSecret: line.channelSecret,
    async idle() {
      // Sending can enqueue nothing new for the dispatcher, but the dispatcher enqueues sends.
      for (let i = 0; i < 50; i++) {
        await dispatcher.idle();
        await sender.idle();
        if ((await store.usersWithPendingInbox()).length === 0) break;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      dispatcher.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dispatcher.idle();
      await sender.idle();
      if (platform && !overrides.platform) await platform.close();
      await store.close();
    },
  };
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
    const shutdown = (signal: string) => {
      akari.log.info({ signal }, 'shutting down');
      void akari.stop().then(() => process.exit(0));
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  } catch (err) {
    if (err instanceof ContentError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void main();
}
