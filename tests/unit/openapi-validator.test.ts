import { describe, expect, it } from 'vitest';
import { createLineSchemaValidator, toPropertyPath } from '../../src/local/openapi-validator.ts';

// One validator for the file: loading and compiling the spec takes a few hundred ms.
const validator = createLineSchemaValidator();

const flexWithPostbackButton = {
  type: 'flex',
  altText: 'Choose a time',
  contents: {
    type: 'bubble',
    body: {
      type: 'box',
      layout: 'vertical',
      contents: [
        { type: 'text', text: 'When can you call back?', wrap: true },
        { type: 'button', style: 'primary', action: { type: 'postback', label: 'Tomorrow', data: 'slot=tomorrow' } },
      ],
    },
  },
};

function errorsOf(result: ReturnType<typeof validator.validateRequest>): string[] {
  return result.ok ? [] : result.errors;
}

describe('createLineSchemaValidator', () => {
  it('accepts a valid text reply', () => {
    const result = validator.validateRequest('ReplyMessageRequest', {
      replyToken: 'nHuyWiB7yP5Zw52FIkcQobQuGDXCTA',
      messages: [{ type: 'text', text: 'Hello' }],
    });
    expect(result).toEqual({ ok: true });
  });

  it('rejects a text message without text, naming the property', () => {
    const result = validator.validateRequest('ReplyMessageRequest', {
      replyToken: 'token',
      messages: [{ type: 'text' }],
    });
    expect(result.ok).toBe(false);
    expect(errorsOf(result)).toEqual(['messages[0].text: is required']);
  });

  it('validates a flex button postback action through the discriminators', () => {
    expect(validator.validateRequest('PushMessageRequest', { to: 'U1', messages: [flexWithPostbackButton] })).toEqual({
      ok: true,
    });

    // The same postback action with a wrong field type fails at the right depth, so the
    // Message → FlexContainer → FlexComponent → Action chain really picked PostbackAction.
    const broken = structuredClone(flexWithPostbackButton);
    (broken.contents.body.contents[1] as { action: Record<string, unknown> }).action.data = 42;
    expect(errorsOf(validator.validateRequest('PushMessageRequest', { to: 'U1', messages: [broken] }))).toEqual([
      'messages[0].contents.body.contents[1].action.data: must be string',
    ]);
  });

  it('rejects an unknown message type and an unknown action type', () => {
    const unknownMessage = validator.validateRequest('ReplyMessageRequest', {
      replyToken: 'token',
      messages: [{ type: 'hologram', text: 'hi' }],
    });
    expect(errorsOf(unknownMessage)).toHaveLength(1);
    expect(errorsOf(unknownMessage)[0]).toMatch(/^messages\[0\]\.type: must be one of .*"text".*\(got "hologram"\)$/);

    const unknownAction = structuredClone(flexWithPostbackButton);
    (unknownAction.contents.body.contents[1] as { action: Record<string, unknown> }).action.type = 'postbak';
    expect(errorsOf(validator.validateRequest('PushMessageRequest', { to: 'U1', messages: [unknownAction] }))[0]).toMatch(
      /^messages\[0\]\.contents\.body\.contents\[1\]\.action\.type: must be one of/,
    );
  });

  it('keeps a subtype to its own type where the spec references the subtype directly', () => {
    // FlexCarousel.contents items are FlexBubble: a box there is wrong even though it is a FlexComponent.
    const result = validator.validateRequest('PushMessageRequest', {
      to: 'U1',
      messages: [{ type: 'flex', altText: 'x', contents: { type: 'carousel', contents: [{ type: 'box' }] } }],
    });
    expect(errorsOf(result)).toEqual(['messages[0].contents.contents[0].type: must be one of "bubble" (got "box")']);
  });

  it('checks rich menu requests', () => {
    const menu = {
      size: { width: 2500, height: 843 },
      selected: true,
      name: 'main',
      chatBarText: 'メニュー',
      areas: [{ bounds: { x: 0, y: 0, width: 1250, height: 843 }, action: { type: 'postback', data: 'menu=start' } }],
    };
    expect(validator.validateRequest('RichMenuRequest', menu)).toEqual({ ok: true });
    expect(errorsOf(validator.validateRequest('RichMenuRequest', { ...menu, chatBarText: 'x'.repeat(15) }))).toEqual([
      'chatBarText: must NOT have more than 14 characters',
    ]);
  });

  it('accepts a webhook CallbackRequest with a message event and rejects a broken source', () => {
    const event = {
      type: 'message',
      mode: 'active',
      timestamp: 1_700_000_000_000,
      webhookEventId: '01HZZZZZZZZZZZZZZZZZZZZZZZ',
      deliveryContext: { isRedelivery: false },
      source: { type: 'user', userId: `U${'a'.repeat(32)}` },
      replyToken: 'b60d432864f44d079f6d8efe86cf404b',
      message: { id: '444573844083572737', type: 'text', text: '昨日電話に出られませんでした', quoteToken: 'q3Plxr4AgKd...' },
    };
    const payload = { destination: `U${'0'.repeat(32)}`, events: [event] };
    expect(validator.validateWebhook(payload)).toEqual({ ok: true });
    expect(validator.validateWebhook({ destination: payload.destination, events: [] })).toEqual({ ok: true });

    const broken = { ...payload, events: [{ ...event, source: { type: 'usr' } }] };
    const result = validator.validateWebhook(broken);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual(['events[0].source.type: must be one of "user", "group", "room" (got "usr")']);
  });

  it('refuses schema names the spec does not have', () => {
    expect(() => validator.validateRequest('NoSuchRequest', {})).toThrow(/no schema named 'NoSuchRequest'/);
    expect(validator.hasSchema('messaging', 'PushMessageRequest')).toBe(true);
    expect(validator.hasSchema('webhook', 'PushMessageRequest')).toBe(false);
  });

  it('formats JSON pointers as LINE property paths', () => {
    expect(toPropertyPath('')).toBe('');
    expect(toPropertyPath('/messages/0/quickReply/items/12/action/label')).toBe('messages[0].quickReply.items[12].action.label');
  });
});
