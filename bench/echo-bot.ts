// The baseline for `npm run bench`: the smallest LINE bot one can write with @line/bot-sdk, in the
// shape of the SDK's own echo example. An express app verifies the signature with the SDK
// middleware on POST /callback, answers every text message with the same text through
// MessagingApiClient.replyMessage, and only then acknowledges the webhook (as the example does).
// It keeps nothing: no inbox, no ordering, no retries, so it is the floor Akari is measured against.
import express from 'express';
import type { Express, RequestHandler } from 'express';
import { messagingApi, middleware } from '@line/bot-sdk';
import type { webhook } from '@line/bot-sdk';

export interface EchoBotConfig {
  channelSecret: string;
  channelAccessToken: string;
  /** Where the Messaging API lives (the fake LINE API in the benchmark). */
  apiBaseUrl: string;
}

export function createEchoBot(config: EchoBotConfig): Express {
  const client = new messagingApi.MessagingApiClient({
    channelAccessToken: config.channelAccessToken,
    baseURL: config.apiBaseUrl,
  });

  const handleEvent = async (event: webhook.Event): Promise<messagingApi.ReplyMessageResponse | null> => {
    if (event.type !== 'message' || event.message.type !== 'text' || !event.replyToken) return null;
    const echo: messagingApi.TextMessage = { type: 'text', text: event.message.text };
    return client.replyMessage({ replyToken: event.replyToken, messages: [echo] });
  };

  const app = express();
  app.post('/callback', middleware({ channelSecret: config.channelSecret }) as unknown as RequestHandler, (req, res) => {
    const body = req.body as webhook.CallbackRequest;
    Promise.all(body.events.map(handleEvent))
      .then((result) => res.json(result))
      .catch((err: unknown) => {
        console.error(err);
        res.status(500).end();
      });
  });
  return app;
}
