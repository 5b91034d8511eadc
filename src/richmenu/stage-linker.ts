/**
 * Keeps a user's rich menu on their conversation stage: when a turn moves them
 * to another stage, link them to the menu that highlights it (alias
 * `akari-<stage>`, deployed by `npm run richmenu:deploy`); when their
 * conversation is deleted, unlink them so they see the default menu again.
 *
 * Best effort by design: the menu is decoration, the conversation is the
 * product. A failed call logs a warning and is not retried; nothing here ever
 * throws into the turn that triggered it. Calls for one user run in order, so
 * two quick stage changes cannot land the wrong way round.
 * See docs/rich-menu.md for why this links per user instead of using
 * richmenuswitch actions.
 */
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { toLineApiError } from '../line/gateway.ts';
import type { Logger } from '../log/create-logger.ts';
import { RICH_MENU_ALIAS_PREFIX, richMenuAliasId } from './aliases.ts';
import { RICH_MENU_STAGES, type RichMenuStage } from './layout.ts';

/** The three Messaging API calls the linker needs; `messagingApi.MessagingApiClient` has them. */
export interface StageMenuClient {
  getRichMenuAlias(richMenuAliasId: string): Promise<{ richMenuId: string }>;
  linkRichMenuIdToUser(userId: string, richMenuId: string): Promise<unknown>;
  unlinkRichMenuIdFromUser(userId: string): Promise<unknown>;
}

/** What the linker needs from a committed turn (a `TurnResult` fits). */
export interface StageChange {
  userId: string;
  stage: RichMenuStage | undefined;
  previousStage: RichMenuStage | undefined;
}

export interface StageMenuLinkerOptions {
  client: StageMenuClient;
  log: Logger;
  /** Alias ids are `<prefix>-<stage>` (default `akari`, as the deploy names them). */
  aliasPrefix?: string;
  /** Per LINE call (default 10 s). */
  timeoutMs?: number;
}

export interface StageMenuLinker {
  /** Call after each committed turn; returns at once, the LINE calls happen in the background. */
  onTurn(change: StageChange): void;
  /** Resolves once every call started so far has finished. */
  idle(): Promise<void>;
}

/** A MessagingApiClient for the linker, on the bot's channel. */
export function createStageMenuClient(opts: { channelAccessToken: string; apiBaseUrl: string }): StageMenuClient {
  return new messagingApi.MessagingApiClient({ channelAccessToken: opts.channelAccessToken, baseURL: opts.apiBaseUrl });
}

class Timeout extends Error {}

export function createStageMenuLinker(options: StageMenuLinkerOptions): StageMenuLinker {
  const { client } = options;
  const log = options.log.child({ module: 'richmenu' });
  const prefix = options.aliasPrefix ?? RICH_MENU_ALIAS_PREFIX;
  const timeoutMs = options.timeoutMs ?? 10_000;

  /** alias id → rich menu id; a promise so concurrent users share one lookup. */
  const resolved = new Map<string, Promise<string | undefined>>();
  /** Set once an alias lookup answered 404: the stage menus are not deployed, so stop calling. */
  let notDeployed = false;
  /** Per-user chains of calls, so one user's links happen in the order of their turns. */
  const chains = new Map<string, Promise<void>>();

  async function timed<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        promise,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Timeout(`LINE did not answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  function resolveAlias(aliasId: string): Promise<string | undefined> {
    let lookup = resolved.get(aliasId);
    if (!lookup) {
      lookup = timed(client.getRichMenuAlias(aliasId)).then(
        (alias) => alias.richMenuId,
        (err: unknown) => {
          if (err instanceof HTTPFetchError && err.status === 404) {
            if (!notDeployed) {
              notDeployed = true;
              log.info(
                { aliasId },
                `The stage rich menus are not deployed (alias ${aliasId} not found), so menus will not follow the conversation; run \`npm run richmenu:deploy\` to deploy them`,
              );
            }
            return undefined;
          }
          // Not cached: the next stage change tries again.
          resolved.delete(aliasId);
          throw err;
        },
      );
      resolved.set(aliasId, lookup);
    }
    return lookup;
  }

  async function link(userId: string, stage: RichMenuStage): Promise<void> {
    const aliasId = richMenuAliasId(stage, prefix);
    for (let attempt = 1; ; attempt++) {
      const richMenuId = await resolveAlias(aliasId);
      if (richMenuId === undefined) return;
      try {
        await timed(client.linkRichMenuIdToUser(userId, richMenuId));
        log.debug({ userId, stage, richMenuId }, 'rich menu moved to the stage');
        return;
      } catch (err) {
        // A redeploy replaced the menu behind the alias: look the alias up again, once.
        if (attempt === 1 && err instanceof HTTPFetchError && err.status === 404) {
          resolved.delete(aliasId);
          continue;
        }
        throw err;
      }
    }
  }

  async function apply(change: StageChange): Promise<void> {
    if (notDeployed) return;
    const { userId, stage, previousStage } = change;
    try {
      if (stage !== undefined && RICH_MENU_STAGES.includes(stage)) {
        await link(userId, stage);
      } else if (stage !== undefined) {
        // A stage with no shortcut of its own (another scenario's): the default menu, with nothing lit.
        await timed(client.unlinkRichMenuIdFromUser(userId));
        log.debug({ userId, stage }, 'rich menu back to the default: the stage has no highlighted menu');
      } else {
        await timed(client.unlinkRichMenuIdFromUser(userId));
        log.debug({ userId }, 'rich menu unlinked: the conversation was deleted');
      }
    } catch (err) {
      const error = err instanceof Timeout ? err : toLineApiError(err, stage !== undefined ? 'rich menu link' : 'rich menu unlink');
      const details = 'details' in error ? error.details : {};
      log.warn(
        { userId, stage, previousStage, err: error.message, ...details },
        'could not move the user\'s rich menu to their stage; the conversation goes on',
      );
    }
  }

  return {
    onTurn(change) {
      if (notDeployed || change.stage === change.previousStage) return;
      // Nothing to unlink when there never was a stage (e.g. an event the conversation ignored).
      if (change.stage === undefined && change.previousStage === undefined) return;
      const previous = chains.get(change.userId) ?? Promise.resolve();
      const next = previous.then(() => apply(change));
      chains.set(change.userId, next);
      void next.finally(() => {
        if (chains.get(change.userId) === next) chains.delete(change.userId);
      });
    },
    async idle() {
      while (chains.size > 0) await Promise.all([...chains.values()]);
    },
  };
}
