/**
 * @module A register (Albo) export as members: which header names mean which field, register
 * dates, the refusal of a whole file, and which rows of an import may be written given the
 * members already stored (register numbers unique per province; a CPO writes its own province).
 * Pure.
 */
import type { CellValue } from './spreadsheet-values.ts';

/** A cell of a register file: CSV text, or what the .xlsx reader gives (`adapters/xlsx/read-workbook.ts`). */
export type MemberCell = CellValue;

/** The whole file is refused (encoding, header, size); row problems are listed, not thrown. */
export class MemberCsvError extends Error {
  constructor(
    readonly status: 413 | 422,
    readonly code: 'invalid-encoding' | 'missing-columns' | 'duplicate-columns' | 'too-many-rows',
    message: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The fields of a member in a register file (the keys of the `MemberCreate` schema). */
export type MemberField = keyof typeof COLUMN_ALIASES;

/** Header names accepted for each field, normalised (lower case, `_` for spaces and dashes). */
export const COLUMN_ALIASES = {
  codiceFiscale: ['codice_fiscale', 'codicefiscale', 'cf', 'fiscal_code', 'tax_code'],
  surname: ['cognome', 'surname', 'last_name'],
  givenName: ['nome', 'given_name', 'givenname', 'first_name'],
  province: ['provincia', 'province', 'albo'],
  registerNumber: ['numero_iscrizione', 'register_number', 'n_iscrizione', 'numero_albo'],
  birthDate: ['data_nascita', 'data_di_nascita', 'birth_date', 'birthdate'],
  registrationDate: ['data_iscrizione', 'data_di_iscrizione', 'registration_date'],
  email: ['email', 'e_mail', 'mail'],
} as const;

export const REQUIRED_MEMBER_FIELDS: readonly MemberField[] = [
  'codiceFiscale',
  'surname',
  'givenName',
  'province',
  'registerNumber',
  'birthDate',
  'registrationDate',
];

/** Maps header cells to fields; a required column missing, or a field given twice, refuses the file. */
export function columnIndex(header: readonly string[]): Partial<Record<MemberField, number>> {
  const index: Partial<Record<MemberField, number>> = {};
  const duplicated: string[] = [];
  const fields = Object.keys(COLUMN_ALIASES) as MemberField[];
  header.forEach((h, i) => {
    const norm = h
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_');
    const field = fields.find((f) => (COLUMN_ALIASES[f] as readonly string[]).includes(norm));
    if (!field) return;
    if (index[field] !== undefined) duplicated.push(h);
    else index[field] = i;
  });
  if (duplicated.length) throw new MemberCsvError(422, 'duplicate-columns', `Columns given twice: ${duplicated.join(', ')}`);
  const missing = REQUIRED_MEMBER_FIELDS.filter((f) => index[f] === undefined).map((f) => COLUMN_ALIASES[f][0]);
  if (missing.length) throw new MemberCsvError(422, 'missing-columns', `Missing columns: ${missing.join(', ')}`, { missing });
  return index;
}

/** `YYYY-MM-DD` or `d/m/yyyy` → `YYYY-MM-DD` when it is a real calendar date, else null. */
export function registerDate(s: string): string | null {
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s))) [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Where a member stands in the register: the codice fiscale holding a province's register number. */
export interface RegisterEntry {
  codiceFiscale: string;
  province: string;
  registerNumber: string;
}

export interface ImportRejection {
  row: number;
  code: string;
  message: string;
}

/**
 * Which rows of an import may be written, in file order. Rows are valid and de-duplicated by
 * codice fiscale; `existing` are the stored members the rows name (by codice fiscale), `holders`
 * the stored holders of the (province, register number) pairs the rows use. Rejected: a register
 * number held by someone else (`register-number-taken`, counting the rows accepted before it) and,
 * with `onlyProvince` (a CPO), a member currently registered in another province
 * (`province-not-allowed`: transfers are the CN's).
 *
 * @example planMemberImport(rows, new Map(), [], 'MI') // → { accepted: rows, rejected: [] }
 */
export function planMemberImport<R extends { row: number; codiceFiscale: string; province: string; registerNumber: string }>(
  rows: readonly R[],
  existing: ReadonlyMap<string, { province: string; registerNumber: string }>,
  holders: readonly RegisterEntry[],
  onlyProvince: string | null | undefined,
): { accepted: R[]; rejected: ImportRejection[] } {
  // Holder (codice fiscale) of each (province, register number) the file or its members touch.
  const holder = new Map<string, string>();
  const pair = (province: string, n: string) => `${province}\u0000${n}`;
  for (const [cf, e] of existing) holder.set(pair(e.province, e.registerNumber), cf);
  for (const h of holders) holder.set(pair(h.province, h.registerNumber), h.codiceFiscale);

  const rejected: ImportRejection[] = [];
  const accepted: R[] = [];
  for (const r of rows) {
    const old = existing.get(r.codiceFiscale);
    if (onlyProvince && old && old.province !== onlyProvince) {
      rejected.push({ row: r.row, code: 'province-not-allowed', message: 'the member is registered in another province' });
      continue;
    }
    const p = pair(r.province, r.registerNumber);
    const h = holder.get(p);
    if (h && h !== r.codiceFiscale) {
      rejected.push({ row: r.row, code: 'register-number-taken', message: 'another member holds this register number in this province' });
      continue;
    }
    if (old) holder.delete(pair(old.province, old.registerNumber));
    holder.set(p, r.codiceFiscale);
    accepted.push(r);
  }
  return { accepted, rejected };
}
