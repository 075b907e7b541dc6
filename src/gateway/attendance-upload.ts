/**
 * @module `POST /v1/events/{id}/attendance-file` (issue 3 §2, R-TPL-3): an organiser uploads the
 * filled attendance workbook (or a CSV of it); every row is checked and answered, valid rows
 * become attendance evidence and the event is re-derived.
 *
 * Who, and until when: as for corrections (R-EVT-7), the organiser until the course is closed
 * or 30 days after the event; the CPO of the event (or CN) at any time.
 *
 * Body: the file itself, raw (not multipart), `Content-Type`
 * `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` or `text/csv`
 * (`application/octet-stream` and `application/vnd.ms-excel` are sniffed); at most
 * `UPLOAD_MAX_BYTES` (10 MiB), enforced while the body streams. Workbooks are read by the safe
 * reader (zip guard, limits, formulas refused): see `adapters/xlsx/read-workbook.ts`; the sheet
 * `Presenze` is read if there is one, else the first.
 *
 * Presence (R-FAD-1): the query parameter `presence` says how the rows were attended. `online`
 * (the default, conservative: this upload is also how webinar attendance is loaded) stores them
 * under source `upload`; `in-person` (a signed sign-in sheet of the room) under
 * `upload:in-person`. Only a mixed event reads it (`attendedMode`): its members count in person
 * only on in-person uploads (and corrections); other modes record it and count by the event's mode.
 *
 * Evidence: each valid row is a `join` at the entry and a `leave` at the exit, source `upload`
 * (or `upload:in-person`), naming the member directly (`member_id`) with the author
 * (`<role>:<key id>`) and the row as reason. Their ids are derived from (member, entry, exit)
 * only, so the same presence uploaded again with the same `presence` (the same file, or the same
 * row in another file, by anyone) is a duplicate and stores nothing new (duplicates are per
 * source, R-ATT-1); the pair shares a connection id, so it pairs as exactly one interval. The file's
 * bytes are kept once per upload that stores something, in the delivery (with its SHA-256, the
 * author and the content type), as evidence of what was received. An upload that adds nothing
 * (every valid row already stored) stores no delivery and triggers no derivation; one where no
 * row is valid stores nothing and answers 422 `no-valid-rows` with the rejected rows.
 */
import crypto from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { XLSX_MEDIA_TYPE } from '../../adapters/xlsx/spreadsheet-upload.ts';
import { matchAttendanceRows, parseAttendanceSheet, type MemberRef, type ValidRow } from '../domain/attendance-file.ts';
import { deadlineAfter } from '../domain/calendar.ts';
import { IN_PERSON_UPLOAD_SOURCE } from '../domain/credits.ts';
import { Problem } from '../schemas/common.ts';
import { storeEvidence, type StoredRecord } from '../store/evidence.ts';
import type { Queryable } from '../store/db.ts';
import { visibleEvent } from '../services/access.ts';
import { CLOSING_DAYS } from './attendance-admin.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { FUTURE_SKEW_MS } from '../domain/evidence.ts';
import { clientAddr } from './http.ts';
import { zodErrors } from './problem.ts';
import { ServiceError } from '../services/errors.ts';
import { router, SECURITY } from './router.ts';
import { declaredFormat, readUploadBody, readUploadedSheet } from './uploads.ts';

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

const Query = z.object({
  presence: z.enum(['online', 'in-person']).default('online').openapi({
    description:
      'How the rows were attended (R-FAD-1). `online` (the default): webinar attendance, stored as source `upload`; `in-person`: a signed in-person attendance sheet, stored as source `upload:in-person`. ' +
      'A mixed event counts a member in person only on in-person uploads (and corrections); for other modes it is recorded but the credit mode is the event\'s.',
  }),
});
/** The worksheet read when the workbook has it (the export's main sheet, R-TPL-2). */
export const PRESENCE_SHEET = 'Presenze';

export const RowReport = z
  .object({
    row: z.number().int().openapi({ description: '1-based row number in the sheet (line in a CSV)' }),
    code: z.string().openapi({
      description:
        '`malformed-row`, `formula-like-text`, `missing-field`, `invalid-codice-fiscale`, `invalid-date`, `invalid-time`, `outside-event-day`, `exit-before-entry`, `instant-in-future`, `unknown-member`, `not-registered`, `duplicate-row`',
    }),
    message: z.string(),
  })
  .openapi('AttendanceRowRejection');

export const AttendanceUploadResult = z
  .object({
    accepted: z.number().int().openapi({ description: 'rows stored now (each a join and a leave)' }),
    duplicates: z.number().int().openapi({ description: 'valid rows already stored by an earlier upload' }),
    empty: z.number().int().openapi({ description: 'rows with neither entry nor exit (no presence): skipped' }),
    rejected: z.array(RowReport),
  })
  .openapi('AttendanceUploadResult');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });

const route = createRoute({
  method: 'post',
  path: '/v1/events/{id}/attendance-file',
  summary: 'Upload a filled attendance file (xlsx or CSV): every row is checked, valid rows become evidence (R-TPL-3)',
  description: [
    'Keys: the organiser of the event until the course is closed or 30 days after it (R-EVT-7); the CPO (or CN) at any time.',
    `Body: the file itself (not multipart), \`${XLSX_MEDIA_TYPE}\` or \`text/csv\`, at most 10 MiB. Workbooks: the sheet \`Presenze\` (else the first), at most 10 sheets, 20,000 rows, 50 columns; zip bombs, encrypted files and formulas are refused.`,
    'Columns by their Italian headers: Data evento, Cognome e nome (or Cognome, Nome), Codice fiscale, Numero di iscrizione, Ordine provinciale, Ora di ingresso, Ora di uscita; required: Codice fiscale, Ora di ingresso, Ora di uscita.',
    'Times `hh:mm` (or Excel times/date-times) on the Europe/Rome calendar of the row\'s Data evento (R-CAL-2).',
    'Query `presence`: `online` (the default) or `in-person` (a signed in-person attendance sheet). For a mixed event it decides the credit mode (R-FAD-1): a member counts in person only when their presence comes from `presence=in-person` uploads (and corrections), otherwise as webinar (R-FAD-2 cap); other modes record it and keep the event\'s mode.',
    'Each valid row becomes a join and a leave (source `upload`, or `upload:in-person` with `presence=in-person`; the author recorded) with ids derived from member, entry and exit: uploading the same file again with the same `presence` stores nothing and answers the rows as `duplicates`.',
    '202 when rows were stored (the event is re-derived), 200 when every valid row was already stored; 422 `no-valid-rows` (with `rejected`) when no row is valid, and nothing is stored.',
  ].join(' '),
  tags: ['attendance'],
  security: SECURITY,
  request: {
    params: z.object({ id: z.uuid() }),
    query: Query,
    body: {
      content: {
        [XLSX_MEDIA_TYPE]: { schema: z.string().openapi({ format: 'binary' }) },
        'text/csv': { schema: z.string().openapi({ example: 'Data evento;Cognome;Nome;Codice fiscale;Ora di ingresso;Ora di uscita\n01/07/2026;Rossi;Mario;RSSMRA85T10A562S;14:02;17:00\n' }) },
      },
      required: true,
    },
  },
  responses: {
    200: { description: 'Checked; every valid row was already stored', content: { 'application/json': { schema: AttendanceUploadResult } } },
    202: { description: 'Checked and stored; the event is re-derived', content: { 'application/json': { schema: AttendanceUploadResult } } },
    400: problem('`invalid-query`: `presence` is not `online` or `in-person`'),
    401: problem('No or unknown API key'),
    403: problem('This key may not do that'),
    404: problem('Unknown event, or not visible to this key'),
    409: problem('The course is closed (organiser keys)'),
    413: problem('`file-too-large`, `zip-bomb`, `too-many-sheets`, `too-many-rows`, `too-many-columns`'),
    415: problem('Not an xlsx or CSV body'),
    422: problem('`not-a-workbook`, `encrypted-file`, `unreadable-file`, `formula-not-allowed`, `missing-columns`, `duplicate-columns`, `no-valid-rows`'),
    503: problem('Store or queue unavailable; retry'),
  },
});

const EVENT_ID = z.uuid();

export function attendanceUploadRoutes(deps: Deps) {
  const app = router();
  // Documented from the route; handled by hand (raw body, streamed with a limit).
  app.openAPIRegistry.registerPath(route);
  app.post('/v1/events/:id/attendance-file', requireRole(deps.resolveKey, 'organiser', 'cpo', 'cn'), async (c) => {
    const id = c.req.param('id');
    if (!EVENT_ID.safeParse(id).success) throw new ServiceError('event-not-found');
    const query = Query.safeParse(c.req.query());
    if (!query.success) throw new ServiceError('invalid-query', undefined, { errors: zodErrors(query.error.issues) });
    const source = uploadSource(query.data.presence);
    const p = c.get('principal');
    const e = await visibleEvent(deps.db, p, id);
    const now = deps.now();
    if (p.role === 'organiser' && (e.closed_at || now > deadlineAfter(e.end_at, CLOSING_DAYS).getTime())) {
      throw new ServiceError('event-closed', 'The course is closed: only the CPO may change attendance now (R-EVT-7)');
    }
    const format = declaredFormat(c);
    const raw = await readUploadBody(c, deps.config.UPLOAD_MAX_BYTES);
    const sheet = await readUploadedSheet(raw, format, { sheet: PRESENCE_SHEET, limits: { maxBytes: deps.config.UPLOAD_MAX_BYTES } });

    const parsed = parseAttendanceSheet(
      sheet.rows,
      { eventStart: e.start_at.getTime(), eventEnd: e.end_at.getTime(), latest: now + FUTURE_SKEW_MS, date1904: sheet.date1904 },
      sheet.malformed,
    );
    if (!parsed.ok) {
      const { ok: _ok, code, message, ...extra } = parsed;
      throw new ServiceError(code, message, extra);
    }
    const members = await membersOf(deps.db, id, [...new Set(parsed.rows.map((r) => r.codiceFiscale))]);
    const check = matchAttendanceRows(parsed, members);
    const report = { empty: check.empty, rejected: check.rejected };
    if (check.valid.length === 0) {
      throw new ServiceError('no-valid-rows', 'No row of the file can be accepted; nothing was stored', { accepted: 0, duplicates: 0, ...report });
    }

    const author = `${p.role}:${p.keyId}`;
    const records = check.valid.flatMap((r) => uploadRecords(r, author));
    if ((await storedCount(deps.db, id, source, records)) === records.length) {
      // Nothing new: no delivery, no derivation ("uploading the same file twice changes nothing").
      return c.json({ accepted: 0, duplicates: check.valid.length, ...report }, 200);
    }
    if (!deps.redisReady()) throw new ServiceError('service-unavailable', 'The queue is unavailable');
    const result = await storeEvidence(
      deps.db,
      id,
      {
        source,
        receivedAt: new Date(now),
        clientAddr: clientAddr(c),
        headers: {
          author: p.keyId,
          role: p.role,
          'content-type': c.req.header('content-type') ?? '',
          format: sheet.format,
          presence: query.data.presence,
          sha256: crypto.createHash('sha256').update(raw).digest('hex'),
          ...(c.req.header('content-disposition') ? { 'content-disposition': c.req.header('content-disposition')!.slice(0, 500) } : {}),
        },
        body: raw,
      },
      records,
    );
    const accepted = Math.ceil(result.accepted / 2);
    deps.log.info(
      { eventId: id, accepted, duplicates: check.valid.length - accepted, rejected: check.rejected.length, format: sheet.format, presence: query.data.presence },
      'attendance file uploaded',
    );
    await deps.attendance.requestDerivation(id, 'upload').catch((err) => {
      deps.log.warn({ err: String(err), eventId: id }, 'derivation request failed after commit');
      // A retry is safe (every row a duplicate); the sweep re-queues the event meanwhile.
      throw new ServiceError('service-unavailable', 'Stored, but the derivation could not be queued now; it is re-queued automatically, and sending the same file again is safe');
    });
    return c.json({ accepted, duplicates: check.valid.length - accepted, ...report }, 202);
  });
  return app;
}

/**
 * The stable id of an uploaded presence: the same member, entry and exit give the same id in
 * any file, from any key (R-ATT-1 duplicates are by event, source and id).
 */
export function uploadRowId(memberId: string, entry: number, exit: number): string {
  return crypto.createHash('sha256').update(`${memberId}|${new Date(entry).toISOString()}|${new Date(exit).toISOString()}`).digest('hex').slice(0, 40);
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

/** Members named by the file, and whether each is registered to the event. */
async function membersOf(db: Queryable, eventId: string, codiciFiscali: string[]): Promise<Map<string, MemberRef>> {
  if (codiciFiscali.length === 0) return new Map();
  const { rows } = await db.query<{ id: string; codice_fiscale: string; registered: boolean }>(
    `SELECT m.id, m.codice_fiscale,
            EXISTS (SELECT 1 FROM registrations r WHERE r.event_id = $1 AND r.member_id = m.id) AS registered
     FROM members m WHERE m.codice_fiscale IN (SELECT jsonb_array_elements_text($2::jsonb))`,
    [eventId, JSON.stringify(codiciFiscali)],
  );
  return new Map(rows.map((r) => [r.codice_fiscale, { memberId: r.id, registered: r.registered === true }]));
}

/** How many of `records` are already stored under `source` (duplicates are per event, source and id). */
async function storedCount(db: Queryable, eventId: string, source: string, records: readonly StoredRecord[]): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM tracking_records
     WHERE event_id = $1 AND source = $2 AND source_record_id IN (SELECT jsonb_array_elements_text($3::jsonb))`,
    [eventId, source, JSON.stringify(records.map((r) => r.record.id))],
  );
  return rows[0]?.n ?? 0;
}
