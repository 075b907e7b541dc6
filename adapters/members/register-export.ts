/**
 * @module A CPO's register (Albo) export, CSV text or worksheet rows, read into valid member rows
 * and the rows rejected with their line numbers (used by the member import of the API and of
 * `npm run cli -- members import`). CSV is split by csv-parse; which header means which field,
 * register dates and the province and codice fiscale checks are the domain's.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { validateCodiceFiscale } from '../../src/domain/codice-fiscale.ts';
import { columnIndex, MemberCsvError, registerDate, REQUIRED_MEMBER_FIELDS, type MemberCell, type MemberField } from '../../src/domain/member-register.ts';
import { isProvinceCode } from '../../src/domain/provinces.ts';
import { cellText, cellWallClock } from '../../src/domain/spreadsheet-values.ts';
import { MEMBER_IMPORT_MAX_ROWS, MemberCreate, type MemberCsvRow, type RowRejection } from '../../src/schemas/members.ts';

/** The register's fields are the member schema's, no more, no fewer (a compile error otherwise). */
type Exactly<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const FIELDS_MATCH: Exactly<MemberField, keyof MemberCreate> = true;
void FIELDS_MATCH;

/** zod issue path → row rejection code. */
const ISSUE_CODES: Readonly<Record<string, string>> = {
  email: 'invalid-email',
  birthDate: 'invalid-date',
  registrationDate: 'invalid-date',
};

/**
 * Parses a register export with csv-parse (quotes, embedded delimiters and line breaks are the
 * parser's business, never split by hand) and validates each row against `MemberCreate`, the
 * codice fiscale check letter (R-TPL-3) and the 107 provinces. `;` or `,` is detected from the
 * header line. Row numbers are 1-based lines of the file, the header being line 1; a quoted
 * field spanning lines counts from its first line. With `onlyProvince` (a CPO), rows of other
 * provinces are rejected (`province-not-allowed`). Cell text is kept as is (a surname that looks
 * like a formula is just text here; spreadsheets written later escape it, R-TPL-4).
 *
 * @example parseMemberCsv('codice_fiscale;cognome;…\nRSSMRA85T10A562S;Rossi;…', null) // → { rows: [{ row: 2, … }], rejected: [] }
 */
export function parseMemberCsv(input: Uint8Array | string, onlyProvince: string | null): { rows: MemberCsvRow[]; rejected: RowRejection[] } {
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new MemberCsvError(422, 'invalid-encoding', 'The file is not UTF-8 text');
  }
  // One line terminator: csv-parse counts a CRLF inside a quoted field as two lines, which would
  // shift every later row number. Values spanning lines are not member data anyway.
  text = text.replace(/\r\n?/g, '\n');
  const firstLine = text.replace(/^\uFEFF/, '').split('\n', 1)[0] ?? '';
  const delimiter = count(firstLine, ';') > count(firstLine, ',') ? ';' : ',';

  const records: Array<{ line: number; fields: string[] }> = [];
  const rejected: RowRejection[] = [];
  let prevEnd = 0;
  let prevEmpty = 0;
  const startLine = (lines: number, emptyLines: number) => {
    const line = prevEnd + 1 + (emptyLines - prevEmpty);
    prevEnd = lines;
    prevEmpty = emptyLines;
    return line;
  };
  parseCsv(text, {
    bom: true,
    delimiter,
    // No `trim` option: csv-parse 7 stops reading the file after a non-blank character follows a
    // closing quote when it trims; cells are trimmed below instead.
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (fields: string[], ctx) => {
      records.push({ line: startLine(ctx.lines, ctx.empty_lines), fields: fields.map((f) => f.trim()) });
      return null;
    },
    on_skip: (err) => {
      const e = err as unknown as { lines?: number; empty_lines?: number; code?: string } | undefined;
      const line = startLine(e?.lines ?? prevEnd + 1, e?.empty_lines ?? prevEmpty);
      rejected.push({
        row: line,
        code: 'malformed-row',
        message:
          e?.code === 'CSV_QUOTE_NOT_CLOSED'
            ? 'a quoted field is never closed; the file was not read past this line'
            : `not a CSV row (${e?.code ?? 'parse error'})`,
      });
    },
  });

  const header = records.shift();
  if (!header) throw new MemberCsvError(422, 'missing-columns', 'The file has no header row');
  if (records.length > MEMBER_IMPORT_MAX_ROWS) throw new MemberCsvError(413, 'too-many-rows', `At most ${MEMBER_IMPORT_MAX_ROWS} rows per file`);
  const checked = validateMemberRecords(header.fields, records, onlyProvince);
  return { rows: checked.rows, rejected: [...rejected, ...checked.rejected].sort((a, b) => a.row - b.row) };
}

/**
 * The rows of a register worksheet (.xlsx, read by `adapters/xlsx/read-workbook.ts`): the first
 * row is the header, the others are validated by `validateMemberRecords`; rejected rows carry
 * their row number in the sheet. A file refused as a whole throws `MemberCsvError`.
 *
 * @example parseMemberSheet((await readWorkbook(bytes)).sheet.rows, null)
 */
export function parseMemberSheet(
  rows: ReadonlyArray<{ row: number; cells: readonly MemberCell[] }>,
  onlyProvince: string | null,
  opts: { date1904?: boolean } = {},
): { rows: MemberCsvRow[]; rejected: RowRejection[] } {
  const [header, ...data] = rows;
  if (!header) throw new MemberCsvError(422, 'missing-columns', 'The sheet has no header row');
  if (data.length > MEMBER_IMPORT_MAX_ROWS) throw new MemberCsvError(413, 'too-many-rows', `At most ${MEMBER_IMPORT_MAX_ROWS} rows per file`);
  return validateMemberRecords(
    header.cells,
    data.map((r) => ({ line: r.row, fields: r.cells })),
    onlyProvince,
    opts,
  );
}

/**
 * Validates the rows of a register file under its header (CSV or .xlsx): each row against
 * `MemberCreate`, the codice fiscale check letter (R-TPL-3) and the 107 provinces; with
 * `onlyProvince` (a CPO) rows of other provinces are rejected (`province-not-allowed`). `line` is
 * the row number reported. Text is trimmed; numbers are text (a register number `1234`), except
 * in date columns where a number is an Excel serial date and a `Date` its UTC calendar day
 * (`date1904` for workbooks counting from 1904). A missing or doubled column refuses the file
 * (`MemberCsvError`).
 *
 * @example validateMemberRecords(['codice_fiscale', 'cognome', …], [{ line: 2, fields: ['RSSMRA85T10A562S', 'Rossi', …] }], null)
 */
export function validateMemberRecords(
  headerCells: readonly MemberCell[],
  records: ReadonlyArray<{ line: number; fields: readonly MemberCell[] }>,
  onlyProvince: string | null,
  opts: { date1904?: boolean } = {},
): { rows: MemberCsvRow[]; rejected: RowRejection[] } {
  const headerText = headerCells.map((h) => cellText(h));
  const index = columnIndex(headerText);
  const rows: MemberCsvRow[] = [];
  const rejected: RowRejection[] = [];
  const seen = new Set<string>();
  for (const { line, fields } of records) {
    const reject = (code: string, message: string) => void rejected.push({ row: line, code, message });
    const cell = (f: MemberField): string => {
      const i = index[f];
      const v = i === undefined ? null : (fields[i] ?? null);
      if (typeof v === 'string' || v === null) return cellText(v);
      if (f === 'birthDate' || f === 'registrationDate') return cellWallClock(v, opts.date1904)?.date ?? cellText(v);
      return cellText(v);
    };
    // Rows of empty cells (`;;;;` as spreadsheets export them) are blank lines, not members.
    if (fields.every((f) => cellText(f) === '')) continue;
    const missing = REQUIRED_MEMBER_FIELDS.filter((f) => cell(f) === '');
    if (missing.length) {
      reject('missing-field', `empty: ${missing.map((f) => headerText[index[f]!]).join(', ')}`);
      continue;
    }
    const cf = validateCodiceFiscale(cell('codiceFiscale'));
    if (!cf.ok) {
      reject('invalid-codice-fiscale', `codice fiscale not valid (${cf.code})`);
      continue;
    }
    const province = cell('province').toUpperCase();
    if (!isProvinceCode(province)) {
      reject('unknown-province', 'not one of the 107 province codes');
      continue;
    }
    if (onlyProvince && province !== onlyProvince) {
      reject('province-not-allowed', `a CPO imports members of its own province (${onlyProvince}) only`);
      continue;
    }
    const birthDate = registerDate(cell('birthDate'));
    const registrationDate = registerDate(cell('registrationDate'));
    if (!birthDate || !registrationDate) {
      reject('invalid-date', `${!birthDate ? 'birth' : 'registration'} date is not a date (YYYY-MM-DD or dd/mm/yyyy)`);
      continue;
    }
    const email = cell('email');
    const candidate = MemberCreate.safeParse({
      codiceFiscale: cf.value,
      surname: cell('surname'),
      givenName: cell('givenName'),
      province,
      registerNumber: cell('registerNumber'),
      birthDate,
      registrationDate,
      ...(email ? { email } : {}),
    });
    if (!candidate.success) {
      const issue = candidate.error.issues[0]!;
      const field = String(issue.path[0] ?? '');
      reject(ISSUE_CODES[field] ?? 'invalid-field', `${field || 'row'}: ${issue.message}`);
      continue;
    }
    if (seen.has(cf.value)) {
      reject('duplicate-in-file', 'the same codice fiscale appears on an earlier line');
      continue;
    }
    seen.add(cf.value);
    rows.push({ ...candidate.data, row: line });
  }
  return { rows, rejected };
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}
