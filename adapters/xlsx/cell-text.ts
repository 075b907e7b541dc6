/**
 * @module Text written to a spreadsheet cell never starts a formula (R-TPL-4) and never breaks
 * the file. Pure.
 *
 * Why an apostrophe: OWASP's CSV/formula-injection advice is to prefix a value that starts with
 * `=`, `+`, `-`, `@`, tab or carriage return with a single quote. The quote is part of the value,
 * so it survives every later hop (copy-paste, "save as CSV", another program re-importing it):
 * Excel's `quotePrefix` cell style, by contrast, hides the quote but keeps the value `=…`, which
 * becomes a live formula again as soon as the sheet is saved as CSV. The cost is a visible `'`
 * at the start of the rare names and numbers that need it (`'+39 …`, `'-`, `'=HYPERLINK(…)`),
 * which is what a reader should see: the text is data, not something the sheet computes.
 *
 * The triggers are the domain's (`src/domain/spreadsheet-values.ts`, shared with the upload
 * check). Writing is stricter than reading: every text starting with one is escaped, including
 * a signed number such as `+39 02…`, which the upload check lets through as harmless.
 *
 * Also removed: characters XML 1.0 cannot carry (C0 controls other than tab, line feed and
 * carriage return, lone UTF-16 surrogates, U+FFFE/U+FFFF), which would make Excel refuse the
 * whole file; and text beyond Excel's 32,767 characters per cell.
 */
import { FORMULA_TRIGGERS } from '../../src/domain/spreadsheet-values.ts';

export { FORMULA_TRIGGERS };

/** Excel's limit of characters in one cell. */
export const MAX_CELL_CHARS = 32_767;

// C0 controls except \t \n \r, DEL, U+FFFE/U+FFFF, and surrogates not part of a pair.
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * The text to write in a cell: XML-safe, at most 32,767 characters, and prefixed with `'` when it
 * would start a formula (R-TPL-4), also after leading blanks.
 *
 * @example safeCellText('=HYPERLINK("http://x","y")') // → `'=HYPERLINK("http://x","y")`
 * @example safeCellText('Rossi') // → 'Rossi'
 *
 * @rule R-TPL-4
 */
export function safeCellText(value: string): string {
  let s = value.replace(NOT_XML, '');
  // Leading blanks do not protect: some programs trim them on import (and the upload check reads
  // trimmed text), so ` =1+1` is escaped too.
  const first = s[0] !== undefined && FORMULA_TRIGGERS.includes(s[0]) ? s[0] : s.trimStart()[0];
  if (first !== undefined && FORMULA_TRIGGERS.includes(first)) s = `'${s}`;
  if (s.length > MAX_CELL_CHARS) {
    s = s.slice(0, MAX_CELL_CHARS);
    if (/[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1); // never cut a surrogate pair in half
  }
  return s;
}
