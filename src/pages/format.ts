/** @module Dates as members read them: Europe/Rome (R-CAL-2), Italian words, via luxon. */
import { DateTime } from 'luxon';

const ROME = 'Europe/Rome';

/** `15 marzo 2026` */
export function italianDate(d: Date): string {
  return DateTime.fromJSDate(d, { zone: ROME }).setLocale('it').toFormat('d MMMM yyyy');
}

/** `15 marzo 2026 alle 23:59` */
export function italianDateTime(d: Date): string {
  return DateTime.fromJSDate(d, { zone: ROME }).setLocale('it').toFormat("d MMMM yyyy 'alle' HH:mm");
}

/** A calendar date `YYYY-MM-DD` (a Rome date as stored) in Italian words: `15 marzo 2026`. */
export function italianDay(isoDate: string): string {
  return DateTime.fromISO(isoDate, { zone: ROME }).setLocale('it').toFormat('d MMMM yyyy');
}
