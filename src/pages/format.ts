/** @module Dates as members read them: Europe/Rome (R-CAL-2), Italian words, via luxon; `1°` for the first (italian-dates.ts). */
import { DateTime } from 'luxon';
import { dayNumber } from '../domain/italian-dates.ts';

export { withArticle } from '../domain/italian-dates.ts';

const ROME = 'Europe/Rome';

/** `15 marzo 2026`, `1° marzo 2026` */
export function italianDate(d: Date): string {
  return words(DateTime.fromJSDate(d, { zone: ROME }));
}

/** `15 marzo 2026 alle 23:59` */
export function italianDateTime(d: Date): string {
  const t = DateTime.fromJSDate(d, { zone: ROME });
  return `${words(t)} alle ${t.toFormat('HH:mm')}`;
}

/** A calendar date `YYYY-MM-DD` (a Rome date as stored) in Italian words: `15 marzo 2026`. */
export function italianDay(isoDate: string): string {
  return words(DateTime.fromISO(isoDate, { zone: ROME }));
}

function words(d: DateTime): string {
  return `${dayNumber(d.day)} ${d.setLocale('it').toFormat('MMMM yyyy')}`;
}
