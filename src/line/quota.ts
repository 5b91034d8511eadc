/**
 * The channel's monthly message quota. Pushes count against it (replies don't): Akari reads the
 * quota and this month's consumption from LINE at start and every LINE_QUOTA_CHECK_MINUTES,
 * counts its own pushes in between, and holds proactive pushes while what is left is under
 * LINE_QUOTA_RESERVE, so that the answers which must go by push (a stale reply token) still can.
 * An unknown quota (LINE could not be asked) holds nothing.
 */
import { messagingApi } from '@line/bot-sdk';
import type { Logger } from '../log/create-logger.ts';
import type { QuotaReading } from '../metrics/metrics.ts';
import { toLineApiError, type LineGateway } from './gateway.ts';

export interface QuotaClient {
  getMessageQuota(): Promise<{ type: string; value?: number }>;
  getMessageQuotaConsumption(): Promise<{ totalUsage: number }>;
}

export interface QuotaWatcherOptions {
  client: QuotaClient;
  log: Logger;
  /** Proactive pushes are held while the remaining quota is under this many messages. */
  reserve: number;
  /** How often LINE is asked again (ms); 0: only when `refresh()` is called. */
  intervalMs: number;
  onReading?: (reading: QuotaReading) => void;
  /** Told the status of each quota request to LINE (metrics). */
  onRequest?: (status: string) => void;
}

export interface QuotaWatcher {
  /** Reads the quota now (at start, then every interval). Never throws: a failure is logged. */
  refresh(): Promise<void>;
  start(): Promise<void>;
  stop(): void;
  /** The latest reading, with the pushes sent since counted in. */
  current(): QuotaReading | undefined;
  /** Why a proactive push should wait now, or undefined when it may go. */
  holdReason(): string | undefined;
  /** A push went out (LINE counts one per push request and recipient). */
  countPush(): void;
}

export function createQuotaClient(opts: { channelAccessToken: string; apiBaseUrl: string }): QuotaClient {
  const client = new messagingApi.MessagingApiClient({ channelAccessToken: opts.channelAccessToken, baseURL: opts.apiBaseUrl });
  return {
    getMessageQuota: () => client.getMessageQuota(),
    getMessageQuotaConsumption: () => client.getMessageQuotaConsumption(),
  };
}

export function createQuotaWatcher(opts: QuotaWatcherOptions): QuotaWatcher {
  const log = opts.log.child({ module: 'quota' });
  let reading: QuotaReading | undefined;
  let holding = false;
  let interval: NodeJS.Timeout | undefined;

  const remaining = (r: QuotaReading) => (r.type === 'limited' && r.limit !== undefined ? Math.max(0, r.limit - r.used) : undefined);

  function publish(): void {
    if (!reading) return;
    opts.onReading?.(reading);
    const left = remaining(reading);
    const under = left !== undefined && left < opts.reserve;
    // One line when the hold begins and one when it ends, not one per push.
    if (under && !holding) log.warn({ limit: reading.limit, used: reading.used, remaining: left, reserve: opts.reserve }, 'message quota under the reserve: proactive pushes are held');
    if (!under && holding) log.info({ limit: reading.limit, used: reading.used, remaining: left, reserve: opts.reserve }, 'message quota above the reserve again: proactive pushes go out');
    holding = under;
  }

  async function ask<T>(call: () => Promise<T>, operation: string): Promise<T> {
    try {
      const result = await call();
      opts.onRequest?.('200');
      return result;
    } catch (err) {
      const e = toLineApiError(err, operation);
      opts.onRequest?.(e.details.status !== undefined ? String(e.details.status) : e.kind);
      throw e;
    }
  }

  return {
    async refresh() {
      try {
        const [quota, consumption] = await Promise.all([
          ask(() => opts.client.getMessageQuota(), 'quota'),
          ask(() => opts.client.getMessageQuotaConsumption(), 'quota consumption'),
        ]);
        reading =
          quota.type === 'limited' && typeof quota.value === 'number'
            ? { type: 'limited', limit: quota.value, used: consumption.totalUsage }
            : { type: 'none', used: consumption.totalUsage };
        log.info({ quotaType: reading.type, limit: reading.limit, used: reading.used, remaining: remaining(reading) }, 'message quota read');
        publish();
      } catch (err) {
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not read the message quota; pushes are not held for it');
      }
    },
    async start() {
      await this.refresh();
      if (opts.intervalMs > 0) {
        interval = setInterval(() => void this.refresh(), opts.intervalMs);
        interval.unref();
      }
    },
    stop() {
      clearInterval(interval);
    },
    current: () => reading,
    holdReason() {
      if (!reading) return undefined;
      const left = remaining(reading);
      return left !== undefined && left < opts.reserve ? `message quota: ${left} left, under the reserve of ${opts.reserve}` : undefined;
    },
    countPush() {
      if (!reading) return;
      reading = { ...reading, used: reading.used + 1 };
      publish();
    },
  };
}

/** The gateway, with each push that LINE accepted counted against the quota (a 409 was counted before). */
export function countPushes(gateway: LineGateway, quota: QuotaWatcher): LineGateway {
  return {
    ...gateway,
    async push(to, messages, retryKey) {
      const result = await gateway.push(to, messages, retryKey);
      if (result === 'sent') quota.countPush();
      return result;
    },
  };
}
