/**
 * Events the runtime settles itself, around the machine: what comes from a group or a room, and a
 * message the user unsent. Pure helpers; the runtime stores what they return.
 */
import type { MessageDetails } from '../store/ports.ts';

type Payload = { type?: unknown; source?: { type?: unknown }; unsend?: { messageId?: unknown }; message?: { id?: unknown } };

/** 'group' or 'room' for an event from a shared chat, 'user' for a one-to-one chat. */
export function chatKindOf(payload: unknown): 'user' | 'group' | 'room' | undefined {
  const t = (payload as Payload | null)?.source?.type;
  return t === 'user' || t === 'group' || t === 'room' ? t : undefined;
}

/** The LINE message id an `unsend` event names. */
export function unsentMessageIdOf(payload: unknown): string | undefined {
  const p = payload as Payload | null;
  return p?.type === 'unsend' && typeof p.unsend?.messageId === 'string' ? p.unsend.messageId : undefined;
}

export function messageIdOf(payload: unknown): string | undefined {
  const p = payload as Payload | null;
  return p?.type === 'message' && typeof p.message?.id === 'string' ? p.message.id : undefined;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The details of the profile one turn changed: each field's value before and after it. */
export function profileChanges(before: unknown, after: unknown): MessageDetails | undefined {
  const b = (before && typeof before === 'object' ? before : {}) as Record<string, unknown>;
  const a = (after && typeof after === 'object' ? after : {}) as Record<string, unknown>;
  const profile: MessageDetails['profile'] = {};
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (same(b[key], a[key])) continue;
    profile[key] = { ...(b[key] !== undefined ? { before: b[key] } : {}), ...(a[key] !== undefined ? { after: a[key] } : {}) };
  }
  return Object.keys(profile).length > 0 ? { profile } : undefined;
}

/**
 * The profile without what an unsent message gave it. A field still holding the value that message
 * set goes back to what it was before (or is removed); a list loses the items that message added.
 * A field changed since (by a later message or an edit) is the user's newer word, and stays.
 */
export function withoutMessageDetails(profile: Record<string, unknown>, details: MessageDetails): { profile: Record<string, unknown>; forgotten: string[] } {
  const next = { ...profile };
  const forgotten: string[] = [];
  for (const [key, change] of Object.entries(details.profile)) {
    const current = next[key];
    if (Array.isArray(current) && (Array.isArray(change.after) || change.after === undefined)) {
      const added = (Array.isArray(change.after) ? change.after : []).filter((item) => !(Array.isArray(change.before) ? change.before : []).some((old) => same(old, item)));
      if (added.length === 0) continue;
      const kept = current.filter((item) => !added.some((gone) => same(gone, item)));
      if (kept.length === current.length) continue;
      if (kept.length > 0) next[key] = kept;
      else delete next[key];
      forgotten.push(key);
      continue;
    }
    if (!same(current, change.after)) continue;
    if (change.before === undefined) delete next[key];
    else next[key] = change.before;
    forgotten.push(key);
  }
  return { profile: next, forgotten };
}
