/** extractFacts: everything the understanding functions can read from one message. */
import type { Facts } from './types.ts';
import { normalize } from './normalize.ts';
import { parseDays } from './days.ts';
import { parseCount } from './count.ts';
import { parseBusinessHours } from './hours.ts';
import { asksTooLate, findJobKind, findReasons } from './reasons.ts';
import { findContactLeft } from './contact.ts';
import { findCallerNumber } from './caller.ts';
import { findEmployerKind, findEmployerName } from './employer.ts';
import { findContactPerson, findUserName } from './people.ts';

export function extractFacts(text: string, options?: { now?: Date }): Facts {
  const t = normalize(text);
  const facts: Facts = {};
  if (t.length === 0) return facts;

  const days = parseDays(t, options);
  if (days !== undefined) facts.daysElapsed = days;

  const count = parseCount(t);
  if (count !== undefined) {
    facts.callCount = count.count;
    facts.callCountIsApprox = count.approx;
  }

  const reasons = findReasons(t);
  if (reasons.length > 0) facts.reasons = reasons;

  const employerName = findEmployerName(t);
  if (employerName !== undefined) facts.employerName = employerName;
  const employerKind = findEmployerKind(t, employerName);
  if (employerKind !== undefined) facts.employerKind = employerKind;

  const jobKind = findJobKind(t);
  if (jobKind !== undefined) facts.jobKind = jobKind;

  const contactLeft = findContactLeft(t);
  if (contactLeft !== undefined) facts.contactLeft = contactLeft;

  const userName = findUserName(t);
  if (userName !== undefined) facts.userName = userName;
  const contactPerson = findContactPerson(t);
  if (contactPerson !== undefined && contactPerson !== userName) facts.contactPerson = contactPerson;

  const hours = parseBusinessHours(t);
  if (hours !== undefined) facts.businessHours = hours;

  const callerNumber = findCallerNumber(t);
  if (callerNumber !== undefined) facts.callerNumber = callerNumber;

  if (asksTooLate(t)) facts.asksTooLate = true;
  return facts;
}
