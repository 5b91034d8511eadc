/**
 * Regenerates the committed rich menu images from flows/richmenu.yaml:
 *   assets/richmenu/richmenu.png            (no highlight)
 *   assets/richmenu/richmenu-<stage>.png    (one per stage, that stage highlighted)
 *
 *   npm run richmenu:image              write the PNGs
 *   npm run richmenu:image -- --check   only compare; exit 1 if any is missing or stale
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  LINE_RICH_MENU_LIMITS,
  RICH_MENU_ASSETS_DIR,
  RICH_MENU_STAGES,
  loadRichMenuLayout,
  richMenuImagePath,
  type RichMenuStage,
} from '../src/richmenu/layout.ts';
import { renderRichMenuPng } from '../src/richmenu/render.ts';

function readIfExists(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const check = process.argv.includes('--check');
  const layout = loadRichMenuLayout();
  const variants: (RichMenuStage | undefined)[] = [undefined, ...RICH_MENU_STAGES];
  if (!check) mkdirSync(RICH_MENU_ASSETS_DIR, { recursive: true });

  let failures = 0;
  for (const highlight of variants) {
    const started = performance.now();
    const png = await renderRichMenuPng(layout, { highlight });
    const ms = Math.round(performance.now() - started);
    const path = richMenuImagePath(highlight);
    const shown = relative(process.cwd(), path);
    const kb = (png.length / 1024).toFixed(0);
    if (png.length > LINE_RICH_MENU_LIMITS.imageBytesMax) {
      console.error(`${shown}: ${kb} KiB is over LINE's 1 MB limit`);
      failures++;
    }
    const same = readIfExists(path)?.equals(png) ?? false;
    if (check) {
      console.log(`${same ? 'current' : 'STALE  '} ${shown} (${kb} KiB, ${ms} ms)`);
      if (!same) failures++;
    } else {
      if (!same) writeFileSync(path, png);
      console.log(`${same ? 'unchanged' : 'wrote    '} ${shown} (${kb} KiB, ${ms} ms)`);
    }
  }
  if (check && failures > 0) console.error('Run `npm run richmenu:image` to regenerate the rich menu images.');
  return failures > 0 ? 1 : 0;
}

process.exitCode = await main();
