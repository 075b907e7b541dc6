/**
 * @module What the verification's list says to people (issue 15): each status in Italian words,
 * and the columns of the exported list, one definition for the CSV and the xlsx file (R-VER-10).
 * Words and columns as data, shared by the console's page, both exports and the tests. Pure.
 */
import type { VerificationPhase, VerificationRow, VerificationStatus } from './verification.ts';

/** A verification row with the member it is about, for people to read (the console, the exports). */
export type NamedVerificationRow = VerificationRow & { surname: string; givenName: string; codiceFiscale: string };

/**
 * The statuses of R-VER-4 in Italian, as the console's page and both exports write them.
 *
 * @rule R-VER-10
 */
export const VERIFICATION_STATUS_TEXT: Readonly<Record<VerificationStatus, string>> = {
  compliant: 'In regola',
  reduced: 'In regola con riduzione',
  'new-member': 'In regola (nuovo iscritto)',
  'not-due': 'Obbligo non ancora iniziato',
  short: 'Non in regola',
  'debt-accepted': 'Debito accolto, da recuperare entro il 30 giugno',
  'debt-settled': 'In regola: debito recuperato',
  'debt-not-settled': 'Non in regola: debito non recuperato',
};

/** The phase in words, as the file names and the xlsx file's `Versione` sheet say it. */
export const VERIFICATION_PHASE_TEXT: Readonly<Record<VerificationPhase, string>> = { february: 'febbraio', june: 'giugno' };

export interface ExportColumn {
  header: string;
  /** `text` cells go through the spreadsheet's text guard (R-TPL-4); `number` cells are numbers in both formats. */
  kind: 'text' | 'number';
  /** Width in characters in the xlsx file. */
  width: number;
  value(row: NamedVerificationRow): string | number;
}

/**
 * The columns of the exported list, in order: the same headers, values and order in the CSV and
 * in the xlsx file, one row per member of the version (R-VER-10).
 *
 * @rule R-VER-10
 */
export const VERIFICATION_EXPORT_COLUMNS: readonly ExportColumn[] = [
  { header: 'Codice fiscale', kind: 'text', width: 19, value: (r) => r.codiceFiscale },
  { header: 'Cognome', kind: 'text', width: 24, value: (r) => r.surname },
  { header: 'Nome', kind: 'text', width: 22, value: (r) => r.givenName },
  { header: 'Situazione', kind: 'text', width: 46, value: (r) => VERIFICATION_STATUS_TEXT[r.status] },
  { header: 'Crediti', kind: 'number', width: 9, value: (r) => r.credits.total },
  { header: 'Di cui deontologia', kind: 'number', width: 18, value: (r) => r.credits.deontology },
  { header: 'Obbligo', kind: 'number', width: 9, value: (r) => r.obligation.total },
  { header: 'Mancano', kind: 'number', width: 9, value: (r) => r.missing.total },
  { header: 'Mancano di deontologia', kind: 'number', width: 22, value: (r) => r.missing.deontology },
];

/** The cells of one member's line, in column order. */
export function exportCells(row: NamedVerificationRow): Array<string | number> {
  return VERIFICATION_EXPORT_COLUMNS.map((c) => c.value(row));
}

/**
 * The file name of an export: only `[A-Za-z0-9_.-]`, so no client needs quoting or encoding.
 *
 * @example exportFilename({ province: 'MI', biennium: 2025, phase: 'february', version: 3 }, 'xlsx') // 'verifica_MI_2025-2026_febbraio_v3.xlsx'
 */
export function exportFilename(s: { province: string; biennium: number; phase: VerificationPhase; version: number }, format: 'csv' | 'xlsx'): string {
  return `verifica_${s.province}_${s.biennium}-${s.biennium + 1}_${VERIFICATION_PHASE_TEXT[s.phase]}_v${s.version}.${format}`;
}
