import type { ContactLeft, Facts, JobKind, MissReason } from '../../understanding/index.ts';
import { formatTokyo, toTokyoParts } from '../../time/tokyo.ts';

/** What Akari remembers about the user's case. Every field is optional: users may skip anything. */
export interface Profile {
  userName?: string;
  employerName?: string;
  employerKind?: 'shop' | 'office';
  contactPerson?: string;
  jobKind?: JobKind;
  daysElapsed?: number;
  callCount?: number;
  callCountApprox?: boolean;
  reasons?: MissReason[];
  contactLeft?: ContactLeft[];
  strengths?: string[];
  businessHours?: { open: number; close: number };
  /** What the user saw of the caller's number: hidden (cannot be called back), toll-free, or unknown. */
  callerNumber?: 'hidden' | 'tollFree' | 'unknown';
  wentWell?: string;
  toChange?: string;
  /** What a scenario's own questions and readers found (e.g. days since the interview), by name. */
  facts?: Record<string, number | string>;
}

/** Fields the user can see and change with 「登録内容」. */
export const EDITABLE_FIELDS = ['userName', 'employerName', 'contactPerson', 'jobKind', 'daysElapsed', 'callCount', 'reasons', 'contactLeft', 'businessHours', 'strengths'] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];

export const FIELD_LABELS: Record<EditableField, string> = {
  userName: 'お名前',
  employerName: '応募先',
  contactPerson: '担当の方',
  daysElapsed: '経過日数',
  callCount: '着信の回数',
  reasons: '出られなかった理由',
  contactLeft: '応募先からの伝言',
  businessHours: '営業時間',
  jobKind: '働き方',
  strengths: 'あなたの強み',
};

const REASON_LABELS: Record<MissReason, string> = {
  hiddenNumber: '非通知で出なかった',
  phoneRepair: '携帯を修理に出していた',
  didNotNotice: '着信に気づかなかった',
  other: 'その他',
};
const JOB_LABELS: Record<JobKind, string> = { partTime: 'アルバイト・パート', fullTime: '正社員', other: 'その他' };
const CONTACT_LABELS: Record<ContactLeft, string> = { voicemail: '留守番電話', sms: 'SMS', email: 'メール', none: 'なし' };

/**
 * Merges newly understood facts into the profile; a new value replaces an old one, except the
 * employer: once known, a name met in passing later ("〇〇店で働いている友だち") does not replace it
 * (changing it goes through 「応募先を変更」).
 */
export function mergeFacts(profile: Profile, facts: Facts): Profile {
  const next: Profile = { ...profile };
  if (facts.daysElapsed !== undefined) next.daysElapsed = facts.daysElapsed;
  if (facts.callCount !== undefined) {
    next.callCount = facts.callCount;
    next.callCountApprox = facts.callCountIsApprox ?? false;
  }
  if (facts.reasons?.length) next.reasons = [...new Set([...(profile.reasons ?? []).filter((r) => r !== 'other'), ...facts.reasons])];
  if (facts.employerName && !profile.employerName) next.employerName = facts.employerName;
  if (facts.callerNumber) next.callerNumber = facts.callerNumber;
  if (facts.employerKind) next.employerKind = facts.employerKind;
  if (facts.jobKind) next.jobKind = facts.jobKind;
  if (facts.contactLeft?.length) next.contactLeft = [...facts.contactLeft];
  if (facts.contactPerson) next.contactPerson = facts.contactPerson;
  if (facts.userName) next.userName = facts.userName;
  if (facts.businessHours) next.businessHours = { ...facts.businessHours };
  return next;
}

/**
 * A strength as the user typed it, turned into a noun phrase a keigo sentence can carry: the
 * plain form is never spoken to the employer as it is ("体力に自信がある" → "体力に自信があること",
 * "接客が得意です" → "接客が得意なこと", "笑顔" stays).
 */
export function asStrengthNoun(raw: string): string {
  const s = raw.trim().replace(/[。！!]+$/u, '');
  if (/(?:こと|事|点|力|性|経験|スキル|資格)$/u.test(s)) return s;
  const polite = s
    .replace(/(?:でした)$/u, 'だった')
    .replace(/(?:です)$/u, 'だ')
    .replace(/あります$/u, 'ある')
    .replace(/できます$/u, 'できる')
    .replace(/います$/u, 'いる')
    .replace(/ます$/u, 'る');
  if (/だ$/u.test(polite)) return `${polite.slice(0, -1)}${/[\u3040-\u309F]い$/u.test(polite.slice(0, -1)) ? '' : 'な'}こと`;
  if (/(?:る|た|い|う|く|す|つ|ぬ|む|ぶ|ぐ)$/u.test(polite)) return `${polite}こと`;
  return polite;
}

const hm = (minutes: number) => `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;
export const formatHours = (h: { open: number; close: number }) => `${hm(h.open)}〜${hm(h.close)}`;

function daysPhrase(days: number | undefined): string {
  if (days === undefined) return '数日';
  if (days <= 0) return '今日';
  if (days === 1) return '1日';
  if (days === 7) return '1週間';
  if (days === 14) return '2週間';
  return `${days}日`;
}

/** The reason in one sentence, in business keigo, for the apology and the scripts (spoken). */
function reasonSentence(reasons: MissReason[] | undefined, spokenRef: string): string {
  const r = new Set(reasons ?? []);
  if (r.has('phoneRepair') && r.has('hiddenNumber'))
    return `携帯電話を修理に出していた間、番号が表示されないお電話には出られず、${spokenRef}からのお電話だと気づけませんでした。`;
  if (r.has('phoneRepair')) return '携帯電話を修理に出しており、お電話に気づくのが遅れてしまいました。';
  if (r.has('hiddenNumber')) return `番号が表示されないお電話には出ないようにしていたため、${spokenRef}からのお電話だと気づけませんでした。`;
  if (r.has('didNotNotice')) return '私の確認が行き届かず、着信に気づくのが遅れてしまいました。';
  return '私の確認が行き届かず、お電話に出ることができませんでした。';
}

const SEASON: Record<number, string> = {
  1: '厳寒の候', 2: '余寒の候', 3: '早春の候', 4: '春暖の候', 5: '新緑の候', 6: '梅雨の候',
  7: '盛夏の候', 8: '残暑の候', 9: '初秋の候', 10: '秋冷の候', 11: '晩秋の候', 12: '師走の候',
};

/** Blanks that show clearly what the user still has to fill in, never "undefined". */
export const BLANKS = {
  userName: '（お名前）',
  employerName: '〇〇株式会社',
  shopName: '〇〇店',
  contactPerson: '〇〇',
} as const;

/**
 * Every placeholder a flow text may use, computed from the profile. `now` is the event's time
 * (the machine has no clock). The list of keys is what the content check accepts.
 */
export function placeholderValues(profile: Profile, now: Date, extra: Record<string, string> = {}): Record<string, string> {
  const shop = profile.employerKind === 'shop';
  // On the phone a shop is そちらのお店 and a company 御社; in writing 貴店 / 貴社.
  const spokenRef = shop ? 'そちらのお店' : '御社';
  const writtenRef = shop ? '貴店' : '貴社';
  const strengths = profile.strengths ?? [];
  const count = profile.callCount;
  const parts = toTokyoParts(now);
  return {
    userName: profile.userName ?? BLANKS.userName,
    // A shop's blank is a shop's ("〇〇店"), not a company's.
    employerName: profile.employerName ?? (shop ? BLANKS.shopName : BLANKS.employerName),
    contactPerson: profile.contactPerson ?? BLANKS.contactPerson,
    contactPersonSama: profile.contactPerson ? `採用ご担当の${profile.contactPerson}様` : '採用ご担当の方',
    contactPersonLine: profile.contactPerson ? `採用ご担当　${profile.contactPerson}様` : '採用ご担当者様',
    employerShort: profile.employerName ?? '応募先',
    employerRef: spokenRef,
    employerRefWritten: writtenRef,
    interviewPhrase: profile.jobKind === 'partTime' ? 'アルバイトの面接' : profile.jobKind === 'fullTime' ? '正社員の採用面接' : '面接',
    days: profile.daysElapsed !== undefined ? String(profile.daysElapsed) : '〇',
    daysPhrase: daysPhrase(profile.daysElapsed),
    callsPhrase: count !== undefined && count >= 2 ? '何度もお電話をいただいていたにもかかわらず' : 'お電話をいただいていたにもかかわらず',
    reasonSentence: reasonSentence(profile.reasons, spokenRef),
    channelSentence: '着信をこまめに確認いたします。',
    strengthSentence: strengths.length
      ? `${asStrengthNoun(strengths[0]!)}を活かして、${spokenRef}でお役に立ちたいと考えております。`
      : `${spokenRef}で働きたいという気持ちは変わっておりません。`,
    strengths: strengths.length ? strengths.map((s) => `「${s}」`).join('、') : '（まだありません）',
    hours: profile.businessHours ? formatHours(profile.businessHours) : '（営業時間）',
    seasonGreeting: SEASON[parts.month] ?? '時下',
    dateLine: `${parts.year}年${parts.month}月${parts.day}日`,
    wentWell: profile.wentWell ?? '（未記入）',
    toChange: profile.toChange ?? '（未記入）',
    today: formatTokyo(now, 'date'),
    ...extra,
  };
}

/** Placeholders filled per message by the machine (times, counts, lists). */
export const EXTRA_PLACEHOLDERS = [
  'summary',
  'reasonAcknowledgement',
  'contactNote',
  'windowEnd',
  'nextWindow',
  'reminderAt',
  'checkInAt',
  'recapAt',
  'tickedCount',
  'totalCount',
  'checklist',
  'fieldLabel',
] as const;

export const PLACEHOLDERS: readonly string[] = [...Object.keys(placeholderValues({}, new Date(0))), ...EXTRA_PLACEHOLDERS];

/** 「登録内容」: one line per remembered field, with blanks where nothing is known. */
export function describeProfile(profile: Profile): string {
  const line = (label: string, value: string | undefined) => `・${label}：${value ?? '未登録'}`;
  return [
    line('お名前', profile.userName),
    line('応募先', profile.employerName),
    line('担当の方', profile.contactPerson ? `${profile.contactPerson}様` : undefined),
    line('働き方', profile.jobKind ? JOB_LABELS[profile.jobKind] : undefined),
    line('経過日数', profile.daysElapsed !== undefined ? daysPhrase(profile.daysElapsed) : undefined),
    line('着信の回数', profile.callCount !== undefined ? `${profile.callCount}回${profile.callCountApprox ? '以上' : ''}` : undefined),
    line('出られなかった理由', profile.reasons?.length ? profile.reasons.map((r) => REASON_LABELS[r]).join('・') : undefined),
    line('応募先からの伝言', profile.contactLeft?.length ? profile.contactLeft.map((c) => CONTACT_LABELS[c]).join('・') : undefined),
    line('営業時間', profile.businessHours ? formatHours(profile.businessHours) : undefined),
    line('あなたの強み', profile.strengths?.length ? profile.strengths.join('、') : undefined),
  ].join('\n');
}

/** Short summary after the situation questions. */
export function summarizeSituation(profile: Profile): string {
  const bits: string[] = [];
  if (profile.daysElapsed !== undefined) bits.push(`・経過：${daysPhrase(profile.daysElapsed)}`);
  if (profile.reasons?.length) bits.push(`・理由：${profile.reasons.map((r) => REASON_LABELS[r]).join('・')}`);
  if (profile.callCount !== undefined) bits.push(`・着信：${profile.callCount}回${profile.callCountApprox ? '以上' : ''}`);
  if (profile.employerName) bits.push(`・応募先：${profile.employerName}`);
  if (profile.jobKind) bits.push(`・働き方：${JOB_LABELS[profile.jobKind]}`);
  if (profile.contactLeft?.length) bits.push(`・伝言：${profile.contactLeft.map((c) => CONTACT_LABELS[c]).join('・')}`);
  return bits.length ? bits.join('\n') : '・（まだ伺っていません）';
}

export { REASON_LABELS, JOB_LABELS };
