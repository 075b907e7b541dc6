/**
 * @module Reduction of the obligation, *riproporzionamento* (R-RED-1, R-RED-2, R-RED-3, R-RED-4, R-RED-5, R-RED-6, R-RED-7, R-RED-8): the amount of one cause
 * for a biennium, its deontology/ordinary split and validity, the sum of a biennium's causes under
 * the profile's ceiling, the filing windows, the procedure's deadlines and its state machine.
 *
 * Amounts are exact: b = 50/24 credits per month, so an amount is `roundRational(50 × months ×
 * pct…, 24 × 100…)` (R-CAL-4), never a float. Dates are Rome calendar dates `YYYY-MM-DD`; their
 * arithmetic runs on a zone without DST, like `calendar.ts` (R-CAL-2).
 */
import { DateTime } from 'luxon';
import { bienniumPeriod, monthsOfPeriod } from './calendar.ts';
import type { Policy } from './policy.ts';
import { roundRational } from './rational.ts';

// ---------------------------------------------------------------------------------------------
// Types and tables
// ---------------------------------------------------------------------------------------------

/**
 * Causes of R-RED-1 (art. 27 c.1, RC/BA §2), kebab-case codes of the API.
 * @rule R-RED-1
 */
export const REDUCTION_CAUSES = [
  'illness',
  'injury',
  'inability',
  'oncology',
  'hospitalisation',
  'convalescence',
  'disability',
  'invalidity',
  'maternity',
  'paternity',
  'adoption',
  'fostering',
  'military-recall',
  'civil-service',
  'volunteering',
  'civil-protection',
  'rescue',
  'law104',
  'age70',
  'force-majeure',
] as const;
export type ReductionCause = (typeof REDUCTION_CAUSES)[number];

/** What a cause's input looks like. */
export type ReductionInputKind = 'period' | 'degree' | 'birth' | 'arrival' | 'age';

/** The input of each cause (R-RED-2). */
export const CAUSE_INPUT_KIND = {
  illness: 'period',
  injury: 'period',
  inability: 'period',
  oncology: 'period',
  hospitalisation: 'period',
  convalescence: 'period',
  disability: 'degree',
  invalidity: 'degree',
  maternity: 'birth',
  paternity: 'birth',
  adoption: 'arrival',
  fostering: 'arrival',
  'military-recall': 'period',
  'civil-service': 'period',
  volunteering: 'period',
  'civil-protection': 'period',
  rescue: 'period',
  law104: 'period',
  age70: 'age',
  'force-majeure': 'period',
} as const satisfies Record<ReductionCause, ReductionInputKind>;

/** Share of b × months for the period causes, in % (R-RED-2: law 104 assistance 10%, the others 100%). */
export const PERIOD_CAUSE_PCT: Readonly<Partial<Record<ReductionCause, number>>> = Object.freeze({ law104: 10 });

/** Age bands of the age-70 reduction: from the month of the birthday of `fromAge`, `pct` % (R-RED-2). */
export const AGE70_BANDS: readonly { fromAge: number; pct: number }[] = Object.freeze([
  { fromAge: 70, pct: 30 },
  { fromAge: 74, pct: 40 },
  { fromAge: 78, pct: 50 },
]);

/** The age-70 reduction never exceeds this share of the biennium obligation, in % (R-RED-2, art. 27 c.3). */
export const AGE70_MAX_PCT = 50;

/** Deontology share of a reduction, in % (R-RED-4: 6/50 = 12%). */
export const DEONTOLOGY_PCT = 12;

/** Periods shorter than this many days (inclusive) are not an impediment (R-RED-3, RC/BA §3). */
export const MINIMUM_PERIOD_DAYS = 30;

/** "Within N days" of the filing windows (R-RED-8). */
export const FILING_DAYS = 30;

/** Credits of a full biennium (R-OBL-1), the base of b = 50/24 per month (R-RED-2). */
const BIENNIUM_CREDITS = 50;
const BIENNIUM_MONTHS = 24;

/** A period of an impediment, both ends inclusive. */
export interface PeriodInput {
  from: string;
  to: string;
}

/**
 * Invalidity or disability: the certified degree (whole %) and whether it is subject to review.
 * `to` may be left out: the condition then runs to the certificate's expiry (subject to review)
 * or indefinitely (not subject to review); in both cases only months inside the biennium count.
 */
export interface DegreeInput {
  from: string;
  to?: string | null;
  degreePct: number;
  subjectToReview: boolean;
  /** Required when `subjectToReview` (R-RED-6). */
  certificateExpiry?: string | null;
}

/** Maternity/paternity: the child's birth date (R-RED-2). */
export interface BirthInput {
  birthDate: string;
}

/** Adoption/fostering: the day the child arrived in the family (R-RED-2). */
export interface ArrivalInput {
  arrivalDate: string;
}

/** Age 70: the member's birth date (R-RED-2). */
export interface Age70Input {
  birthDate: string;
}

export interface ReductionInputByKind {
  period: PeriodInput;
  degree: DegreeInput;
  birth: BirthInput;
  arrival: ArrivalInput;
  age: Age70Input;
}

/** The input of cause `C`. */
export type ReductionInputOf<C extends ReductionCause> = ReductionInputByKind[(typeof CAUSE_INPUT_KIND)[C]];

/** A cause with its input, e.g. as stored with a request. */
export type ReductionRequest = { [C in ReductionCause]: { cause: C; input: ReductionInputOf<C> } }[ReductionCause];

export const REDUCTION_VALIDITIES = ['biennium', 'permanent', 'until-certificate-expiry'] as const;
export type ReductionValidity = (typeof REDUCTION_VALIDITIES)[number];

/** Why a cause gives no reduction (API codes). */
export const REDUCTION_REJECTIONS = ['invalid-input', 'period-shorter-than-30-days', 'outside-biennium'] as const;
export type ReductionRejection = (typeof REDUCTION_REJECTIONS)[number];

/** A reduction and its split (R-RED-4). */
export interface ReductionAmount {
  reduction: number;
  deontology: number;
  ordinary: number;
}

export interface ReductionOk extends ReductionAmount {
  ok: true;
  cause: ReductionCause;
  biennium: number;
  /** Months counted (R-CAL-5; whole months for age 70). */
  months: number;
  /** The impediment clipped to the biennium. */
  period: { from: string; to: string };
  validity: ReductionValidity;
  /** Last day of validity; null when permanent (R-RED-6). */
  validUntil: string | null;
  /** The computation in English, with its numbers. */
  explanation: string;
}

export interface ReductionRejected {
  ok: false;
  cause: string;
  rejected: ReductionRejection;
  message: string;
}

export type ReductionResult = ReductionOk | ReductionRejected;

export interface ReductionContext {
  /** First (odd) year of the biennium. */
  biennium: number;
  policy: Pick<Policy, 'maternityMonthsBefore'>;
  /** The member's biennium obligation (R-OBL-3), for the age-70 50% cap; default 50. */
  obligationTotal?: number;
}

// ---------------------------------------------------------------------------------------------
// Dates (calendar dates on a zone without DST, as calendar.ts)
// ---------------------------------------------------------------------------------------------

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(value: unknown): DateTime<true> | null {
  if (typeof value !== 'string' || !ISO_DATE.test(value)) return null;
  const dt = DateTime.fromISO(value, { zone: 'utc' });
  return dt.isValid ? dt : null;
}

function requireDate(value: unknown, what: string): DateTime<true> {
  const dt = parseDate(value);
  if (!dt) throw new RangeError(`${what} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return dt;
}

const isoOf = (dt: DateTime<true>): string => dt.toISODate();

/** The `days`-th calendar day after `date` (R-CAL-3 on dates: "within N days of X" ends that day). */
function plusDays(date: string, days: number, what = 'date'): string {
  return isoOf(requireDate(date, what).plus({ days }));
}

const minDate = (a: string, b: string): string => (a <= b ? a : b);
const maxDate = (a: string, b: string): string => (a >= b ? a : b);
const yearOfDate = (date: string): number => Number(date.slice(0, 4));

/** Days from `from` to `to`, both inclusive. */
function inclusiveDays(from: DateTime<true>, to: DateTime<true>): number {
  return Math.round(to.diff(from, 'days').days) + 1;
}

/** Running month index (year × 12 + month − 1). */
const monthIndex = (dt: DateTime<true>): number => dt.year * 12 + (dt.month - 1);

/** `num/den` as a decimal to 2 places (R-CAL-4 rounding), `≈` when inexact; for explanations only. */
function decimal(num: number, den: number): string {
  const hundredths = roundRational(num * 100, den);
  const exact = (BigInt(num) * 100n) % BigInt(den) === 0n;
  const whole = Math.trunc(hundredths / 100);
  const frac = String(hundredths % 100)
    .padStart(2, '0')
    .replace(/0+$/, '');
  return `${exact ? '' : '≈'}${whole}${frac ? `.${frac}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// One cause (R-RED-2, R-RED-3, R-RED-4, R-RED-6)
// ---------------------------------------------------------------------------------------------

/**
 * The split of a reduction (R-RED-4, RC/BA notes C and D): deontology = round(12% × reduction)
 * by R-CAL-4, ordinary = the rest. 6 → 0.72 → 1 deontology, 5 ordinary.
 * @rule R-RED-4
 */
export function splitReduction(reduction: number): ReductionAmount {
  if (!Number.isSafeInteger(reduction) || reduction < 0) throw new RangeError(`reduction must be a whole number ≥ 0, got ${reduction}`);
  const deontology = roundRational(reduction * DEONTOLOGY_PCT, 100);
  return { reduction, deontology, ordinary: reduction - deontology };
}

type Impediment = { ok: true; from: string; to: string | null; minimumApplies: boolean; describe: string } | ReductionRejected;

function rejected(cause: string, code: ReductionRejection, message: string): ReductionRejected {
  return { ok: false, cause, rejected: code, message };
}

/**
 * The impediment of a cause before clipping to a biennium (R-RED-2): `to` null when open-ended
 * (age 70; invalidity not subject to review with no end). Inputs are checked here, at run time,
 * because they come from requests: a bad one is rejected `invalid-input`, never thrown.
 */
export function impedimentPeriod<C extends ReductionCause>(
  cause: C,
  input: ReductionInputOf<C>,
  policy: Pick<Policy, 'maternityMonthsBefore'>,
): { ok: true; from: string; to: string | null } | ReductionRejected {
  const imp = impediment(cause, input, policy);
  return imp.ok ? { ok: true, from: imp.from, to: imp.to } : imp;
}

function impediment(cause: string, input: unknown, policy: Pick<Policy, 'maternityMonthsBefore'>): Impediment {
  if (!(REDUCTION_CAUSES as readonly string[]).includes(cause)) {
    return rejected(String(cause), 'invalid-input', `unknown cause ${JSON.stringify(cause)}`);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return rejected(cause, 'invalid-input', 'the input must be an object');
  }
  const rec = input as Record<string, unknown>;
  const bad = (message: string) => rejected(cause, 'invalid-input', message);
  const kind = CAUSE_INPUT_KIND[cause as ReductionCause];
  switch (kind) {
    case 'period': {
      const from = parseDate(rec.from);
      const to = parseDate(rec.to);
      if (!from || !to) return bad('from and to must be calendar dates YYYY-MM-DD');
      if (to < from) return bad(`the period ends before it starts: ${rec.from}..${rec.to}`);
      return { ok: true, from: isoOf(from), to: isoOf(to), minimumApplies: true, describe: `${isoOf(from)}..${isoOf(to)}` };
    }
    case 'degree': {
      const from = parseDate(rec.from);
      if (!from) return bad('from must be a calendar date YYYY-MM-DD');
      const degree = rec.degreePct;
      if (typeof degree !== 'number' || !Number.isSafeInteger(degree) || degree < 1 || degree > 100) {
        return bad(`degreePct must be a whole number from 1 to 100, got ${JSON.stringify(degree)}`);
      }
      if (typeof rec.subjectToReview !== 'boolean') return bad('subjectToReview must be true or false');
      let to: DateTime<true> | null = null;
      if (rec.to !== undefined && rec.to !== null) {
        to = parseDate(rec.to);
        if (!to) return bad('to must be a calendar date YYYY-MM-DD');
      }
      if (rec.subjectToReview) {
        const expiry = parseDate(rec.certificateExpiry);
        if (!expiry) return bad('certificateExpiry (YYYY-MM-DD) is required when the condition is subject to review');
        // R-RED-6: subject to review, the reduction lasts as long as the certificate, so does the period.
        to = to && to < expiry ? to : expiry;
      }
      if (to && to < from) return bad(`the period ends before it starts: ${isoOf(from)}..${isoOf(to)}`);
      const toIso = to ? isoOf(to) : null;
      return { ok: true, from: isoOf(from), to: toIso, minimumApplies: toIso !== null, describe: `${isoOf(from)}..${toIso ?? '(no end)'}` };
    }
    case 'birth': {
      const birth = parseDate(rec.birthDate);
      if (!birth) return bad('birthDate must be a calendar date YYYY-MM-DD');
      const before = policy.maternityMonthsBefore;
      if (!Number.isSafeInteger(before) || before < 0) throw new RangeError(`policy.maternityMonthsBefore must be a whole number ≥ 0, got ${before}`);
      // R-RED-2: from N months before the birth (N by profile: art. 27 c.4 2, RC/BA 3) to the
      // day before the first birthday (RED-13: the birthday itself would make 3 months 15 days).
      const from = isoOf(birth.minus({ months: before }));
      const to = isoOf(birth.plus({ years: 1 }).minus({ days: 1 }));
      return {
        ok: true,
        from,
        to,
        minimumApplies: false,
        describe: `${before} months before the birth on ${isoOf(birth)} to the day before the first birthday, ${from}..${to}`,
      };
    }
    case 'arrival': {
      const arrival = parseDate(rec.arrivalDate);
      if (!arrival) return bad('arrivalDate must be a calendar date YYYY-MM-DD');
      // R-RED-2, art. 27 c.5: one year from the arrival, to the day before its anniversary.
      const to = isoOf(arrival.plus({ years: 1 }).minus({ days: 1 }));
      return {
        ok: true,
        from: isoOf(arrival),
        to,
        minimumApplies: false,
        describe: `one year from the arrival on ${isoOf(arrival)}, ${isoOf(arrival)}..${to}`,
      };
    }
    case 'age': {
      const birth = parseDate(rec.birthDate);
      if (!birth) return bad('birthDate must be a calendar date YYYY-MM-DD');
      // R-RED-2: the month of the 70th birthday counts whole.
      const from = isoOf(birth.plus({ years: 70 }).startOf('month'));
      return { ok: true, from, to: null, minimumApplies: false, describe: `from ${from.slice(0, 7)}, the month of the 70th birthday` };
    }
  }
}

/**
 * The reduction of one cause for a biennium (R-RED-2, R-RED-3, R-RED-4, R-RED-6). The impediment is clipped to the
 * biennium and its months counted by R-CAL-5 (age 70: whole months from the birthday's month);
 * the amount is rounded on its own (R-CAL-4), then split (R-RED-4).
 *
 * - `period-shorter-than-30-days`: the documented period, as a whole and before clipping, is
 *   shorter than 30 days inclusive (R-RED-3: "periodi certificati uguali o superiori a 30 giorni";
 *   BA FAQ: the event counts in its totality). Not applied to birth/arrival/age causes, whose
 *   periods are fixed by the rule.
 * - `outside-biennium`: no day of the impediment falls in the biennium. A clipped part shorter
 *   than half a month is not rejected: it counts 0 months, a reduction of 0.
 * - `invalid-input`: malformed or inconsistent input.
 *
 * Age 70: 30% / 40% / 50% from the month of the 70th / 74th / 78th birthday (a band change
 * applies from that month, RED-07), then at most 50% of `obligationTotal` (art. 27 c.3), that cap
 * rounded by R-CAL-4. Validity (R-RED-6): permanent for age 70 and for invalidity/disability not
 * subject to review; until the certificate's expiry for those subject to review; otherwise the
 * biennium (valid until 31 December of its second year).
 *
 * Throws `RangeError` only for a bad context (biennium not odd, obligationTotal not 0..50).
 *
 * @example computeReduction('illness', { from: '2026-03-01', to: '2026-05-31' }, { biennium: 2025, policy })
 *   // → { ok: true, reduction: 6, deontology: 1, ordinary: 5, months: 3, … }
 * @rule R-RED-2
 * @rule R-RED-3
 */
export function computeReduction<C extends ReductionCause>(cause: C, input: ReductionInputOf<C>, ctx: ReductionContext): ReductionResult {
  const bounds = bienniumPeriod(ctx.biennium);
  const obligationTotal = ctx.obligationTotal ?? BIENNIUM_CREDITS;
  if (!Number.isSafeInteger(obligationTotal) || obligationTotal < 0 || obligationTotal > BIENNIUM_CREDITS) {
    throw new RangeError(`obligationTotal must be a whole number from 0 to ${BIENNIUM_CREDITS}, got ${obligationTotal}`);
  }
  const imp = impediment(cause, input, ctx.policy);
  if (!imp.ok) return imp;

  if (imp.minimumApplies && imp.to !== null) {
    const days = inclusiveDays(requireDate(imp.from, 'from'), requireDate(imp.to, 'to'));
    if (days < MINIMUM_PERIOD_DAYS) {
      return rejected(cause, 'period-shorter-than-30-days', `the period ${imp.describe} lasts ${days} days, fewer than ${MINIMUM_PERIOD_DAYS} (R-RED-3)`);
    }
  }

  // R-RED-2: only the part inside the biennium counts.
  const from = maxDate(imp.from, bounds.from);
  const to = minDate(imp.to ?? bounds.to, bounds.to);
  if (from > to) {
    return rejected(cause, 'outside-biennium', `the impediment (${imp.describe}) has no day in the biennium ${bounds.from}..${bounds.to}`);
  }

  const rec = input as unknown as Record<string, unknown>;
  const kind = CAUSE_INPUT_KIND[cause];
  let reduction: number;
  let months: number;
  let formula: string;
  if (kind === 'age') {
    ({ reduction, months, formula } = age70Amount(requireDate(rec.birthDate, 'birthDate'), from, to, obligationTotal));
  } else {
    months = monthsOfPeriod(from, to); // R-CAL-5
    let num: number;
    let den: number;
    if (kind === 'degree') {
      const degree = rec.degreePct as number;
      // R-RED-2: b × months × 50% × degree.
      num = BIENNIUM_CREDITS * months * 50 * degree;
      den = BIENNIUM_MONTHS * 100 * 100;
      formula = `50/24 × ${months} months × 50% × ${degree}%`;
    } else {
      const pct = PERIOD_CAUSE_PCT[cause] ?? 100;
      num = BIENNIUM_CREDITS * months * pct;
      den = BIENNIUM_MONTHS * 100;
      formula = `50/24 × ${months} months${pct === 100 ? '' : ` × ${pct}%`}`;
    }
    reduction = roundRational(num, den); // R-CAL-4, R-RED-3: each case on its own
    formula += ` = ${decimal(num, den)} → ${reduction}`;
  }

  const split = splitReduction(reduction);
  const { validity, validUntil } = validityOf(cause, rec, ctx.biennium);
  const explanation =
    `${cause}: ${imp.describe}; in the biennium ${from}..${to}: ${formula}; ` +
    `deontology round(12% × ${reduction} = ${decimal(reduction * DEONTOLOGY_PCT, 100)}) = ${split.deontology}, ordinary ${split.ordinary}; ` +
    `valid ${validity === 'permanent' ? 'permanently' : `until ${validUntil}`}`;
  return { ok: true, cause, biennium: ctx.biennium, ...split, months, period: { from, to }, validity, validUntil, explanation };
}

function age70Amount(birth: DateTime<true>, from: string, to: string, obligationTotal: number) {
  const first = monthIndex(requireDate(from, 'from'));
  const last = monthIndex(requireDate(to, 'to'));
  // Months of the biennium in each band: band i runs from the month of its birthday to the month
  // before the next band's (R-RED-2: "a band change applies from the month it is reached").
  const parts: { months: number; pct: number }[] = [];
  AGE70_BANDS.forEach((band, i) => {
    const next = AGE70_BANDS[i + 1];
    const start = Math.max(first, monthIndex(birth.plus({ years: band.fromAge })));
    const end = Math.min(last, next ? monthIndex(birth.plus({ years: next.fromAge })) - 1 : last);
    if (end >= start) parts.push({ months: end - start + 1, pct: band.pct });
  });
  const months = parts.reduce((s, p) => s + p.months, 0);
  const weighted = parts.reduce((s, p) => s + p.months * p.pct, 0);
  const num = BIENNIUM_CREDITS * weighted;
  const den = BIENNIUM_MONTHS * 100;
  const amount = roundRational(num, den);
  const cap = roundRational(obligationTotal * AGE70_MAX_PCT, 100); // art. 27 c.3
  const reduction = Math.min(amount, cap);
  const terms = parts.map((p) => `${p.months} months × ${p.pct}%`).join(' + ');
  const formula =
    `50/24 × (${terms || '0 months'}) = ${decimal(num, den)} → ${amount}` +
    (amount > cap ? `, capped at ${AGE70_MAX_PCT}% of ${obligationTotal} = ${cap}` : '');
  return { reduction, months, formula };
}

/**
 * Validity of an approved reduction (R-RED-6, RC §1, art. 27 c.6).
 * @rule R-RED-6
 */
function validityOf(cause: ReductionCause, input: Record<string, unknown>, biennium: number): { validity: ReductionValidity; validUntil: string | null } {
  const kind = CAUSE_INPUT_KIND[cause];
  if (kind === 'age') return { validity: 'permanent', validUntil: null };
  if (kind === 'degree') {
    if (input.subjectToReview !== true) return { validity: 'permanent', validUntil: null };
    return { validity: 'until-certificate-expiry', validUntil: input.certificateExpiry as string };
  }
  return { validity: 'biennium', validUntil: bienniumPeriod(biennium).to };
}

// ---------------------------------------------------------------------------------------------
// Cumulation (R-RED-5, R-OBL-6)
// ---------------------------------------------------------------------------------------------

export interface CumulativeReduction extends ReductionAmount {
  /** True when the ceiling cut the sum. */
  capped: boolean;
  /** The sum before the ceiling. */
  uncapped: ReductionAmount;
  /** The obligation after the reduction (R-OBL-6). */
  obligation: { total: number; deontology: number };
}

/**
 * The reductions of one biennium added up (R-RED-5): each case was rounded and split on its own
 * (R-RED-3, R-RED-4), so the sums are of whole numbers; the total is then capped at the profile's
 * `reductionCeiling` (national 50, RC/BA 49).
 *
 * **Decision (R-RED-5, ceiling split):** when the ceiling binds, the cut falls on the ordinary part:
 * deontology = min(Σ deontology, ceiling), ordinary = ceiling − deontology. Each case's split is
 * what the CPO approved (RC/BA: the authorisation states it), so the deontology reductions stand
 * and only the excess is taken back; RC/BA give no other rule (BA FAQ: "sarà adeguato a 49").
 *
 * The obligation (R-OBL-6): total = max(0, obligation.total − reduction), deontology =
 * max(0, obligation.deontology − deontology). **Decision (R-OBL-1):** deontology credits are part
 * of the total, so the deontology obligation is also capped at the remaining total (many small
 * cases whose 12% rounds to 0 could otherwise leave 2 total with 6 deontology).
 *
 * @example cumulativeReduction([{ reduction: 50, deontology: 6, ordinary: 44 }], { policy: PROFILES.RC, obligation: { total: 50, deontology: 6 } })
 *   // → { reduction: 49, deontology: 6, ordinary: 43, capped: true, obligation: { total: 1, deontology: 0 }, … }
 * @rule R-RED-5
 */
export function cumulativeReduction(
  amounts: readonly ReductionAmount[],
  ctx: { policy: Pick<Policy, 'reductionCeiling'>; obligation: { total: number; deontology: number } },
): CumulativeReduction {
  const ceiling = ctx.policy.reductionCeiling;
  if (!Number.isSafeInteger(ceiling) || ceiling < 0) throw new RangeError(`policy.reductionCeiling must be a whole number ≥ 0, got ${ceiling}`);
  for (const [what, v] of [
    ['obligation.total', ctx.obligation.total],
    ['obligation.deontology', ctx.obligation.deontology],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${v}`);
  }
  const uncapped: ReductionAmount = { reduction: 0, deontology: 0, ordinary: 0 };
  amounts.forEach((a, i) => {
    for (const k of ['reduction', 'deontology', 'ordinary'] as const) {
      if (!Number.isSafeInteger(a[k]) || a[k] < 0) throw new RangeError(`amounts[${i}].${k} must be a whole number ≥ 0, got ${a[k]}`);
    }
    if (a.deontology + a.ordinary !== a.reduction) throw new RangeError(`amounts[${i}]: deontology + ordinary must equal reduction`);
    uncapped.reduction += a.reduction;
    uncapped.deontology += a.deontology;
    uncapped.ordinary += a.ordinary;
  });
  const capped = uncapped.reduction > ceiling;
  const reduction = capped ? ceiling : uncapped.reduction;
  const deontology = Math.min(uncapped.deontology, reduction);
  const total = Math.max(0, ctx.obligation.total - reduction);
  return {
    reduction,
    deontology,
    ordinary: reduction - deontology,
    capped,
    uncapped,
    obligation: { total, deontology: Math.min(total, Math.max(0, ctx.obligation.deontology - deontology)) },
  };
}

// ---------------------------------------------------------------------------------------------
// Filing windows (R-RED-8)
// ---------------------------------------------------------------------------------------------

export type FilingRule =
  | 'national-30-days-from-cause'
  | 'rc-30-days-from-end-by-31-october'
  | 'rc-30-days-from-start'
  | 'ba-30-days-from-end-by-31-october'
  | 'ba-30-days-from-end-by-31-october-next-year';

export interface FilingInput {
  /** The biennium the request is for. */
  biennium: number;
  filedOn: string;
  /** The impediment as documented; `to` null/absent when open-ended. */
  period: { from: string; to?: string | null };
  /**
   * The single date the RC/BA tables count from for some causes, instead of the period: the 70th
   * birthday, the birth or arrival, the medical commission's certificate (invalidity, disability,
   * law 104: "entro 30 giorni dal rilascio del certificato"). It is then the whole event.
   */
  eventDate?: string | null;
}

export interface FilingDeadline {
  /** Last day to file (R-CAL-3 on dates: the day itself is in time). */
  deadline: string;
  onTime: boolean;
  rule: FilingRule;
  reason?: 'late-filing';
}

/**
 * The filing deadline of a request under the policy's window (R-RED-8). "Within 30 days of X" is
 * the 30th calendar day after X (R-CAL-3 on dates).
 *
 * **Decisions** (the sources are terse):
 * - The event is `eventDate` alone when given (single-day event), else the period. It is clipped
 *   to the biennium: a cause that began earlier (a continuing illness, an older certificate, a
 *   child born in the previous biennium) "occurs" for this biennium on its 1 January; an
 *   open-ended one ends, for this biennium, on its last day. Throws `RangeError` when the period
 *   has no day in the biennium.
 * - national (art. 27 c.7): min(start + 30 days, 31 January after the biennium).
 * - RC (seed 001 §1): min(end + 30 days, 31 October of the event's year); for events across two
 *   years or ending after 31 October ("successivi al 31 ottobre": the normal deadline would fall
 *   before the end): start + 30 days ("nuova istanza entro 30 giorni dall'inizio").
 * - BA (seed 003 §1 and FAQ): min(end + 30 days, 31 October of the event's year); for events
 *   starting from 1 October, across two years, or (extension, same reason as RC) ending after
 *   31 October: min(end + 30 days, 31 October of the year after the start).
 * @rule R-RED-8
 */
export function filingDeadline(input: FilingInput, policy: Pick<Policy, 'filingWindow'>): FilingDeadline {
  const { from: start, to: end } = bienniumPeriod(input.biennium);
  requireDate(input.filedOn, 'filedOn');
  let from: string;
  let to: string;
  if (input.eventDate !== undefined && input.eventDate !== null) {
    from = to = maxDate(isoOf(requireDate(input.eventDate, 'eventDate')), start);
    if (from > end) throw new RangeError(`eventDate ${input.eventDate} is after the biennium ${input.biennium}`);
  } else {
    const pf = isoOf(requireDate(input.period.from, 'period.from'));
    const pt = input.period.to === undefined || input.period.to === null ? null : isoOf(requireDate(input.period.to, 'period.to'));
    if (pt !== null && pt < pf) throw new RangeError(`period ends before it starts: ${pf}..${pt}`);
    if (pf > end || (pt !== null && pt < start)) throw new RangeError(`period ${pf}..${pt ?? ''} has no day in the biennium ${input.biennium}`);
    from = maxDate(pf, start);
    to = minDate(pt ?? end, end);
  }
  const year = yearOfDate(from);
  const octoberEnd = (y: number) => `${y}-10-31`;
  let deadline: string;
  let rule: FilingRule;
  switch (policy.filingWindow) {
    case 'national':
      deadline = minDate(plusDays(from, FILING_DAYS), `${input.biennium + 2}-01-31`);
      rule = 'national-30-days-from-cause';
      break;
    case 'RC':
      if (yearOfDate(to) !== year || to > octoberEnd(year)) {
        deadline = plusDays(from, FILING_DAYS);
        rule = 'rc-30-days-from-start';
      } else {
        deadline = minDate(plusDays(to, FILING_DAYS), octoberEnd(year));
        rule = 'rc-30-days-from-end-by-31-october';
      }
      break;
    case 'BA':
      if (yearOfDate(to) !== year || from >= `${year}-10-01` || to > octoberEnd(year)) {
        deadline = minDate(plusDays(to, FILING_DAYS), octoberEnd(year + 1));
        rule = 'ba-30-days-from-end-by-31-october-next-year';
      } else {
        deadline = minDate(plusDays(to, FILING_DAYS), octoberEnd(year));
        rule = 'ba-30-days-from-end-by-31-october';
      }
      break;
    default:
      throw new RangeError(`unknown filing window ${JSON.stringify(policy.filingWindow)}`);
  }
  const onTime = input.filedOn <= deadline;
  return onTime ? { deadline, onTime, rule } : { deadline, onTime, rule, reason: 'late-filing' };
}

export interface LateFilingInput {
  biennium: number;
  filedOn: string;
  /** Credits counted toward the biennium so far (the balance's `counted`, plus settled debt). */
  counted: { total: number; deontology: number };
  /** The obligation with this reduction applied (R-OBL-6). */
  reducedObligation: { total: number; deontology: number };
  /** The debt maximum of the biennium (R-DEBT-1). */
  debtMaximum: number;
  /** A debt already accepted for the biennium (R-DEBT-2), if any. */
  acceptedDebt?: { total: number; deontology: number } | null;
}

export interface LateFilingDecision {
  acceptable: boolean;
  /** What the member still lacks under the reduced obligation. */
  shortfall: { total: number; deontology: number };
  rule: 'obligation-met' | 'biennium-running' | 'recoverable-as-debt' | 'covered-by-accepted-debt' | 'not-recoverable';
  reason?: 'late-filing';
}

/**
 * Whether a late request can still be accepted (R-RED-8, BA FAQ "posso presentarla fuori
 * termine?": accepted when the reduction confirms the member meets the reduced obligation and any
 * debt can be recovered within the term; otherwise denied with reasons). Pure: the caller passes
 * what the member has counted and the obligation as this reduction would leave it.
 *
 * **Decision:** the BA FAQ speaks of the old yearly minimum of 16; the current rules have no
 * binding yearly minimum (R-OBL-2), so "in time" is the biennium and its debt recovery:
 * 1. nothing is missing under the reduced obligation → acceptable (`obligation-met`);
 * 2. filed while the biennium runs (≤ 31 Dec of its second year) → acceptable (`biennium-running`):
 *    the member can still earn what is missing;
 * 3. filed by 28 February after it (R-DEBT-2) with the shortfall (max of total and deontology)
 *    within the debt maximum → acceptable (`recoverable-as-debt`, R-DEBT-1);
 * 4. filed by 30 June after it with a debt already accepted that covers the shortfall →
 *    acceptable (`covered-by-accepted-debt`, R-DEBT-3);
 * 5. otherwise not acceptable, reason `late-filing` (`not-recoverable`).
 */
export function lateFilingAcceptable(input: LateFilingInput): LateFilingDecision {
  const { to: end } = bienniumPeriod(input.biennium);
  requireDate(input.filedOn, 'filedOn');
  for (const [what, v] of [
    ['counted.total', input.counted.total],
    ['counted.deontology', input.counted.deontology],
    ['reducedObligation.total', input.reducedObligation.total],
    ['reducedObligation.deontology', input.reducedObligation.deontology],
    ['debtMaximum', input.debtMaximum],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${v}`);
  }
  const shortfall = {
    total: Math.max(0, input.reducedObligation.total - input.counted.total),
    deontology: Math.max(0, input.reducedObligation.deontology - input.counted.deontology),
  };
  // A debt names total and deontology credits, deontology within the total (R-DEBT-2).
  const needed = Math.max(shortfall.total, shortfall.deontology);
  const next = input.biennium + 2;
  if (needed === 0) return { acceptable: true, shortfall, rule: 'obligation-met' };
  if (input.filedOn <= end) return { acceptable: true, shortfall, rule: 'biennium-running' };
  if (input.filedOn <= `${next}-02-28` && needed <= input.debtMaximum) return { acceptable: true, shortfall, rule: 'recoverable-as-debt' };
  const debt = input.acceptedDebt;
  if (debt && input.filedOn <= `${next}-06-30` && debt.total >= needed && debt.deontology >= shortfall.deontology) {
    return { acceptable: true, shortfall, rule: 'covered-by-accepted-debt' };
  }
  return { acceptable: false, shortfall, rule: 'not-recoverable', reason: 'late-filing' };
}

// ---------------------------------------------------------------------------------------------
// Procedure deadlines (R-RED-7)
// ---------------------------------------------------------------------------------------------

/**
 * Last day for the CPO's decision (R-RED-7): `decisionDays` (RC 30, BA 45) after the filing
 * ("dalla presentazione dell'istanza"), extended by `preDenialDays` when a pre-denial was issued.
 * When only `acknowledgedOn` is known, it is the start. Throws `RangeError` without a start, or
 * for a pre-denial before it.
 *
 * @example decisionDeadline({ filedOn: '2026-03-02', preDenialOn: '2026-03-10' }, PROFILES.BA) // → '2026-04-26'
 */
export function decisionDeadline(
  request: { filedOn?: string | null; acknowledgedOn?: string | null; preDenialOn?: string | null },
  policy: Pick<Policy, 'decisionDays' | 'preDenialDays'>,
): string {
  const startOn = request.filedOn ?? request.acknowledgedOn;
  if (startOn === undefined || startOn === null) throw new RangeError('decisionDeadline needs filedOn or acknowledgedOn');
  const start = isoOf(requireDate(startOn, request.filedOn ? 'filedOn' : 'acknowledgedOn'));
  let days = policy.decisionDays;
  if (request.preDenialOn !== undefined && request.preDenialOn !== null) {
    const pre = isoOf(requireDate(request.preDenialOn, 'preDenialOn'));
    if (pre < start) throw new RangeError(`preDenialOn ${pre} is before the request's start ${start}`);
    days += policy.preDenialDays;
  }
  return plusDays(start, days);
}

/** Last day to add documents after a pre-denial (R-RED-7: 10 days). */
export function integrationDeadline(preDenialOn: string, policy: Pick<Policy, 'preDenialDays'>): string {
  return plusDays(preDenialOn, policy.preDenialDays, 'preDenialOn');
}

/** Last day to appeal to the CN after the decision's notification (R-RED-7: 30 days). */
export function appealDeadline(notifiedOn: string, policy: Pick<Policy, 'appealDays'>): string {
  return plusDays(notifiedOn, policy.appealDays, 'notifiedOn');
}

// ---------------------------------------------------------------------------------------------
// Request workflow (R-RED-7)
// ---------------------------------------------------------------------------------------------

export const REDUCTION_STATES = ['filed', 'acknowledged', 'pre-denied', 'integrated', 'approved', 'denied', 'appealed'] as const;
export type ReductionState = (typeof REDUCTION_STATES)[number];

export const REDUCTION_ACTIONS = ['acknowledge', 'pre-deny', 'integrate', 'approve', 'deny', 'appeal'] as const;
export type ReductionAction = (typeof REDUCTION_ACTIONS)[number];

/**
 * The transitions (R-RED-7, RC/BA §1 and FAQ):
 * filed → acknowledged (protocol number and responsible officer) → approved | denied, or →
 * pre-denied → integrated (documents added) → approved | denied; a pre-denial left unanswered
 * ends denied. approved | denied → appealed (to the CN). **Decisions:** no decision before the
 * acknowledgement; one pre-denial per request; a pre-denied request is not approved without an
 * integration. A request denied after an unanswered pre-denial is followed by a NEW request
 * (BA FAQ), not by a transition.
 */
export const REDUCTION_TRANSITIONS: Readonly<Record<ReductionState, Readonly<Partial<Record<ReductionAction, ReductionState>>>>> = Object.freeze({
  filed: { acknowledge: 'acknowledged' },
  acknowledged: { 'pre-deny': 'pre-denied', approve: 'approved', deny: 'denied' },
  'pre-denied': { integrate: 'integrated', deny: 'denied' },
  integrated: { approve: 'approved', deny: 'denied' },
  approved: { appeal: 'appealed' },
  denied: { appeal: 'appealed' },
  appealed: {},
});

export type TransitionResult = { ok: true; state: ReductionState } | { ok: false; error: 'invalid-transition' | 'out-of-time' };

/**
 * The state after `action` (R-RED-7), or `invalid-transition`. With `timing`, the windows are
 * checked too: `appeal` on `timing.on` must be within `appealDays` of `timing.since` (the
 * notification), `integrate` within `preDenialDays` of `timing.since` (the pre-denial); else
 * `out-of-time`. Other actions ignore `timing`.
 * @rule R-RED-7
 */
export function nextState(
  state: ReductionState,
  action: ReductionAction,
  timing?: { on: string; since: string; policy: Pick<Policy, 'appealDays' | 'preDenialDays'> },
): TransitionResult {
  const row = Object.hasOwn(REDUCTION_TRANSITIONS, state) ? REDUCTION_TRANSITIONS[state] : undefined;
  const to = row && Object.hasOwn(row, action) ? row[action] : undefined;
  if (!to) return { ok: false, error: 'invalid-transition' };
  if (timing && (action === 'appeal' || action === 'integrate')) {
    const last = action === 'appeal' ? appealDeadline(timing.since, timing.policy) : integrationDeadline(timing.since, timing.policy);
    if (isoOf(requireDate(timing.on, 'timing.on')) > last) return { ok: false, error: 'out-of-time' };
  }
  return { ok: true, state: to };
}

/** The workflow as one value: states, actions, table and step function. */
export const reductionStateMachine = Object.freeze({
  states: REDUCTION_STATES,
  actions: REDUCTION_ACTIONS,
  transitions: REDUCTION_TRANSITIONS,
  initial: 'filed' as ReductionState,
  nextState,
});

/**
 * What a member may still do on a request on `today` (R-RED-7): add documents while it is
 * pre-denied, until the integration deadline stored with the pre-denial; appeal a decision not yet
 * appealed, until the appeal deadline stored with it. The dashboard shows the forms by this.
 */
export function memberActionsOpen(
  r: { status: string; integrationDeadline: string | null; appealDeadline: string | null; appeal: unknown },
  today: string,
): { canIntegrate: boolean; canAppeal: boolean } {
  return {
    canIntegrate: r.status === 'pre-denied' && (!r.integrationDeadline || today <= r.integrationDeadline),
    canAppeal: (r.status === 'approved' || r.status === 'denied') && !r.appeal && r.appealDeadline !== null && today <= r.appealDeadline,
  };
}
