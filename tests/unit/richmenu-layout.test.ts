import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { messagingApi } from '@line/bot-sdk';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  LINE_RICH_MENU_LIMITS,
  RICH_MENU_STAGES,
  RichMenuLayoutError,
  checkRichMenuRequest,
  gridCellBounds,
  loadRichMenuLayout,
  parseRichMenuLayout,
  toRichMenuRequest,
  type RichMenuRequest,
} from '../../src/richmenu/layout.ts';

const layoutPath = fileURLToPath(new URL('../../flows/richmenu.yaml', import.meta.url));
const specPath = fileURLToPath(new URL('../../spec/line-openapi/messaging-api.yml', import.meta.url));

function rawLayout(): Record<string, unknown> {
  return parseYaml(readFileSync(layoutPath, 'utf8')) as Record<string, unknown>;
}

function problemsOf(data: unknown): string {
  try {
    parseRichMenuLayout(data, 'test.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(RichMenuLayoutError);
    return (error as Error).message;
  }
  throw new Error('expected the layout to be rejected');
}

describe('flows/richmenu.yaml', () => {
  const layout = loadRichMenuLayout();

  it('loads from the default path and matches the issue: 2500×1686, 3×2 grid, six areas', () => {
    expect(layout.size).toEqual({ width: 2500, height: 1686 });
    expect(layout.grid).toEqual({ columns: 3, rows: 2 });
    expect(layout.areas.map((a) => a.label)).toEqual([
      '状況整理',
      '電話の準備',
      '電話する',
      'フォローアップ',
      '教訓',
      'ヘルプ',
    ]);
    expect([...layout.chatBarText].length).toBeLessThanOrEqual(LINE_RICH_MENU_LIMITS.chatBarTextMax);
    expect(loadRichMenuLayout(layoutPath)).toEqual(layout);
  });

  it('has one shortcut per stage plus help, as postbacks', () => {
    const byStage = new Map(layout.areas.flatMap((a) => (a.stage ? [[a.stage, a] as const] : [])));
    expect([...byStage.keys()].sort()).toEqual([...RICH_MENU_STAGES].sort());
    for (const stage of RICH_MENU_STAGES) {
      expect(byStage.get(stage)?.action.data).toBe(`action=stage&stage=${stage}`);
    }
    const help = layout.areas.find((a) => a.id === 'help');
    expect(help?.stage).toBeUndefined();
    expect(help?.action.data).toBe('action=help');
    for (const area of layout.areas) {
      expect(area.action.type).toBe('postback');
      expect(area.action.displayText.length).toBeGreaterThan(0);
      expect(area.subtitle.length).toBeGreaterThan(0);
    }
  });
});

describe('toRichMenuRequest', () => {
  const layout = loadRichMenuLayout();
  const request = toRichMenuRequest(layout);

  it('builds the Messaging API request with grid bounds that tile the image', () => {
    const typed: messagingApi.RichMenuRequest = request; // compile-time compatibility with the SDK
    expect(typed.size).toEqual({ width: 2500, height: 1686 });
    expect(request.name).toBe(layout.name);
    expect(request.chatBarText).toBe(layout.chatBarText);
    expect(request.selected).toBe(layout.selected);
    expect(request.areas.map((a) => a.bounds)).toEqual([
      { x: 0, y: 0, width: 833, height: 843 },
      { x: 833, y: 0, width: 834, height: 843 },
      { x: 1667, y: 0, width: 833, height: 843 },
      { x: 0, y: 843, width: 833, height: 843 },
      { x: 833, y: 843, width: 834, height: 843 },
      { x: 1667, y: 843, width: 833, height: 843 },
    ]);
    const covered = request.areas.reduce((sum, a) => sum + a.bounds.width * a.bounds.height, 0);
    expect(covered).toBe(2500 * 1686);
    expect(request.areas[2]?.action).toEqual({
      type: 'postback',
      label: '電話する',
      data: 'action=stage&stage=call',
      displayText: '電話する',
    });
  });

  it('stays within LINE limits', () => {
    expect(checkRichMenuRequest(request)).toEqual([]);
    expect(request.areas.length).toBeLessThanOrEqual(LINE_RICH_MENU_LIMITS.areasMax);
    for (const { bounds, action } of request.areas) {
      expect(bounds.x + bounds.width).toBeLessThanOrEqual(request.size.width);
      expect(bounds.y + bounds.height).toBeLessThanOrEqual(request.size.height);
      expect([...action.label].length).toBeLessThanOrEqual(LINE_RICH_MENU_LIMITS.actionLabelMax);
      expect([...action.data].length).toBeLessThanOrEqual(LINE_RICH_MENU_LIMITS.postbackDataMax);
    }
  });

  it("is valid against LINE's OpenAPI schema for RichMenuRequest and PostbackAction", () => {
    const spec = parseYaml(readFileSync(specPath, 'utf8')) as { components: { schemas: Record<string, unknown> } };
    // Ajv does not take OpenAPI's `discriminator` as written there; the action is checked on its own below.
    const schemas = JSON.parse(JSON.stringify(spec.components.schemas), (key, value: unknown) =>
      key === 'discriminator' ? undefined : value,
    ) as Record<string, unknown>;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
    addFormats(ajv);
    ajv.addSchema({ $id: 'line', components: { schemas } });
    const validateRequest = ajv.getSchema('line#/components/schemas/RichMenuRequest');
    const validateAction = ajv.getSchema('line#/components/schemas/PostbackAction');
    if (!validateRequest || !validateAction) throw new Error('schemas missing from the spec');
    for (const stage of [undefined, ...RICH_MENU_STAGES]) {
      const variant = toRichMenuRequest(layout, { highlight: stage });
      expect(validateRequest(variant), JSON.stringify(validateRequest.errors)).toBe(true);
      for (const area of variant.areas) {
        expect(validateAction(area.action), JSON.stringify(validateAction.errors)).toBe(true);
      }
    }
  });

  it('names the highlighted variants after their stage and keeps the same areas', () => {
    for (const stage of RICH_MENU_STAGES) {
      const variant = toRichMenuRequest(layout, { highlight: stage });
      expect(variant.name).toBe(`${layout.name}-${stage}`);
      expect(variant.areas).toEqual(request.areas);
    }
  });

  it('refuses to highlight a stage that has no area', () => {
    const raw = rawLayout();
    const areas = raw.areas as Record<string, unknown>[];
    delete areas[4]?.stage; // lessons
    const withoutLessons = parseRichMenuLayout(raw);
    expect(() => toRichMenuRequest(withoutLessons, { highlight: 'lessons' })).toThrow(/highlight.*lessons/);
  });

  it('reports requests that break the limits', () => {
    const broken: RichMenuRequest = structuredClone(request);
    broken.chatBarText = 'あ'.repeat(15);
    broken.areas[0]!.bounds.x = 2000;
    broken.areas[1]!.action.data = 'x'.repeat(301);
    const problems = checkRichMenuRequest(broken);
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/chatBarText/);
    expect(problems.join('\n')).toMatch(/areas\[0\]\.bounds/);
    expect(problems.join('\n')).toMatch(/areas\[1\]\.action\.data/);
  });
});

describe('layout validation messages name the key', () => {
  it('chatBarText longer than 14 characters', () => {
    const raw = { ...rawLayout(), chatBarText: 'あかりのキャリアサポートメニュー' };
    expect(problemsOf(raw)).toMatch(/test\.yaml[\s\S]*chatBarText: chatBarText must be at most 14 characters, got 16/);
  });

  it('postback data over 300 characters, label over 20, missing displayText, bad colour', () => {
    const raw = rawLayout();
    const areas = raw.areas as { action: Record<string, unknown>; label: string; color: string }[];
    areas[2]!.action.data = `action=stage&stage=call&x=${'y'.repeat(300)}`;
    areas[3]!.label = 'フォローアップ'.repeat(3);
    delete areas[4]!.action.displayText;
    areas[5]!.color = 'grey';
    const message = problemsOf(raw);
    expect(message).toMatch(/areas\[2\]\.action\.data: .*300/);
    expect(message).toMatch(/areas\[3\]\.label: .*20/);
    expect(message).toMatch(/areas\[4\]\.action\.displayText: /);
    expect(message).toMatch(/areas\[5\]\.color: /);
  });

  it('unknown keys, wrong icon, duplicate stage, wrong area count, bad size', () => {
    const raw = rawLayout();
    const areas = raw.areas as Record<string, unknown>[];
    areas[0]!.lable = 'typo';
    areas[1]!.icon = 'rocket';
    const keyErrors = problemsOf(raw);
    expect(keyErrors).toMatch(/areas\[0\]: .*lable/);
    expect(keyErrors).toMatch(/areas\[1\]\.icon: /);
    // Checks across keys run once every key is valid.
    const crossKey = rawLayout();
    (crossKey.areas as Record<string, unknown>[])[2]!.stage = 'situation';
    crossKey.size = { width: 2500, height: 2000 };
    const crossErrors = problemsOf(crossKey);
    expect(crossErrors).toMatch(/areas\[2\]\.stage: stage "situation" already has an area/);
    expect(crossErrors).toMatch(/size: width\/height must be at least 1\.45/);
    const fewer = rawLayout();
    (fewer.areas as unknown[]).pop();
    expect(problemsOf(fewer)).toMatch(/areas: the 3×2 grid needs exactly 6 areas, got 5/);
  });

  it('more than 20 areas', () => {
    const raw = rawLayout();
    const area = (raw.areas as Record<string, unknown>[])[5]!;
    raw.areas = Array.from({ length: 21 }, (_, i) => ({ ...area, id: `a${i}` }));
    raw.grid = { columns: 7, rows: 3 };
    expect(problemsOf(raw)).toMatch(/areas: must have at most 20 areas/);
  });

  it('missing or malformed files', () => {
    expect(() => loadRichMenuLayout('/nonexistent/richmenu.yaml')).toThrow(/\/nonexistent\/richmenu\.yaml[\s\S]*cannot read/);
    expect(() => parseRichMenuLayout('just a string')).toThrow(RichMenuLayoutError);
  });
});

describe('gridCellBounds', () => {
  it('tiles any size exactly', () => {
    const cells = gridCellBounds({ size: { width: 2500, height: 843 }, grid: { columns: 6, rows: 1 } });
    expect(cells.map((c) => c.width)).toEqual([417, 416, 417, 417, 416, 417]);
    expect(cells.at(-1)).toMatchObject({ x: 2083, width: 417, height: 843 });
  });
});
