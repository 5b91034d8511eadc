import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { contentKeysOf, CONTENT_REQUIREMENTS, createConversationMachine } from '../../src/conversation/machine.ts';
import { createRenderer } from '../../src/conversation/kit/render.ts';
import { createKitSetup } from '../../src/conversation/kit/setup.ts';
import { SCENARIOS } from '../../src/conversation/scenarios/registry.ts';
import { createBusinessCalendar } from '../../src/time/business-calendar.ts';
import { createCallWindows } from '../../src/time/call-windows.ts';
import { placeholderValues, PLACEHOLDERS } from '../../src/conversation/kit/profile.ts';
import { ContentError, fillPlaceholders, flowFiles, loadFlows } from '../../src/flows/load-flows.ts';
import { checkMessageLimits } from '../../src/local/line-limits.ts';
import { createLineSchemaValidator } from '../../src/local/openapi-validator.ts';
import { buildTemplateMessages, buildChecklistMessage } from '../../src/messages/build-template.ts';
import { buildTextMessages } from '../../src/messages/build-text.ts';

const flowsDir = fileURLToPath(new URL('../../flows', import.meta.url));
const content = loadFlows(flowsDir, CONTENT_REQUIREMENTS);
const validator = createLineSchemaValidator();

// Two extremes: nothing known (every blank) and long real values.
const empty = placeholderValues({}, new Date('2026-12-01T01:00:00Z'));
const full = placeholderValues(
  {
    userName: '長谷川みなみ',
    employerName: '株式会社サンプルホールディングス東京本社',
    contactPerson: '佐々木',
    jobKind: 'fullTime',
    daysElapsed: 6,
    callCount: 4,
    reasons: ['phoneRepair', 'hiddenNumber'],
    strengths: ['接客の経験が3年ある', 'シフトに柔軟に入れる', '体力に自信がある'],
    employerKind: 'shop',
    businessHours: { open: 660, close: 1260 },
  },
  new Date('2026-12-01T01:00:00Z'),
);
// Every placeholder a text may use, the kit's and the scenarios' own.
const extras = Object.fromEntries(CONTENT_REQUIREMENTS.placeholders.map((p) => [p, 'テスト']));

describe('flows/ content', () => {
  it('loads and has everything the machine uses', () => {
    expect(Object.keys(content.texts).length).toBeGreaterThan(80);
  });

  it('every text and template, filled in, is within LINE limits and valid against the spec', () => {
    for (const values of [empty, full]) {
      const v = { ...extras, ...values };
      for (const [key, parts] of Object.entries(content.texts)) {
        for (const part of parts) {
          const filled = fillPlaceholders(part, v);
          expect(filled, key).not.toMatch(/undefined|\{\{/);
          const messages = buildTextMessages(filled, content.quickReplies[key]);
          expect(checkMessageLimits(messages), key).toEqual([]);
        }
      }
      for (const [key, template] of Object.entries(content.templates)) {
        const messages = buildTemplateMessages(template, v);
        expect(JSON.stringify(messages), key).not.toMatch(/undefined|\{\{/);
        expect(checkMessageLimits(messages), key).toEqual([]);
        const result = validator.validateRequest('PushMessageRequest', { to: 'U0123456789abcdef0123456789abcdef', messages });
        expect(result, key).toEqual({ ok: true });
      }
    }
    for (const [key, checklist] of Object.entries(content.checklists)) {
      const message = buildChecklistMessage(checklist, [checklist.items[0]!.id]);
      expect(checkMessageLimits([message]), key).toEqual([]);
      expect(validator.validateRequest('PushMessageRequest', { to: 'U0123456789abcdef0123456789abcdef', messages: [message] }), key).toEqual({ ok: true });
    }
  });

  it('every quick-reply list has at most 13 items and labels of at most 20 characters', () => {
    for (const [key, options] of Object.entries(content.quickReplies)) {
      expect(options.length, key).toBeLessThanOrEqual(13);
      for (const o of options) expect([...o.label].length, `${key}: ${o.label}`).toBeLessThanOrEqual(20);
    }
  });

  it('unknown blanks are clearly marked, never "undefined"', () => {
    expect(empty.employerName).toBe('〇〇株式会社');
    expect(empty.userName).toBe('（お名前）');
    expect(fillPlaceholders('{{employerName}}の{{contactPersonSama}}', empty)).toBe('〇〇株式会社の採用ご担当の方');
  });

  it('a long template is split into several messages, not cut', () => {
    const body = 'あ'.repeat(4000) + '\n' + 'い'.repeat(4000);
    const messages = buildTemplateMessages({ title: '長い文面', body }, {});
    const texts = messages.filter((m) => m.type === 'text').map((m) => (m as { text: string }).text);
    expect(texts.length).toBe(2);
    expect(texts.join('\n')).toBe(body);
    expect(checkMessageLimits(messages)).toEqual([]);
  });

  it('start-up fails on a typo in a placeholder or a missing key, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'akari-flows-'));
    cpSync(flowsDir, dir, { recursive: true });
    writeFileSync(join(dir, 'zz-broken.yaml'), 'texts:\n  extra.key: "こんにちは{{usrName}}"\n');
    expect(() => loadFlows(dir, CONTENT_REQUIREMENTS)).toThrow(/unknown placeholder \{\{usrName\}\}/);
    writeFileSync(join(dir, 'zz-broken.yaml'), 'texts:\n  greeting: "二重定義"\n');
    expect(() => loadFlows(dir, CONTENT_REQUIREMENTS)).toThrow(/texts\.greeting is already defined/);
    writeFileSync(join(dir, 'zz-broken.yaml'), 'quickReplies:\n  x:\n    - { label: "これはとても長いラベルで二十文字を超えてしまいます", text: "a" }\n');
    expect(() => loadFlows(dir, CONTENT_REQUIREMENTS)).toThrow(ContentError);
    expect(() => loadFlows(dir, { ...CONTENT_REQUIREMENTS, texts: [...CONTENT_REQUIREMENTS.texts, 'not.there'] })).toThrow(/texts\.not\.there is missing/);
  });
});

describe('the machine and flows/ agree', () => {
  const conversationDir = fileURLToPath(new URL('../../src/conversation', import.meta.url));

  it('the keys the machine speaks are derived from its definition and the registry, and all are in flows/', () => {
    const calendar = createBusinessCalendar();
    const machine = createConversationMachine({ content, calendar, callWindows: createCallWindows(calendar) });
    const spoken = contentKeysOf(machine.config);
    expect(spoken.texts.size).toBeGreaterThan(40);
    for (const key of spoken.texts) expect(CONTENT_REQUIREMENTS.texts, key).toContain(key);
    for (const key of spoken.quickReplies) expect(CONTENT_REQUIREMENTS.quickReplies, key).toContain(key);
    for (const key of spoken.templates) expect(CONTENT_REQUIREMENTS.templates, key).toContain(key);
    for (const key of CONTENT_REQUIREMENTS.texts) expect(content.texts, key).toHaveProperty([key]);
    for (const key of CONTENT_REQUIREMENTS.quickReplies) expect(content.quickReplies, key).toHaveProperty([key]);
  });

  it('a key named anywhere in the kit or a scenario (composed replies, pushes) is required, so start-up checks it', () => {
    const sources = readdirSync(conversationDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const said = new Set<string>();
    const qrs = new Set<string>();
    const templates = new Set<string>();
    for (const file of sources) {
      const source = readFileSync(join(conversationDir, file), 'utf8');
      for (const m of source.matchAll(/say: '([\w.]+)'/g)) said.add(m[1]!);
      for (const m of source.matchAll(/qr: '([\w.]+)'/g)) qrs.add(m[1]!);
      for (const m of source.matchAll(/template: '([\w.]+)'/g)) templates.add(m[1]!);
    }
    expect(said.size).toBeGreaterThan(60);
    for (const key of said) expect(CONTENT_REQUIREMENTS.texts, key).toContain(key);
    for (const key of qrs) expect(CONTENT_REQUIREMENTS.quickReplies, key).toContain(key);
    for (const key of templates) expect(CONTENT_REQUIREMENTS.templates, key).toContain(key);
  });

  it("a scenario's content lives in its own folder or in the shared files, never in another scenario's", () => {
    const folders = new Set(SCENARIOS.map((s) => s.id));
    const owner = new Map<string, string>();
    for (const file of flowFiles(flowsDir)) {
      const folder = file.includes('/') ? file.split('/')[0]! : '';
      if (folder) expect(folders, `flows/${folder}/ is no registered scenario`).toContain(folder);
      const parsed = (parseYaml(readFileSync(join(flowsDir, file), 'utf8')) ?? {}) as Record<string, Record<string, unknown> | undefined>;
      for (const section of ['texts', 'quickReplies', 'templates', 'checklists']) for (const key of Object.keys(parsed[section] ?? {})) owner.set(`${section}.${key}`, folder);
    }
    const calendar = createBusinessCalendar();
    const kit = createKitSetup({ deps: { content, calendar, callWindows: createCallWindows(calendar) }, r: createRenderer(content), intentOf: () => undefined }, {} as never);
    for (const scenario of SCENARIOS) {
      const keys = contentKeysOf(scenario.states(kit));
      const named = [
        ...[...keys.texts, ...(scenario.content.texts ?? [])].map((k) => `texts.${k}`),
        ...[...keys.quickReplies, ...(scenario.content.quickReplies ?? [])].map((k) => `quickReplies.${k}`),
        ...[...keys.templates, ...(scenario.content.templates ?? [])].map((k) => `templates.${k}`),
      ];
      for (const key of named) expect(['', scenario.id], `${scenario.id} uses ${key} from flows/${owner.get(key)}/`).toContain(owner.get(key));
    }
  });
});

describe('the hooks the stages name', () => {
  it('all exist, and a missing one is named', async () => {
    const { unknownHooks } = await import('../../src/conversation/machine.ts');
    const calendar = createBusinessCalendar();
    const machine = createConversationMachine({ content, calendar, callWindows: createCallWindows(calendar) });
    const hooks = { composers: { assessment: () => [] }, updates: {}, conditions: {}, readers: { outcome: () => undefined }, timers: {}, checked: {}, questions: {}, readFacts: {}, placeholders: {} };
    expect(unknownHooks({ entry: [{ type: 'compose', params: { name: 'assessment' } }, { type: 'compose', params: { name: 'asessment' } }], on: { TEXT: [{ guard: { type: 'typed', params: { reader: 'outcme', value: 'x' } } }] } }, hooks)).toEqual(['compose asessment', 'typed outcme']);
    // The real machine was built (its constructor throws on a missing hook) and names many.
    expect(JSON.stringify(machine.config)).toContain('"type":"compose"');
  });
});
