/**
 * @module Attendance files for the national platform (R-TPL-1, R-TPL-2): an event's workbook,
 * filled from the tracked evidence or blank with the registered members, written as it is read
 * (`adapters/xlsx/attendance-workbook.ts`, pages of `store/attendance-export.ts`).
 *
 * Who: the organiser of the event, the accrediting CPO and the CN (the rules of `access.ts`;
 * anyone else gets `event-not-found`).
 */
import { PassThrough } from 'node:stream';
import { writeAttendanceWorkbook, type AttendanceLayout } from '../../../adapters/xlsx/attendance-workbook.ts';
import { romeDate } from '../../domain/calendar.ts';
import { loadExportEvent, outcomePages, presencePages, unmatchedPages } from '../../store/attendance-export.ts';
import { visibleEvent } from '../access.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

/** Bytes queued for a slow client before the workbook writer waits. */
export const OUTPUT_BUFFER_BYTES = 256 * 1024;

/**
 * The event's workbook, being written into `out` (destroyed with the error if writing fails, so a
 * partial file is never taken for a complete one; destroying it stops the writer), and its file
 * name. The first page is read before answering, so a database that is down refuses here.
 */
export async function attendanceWorkbook(
  ctx: Pick<ServiceContext, 'db' | 'log'>,
  actor: Actor,
  eventId: string,
  query: { layout: AttendanceLayout; blank: boolean },
): Promise<{ filename: string; out: PassThrough }> {
  const { layout, blank } = query;
  await visibleEvent(ctx.db, actor, eventId);
  const event = await loadExportEvent(ctx.db, eventId);
  if (!event) throw new ServiceError('event-not-found');

  const presence = await primed(presencePages(ctx.db, event, { withPresence: !blank }));
  const out = new PassThrough({ highWaterMark: OUTPUT_BUFFER_BYTES });
  const started = Date.now();
  writeAttendanceWorkbook(out, {
    eventStart: event.start,
    layout,
    blank,
    presence,
    outcomes: () => outcomePages(ctx.db, eventId),
    unmatched: () => unmatchedPages(ctx.db, eventId),
  }).then(
    (summary) => ctx.log.info({ eventId, layout, blank, ...summary, ms: Date.now() - started }, 'attendance workbook sent'),
    (err: unknown) => {
      if (!out.destroyed) ctx.log.warn({ eventId, err: String(err) }, 'attendance workbook failed mid-stream');
      out.destroy(err instanceof Error ? err : new Error(String(err)));
    },
  );
  // Only [a-z0-9_.-] in the name: no quoting or encoding issues in any client.
  const filename = `${blank ? 'modello-presenze' : layout === 'participants' ? 'presenze-partecipanti' : 'presenze'}_${romeDate(event.start)}_${event.id}.xlsx`;
  return { filename, out };
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
