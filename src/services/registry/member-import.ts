/**
 * @module Importing members from a register (Albo) export, CSV or worksheet rows: the API route
 * and `npm run cli -- members import` both call `importMembers`. Upsert by codice fiscale; every
 * row refused is listed with its line and code, a file refused as a whole is a `ServiceError`.
 */
import { MemberCsvError, planMemberImport } from '../../domain/member-register.ts';
import type { SheetRow } from '../../domain/spreadsheet-values.ts';
import { parseMemberCsv, parseMemberSheet } from '../../../adapters/members/register-export.ts';
import type { MemberImportResult } from '../../schemas/members.ts';
import { lockMembersForImport, registerEntriesByCodiceFiscale, registerNumberHolders, upsertMembers } from '../../store/members.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

/** A register file as the caller read it: CSV bytes (or text), or the rows of its first worksheet. */
export type MemberImportFile = { format: 'csv'; bytes: Uint8Array | string } | { format: 'sheet'; rows: readonly SheetRow[]; date1904: boolean };

/**
 * Imports a register file. `actor` null is the operator at the command line; a CPO imports the
 * members of its own province only (`province-not-allowed` for the others, also for a member now
 * registered elsewhere: transfers are the CN's). The members table is locked from the first read
 * to COMMIT, so the register-number checks hold when the rows are written.
 *
 * @example await importMembers({ db, log }, null, { format: 'csv', bytes: fs.readFileSync('albo.csv') })
 */
export async function importMembers(ctx: Pick<ServiceContext, 'db' | 'log'>, actor: Actor | null, file: MemberImportFile): Promise<MemberImportResult> {
  const onlyProvince = actor?.role === 'cpo' ? actor.subject : null;
  let parsed: ReturnType<typeof parseMemberCsv>;
  try {
    parsed = file.format === 'csv' ? parseMemberCsv(file.bytes, onlyProvince) : parseMemberSheet(file.rows, onlyProvince, { date1904: file.date1904 });
  } catch (err) {
    if (err instanceof MemberCsvError) throw new ServiceError(err.code, err.message, err.extra);
    throw err;
  }
  const rows = parsed.rows;
  const stored = await ctx.db.transaction(async (tx) => {
    await lockMembersForImport(tx);
    const existing = await registerEntriesByCodiceFiscale(
      tx,
      rows.map((r) => r.codiceFiscale),
    );
    const holders = await registerNumberHolders(tx, rows);
    const plan = planMemberImport(rows, existing, holders, onlyProvince);
    let created = 0;
    let updated = 0;
    for (const cf of await upsertMembers(tx, plan.accepted)) {
      if (existing.has(cf)) updated++;
      else created++;
    }
    return { created, updated, unchanged: plan.accepted.length - created - updated, rejected: plan.rejected };
  });
  const result: MemberImportResult = {
    created: stored.created,
    updated: stored.updated,
    unchanged: stored.unchanged,
    rejected: [...parsed.rejected, ...stored.rejected].sort((a, b) => a.row - b.row),
  };
  // Counts only: rejection messages never carry cell values, but they stay out of logs anyway.
  ctx.log.info({ created: result.created, updated: result.updated, unchanged: result.unchanged, rejected: result.rejected.length }, 'members imported');
  return result;
}
