// The local LINE platform: one in-process stand-in for api.line.me and api-data.line.me.
// Tests point the bot's LINE client at it; local mode (no LINE credentials) runs the bot against
// it; a terminal chat or a browser page watches its deliveries. It answers like LINE does (status
// codes, `{ message, details }` errors, `x-line-request-id`), checks every request against LINE's
// OpenAPI files and limits, remembers what it accepted and rejected, and can be told to fail.
//
// @line/bot-sdk builds URLs with `new URL('/v2/...', baseURL)`, so any path prefix in baseURL is
// dropped: mount `platform.router` at the root of another app, or run the platform on its own port.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { NextFunction, Request, Response, Router } from 'express';
import type { messagingApi } from '@line/bot-sdk';
import { createLineSchemaValidator } from './openapi-validator.ts';
import type { LineSchemaValidator, SchemaIssue } from './openapi-validator.ts';
import { collectMessageLimitIssues, collectRichMenuLimitIssues } from './line-limits.ts';

export interface LinePlatformOptions {
  /** Clock in ms for reply-token ages, retry-key lifetimes and timestamps (default Date.now). */
  now?: () => number;
  /** How long an issued reply token stays usable (default 60 000 ms). */
  replyTokenTtlMs?: number;
  /** How long an accepted X-Line-Retry-Key answers 409 (default 24 h, like LINE). */
  retryKeyTtlMs?: number;
  /** When set, every request needs `Authorization: Bearer <token>` (401 otherwise). */
  channelAccessToken?: string;
  /** Check bodies against the OpenAPI spec and LINE's limits (default true). */
  validate?: boolean;
  /** Share one validator between platforms: loading the spec takes a few hundred ms. */
  validator?: LineSchemaValidator;
  /** displayName of users nobody registered (default 'テストユーザー'). */
  defaultDisplayName?: string;
  /**
   * Answer 400 to a push whose `to` is not a LINE id (U, C or R and 32 hex digits), as LINE does for
   * ids it does not know (default false: many tests use short made-up ids).
   */
  checkRecipients?: boolean;
  /** The channel's monthly message quota (GET /v2/bot/message/quota): a number, or 'none' (default). */
  messageQuota?: number | 'none';
}

export interface RecordedRequest {
  id: number;
  at: number;
  requestId: string;
  method: string;
  path: string;
  /** Query string without the '?', '' when none. */
  query: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON, a Buffer for binary uploads, undefined when empty. */
  body: unknown;
  /** Status answered; null while in flight or when the connection was dropped on purpose. */
  status: number | null;
  /** Set when failNext() decided the answer. */
  injected?: boolean;
  networkError?: boolean;
}

export interface Delivery {
  id: number;
  kind: 'reply' | 'push';
  userId: string;
  messages: messagingApi.Message[];
  sentMessages: messagingApi.SentMessage[];
  retryKey?: string;
  replyToken?: string;
  notificationDisabled?: boolean;
  requestId: string;
  at: number;
}

export interface Violation {
  at: number;
  requestId: string;
  method: string;
  path: string;
  status: number;
  reasons: string[];
  body: unknown;
}

export interface FaultSpec {
  /** Exact path (`/v2/bot/message/push`) or a pattern; any path when omitted. */
  path?: string | RegExp;
  /** Any method when omitted. */
  method?: string;
  /** Status to answer with (required unless networkError). */
  status?: number;
  /** Body to answer with; a LINE-like `{ message }` for the status when omitted. */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests fail (default 1; Infinity for all). */
  times?: number;
  /** Wait this long before failing. */
  delayMs?: number;
  /** Destroy the socket instead of answering (the client sees a network error). */
  networkError?: boolean;
  /**
   * Handle the request normally first (a push is delivered, its retry key accepted) and only then
   * fail the answer: "LINE got it but the bot never heard back".
   */
  afterHandling?: boolean;
  /** Not a failure: wait `delayMs`, then handle the request normally (a slow LINE). */
  slow?: boolean;
}

export interface UserProfile {
  userId: string;
  displayName: string;
  language?: string;
  pictureUrl?: string;
  statusMessage?: string;
}

export interface StoredRichMenu {
  richMenuId: string;
  menu: messagingApi.RichMenuRequest;
  image?: { contentType: string; data: Buffer };
  createdAt: number;
}

export type Unsubscribe = () => void;

export interface LinePlatform {
  /** Standalone express app: the LINE API plus a JSON 404 for everything else. */
  readonly app: express.Express;
  /**
   * Mountable router (mount at '/'): answers `/v2/...` and passes every other path on, without
   * touching its body (so an outer app's `/webhook` keeps its raw body).
   */
  readonly router: Router;

  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
  /** Base URL once listening, else undefined. */
  readonly url: string | undefined;

  issueReplyToken(userId: string, options?: { issuedAt?: number }): string;
  registerUser(profile: UserProfile): void;

  failNext(fault: FaultSpec): void;
  /** Forget every fault not used up yet (an outage ends). */
  clearFaults(): void;
  /** Stop listening (the port stays reserved for `goOnline`): the bot sees "connection refused". */
  goOffline(): Promise<void>;
  /** Listen again on the same port after `goOffline`. */
  goOnline(): Promise<void>;
  setLatency(ms: number): void;
  /**
   * The monthly quota LINE reports, and how much of it is used; each push delivered adds one (LINE
   * counts a push per recipient, whatever its number of message objects; replies are free).
   */
  setMessageQuota(limit: number | 'none', used?: number): void;

  readonly requests: readonly RecordedRequest[];
  readonly deliveries: readonly Delivery[];
  readonly violations: readonly Violation[];
  deliveriesFor(userId: string): Delivery[];
  /** Text of text messages and altText of flex/template/imagemap messages, in order. */
  textsFor(userId: string): string[];

  onDelivery(listener: (delivery: Delivery) => void): Unsubscribe;
  onViolation(listener: (violation: Violation) => void): Unsubscribe;

  getRichMenu(richMenuId: string): StoredRichMenu | undefined;
  listRichMenus(): StoredRichMenu[];
  /** The menu a user sees: linked to them, else the default. */
  richMenuFor(userId: string): StoredRichMenu | undefined;
  resolveRichMenuAlias(aliasId: string): string | undefined;

  /** Forget everything (requests, deliveries, tokens, keys, users, menus, faults, latency); listeners stay. */
  reset(): void;
}

interface IssuedToken {
  userId: string;
  issuedAt: number;
  usedAt?: number;
}

interface AcceptedRetryKey {
  acceptedAt: number;
  requestId: string;
  sentMessages: messagingApi.SentMessage[];
}

interface ActiveFault {
  spec: FaultSpec;
  remaining: number;
}

/** Carried from the first middleware to every answer. */
interface Exchange {
  record: RecordedRequest;
  afterFault?: FaultSpec;
}

class HttpAnswer {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly reasons: string[] = [],
    readonly headers: Record<string, string> = {},
  ) {}
}

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_JSON_BYTES = 2 * 1024 * 1024;
const MAX_IMAGE_BYTES = 1024 * 1024;
// Read a little beyond the limits so "too large" is known without buffering huge bodies.
const MAX_READ_BYTES = 10 * 1024 * 1024;
/** A user (U…), group (C…) or room (R…) id as LINE issues them. */
const LINE_ID = /^[UCR][0-9a-f]{32}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const STATUS_MESSAGES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Authentication failed. Confirm that the access token in the authorization header is valid.',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  429: 'The API rate limit has been exceeded. Try again later.',
  500: 'Internal server error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const QUOTABLE = new Set(['text', 'textV2', 'sticker', 'image', 'video']);

export function createLinePlatform(options: LinePlatformOptions = {}): LinePlatform {
  const now = options.now ?? Date.now;
  const replyTokenTtlMs = options.replyTokenTtlMs ?? 60_000;
  const retryKeyTtlMs = options.retryKeyTtlMs ?? DAY_MS;
  const validateBodies = options.validate ?? true;
  const defaultDisplayName = options.defaultDisplayName ?? 'テストユーザー';
  const validator = options.validator ?? (validateBodies ? createLineSchemaValidator() : undefined);

  const requests: RecordedRequest[] = [];
  const deliveries: Delivery[] = [];
  const violations: Violation[] = [];
  const replyTokens = new Map<string, IssuedToken>();
  const retryKeys = new Map<string, AcceptedRetryKey>();
  const users = new Map<string, UserProfile>();
  const richMenus = new Map<string, StoredRichMenu>();
  const userRichMenus = new Map<string, string>();
  const aliases = new Map<string, string>();
  const deliveryListeners = new Set<(delivery: Delivery) => void>();
  const violationListeners = new Set<(violation: Violation) => void>();
  let faults: ActiveFault[] = [];
  let defaultRichMenuId: string | undefined;
  let latencyMs = 0;
  let quotaLimit: number | 'none' = options.messageQuota ?? 'none';
  let quotaUsed = 0;
  let requestSeq = 0;
  let deliverySeq = 0;
  let messageSeq = 0;
  let server: Server | undefined;
  let baseUrl: string | undefined;
  let offline: { port: number; host: string } | undefined;
  let listenedOn: { port: number; host: string } | undefined;

  // ---------- helpers ----------

  function emit<T>(listeners: Set<(value: T) => void>, value: T): void {
    for (const listener of listeners) {
      try {
        listener(value);
      } catch {
        // A broken observer must not turn into a failed LINE request.
      }
    }
  }

  function exchangeOf(res: Response): Exchange {
    return res.locals.linePlatform as Exchange;
  }

  function send(res: Response, answer: HttpAnswer): void {
    const exchange = exchangeOf(res);
    const fault = exchange.afterFault;
    if (fault) {
      exchange.afterFault = undefined;
      void answerWithFault(res, fault, exchange.record);
      return;
    }
    const { record } = exchange;
    record.status = answer.status;
    // A 409 (retry key already accepted) and a lookup of something that does not exist (GET → 404)
    // are normal answers, not rules the bot broke.
    const lookupMiss = answer.status === 404 && record.method === 'GET';
    if (answer.status >= 400 && answer.status !== 409 && !lookupMiss) {
      const violation: Violation = {
        at: now(),
        requestId: record.requestId,
        method: record.method,
        path: record.path,
        status: answer.status,
        reasons: answer.reasons.length > 0 ? answer.reasons : [messageOf(answer.body)],
        body: record.body,
      };
      violations.push(violation);
      emit(violationListeners, violation);
    }
    res.status(answer.status).set(answer.headers);
    if (Buffer.isBuffer(answer.body)) res.send(answer.body);
    else res.json(answer.body);
  }

  async function answerWithFault(res: Response, fault: FaultSpec, record: RecordedRequest): Promise<void> {
    if (fault.delayMs) await sleep(fault.delayMs);
    record.injected = true;
    if (fault.networkError) {
      record.networkError = true;
      record.status = null;
      res.socket?.destroy();
      return;
    }
    const status = fault.status ?? 500;
    record.status = status;
    res
      .status(status)
      .set(fault.headers ?? {})
      .json(fault.body ?? { message: STATUS_MESSAGES[status] ?? `Injected ${status}` });
  }

  function takeFault(method: string, path: string): FaultSpec | undefined {
    const index = faults.findIndex(({ spec }) => {
      if (spec.method && spec.method.toUpperCase() !== method) return false;
      if (spec.path === undefined) return true;
      return typeof spec.path === 'string' ? spec.path === path : spec.path.test(path);
    });
    const active = faults[index];
    if (!active) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) faults.splice(index, 1);
    return active.spec;
  }

  function badRequest(issues: SchemaIssue[]): HttpAnswer {
    return new HttpAnswer(
      400,
      {
        message: `The request body has ${issues.length} error(s)`,
        details: issues.map(({ message, property }) => ({ message, property })),
      },
      issues.map((i) => (i.property ? `${i.property}: ${i.message}` : i.message)),
    );
  }

  /** Schema errors plus limit errors; a limit error replaces the schema's wording for the same property. */
  function checkBody(schemaName: string, body: unknown, extra: (body: Record<string, unknown>) => SchemaIssue[] = () => []): SchemaIssue[] {
    if (!validateBodies || !validator) {
      // Even unchecked, a message request needs something to deliver.
      if (!isRecord(body)) return [{ property: '', message: 'the body must be a JSON object' }];
      const needsMessages = ['ReplyMessageRequest', 'PushMessageRequest', 'ValidateMessageRequest'].includes(schemaName);
      return needsMessages && !Array.isArray(body.messages) ? [{ property: 'messages', message: 'is required' }] : [];
    }
    const schema = validator.validateRequest(schemaName, body);
    const limits = isRecord(body) ? extra(body) : [];
    const limitProperties = new Set(limits.map((l) => l.property));
    const fromSchema = schema.ok ? [] : schema.issues.filter((i) => !limitProperties.has(i.property));
    return [...fromSchema, ...limits];
  }

  function messageLimits(body: Record<string, unknown>): SchemaIssue[] {
    return Array.isArray(body.messages) ? collectMessageLimitIssues(body.messages) : [];
  }

  function sentMessagesFor(messages: messagingApi.Message[]): messagingApi.SentMessage[] {
    return messages.map((message) => {
      messageSeq += 1;
      const id = `5${String(messageSeq).padStart(17, '0')}`;
      return QUOTABLE.has(message.type) ? { id, quoteToken: randomBytes(24).toString('base64url') } : { id };
    });
  }

  function deliver(delivery: Omit<Delivery, 'id'>): Delivery {
    deliverySeq += 1;
    const recorded: Delivery = { id: deliverySeq, ...delivery };
    deliveries.push(recorded);
    emit(deliveryListeners, recorded);
    return recorded;
  }

  function requireMenu(richMenuId: string): StoredRichMenu {
    const menu = richMenus.get(richMenuId);
    if (!menu) throw new HttpAnswer(404, { message: 'Not found' }, [`rich menu ${richMenuId} does not exist`]);
    return menu;
  }

  function requireImage(menu: StoredRichMenu): void {
    if (!menu.image) {
      throw new HttpAnswer(400, { message: 'must upload richmenu image before applying it to user' }, [
        `rich menu ${menu.richMenuId} has no image yet: upload it before linking or aliasing the menu`,
      ]);
    }
  }

  function richMenuResponse(stored: StoredRichMenu): messagingApi.RichMenuResponse {
    return { richMenuId: stored.richMenuId, ...stored.menu } as messagingApi.RichMenuResponse;
  }

  // ---------- handlers ----------

  type Handler = (req: Request, res: Response) => HttpAnswer | Promise<HttpAnswer>;

  const handlers: Array<{ method: 'get' | 'post' | 'delete'; path: string; handle: Handler }> = [];
  const route = (method: 'get' | 'post' | 'delete', path: string, handle: Handler): void => {
    handlers.push({ method, path, handle });
  };

  route('post', '/v2/bot/message/reply', (req, res) => {
    const issues = checkBody('ReplyMessageRequest', req.body, messageLimits);
    if (issues.length > 0) return badRequest(issues);
    const body = req.body as messagingApi.ReplyMessageRequest;
    const token = replyTokens.get(body.replyToken);
    const invalid = (why: string): HttpAnswer =>
      new HttpAnswer(400, { message: 'Invalid reply token' }, [`Invalid reply token: ${why}`]);
    if (!token) return invalid('this platform never issued it');
    if (token.usedAt !== undefined) return invalid('it was already used (a reply token works once)');
    const age = now() - token.issuedAt;
    if (age > replyTokenTtlMs) {
      return invalid(`issued ${(age / 1000).toFixed(1)} s ago; tokens expire after ${replyTokenTtlMs / 1000} s`);
    }
    token.usedAt = now();
    const sentMessages = sentMessagesFor(body.messages);
    deliver({
      kind: 'reply',
      userId: token.userId,
      messages: body.messages,
      sentMessages,
      replyToken: body.replyToken,
      notificationDisabled: body.notificationDisabled,
      requestId: exchangeOf(res).record.requestId,
      at: now(),
    });
    return new HttpAnswer(200, { sentMessages });
  });

  route('post', '/v2/bot/message/push', (req, res) => {
    const retryKey = req.get('x-line-retry-key');
    if (retryKey !== undefined) {
      if (!UUID.test(retryKey)) {
        return new HttpAnswer(400, { message: 'The value of the X-Line-Retry-Key header is invalid' }, [
          `X-Line-Retry-Key ${JSON.stringify(retryKey)} is not a UUID`,
        ]);
      }
      const accepted = retryKeys.get(retryKey.toLowerCase());
      if (accepted && now() - accepted.acceptedAt <= retryKeyTtlMs) {
        return new HttpAnswer(
          409,
          { message: 'The retry key is already accepted', sentMessages: accepted.sentMessages },
          [],
          { 'x-line-accepted-request-id': accepted.requestId },
        );
      }
    }
    const issues = checkBody('PushMessageRequest', req.body, messageLimits);
    if (issues.length > 0) return badRequest(issues);
    const body = req.body as messagingApi.PushMessageRequest;
    if (options.checkRecipients && !LINE_ID.test(body.to)) {
      return new HttpAnswer(400, { message: "The property, 'to', in the request body is invalid (line: -, column: -)" }, [
        `push to ${JSON.stringify(body.to)}: not a LINE user, group or room id`,
      ]);
    }
    const requestId = exchangeOf(res).record.requestId;
    const sentMessages = sentMessagesFor(body.messages);
    if (retryKey !== undefined) retryKeys.set(retryKey.toLowerCase(), { acceptedAt: now(), requestId, sentMessages });
    quotaUsed += 1;
    deliver({
      kind: 'push',
      userId: body.to,
      messages: body.messages,
      sentMessages,
      retryKey,
      notificationDisabled: body.notificationDisabled,
      requestId,
      at: now(),
    });
    return new HttpAnswer(200, { sentMessages });
  });

  for (const kind of ['reply', 'push']) {
    route('post', `/v2/bot/message/validate/${kind}`, (req) => {
      const issues = checkBody('ValidateMessageRequest', req.body, messageLimits);
      return issues.length > 0 ? badRequest(issues) : new HttpAnswer(200, {});
    });
  }

  route('get', '/v2/bot/message/quota', () =>
    new HttpAnswer(200, quotaLimit === 'none' ? { type: 'none' } : { type: 'limited', value: quotaLimit }),
  );
  route('get', '/v2/bot/message/quota/consumption', () => new HttpAnswer(200, { totalUsage: quotaUsed }));

  route('post', '/v2/bot/chat/markAsRead', (req) => {
    const issues = checkBody('MarkMessagesAsReadByTokenRequest', req.body);
    return issues.length > 0 ? badRequest(issues) : new HttpAnswer(200, {});
  });

  route('post', '/v2/bot/chat/loading/start', (req) => {
    const issues = checkBody('ShowLoadingAnimationRequest', req.body);
    return issues.length > 0 ? badRequest(issues) : new HttpAnswer(202, {});
  });

  route('get', '/v2/bot/profile/:userId', (req) => {
    const userId = String(req.params.userId);
    const profile = users.get(userId) ?? { userId, displayName: defaultDisplayName };
    return new HttpAnswer(200, { language: 'ja', ...profile });
  });

  // Rich menus. Fixed paths come before `:richMenuId` so 'list' and 'alias' are not taken for ids.
  const richMenuIssues = (body: unknown): SchemaIssue[] =>
    checkBody('RichMenuRequest', body, (menu) => (validateBodies ? collectRichMenuLimitIssues(menu) : []));

  route('post', '/v2/bot/richmenu/validate', (req) => {
    const issues = richMenuIssues(req.body);
    return issues.length > 0 ? badRequest(issues) : new HttpAnswer(200, {});
  });

  route('post', '/v2/bot/richmenu', (req) => {
    const issues = richMenuIssues(req.body);
    if (issues.length > 0) return badRequest(issues);
    const richMenuId = `richmenu-${randomBytes(16).toString('hex')}`;
    richMenus.set(richMenuId, {
      richMenuId,
      menu: structuredClone(req.body) as messagingApi.RichMenuRequest,
      createdAt: now(),
    });
    return new HttpAnswer(200, { richMenuId });
  });

  route('get', '/v2/bot/richmenu/list', () =>
    new HttpAnswer(200, { richmenus: [...richMenus.values()].map(richMenuResponse) }),
  );

  route('get', '/v2/bot/richmenu/alias/list', () =>
    new HttpAnswer(200, {
      aliases: [...aliases].map(([richMenuAliasId, richMenuId]) => ({ richMenuAliasId, richMenuId })),
    }),
  );

  route('post', '/v2/bot/richmenu/alias', (req) => {
    const issues = checkBody('CreateRichMenuAliasRequest', req.body);
    if (issues.length > 0) return badRequest(issues);
    const body = req.body as messagingApi.CreateRichMenuAliasRequest;
    if (aliases.has(body.richMenuAliasId)) {
      return new HttpAnswer(400, { message: 'conflict richmenu alias id' }, [
        `rich menu alias ${body.richMenuAliasId} already exists (update it instead)`,
      ]);
    }
    const menu = richMenus.get(body.richMenuId);
    if (!menu) return new HttpAnswer(400, { message: 'richmenu not found' }, [`rich menu ${body.richMenuId} does not exist`]);
    requireImage(menu);
    aliases.set(body.richMenuAliasId, body.richMenuId);
    return new HttpAnswer(200, {});
  });

  route('post', '/v2/bot/richmenu/alias/:richMenuAliasId', (req) => {
    const aliasId = String(req.params.richMenuAliasId);
    const issues = checkBody('UpdateRichMenuAliasRequest', req.body);
    if (issues.length > 0) return badRequest(issues);
    if (!aliases.has(aliasId)) {
      return new HttpAnswer(400, { message: 'richmenu alias not found' }, [`rich menu alias ${aliasId} does not exist`]);
    }
    const body = req.body as messagingApi.UpdateRichMenuAliasRequest;
    const menu = richMenus.get(body.richMenuId);
    if (!menu) return new HttpAnswer(400, { message: 'richmenu not found' }, [`rich menu ${body.richMenuId} does not exist`]);
    requireImage(menu);
    aliases.set(aliasId, body.richMenuId);
    return new HttpAnswer(200, {});
  });

  route('get', '/v2/bot/richmenu/alias/:richMenuAliasId', (req) => {
    const aliasId = String(req.params.richMenuAliasId);
    const richMenuId = aliases.get(aliasId);
    if (!richMenuId) return new HttpAnswer(404, { message: 'Not found' }, [`rich menu alias ${aliasId} does not exist`]);
    return new HttpAnswer(200, { richMenuAliasId: aliasId, richMenuId });
  });

  route('delete', '/v2/bot/richmenu/alias/:richMenuAliasId', (req) => {
    const aliasId = String(req.params.richMenuAliasId);
    if (!aliases.delete(aliasId)) {
      return new HttpAnswer(404, { message: 'Not found' }, [`rich menu alias ${aliasId} does not exist`]);
    }
    return new HttpAnswer(200, {});
  });

  route('get', '/v2/bot/richmenu/:richMenuId', (req) =>
    new HttpAnswer(200, richMenuResponse(requireMenu(String(req.params.richMenuId)))),
  );

  route('delete', '/v2/bot/richmenu/:richMenuId', (req) => {
    const { richMenuId } = requireMenu(String(req.params.richMenuId));
    richMenus.delete(richMenuId);
    if (defaultRichMenuId === richMenuId) defaultRichMenuId = undefined;
    for (const [userId, linked] of userRichMenus) if (linked === richMenuId) userRichMenus.delete(userId);
    for (const [aliasId, target] of aliases) if (target === richMenuId) aliases.delete(aliasId);
    return new HttpAnswer(200, {});
  });

  // api-data.line.me
  route('post', '/v2/bot/richmenu/:richMenuId/content', (req) => {
    const menu = requireMenu(String(req.params.richMenuId));
    const contentType = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'image/png' && contentType !== 'image/jpeg') {
      return new HttpAnswer(400, { message: 'Unsupported image type' }, [
        `Content-Type ${JSON.stringify(contentType)}: rich menu images must be image/png or image/jpeg`,
      ]);
    }
    const data = req.body;
    if (data instanceof TooLarge || (Buffer.isBuffer(data) && data.length > MAX_IMAGE_BYTES)) {
      const size = data instanceof TooLarge ? `more than ${data.limit}` : String(data.length);
      return new HttpAnswer(413, { message: STATUS_MESSAGES[413] }, [
        `the image is ${size} bytes; rich menu images must be at most 1 MB`,
      ]);
    }
    if (!Buffer.isBuffer(data) || data.length === 0) {
      return new HttpAnswer(400, { message: 'The image is empty' }, ['no image bytes in the request body']);
    }
    if (menu.image) {
      return new HttpAnswer(400, { message: 'An image has already been uploaded to the richmenu' }, [
        `rich menu ${menu.richMenuId} already has an image: create a new menu to change it`,
      ]);
    }
    const detected = readImageInfo(data);
    if (!detected || detected.type !== contentType) {
      return new HttpAnswer(400, { message: 'Invalid image' }, [
        detected
          ? `Content-Type says ${contentType} but the bytes are ${detected.type}`
          : `the bytes are not a ${contentType === 'image/png' ? 'PNG' : 'JPEG'} image`,
      ]);
    }
    const { width, height } = menu.menu.size ?? {};
    if (width !== undefined && detected.width !== undefined && (detected.width !== width || detected.height !== height)) {
      return new HttpAnswer(400, { message: 'Image size does not match the rich menu size' }, [
        `the image is ${detected.width}×${detected.height} but the rich menu is ${width}×${height}`,
      ]);
    }
    menu.image = { contentType, data: Buffer.from(data) };
    return new HttpAnswer(200, {});
  });

  route('get', '/v2/bot/richmenu/:richMenuId/content', (req, res) => {
    const menu = requireMenu(String(req.params.richMenuId));
    if (!menu.image) return new HttpAnswer(404, { message: 'Not found' }, [`rich menu ${menu.richMenuId} has no image`]);
    res.type(menu.image.contentType);
    return new HttpAnswer(200, menu.image.data);
  });

  route('post', '/v2/bot/user/all/richmenu/:richMenuId', (req) => {
    const menu = requireMenu(String(req.params.richMenuId));
    requireImage(menu);
    defaultRichMenuId = menu.richMenuId;
    return new HttpAnswer(200, {});
  });

  route('get', '/v2/bot/user/all/richmenu', () =>
    defaultRichMenuId
      ? new HttpAnswer(200, { richMenuId: defaultRichMenuId })
      : new HttpAnswer(404, { message: 'no default richmenu' }, ['no default rich menu is set']),
  );

  route('delete', '/v2/bot/user/all/richmenu', () => {
    defaultRichMenuId = undefined;
    return new HttpAnswer(200, {});
  });

  route('post', '/v2/bot/user/:userId/richmenu/:richMenuId', (req) => {
    const menu = requireMenu(String(req.params.richMenuId));
    requireImage(menu);
    userRichMenus.set(String(req.params.userId), menu.richMenuId);
    return new HttpAnswer(200, {});
  });

  route('get', '/v2/bot/user/:userId/richmenu', (req) => {
    const userId = String(req.params.userId);
    const richMenuId = userRichMenus.get(userId);
    return richMenuId
      ? new HttpAnswer(200, { richMenuId })
      : new HttpAnswer(404, { message: 'the user has no richmenu' }, [`no rich menu is linked to ${userId}`]);
  });

  route('delete', '/v2/bot/user/:userId/richmenu', (req) => {
    userRichMenus.delete(String(req.params.userId));
    return new HttpAnswer(200, {});
  });

  // ---------- express wiring ----------

  function buildRouter(claimAllPaths: boolean): Router {
    const router = express.Router();

    router.use(async (req: Request, res: Response, next: NextFunction) => {
      const onLineApi = req.path.startsWith('/v2/');
      if (!onLineApi && !claimAllPaths) {
        next('router');
        return;
      }
      requestSeq += 1;
      const record: RecordedRequest = {
        id: requestSeq,
        at: now(),
        requestId: randomUUID(),
        method: req.method,
        path: req.path,
        query: req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '',
        headers: lowerCaseHeaders(req.headers),
        body: undefined,
        status: null,
      };
      requests.push(record);
      const exchange: Exchange = { record };
      res.locals.linePlatform = exchange;
      res.setHeader('x-line-request-id', record.requestId);

      const body = await readBody(req);
      req.body = body;
      record.body = body instanceof TooLarge ? `<more than ${body.limit} bytes>` : body;

      if (latencyMs > 0) await sleep(latencyMs);

      let fault = takeFault(req.method, req.path);
      if (fault?.slow) {
        await sleep(fault.delayMs ?? 0);
        fault = undefined;
      }
      if (fault && !fault.afterHandling) {
        await answerWithFault(res, fault, record);
        return;
      }
      exchange.afterFault = fault;

      if (options.channelAccessToken !== undefined) {
        const auth = req.get('authorization');
        if (auth !== `Bearer ${options.channelAccessToken}`) {
          send(res, new HttpAnswer(401, { message: STATUS_MESSAGES[401] }, [
            auth ? 'the Authorization header carries a different channel access token' : 'no Authorization: Bearer header',
          ]));
          return;
        }
      }
      if (body instanceof TooLarge) {
        send(res, new HttpAnswer(413, { message: STATUS_MESSAGES[413] }, [`the body is larger than ${body.limit} bytes`]));
        return;
      }
      if (body instanceof BadJson) {
        send(res, new HttpAnswer(400, { message: 'The request body could not be parsed as JSON' }, [`invalid JSON: ${body.reason}`]));
        return;
      }
      next();
    });

    for (const { method, path, handle } of handlers) {
      router[method](path, async (req: Request, res: Response) => {
        let answer: HttpAnswer;
        try {
          answer = await handle(req, res);
        } catch (error) {
          if (!(error instanceof HttpAnswer)) throw error;
          answer = error;
        }
        send(res, answer);
      });
    }

    router.use((req: Request, res: Response) => {
      send(res, new HttpAnswer(404, { message: 'Not found' }, [`no LINE endpoint ${req.method} ${req.path}`]));
    });

    router.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      const reason = error instanceof Error ? error.message : String(error);
      if (res.locals.linePlatform) send(res, new HttpAnswer(500, { message: STATUS_MESSAGES[500] }, [`platform error: ${reason}`]));
      else res.status(500).json({ message: STATUS_MESSAGES[500] });
    });
    return router;
  }

  const router = buildRouter(false);
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use(buildRouter(true));

  // ---------- the object ----------

  return {
    app,
    router,
    get url() {
      return baseUrl;
    },

    async listen(port = 0, host = '127.0.0.1') {
      if (server) throw new Error('The local LINE platform is already listening');
      listenedOn = { port, host };
      const created = createServer(app);
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(port, host, () => {
          created.off('error', reject);
          resolve();
        });
      });
      server = created;
      const address = created.address() as AddressInfo;
      const hostPart = address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
      baseUrl = `http://${hostPart}:${address.port}`;
      return baseUrl;
    },

    async goOffline() {
      const closing = server;
      if (!closing) throw new Error('The local LINE platform is not listening');
      const address = closing.address() as AddressInfo;
      offline = { port: address.port, host: listenedOn?.host ?? address.address };
      const url = baseUrl;
      await this.close();
      baseUrl = url;
    },

    async goOnline() {
      if (!offline) throw new Error('The local LINE platform is not offline');
      const { port, host } = offline;
      offline = undefined;
      baseUrl = undefined;
      await this.listen(port, host);
    },

    async close() {
      const closing = server;
      server = undefined;
      baseUrl = undefined;
      if (!closing) return;
      await new Promise<void>((resolve, reject) => {
        closing.close((error) => (error ? reject(error) : resolve()));
        // fetch keeps connections alive; without this close() waits for them to time out.
        closing.closeAllConnections();
      });
    },

    issueReplyToken(userId, tokenOptions = {}) {
      const token = randomBytes(16).toString('hex');
      replyTokens.set(token, { userId, issuedAt: tokenOptions.issuedAt ?? now() });
      return token;
    },

    registerUser(profile) {
      users.set(profile.userId, { ...profile });
    },

    failNext(fault) {
      if (fault.status === undefined && !fault.networkError && !fault.slow) {
        throw new Error('failNext needs a status or networkError: true');
      }
      faults.push({ spec: fault, remaining: fault.times ?? 1 });
    },

    clearFaults() {
      faults = [];
    },

    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },

    setMessageQuota(limit, used) {
      quotaLimit = limit;
      if (used !== undefined) quotaUsed = used;
    },

    get requests() {
      return requests;
    },
    get deliveries() {
      return deliveries;
    },
    get violations() {
      return violations;
    },

    deliveriesFor(userId) {
      return deliveries.filter((d) => d.userId === userId);
    },

    textsFor(userId) {
      return deliveries
        .filter((d) => d.userId === userId)
        .flatMap((d) => d.messages.flatMap((message) => textOf(message)));
    },

    onDelivery(listener) {
      deliveryListeners.add(listener);
      return () => {
        deliveryListeners.delete(listener);
      };
    },

    onViolation(listener) {
      violationListeners.add(listener);
      return () => {
        violationListeners.delete(listener);
      };
    },

    getRichMenu: (richMenuId) => richMenus.get(richMenuId),
    listRichMenus: () => [...richMenus.values()],
    richMenuFor(userId) {
      const id = userRichMenus.get(userId) ?? defaultRichMenuId;
      return id ? richMenus.get(id) : undefined;
    },
    resolveRichMenuAlias: (aliasId) => aliases.get(aliasId),

    reset() {
      requests.length = 0;
      deliveries.length = 0;
      violations.length = 0;
      replyTokens.clear();
      retryKeys.clear();
      users.clear();
      richMenus.clear();
      userRichMenus.clear();
      aliases.clear();
      faults = [];
      defaultRichMenuId = undefined;
      latencyMs = 0;
      quotaLimit = options.messageQuota ?? 'none';
      quotaUsed = 0;
    },
  };
}

/** Convenience for callers that only want the mountable/standalone express app. */
export function createLinePlatformApp(options: LinePlatformOptions = {}): { app: express.Express; platform: LinePlatform } {
  const platform = createLinePlatform(options);
  return { app: platform.app, platform };
}

// ---------- body reading ----------

class TooLarge {
  constructor(readonly limit: number) {}
}

class BadJson {
  constructor(readonly reason: string) {}
}

async function readBody(req: Request): Promise<unknown> {
  // Mounted behind a body parser: take what it produced.
  if (req.body !== undefined) return req.body;
  if (req.readableEnded) return undefined;
  const contentType = (req.get('content-type') ?? '').toLowerCase();
  const isJson = contentType.includes('json');
  const limit = isJson ? MAX_JSON_BYTES : MAX_READ_BYTES;
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += buffer.length;
    if (size > limit) tooLarge = true;
    else chunks.push(buffer);
  }
  if (tooLarge) return new TooLarge(limit);
  if (size === 0) return undefined;
  const raw = Buffer.concat(chunks);
  if (isJson) {
    try {
      return JSON.parse(raw.toString('utf8')) as unknown;
    } catch (error) {
      return new BadJson(error instanceof Error ? error.message : String(error));
    }
  }
  if (contentType.startsWith('text/')) return raw.toString('utf8');
  return raw;
}

// ---------- small pure helpers ----------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function lowerCaseHeaders(headers: Request['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function messageOf(body: unknown): string {
  return isRecord(body) && typeof body.message === 'string' ? body.message : 'rejected';
}

function textOf(message: messagingApi.Message): string[] {
  const m = message as unknown as Record<string, unknown>;
  if ((m.type === 'text' || m.type === 'textV2') && typeof m.text === 'string') return [m.text];
  if (typeof m.altText === 'string') return [m.altText];
  return [];
}

/** Image type and, when cheap to read, dimensions from the first bytes. */
export function readImageInfo(data: Buffer): { type: 'image/png' | 'image/jpeg'; width?: number; height?: number } | undefined {
  const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (data.length >= 8 && PNG_SIGNATURE.every((byte, i) => data[i] === byte)) {
    // The IHDR chunk comes first: length(4) 'IHDR'(4) width(4) height(4).
    if (data.length >= 24 && data.toString('latin1', 12, 16) === 'IHDR') {
      return { type: 'image/png', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
    }
    return { type: 'image/png' };
  }
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) {
    return { type: 'image/jpeg', ...readJpegSize(data) };
  }
  return undefined;
}

function readJpegSize(data: Buffer): { width?: number; height?: number } {
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) return {};
    const marker = data[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // padding
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    const length = data.readUInt16BE(offset + 2);
    // SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame && offset + 9 <= data.length) {
      return { height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    if (marker === 0xda) return {}; // start of scan: no frame header found before the data
    offset += 2 + length;
  }
  return {};
}

