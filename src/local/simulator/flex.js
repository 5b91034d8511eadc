// Draws LINE message objects (text, flex, template, image, sticker) as DOM elements.
//
// Everything the bot sent is data: it goes into the page through textContent and CSSOM
// properties only (never innerHTML), colours and sizes are checked against LINE's formats before
// they reach a style, and links only open for http(s).

/** LINE's keyword sizes in CSS pixels (approximately what the LINE app draws on a phone). */
const SPACING = { none: '0px', xs: '2px', sm: '4px', md: '8px', lg: '12px', xl: '16px', xxl: '20px' };
const TEXT_SIZE = { xxs: '11px', xs: '13px', sm: '14px', md: '16px', lg: '19px', xl: '22px', xxl: '29px', '3xl': '35px', '4xl': '48px', '5xl': '74px' };
const IMAGE_SIZE = { xxs: '40px', xs: '60px', sm: '80px', md: '100px', lg: '120px', xl: '140px', xxl: '160px', '3xl': '180px', '4xl': '200px', '5xl': '220px', full: '100%' };
const RADIUS = { none: '0px', xs: '2px', sm: '4px', md: '8px', lg: '12px', xl: '16px', xxl: '20px' };
const BORDER = { none: '0px', light: '0.5px', normal: '1px', medium: '2px', 'semi-bold': '3px', bold: '4px' };
const BUBBLE_WIDTH = { nano: '120px', micro: '160px', deca: '220px', hecto: '241px', kilo: '260px', mega: '300px', giga: '386px' };
const ALIGN = { 'flex-start': 'flex-start', center: 'center', 'flex-end': 'flex-end', 'space-between': 'space-between', 'space-around': 'space-around', 'space-evenly': 'space-evenly', stretch: 'stretch', baseline: 'baseline' };
const GRAVITY = { top: 'flex-start', center: 'center', bottom: 'flex-end' };
const TEXT_ALIGN = { start: 'start', end: 'end', center: 'center' };

const COLOR = /^#(?:[0-9a-f]{6}|[0-9a-f]{8})$/i;
const LENGTH = /^\d+(?:\.\d+)?(?:px|%)$/;
const ANGLE = /^-?\d+(?:\.\d+)?deg$/;

const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v) => (typeof v === 'string' ? v : '');

/** A keyword from `table`, or a px/% length when `lengths` allows it. */
function sizeOf(value, table, lengths = true) {
  if (typeof value !== 'string') return undefined;
  if (Object.hasOwn(table, value)) return table[value];
  return lengths && LENGTH.test(value) ? value : undefined;
}

function colorOf(value) {
  return typeof value === 'string' && COLOR.test(value) ? value : undefined;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Only web addresses become links or images; anything else (javascript:, data:…) is dropped. */
export function safeWebUrl(value) {
  if (typeof value !== 'string') return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Makes any element act like a button for `action` (LINE lets boxes, texts and images carry one). */
function attachAction(node, action, ctx) {
  if (!isObject(action)) return;
  node.classList.add('flex-action');
  node.tabIndex = 0;
  node.setAttribute('role', 'button');
  if (!node.getAttribute('aria-label') && action.label) node.setAttribute('aria-label', str(action.label));
  const run = (event) => {
    event.stopPropagation();
    ctx.onAction(action);
  };
  node.addEventListener('click', run);
  node.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      run(event);
    }
  });
}

/** Properties every component understands: flex, margin, position, offsets. */
function applyCommon(node, c, parent) {
  const horizontal = parent.layout === 'horizontal' || parent.layout === 'baseline';
  const grow = typeof c.flex === 'number' && c.flex >= 0 ? c.flex : horizontal ? 1 : 0;
  // flex 0 means "as big as the content"; otherwise share the space in the given ratio.
  node.style.flex = grow > 0 ? `${grow} ${grow} 0px` : '0 0 auto';
  const margin = sizeOf(c.margin, SPACING);
  const spacing = parent.index > 0 ? sizeOf(parent.spacing, SPACING) : undefined;
  const gap = margin ?? spacing;
  if (gap && parent.index > 0) {
    if (horizontal) node.style.marginInlineStart = gap;
    else node.style.marginTop = gap;
  }
  if (c.position === 'absolute') node.style.position = 'absolute';
  const offsets = { offsetTop: 'top', offsetBottom: 'bottom', offsetStart: 'insetInlineStart', offsetEnd: 'insetInlineEnd' };
  for (const [key, prop] of Object.entries(offsets)) {
    const value = sizeOf(c[key], SPACING);
    if (value) node.style[prop] = value;
  }
  if (horizontal && GRAVITY[c.gravity]) node.style.alignSelf = GRAVITY[c.gravity];
}

function renderComponent(c, parent, ctx) {
  if (!isObject(c)) return el('div', 'flex-unknown', '[?]');
  let node;
  switch (c.type) {
    case 'box':
      node = renderBox(c, ctx);
      break;
    case 'text':
      node = renderText(c);
      break;
    case 'button':
      node = renderButton(c, ctx);
      break;
    case 'separator':
      node = el('div', 'flex-separator');
      node.setAttribute('role', 'separator');
      node.style.backgroundColor = colorOf(c.color) ?? '';
      node.classList.add(parent.layout === 'vertical' ? 'flex-separator-h' : 'flex-separator-v');
      break;
    case 'image':
      node = renderImage(c);
      break;
    case 'icon':
      node = renderIcon(c);
      break;
    case 'filler':
      node = el('div', 'flex-filler');
      break;
    case 'spacer':
      node = el('div', 'flex-spacer');
      node.style.flex = '0 0 auto';
      node.style.height = sizeOf(c.size, SPACING, false) ?? SPACING.md;
      return node;
    case 'span':
      return renderSpan(c);
    case 'video':
      node = isObject(c.altContent) ? renderComponent(c.altContent, parent, ctx) : el('div', 'flex-unknown', '[動画]');
      break;
    default:
      node = el('div', 'flex-unknown', `[未対応のコンポーネント: ${str(c.type) || '?'}]`);
  }
  applyCommon(node, c, parent);
  if (c.action && c.type !== 'button') attachAction(node, c.action, ctx);
  return node;
}

function renderBox(c, ctx) {
  const layout = c.layout === 'horizontal' || c.layout === 'baseline' ? c.layout : 'vertical';
  const node = el('div', `flex-box flex-box-${layout}`);
  const s = node.style;
  s.backgroundColor = colorOf(c.backgroundColor) ?? '';
  s.borderColor = colorOf(c.borderColor) ?? '';
  const border = sizeOf(c.borderWidth, BORDER, false) ?? (typeof c.borderWidth === 'string' && /^\d+(\.\d+)?px$/.test(c.borderWidth) ? c.borderWidth : undefined);
  if (border) {
    s.borderWidth = border;
    s.borderStyle = 'solid';
  }
  s.borderRadius = sizeOf(c.cornerRadius, RADIUS) ?? '';
  for (const [key, prop] of [['width', 'width'], ['maxWidth', 'maxWidth'], ['height', 'height'], ['maxHeight', 'maxHeight']]) {
    const value = sizeOf(c[key], {});
    if (value) s[prop] = value;
  }
  const all = sizeOf(c.paddingAll, SPACING);
  if (all) s.padding = all;
  for (const [key, prop] of [['paddingTop', 'paddingTop'], ['paddingBottom', 'paddingBottom'], ['paddingStart', 'paddingInlineStart'], ['paddingEnd', 'paddingInlineEnd']]) {
    const value = sizeOf(c[key], SPACING);
    if (value) s[prop] = value;
  }
  if (ALIGN[c.justifyContent]) s.justifyContent = ALIGN[c.justifyContent];
  if (ALIGN[c.alignItems]) s.alignItems = ALIGN[c.alignItems];
  if (isObject(c.background) && c.background.type === 'linearGradient') {
    const start = colorOf(c.background.startColor);
    const end = colorOf(c.background.endColor);
    const center = colorOf(c.background.centerColor);
    const angle = typeof c.background.angle === 'string' && ANGLE.test(c.background.angle) ? c.background.angle : '0deg';
    const position = typeof c.background.centerPosition === 'string' && /^\d+(\.\d+)?%$/.test(c.background.centerPosition) ? c.background.centerPosition : '50%';
    // LINE's 0deg points down the box; CSS's 0deg points up.
    const cssAngle = `calc(${angle} + 180deg)`;
    if (start && end) s.backgroundImage = center ? `linear-gradient(${cssAngle}, ${start}, ${center} ${position}, ${end})` : `linear-gradient(${cssAngle}, ${start}, ${end})`;
  }
  const contents = Array.isArray(c.contents) ? c.contents : [];
  contents.forEach((child, index) => {
    node.append(renderComponent(child, { layout, spacing: c.spacing, index }, ctx));
  });
  return node;
}

function applyTextStyle(node, c) {
  const size = sizeOf(c.size, TEXT_SIZE, true);
  if (size) node.style.fontSize = size;
  if (c.weight === 'bold') node.style.fontWeight = '700';
  if (c.style === 'italic') node.style.fontStyle = 'italic';
  if (c.decoration === 'underline' || c.decoration === 'line-through') node.style.textDecoration = c.decoration;
  const color = colorOf(c.color);
  if (color) node.style.color = color;
}

function renderSpan(c) {
  const node = el('span', 'flex-span', str(c.text));
  applyTextStyle(node, c);
  return node;
}

function renderText(c) {
  const node = el('div', 'flex-text');
  applyTextStyle(node, c);
  if (Array.isArray(c.contents) && c.contents.length > 0) {
    for (const span of c.contents) if (isObject(span)) node.append(renderSpan(span));
  } else {
    node.textContent = str(c.text);
  }
  // LINE cuts a text to one line unless wrap is true.
  node.classList.add(c.wrap === true ? 'flex-text-wrap' : 'flex-text-nowrap');
  if (c.wrap === true && typeof c.maxLines === 'number' && c.maxLines > 0) {
    node.classList.add('flex-text-clamp');
    node.style.webkitLineClamp = String(Math.floor(c.maxLines));
  }
  if (typeof c.lineSpacing === 'string' && /^\d+(\.\d+)?px$/.test(c.lineSpacing)) node.style.lineHeight = `calc(1.4em + ${c.lineSpacing})`;
  if (TEXT_ALIGN[c.align]) node.style.textAlign = TEXT_ALIGN[c.align];
  return node;
}

function renderButton(c, ctx) {
  const style = c.style === 'primary' || c.style === 'secondary' ? c.style : 'link';
  const node = el('button', `flex-button flex-button-${style} flex-button-${c.height === 'sm' ? 'sm' : 'md'}`);
  node.type = 'button';
  const action = isObject(c.action) ? c.action : {};
  node.textContent = str(action.label) || '（ラベルなし）';
  const color = colorOf(c.color);
  if (color && style === 'link') node.style.color = color;
  else if (color) node.style.backgroundColor = color;
  node.addEventListener('click', (event) => {
    event.stopPropagation();
    ctx.onAction(action);
  });
  return node;
}

/** A component's "W:H" aspect ratio as numbers; 1:1 when absent or malformed. */
function aspectRatioOf(c) {
  const valid = typeof c.aspectRatio === 'string' && /^\d+(\.\d+)?:\d+(\.\d+)?$/.test(c.aspectRatio);
  return valid ? c.aspectRatio.split(':').map(Number) : [1, 1];
}

function renderImage(c) {
  const node = el('div', 'flex-image');
  const width = sizeOf(c.size, IMAGE_SIZE) ?? IMAGE_SIZE.md;
  node.style.width = width;
  node.style.maxWidth = '100%';
  const align = c.align === 'start' ? 'flex-start' : c.align === 'end' ? 'flex-end' : 'center';
  node.style.alignSelf = align;
  const frame = el('div', 'flex-image-frame');
  const [w, h] = aspectRatioOf(c);
  frame.style.aspectRatio = `${w} / ${h}`;
  frame.style.backgroundColor = colorOf(c.backgroundColor) ?? '';
  const url = safeWebUrl(c.url);
  if (url) {
    const img = el('img');
    img.src = url;
    img.alt = str(c.altText);
    img.referrerPolicy = 'no-referrer';
    img.loading = 'lazy';
    img.style.objectFit = c.aspectMode === 'cover' ? 'cover' : 'contain';
    img.addEventListener('error', () => {
      img.replaceWith(el('span', 'flex-image-missing', '画像を読み込めません'));
    });
    frame.append(img);
  } else {
    frame.append(el('span', 'flex-image-missing', '画像'));
  }
  node.append(frame);
  return node;
}

function renderIcon(c) {
  const node = el('span', 'flex-icon');
  const size = sizeOf(c.size, TEXT_SIZE) ?? TEXT_SIZE.md;
  node.style.height = size;
  const [w, h] = aspectRatioOf(c);
  node.style.width = `calc(${size} * ${w / h})`;
  const url = safeWebUrl(c.url);
  if (url) {
    const img = el('img');
    img.src = url;
    img.alt = '';
    img.referrerPolicy = 'no-referrer';
    node.append(img);
  }
  return node;
}

function renderBubble(bubble, ctx) {
  const node = el('div', 'flex-bubble');
  const size = Object.hasOwn(BUBBLE_WIDTH, bubble.size) ? bubble.size : 'mega';
  node.classList.add(`flex-bubble-${size}`);
  node.style.width = BUBBLE_WIDTH[size];
  if (bubble.direction === 'rtl') node.dir = 'rtl';
  const styles = isObject(bubble.styles) ? bubble.styles : {};
  let first = true;
  for (const block of ['header', 'hero', 'body', 'footer']) {
    const content = bubble[block];
    if (!isObject(content)) continue;
    const section = el('div', `flex-block flex-${block}`);
    const style = isObject(styles[block]) ? styles[block] : {};
    section.style.backgroundColor = colorOf(style.backgroundColor) ?? '';
    if (style.separator === true && !first) {
      section.style.borderTop = `1px solid ${colorOf(style.separatorColor) ?? '#E6E7EA'}`;
    }
    section.append(renderComponent(content, { layout: 'vertical', index: 0 }, ctx));
    node.append(section);
    first = false;
  }
  if (isObject(bubble.action)) attachAction(node, bubble.action, ctx);
  return node;
}

function renderFlexContainer(contents, ctx) {
  if (isObject(contents) && contents.type === 'carousel') {
    const node = el('div', 'flex-carousel');
    for (const bubble of Array.isArray(contents.contents) ? contents.contents : []) {
      if (isObject(bubble)) node.append(renderBubble(bubble, ctx));
    }
    return node;
  }
  if (isObject(contents) && contents.type === 'bubble') return renderBubble(contents, ctx);
  return el('div', 'flex-unknown', '[flex: bubble でも carousel でもありません]');
}

/** A LINE template message (buttons / confirm / carousel) as a simple card. */
function renderTemplate(message, ctx) {
  const t = isObject(message.template) ? message.template : {};
  const card = (column) => {
    const node = el('div', 'template-card');
    const image = safeWebUrl(column.thumbnailImageUrl);
    if (image) {
      const img = el('img', 'template-image');
      img.src = image;
      img.alt = '';
      img.referrerPolicy = 'no-referrer';
      node.append(img);
    }
    if (column.title) node.append(el('div', 'template-title', str(column.title)));
    node.append(el('div', 'template-text', str(column.text)));
    const actions = el('div', t.type === 'confirm' ? 'template-actions template-actions-row' : 'template-actions');
    for (const action of Array.isArray(column.actions) ? column.actions : []) {
      if (!isObject(action)) continue;
      const button = el('button', 'template-button', str(action.label) || '（ラベルなし）');
      button.type = 'button';
      button.addEventListener('click', () => ctx.onAction(action));
      actions.append(button);
    }
    node.append(actions);
    return node;
  };
  if (t.type === 'carousel') {
    const node = el('div', 'flex-carousel');
    for (const column of Array.isArray(t.columns) ? t.columns : []) if (isObject(column)) node.append(card(column));
    return node;
  }
  return card(t);
}

/**
 * One LINE message as an element: `{ node, bare }`. Bare nodes (flex, images, templates) are
 * drawn without the speech-bubble frame, as LINE does.
 */
export function renderMessage(message, ctx) {
  if (!isObject(message)) return { node: el('div', 'msg-text', '[不明なメッセージ]'), bare: false };
  switch (message.type) {
    case 'text':
    case 'textV2':
      return { node: el('div', 'msg-text', str(message.text)), bare: false };
    case 'flex': {
      const node = renderFlexContainer(message.contents, ctx);
      node.setAttribute('aria-label', str(message.altText));
      node.dataset.altText = str(message.altText);
      return { node, bare: true };
    }
    case 'template':
      return { node: renderTemplate(message, ctx), bare: true };
    case 'image': {
      const url = safeWebUrl(message.previewImageUrl) ?? safeWebUrl(message.originalContentUrl);
      if (!url) return { node: el('div', 'msg-text', '[画像]'), bare: false };
      const img = el('img', 'msg-image');
      img.src = url;
      img.alt = '画像';
      img.referrerPolicy = 'no-referrer';
      return { node: img, bare: true };
    }
    case 'sticker':
      return { node: el('div', 'msg-sticker', '［スタンプ］'), bare: true };
    default:
      return { node: el('div', 'msg-text msg-other', `[${str(message.type) || '?'} メッセージ] ${str(message.altText)}`), bare: false };
  }
}
