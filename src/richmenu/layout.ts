/**
 * Akari's rich menu layout: flows/richmenu.yaml as typed, validated data, and
 * its translation into a LINE Messaging API RichMenuRequest.
 *
 * This module is light on purpose (yaml + zod only): the image renderer lives
 * in ./render.ts and is only loaded by the image generator and its tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { RICH_MENU_STAGES as SCENARIO_MENU_STAGES } from '../conversation/machine.ts';

/** LINE's documented limits for rich menus (Messaging API reference). */
export const LINE_RICH_MENU_LIMITS = {
  widthMin: 800,
  widthMax: 2500,
  heightMin: 250,
  /** width / height must be at least this. */
  aspectRatioMin: 1.45,
  nameMax: 300,
  chatBarTextMax: 14,
  areasMax: 20,
  actionLabelMax: 20,
  postbackDataMax: 300,
  postbackDisplayTextMax: 300,
  /** The uploaded image (JPEG or PNG) must not exceed 1 MB. */
  imageBytesMax: 1024 * 1024,
} as const;

/** The conversation stages that have a shortcut (and a highlighted menu): the scenarios say which. */
export const RICH_MENU_STAGES: readonly string[] = SCENARIO_MENU_STAGES;
export type RichMenuStage = string;

/** Icons the renderer knows how to draw (see render.ts). */
export const RICH_MENU_ICONS = [
  'magnifier',
  'checklist',
  'notebook',
  'phone',
  'envelope',
  'lightbulb',
  'star',
  'question',
] as const;
export type RichMenuIcon = (typeof RICH_MENU_ICONS)[number];

/** Repository-relative defaults; resolved from this file so they work from src/ and dist/. */
export const DEFAULT_RICH_MENU_LAYOUT_PATH = fileURLToPath(new URL('../../flows/richmenu.yaml', import.meta.url));
export const RICH_MENU_ASSETS_DIR = fileURLToPath(new URL('../../assets/richmenu/', import.meta.url));

/** File name of the menu image: `richmenu.png`, or `richmenu-<stage>.png` for a highlighted menu. */
export function richMenuImageFileName(highlight?: RichMenuStage): string {
  return highlight === undefined ? 'richmenu.png' : `richmenu-${highlight}.png`;
}

/** Absolute path of the committed menu image for a variant. */
export function richMenuImagePath(highlight?: RichMenuStage): string {
  return join(RICH_MENU_ASSETS_DIR, richMenuImageFileName(highlight));
}

// ---------------------------------------------------------------------------
// Schema

/** Length in characters (code points), which is how LINE counts them. */
function charCount(text: string): number {
  return [...text].length;
}

function text(what: string, max: number) {
  return z
    .string()
    .trim()
    .min(1, `${what} must not be empty`)
    .superRefine((value, ctx) => {
      const count = charCount(value);
      if (count > max) {
        ctx.addIssue({ code: 'custom', message: `${what} must be at most ${max} characters, got ${count}` });
      }
    });
}

const colorSchema = z.string().regex(/^#[0-9A-Fa-f]{6}$/, 'must be a colour like "#4A7FB5"');

const postbackActionSchema = z.strictObject({
  type: z.literal('postback'),
  /** Accessibility label; defaults to the area's label. */
  label: text('action.label', LINE_RICH_MENU_LIMITS.actionLabelMax).optional(),
  data: text('action.data', LINE_RICH_MENU_LIMITS.postbackDataMax),
  displayText: text('action.displayText', LINE_RICH_MENU_LIMITS.postbackDisplayTextMax),
});

const areaSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must be an identifier like "followUp"'),
  /** The conversation stage this shortcut leads to; such areas can be highlighted. */
  stage: z
    .string()
    .refine((s) => RICH_MENU_STAGES.includes(s), { message: `must be one of ${RICH_MENU_STAGES.join(', ')}` })
    .optional(),
  label: text('label', LINE_RICH_MENU_LIMITS.actionLabelMax),
  subtitle: text('subtitle', 24),
  icon: z.enum(RICH_MENU_ICONS),
  color: colorSchema,
  action: postbackActionSchema,
});

const sizeSchema = z.strictObject({
  width: z
    .number()
    .int()
    .min(LINE_RICH_MENU_LIMITS.widthMin, `must be at least ${LINE_RICH_MENU_LIMITS.widthMin} px (LINE limit)`)
    .max(LINE_RICH_MENU_LIMITS.widthMax, `must be at most ${LINE_RICH_MENU_LIMITS.widthMax} px (LINE limit)`),
  height: z
    .number()
    .int()
    .min(LINE_RICH_MENU_LIMITS.heightMin, `must be at least ${LINE_RICH_MENU_LIMITS.heightMin} px (LINE limit)`),
});

export const richMenuLayoutSchema = z
  .strictObject({
    name: text('name', LINE_RICH_MENU_LIMITS.nameMax),
    chatBarText: text('chatBarText', LINE_RICH_MENU_LIMITS.chatBarTextMax),
    selected: z.boolean().default(false),
    size: sizeSchema,
    grid: z.strictObject({
      columns: z.number().int().min(1).max(LINE_RICH_MENU_LIMITS.areasMax),
      rows: z.number().int().min(1).max(LINE_RICH_MENU_LIMITS.areasMax),
    }),
    theme: z.strictObject({
      background: colorSchema,
      card: colorSchema,
      border: colorSchema,
      text: colorSchema,
      subtext: colorSchema,
    }),
    highlight: z.strictObject({
      /** Small badge drawn on the highlighted area, e.g. "いまここ". */
      badge: text('highlight.badge', 8),
    }),
    areas: z
      .array(areaSchema)
      .min(1, 'needs at least one area')
      .max(LINE_RICH_MENU_LIMITS.areasMax, `must have at most ${LINE_RICH_MENU_LIMITS.areasMax} areas (LINE limit)`),
  })
  .superRefine((layout, ctx) => {
    const { width, height } = layout.size;
    if (width / height < LINE_RICH_MENU_LIMITS.aspectRatioMin) {
      ctx.addIssue({
        code: 'custom',
        path: ['size'],
        message: `width/height must be at least ${LINE_RICH_MENU_LIMITS.aspectRatioMin} (LINE limit), got ${(width / height).toFixed(3)}`,
      });
    }
    const cells = layout.grid.columns * layout.grid.rows;
    if (layout.areas.length !== cells) {
      ctx.addIssue({
        code: 'custom',
        path: ['areas'],
        message: `the ${layout.grid.columns}×${layout.grid.rows} grid needs exactly ${cells} areas, got ${layout.areas.length}`,
      });
    }
    const ids = new Set<string>();
    const stages = new Set<string>();
    layout.areas.forEach((area, index) => {
      if (ids.has(area.id)) {
        ctx.addIssue({ code: 'custom', path: ['areas', index, 'id'], message: `duplicate area id "${area.id}"` });
      }
      ids.add(area.id);
      if (area.stage !== undefined) {
        if (stages.has(area.stage)) {
          ctx.addIssue({
            code: 'custom',
            path: ['areas', index, 'stage'],
            message: `stage "${area.stage}" already has an area`,
          });
        }
        stages.add(area.stage);
      }
    });
  });

export type RichMenuLayout = z.infer<typeof richMenuLayoutSchema>;
export type RichMenuArea = RichMenuLayout['areas'][number];

/** Thrown when the layout file is missing, is not YAML, or breaks the schema or LINE's limits. */
export class RichMenuLayoutError extends Error {
  override readonly name = 'RichMenuLayoutError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid rich menu layout ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Validate already-parsed data (e.g. from YAML). `source` names it in error messages. */
export function parseRichMenuLayout(data: unknown, source = 'rich menu layout'): RichMenuLayout {
  const result = richMenuLayoutSchema.safeParse(data);
  if (!result.success) {
    throw new RichMenuLayoutError(
      source,
      result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`),
    );
  }
  return result.data;
}

/** Read and validate the layout YAML (default: flows/richmenu.yaml). */
export function loadRichMenuLayout(path: string = DEFAULT_RICH_MENU_LAYOUT_PATH): RichMenuLayout {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RichMenuLayoutError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  let data: unknown;
  try {
    data = parseYaml(raw);
  } catch (error) {
    throw new RichMenuLayoutError(path, [`not valid YAML: ${(error as Error).message}`]);
  }
  return parseRichMenuLayout(data, path);
}

// ---------------------------------------------------------------------------
// Geometry and the LINE request

export interface RichMenuBounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Bounds of every grid cell, row by row. Edges are rounded so that cells tile
 * the image exactly (2500 px / 3 columns → 833, 834, 833).
 */
export function gridCellBounds(layout: Pick<RichMenuLayout, 'size' | 'grid'>): RichMenuBounds[] {
  const { width, height } = layout.size;
  const { columns, rows } = layout.grid;
  const xEdge = (i: number) => Math.round((i * width) / columns);
  const yEdge = (j: number) => Math.round((j * height) / rows);
  const cells: RichMenuBounds[] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      cells.push({
        x: xEdge(column),
        y: yEdge(row),
        width: xEdge(column + 1) - xEdge(column),
        height: yEdge(row + 1) - yEdge(row),
      });
    }
  }
  return cells;
}

/** Areas paired with their grid bounds. */
export function layoutCells(layout: RichMenuLayout): { area: RichMenuArea; bounds: RichMenuBounds }[] {
  const bounds = gridCellBounds(layout);
  return layout.areas.map((area, index) => {
    const cell = bounds[index];
    if (cell === undefined) {
      throw new RichMenuLayoutError('rich menu layout', [`areas[${index}]: no grid cell for area "${area.id}"`]);
    }
    return { area, bounds: cell };
  });
}

export interface RichMenuPostbackAction {
  type: 'postback';
  label: string;
  data: string;
  displayText: string;
}

/** A Messaging API RichMenuRequest (assignable to `messagingApi.RichMenuRequest`). */
export interface RichMenuRequest {
  size: { width: number; height: number };
  selected: boolean;
  name: string;
  chatBarText: string;
  areas: { bounds: RichMenuBounds; action: RichMenuPostbackAction }[];
}

export interface RichMenuVariantOptions {
  /** The stage whose area is highlighted (the user's current stage). */
  highlight?: RichMenuStage | undefined;
}

/** The area that a highlight applies to; throws if the layout has no area for that stage. */
export function highlightedArea(layout: RichMenuLayout, highlight: RichMenuStage): RichMenuArea {
  const area = layout.areas.find((a) => a.stage === highlight);
  if (area === undefined) {
    throw new RichMenuLayoutError('rich menu layout', [`highlight: no area has stage "${highlight}"`]);
  }
  return area;
}

/** Rich menu name for a variant: `<name>` or `<name>-<stage>`. */
export function richMenuName(layout: RichMenuLayout, highlight?: RichMenuStage): string {
  return highlight === undefined ? layout.name : `${layout.name}-${highlight}`;
}

/**
 * The RichMenuRequest for the layout (optionally the variant that highlights a
 * stage; only its name differs, the image is what shows the highlight).
 * Re-checks LINE's limits on the result, so a request built here can be sent as is.
 */
export function toRichMenuRequest(layout: RichMenuLayout, options: RichMenuVariantOptions = {}): RichMenuRequest {
  if (options.highlight !== undefined) highlightedArea(layout, options.highlight);
  const request: RichMenuRequest = {
    size: { width: layout.size.width, height: layout.size.height },
    selected: layout.selected,
    name: richMenuName(layout, options.highlight),
    chatBarText: layout.chatBarText,
    areas: layoutCells(layout).map(({ area, bounds }) => ({
      bounds: { ...bounds },
      action: {
        type: 'postback',
        label: area.action.label ?? area.label,
        data: area.action.data,
        displayText: area.action.displayText,
      },
    })),
  };
  const problems = checkRichMenuRequest(request);
  if (problems.length > 0) throw new RichMenuLayoutError('rich menu request', problems);
  return request;
}

/** LINE's limits, checked on a finished request. Returns the problems found (empty when valid). */
export function checkRichMenuRequest(request: RichMenuRequest): string[] {
  const L = LINE_RICH_MENU_LIMITS;
  const problems: string[] = [];
  const { width, height } = request.size;
  if (!Number.isInteger(width) || width < L.widthMin || width > L.widthMax) {
    problems.push(`size.width: must be an integer from ${L.widthMin} to ${L.widthMax}, got ${width}`);
  }
  if (!Number.isInteger(height) || height < L.heightMin) {
    problems.push(`size.height: must be an integer of at least ${L.heightMin}, got ${height}`);
  }
  if (width / height < L.aspectRatioMin) {
    problems.push(`size: width/height must be at least ${L.aspectRatioMin}`);
  }
  if (charCount(request.name) > L.nameMax) problems.push(`name: longer than ${L.nameMax} characters`);
  if (charCount(request.chatBarText) > L.chatBarTextMax) {
    problems.push(`chatBarText: longer than ${L.chatBarTextMax} characters`);
  }
  if (request.areas.length === 0 || request.areas.length > L.areasMax) {
    problems.push(`areas: must have 1 to ${L.areasMax} areas, got ${request.areas.length}`);
  }
  request.areas.forEach(({ bounds, action }, i) => {
    const { x, y, width: w, height: h } = bounds;
    const ints = [x, y, w, h].every(Number.isInteger);
    if (!ints || x < 0 || y < 0 || w < 1 || h < 1 || x + w > width || y + h > height) {
      problems.push(`areas[${i}].bounds: ${JSON.stringify(bounds)} is not inside the ${width}×${height} image`);
    }
    if (charCount(action.label) > L.actionLabelMax) {
      problems.push(`areas[${i}].action.label: longer than ${L.actionLabelMax} characters`);
    }
    if (charCount(action.data) > L.postbackDataMax) {
      problems.push(`areas[${i}].action.data: longer than ${L.postbackDataMax} characters`);
    }
    if (charCount(action.displayText) > L.postbackDisplayTextMax) {
      problems.push(`areas[${i}].action.displayText: longer than ${L.postbackDisplayTextMax} characters`);
    }
  });
  return problems;
}
