/**
 * @module Attendance files for the national platform over HTTP (R-TPL-1, R-TPL-2;
 * `services/attendance/export.ts`): an event's workbook, filled from the tracked evidence or blank
 * with the registered members, streamed as it is written.
 *
 * Who: the organiser of the event, the accrediting CPO and the CN (the rules of `access.ts`;
 * anyone else gets 404). Platform keys are refused: they feed evidence in, and the file holds
 * personal data (codice fiscale) they have no need to read.
 */
import type { PassThrough } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import { XLSX_CONTENT_TYPE, type AttendanceLayout } from '../../adapters/xlsx/attendance-workbook.ts';
import { Problem } from '../schemas/common.ts';
import { attendanceWorkbook, OUTPUT_BUFFER_BYTES } from '../services/attendance/export.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { router, SECURITY } from './router.ts';

const Query = z.object({
  layout: z.enum(['intervals', 'participants']).default('intervals').openapi({
    description:
      '`intervals`: one row per presence interval (R-TPL-2, the default); `participants`: one row per participant, first entry and last exit, with the minutes present and absent within the scheduled time (as the outcome counts them, R-ATT-3)',
  }),
  blank: z.enum(['true', 'false']).default('false').openapi({
    description: '`true`: the blank template, registered members pre-filled and entry/exit empty (sheet Presenze only)',
  }),
});

export function attendanceFileRoutes(deps: Deps) {
  const app = router();
  app.use('/v1/events/:id/attendance.xlsx', requireRole(deps.resolveKey, 'organiser', 'cpo', 'cn'));
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/events/{id}/attendance.xlsx',
      summary: 'The attendance workbook for the national platform (R-TPL-1/2), filled or blank',
      description:
        'Sheet `Presenze`: Data evento, Cognome, Nome, Codice fiscale, Numero di iscrizione, Ordine provinciale, Ora di ingresso, Ora di uscita ' +
        '(Rome local time, R-CAL-2), one row per presence interval or per participant; the participants layout adds Minuti di presenza and Minuti di assenza ' +
        "(within the scheduled time, the outcome's own count: first entry and last exit alone would hide an absence in between); only registered members matched to the evidence. " +
        "Sheet `Esito`: each registered member's minutes present and absent, tolerance, credits, outcome and reason (R-ATT-9). " +
        'Sheet `Non abbinati`: participants matching no registered member (R-ATT-7). Text never starts a formula (R-TPL-4). ' +
        'The body is streamed; an error after the first byte ends the connection without the zip trailer.',
      tags: ['attendance'],
      security: SECURITY,
      request: { params: z.object({ id: z.uuid() }), query: Query },
      responses: {
        200: {
          description: 'The workbook (.xlsx)',
          headers: { 'Content-Disposition': { schema: { type: 'string' }, description: 'attachment; filename="presenze_<date>_<event id>.xlsx"' } },
          content: { [XLSX_CONTENT_TYPE]: { schema: z.string().openapi({ format: 'binary' }) } },
        },
        404: { description: 'Unknown event', content: { 'application/problem+json': { schema: Problem } } },
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const q = c.req.valid('query');
      const layout = q.layout as AttendanceLayout;
      const blank = q.blank === 'true';
      const { filename: name, out } = await attendanceWorkbook(deps, c.get('principal'), id, { layout, blank });
      return c.body(webStream(out), 200, {
        'content-type': XLSX_CONTENT_TYPE,
        // Only [a-z0-9_.-] in the name (services/attendance/export.ts): no quoting or encoding issues in any client.
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': 'no-store',
      });
    },
  );
  return app;
}

/**
 * A web stream over `src` that reads only as fast as the client takes bytes (a byte-length
 * queue), and destroys `src` when the client goes away, which stops the workbook writer.
 */
export function webStream(src: PassThrough): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        src.pause();
        src.on('data', (chunk: Buffer) => {
          try {
            controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          } catch {
            src.destroy(); // the stream was cancelled or errored meanwhile
            return;
          }
          if ((controller.desiredSize ?? 0) <= 0) src.pause();
        });
        let ended = false;
        src.once('end', () => {
          ended = true;
          controller.close();
        });
        // Destroyed (the writer failed): the client's download breaks off, so a partial file is
        // never taken for a complete one.
        src.once('error', (err) => controller.error(err));
        src.once('close', () => {
          if (!ended) controller.error(new Error('the workbook was not completed'));
        });
      },
      pull() {
        src.resume();
      },
      cancel() {
        src.destroy();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: OUTPUT_BUFFER_BYTES }),
  );
}
