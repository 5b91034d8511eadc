import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  LINE_RICH_MENU_LIMITS,
  RICH_MENU_STAGES,
  loadRichMenuLayout,
  richMenuImagePath,
  type RichMenuStage,
} from '../../src/richmenu/layout.ts';
import { renderRichMenuPng, renderRichMenuSvg } from '../../src/richmenu/render.ts';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const REGENERATE = 'out of date: run `npm run richmenu:image` and commit assets/richmenu/';

/** Width and height from the IHDR chunk, which must come first. */
function pngSize(png: Buffer): { width: number; height: number } {
  expect(png.subarray(0, 8).equals(PNG_SIGNATURE), 'PNG signature').toBe(true);
  expect(png.readUInt32BE(8)).toBe(13);
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

const variants: { name: string; highlight: RichMenuStage | undefined }[] = [
  { name: 'plain', highlight: undefined },
  ...RICH_MENU_STAGES.map((stage) => ({ name: stage, highlight: stage })),
];

describe('committed rich menu images', () => {
  const layout = loadRichMenuLayout();

  it.each(variants)('$name: exists, is a 2500×1686 PNG of at most 1 MB', ({ highlight }) => {
    const path = richMenuImagePath(highlight);
    expect(existsSync(path), `${path} is missing; run npm run richmenu:image`).toBe(true);
    const png = readFileSync(path);
    expect(pngSize(png)).toEqual(layout.size);
    expect(pngSize(png)).toEqual({ width: 2500, height: 1686 });
    expect(png.length).toBeLessThanOrEqual(LINE_RICH_MENU_LIMITS.imageBytesMax);
  });

  it.each(variants)('$name: is current (re-rendering the layout gives the same bytes)', async ({ highlight }) => {
    const rendered = await renderRichMenuPng(layout, { highlight });
    const committed = readFileSync(richMenuImagePath(highlight));
    expect(rendered.equals(committed), `${richMenuImagePath(highlight)} is ${REGENERATE}`).toBe(true);
  });
});

describe('renderRichMenuPng / renderRichMenuSvg', () => {
  const layout = loadRichMenuLayout();

  it('is deterministic and draws the highlight only on the chosen stage', async () => {
    const [a, b] = await Promise.all([renderRichMenuPng(layout), renderRichMenuPng(layout)]);
    expect(a.equals(b)).toBe(true);
    const plain = renderRichMenuSvg(layout);
    const call = renderRichMenuSvg(layout, { highlight: 'call' });
    expect(plain).not.toContain(layout.highlight.badge);
    expect(call.split(layout.highlight.badge)).toHaveLength(2);
    // The badge sits in the call area's group.
    const callGroup = call.slice(call.indexOf('<g id="area-call">'), call.indexOf('<g id="area-followUp">'));
    expect(callGroup).toContain(layout.highlight.badge);
  });

  it('escapes labels for XML and uses the packaged Japanese font family', () => {
    const raw = structuredClone(layout);
    raw.areas[5]!.label = 'Q&A <ヘルプ>';
    const svg = renderRichMenuSvg(raw);
    expect(svg).toContain('Q&amp;A &lt;ヘルプ&gt;');
    expect(svg).toContain('font-family="M PLUS Rounded 1c"');
  });
});
