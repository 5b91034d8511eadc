/**
 * Deploys Akari's rich menus to a LINE channel: the plain menu (default, alias
 * `akari-main`) and one menu per stage with that stage highlighted (aliases
 * `akari-<stage>`), each with its committed image from assets/richmenu/.
 *
 * Order matters so that a failure never leaves users with a half-made menu:
 *   read what is there → validate all → create all → upload all images
 *   → point the aliases → set the default (the switch) → delete the menus replaced.
 * Until the switch, nothing users see has changed; if anything fails before or
 * during the switch, this run puts the aliases back and deletes what it created.
 *
 * `npm run richmenu:deploy` (scripts/richmenu-deploy.ts) is a thin wrapper
 * around `runRichMenuDeploy`, so tests run the whole command in-process.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { HTTPFetchError, messagingApi } from '@line/bot-sdk';
import { ConfigError, loadConfig, type Config } from '../config/load-config.ts';
import { RICH_MENU_ALIAS_PREFIX, richMenuAliasId } from './aliases.ts';
import {
  LINE_RICH_MENU_LIMITS,
  RICH_MENU_STAGES,
  loadRichMenuLayout,
  richMenuImagePath,
  toRichMenuRequest,
  type RichMenuLayout,
  type RichMenuRequest,
  type RichMenuStage,
} from './layout.ts';

export type Write = (line: string) => void;

/** One menu to deploy: the plain one or a stage-highlighted one. */
export interface RichMenuVariant {
  highlight: RichMenuStage | undefined;
  name: string;
  aliasId: string;
  request: RichMenuRequest;
  imagePath: string;
}

export interface RichMenuDeployOptions {
  channelAccessToken: string;
  /** api.line.me or a stand-in. */
  apiBaseUrl: string;
  /** api-data.line.me (image uploads) or a stand-in. */
  dataApiBaseUrl: string;
  /** Read from LINE and validate, but create, upload, switch and delete nothing. */
  dryRun?: boolean;
  /** Gets one line per step as it happens. */
  write?: Write;
  /** Default: flows/richmenu.yaml. */
  layout?: RichMenuLayout;
  /** Default: the committed PNG at `variant.imagePath`. */
  readImage?: (variant: RichMenuVariant) => Buffer;
  /** Alias ids are `<prefix>-main` and `<prefix>-<stage>` (default `akari`). */
  aliasPrefix?: string;
  /** Per LINE call (default 30 s: an image upload can be slow). */
  timeoutMs?: number;
}

export interface DeployedRichMenu {
  name: string;
  aliasId: string;
  highlight: RichMenuStage | undefined;
  /** Undefined in a dry run. */
  richMenuId: string | undefined;
}

export interface RichMenuDeployResult {
  dryRun: boolean;
  /** The new default menu (undefined in a dry run). */
  defaultRichMenuId: string | undefined;
  menus: DeployedRichMenu[];
  /** Menus of ours that were there before and are now deleted (or would be, in a dry run). */
  replaced: string[];
  /** Replaced menus that could not be deleted (the new menus are live regardless). */
  leftovers: string[];
}

/** A deploy that stopped; `message` says what went wrong in words, `rolledBack` whether the cleanup finished. */
export class RichMenuDeployError extends Error {
  override readonly name = 'RichMenuDeployError';
  constructor(
    message: string,
    readonly step: string,
    readonly details: { status?: number; requestId?: string; lineDetails?: string[]; rolledBack?: boolean } = {},
  ) {
    super(message);
  }
}

/** The six variants, plain first (it becomes the default). */
export function planRichMenuVariants(layout: RichMenuLayout, aliasPrefix: string = RICH_MENU_ALIAS_PREFIX): RichMenuVariant[] {
  return [undefined, ...RICH_MENU_STAGES].map((highlight) => {
    const request = toRichMenuRequest(layout, { highlight });
    return { highlight, name: request.name, aliasId: richMenuAliasId(highlight, aliasPrefix), request, imagePath: richMenuImagePath(highlight) };
  });
}

/** Menus this layout deployed, now or in an earlier run: named `<layout name>` or `<layout name>-<suffix>`. */
export function isOurRichMenu(layout: Pick<RichMenuLayout, 'name'>, name: string): boolean {
  return name === layout.name || name.startsWith(`${layout.name}-`);
}

class Timeout extends Error {}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function lineErrorBody(body: string): { message?: string; details: string[] } {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; details?: Array<{ message?: unknown; property?: unknown }> };
    const details = (Array.isArray(parsed.details) ? parsed.details : []).map((d) =>
      [typeof d.property === 'string' && d.property ? `${d.property}:` : '', typeof d.message === 'string' ? d.message : '']
        .filter(Boolean)
        .join(' '),
    );
    return { ...(typeof parsed.message === 'string' ? { message: parsed.message } : {}), details };
  } catch {
    return { ...(body.trim() ? { message: body.trim().slice(0, 200) } : {}), details: [] };
  }
}

/** Turns whatever a LINE call threw into a sentence a person can act on. */
export function describeLineFailure(err: unknown, step: string, baseUrl: string, timeoutMs: number): RichMenuDeployError {
  if (err instanceof RichMenuDeployError) return err;
  if (err instanceof Timeout) {
    return new RichMenuDeployError(`LINE (${baseUrl}) did not answer within ${timeoutMs / 1000} s while ${step}.`, step);
  }
  if (err instanceof HTTPFetchError) {
    const status = err.status;
    const requestId = err.headers.get('x-line-request-id') ?? undefined;
    const { message, details } = lineErrorBody(err.body);
    const said = message ? `: "${message}"` : '';
    let text: string;
    if (status === 401) {
      text = `LINE rejected the channel access token (401) while ${step}. Check LINE_CHANNEL_ACCESS_TOKEN: it must be a valid channel access token of this channel (LINE Developers console → Messaging API tab).`;
    } else if (status === 403) {
      text = `LINE refused ${step} (403)${said}: this channel is not allowed to do that.`;
    } else if (status === 413) {
      text = `LINE refused ${step} because the image is too large (413): rich menu images must be at most 1 MB.`;
    } else if (status === 429) {
      text = `LINE is rate limiting this channel (429) while ${step}; wait a minute and run the deploy again.`;
    } else if (status >= 500) {
      text = `LINE had a server error (${status}) while ${step}${said}; try again in a moment.`;
    } else if (status === 400 && details.length > 0) {
      text = `LINE rejected ${step} (400)${said}:\n${details.map((d) => `  - ${d}`).join('\n')}`;
    } else {
      text = `LINE answered ${status} while ${step}${said}.`;
    }
    if (requestId) text += ` (x-line-request-id ${requestId})`;
    return new RichMenuDeployError(text, step, { status, ...(requestId ? { requestId } : {}), lineDetails: details });
  }
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  const why =
    typeof cause?.code === 'string'
      ? `${cause.code}${typeof cause.message === 'string' ? ` (${cause.message})` : ''}`
      : err instanceof Error
        ? err.message
        : String(err);
  return new RichMenuDeployError(`Could not reach LINE at ${baseUrl} while ${step}: ${why}. Check the network and LINE_API_BASE_URL / LINE_DATA_API_BASE_URL.`, step);
}

function isNotFound(err: unknown): boolean {
  return err instanceof HTTPFetchError && err.status === 404;
}

function shownPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown.startsWith('..') ? path : shown;
}

function readCommittedImage(variant: RichMenuVariant): Buffer {
  try {
    return readFileSync(variant.imagePath);
  } catch (error) {
    throw new RichMenuDeployError(
      `Cannot read the image for ${variant.name} (${shownPath(variant.imagePath)}): ${(error as Error).message}. Run \`npm run richmenu:image\` to generate it.`,
      'reading the images',
    );
  }
}

function imageType(data: Buffer): 'image/png' | 'image/jpeg' | undefined {
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  return undefined;
}

export async function deployRichMenus(options: RichMenuDeployOptions): Promise<RichMenuDeployResult> {
  const write = options.write ?? (() => {});
  const dryRun = options.dryRun ?? false;
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!options.channelAccessToken) {
    throw new RichMenuDeployError(
      'LINE_CHANNEL_ACCESS_TOKEN is not set: the deploy talks to your LINE channel and needs its channel access token (LINE Developers console → Messaging API tab).',
      'reading the configuration',
    );
  }
  const layout = options.layout ?? loadRichMenuLayout();
  const variants = planRichMenuVariants(layout, options.aliasPrefix);
  const mainVariant = variants[0]!;
  const client = new messagingApi.MessagingApiClient({ channelAccessToken: options.channelAccessToken, baseURL: options.apiBaseUrl });
  const blobClient = new messagingApi.MessagingApiBlobClient({ channelAccessToken: options.channelAccessToken, baseURL: options.dataApiBaseUrl });
  const call = async <T>(step: string, baseUrl: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await withTimeout(fn(), timeoutMs);
    } catch (err) {
      throw describeLineFailure(err, step, baseUrl, timeoutMs);
    }
  };
  const api = options.apiBaseUrl;

  write(`${dryRun ? 'Dry run: checking' : 'Deploying'} ${variants.length} rich menus from layout "${layout.name}" on ${api}`);

  // 1. The images, checked here so a bad file stops the deploy before LINE is touched.
  const images = new Map<RichMenuVariant, { data: Buffer; type: 'image/png' | 'image/jpeg' }>();
  for (const variant of variants) {
    const data = (options.readImage ?? readCommittedImage)(variant);
    const where = shownPath(variant.imagePath);
    if (data.length > LINE_RICH_MENU_LIMITS.imageBytesMax) {
      throw new RichMenuDeployError(
        `The image for ${variant.name} (${where}) is too large: ${data.length} bytes, and LINE accepts at most ${LINE_RICH_MENU_LIMITS.imageBytesMax} bytes (1 MB).`,
        'reading the images',
      );
    }
    const type = imageType(data);
    if (!type) {
      throw new RichMenuDeployError(`The image for ${variant.name} (${where}) is neither a PNG nor a JPEG.`, 'reading the images');
    }
    images.set(variant, { data, type });
  }
  write(`✓ read ${variants.length} images (largest ${Math.max(...[...images.values()].map((i) => i.data.length))} bytes)`);

  // 2. What is there now.
  const existing = await call('listing the rich menus', api, () => client.getRichMenuList());
  const previous = existing.richmenus.filter((m) => isOurRichMenu(layout, m.name));
  const existingAliases = new Map(
    (await call('listing the rich menu aliases', api, () => client.getRichMenuAliasList())).aliases.map((a) => [a.richMenuAliasId, a.richMenuId]),
  );
  let previousDefault: string | undefined;
  try {
    previousDefault = (await withTimeout(client.getDefaultRichMenuId(), timeoutMs)).richMenuId;
  } catch (err) {
    if (!isNotFound(err)) throw describeLineFailure(err, 'reading the default rich menu', api, timeoutMs);
  }
  write(
    `✓ found ${existing.richmenus.length} rich menus on the channel, ${previous.length} of them ours (${layout.name}*); default: ${previousDefault ?? 'none'}`,
  );

  // 3. Validate every menu before creating any.
  for (const variant of variants) {
    await call(`validating the rich menu ${variant.name}`, api, () => client.validateRichMenuObject(variant.request));
    write(`✓ validated ${variant.name}`);
  }

  if (dryRun) {
    for (const variant of variants) {
      const image = images.get(variant)!;
      write(`- would create ${variant.name} (${variant.request.areas.length} areas) and upload ${shownPath(variant.imagePath)} (${image.data.length} bytes)`);
    }
    for (const variant of variants) {
      write(`- would ${existingAliases.has(variant.aliasId) ? 'move' : 'create'} alias ${variant.aliasId} → ${variant.name}`);
    }
    write(`- would set ${mainVariant.name} as the default rich menu`);
    for (const menu of previous) write(`- would delete the replaced menu ${menu.richMenuId} (${menu.name})`);
    write('Dry run finished: nothing was created, switched or deleted.');
    return {
      dryRun: true,
      defaultRichMenuId: undefined,
      menus: variants.map((v) => ({ name: v.name, aliasId: v.aliasId, highlight: v.highlight, richMenuId: undefined })),
      replaced: previous.map((m) => m.richMenuId),
      leftovers: [],
    };
  }

  const created = new Map<RichMenuVariant, string>();
  /** Aliases this run changed, with where they pointed before (undefined: this run created it). */
  const aliasChanges: { aliasId: string; before: string | undefined }[] = [];

  const rollBack = async (failure: RichMenuDeployError): Promise<never> => {
    write(`✗ ${failure.message.split('\n')[0]}`);
    const problems: string[] = [];
    for (const { aliasId, before } of aliasChanges.reverse()) {
      try {
        if (before === undefined) await withTimeout(client.deleteRichMenuAlias(aliasId), timeoutMs);
        else await withTimeout(client.updateRichMenuAlias(aliasId, { richMenuId: before }), timeoutMs);
        write(`↺ ${before === undefined ? 'deleted the new alias' : 'put back alias'} ${aliasId}`);
      } catch (err) {
        problems.push(`alias ${aliasId}: ${describeLineFailure(err, 'restoring the alias', api, timeoutMs).message}`);
      }
    }
    for (const [variant, richMenuId] of created) {
      try {
        await withTimeout(client.deleteRichMenu(richMenuId), timeoutMs);
        write(`↺ deleted ${richMenuId} (${variant.name}) created by this run`);
      } catch (err) {
        problems.push(`menu ${richMenuId} (${variant.name}): ${describeLineFailure(err, 'deleting it', api, timeoutMs).message}`);
      }
    }
    const kept = previousDefault ? `the previous default ${previousDefault} stays` : 'no default was set';
    const cleanup =
      problems.length === 0
        ? `Nothing was switched: ${kept}, and this run's menus were deleted.`
        : `Nothing was switched (${kept}), but the cleanup failed for:\n${problems.map((p) => `  - ${p}`).join('\n')}\nDelete those by hand, or run the deploy again (it deletes leftover ${layout.name}* menus).`;
    throw new RichMenuDeployError(`${failure.message}\n${cleanup}`, failure.step, { ...failure.details, rolledBack: problems.length === 0 });
  };

  try {
    // 4. Create all, then upload all: nothing is visible to users yet.
    for (const variant of variants) {
      const { richMenuId } = await call(`creating the rich menu ${variant.name}`, api, () => client.createRichMenu(variant.request));
      created.set(variant, richMenuId);
      write(`✓ created ${variant.name} → ${richMenuId}`);
    }
    for (const variant of variants) {
      const richMenuId = created.get(variant)!;
      const image = images.get(variant)!;
      await call(`uploading the image for ${variant.name}`, options.dataApiBaseUrl, () =>
        blobClient.setRichMenuImage(richMenuId, new Blob([new Uint8Array(image.data)], { type: image.type })),
      );
      write(`✓ uploaded ${shownPath(variant.imagePath)} to ${variant.name} (${image.data.length} bytes)`);
    }

    // 5. The switch: aliases, then the default.
    for (const variant of variants) {
      const richMenuId = created.get(variant)!;
      const before = existingAliases.get(variant.aliasId);
      if (before === undefined) {
        await call(`creating the alias ${variant.aliasId}`, api, () => client.createRichMenuAlias({ richMenuAliasId: variant.aliasId, richMenuId }));
      } else {
        await call(`moving the alias ${variant.aliasId}`, api, () => client.updateRichMenuAlias(variant.aliasId, { richMenuId }));
      }
      aliasChanges.push({ aliasId: variant.aliasId, before });
      write(`✓ alias ${variant.aliasId} → ${variant.name} (${richMenuId})`);
    }
    const mainId = created.get(mainVariant)!;
    await call(`setting ${mainVariant.name} as the default rich menu`, api, () => client.setDefaultRichMenu(mainId));
    write(`✓ default rich menu → ${mainVariant.name} (${mainId})`);
  } catch (err) {
    return rollBack(describeLineFailure(err, 'deploying', api, timeoutMs));
  }

  // 6. The new menus are live; the ones they replaced can go. Failures here are reported, not fatal.
  const newIds = new Set(created.values());
  const replaced = previous.filter((m) => !newIds.has(m.richMenuId));
  const replacedIds = new Set(replaced.map((m) => m.richMenuId));
  const ourAliases = new Set(variants.map((v) => v.aliasId));
  const leftovers: string[] = [];
  for (const [aliasId, target] of existingAliases) {
    // An alias of ours that this layout no longer has would dangle once its menu is gone.
    if (ourAliases.has(aliasId) || !replacedIds.has(target)) continue;
    try {
      await withTimeout(client.deleteRichMenuAlias(aliasId), timeoutMs);
      write(`✓ deleted the alias ${aliasId}, which pointed at a replaced menu`);
    } catch (err) {
      write(`! could not delete the alias ${aliasId}: ${describeLineFailure(err, 'deleting it', api, timeoutMs).message}`);
    }
  }
  for (const menu of replaced) {
    try {
      await withTimeout(client.deleteRichMenu(menu.richMenuId), timeoutMs);
      write(`✓ deleted the replaced menu ${menu.richMenuId} (${menu.name})`);
    } catch (err) {
      if (isNotFound(err)) continue;
      leftovers.push(menu.richMenuId);
      write(`! could not delete the replaced menu ${menu.richMenuId} (${menu.name}): ${describeLineFailure(err, 'deleting it', api, timeoutMs).message}`);
    }
  }
  write(
    `Done: ${variants.length} rich menus deployed, default ${mainVariant.name}${leftovers.length > 0 ? `; ${leftovers.length} old menus are left over (the next deploy retries)` : ''}.`,
  );
  return {
    dryRun: false,
    defaultRichMenuId: created.get(mainVariant),
    menus: variants.map((v) => ({ name: v.name, aliasId: v.aliasId, highlight: v.highlight, richMenuId: created.get(v) })),
    replaced: replaced.map((m) => m.richMenuId).filter((id) => !leftovers.includes(id)),
    leftovers,
  };
}

export const RICH_MENU_DEPLOY_USAGE = `Usage: npm run richmenu:deploy [-- --dry-run]

Deploys Akari's rich menus (flows/richmenu.yaml + assets/richmenu/*.png) to the LINE channel
of LINE_CHANNEL_ACCESS_TOKEN: the plain menu as the default (alias ${richMenuAliasId()}) and one
menu per stage with that stage highlighted (aliases ${richMenuAliasId('situation')}, …). Re-running
replaces the menus and deletes the ones replaced.

  --dry-run   read and validate only; create, switch and delete nothing
  --help      this text`;

export interface RunRichMenuDeployOptions {
  argv: readonly string[];
  /** The environment, as `readEnvironment(process.env)` gives it. */
  env: Record<string, string | undefined>;
  write: Write;
  /** Where failures go (default: write). */
  writeError?: Write;
  /** Passed through, for tests. */
  readImage?: RichMenuDeployOptions['readImage'];
  timeoutMs?: number;
}

/** The deploy command: arguments and environment in, exit code out. */
export async function runRichMenuDeploy(options: RunRichMenuDeployOptions): Promise<number> {
  const { write } = options;
  const writeError = options.writeError ?? write;
  let dryRun = false;
  for (const arg of options.argv) {
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--help' || arg === '-h') {
      write(RICH_MENU_DEPLOY_USAGE);
      return 0;
    } else {
      writeError(`Unknown argument ${JSON.stringify(arg)}.\n\n${RICH_MENU_DEPLOY_USAGE}`);
      return 2;
    }
  }
  let config: Config;
  try {
    config = loadConfig(options.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      writeError(err.message);
      return 1;
    }
    throw err;
  }
  if (!config.line.channelAccessToken) {
    writeError(
      'Refusing to deploy: LINE_CHANNEL_ACCESS_TOKEN is not set. The deploy uploads the rich menus to your LINE channel, so set LINE_CHANNEL_ACCESS_TOKEN (and LINE_CHANNEL_SECRET) to that channel\'s credentials, in the environment or in .env.',
    );
    return 1;
  }
  try {
    await deployRichMenus({
      channelAccessToken: config.line.channelAccessToken,
      apiBaseUrl: config.line.apiBaseUrl,
      dataApiBaseUrl: config.line.dataApiBaseUrl,
      dryRun,
      write,
      ...(options.readImage ? { readImage: options.readImage } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    });
    return 0;
  } catch (err) {
    if (err instanceof RichMenuDeployError) {
      writeError(`Rich menu deploy failed: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
