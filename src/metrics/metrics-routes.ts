/**
 * Where /metrics is served: on its own listener (METRICS_PORT, METRICS_HOST: off the public port),
 * and/or on the public port behind `Authorization: Bearer METRICS_TOKEN`. Neither set: not served.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Server } from 'node:http';
import express, { Router, type RequestHandler } from 'express';
import type { Logger } from '../log/create-logger.ts';
import type { Metrics } from './metrics.ts';

function metricsHandler(metrics: Metrics, log: Logger): RequestHandler {
  return async (_req, res) => {
    try {
      const text = await metrics.render();
      res.set('content-type', metrics.contentType).send(text);
    } catch (err) {
      log.error({ err }, 'could not collect the metrics');
      res.status(500).type('text/plain').send('could not collect the metrics\n');
    }
  };
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** GET /metrics on the public app, for requests that carry the token (constant-time check). */
export function createTokenMetricsRouter(metrics: Metrics, token: string, log: Logger): Router {
  const router = Router();
  const expected = digest(token);
  router.get('/metrics', (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const given = /^Bearer (.+)$/.exec(header)?.[1];
    if (!given || !timingSafeEqual(digest(given), expected)) {
      res.status(401).set('www-authenticate', 'Bearer').json({ error: 'unauthorized', message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' });
      return;
    }
    next();
  }, metricsHandler(metrics, log));
  return router;
}

/** A listener of its own that serves only GET /metrics. */
export async function startMetricsServer(metrics: Metrics, port: number, host: string, log: Logger): Promise<{ server: Server; url: string }> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsHandler(metrics, log));
  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(new MetricsListenError(host, port, err)) : resolve(s)));
  });
  const address = server.address() as { address: string; port: number };
  return { server, url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}` };
}

/** The metrics listener could not start: the message names the settings to change. */
export class MetricsListenError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    cause: Error,
  ) {
    super(`METRICS_HOST/METRICS_PORT: cannot serve metrics on ${host}:${port} (${cause.message}); choose a free port and an address of this machine`);
    this.name = 'MetricsListenError';
  }
}
