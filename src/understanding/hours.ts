/**
 * Business hours from free Japanese text, as minutes from midnight.
 *
 * "11時から21時" → {660, 1260}; "10:00~19:00"; "朝9時から夜8時まで" → {540, 1200};
 * "10時半~19時"; "午前10時から午後7時"; "11~22時"; "十一時から九時" (→ 21:00, see below).
 * A closing time after midnight is given past 24:00: "18時~翌2時" → {1080, 1560}.
 * When the close reads earlier than the open and has no 午前/朝, the close is taken as
 * afternoon if that makes sense ("11時から9時" → 21:00), else as next day ("18時~2時" → 26:00).
 */
import { allMatches, normalize, parseJaNumber } from './normalize.ts';

export interface BusinessHours {
  open: number;
  close: number;
}

const KANJI_NUM = '[0-9〇一二三四五六七八九十]{1,3}';
const PREFIX = '(午前|午後|朝|昼|夕方|夕|夜|晩|深夜|夜中|翌日|翌)?';

function timeToken(): string {
  // groups: prefix, hour, colon-minutes, 時, 半, kanji-minutes
  return `${PREFIX}(${KANJI_NUM})(?::([0-9]{2})|(時)(?:(半)|(${KANJI_NUM})分)?)?`;
}

interface Time {
  minutes: number;
  marked: boolean; // 時 or :mm was written
  prefix: string | undefined;
}

function toTime(
  prefix: string | undefined,
  hourText: string | undefined,
  colonMin: string | undefined,
  ji: string | undefined,
  half: string | undefined,
  kanjiMin: string | undefined,
): Time | undefined {
  const hourValue = parseJaNumber(hourText ?? '');
  if (hourValue === undefined) return undefined;
  let hour = hourValue;
  let minute = 0;
  if (colonMin !== undefined) minute = Number(colonMin);
  else if (half !== undefined) minute = 30;
  else if (kanjiMin !== undefined) minute = parseJaNumber(kanjiMin) ?? -1;
  if (minute < 0 || minute > 59 || hour > 30) return undefined;
  switch (prefix) {
    case '午後':
    case '夕方':
    case '夕':
    case '夜':
    case '晩':
      if (hour <= 12) hour += 12;
      break;
    case '昼':
      if (hour < 6) hour += 12;
      break;
    case '深夜':
    case '夜中':
      if (hour < 6) hour += 24;
      else if (hour < 12) hour += 12;
      break;
    case '翌':
    case '翌日':
      if (hour < 12) hour += 24;
      break;
    default:
      break;
  }
  return { minutes: hour * 60 + minute, marked: colonMin !== undefined || ji !== undefined, prefix };
}

const HOURS_SEPARATOR = '\\s?(?:~|-|から|より|ー)\\s?';
const HOURS_RANGE = new RegExp(`${timeToken()}${HOURS_SEPARATOR}${timeToken()}`);

export function parseBusinessHours(text: string): BusinessHours | undefined {
  const t = normalize(text);
  for (const m of allMatches(HOURS_RANGE, t)) {
    const prev = t.slice(Math.max(0, m.index - 1), m.index);
    if (/[0-9/]/.test(prev)) continue; // part of a longer number or a date
    const after = t.slice(m.index + m[0].length);
    const open = toTime(m[1], m[2], m[3], m[4], m[5], m[6]);
    const close = toTime(m[7], m[8], m[9], m[10], m[11], m[12]);
    if (open === undefined || close === undefined) continue;
    if (!open.marked && !close.marked) continue; // "2-3" is not a time range
    if (!close.marked && /^[日回件度本月ヶか]/.test(after)) continue; // "6から7日", "2~3回"
    if (/^間/.test(after)) continue; // "1~2時間" is a duration
    if (open.minutes >= 24 * 60) continue;
    let closeMin = close.minutes;
    if (closeMin <= open.minutes) {
      const morning = close.prefix === '午前' || close.prefix === '朝';
      if (!morning && closeMin + 720 > open.minutes && closeMin + 720 <= 24 * 60) closeMin += 720;
      else closeMin += 24 * 60;
    }
    if (closeMin <= open.minutes || closeMin > 30 * 60) continue;
    return { open: open.minutes, close: closeMin };
  }
  return undefined;
}
