/**
 * @module Attendance files for the national platform (R-TPL-1/2): an event's workbook, filled from
 * the tracked evidence or blank with the registered members, streamed as it is written.
 *
 * Who: the organiser of the event, the accrediting CPO and the CN (the rules of `access.ts`;
 * anyone else gets 404). Platform keys are refused: they feed evidence in, and the file holds
 * personal data (codice fiscale) they have no need to read.
 */
import { PassThrough } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import { writeAttendanceWorkbook, XLSX_CONTENT_TYPE, type AttendanceLayout } from '../../adapters/xlsx/attendance-workbook.ts';
import { romeDate } from '../domain/calendar.ts';
import { Problem } from '../schemas/common.ts';
import { loadExportEvent, outcomePages, presencePages, unmatchedPages } from '../store/attendance-export.ts';
import { visibleEvent } from '../services/access.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { ServiceError } from '../services/errors.ts';
import { router, SECURITY } from './router.ts';

const Query = z.object({
  layout: z.enum(['intervals', 'participants']).default('intervals').openapi({
    description: '`intervals`: one row per presence interval (R-TPL-2, the default); `participants`: one row per participant, first entry and last exit',
  }),
  blank: z.enum(['true', 'false']).default('false').openapi({
    description: '`true`: the blank template, registered members pre-filled and entry/exit empty (sheet Presenze only)',
  }),
});

/** Bytes queued for a slow client before the workbook writer waits. */
const OUTPUT_BUFFER_BYTES = 256 * 1024;

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
        '(Rome local time, R-CAL-2), one row per presence interval or per participant; only registered members matched to the evidence. ' +
        'Sheet `Esito`: each registered member\'s minutes present and absent, tolerance, credits, outcome and reason (R-ATT-9). ' +
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
      await visibleEvent(deps.db, c.get('principal'), id);
      const event = await loadExportEvent(deps.db, id);
      if (!event) throw new ServiceError('event-not-found');

      // The first page is read before answering, so a database that is down gives a 503 problem,
      // not a 200 that breaks off.
      const presence = await primed(presencePages(deps.db, event, { withPresence: !blank }));
      const out = new PassThrough({ highWaterMark: OUTPUT_BUFFER_BYTES });
      const started = Date.now();
      writeAttendanceWorkbook(out, {
        eventStart: event.start,
        layout,
        blank,
        presence,
        outcomes: () => outcomePages(deps.db, id),
        unmatched: () => unmatchedPages(deps.db, id),
      }).then(
        (summary) => deps.log.info({ eventId: id, layout, blank, ...summary, ms: Date.now() - started }, 'attendance workbook sent'),
        (err: unknown) => {
          if (!out.destroyed) deps.log.warn({ eventId: id, err: String(err) }, 'attendance workbook failed mid-stream');
          out.destroy(err instanceof Error ? err : new Error(String(err)));
        },
      );
      const name = `${blank ? 'modello-presenze' : layout === 'participants' ? 'presenze-partecipanti' : 'presenze'}_${romeDate(event.start)}_${event.id}.xlsx`;
      return c.body(webStream(out), 200, {
        'content-type': XLSX_CONTENT_TYPE,
        // Only [a-z0-9_.-] in the name: no quoting or encoding issues in any client.
        'content-disposition': `attachment; filename="${name}"`,
        'cache-control': 'no-store',
      });
    },
  );
  return app;
}

/** Reads the first item now (errors surface before the response starts) and replays it. */
async function primed<T>(gen: AsyncGenerator<T>): Promise<() => AsyncIterable<T>> {
  const first = await gen.next();
  let used = false;
  return async function* () {
    if (used) throw new Error('already consumed');
    used = true;
    if (first.done) return;
    yield first.value;
    yield* gen;
  };
}

/**
 * A web stream over `src` that reads only as fast as the client takes bytes (a byte-length
 * queue), and destroys `src` when the client goes away, which stops the workbook writer.
 */
function webStream(src: PassThrough): ReadableStream<Uint8Array> {
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
