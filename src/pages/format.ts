/** @module Dates as members read them: Europe/Rome (R-CAL-2), in Italian words as domain/italian-dates.ts writes them (`1°` for the first). */
import { DateTime } from 'luxon';
import { ROME } from '../domain/calendar.ts';
import { italianDate as inWords } from '../domain/italian-dates.ts';

export { withArticle } from '../domain/italian-dates.ts';

/** `15 marzo 2026`, `1° marzo 2026` */
export function italianDate(d: Date): string {
  return inWords(d);
}

/** `15 marzo 2026 alle 23:59` */
export function italianDateTime(d: Date): string {
  return `${inWords(d)} alle ${DateTime.fromJSDate(d, { zone: ROME }).toFormat('HH:mm')}`;
}

/** A calendar date `YYYY-MM-DD` (a Rome date as stored) in Italian words: `15 marzo 2026`. */
export function italianDay(isoDate: string): string {
  return inWords(DateTime.fromISO(isoDate, { zone: ROME }).toMillis());
}
