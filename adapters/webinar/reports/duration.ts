/** @module Durations written as text (`1h 30m 51s`, localised units) in seconds. */

/**
 * Teams duration text `1h 30m 51s`, `10m 59s`, `45s`, `1h 25m 0s` (also `1 h 30 min`), in seconds.
 * Teams localises the units (a Polish export writes `1 godz. 3 min 5 sek.`), so spelled-out and
 * abbreviated units are accepted too: h/hr/ora/ore/godz., m/min/minuti, s/sec/sek./secondi.
 */
export function parseTextDuration(v: string): number | undefined {
  const t = v.trim().toLowerCase();
  if (!t) return undefined;
  const m =
    /^(?:(\d+)\s*(?:hrs|hr|h|ore|ora|godz\.?))?\s*(?:(\d+)\s*(?:minuti|minuto|mins|min|m)\.?)?\s*(?:(\d+)\s*(?:secondi|secondo|secs|sec|sek|s)\.?)?$/.exec(t);
  if (!m || (m[1] === undefined && m[2] === undefined && m[3] === undefined)) return undefined;
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}
