/** @module Instants with an offset (the JSON APIs): ISO 8601 text or epoch milliseconds, in a plausible range. */
import type { RejectCode } from './codes.ts';

const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
/** Instants from 2000 and before 2200 are plausible in a report (the Rome wall-clock reader uses the same range). */
export const MIN_PLAUSIBLE = Date.UTC(2000, 0, 1);
export const MAX_PLAUSIBLE = Date.UTC(2200, 0, 1);

export type InstantRead = { ok: true; ms: number } | { ok: false; code: 'time-unreadable' | 'time-without-offset' | 'time-implausible' };

/**
 * Reads an ISO 8601 instant. Fractions of any length are truncated to the millisecond (Graph
 * writes 7 digits). A value without offset is `time-without-offset` unless `naive: 'utc'`.
 * Numbers are epoch milliseconds (GoTo webhooks). Instants before 2000 or from 2200 are
 * `time-implausible` (check for sentinels before calling).
 */
export function readInstant(v: string | number, naive: 'utc' | 'reject' = 'reject'): InstantRead {
  const r =
    typeof v === 'number'
      ? Number.isSafeInteger(v)
        ? ({ ok: true, ms: v } as const)
        : ({ ok: false, code: 'time-unreadable' } as const)
      : parseIsoInstant(v, naive);
  if (!r.ok) return r;
  if (r.ms < MIN_PLAUSIBLE || r.ms >= MAX_PLAUSIBLE) return { ok: false, code: 'time-implausible' };
  return r;
}

/** ISO 8601 text → epoch ms, without the plausibility range of {@link readInstant}. */
export function parseIsoInstant(
  text: string,
  naive: 'utc' | 'reject',
): { ok: true; ms: number } | { ok: false; code: 'time-unreadable' | 'time-without-offset' } {
  const m = ISO_INSTANT.exec(text.trim());
  if (!m) return { ok: false, code: 'time-unreadable' };
  const [, y, mo, d, h, mi, s, frac, off] = m;
  if (!off && naive === 'reject') return { ok: false, code: 'time-without-offset' };
  const msPart = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), msPart);
  const check = new Date(local);
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi) ||
    check.getUTCSeconds() !== Number(s ?? 0)
  ) {
    return { ok: false, code: 'time-unreadable' };
  }
  let offsetMin = 0;
  if (off && off !== 'Z' && off !== 'z') {
    const om = /^([+-])(\d{2}):?(\d{2})?$/.exec(off)!;
    const oh = Number(om[2]);
    const omin = Number(om[3] ?? 0);
    if (oh > 23 || omin > 59) return { ok: false, code: 'time-unreadable' };
    offsetMin = (om[1] === '-' ? -1 : 1) * (oh * 60 + omin);
  }
  return { ok: true, ms: local - offsetMin * 60_000 };
}

export function isoOf(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Reads a JSON instant field that may be absent/null/empty (→ null). Returns the rejection code
 * for a present but unusable value.
 */
export function readJsonInstant(v: unknown, naive: 'utc' | 'reject'): { ok: true; ms: number | null } | { ok: false; code: RejectCode } {
  if (v === undefined || v === null || v === '') return { ok: true, ms: null };
  if (typeof v !== 'string' && typeof v !== 'number') return { ok: false, code: 'time-unreadable' };
  const r = readInstant(v, naive);
  return r.ok ? { ok: true, ms: r.ms } : { ok: false, code: r.code };
}
