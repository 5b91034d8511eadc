import type { Content } from '../../flows/load-flows.ts';
import { fillPlaceholders } from '../../flows/load-flows.ts';
import type { QuickReplyOption } from '../../flows/schema.ts';
import { buildChecklistMessage, buildTemplateMessages, describeChecklist } from '../../messages/build-template.ts';
import { buildTextMessages, withQuickReply } from '../../messages/build-text.ts';
import type { LineMessage } from '../../messages/types.ts';
import { placeholderValues, type Profile } from './profile.ts';

/** The machine referred to a key flows/ doesn't have: a bug the content check should have caught. */
export class MissingContentError extends Error {
  constructor(readonly section: string, readonly key: string) {
    super(`flows/ has no ${section}.${key}`);
    this.name = 'MissingContentError';
  }
}

/** One piece of what Akari says: a text, a template (card + copyable text), or a checklist card. */
export type Part =
  | { say: string; qr?: string; extra?: Record<string, string> }
  /** `fill`: placeholders of the template filled with texts (by key), e.g. the lines only one scenario says. */
  | { template: string; fill?: Record<string, string>; extra?: Record<string, string> }
  | { checklist: string; ticked: readonly string[] };

/**
 * Turns content keys into LINE messages for one user at one moment. Pure: the machine calls it
 * from its actions, with the profile from its context and the time from the event.
 */
export function createRenderer(content: Content, scenarioValues: (profile: Profile, now: Date) => Record<string, string> = () => ({})) {
  const values = (profile: Profile, at: number, extra?: Record<string, string>) =>
    placeholderValues(profile, new Date(at), { ...scenarioValues(profile, new Date(at)), ...extra });
  const text = (key: string, profile: Profile, at: number, extra?: Record<string, string>): string => {
    const texts = content.texts[key];
    if (!texts) throw new MissingContentError('texts', key);
    return texts.map((t) => fillPlaceholders(t, values(profile, at, extra))).join('\n');
  };

  function render(parts: readonly Part[], profile: Profile, at: number, quickReplies?: readonly QuickReplyOption[]): LineMessage[] {
    const out: LineMessage[] = [];
    for (const part of parts) {
      if ('say' in part) {
        const texts = content.texts[part.say];
        if (!texts) throw new MissingContentError('texts', part.say);
        const qr = part.qr ? content.quickReplies[part.qr] : undefined;
        if (part.qr && !qr) throw new MissingContentError('quickReplies', part.qr);
        texts.forEach((t, i) => out.push(...buildTextMessages(fillPlaceholders(t, values(profile, at, part.extra)), i === texts.length - 1 ? qr : undefined)));
      } else if ('template' in part) {
        const template = content.templates[part.template];
        if (!template) throw new MissingContentError('templates', part.template);
        const fills = Object.fromEntries(Object.entries(part.fill ?? {}).map(([name, key]) => [name, text(key, profile, at, part.extra)]));
        out.push(...buildTemplateMessages(template, values(profile, at, { ...part.extra, ...fills })));
      } else {
        const checklist = content.checklists[part.checklist];
        if (!checklist) throw new MissingContentError('checklists', part.checklist);
        out.push(buildChecklistMessage(checklist, part.ticked));
      }
    }
    return quickReplies ? withQuickReply(out, quickReplies) : out;
  }

  /** Quick replies to tick the items not yet ticked, plus extra options. */
  function tickOptions(list: string, ticked: readonly string[], extra: readonly QuickReplyOption[] = []): QuickReplyOption[] {
    const checklist = content.checklists[list];
    const items = (checklist?.items ?? [])
      .filter((i) => !ticked.includes(i.id))
      .map((i) => ({ label: `✓ ${i.label}`, data: `action=tick&list=${list}&item=${i.id}`, displayText: `「${i.label}」できました` }));
    return [...items, ...extra].slice(0, 13);
  }

  function checklistProgress(list: string, ticked: readonly string[]) {
    const checklist = content.checklists[list];
    const total = checklist?.items.length ?? 0;
    return {
      tickedCount: String(ticked.length),
      totalCount: String(total),
      checklist: checklist ? describeChecklist(checklist, ticked) : '',
      complete: total > 0 && (checklist?.items ?? []).every((i) => ticked.includes(i.id)),
    };
  }

  return { render, tickOptions, checklistProgress };
}

export type Renderer = ReturnType<typeof createRenderer>;
