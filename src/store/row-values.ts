/** @module Column values as both drivers give them back: instants, jsonb and text[], normalised for the registry records. */

export const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();
export const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

/** jsonb comes back parsed from both drivers; a string is parsed defensively. */
export function json<T>(v: T | string): T {
  return typeof v === 'string' ? (JSON.parse(v) as T) : v;
}

/** text[] comes back as a JS array from both drivers; the `{a,b}` literal form is parsed defensively. */
export function textArray(v: readonly string[] | string): string[] {
  if (Array.isArray(v)) return [...v];
  const s = String(v);
  if (s === '{}' || s === '') return [];
  return s
    .replace(/^\{|\}$/g, '')
    .split(',')
    .map((x) => x.replace(/^"|"$/g, ''));
}
