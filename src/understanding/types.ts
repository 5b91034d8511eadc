export type MissReason = 'hiddenNumber' | 'phoneRepair' | 'didNotNotice' | 'other';
export type JobKind = 'partTime' | 'fullTime' | 'other';
/** shop = store, restaurant, salon …; office = company, office. */
export type EmployerKind = 'shop' | 'office' | undefined;
export type ContactLeft = 'voicemail' | 'sms' | 'email' | 'none';

/** What one message tells us. A field is present only when the text says it. */
export interface Facts {
  daysElapsed?: number;
  callCount?: number;
  callCountIsApprox?: boolean;
  reasons?: MissReason[];
  employerName?: string;
  employerKind?: EmployerKind;
  jobKind?: JobKind;
  contactLeft?: ContactLeft[];
  contactPerson?: string;
  userName?: string;
  /** Minutes from midnight; a close after midnight is > 1440 ("18時~翌2時" → 1560). */
  businessHours?: { open: number; close: number };
  asksTooLate?: boolean;
  /** What the user saw of the caller's number (see caller.ts): it decides how to call back. */
  callerNumber?: 'hidden' | 'tollFree' | 'unknown';
}

export type Command =
  | 'help'
  | 'restart'
  | 'back'
  | 'stopNotifications'
  | 'resumeNotifications'
  | 'deleteData'
  | 'showProfile'
  | 'yes'
  | 'no'
  | 'skip';

/** A conversation stage, as the scenarios name them. */
export type StageName = string;
