/**
 * @module Registering members to an event from a spreadsheet (CSV or .xlsx): each row names a
 * member by codice fiscale, with the platform's e-mail and/or registrant id (R-ATT-7); the rows
 * go to `registerMembers` (the operation the API calls), and every refused row comes back with
 * its line number in the file and a code.
 */
import type { SheetRow } from '../../domain/spreadsheet-values.ts';
import { MAX_REGISTRATIONS, type RegistrationInput } from '../../schemas/registrations.ts';
import { Email } from '../../schemas/registry-fields.ts';
import { visibleEvent } from '../access.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { cellText, findHeader, readUploadedSheet } from '../uploaded-sheets.ts';
import { registerMembers } from './registrations.ts';

/** The columns of a registration file, by their Italian header (case, accents and spacing ignored); alternatives accepted. */
export const REGISTRATION_COLUMNS = [
  { key: 'codiceFiscale', header: 'Codice fiscale', names: ['codice fiscale', 'codice_fiscale', 'codicefiscale', 'cf'], required: true },
  { key: 'email', header: 'E-mail', names: ['e-mail', 'email', 'mail', 'indirizzo e-mail'], required: false },
  {
    key: 'registrantId',
    header: 'ID iscritto piattaforma',
    names: ['id iscritto piattaforma', 'registrant id', 'registrant_id', 'id iscritto'],
    required: false,
  },
] as const;

type ColumnKey = (typeof REGISTRATION_COLUMNS)[number]['key'];

/** The blank template: the header row, `;`-separated, with a BOM so that Excel reads it as UTF-8. */
export function registrationTemplateCsv(): string {
  return `\uFEFF${REGISTRATION_COLUMNS.map((c) => c.header).join(';')}\r\n`;
}

export interface RegistrationImportResult {
  registered: number;
  /** Refused rows: the line in the file and the code (`missing-field`, `invalid-email`, `malformed-row`, and those of `registerMembers`). */
  rejected: Array<{ row: number; code: string }>;
  /** Rows registered although the member is outside the webinar's audience (R-EVT-4): no credit (R-ATT-8). */
  outsideAudience: Array<{ row: number }>;
  /** Rows with nothing in them. */
  empty: number;
}

/**
 * Reads the file and registers its rows to the event (which the actor must be able to see, and
 * register to: the same checks as `registerMembers`). A file refused as a whole is a `ServiceError`
 * (the reader's codes, `missing-columns`).
 */
export async function importRegistrations(
  ctx: Pick<ServiceContext, 'db' | 'attendance' | 'redisReady' | 'log' | 'config'>,
  actor: Actor,
  eventId: string,
  bytes: Buffer,
): Promise<RegistrationImportResult> {
  await visibleEvent(ctx.db, actor, eventId);
  const sheet = await readUploadedSheet(bytes, 'sniff', { limits: { maxBytes: ctx.config.UPLOAD_MAX_BYTES, maxRows: MAX_REGISTRATIONS + 10 } });
  const { at, index } = findHeader<ColumnKey>(sheet.rows, REGISTRATION_COLUMNS);
  const rejected: RegistrationImportResult['rejected'] = sheet.malformed.map((m) => ({ row: m.row, code: 'malformed-row' }));
  const inputs: RegistrationInput[] = [];
  const lineOf: number[] = [];
  let empty = 0;
  const get = (r: SheetRow, k: ColumnKey) => {
    const i = index.get(k);
    return i === undefined ? '' : cellText(r.cells[i] ?? null);
  };
  for (const r of sheet.rows.slice(at + 1)) {
    const cf = get(r, 'codiceFiscale');
    const email = get(r, 'email');
    const registrantId = get(r, 'registrantId');
    if (!cf && !email && !registrantId) {
      empty++;
      continue;
    }
    if (!cf) {
      rejected.push({ row: r.row, code: 'missing-field' });
      continue;
    }
    const parsedEmail = email ? Email.safeParse(email) : null;
    if (parsedEmail && !parsedEmail.success) {
      rejected.push({ row: r.row, code: 'invalid-email' });
      continue;
    }
    if (registrantId.length > 200 || cf.length > 32) {
      rejected.push({ row: r.row, code: 'invalid-field' });
      continue;
    }
    inputs.push({
      codiceFiscale: cf,
      ...(parsedEmail?.success ? { email: parsedEmail.data } : {}),
      ...(registrantId ? { registrantId } : {}),
    });
    lineOf.push(r.row);
  }
  if (inputs.length > MAX_REGISTRATIONS)
    throw new ServiceError('too-many-rows', `At most ${MAX_REGISTRATIONS} registrations per file`, { maxRows: MAX_REGISTRATIONS });
  if (!inputs.length) return { registered: 0, rejected: rejected.sort((a, b) => a.row - b.row), outsideAudience: [], empty };
  const out = await registerMembers(ctx, actor, eventId, inputs);
  return {
    registered: out.registered,
    rejected: [...rejected, ...out.rejected.map((x) => ({ row: lineOf[x.index]!, code: x.code }))].sort((a, b) => a.row - b.row),
    outsideAudience: out.outsideAudience.map((x) => ({ row: lineOf[x.index]! })),
    empty,
  };
}
