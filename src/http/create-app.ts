import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import { JSONParseError, SignatureValidationFailed, middleware as lineMiddleware, type webhook } from '@line/bot-sdk';
import type { Logger } from '../log/create-logger.ts';
import { localOnly } from './local-only.ts';

export interface AppDeps {
  channelSecret: string;
  log: Logger;
  /** Makes the events durable (inbox). The 200 is sent only after this resolves. */
  acceptEvents: (body: webhook.CallbackRequest) => Promise<void>;
  /** Throws if the store is unreachable. */
  checkReady: () => Promise<void>;
  /** Told how each POST /webhook ended (metrics: akari_webhook_requests_total). */
  onWebhook?: (outcome: 'accepted' | 'connectivity_check' | 'bad_signature' | 'too_large' | 'malformed' | 'error') => void;
  /** True once a stop has begun: /readyz answers 503 so that no new traffic is sent here. */
  isDraining?: () => boolean;
  /** Routers mounted under /local (local tools, only when LOCAL_TOOLS=true); absent in production. */
  localRouters?: Router[];
  /** Routes mounted at the root before the 404 handler (e.g. the local simulator page at /). */
  rootRouters?: Router[];
  /** For tests only: middleware to run before everything (e.g. a misplaced JSON parser). */
  before?: RequestHandler[];
}

export const WEBHOOK_BODY_LIMIT = '1mb';

export function createApp(deps: AppDeps): Express {
  const log = deps.log.child({ module: 'http' });
  const app = express();
  app.disable('x-powered-by');
  for (const m of deps.before ?? []) app.use(m);

  // The signature is over the raw bytes: bound the body first (413 past 1 MB), keep it raw, and let
  // the SDK middleware verify and parse it. No JSON parser may run ahead of this on /webhook.
  app.post(
    '/webhook',
    (req, _res, next) => {
      if (req.body !== undefined && !Buffer.isBuffer(req.body)) {
        next(new MisplacedParserError());
        return;
      }
      next();
    },
    // LINE sends plain bodies and signs those bytes: any content-encoding is refused (415), not inflated.
    express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT, inflate: false }),
    lineMiddleware({ channelSecret: deps.channelSecret }) as unknown as RequestHandler,
    async (req, res) => {
      const body = req.body as webhook.CallbackRequest;
      if (!body || !Array.isArray(body.events)) {
        deps.onWebhook?.('malformed');
        res.status(400).json({ error: 'invalid_payload', message: 'expected an object with an events array' });
        return;
      }
      // An empty events array is LINE's connectivity check from the console.
      if (body.events.length > 0) {
        try {
          await deps.acceptEvents(body);
        } catch (err) {
          // Signed, but not stored: LINE redelivers on a 5xx, and 503 says "try again later".
          log.error({ err, outcome: 'error' }, 'webhook not stored: the store failed; answering 503 so that LINE redelivers');
          deps.onWebhook?.('error');
          res.status(503).json({ error: 'store_unavailable', message: 'the events could not be stored; try again later' });
          return;
        }
      }
      deps.onWebhook?.(body.events.length > 0 ? 'accepted' : 'connectivity_check');
      res.status(200).json({});
    },
  );

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (deps.isDraining?.()) {
      res.status(503).json({ status: 'draining', message: 'stopping: finishing the work in flight' });
      return;
    }
    try {
      await deps.checkReady();
      res.json({ status: 'ready' });
    } catch (err) {
      log.warn({ err }, 'not ready');
      res.status(503).json({ status: 'unavailable', message: 'the store is not reachable' });
    }
  });

  // Local tools only for this machine (see local-only.ts); /webhook, /healthz and /readyz are above.
  const guard = localOnly(log);
  for (const r of deps.localRouters ?? []) app.use('/local', guard, r);
  for (const r of deps.rootRouters ?? []) app.use(guard, r);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });

  const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
    if (req.path === '/webhook' && req.method === 'POST') {
      const status = (err as { status?: number }).status;
      deps.onWebhook?.(
        err instanceof SignatureValidationFailed
          ? 'bad_signature'
          : err instanceof JSONParseError
            ? 'malformed'
            : (err as { type?: string }).type === 'entity.too.large' || status === 413
              ? 'too_large'
              : 'error',
      );
    }
    if (err instanceof SignatureValidationFailed) {
      log.warn({ reason: err.message, outcome: 'bad_signature' }, 'webhook rejected: bad signature');
      res.status(401).json({ error: 'invalid_signature', message: err.message });
      return;
    }
    if (err instanceof JSONParseError) {
      log.warn({ outcome: 'malformed' }, 'webhook rejected: malformed JSON');
      res.status(400).json({ error: 'malformed_json', message: 'the body is not valid JSON' });
      return;
    }
    const status = (err as { status?: number; type?: string }).status;
    if ((err as { type?: string }).type === 'entity.too.large' || status === 413) {
      log.warn({ path: req.path, outcome: 'too_large' }, 'request body over the limit');
      res.status(413).json({ error: 'payload_too_large', message: `the body is over ${WEBHOOK_BODY_LIMIT}` });
      return;
    }
    if ((err as { type?: string }).type === 'encoding.unsupported' || status === 415) {
      log.warn({ path: req.path, encoding: req.get('content-encoding') }, 'request refused: unsupported content-encoding');
      res.status(415).json({ error: 'unsupported_encoding', message: 'send the body without content-encoding' });
      return;
    }
    if (err instanceof MisplacedParserError) {
      log.error(err.message);
      res.status(500).json({ error: 'server_misconfigured', message: err.message });
      return;
    }
    log.error({ err, path: req.path }, 'request failed');
    res.status(500).json({ error: 'internal_error' });
  };
  app.use(onError);
  return app;
}

/** A body parser ran before /webhook: the raw bytes are gone, so no signature can be checked. */
export class MisplacedParserError extends Error {
  constructor() {
    super('the webhook body was parsed before the signature check: mount no body parser ahead of /webhook');
    this.name = 'MisplacedParserError';
  }
}
