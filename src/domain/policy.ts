/** @module Policy profiles (R-POL-1): the parameters a council may set, as data, per profile (national, RC, BA), and their validated overrides. */
import { isBiennium } from './calendar.ts';

/** The profiles the rule book knows: the national regulation and the two vademecums (R-POL-1). */
export const PROFILE_NAMES = ['national', 'RC', 'BA'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** Methods to pro-rate an event's tolerance over its fractions (R-ATT-5). */
export const FRACTION_TOLERANCE_METHODS = ['pro-rata-floor'] as const;
export type FractionToleranceMethod = (typeof FRACTION_TOLERANCE_METHODS)[number];

/** Every parameter of RULES.md that the sources let a council set (R-POL-1). */
export interface Policy {
  profile: ProfileName;
  /** Default tolerance for late entry + early exit, in minutes (R-ATT-2). */
  toleranceDefaultMinutes: number;
  /** Highest tolerance the CPO may grant, in minutes (R-ATT-2: up to 60). */
  toleranceMaxMinutes: number;
  /** Distance-learning share before any grant, in % (R-FAD-2). */
  distancePct: number;
  /** Debt maximum for a biennium without its own entry (R-DEBT-1). */
  debtMaximumDefault: number;
  /** Debt maximum per biennium, keyed by its first (odd) year (R-DEBT-1: PLAT says 9 for 2023–24). */
  debtMaximum: Record<string, number>;
  /** Ceiling on the sum of a biennium's reductions (R-RED-5: national 50, RC/BA 49). */
  reductionCeiling: number;
  /** Months before the birth the maternity/paternity impediment starts (R-RED-2: art. 27 c.4 says 2, RC/BA 3). */
  maternityMonthsBefore: number;
  /** Days the CPO has to decide a reduction request (R-RED-7: RC 30, BA 45). */
  decisionDays: number;
  /** Days a pre-denial gives to add documents; they also extend the decision term (R-RED-7). */
  preDenialDays: number;
  /** Days to appeal to the CN from the notification (R-RED-7). */
  appealDays: number;
  /** Which filing window of R-RED-8 applies. */
  filingWindow: ProfileName;
  /** Tolerance of a fraction (R-ATT-5). */
  fractionTolerance: FractionToleranceMethod;
}

// ---------------------------------------------------------------------------------------------
// Data
// ---------------------------------------------------------------------------------------------

const NATIONAL: Policy = {
  profile: 'national',
  toleranceDefaultMinutes: 30, // R-ATT-2
  toleranceMaxMinutes: 60, // R-ATT-2
  distancePct: 40, // R-FAD-2, art. 7 c.7
  debtMaximumDefault: 12, // R-DEBT-1, art. 7 c.6
  debtMaximum: { '2023': 9 }, // R-DEBT-1, PLAT
  reductionCeiling: 50, // R-RED-5, art. 27 c.8: a temporary reduction may reach zero
  maternityMonthsBefore: 2, // R-RED-2, art. 27 c.4
  // R-RED-7: the national regulation sets no decision term; the RC term (30 days) is the default.
  decisionDays: 30,
  preDenialDays: 10, // R-RED-7
  appealDays: 30, // R-RED-7
  filingWindow: 'national', // R-RED-8, art. 27 c.7
  fractionTolerance: 'pro-rata-floor', // R-ATT-5
};

/** The profiles, frozen (a caller derives a policy with `resolvePolicy`, never by mutation). */
export const PROFILES: Readonly<Record<ProfileName, Policy>> = deepFreeze({
  national: NATIONAL,
  // RC vademecum (seed 001): 49 ceiling, 3 months before the birth, 30 days to decide, RC window.
  RC: {
    ...NATIONAL,
    profile: 'RC',
    debtMaximum: { ...NATIONAL.debtMaximum },
    reductionCeiling: 49,
    maternityMonthsBefore: 3,
    decisionDays: 30,
    filingWindow: 'RC',
  },
  // BA vademecum (seed 003): 49 ceiling, 3 months before the birth, 45 days to decide, BA window.
  BA: {
    ...NATIONAL,
    profile: 'BA',
    debtMaximum: { ...NATIONAL.debtMaximum },
    reductionCeiling: 49,
    maternityMonthsBefore: 3,
    decisionDays: 45,
    filingWindow: 'BA',
  },
});

/**
 * The parameters a CPO may override (R-POL-1: tolerance, distance pct, debt maximum, reduction
 * ceiling, maternity window, decision and filing deadlines, fraction-tolerance method).
 * **Decision:** `profile` is the choice itself, not a parameter, and `appealDays` is not a
 * council's to set: the appeal goes to the CN within a peremptory term (RC/BA §4). Nor is
 * `distancePct`: a CPO raises it only by grants (R-FAD-3), each dated, with its deliberation and
 * an alert to the CN; a policy override would bypass both.
 */
export const POLICY_PARAMETERS = [
  'toleranceDefaultMinutes',
  'toleranceMaxMinutes',
  'debtMaximumDefault',
  'debtMaximum',
  'reductionCeiling',
  'maternityMonthsBefore',
  'decisionDays',
  'preDenialDays',
  'filingWindow',
  'fractionTolerance',
] as const satisfies readonly (keyof Policy)[];
export type PolicyParameter = (typeof POLICY_PARAMETERS)[number];

/** Inclusive integer ranges of the numeric parameters ("sane" bounds, R-POL-1). */
export const POLICY_RANGES = {
  toleranceDefaultMinutes: { min: 0, max: 60 }, // and ≤ toleranceMaxMinutes (R-ATT-2)
  toleranceMaxMinutes: { min: 0, max: 60 }, // R-ATT-2: up to 60 minutes
  distancePct: { min: 0, max: 100 }, // R-FAD-3: up to 100%
  debtMaximumDefault: { min: 0, max: 50 }, // never more than the obligation (R-OBL-1)
  debtMaximum: { min: 0, max: 50 }, // each entry
  reductionCeiling: { min: 0, max: 50 }, // R-RED-5
  maternityMonthsBefore: { min: 0, max: 12 }, // R-RED-2
  decisionDays: { min: 1, max: 365 }, // R-RED-7
  preDenialDays: { min: 1, max: 90 }, // R-RED-7
  appealDays: { min: 1, max: 365 }, // R-RED-7 (not overridable; bound used for the profiles' own check)
} as const;

// ---------------------------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------------------------

/**
 * The policy of a CPO: the named profile with `overrides` applied (R-POL-1). Throws `RangeError`
 * with a message naming the parameter for an unknown profile, a key that is not in
 * `POLICY_PARAMETERS`, a value of the wrong type or outside `POLICY_RANGES`, a default tolerance
 * above the maximum, or a `debtMaximum` key that is not a biennium (odd year). `debtMaximum`
 * entries are merged over the profile's, other parameters replace it; an `undefined` value is
 * ignored. Never mutates its arguments; the result is a fresh object.
 *
 * @example resolvePolicy('BA', { reductionCeiling: 45 }).decisionDays // → 45
 * @rule R-POL-1
 */
export function resolvePolicy(profile: ProfileName, overrides: Partial<Policy>): Policy {
  if (typeof profile !== 'string' || !(PROFILE_NAMES as readonly string[]).includes(profile)) {
    throw new RangeError(`unknown policy profile ${JSON.stringify(profile)} (known: ${PROFILE_NAMES.join(', ')})`);
  }
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new RangeError('policy overrides must be an object');
  }
  const base = PROFILES[profile];
  const out: Policy = { ...base, debtMaximum: { ...base.debtMaximum } };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(POLICY_PARAMETERS as readonly string[]).includes(key)) {
      throw new RangeError(`policy parameter "${key}" cannot be overridden (overridable: ${POLICY_PARAMETERS.join(', ')})`);
    }
    const k = key as PolicyParameter;
    switch (k) {
      case 'filingWindow':
        if (typeof value !== 'string' || !(PROFILE_NAMES as readonly string[]).includes(value)) {
          throw new RangeError(`policy parameter "filingWindow" must be one of ${PROFILE_NAMES.join(', ')}, got ${JSON.stringify(value)}`);
        }
        out.filingWindow = value as ProfileName;
        break;
      case 'fractionTolerance':
        if (typeof value !== 'string' || !(FRACTION_TOLERANCE_METHODS as readonly string[]).includes(value)) {
          throw new RangeError(`policy parameter "fractionTolerance" must be one of ${FRACTION_TOLERANCE_METHODS.join(', ')}, got ${JSON.stringify(value)}`);
        }
        out.fractionTolerance = value as FractionToleranceMethod;
        break;
      case 'debtMaximum':
        // Entries are merged over the profile's (2023 → 9 stays unless overridden too).
        out.debtMaximum = { ...out.debtMaximum, ...checkDebtMaximum(value) };
        break;
      default:
        out[k] = checkInteger(k, value);
    }
  }
  if (out.toleranceDefaultMinutes > out.toleranceMaxMinutes) {
    throw new RangeError(
      `policy parameter "toleranceDefaultMinutes" (${out.toleranceDefaultMinutes}) must not exceed "toleranceMaxMinutes" (${out.toleranceMaxMinutes})`,
    );
  }
  return out;
}

/** The debt maximum of a biennium under a policy (R-DEBT-1). */
export function debtMaximumOf(policy: Pick<Policy, 'debtMaximum' | 'debtMaximumDefault'>, biennium: number): number {
  return Object.hasOwn(policy.debtMaximum, String(biennium)) ? policy.debtMaximum[String(biennium)]! : policy.debtMaximumDefault;
}

function checkInteger(key: keyof typeof POLICY_RANGES, value: unknown): number {
  const { min, max } = POLICY_RANGES[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`policy parameter "${key}" must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkDebtMaximum(value: unknown): Record<string, number> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new RangeError('policy parameter "debtMaximum" must be an object { "<biennium>": credits }');
  }
  const { min, max } = POLICY_RANGES.debtMaximum;
  const out: Record<string, number> = {};
  for (const [year, credits] of Object.entries(value)) {
    // R-CAL-1: a biennium is named by its first, odd, year.
    if (!/^\d{4}$/.test(year) || !isBiennium(Number(year))) {
      throw new RangeError(`policy parameter "debtMaximum" keys must be bienni (odd years), got ${JSON.stringify(year)}`);
    }
    if (typeof credits !== 'number' || !Number.isSafeInteger(credits) || credits < min || credits > max) {
      throw new RangeError(`policy parameter "debtMaximum.${year}" must be a whole number from ${min} to ${max}, got ${JSON.stringify(credits)}`);
    }
    out[year] = credits;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
