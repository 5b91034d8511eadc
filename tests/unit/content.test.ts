import { mkdtempSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONTENT_REQUIREMENTS } from '../../src/conversation/machine.ts';
import { placeholderValues, PLACEHOLDERS } from '../../src/conversation/kit/profile.ts';
import { ContentError, fillPlaceholders, loadFlows } from '../../src/flows/load-flows.ts';
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
const extras = Object.fromEntries(PLACEHOLDERS.map((p) => [p, 'テスト']));

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
  it('every key the machine source speaks is in CONTENT_REQUIREMENTS (so start-up checks it)', async () => {
    const { readFileSync } = await import('node:fs');
    const source = readFileSync(fileURLToPath(new URL('../../src/conversation/machine.ts', import.meta.url)), 'utf8');
    const said = [...source.matchAll(/say: '([\w.]+)'/g)].map((m) => m[1]!);
    const qrs = [...source.matchAll(/qr: '([\w.]+)'/g)].map((m) => m[1]!);
    const templates = [...source.matchAll(/template: '([\w.]+)'/g)].map((m) => m[1]!);
    expect(said.length).toBeGreaterThan(40);
    for (const key of said) expect(CONTENT_REQUIREMENTS.texts as readonly string[], key).toContain(key);
    for (const key of qrs) expect(CONTENT_REQUIREMENTS.quickReplies as readonly string[], key).toContain(key);
    for (const key of templates) expect(CONTENT_REQUIREMENTS.templates as readonly string[], key).toContain(key);
  });
});
