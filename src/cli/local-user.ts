import type { webhook } from '@line/bot-sdk';
import type { Akari } from '../main.ts';
import { callbackBody, followEvent, postbackEvent, signBody, textEvent } from '../local/webhook-events.ts';

export interface ChatOption {
  label: string;
  action: { type: 'message'; text: string } | { type: 'postback'; data: string; displayText?: string };
}

/**
 * A simulated LINE user for the local tools: every action becomes a LINE-shaped webhook event,
 * signed with the channel secret and posted to Akari's own /webhook, as LINE would.
 */
export function createLocalUser(opts: { akari: Akari; userId: string }) {
  const { akari, userId } = opts;
  const platform = akari.platform;
  if (!platform) throw new Error('local user needs the local LINE platform (local mode)');
  const now = () => akari.clock.now().getTime();

  async function post(event: webhook.Event): Promise<void> {
    const body = callbackBody([event]);
    const res = await fetch(`${akari.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-line-signature': signBody(body, akari.channelSecret) },
      body,
    });
    if (!res.ok) throw new Error(`webhook answered ${res.status}: ${await res.text()}`);
    await akari.idle();
  }

  return {
    userId,
    say: (text: string) => post(textEvent({ userId, text, timestamp: now(), replyToken: platform.issueReplyToken(userId) })),
    tap: (data: string, displayText?: string) =>
      post(postbackEvent({ userId, data, timestamp: now(), replyToken: platform.issueReplyToken(userId) })).then(() => displayText),
    follow: () => post(followEvent({ userId, timestamp: now(), replyToken: platform.issueReplyToken(userId) })),
    async choose(option: ChatOption) {
      if (option.action.type === 'message') await this.say(option.action.text);
      else await this.tap(option.action.data, option.action.displayText);
    },
    async advanceClock(minutes: number): Promise<{ now: string; fired: number }> {
      const res = await fetch(`${akari.url}/local/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMinutes: minutes }),
      });
      if (!res.ok) throw new Error(`clock answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as { now: string; fired: number };
    },
  };
}

/** A message as terminal text (flex cards flattened to their texts), with its quick-reply options. */
export function describeMessage(message: unknown): { text: string; options: ChatOption[] } {
  const m = message as { type?: string; text?: string; altText?: string; contents?: unknown; quickReply?: { items?: Array<{ action?: ChatOption['action'] & { label?: string } }> } };
  let text = '';
  if (m.type === 'text') text = m.text ?? '';
  else if (m.type === 'flex') text = `［${m.altText ?? 'カード'}］\n${flexTexts(m.contents).join('\n')}`;
  else text = `［${m.type ?? 'message'}］`;
  const options = (m.quickReply?.items ?? [])
    .map((i) => i.action)
    .filter((a): a is NonNullable<typeof a> => Boolean(a && (a.type === 'message' || a.type === 'postback')))
    .map((a) => ({ label: a.label ?? '', action: a }));
  return { text, options };
}

function flexTexts(node: unknown): string[] {
  if (!node || typeof node !== 'object') return [];
  const n = node as { type?: string; text?: string; contents?: unknown; header?: unknown; body?: unknown; footer?: unknown };
  if (n.type === 'text' && typeof n.text === 'string') return [n.text];
  if (n.type === 'separator') return ['―――'];
  const children = [n.header, n.body, n.footer, ...(Array.isArray(n.contents) ? n.contents : [])];
  return children.flatMap((c) => flexTexts(c));
}
