/**
 * @module `POST /v1/events/{id}/attendance-file` (issue 3 §2, R-TPL-3): an organiser uploads the
 * filled attendance workbook (or a CSV of it); every row is checked and answered, valid rows
 * become attendance evidence and the event is re-derived.
 *
 * Who, and until when: as for corrections (R-EVT-7), the organiser until the course is closed
 * or 30 days after the event; the CPO of the event (or CN) at any time.
 *
 * Body: the file itself, raw, `Content-Type`
 * `application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` or `text/csv`
 * (`application/octet-stream` and `application/vnd.ms-excel` are sniffed), or a browser form
 * (`multipart/form-data`) with the file in the field `file` (its part's type decides the same
 * way; none: sniffed; its filename is kept with the delivery); at most `UPLOAD_MAX_BYTES`
 * (10 MiB), enforced while the body streams. Workbooks are read by the safe
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
import { createRoute, z } from '@hono/zod-openapi';
import { XLSX_MEDIA_TYPE } from '../../adapters/xlsx/spreadsheet-upload.ts';
import { Problem } from '../schemas/common.ts';
import { changeableEvent } from '../services/attendance/changes.ts';
import { storeAttendanceFile } from '../services/attendance/uploads.ts';
import { ServiceError } from '../services/errors.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { clientAddr } from './http.ts';
import { zodErrors } from './problem.ts';
import { router, SECURITY } from './router.ts';
import { declaredFormat, FORM_UPLOAD_CONTENT, isFormUpload, readUpload, uploadedFormat } from './uploads.ts';

const Query = z.object({
  presence: z
    .enum(['online', 'in-person'])
    .default('online')
    .openapi({
      description:
        'How the rows were attended (R-FAD-1). `online` (the default): webinar attendance, stored as source `upload`; `in-person`: a signed in-person attendance sheet, stored as source `upload:in-person`. ' +
        "A mixed event counts a member in person only on in-person uploads (and corrections); for other modes it is recorded but the credit mode is the event's.",
    }),
});
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
    `Body: the file itself, raw (\`${XLSX_MEDIA_TYPE}\` or \`text/csv\`), or a browser form (\`multipart/form-data\`) with the file in the field \`file\`; at most 10 MiB. Workbooks: the sheet \`Presenze\` (else the first), at most 10 sheets, 20,000 rows, 50 columns; zip bombs, encrypted files and formulas are refused.`,
    'Columns by their Italian headers: Data evento, Cognome e nome (or Cognome, Nome), Codice fiscale, Numero di iscrizione, Ordine provinciale, Ora di ingresso, Ora di uscita; required: Codice fiscale, Ora di ingresso, Ora di uscita.',
    "Times `hh:mm` (or Excel times/date-times) on the Europe/Rome calendar of the row's Data evento (R-CAL-2).",
    "Query `presence`: `online` (the default) or `in-person` (a signed in-person attendance sheet). For a mixed event it decides the credit mode (R-FAD-1): a member counts in person only when their presence comes from `presence=in-person` uploads (and corrections), otherwise as webinar (R-FAD-2 cap); other modes record it and keep the event's mode.",
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
        'text/csv': {
          schema: z.string().openapi({
            example: 'Data evento;Cognome;Nome;Codice fiscale;Ora di ingresso;Ora di uscita\n01/07/2026;Rossi;Mario;RSSMRA85T10A562S;14:02;17:00\n',
          }),
        },
        ...FORM_UPLOAD_CONTENT,
      },
      required: true,
    },
  },
  responses: {
    200: { description: 'Checked; every valid row was already stored', content: { 'application/json': { schema: AttendanceUploadResult } } },
    202: { description: 'Checked and stored; the event is re-derived', content: { 'application/json': { schema: AttendanceUploadResult } } },
    400: problem('`invalid-query`: `presence` is not `online` or `in-person`; `invalid-form`: a form without exactly one file in the field `file`'),
    401: problem('No or unknown API key'),
    403: problem('This key may not do that'),
    404: problem('Unknown event, or not visible to this key'),
    409: problem('The course is closed (organiser keys)'),
    413: problem('`file-too-large`, `zip-bomb`, `too-many-sheets`, `too-many-rows`, `too-many-columns`'),
    415: problem('Not an xlsx or CSV body (or form file)'),
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
    const now = deps.now();
    const e = await changeableEvent(deps, c.get('principal'), id, now);
    // A raw body's type is refused before it is read; a form's file type once the form is read.
    const declared = isFormUpload(c) ? null : declaredFormat(c);
    const file = await readUpload(c, deps.config.UPLOAD_MAX_BYTES);
    const { stored, result } = await storeAttendanceFile(deps, c.get('principal'), e, {
      presence: query.data.presence,
      format: declared ?? uploadedFormat(file),
      bytes: file.bytes,
      now,
      clientAddr: clientAddr(c),
      contentType: file.contentType,
      contentDisposition: file.contentDisposition,
    });
    return c.json(result, stored ? 202 : 200);
  });
  return app;
}
