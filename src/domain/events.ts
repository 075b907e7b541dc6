/**
 * @module Event definition rules (R-EVT-1, R-EVT-2, R-EVT-3, R-EVT-4, R-EVT-6, R-CAL-6, R-ATT-2): validation of a new event
 * against its organiser and the clock, accreditation status with silence as consent. Pure:
 * imports only other domain modules; instants are ISO strings with offset or epoch ms.
 */
import { deadlineAfter, romeDate, type InstantLike } from './calendar.ts';
import { isProvinceCode } from './provinces.ts';
import { STRUCTURED_PATH_RULES } from './structured-path.ts';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

export type OrganiserKind = 'a' | 'b' | 'c' | 'd' | 'e';

/** An instant as ISO 8601 text with offset, or epoch milliseconds. */
export type InstantInput = string | number;

/** What the rules need to know about the organiser (R-EVT-2). */
export interface OrganiserProfile {
  kind: OrganiserKind;
  /** Kind a: the CPO's own province. */
  province?: string | null;
  /** Kind e: authorisation validity, Rome calendar dates `YYYY-MM-DD`, inclusive. */
  authorisedFrom?: string | null;
  authorisedUntil?: string | null;
  /** Kind e: modes the CN authorised. */
  allowedModes?: readonly string[] | null;
}

export interface TopicDraft {
  start: InstantInput;
  end: InstantInput;
  deontology: boolean;
}

export interface FractionDraft {
  start: InstantInput;
  end: InstantInput;
  credits: number;
  /** A session of a structured path with full scientific autonomy (R-EVT-6). */
  autonomous?: boolean;
}

/** An event as the organiser submits it (R-EVT-1); the API schema `EventCreate` satisfies it. */
export interface EventDraft {
  cpoProvince: string;
  mode: string;
  venueProvince?: string | null;
  topics: readonly TopicDraft[];
  start: InstantInput;
  end: InstantInput;
  credits: number;
  fractionable: boolean;
  fractions?: readonly FractionDraft[] | null;
  /** Absent: the default (R-ATT-2). */
  toleranceMinutes?: number | null;
  regionWide?: boolean;
  /** A structured path (R-EVT-6): its sessions are the fractions. */
  structuredPath?: boolean;
}

/** One rule violation: stable code, JSON path into the draft, human message citing the rule. */
export interface EventViolation {
  code: EventViolationCode;
  path: string;
  message: string;
}

export type EventViolationCode =
  | 'invalid-instant'
  | 'end-not-after-start'
  | 'unknown-province'
  | 'topics-missing'
  | 'topic-end-not-after-start'
  | 'topic-outside-event'
  | 'topics-out-of-order'
  | 'topics-overlap'
  | 'invalid-credits'
  | 'credits-exceed-hours'
  | 'fractions-required'
  | 'fractions-not-allowed'
  | 'fraction-end-not-after-start'
  | 'fractions-not-covering'
  | 'fractions-not-contiguous'
  | 'fraction-credits-exceed-hours'
  | 'fraction-credits-mismatch'
  | 'fractions-overlap'
  | 'autonomous-fraction-outside-path'
  | 'structured-path-mode'
  | 'structured-path-sessions-required'
  | 'structured-path-too-short'
  | 'structured-path-single-day'
  | 'region-wide-not-webinar'
  | 'tolerance-out-of-range'
  | 'cpo-province-mismatch'
  | 'mode-not-authorised'
  | 'authorisation-not-valid'
  | 'accreditation-too-late'
  /** A change (R-CHG-1) that would move the event into the past. */
  | 'start-in-past';

export type AccreditationState = 'requested' | 'approved' | 'rejected';

// ---------------------------------------------------------------------------------------------
// Parameters (plain data; a policy profile may override them later, R-POL-1)
// ---------------------------------------------------------------------------------------------

export const EVENT_RULES = {
  /** R-ATT-2: default tolerance and the most an organiser may set; only the CPO goes higher. */
  defaultToleranceMinutes: 30,
  organiserMaxToleranceMinutes: 30,
  /** R-ATT-2: the CPO may raise it up to this, after the event. */
  cpoMaxToleranceMinutes: 60,
  /** R-EVT-3: accreditation requested at least this many calendar days before the event. */
  minNoticeDays: 20,
  /** R-EVT-3: the CPO answers within this many days (R-CAL-3), silence meaning consent. */
  decisionDays: 10,
} as const;

/**
 * Organiser kinds that accredit their own events, and those that request accreditation from the
 * CPO (R-EVT-2, R-EVT-3): CPO, CN and ENPACL bodies self-accredit; universities/public
 * administrations and CN-authorised bodies ask the CPO.
 */
export const SELF_ACCREDITING: Readonly<Record<OrganiserKind, boolean>> = { a: true, b: true, c: true, d: false, e: false };

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/**
 * Every rule violation of a new event, in a stable order; empty when the event may be created.
 * `now` is the request time (R-EVT-2 authorisation validity, R-EVT-3 notice).
 *
 * @example
 * validateEvent(draft, { kind: 'b' }, Date.now()) // → [] or [{ code: 'credits-exceed-hours', path: 'credits', … }]
 *
 * @rule R-EVT-1
 */
export function validateEvent(input: EventDraft, organiser: OrganiserProfile, now: InstantLike): EventViolation[] {
  const out: EventViolation[] = [];
  const add = (code: EventViolationCode, path: string, message: string) => out.push({ code, path, message });

  // R-EVT-1: the window.
  const start = toMs(input.start);
  const end = toMs(input.end);
  if (start === null) add('invalid-instant', 'start', 'start is not a valid instant');
  if (end === null) add('invalid-instant', 'end', 'end is not a valid instant');
  const window = start !== null && end !== null ? { start, end } : null;
  if (window && window.end <= window.start) add('end-not-after-start', 'end', 'the event must end after it starts (R-EVT-1)');
  const validWindow = window && window.end > window.start ? window : null;

  // R-EVT-1: provinces are among the 107.
  if (!isProvinceCode(input.cpoProvince)) add('unknown-province', 'cpoProvince', 'not one of the 107 province codes (R-EVT-1)');
  if (input.venueProvince != null && !isProvinceCode(input.venueProvince)) {
    add('unknown-province', 'venueProvince', 'not one of the 107 province codes (R-EVT-1)');
  }

  checkTopics(input.topics, validWindow, add);
  checkCredits(input, validWindow, add);
  checkFractions(input, validWindow, add);
  checkStructuredPath(input, add);

  // R-EVT-4: only a webinar can be opened to the whole region.
  if (input.regionWide && input.mode !== 'webinar') {
    add('region-wide-not-webinar', 'regionWide', 'only webinars can be opened to the whole region (R-EVT-4)');
  }

  // R-ATT-2: the organiser sets 0..30; raising it (up to 60) is the CPO's, after the event.
  const tol = input.toleranceMinutes;
  if (tol != null && !(Number.isInteger(tol) && tol >= 0 && tol <= EVENT_RULES.organiserMaxToleranceMinutes)) {
    add(
      'tolerance-out-of-range',
      'toleranceMinutes',
      `the organiser may set 0..${EVENT_RULES.organiserMaxToleranceMinutes} minutes; only the CPO may raise it, up to ${EVENT_RULES.cpoMaxToleranceMinutes}, from the day after the event (R-ATT-2)`,
    );
  }

  checkOrganiser(input, organiser, now, start, add);
  return out;
}

type Add = (code: EventViolationCode, path: string, message: string) => void;

/** R-EVT-1: topics in order, each inside the event, not overlapping. */
function checkTopics(topics: readonly TopicDraft[], window: { start: number; end: number } | null, add: Add) {
  if (topics.length === 0) {
    add('topics-missing', 'topics', 'an event lists its topics in order (R-EVT-1)');
    return;
  }
  let prev: { start: number; end: number; i: number } | null = null;
  topics.forEach((t, i) => {
    const s = toMs(t.start);
    const e = toMs(t.end);
    if (s === null) add('invalid-instant', `topics.${i}.start`, 'not a valid instant');
    if (e === null) add('invalid-instant', `topics.${i}.end`, 'not a valid instant');
    if (s === null || e === null) return;
    if (e <= s) {
      add('topic-end-not-after-start', `topics.${i}.end`, 'a topic must end after it starts (R-EVT-1)');
      return;
    }
    if (window && (s < window.start || e > window.end)) {
      add('topic-outside-event', `topics.${i}`, 'a topic must lie inside the event (R-EVT-1)');
    }
    if (prev) {
      if (s < prev.start) add('topics-out-of-order', `topics.${i}.start`, `topic ${i} starts before topic ${prev.i}: topics are listed in order (R-EVT-1)`);
      else if (s < prev.end) add('topics-overlap', `topics.${i}.start`, `topic ${i} starts before topic ${prev.i} ends (R-EVT-1)`);
    }
    prev = { start: s, end: e, i };
  });
}

/**
 * Whole credits, 1 hour = 1 credit, never more than the event's whole hours.
 *
 * @rule R-CAL-6
 */
function checkCredits(input: EventDraft, window: { start: number; end: number } | null, add: Add) {
  if (!(Number.isInteger(input.credits) && input.credits > 0)) {
    add('invalid-credits', 'credits', 'credits are a positive whole number (R-CAL-6)');
    return;
  }
  if (window) {
    const hours = wholeHours(window);
    if (input.credits > hours) {
      add('credits-exceed-hours', 'credits', `${input.credits} credits for an event of ${hours} whole hour(s): 1 hour = 1 credit (R-CAL-6)`);
    }
  }
}

/**
 * R-EVT-1, R-ATT-5: fractions only on fractionable events and required there; contiguous, in
 * order, covering [start, end] exactly; credits summing to the event's, each at most its whole
 * hours (R-CAL-6).
 */
function checkFractions(input: EventDraft, window: { start: number; end: number } | null, add: Add) {
  const fractions = input.fractions ?? [];
  if (!input.fractionable) {
    if (fractions.length) add('fractions-not-allowed', 'fractions', 'only a fractionable event has fractions (R-ATT-4)');
    return;
  }
  if (!fractions.length) {
    add('fractions-required', 'fractions', 'a fractionable event lists its fractions (R-ATT-5)');
    return;
  }
  const spans: Array<{ start: number; end: number } | null> = fractions.map((f, i) => {
    const s = toMs(f.start);
    const e = toMs(f.end);
    if (s === null) add('invalid-instant', `fractions.${i}.start`, 'not a valid instant');
    if (e === null) add('invalid-instant', `fractions.${i}.end`, 'not a valid instant');
    if (s === null || e === null) return null;
    if (e <= s) {
      add('fraction-end-not-after-start', `fractions.${i}.end`, 'a fraction must end after it starts (R-ATT-5)');
      return null;
    }
    const f0 = fractions[i]!;
    if (!(Number.isInteger(f0.credits) && f0.credits >= 0)) {
      add('invalid-credits', `fractions.${i}.credits`, 'fraction credits are a whole number ≥ 0 (R-CAL-6)');
    } else if (f0.credits > wholeHours({ start: s, end: e })) {
      add('fraction-credits-exceed-hours', `fractions.${i}.credits`, `${f0.credits} credits for ${wholeHours({ start: s, end: e })} whole hour(s) (R-CAL-6)`);
    }
    return { start: s, end: e };
  });
  const first = spans[0];
  const last = spans[spans.length - 1];
  if (window && first && first.start !== window.start) {
    add('fractions-not-covering', 'fractions.0.start', 'the first fraction starts when the event starts (R-ATT-5)');
  }
  if (window && last && last.end !== window.end) {
    add('fractions-not-covering', `fractions.${spans.length - 1}.end`, 'the last fraction ends when the event ends (R-ATT-5)');
  }
  for (let i = 1; i < spans.length; i++) {
    const a = spans[i - 1];
    const b = spans[i];
    if (!a || !b) continue;
    // A structured path's sessions are days apart (R-EVT-6): gaps allowed, overlaps not.
    if (input.structuredPath) {
      if (b.start < a.end)
        add('fractions-overlap', `fractions.${i}.start`, `session ${i} starts before session ${i - 1} ends: sessions are in order, not overlapping (R-EVT-6)`);
    } else if (b.start !== a.end) {
      add(
        'fractions-not-contiguous',
        `fractions.${i}.start`,
        `fraction ${i} must start exactly when fraction ${i - 1} ends: no gaps, no overlaps, in order (R-ATT-5)`,
      );
    }
  }
  const sum = fractions.reduce((acc, f) => acc + (Number.isFinite(f.credits) ? f.credits : 0), 0);
  if (Number.isInteger(input.credits) && sum !== input.credits) {
    add('fraction-credits-mismatch', 'fractions', `fraction credits sum to ${sum}, the event grants ${input.credits} (R-ATT-5)`);
  }
}

/**
 * R-EVT-6: a structured path is held in person or mixed, lists its sessions as the fractions of a
 * fractionable event (in order, gaps between days allowed), lasts more than 20 hours in all
 * (sessions only) and spans several Europe/Rome days (R-CAL-2). Only a path's sessions can have
 * full scientific autonomy.
 */
function checkStructuredPath(input: EventDraft, add: Add) {
  const fractions = input.fractions ?? [];
  if (!input.structuredPath) {
    fractions.forEach((f, i) => {
      if (f.autonomous)
        add('autonomous-fraction-outside-path', `fractions.${i}.autonomous`, 'only the sessions of a structured path have full scientific autonomy (R-EVT-6)');
    });
    return;
  }
  if (!STRUCTURED_PATH_RULES.modes.includes(input.mode)) {
    add('structured-path-mode', 'mode', `a structured path is held in person or mixed, not ${input.mode} (R-EVT-6)`);
  }
  if (!input.fractionable) {
    add('structured-path-sessions-required', 'fractionable', 'a structured path lists its sessions as the fractions of a fractionable event (R-EVT-6)');
    return;
  }
  if (fractions.length === 0) return; // fractions-required
  const spans = fractions.map((f) => ({ start: toMs(f.start), end: toMs(f.end) }));
  if (spans.some((s) => s.start === null || s.end === null || s.end <= s.start)) return; // reported by checkFractions
  const valid = spans as Array<{ start: number; end: number }>;
  const total = valid.reduce((sum, s) => sum + (s.end - s.start), 0);
  if (total <= STRUCTURED_PATH_RULES.minHoursExclusive * HOUR) {
    add(
      'structured-path-too-short',
      'fractions',
      `the sessions last ${Math.floor(total / MINUTE)} minutes in all: a structured path lasts more than ${STRUCTURED_PATH_RULES.minHoursExclusive} hours (R-EVT-6)`,
    );
  }
  const first = romeDate(Math.min(...valid.map((s) => s.start)));
  const last = romeDate(Math.max(...valid.map((s) => s.end)) - 1);
  if (first === last)
    add('structured-path-single-day', 'fractions', `every session is on ${first}: a structured path spans several days (R-EVT-6, Europe/Rome)`);
}

/**
 * R-EVT-2 (organiser kinds: a CPO accredits in its province, a kind-e body only the modes it is
 * authorised for, while its authorisation is valid) and R-EVT-3 (20 days' notice for requested
 * accreditations).
 *
 * @rule R-EVT-2
 */
function checkOrganiser(input: EventDraft, organiser: OrganiserProfile, now: InstantLike, start: number | null, add: Add) {
  if (organiser.kind === 'a' && organiser.province && input.cpoProvince.toUpperCase() !== organiser.province.toUpperCase()) {
    add('cpo-province-mismatch', 'cpoProvince', `a CPO accredits its own events: cpoProvince must be ${organiser.province} (R-EVT-2)`);
  }
  const today = romeDate(now);
  if (organiser.kind === 'e') {
    if (!(organiser.allowedModes ?? []).includes(input.mode)) {
      add('mode-not-authorised', 'mode', `the organiser is not authorised for ${input.mode} events (R-EVT-2)`);
    }
    const from = organiser.authorisedFrom;
    const until = organiser.authorisedUntil;
    if (!from || !until || today < from || today > until) {
      add('authorisation-not-valid', '', `the organiser's authorisation is not valid on ${today} (R-EVT-2)`);
    }
  }
  if (!SELF_ACCREDITING[organiser.kind] && start !== null) {
    const notice = calendarDaysBetween(today, romeDate(start));
    if (notice < EVENT_RULES.minNoticeDays) {
      add(
        'accreditation-too-late',
        'start',
        `accreditation is requested at least ${EVENT_RULES.minNoticeDays} days before the event; the event starts ${notice} day(s) after today (R-EVT-3)`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Accreditation (R-EVT-2, R-EVT-3)
// ---------------------------------------------------------------------------------------------

/** The stored status of a new event: self-accrediting kinds are approved at creation. */
export function initialAccreditation(kind: OrganiserKind): AccreditationState {
  return SELF_ACCREDITING[kind] ? 'approved' : 'requested';
}

/** End of the CPO's time to answer a request made at `requestedAt` (R-EVT-3, R-CAL-3). */
export function accreditationDeadline(requestedAt: InstantLike): Date {
  return deadlineAfter(requestedAt, EVENT_RULES.decisionDays);
}

/**
 * The effective accreditation status (R-EVT-3): a request the CPO has not answered by the end of
 * the 10th day (R-CAL-3) is approved by silence.
 *
 * The 20 days' notice of a request is checked when the event is created (`validateEvent`).
 *
 * @example accreditationStatus({ status: 'requested', requestedAt: '2026-03-05T15:00:00Z' }, Date.parse('2026-03-16T00:00:00+01:00')) // → 'approved'
 *
 * @rule R-EVT-3
 */
export function accreditationStatus(event: { status: AccreditationState; requestedAt: InstantLike | string }, now: InstantLike): AccreditationState {
  if (event.status !== 'requested') return event.status;
  return approvedBySilence(event.requestedAt, now) ? 'approved' : 'requested';
}

/** Whether the CPO's time to answer has run out (R-EVT-3): afterwards the request stands approved. */
export function approvedBySilence(requestedAt: InstantLike | string, now: InstantLike): boolean {
  const req = typeof requestedAt === 'string' ? Date.parse(requestedAt) : requestedAt;
  const t = typeof now === 'number' ? now : now.getTime();
  return t > accreditationDeadline(req).getTime();
}

/** Why an organiser may no longer change an event, or null while it may (R-CHG-1). */
export type NotEditable = 'event-started' | 'accreditation-decided';

/**
 * An organiser changes an event until it starts, and while the CPO has not decided on it: an
 * accredited (or rejected) event is the one the CPO decided on, and a request approved by
 * silence counts as decided (R-EVT-3). Events accredited by right (kinds a–c) change until they
 * start. The gateway's own rule (README, "Changing an event").
 * @rule R-CHG-1
 */
export function whyNotEditable(
  e: { organiserKind: OrganiserKind; start: InstantLike | string; accreditation: { status: AccreditationState; requestedAt: InstantLike | string } },
  now: InstantLike,
): NotEditable | null {
  const t = typeof now === 'number' ? now : now.getTime();
  const start = typeof e.start === 'string' ? Date.parse(e.start) : typeof e.start === 'number' ? e.start : e.start.getTime();
  if (t >= start) return 'event-started';
  if (initialAccreditation(e.organiserKind) === 'requested' && accreditationStatus(e.accreditation, now) !== 'requested') return 'accreditation-decided';
  return null;
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/**
 * Minutes of deontology topics inside [start, end] (e.g. the event or one fraction), clipped;
 * whole minutes, rounded down after summing.
 */
export function deontologyMinutes(topics: readonly TopicDraft[], start: InstantInput, end: InstantInput): number {
  const s = toMs(start);
  const e = toMs(end);
  if (s === null || e === null) throw new RangeError('deontologyMinutes: invalid window');
  let ms = 0;
  for (const t of topics) {
    if (!t.deontology) continue;
    const a = toMs(t.start);
    const b = toMs(t.end);
    if (a === null || b === null) continue;
    const lo = Math.max(a, s);
    const hi = Math.min(b, e);
    if (hi > lo) ms += hi - lo;
  }
  return Math.floor(ms / MINUTE);
}

/** Whole hours of a span (R-CAL-6: 1 hour = 1 credit; a part hour earns nothing). */
export function wholeHours(span: { start: number; end: number }): number {
  return Math.floor((span.end - span.start) / HOUR);
}

function toMs(v: InstantInput): number | null {
  const t = typeof v === 'number' ? v : Date.parse(v);
  return Number.isFinite(t) ? t : null;
}

/** Days from one calendar date to another (`YYYY-MM-DD`); calendar dates have no DST. */
function calendarDaysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
}
