/**
 * @module A filled attendance file (xlsx or CSV) uploaded for an event (R-TPL-3): every row is
 * checked and answered, valid rows become attendance evidence, the event is re-derived.
 *
 * Evidence: each valid row is a `join` at the entry and a `leave` at the exit, source `upload`
 * (or `upload:in-person`, R-FAD-1), naming the member directly with the author and the row as
 * reason. Their ids are derived from (member, entry, exit) only, so the same presence uploaded
 * again with the same presence is a duplicate (R-ATT-1); the pair shares a connection id, so it
 * pairs as exactly one interval. An upload that adds nothing stores no delivery and triggers no
 * derivation; one where no row is valid stores nothing (`no-valid-rows`).
 */
import crypto from 'node:crypto';
import { matchAttendanceRows, parseAttendanceSheet, type ValidRow } from '../../domain/attendance-file.ts';
import { IN_PERSON_UPLOAD_SOURCE } from '../../domain/credits.ts';
import { FUTURE_SKEW_MS } from '../../domain/evidence.ts';
import type { Logger } from '../../log.ts';
import { membersOfFile, storedRecordCount } from '../../store/attendance-changes.ts';
import { storeEvidence, type StoredRecord } from '../../store/evidence.ts';
import type { EventAccessRow } from '../access.ts';
import { actorId, actorRef, type Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { readUploadedSheet, type UploadFormat } from '../uploaded-sheets.ts';

/** The evidence source of uploaded attendance files attended online (`presence=online`, the default). */
export const UPLOAD_SOURCE = 'upload';
/** The evidence source of uploaded attendance files attended in the room (`presence=in-person`, R-FAD-1). */
export const UPLOAD_IN_PERSON_SOURCE = IN_PERSON_UPLOAD_SOURCE;

/** How the rows of an uploaded file were attended (R-FAD-1). */
export type UploadPresence = 'online' | 'in-person';

/** The evidence source of an upload with this `presence`. */
export function uploadSource(presence: UploadPresence): string {
  return presence === 'in-person' ? UPLOAD_IN_PERSON_SOURCE : UPLOAD_SOURCE;
}

/** The worksheet read when the workbook has it (the export's main sheet, R-TPL-2). */
export const PRESENCE_SHEET = 'Presenze';

export interface AttendanceFileUpload {
  presence: UploadPresence;
  format: UploadFormat | 'sniff';
  bytes: Buffer;
  /** The instant the request's checks were made at (the R-EVT-7 check and the future-instant bound). */
  now: number;
  clientAddr: string | null;
  contentType: string;
  contentDisposition: string | undefined;
}

export interface AttendanceFileResult {
  /** Rows stored now; 0 when every valid row was stored already (nothing was written). */
  accepted: number;
  duplicates: number;
  empty: number;
  rejected: Array<{ row: number; code: string; message: string }>;
}

/**
 * Checks and stores an uploaded attendance file for `event` (already found changeable by the actor,
 * `changeableEvent`). Answers whether anything was stored (`stored`: the event is re-derived).
 */
export async function storeAttendanceFile(
  ctx: Pick<ServiceContext, 'db' | 'attendance' | 'redisReady' | 'config'> & { log: Logger },
  actor: Actor,
  event: EventAccessRow,
  input: AttendanceFileUpload,
): Promise<{ stored: boolean; result: AttendanceFileResult }> {
  const id = event.id;
  const { now } = input;
  const source = uploadSource(input.presence);
  const sheet = await readUploadedSheet(input.bytes, input.format, { sheet: PRESENCE_SHEET, limits: { maxBytes: ctx.config.UPLOAD_MAX_BYTES } });
  const parsed = parseAttendanceSheet(
    sheet.rows,
    { eventStart: event.start_at.getTime(), eventEnd: event.end_at.getTime(), latest: now + FUTURE_SKEW_MS, date1904: sheet.date1904 },
    sheet.malformed,
  );
  if (!parsed.ok) {
    const { ok: _ok, code, message, ...extra } = parsed;
    throw new ServiceError(code, message, extra);
  }
  const members = await membersOfFile(ctx.db, id, [...new Set(parsed.rows.map((r) => r.codiceFiscale))]);
  const check = matchAttendanceRows(parsed, members);
  const report = { empty: check.empty, rejected: check.rejected };
  if (check.valid.length === 0) {
    throw new ServiceError('no-valid-rows', 'No row of the file can be accepted; nothing was stored', { accepted: 0, duplicates: 0, ...report });
  }

  const records = check.valid.flatMap((r) => uploadRecords(r, actorRef(actor)));
  if (
    (await storedRecordCount(
      ctx.db,
      id,
      source,
      records.map((r) => r.record.id),
    )) === records.length
  ) {
    // Nothing new: no delivery, no derivation ("uploading the same file twice changes nothing").
    return { stored: false, result: { accepted: 0, duplicates: check.valid.length, ...report } };
  }
  if (!ctx.redisReady()) throw new ServiceError('service-unavailable', 'The queue is unavailable');
  const result = await storeEvidence(
    ctx.db,
    id,
    {
      source,
      receivedAt: new Date(now),
      clientAddr: input.clientAddr,
      headers: {
        author: actorId(actor),
        role: actor.role,
        'content-type': input.contentType,
        format: sheet.format,
        presence: input.presence,
        sha256: crypto.createHash('sha256').update(input.bytes).digest('hex'),
        ...(input.contentDisposition ? { 'content-disposition': input.contentDisposition.slice(0, 500) } : {}),
      },
      body: input.bytes,
    },
    records,
  );
  const accepted = Math.ceil(result.accepted / 2);
  ctx.log.info(
    { eventId: id, accepted, duplicates: check.valid.length - accepted, rejected: check.rejected.length, format: sheet.format, presence: input.presence },
    'attendance file uploaded',
  );
  await ctx.attendance.requestDerivation(id, 'upload').catch((err) => {
    ctx.log.warn({ err: String(err), eventId: id }, 'derivation request failed after commit');
    // A retry is safe (every row a duplicate); the sweep re-queues the event meanwhile.
    throw new ServiceError(
      'service-unavailable',
      'Stored, but the derivation could not be queued now; it is re-queued automatically, and sending the same file again is safe',
    );
  });
  return { stored: true, result: { accepted, duplicates: check.valid.length - accepted, ...report } };
}

/**
 * The stable id of an uploaded presence: the same member, entry and exit give the same id in
 * any file, from any key (R-ATT-1 duplicates are by event, source and id).
 */
export function uploadRowId(memberId: string, entry: number, exit: number): string {
  return crypto
    .createHash('sha256')
    .update(`${memberId}|${new Date(entry).toISOString()}|${new Date(exit).toISOString()}`)
    .digest('hex')
    .slice(0, 40);
}

function uploadRecords(r: ValidRow, author: string): StoredRecord[] {
  const h = uploadRowId(r.memberId, r.entry, r.exit);
  // One connection id for the pair: it pairs as exactly this interval (participants.ts pairIntervals).
  const participant = { connectionId: `upload:${h}` };
  const reason = `attendance file, row ${r.row}`;
  return [
    { record: { id: `${h}:join`, type: 'join', at: new Date(r.entry).toISOString(), participant }, memberId: r.memberId, author, reason },
    { record: { id: `${h}:leave`, type: 'leave', at: new Date(r.exit).toISOString(), participant }, memberId: r.memberId, author, reason },
  ];
}
