/** @module Finding columns by their header text (case, accents and punctuation ignored), and quoting headers in errors. */

/**
 * Header text reduced for matching: lower case, accents removed, every run of non-letters and
 * non-digits a single space. `In-Meeting Duration` → `in meeting duration`,
 * `Indirizzo di posta elettronica` → `indirizzo di posta elettronica`, `Attività` → `attivita`.
 */
export function normaliseHeader(h: string): string {
  return h
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * Header cells for an error message: at most 12, each cut to 40 characters, control characters
 * removed, quoted. Column titles are not personal data, but the list is bounded anyway.
 */
export function describeHeaders(cells: readonly string[]): string {
  const shown = cells
    .map((c) => c.replace(/[\u0000-\u001f\u007f]/g, ' ').trim())
    .filter((c) => c.length > 0)
    .slice(0, 12)
    .map((c) => JSON.stringify(Array.from(c).slice(0, 40).join('')));
  return shown.length > 0 ? shown.join(', ') : '(none)';
}
