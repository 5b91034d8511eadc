import type { Checklist, Template } from '../flows/schema.ts';
import { fillPlaceholders } from '../flows/load-flows.ts';
import { splitText } from './build-text.ts';
import type { FlexMessage, LineMessage, TextMessage } from './types.ts';

const ACCENT = '#E8795A';
const ALT_TEXT_LIMIT = 400;

const altText = (s: string) => (s.length > ALT_TEXT_LIMIT ? `${s.slice(0, ALT_TEXT_LIMIT - 1)}…` : s);

/**
 * A template as a readable card (flex) plus the same words as plain text to long-press and copy.
 * A body too long for one text message is split into several, never cut.
 */
export function buildTemplateMessages(template: Template, values: Record<string, string>): LineMessage[] {
  const title = fillPlaceholders(template.title, values);
  const subject = template.subject ? fillPlaceholders(template.subject, values) : undefined;
  const body = fillPlaceholders(template.body, values);
  const paragraphs = body.split('\n');
  const card: FlexMessage = {
    type: 'flex',
    altText: altText(`${title}：${subject ?? body.split('\n')[0] ?? ''}`),
    contents: {
      type: 'bubble',
      size: 'mega',
      header: {
        type: 'box',
        layout: 'vertical',
        backgroundColor: '#FFF4EE',
        paddingAll: '16px',
        contents: [{ type: 'text', text: title, weight: 'bold', size: 'md', color: ACCENT, wrap: true }],
      },
      body: {
        type: 'box',
        layout: 'vertical',
        spacing: 'sm',
        contents: [
          ...(subject
            ? [
                { type: 'text', text: `件名：${subject}`, weight: 'bold', size: 'sm', wrap: true },
                { type: 'separator', margin: 'md' },
              ]
            : []),
          ...paragraphs.map((p) =>
            p.trim() === ''
              ? { type: 'separator', margin: 'md' }
              : { type: 'text', text: p, size: 'sm', wrap: true, color: '#333333' },
          ),
        ],
      },
      footer: {
        type: 'box',
        layout: 'vertical',
        contents: [{ type: 'text', text: '次のメッセージを長押しでコピーできます', size: 'xs', color: '#888888', wrap: true }],
      },
    },
  };
  const copyText = subject ? `件名：${subject}\n\n${body}` : body;
  const texts: TextMessage[] = splitText(copyText).map((t) => ({ type: 'text', text: t }));
  return [card, ...texts];
}

/** A checklist as a card: ticked items show ✓. */
export function buildChecklistMessage(checklist: Checklist, ticked: readonly string[]): FlexMessage {
  const done = new Set(ticked);
  return {
    type: 'flex',
    altText: altText(`${checklist.title}（${checklist.items.filter((i) => done.has(i.id)).length}/${checklist.items.length}）`),
    contents: {
      type: 'bubble',
      body: {
        type: 'box',
        layout: 'vertical',
        spacing: 'md',
        contents: [
          { type: 'text', text: checklist.title, weight: 'bold', size: 'md', color: ACCENT },
          { type: 'separator' },
          ...checklist.items.map((item) => ({
            type: 'box',
            layout: 'horizontal',
            spacing: 'sm',
            contents: [
              { type: 'text', text: done.has(item.id) ? '✓' : '・', flex: 0, size: 'sm', color: done.has(item.id) ? '#2E9E5B' : '#999999', weight: 'bold' },
              { type: 'text', text: item.text, size: 'sm', wrap: true, color: done.has(item.id) ? '#2E9E5B' : '#333333', flex: 1 },
            ],
          })),
        ],
      },
    },
  };
}

/** Plain-text version of a checklist (for progress lines). */
export function describeChecklist(checklist: Checklist, ticked: readonly string[]): string {
  const done = new Set(ticked);
  return checklist.items.map((i) => `${done.has(i.id) ? '☑' : '☐'} ${i.text}`).join('\n');
}
