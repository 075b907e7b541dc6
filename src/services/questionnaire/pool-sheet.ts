/**
 * @module The 30 scientific questions of a kind-e webinar read from a spreadsheet (CSV or .xlsx):
 * one question a row, its options in the columns Risposta 1..6, the right one by its number.
 * Reading only: whether the questions make a valid pool is R-QST-3's, checked by `validatePool`
 * where the pool is stored (`createEvent`, `replaceQuestionPool`), so its violations name the
 * question, which `rows` turns back into the file's line.
 */
import { QUESTIONNAIRE_RULES, type PoolQuestionDraft } from '../../domain/questionnaire.ts';
import type { SheetRow } from '../../domain/spreadsheet-values.ts';
import type { ServiceContext } from '../context.ts';
import { cellText, findHeader, readUploadedSheet } from '../uploaded-sheets.ts';

const OPTION_COLUMNS = Array.from({ length: QUESTIONNAIRE_RULES.maxOptions }, (_, i) => `Risposta ${i + 1}`);

/** The columns, by their headers (case and accents ignored). */
export const POOL_SHEET_COLUMNS = ['Domanda', ...OPTION_COLUMNS, 'Risposta corretta'] as const;

/** The blank template: the header row, `;`-separated, with a BOM so that Excel reads it as UTF-8. */
export function poolTemplateCsv(): string {
  return `\uFEFF${POOL_SHEET_COLUMNS.join(';')}\r\n`;
}

export interface PoolSheet {
  questions: PoolQuestionDraft[];
  /** The file's line of each question, by position. */
  rows: number[];
  /** Lines that could not be read as CSV. */
  malformed: number[];
}

type Key = 'text' | `o${number}` | 'correct';

/**
 * Reads the questions of an uploaded file. The right answer is the number of its column
 * (Risposta 1 = 1); blank option columns are skipped, so a question with 3 options may use any
 * 3 of the 6. A right answer that is not a number, or names a blank column, is kept as an
 * impossible index for `validatePool` to refuse (`correct-out-of-range`).
 */
export async function readPoolSheet(ctx: Pick<ServiceContext, 'config'>, bytes: Buffer): Promise<PoolSheet> {
  const sheet = await readUploadedSheet(bytes, 'sniff', { limits: { maxBytes: ctx.config.UPLOAD_MAX_BYTES, maxRows: 1000 } });
  const columns: { key: Key; names: string[]; required: boolean }[] = [
    { key: 'text', names: ['domanda'], required: true },
    ...OPTION_COLUMNS.map((h, i) => ({ key: `o${i + 1}` as Key, names: [h.toLowerCase()], required: i < QUESTIONNAIRE_RULES.minOptions })),
    { key: 'correct', names: ['risposta corretta', 'corretta'], required: true },
  ];
  const { at, index } = findHeader<Key>(sheet.rows, columns);
  const get = (r: SheetRow, k: Key) => {
    const i = index.get(k);
    return i === undefined ? '' : cellText(r.cells[i] ?? null);
  };
  const questions: PoolQuestionDraft[] = [];
  const rows: number[] = [];
  for (const r of sheet.rows.slice(at + 1)) {
    const text = get(r, 'text');
    const cells = OPTION_COLUMNS.map((_, i) => get(r, `o${i + 1}`));
    const correctText = get(r, 'correct');
    if (!text && !correctText && cells.every((c) => !c)) continue;
    const options: string[] = [];
    let correct = Number.NaN;
    const wanted = /^\d{1,2}$/.test(correctText) ? Number(correctText) : Number.NaN;
    cells.forEach((c, i) => {
      if (!c) return;
      if (i + 1 === wanted) correct = options.length;
      options.push(c);
    });
    if (Number.isInteger(wanted) && Number.isNaN(correct)) correct = -1;
    questions.push({ text, options, correct });
    rows.push(r.row);
  }
  return { questions, rows, malformed: sheet.malformed.map((m) => m.row) };
}
