/**
 * Draws the rich menu image from the layout: an SVG built here (cards, simple
 * vector icons, Japanese labels) rasterised to PNG by resvg with the
 * M PLUS Rounded 1c font from the @expo-google-fonts/m-plus-rounded-1c package
 * (never a system font, so every machine renders identical bytes).
 *
 * Only the image generator (scripts/richmenu-image.ts) and its tests use this
 * module; resvg and the font are dev dependencies and are loaded lazily.
 */
import { createRequire } from 'node:module';
import {
  highlightedArea,
  layoutCells,
  type RichMenuArea,
  type RichMenuBounds,
  type RichMenuIcon,
  type RichMenuLayout,
  type RichMenuVariantOptions,
} from './layout.ts';

/** The font family inside the font files below. */
export const RICH_MENU_FONT_FAMILY = 'M PLUS Rounded 1c';

const FONT_PACKAGE = '@expo-google-fonts/m-plus-rounded-1c';
const FONT_FILES = ['700Bold/MPLUSRounded1c_700Bold.ttf', '500Medium/MPLUSRounded1c_500Medium.ttf'] as const;

/** Absolute paths of the TTF files the renderer loads. */
export function richMenuFontFiles(): string[] {
  const require = createRequire(import.meta.url);
  return FONT_FILES.map((file) => require.resolve(`${FONT_PACKAGE}/${file}`));
}

// ---------------------------------------------------------------------------
// SVG

function escapeXml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

/** Rounds to 0.1 px so the SVG text (and so the PNG) is stable. */
function n(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/** Approximate advance of a string in em: full-width (CJK, kana) 1, narrow (ASCII, half-width) 0.6. */
function textWidthEm(value: string): number {
  let em = 0;
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    em += code < 0x1100 || (code >= 0xff61 && code <= 0xffdc) ? 0.6 : 1;
  }
  return em;
}

/** Largest font size ≤ max at which the text fits in width. */
function fitFontSize(value: string, width: number, max: number): number {
  return Math.min(max, Math.floor(width / Math.max(textWidthEm(value), 1)));
}

/**
 * Icon shapes in a 100×100 box, drawn with the given ink colour.
 * Strokes are round-capped; `ink` is also used for small filled details.
 */
function iconShapes(icon: RichMenuIcon, ink: string): string {
  const line = (width: number) =>
    `fill="none" stroke="${ink}" stroke-width="${width}" stroke-linecap="round" stroke-linejoin="round"`;
  const stroke = line(7);
  switch (icon) {
    case 'magnifier':
      return [
        `<circle cx="43" cy="43" r="24" ${stroke}/>`,
        `<path d="M31 40 A13 13 0 0 1 40 30.5" ${line(5)}/>`,
        `<path d="M61 61 L81 81" ${line(11)}/>`,
      ].join('');
    case 'checklist':
      return [
        `<rect x="22" y="16" width="56" height="72" rx="8" ${stroke}/>`,
        `<path d="M31 36 L36 41 L44 31 M31 56 L36 61 L44 51 M31 76 L36 81 L44 71" ${line(5.5)}/>`,
        `<path d="M53 37 H68 M53 57 H68 M53 76 H63" ${line(5.5)}/>`,
      ].join('');
    case 'notebook':
      return [
        `<rect x="26" y="14" width="54" height="74" rx="8" ${stroke}/>`,
        `<path d="M18 28 H33 M18 44 H33 M18 60 H33 M18 76 H33" ${line(6)}/>`,
        `<path d="M45 35 H68 M45 51 H68 M45 67 H60" ${line(5.5)}/>`,
      ].join('');
    case 'phone':
      return (
        `<path fill="${ink}" d="M29 15 C21 15 15 21 15 29 C15 60 40 85 71 85 C79 85 85 79 85 71 L85 64 ` +
        `C85 60.5 83 58 79.5 57 L67.5 53.5 C64.5 52.7 61.5 53.8 60 56.4 L57 61.5 ` +
        `C48.5 57 43 51.5 38.5 43 L43.6 40 C46.2 38.5 47.3 35.5 46.5 32.5 L43 20.5 ` +
        `C42 17 39.5 15 36 15 Z"/>`
      );
    case 'envelope':
      return [
        `<rect x="13" y="25" width="74" height="52" rx="8" ${stroke}/>`,
        `<path d="M18 31 L50 55 L82 31" ${stroke}/>`,
      ].join('');
    case 'lightbulb':
      return [
        `<path d="M39 67 C39 59 27 53 27 39 A23 23 0 0 1 73 39 C73 53 61 59 61 67 Z" ${stroke}/>`,
        `<path d="M40 77 H60 M44 87 H56" ${stroke}/>`,
        `<path d="M50 4 V8 M21 16 L24 19 M79 16 L76 19 M10 40 H14 M90 40 H86" ${line(5)}/>`,
      ].join('');
    case 'star': {
      const points: string[] = [];
      for (let i = 0; i < 10; i++) {
        const r = i % 2 === 0 ? 40 : 17;
        const angle = (Math.PI / 5) * i - Math.PI / 2;
        points.push(`${n(50 + r * Math.cos(angle))},${n(54 + r * Math.sin(angle))}`);
      }
      return `<polygon points="${points.join(' ')}" ${line(6)}/>`;
    }
    case 'question':
      return [
        `<path d="M34 35 C34 24 42 17 51 17 C61 17 68 24 68 33 C68 41 62 45 56.5 48.5 C52.5 51 50 54 50 59 V63" ${line(9)}/>`,
        `<circle cx="50" cy="80" r="6.5" fill="${ink}"/>`,
      ].join('');
  }
}

interface Card {
  x: number;
  y: number;
  width: number;
  height: number;
}

const CARD_INSET = 22;
const CARD_RADIUS = 56;
const ICON_RADIUS = 142;
const ICON_SIZE = 196;
const LABEL_MAX = 124;
const SUBTITLE_MAX = 66;
const TEXT_PADDING = 56;
/** The highlighted card moves its content down to make room for the badge. */
const HIGHLIGHT_SHIFT = 44;

function cardFor(bounds: RichMenuBounds): Card {
  return {
    x: bounds.x + CARD_INSET,
    y: bounds.y + CARD_INSET,
    width: bounds.width - 2 * CARD_INSET,
    height: bounds.height - 2 * CARD_INSET,
  };
}

function renderArea(layout: RichMenuLayout, area: RichMenuArea, bounds: RichMenuBounds, highlighted: boolean): string {
  const { theme } = layout;
  const card = cardFor(bounds);
  const cx = card.x + card.width / 2;
  const textWidth = card.width - 2 * TEXT_PADDING;
  const labelSize = fitFontSize(area.label, textWidth, LABEL_MAX);
  const subtitleSize = fitFontSize(area.subtitle, textWidth, SUBTITLE_MAX);

  // Stack: icon circle, label, subtitle; centred vertically in the card.
  const gapIconLabel = 58;
  const gapLabelSubtitle = 36;
  const stack = 2 * ICON_RADIUS + gapIconLabel + LABEL_MAX + gapLabelSubtitle + SUBTITLE_MAX;
  const top = card.y + (card.height - stack) / 2 + (highlighted ? HIGHLIGHT_SHIFT : 0);
  const cy = top + ICON_RADIUS;
  const labelBaseline = top + 2 * ICON_RADIUS + gapIconLabel + LABEL_MAX * 0.86;
  const subtitleBaseline = labelBaseline + gapLabelSubtitle + SUBTITLE_MAX;

  const cardFill = highlighted ? area.color : theme.card;
  const circleFill = highlighted ? theme.card : area.color;
  const ink = highlighted ? area.color : theme.card;
  const labelColor = highlighted ? theme.card : theme.text;
  const subtitleColor = highlighted ? theme.card : theme.subtext;
  const scale = ICON_SIZE / 100;

  const parts = [
    `<g id="area-${escapeXml(area.id)}">`,
    `<rect x="${n(card.x)}" y="${n(card.y)}" width="${n(card.width)}" height="${n(card.height)}" rx="${CARD_RADIUS}" ` +
      `fill="${cardFill}" stroke="${highlighted ? area.color : theme.border}" stroke-width="4"/>`,
    `<circle cx="${n(cx)}" cy="${n(cy)}" r="${ICON_RADIUS}" fill="${circleFill}"/>`,
    `<g transform="translate(${n(cx - ICON_SIZE / 2)} ${n(cy - ICON_SIZE / 2)}) scale(${scale})">`,
    iconShapes(area.icon, ink),
    `</g>`,
    `<text x="${n(cx)}" y="${n(labelBaseline)}" text-anchor="middle" font-family="${RICH_MENU_FONT_FAMILY}" ` +
      `font-weight="700" font-size="${labelSize}" fill="${labelColor}">${escapeXml(area.label)}</text>`,
    `<text x="${n(cx)}" y="${n(subtitleBaseline)}" text-anchor="middle" font-family="${RICH_MENU_FONT_FAMILY}" ` +
      `font-weight="500" font-size="${subtitleSize}" fill="${subtitleColor}"${highlighted ? ' fill-opacity="0.92"' : ''}>` +
      `${escapeXml(area.subtitle)}</text>`,
  ];

  if (highlighted) {
    // A white tab with the badge text, hanging from the top edge of the card.
    const badgeSize = 52;
    const badgeWidth = textWidthEm(layout.highlight.badge) * badgeSize + 2 * 44;
    const badgeHeight = 84;
    const bx = cx - badgeWidth / 2;
    const by = card.y + 28;
    parts.push(
      `<rect x="${n(bx)}" y="${n(by)}" width="${n(badgeWidth)}" height="${badgeHeight}" rx="${badgeHeight / 2}" fill="${theme.card}"/>`,
      `<text x="${n(cx)}" y="${n(by + badgeHeight / 2 + badgeSize * 0.36)}" text-anchor="middle" ` +
        `font-family="${RICH_MENU_FONT_FAMILY}" font-weight="700" font-size="${badgeSize}" fill="${area.color}">` +
        `${escapeXml(layout.highlight.badge)}</text>`,
    );
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** The menu as an SVG document (pure: same layout and options → same string). */
export function renderRichMenuSvg(layout: RichMenuLayout, options: RichMenuVariantOptions = {}): string {
  const highlightId = options.highlight === undefined ? undefined : highlightedArea(layout, options.highlight).id;
  const { width, height } = layout.size;
  const areas = layoutCells(layout).map(({ area, bounds }) =>
    renderArea(layout, area, bounds, area.id === highlightId),
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="${layout.theme.background}"/>`,
    ...areas,
    '</svg>',
  ].join('\n');
}

/**
 * The menu image as PNG bytes, exactly layout.size. Deterministic: the same
 * layout, options, font package and resvg version give identical bytes.
 */
export async function renderRichMenuPng(layout: RichMenuLayout, options: RichMenuVariantOptions = {}): Promise<Buffer> {
  const svg = renderRichMenuSvg(layout, options);
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'original' },
    font: {
      fontFiles: richMenuFontFiles(),
      loadSystemFonts: false,
      defaultFontFamily: RICH_MENU_FONT_FAMILY,
      sansSerifFamily: RICH_MENU_FONT_FAMILY,
    },
    logLevel: 'error',
  });
  const image = resvg.render();
  if (image.width !== layout.size.width || image.height !== layout.size.height) {
    throw new Error(
      `rendered ${image.width}×${image.height}, expected ${layout.size.width}×${layout.size.height}`,
    );
  }
  return image.asPng();
}
