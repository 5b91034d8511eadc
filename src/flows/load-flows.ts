import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { flowFileSchema, type Checklist, type QuickReplyOption, type Template } from './schema.ts';

/** All conversation content, merged from flows/*.yaml. Keys are unique across files. */
export interface Content {
  texts: Record<string, string[]>;
  quickReplies: Record<string, QuickReplyOption[]>;
  templates: Record<string, Template>;
  checklists: Record<string, Checklist>;
}

export class ContentError extends Error {
  constructor(readonly problems: string[]) {
    super(`flows/ content is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ContentError';
  }
}

export interface ContentRequirements {
  texts: readonly string[];
  quickReplies?: readonly string[];
  templates?: readonly string[];
  checklists?: readonly string[];
  /** Placeholders a text may use: {{name}}. Anything else is a typo caught at start-up. */
  placeholders: readonly string[];
}

const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9_]+)\s*\}\}/g;

/**
 * The content files: shared ones at the top of flows/, and one folder per scenario (flows/<id>/),
 * as paths relative to `dir`. The rich menu layout is not conversation content.
 */
export function flowFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      for (const f of readdirSync(join(dir, entry.name))) if (f.endsWith('.yaml') || f.endsWith('.yml')) out.push(`${entry.name}/${f}`);
    } else if ((entry.name.endsWith('.yaml') || entry.name.endsWith('.yml')) && !entry.name.startsWith('richmenu')) {
      out.push(entry.name);
    }
  }
  return out.sort();
}

export function loadFlows(dir: string, requirements?: ContentRequirements): Content {
  const files = flowFiles(dir);
  const problems: string[] = [];
  const content: Content = { texts: {}, quickReplies: {}, templates: {}, checklists: {} };
  const origin = new Map<string, string>();
  for (const file of files) {
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(join(dir, file), 'utf8'));
    } catch (err) {
      problems.push(`${file}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
      continue;
    }
    const parsed = flowFileSchema.safeParse(raw ?? {});
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`${file}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
      continue;
    }
    const add = <T>(section: keyof Content, entries: Record<string, T> | undefined, map: (v: T) => unknown) => {
      for (const [key, value] of Object.entries(entries ?? {})) {
        const id = `${section}.${key}`;
        if (origin.has(id)) {
          problems.push(`${file}: ${id} is already defined in ${origin.get(id)}`);
          continue;
        }
        origin.set(id, file);
        (content[section] as Record<string, unknown>)[key] = map(value);
      }
    };
    add(`texts`, parsed.data.texts, (v) => (Array.isArray(v) ? v : [v]));
    add('quickReplies', parsed.data.quickReplies, (v) => v);
    add('templates', parsed.data.templates, (v) => v);
    add('checklists', parsed.data.checklists, (v) => v);
  }
  if (requirements) problems.push(...checkRequirements(content, requirements));
  if (problems.length > 0) throw new ContentError(problems);
  return content;
}

function checkRequirements(content: Content, req: ContentRequirements): string[] {
  const problems: string[] = [];
  const need = (section: keyof Content, keys: readonly string[] | undefined) => {
    for (const key of keys ?? []) {
      if (!(key in content[section])) problems.push(`${section}.${key} is missing (the conversation uses it)`);
    }
  };
  need('texts', req.texts);
  need('quickReplies', req.quickReplies);
  need('templates', req.templates);
  need('checklists', req.checklists);
  const known = new Set(req.placeholders);
  const checkPlaceholders = (where: string, text: string) => {
    for (const m of text.matchAll(PLACEHOLDER)) {
      if (!known.has(m[1]!)) problems.push(`${where}: unknown placeholder {{${m[1]}}} (known: ${[...known].join(', ')})`);
    }
  };
  for (const [k, parts] of Object.entries(content.texts)) parts.forEach((t, i) => checkPlaceholders(`texts.${k}[${i}]`, t));
  for (const [k, t] of Object.entries(content.templates)) {
    checkPlaceholders(`templates.${k}.body`, t.body);
    if (t.subject) checkPlaceholders(`templates.${k}.subject`, t.subject);
    checkPlaceholders(`templates.${k}.title`, t.title);
  }
  return problems;
}

/** Replaces {{name}} with values; a missing value becomes the blank the caller chose for it. */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => values[name] ?? `〇〇`);
}
