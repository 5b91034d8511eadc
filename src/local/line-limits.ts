// LINE limits that its OpenAPI files do not state (or state loosely), checked in one place.
// Pure functions over plain objects: the local platform rejects requests with them, and message
// builders can assert their output with them.
//
// Counting: text messages are measured in UTF-16 code units (what LINE counts), labels in
// characters (code points, so one emoji is one character). Every limit that is not explicitly
// code points uses UTF-16 units, the stricter of the two.

export interface LimitIssue {
  /** LINE-style property path, e.g. `messages[0].quickReply.items[2].action.label`. */
  property: string;
  message: string;
}

export const LINE_LIMITS = {
  messagesPerRequest: 5,
  textLength: 5000,
  quickReplyItems: 13,
  actionLabel: 20,
  postbackData: 300,
  displayText: 300,
  messageActionText: 300,
  uri: 1000,
  clipboardText: 1000,
  flexAltText: 1500,
  templateAltText: 400,
  imagemapAltText: 400,
  carouselBubbles: 12,
  templateCarouselColumns: 10,
  buttonsTemplateActions: 4,
  richMenuChatBarText: 14,
  richMenuName: 300,
  richMenuAreas: 20,
  richMenuSizes: [
    { width: 2500, height: 1686 },
    { width: 2500, height: 843 },
  ],
} as const;

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function at(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

function preview(text: string): string {
  return text.length > 24 ? `"${text.slice(0, 21)}..."` : JSON.stringify(text);
}

/** Violations as `property: message` lines; empty when the messages are within LINE's limits. */
export function checkMessageLimits(messages: unknown[]): string[] {
  return collectMessageLimitIssues(messages).map(limitIssueToText);
}

/** Violations of a rich menu (a RichMenuRequest body) as `property: message` lines. */
export function checkRichMenuLimits(menu: unknown): string[] {
  return collectRichMenuLimitIssues(menu).map(limitIssueToText);
}

export function limitIssueToText(issue: LimitIssue): string {
  return issue.property ? `${issue.property}: ${issue.message}` : issue.message;
}

/** Same checks as checkMessageLimits, with property and message apart (for LINE-style `details`). */
export function collectMessageLimitIssues(messages: unknown[], basePath = 'messages'): LimitIssue[] {
  const issues: LimitIssue[] = [];
  if (messages.length === 0) {
    issues.push({ property: basePath, message: 'at least 1 message is required' });
  }
  if (messages.length > LINE_LIMITS.messagesPerRequest) {
    issues.push({
      property: basePath,
      message: `${messages.length} messages in one request; LINE allows at most ${LINE_LIMITS.messagesPerRequest}`,
    });
  }
  messages.forEach((message, i) => checkMessage(message, at(basePath, i), issues));
  return issues;
}

export function collectRichMenuLimitIssues(menu: unknown): LimitIssue[] {
  const issues: LimitIssue[] = [];
  if (!isObj(menu)) {
    issues.push({ property: '', message: 'a rich menu must be an object' });
    return issues;
  }
  for (const key of ['size', 'selected', 'name', 'chatBarText', 'areas']) {
    if (menu[key] === undefined) issues.push({ property: key, message: 'is required' });
  }

  let width: number | undefined;
  let height: number | undefined;
  if (isObj(menu.size)) {
    const w = menu.size.width;
    const h = menu.size.height;
    if (typeof w === 'number' && typeof h === 'number') {
      width = w;
      height = h;
      if (!LINE_LIMITS.richMenuSizes.some((s) => s.width === w && s.height === h)) {
        issues.push({
          property: 'size',
          message: `${w}×${h} is not a rich menu size; use 2500×1686 or 2500×843`,
        });
      }
    }
  }
  if (typeof menu.chatBarText === 'string') {
    const n = codePoints(menu.chatBarText);
    if (n === 0) issues.push({ property: 'chatBarText', message: 'must not be empty' });
    if (n > LINE_LIMITS.richMenuChatBarText) {
      issues.push({
        property: 'chatBarText',
        message: `${preview(menu.chatBarText)} is ${n} characters; LINE allows at most ${LINE_LIMITS.richMenuChatBarText}`,
      });
    }
  }
  if (typeof menu.name === 'string' && codePoints(menu.name) > LINE_LIMITS.richMenuName) {
    issues.push({ property: 'name', message: `is longer than ${LINE_LIMITS.richMenuName} characters` });
  }
  if (Array.isArray(menu.areas)) {
    if (menu.areas.length > LINE_LIMITS.richMenuAreas) {
      issues.push({
        property: 'areas',
        message: `${menu.areas.length} areas; LINE allows at most ${LINE_LIMITS.richMenuAreas}`,
      });
    }
    menu.areas.forEach((area, i) => {
      const path = at('areas', i);
      if (!isObj(area)) {
        issues.push({ property: path, message: 'must be an object' });
        return;
      }
      checkBounds(area.bounds, at(path, 'bounds'), width, height, issues);
      if (area.action === undefined) issues.push({ property: at(path, 'action'), message: 'is required' });
      else checkAction(area.action, at(path, 'action'), issues, { context: 'richMenu' });
    });
  }
  return issues;
}

function checkBounds(bounds: unknown, path: string, width: number | undefined, height: number | undefined, issues: LimitIssue[]): void {
  if (!isObj(bounds)) {
    issues.push({ property: path, message: 'is required' });
    return;
  }
  const { x, y, width: w, height: h } = bounds;
  if (typeof x !== 'number' || typeof y !== 'number' || typeof w !== 'number' || typeof h !== 'number') {
    issues.push({ property: path, message: 'needs numeric x, y, width and height' });
    return;
  }
  if (x < 0 || y < 0 || w <= 0 || h <= 0) {
    issues.push({ property: path, message: 'must have x, y ≥ 0 and a positive width and height' });
    return;
  }
  if (width !== undefined && height !== undefined && (x + w > width || y + h > height)) {
    issues.push({
      property: path,
      message: `area ${x},${y} ${w}×${h} reaches outside the ${width}×${height} menu`,
    });
  }
}

function checkText(value: unknown, path: string, max: number, issues: LimitIssue[], unit: 'utf16' | 'chars', required: boolean): void {
  if (value === undefined || value === null) {
    if (required) issues.push({ property: path, message: 'is required' });
    return;
  }
  if (typeof value !== 'string') return; // the schema reports wrong types
  const n = unit === 'utf16' ? value.length : codePoints(value);
  if (required && n === 0) issues.push({ property: path, message: 'must not be empty' });
  if (n > max) {
    const what = unit === 'utf16' ? 'UTF-16 code units' : 'characters';
    issues.push({ property: path, message: `${preview(value)} is ${n} ${what}; LINE allows at most ${max}` });
  }
}

function checkMessage(message: unknown, path: string, issues: LimitIssue[]): void {
  if (!isObj(message)) return;
  switch (message.type) {
    case 'text':
    case 'textV2':
      checkText(message.text, at(path, 'text'), LINE_LIMITS.textLength, issues, 'utf16', true);
      break;
    case 'flex':
      checkText(message.altText, at(path, 'altText'), LINE_LIMITS.flexAltText, issues, 'utf16', true);
      checkFlexContainer(message.contents, at(path, 'contents'), issues);
      break;
    case 'template':
      checkText(message.altText, at(path, 'altText'), LINE_LIMITS.templateAltText, issues, 'utf16', true);
      checkTemplate(message.template, at(path, 'template'), issues);
      break;
    case 'imagemap':
      checkText(message.altText, at(path, 'altText'), LINE_LIMITS.imagemapAltText, issues, 'utf16', true);
      break;
    default:
      break;
  }
  if (isObj(message.quickReply)) checkQuickReply(message.quickReply, at(path, 'quickReply'), issues);
}

function checkQuickReply(quickReply: Obj, path: string, issues: LimitIssue[]): void {
  const items = quickReply.items;
  if (!Array.isArray(items)) return;
  if (items.length > LINE_LIMITS.quickReplyItems) {
    issues.push({
      property: at(path, 'items'),
      message: `${items.length} quick reply items; LINE allows at most ${LINE_LIMITS.quickReplyItems}`,
    });
  }
  items.forEach((item, i) => {
    if (!isObj(item)) return;
    const itemPath = at(at(path, 'items'), i);
    if (item.action === undefined) issues.push({ property: at(itemPath, 'action'), message: 'is required' });
    else checkAction(item.action, at(itemPath, 'action'), issues, { context: 'quickReply' });
  });
}

interface ActionContext {
  context: 'quickReply' | 'flexButton' | 'flex' | 'template' | 'richMenu';
}

function checkAction(action: unknown, path: string, issues: LimitIssue[], { context }: ActionContext): void {
  if (!isObj(action)) return;
  // Quick reply buttons and flex buttons show the label: without one LINE rejects the message.
  const labelRequired = context === 'quickReply' || context === 'flexButton';
  checkText(action.label, at(path, 'label'), LINE_LIMITS.actionLabel, issues, 'chars', labelRequired);
  switch (action.type) {
    case 'postback':
      checkText(action.data, at(path, 'data'), LINE_LIMITS.postbackData, issues, 'chars', true);
      checkText(action.displayText, at(path, 'displayText'), LINE_LIMITS.displayText, issues, 'chars', false);
      checkText(action.text, at(path, 'text'), LINE_LIMITS.displayText, issues, 'chars', false);
      checkText(action.fillInText, at(path, 'fillInText'), LINE_LIMITS.displayText, issues, 'chars', false);
      break;
    case 'message':
      checkText(action.text, at(path, 'text'), LINE_LIMITS.messageActionText, issues, 'chars', true);
      break;
    case 'uri':
      checkText(action.uri, at(path, 'uri'), LINE_LIMITS.uri, issues, 'utf16', true);
      break;
    case 'datetimepicker':
      checkText(action.data, at(path, 'data'), LINE_LIMITS.postbackData, issues, 'chars', true);
      break;
    case 'richmenuswitch':
      checkText(action.data, at(path, 'data'), LINE_LIMITS.postbackData, issues, 'chars', true);
      checkText(action.richMenuAliasId, at(path, 'richMenuAliasId'), 32, issues, 'chars', true);
      if (context !== 'richMenu') {
        issues.push({ property: at(path, 'type'), message: 'a richmenuswitch action only works in a rich menu' });
      }
      break;
    case 'clipboard':
      checkText(action.clipboardText, at(path, 'clipboardText'), LINE_LIMITS.clipboardText, issues, 'chars', true);
      break;
    case 'camera':
    case 'cameraRoll':
    case 'location':
      if (context !== 'quickReply') {
        issues.push({ property: at(path, 'type'), message: `a ${action.type} action only works in a quick reply` });
      }
      break;
    default:
      break;
  }
}

function checkFlexContainer(container: unknown, path: string, issues: LimitIssue[]): void {
  if (!isObj(container)) return;
  if (container.type === 'carousel') {
    const bubbles = container.contents;
    if (!Array.isArray(bubbles)) return;
    if (bubbles.length === 0) issues.push({ property: at(path, 'contents'), message: 'a carousel needs at least 1 bubble' });
    if (bubbles.length > LINE_LIMITS.carouselBubbles) {
      issues.push({
        property: at(path, 'contents'),
        message: `${bubbles.length} bubbles in a carousel; LINE allows at most ${LINE_LIMITS.carouselBubbles}`,
      });
    }
    bubbles.forEach((bubble, i) => checkBubble(bubble, at(at(path, 'contents'), i), issues));
  } else if (container.type === 'bubble') {
    checkBubble(container, path, issues);
  }
}

function checkBubble(bubble: unknown, path: string, issues: LimitIssue[]): void {
  if (!isObj(bubble)) return;
  for (const block of ['header', 'hero', 'body', 'footer']) {
    if (bubble[block] !== undefined) checkFlexComponent(bubble[block], at(path, block), issues);
  }
  if (bubble.action !== undefined) checkAction(bubble.action, at(path, 'action'), issues, { context: 'flex' });
}

function checkFlexComponent(component: unknown, path: string, issues: LimitIssue[]): void {
  if (!isObj(component)) return;
  if (component.type === 'button') {
    if (component.action === undefined) issues.push({ property: at(path, 'action'), message: 'is required' });
    else checkAction(component.action, at(path, 'action'), issues, { context: 'flexButton' });
  } else if (component.action !== undefined) {
    checkAction(component.action, at(path, 'action'), issues, { context: 'flex' });
  }
  if (component.type === 'box' && Array.isArray(component.contents)) {
    component.contents.forEach((child, i) => checkFlexComponent(child, at(at(path, 'contents'), i), issues));
  }
}

function checkTemplate(template: unknown, path: string, issues: LimitIssue[]): void {
  if (!isObj(template)) return;
  const checkActions = (actions: unknown, actionsPath: string, max: number): void => {
    if (!Array.isArray(actions)) return;
    if (actions.length > max) {
      issues.push({ property: actionsPath, message: `${actions.length} actions; LINE allows at most ${max}` });
    }
    actions.forEach((action, i) => checkAction(action, at(actionsPath, i), issues, { context: 'template' }));
  };
  if (template.type === 'buttons') {
    checkActions(template.actions, at(path, 'actions'), LINE_LIMITS.buttonsTemplateActions);
    if (template.defaultAction !== undefined) {
      checkAction(template.defaultAction, at(path, 'defaultAction'), issues, { context: 'template' });
    }
  } else if (template.type === 'confirm') {
    checkActions(template.actions, at(path, 'actions'), 2);
  } else if (template.type === 'carousel' || template.type === 'image_carousel') {
    const columns = template.columns;
    if (!Array.isArray(columns)) return;
    if (columns.length > LINE_LIMITS.templateCarouselColumns) {
      issues.push({
        property: at(path, 'columns'),
        message: `${columns.length} columns; LINE allows at most ${LINE_LIMITS.templateCarouselColumns}`,
      });
    }
    columns.forEach((column, i) => {
      if (!isObj(column)) return;
      const columnPath = at(at(path, 'columns'), i);
      if (template.type === 'carousel') checkActions(column.actions, at(columnPath, 'actions'), 3);
      else if (column.action !== undefined) checkAction(column.action, at(columnPath, 'action'), issues, { context: 'template' });
      if (column.defaultAction !== undefined) {
        checkAction(column.defaultAction, at(columnPath, 'defaultAction'), issues, { context: 'template' });
      }
    });
  }
}
