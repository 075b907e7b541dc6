/**
 * @module Attendance reports downloaded from the platforms (Teams CSV and Graph JSON, Zoom CSV
 * and REST JSON, GoTo, Webex) uploaded as evidence for an event (issue 3, R-ATT-1, R-CAL-2).
 *
 * The adapters in `adapters/webinar/reports` turn the file into presence intervals and records
 * with ids derived from what the report says, so the same report uploaded twice stores nothing
 * new. People are matched later, by the derivation, through the event's registrations (R-ATT-7).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Problem } from '../schemas/common.ts';
import { changeableEvent } from '../services/attendance/changes.ts';
import { isReportFormat, REPORT_FORMATS as FORMATS, storePlatformReport } from '../services/attendance/platform-reports.ts';
import { ServiceError } from '../services/errors.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { clientAddr } from './http.ts';
import { router, SECURITY } from './router.ts';
import { FORM_UPLOAD_CONTENT, readUpload } from './uploads.ts';

const Issue = z.object({ row: z.number().int(), path: z.string().optional(), code: z.string(), message: z.string() });
export const PlatformReportResult = z
  .object({
    accepted: z.number().int().openapi({ description: 'records stored now (joins, leaves, meeting end)' }),
    duplicates: z.number().int().openapi({ description: 'records already stored by an earlier upload of the same report' }),
    intervals: z.number().int().openapi({ description: 'presence intervals read from the report' }),
    rejected: z.array(Issue).openapi({ description: 'rows that could not be read, with a stable code' }),
    skipped: z.array(Issue).openapi({ description: 'rows read but not presence (waiting room, absent registrants)' }),
    notMapped: z
      .array(z.object({ row: z.number().int(), code: z.string() }))
      .openapi({ description: 'intervals naming nobody matchable (guests) or with no instants' }),
  })
  .openapi('PlatformReportResult');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });

const route = createRoute({
  method: 'post',
  path: '/v1/events/{id}/platform-reports/{format}',
  summary: "Upload a platform's attendance report (Teams, Zoom, GoTo, Webex) as evidence",
  description: [
    'Formats: `teams-csv` (the attendance report as downloaded: UTF-16, tab-separated, three blocks), `teams-graph` (Graph attendanceRecords JSON),',
    '`zoom-csv` (webinar participants/attendee report), `zoom-api` (REST participants report JSON), `goto-api` (webinar attendees JSON), `webex-api` (meeting participants JSON).',
    'Local times without an offset are read on the Europe/Rome calendar (R-CAL-2). The body is the file itself (raw, any content type), or a browser form (`multipart/form-data`) with the file in the field `file`; at most 10 MiB.',
    'Keys: the organiser until the course is closed or 30 days after it (R-EVT-7); the CPO (or CN) at any time.',
    'Each interval becomes a join and a leave with ids derived from the report: uploading it again stores nothing new.',
  ].join(' '),
  tags: ['attendance'],
  security: SECURITY,
  request: {
    params: z.object({ id: z.uuid(), format: z.enum(FORMATS) }),
    body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) }, ...FORM_UPLOAD_CONTENT }, required: true },
  },
  responses: {
    200: { description: 'Read; every record was already stored', content: { 'application/json': { schema: PlatformReportResult } } },
    202: { description: 'Read and stored; the event is re-derived', content: { 'application/json': { schema: PlatformReportResult } } },
    400: problem('`invalid-form`: a form without exactly one file in the field `file`'),
    401: problem('No or unknown API key'),
    403: problem('This key may not do that'),
    404: problem('Unknown event or format'),
    409: problem('The course is closed (organiser keys)'),
    413: problem('`file-too-large`'),
    422: problem(
      'The whole file is unrecognisable (`report-empty`, `report-not-json`, `report-shape-unrecognised`, …), `instant-in-future`, or `no-valid-rows`',
    ),
    503: problem('Store or queue unavailable; retry'),
  },
});

const EVENT_ID = z.uuid();

export function platformReportRoutes(deps: Deps) {
  const app = router();
  app.openAPIRegistry.registerPath(route);
  app.post('/v1/events/:id/platform-reports/:format', requireRole(deps.resolveKey, 'organiser', 'cpo', 'cn'), async (c) => {
    const id = c.req.param('id');
    const format = c.req.param('format');
    if (!EVENT_ID.safeParse(id).success) throw new ServiceError('event-not-found');
    if (!isReportFormat(format)) throw new ServiceError('unknown-report-format', `Formats: ${FORMATS.join(', ')}`);
    const now = deps.now();
    const e = await changeableEvent(deps, c.get('principal'), id, now);
    const file = await readUpload(c, deps.config.UPLOAD_MAX_BYTES);
    const result = await storePlatformReport(deps, c.get('principal'), e, {
      format,
      bytes: file.bytes,
      now,
      clientAddr: clientAddr(c),
      contentType: file.contentType,
      contentDisposition: file.contentDisposition,
    });
    return c.json(result, result.accepted > 0 ? 202 : 200);
  });
  return app;
}
