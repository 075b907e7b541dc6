/**
 * @module Attendance reports downloaded from the platforms (Teams CSV and Graph JSON, Zoom CSV and
 * REST JSON, GoTo, Webex) stored as evidence for an event (issue 3, R-ATT-1, R-CAL-2).
 *
 * The adapters in `adapters/webinar/reports` turn the file into presence intervals and records
 * with ids derived from what the report says, so the same report uploaded twice stores nothing
 * new. People are matched later, by the derivation, through the event's registrations (R-ATT-7).
 */
import crypto from 'node:crypto';
import {
  intervalsToRecords,
  parseGotoAttendees,
  parseTeamsAttendanceCsv,
  parseTeamsGraphAttendance,
  parseWebexParticipants,
  parseZoomParticipantsCsv,
  parseZoomParticipantsJson,
  ReportFormatError,
  type ReportResult,
  type ReportSource,
} from '../../../adapters/webinar/reports/index.ts';
import { FUTURE_SKEW_MS } from '../../domain/evidence.ts';
import { storeEvidence, type StoredRecord } from '../../store/evidence.ts';
import type { EventAccessRow } from '../access.ts';
import { actorId, actorRef, type Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

export type { ReportSource };

/** The report formats, by the name used in the URL. */
const PARSERS: Record<ReportSource, (bytes: Uint8Array) => ReportResult<object>> = {
  'teams-csv': (b) => parseTeamsAttendanceCsv(b),
  'teams-graph': (b) => parseTeamsGraphAttendance(b),
  'zoom-csv': (b) => parseZoomParticipantsCsv(b),
  'zoom-api': (b) => parseZoomParticipantsJson(b),
  'goto-api': (b) => parseGotoAttendees(b),
  'webex-api': (b) => parseWebexParticipants(b),
};
export const REPORT_FORMATS = Object.keys(PARSERS) as [ReportSource, ...ReportSource[]];

/** Whether `format` names a report format (`unknown-report-format` otherwise). */
export function isReportFormat(format: string): format is ReportSource {
  return Object.hasOwn(PARSERS, format);
}

export interface PlatformReportSummary {
  accepted: number;
  duplicates: number;
  intervals: number;
  rejected: Array<{ row: number; path?: string | undefined; code: string; message: string }>;
  skipped: Array<{ row: number; path?: string | undefined; code: string; message: string }>;
  notMapped: Array<{ row: number; code: string }>;
}

/**
 * Reads a platform's report and stores its presence as evidence of `event` (already found
 * changeable by the actor, `changeableEvent`); the event is re-derived when anything was new.
 */
export async function storePlatformReport(
  ctx: Pick<ServiceContext, 'db' | 'attendance' | 'redisReady' | 'log'>,
  actor: Actor,
  event: EventAccessRow,
  input: {
    format: ReportSource;
    bytes: Buffer;
    now: number;
    clientAddr: string | null;
    contentType: string;
    /** The file's name as sent (a form's part, or the request header), kept with the delivery. */
    contentDisposition?: string | undefined;
  },
): Promise<PlatformReportSummary> {
  const id = event.id;
  const { format, bytes: raw, now } = input;
  let report: ReportResult<object>;
  try {
    report = PARSERS[format](raw);
  } catch (err) {
    if (err instanceof ReportFormatError) throw new ServiceError(err.code, err.message);
    throw err;
  }
  const mapped = intervalsToRecords(report.intervals);
  const future = mapped.records.find((r) => Date.parse(r.at) > now + FUTURE_SKEW_MS);
  if (future) throw new ServiceError('instant-in-future', `The report holds an instant in the future (${future.at})`);
  const summary = {
    intervals: report.intervals.length,
    rejected: report.rejected,
    skipped: report.skipped,
    notMapped: mapped.notMapped.map((n) => ({ row: n.interval.sourceRow, code: n.code })),
  };
  if (mapped.records.length === 0) {
    throw new ServiceError('no-valid-rows', 'No presence in the report can be stored; nothing was stored', { accepted: 0, duplicates: 0, ...summary });
  }
  if (!ctx.redisReady()) throw new ServiceError('service-unavailable', 'The queue is unavailable');
  const author = actorRef(actor);
  const records: StoredRecord[] = mapped.records.map((record) => ({ record, author }));
  const result = await storeEvidence(
    ctx.db,
    id,
    {
      // One source per format: the ids are the report's, so a re-upload is a duplicate.
      source: `report:${format}`,
      receivedAt: new Date(now),
      clientAddr: input.clientAddr,
      headers: {
        author: actorId(actor),
        role: actor.role,
        'content-type': input.contentType,
        sha256: crypto.createHash('sha256').update(raw).digest('hex'),
        ...(input.contentDisposition ? { 'content-disposition': input.contentDisposition.slice(0, 500) } : {}),
      },
      body: raw,
    },
    records,
  );
  ctx.log.info({ eventId: id, format, accepted: result.accepted, duplicates: result.duplicates }, 'platform report uploaded');
  if (result.accepted > 0) {
    await ctx.attendance.requestDerivation(id, 'platform-report').catch((err) => {
      ctx.log.warn({ err: String(err), eventId: id }, 'derivation request failed after commit');
      throw new ServiceError(
        'service-unavailable',
        'Stored, but the derivation could not be queued now; it is re-queued automatically, and sending the same report again is safe',
      );
    });
  }
  return { accepted: result.accepted, duplicates: result.duplicates, ...summary };
}
