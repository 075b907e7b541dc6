/**
 * @module Dates in Italian words on the Rome calendar (R-CAL-2), and the article or articulated
 * preposition before them. Pure: instants are passed in; luxon only converts to Europe/Rome.
 *
 * Decisions taken here:
 *
 * - **The first of the month is `1°`** (ordinal), as Italian administrative texts write it: every
 *   date in words says `1° marzo 2026`, bare or after an article (`il 1° marzo`, `dal 1° marzo`).
 *   Other days are cardinal (`2 marzo`, `8 marzo`).
 * - **Before 8 and 11 the article elides** (they start with a vowel sound: "otto", "undici"):
 *   `l’8 marzo`, `dall’11 aprile`, `all’8`, `dell’11`, `nell’8`, `sull’11`; every other day keeps
 *   it (`il 18 marzo`, `al 21 aprile`, `il 1° maggio`).
 * - **The apostrophe is the typographic `’`** (U+2019), as the documents and pages write
 *   `L’attestato`; a text written with the ASCII `'` (the plain-text mails) asks for it.
 */
import { DateTime } from 'luxon';
import { ROME } from './calendar.ts';

const MONTHS = ['gennaio', 'febbraio', 'marzo', 'aprile', 'maggio', 'giugno', 'luglio', 'agosto', 'settembre', 'ottobre', 'novembre', 'dicembre'] as const;

/** The articles and articulated prepositions that can precede a day number, with their elided form. */
const ELIDED = { il: 'l', dal: 'dall', al: 'all', del: 'dell', nel: 'nell', sul: 'sull' } as const;

export type Article = keyof typeof ELIDED;

/** `1°` for the first of the month, else the number: the day as a date in words writes it. */
export function dayNumber(day: number): string {
  return day === 1 ? '1°' : String(day);
}

/** `15 marzo 2026`, `1° marzo 2026` on the Rome calendar (R-CAL-2). */
export function italianDate(at: number | Date): string {
  const d = rome(at);
  return `${dayNumber(d.day)} ${MONTHS[d.month - 1]} ${d.year}`;
}

/** `15 marzo 2026, ore 14:05` on the Rome calendar (R-CAL-2). */
export function italianDateTime(at: number | Date): string {
  const d = rome(at);
  return `${italianDate(d.toMillis())}, ore ${d.toFormat('HH:mm')}`;
}

/**
 * The article or articulated preposition joined to a date text that starts with its day number:
 * `withArticle('il', '8 marzo 2026')` is `l’8 marzo 2026`, `withArticle('dal', '1° marzo')` is
 * `dal 1° marzo`. A capitalised article (`Dal`, `Il`) stays capitalised (`Dall’11`, `L’8`).
 */
export function withArticle(article: Article | Capitalize<Article>, date: string, opts: { apostrophe?: '’' | "'" } = {}): string {
  // 8 and 11 alone, not 18, 80 or 1°.
  if (!/^(8|11)(?![\d°])/.test(date)) return `${article} ${date}`;
  const lower = article.toLowerCase() as Article;
  const elided = ELIDED[lower];
  const word = article === lower ? elided : elided.charAt(0).toUpperCase() + elided.slice(1);
  return `${word}${opts.apostrophe ?? '’'}${date}`;
}

/** `l’8 marzo 2026`, `dal 1° marzo 2026`: `withArticle` of `italianDate`, on the Rome calendar. */
export function articledDate(article: Article | Capitalize<Article>, at: number | Date, opts: { apostrophe?: '’' | "'" } = {}): string {
  return withArticle(article, italianDate(at), opts);
}

function rome(at: number | Date): DateTime {
  const ms = at instanceof Date ? at.getTime() : at;
  if (!Number.isFinite(ms)) throw new RangeError(`date is not a valid instant: ${String(at)}`);
  return DateTime.fromMillis(ms, { zone: ROME });
}
