/**
 * @module Pure checks of SCORM run-time (CMI) values as scorm-again commits them (issue 6 §3):
 * status vocabularies, time spans (1.2 `HHHH:MM:SS.SS`, 2004 ISO 8601 durations) and score
 * ranges. No I/O: the commit service (`src/services/elearning/commit.ts`) runs them through the zod
 * schemas of `src/schemas/scorm.ts`; derivation (issue 6 §4) reuses the time parsers.
 *
 * Empty strings are "not reported": scorm-again sends every element, `""` for those the SCO never
 * set, so `""` passes every check here.
 */

export type ScormVersion = '1.2' | '2004';

/** Vocabularies: plain data (SCORM 1.2 RTE 3.4.2; SCORM 2004 4th ed. RTE 4.2). */
export const VOCABULARY = {
  '1.2': {
    /** `cmi.core.lesson_status` (CMIVocabulary Status, with "not attempted" as the LMS may set it). */
    lessonStatus: ['passed', 'completed', 'failed', 'incomplete', 'browsed', 'not attempted'],
    /** `cmi.core.exit`. */
    exit: ['time-out', 'suspend', 'logout'],
  },
  '2004': {
    completionStatus: ['completed', 'incomplete', 'not attempted', 'unknown'],
    successStatus: ['passed', 'failed', 'unknown'],
    exit: ['time-out', 'suspend', 'logout', 'normal'],
  },
} as const;

/** SCORM 1.2 CMITimespan: `HHHH:MM:SS.SS`, hours 2 to 4 digits, minutes and seconds below 60, at most 2 decimals. */
const SCORM12_TIMESPAN = /^(\d{2,4}):([0-5]\d):([0-5]\d)(?:\.(\d{1,2}))?$/;

/**
 * SCORM 2004 timeinterval (RTE 4.2.1, ISO 8601 subset): `P[nY][nM][nD][T[nH][nM][n[.n]S]]`, at
 * least one component, `T` only before a time component, seconds with at most 2 decimals.
 */
const ISO_DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,2})?)S)?)?$/;

/** Seconds of a SCORM 1.2 time span, or null when it is not one. */
export function scorm12TimespanSeconds(v: string): number | null {
  const m = SCORM12_TIMESPAN.exec(v);
  if (!m) return null;
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) + (m[4] ? Number(`0.${m[4]}`) : 0);
}

/**
 * Seconds of a SCORM 2004 duration, or null when it is not one. Years and months count as 365 and
 * 30 days (a session is never that long; the figure only has to be finite and monotone).
 */
export function isoDurationSeconds(v: string): number | null {
  const m = ISO_DURATION.exec(v);
  if (!m || v === 'P' || v.endsWith('T')) return null;
  const [, y, mo, d, h, mi, s] = m;
  return (Number(y ?? 0) * 365 + Number(mo ?? 0) * 30 + Number(d ?? 0)) * 86400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0);
}

/** A CMI decimal as sent (a string, or a number in the common commit fields); null when not a number. */
export function cmiDecimal(v: string | number): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (!/^-?\d+(?:\.\d+)?$/.test(v.trim())) return null;
  return Number(v);
}

export interface CmiIssue {
  path: string;
  message: string;
}

export interface ScoreInput {
  raw?: string | number;
  min?: string | number;
  max?: string | number;
  scaled?: string | number;
}

const given = (v: string | number | undefined): v is string | number => v !== undefined && v !== '';

/**
 * Score range checks. 1.2: raw, min and max are decimals in 0..100 (RTE 3.4.2.2.5), raw within
 * [min, max] where given (0 and 100 when absent). 2004: scaled in −1..1, raw within [min, max]
 * where both are given, min ≤ max.
 */
export function scoreIssues(version: ScormVersion, score: ScoreInput, path: string): CmiIssue[] {
  const out: CmiIssue[] = [];
  const num: Partial<Record<keyof ScoreInput, number>> = {};
  for (const k of ['raw', 'min', 'max', 'scaled'] as const) {
    const v = score[k];
    if (!given(v)) continue;
    if (version === '1.2' && k === 'scaled') continue;
    const n = cmiDecimal(v);
    if (n === null) out.push({ path: `${path}.${k}`, message: `not a decimal number: ${JSON.stringify(v).slice(0, 40)}` });
    else num[k] = n;
  }
  if (version === '1.2') {
    for (const k of ['raw', 'min', 'max'] as const) {
      const n = num[k];
      if (n !== undefined && (n < 0 || n > 100)) out.push({ path: `${path}.${k}`, message: `outside 0..100: ${n}` });
    }
    const lo = num.min ?? 0;
    const hi = num.max ?? 100;
    if (num.raw !== undefined && num.raw >= 0 && num.raw <= 100 && (num.raw < lo || num.raw > hi)) {
      out.push({ path: `${path}.raw`, message: `outside min..max (${lo}..${hi}): ${num.raw}` });
    }
  } else {
    if (num.scaled !== undefined && (num.scaled < -1 || num.scaled > 1)) out.push({ path: `${path}.scaled`, message: `outside −1..1: ${num.scaled}` });
    if (num.min !== undefined && num.max !== undefined && num.min > num.max) out.push({ path: `${path}.min`, message: `greater than max (${num.max})` });
    if (num.raw !== undefined && ((num.min !== undefined && num.raw < num.min) || (num.max !== undefined && num.raw > num.max))) {
      out.push({ path: `${path}.raw`, message: `outside min..max: ${num.raw}` });
    }
  }
  return out;
}

/** A value of a vocabulary, `""` allowed (not reported). */
export function inVocabulary(vocabulary: readonly string[], v: string): boolean {
  return v === '' || vocabulary.includes(v);
}

/** A 1.2 time span, `""` allowed. */
export function isScorm12Timespan(v: string): boolean {
  return v === '' || scorm12TimespanSeconds(v) !== null;
}

/** A 2004 duration, `""` allowed. */
export function isIsoDuration(v: string): boolean {
  return v === '' || isoDurationSeconds(v) !== null;
}

/**
 * A commit body as the store keeps it beside its bytes (FAD-GL art. 2 e): its JSON, or why it has
 * none (not UTF-8 JSON, or U+0000 or a lone surrogate, which jsonb cannot keep). The bytes are
 * kept as received in every case (R-ELN-1, `storeCommit` in `src/services/elearning/commit.ts`);
 * this only decides what is parsed and flagged.
 */
export function decodeCommitBody(body: Uint8Array): { ok: true; parsed: unknown } | { ok: false; message: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
  } catch (err) {
    return { ok: false, message: `not UTF-8 JSON: ${(err as Error).message.slice(0, 200)}` };
  }
  // jsonb refuses U+0000 and lone surrogates; JSON.stringify writes exactly those as \u escapes.
  if (/\\u(?:0000|d[89a-f][0-9a-f]{2})/i.test(JSON.stringify(parsed))) {
    return { ok: false, message: 'holds U+0000 or a lone surrogate, which the store cannot index' };
  }
  return { ok: true, parsed };
}
