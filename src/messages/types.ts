// The subset of LINE message objects Akari sends. Plain objects, so builders stay pure and testable;
// they are checked against LINE's OpenAPI spec and limits in tests and by the local platform.
export type Action =
  | { type: 'message'; label: string; text: string }
  | { type: 'postback'; label: string; data: string; displayText?: string }
  | { type: 'uri'; label: string; uri: string };

export interface QuickReply {
  items: Array<{ type: 'action'; action: Action }>;
}

export interface TextMessage {
  type: 'text';
  text: string;
  quickReply?: QuickReply;
}

export interface FlexMessage {
  type: 'flex';
  altText: string;
  contents: Record<string, unknown>;
  quickReply?: QuickReply;
}

export type LineMessage = TextMessage | FlexMessage;
