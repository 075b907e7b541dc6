/**
 * @module Who may change what an event's attendance is derived from, and when: the organiser until
 * the course is closed or 30 days after the event (R-EVT-7), the CPO's tolerance from the day
 * after the event (R-ATT-2). Corrections, uploaded files and platform reports all ask here.
 */
import { deadlineAfter, romeDate, type InstantLike } from './calendar.ts';

/** R-EVT-7: the organiser closes the course within 30 days of the event. */
export const CLOSING_DAYS = 30;

/** R-ATT-2: the CPO may raise the tolerance up to 60 minutes. */
export const MAX_TOLERANCE_MINUTES = 60;

/**
 * Whether the organiser may still change the attendance of an event: not once the course is
 * closed, nor after the 30th day from its end (Europe/Rome, R-CAL-3); afterwards only the CPO (or
 * CN), with a recorded reason.
 *
 * @rule R-EVT-7
 * @example
 * organiserMayChange({ closedAt: null, end: Date.parse('2026-03-05T18:00:00+01:00') }, Date.parse('2026-04-04T23:00:00+02:00')) // → true
 */
export function organiserMayChange(event: { closedAt: InstantLike | null; end: InstantLike }, now: number): boolean {
  return !event.closedAt && now <= deadlineAfter(event.end, CLOSING_DAYS).getTime();
}

/**
 * Whether a tracking record counts towards outcomes and credits (R-EVT-7): once the course is
 * closed only the CPO (or CN) changes credits, so platform evidence that no one authored (the
 * ingest API, Zoom webhooks) received after the closing instant is kept (R-ATT-1) but does not
 * count. Authored records (corrections, uploaded files and reports, which after closing only
 * the CPO or CN may add) always count, as does anything received before closing.
 *
 * @rule R-EVT-7
 * @example
 * countsTowardsCredits({ receivedAt: Date.parse('2026-03-06T10:00:00Z'), author: null }, '2026-03-05T18:00:00Z') // → false
 */
export function countsTowardsCredits(record: { receivedAt?: number | null; author?: string | null }, closedAt: InstantLike | string | null): boolean {
  if (closedAt === null || record.author || record.receivedAt == null) return true;
  return record.receivedAt <= new Date(closedAt).getTime();
}

/** A course can be closed once it has ended, and only once (R-EVT-7). */
export function closingRefusal(event: { closedAt: InstantLike | null; end: InstantLike }, now: number): 'already-closed' | 'not-ended' | null {
  if (event.closedAt) return 'already-closed';
  if (now < new Date(event.end).getTime()) return 'not-ended';
  return null;
}

/**
 * Whether the CPO may change an event's tolerance now: from the day after the event on the Rome
 * calendar, also long after it; the change re-derives everyone's credits. The 60-minute cap is
 * `MAX_TOLERANCE_MINUTES` (checked by the request schema).
 *
 * @rule R-ATT-2
 */
export function toleranceChangeOpen(eventEnd: InstantLike, now: number): boolean {
  return romeDate(now) > romeDate(eventEnd);
}
