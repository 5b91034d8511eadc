import type { QuickReplyOption } from '../flows/schema.ts';
import type { Action, LineMessage, QuickReply, TextMessage } from './types.ts';

export const TEXT_LIMIT = 5000;

export function buildAction(option: QuickReplyOption): Action {
  if ('text' in option) return { type: 'message', label: option.label, text: option.text };
  return {
    type: 'postback',
    label: option.label,
    data: option.data,
    ...(option.displayText ? { displayText: option.displayText } : {}),
  };
}

export function buildQuickReply(options: readonly QuickReplyOption[]): QuickReply | undefined {
  if (options.length === 0) return undefined;
  return { items: options.slice(0, 13).map((o) => ({ type: 'action', action: buildAction(o) })) };
}

/**
 * Splits a long text at paragraph (then line) boundaries so that no piece is over LINE's limit:
 * a long template is split, never cut.
 */
export function splitText(text: string, limit = TEXT_LIMIT): string[] {
  if (text.length <= limit) return [text];
  const pieces: string[] = [];
  let current = '';
  const units = text.split(/(?<=\n\n)|(?<=\n)/);
  for (const unit of units) {
    if (unit.length > limit) {
      if (current) pieces.push(current);
      current = '';
      for (let i = 0; i < unit.length; i += limit) pieces.push(unit.slice(i, i + limit));
      continue;
    }
    if (current.length + unit.length > limit) {
      pieces.push(current);
      current = unit;
    } else current += unit;
  }
  if (current) pieces.push(current);
  return pieces.map((p) => p.replace(/\n+$/, '')).filter((p) => p.length > 0);
}

/** A text message (or several, if long); quick replies go on the last one. */
export function buildTextMessages(text: string, quickReply?: readonly QuickReplyOption[]): TextMessage[] {
  const parts = splitText(text);
  const qr = quickReply ? buildQuickReply(quickReply) : undefined;
  return parts.map((p, i) => (i === parts.length - 1 && qr ? { type: 'text', text: p, quickReply: qr } : { type: 'text', text: p }));
}

/** Attaches quick replies to the last message of a list (LINE shows them only for the last one). */
export function withQuickReply(messages: LineMessage[], options: readonly QuickReplyOption[] | undefined): LineMessage[] {
  if (!options || options.length === 0 || messages.length === 0) return messages;
  const qr = buildQuickReply(options);
  const last = messages[messages.length - 1]!;
  return [...messages.slice(0, -1), { ...last, ...(qr ? { quickReply: qr } : {}) }];
}
