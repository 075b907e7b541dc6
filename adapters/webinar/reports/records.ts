/**
 * @module From report intervals to the gateway's `WebinarRecord`s, with deterministic ids so that
 * uploading the same report again yields the same ids (stored once: same event, source and id).
 */
import { createHash } from 'node:crypto';
import { WebinarRecord, type Participant } from '../../../src/schemas/ingest.ts';
import type { ReportInterval, ReportSource } from './interval.ts';

export interface IntervalsToRecordsOptions {
  /**
   * Mixed into every id: e.g. the platform's meeting/webinar instance id, when one event can
   * receive several reports of the same platform that should not share ids. Default none
   * (ids are already scoped by event and source when stored).
   */
  scope?: string;
  /**
   * The meeting's end as the report states it (Graph `meetingEndDateTime`, Teams summary
   * `End time`), an instant with offset: adds one `meeting-end` record, which closes joins that
   * have no leave (R-ATT-6). Leave it out when the report was taken before the meeting ended.
   * Uses the first interval's source; with no intervals there is nothing to close and no record.
   * Throws (ZodError) when it is not an instant with offset.
   */
  meetingEnd?: string;
}

export type NotMappedCode = 'no-identity' | 'no-instants';

export interface NotMapped {
  interval: ReportInterval;
  /** `no-identity`: no e-mail, UPN, user id or registrant id (a guest); `no-instants`: neither boundary known. */
  code: NotMappedCode;
}

export interface MappedReport {
  records: WebinarRecord[];
  /** Intervals that produce no record, kept for the report to the organiser (R-ATT-7). */
  notMapped: NotMapped[];
}

function sha256(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts), 'utf8').digest('hex');
}

/**
 * The person key used in ids: registrant id, else platform user id, else UPN, else lower-cased
 * e-mail. Undefined when the interval names nobody the gateway can match.
 */
export function personKey(iv: ReportInterval): string | undefined {
  if (iv.registrantId) return `r:${iv.registrantId}`;
  if (iv.userId) return `u:${iv.userId}`;
  if (iv.upn) return `upn:${iv.upn.toLowerCase()}`;
  if (iv.email) return `e:${iv.email.toLowerCase()}`;
  return undefined;
}

/** Record id: `<source>:<type>:<sha256 hex>`, 80–90 characters. */
export function reportRecordId(source: ReportSource, type: 'join' | 'leave' | 'meeting-end', material: readonly string[]): string {
  return `${source}:${type}:${sha256([source, type, ...material])}`;
}

function participantOf(iv: ReportInterval, connectionId: string): Participant {
  const p: Participant = {};
  if (iv.registrantId) p.registrantId = iv.registrantId;
  const userId = iv.userId ?? iv.upn;
  if (userId) p.participantUserId = userId;
  if (iv.email) p.email = iv.email;
  if (iv.name) p.name = iv.name;
  p.connectionId = connectionId;
  return p;
}

/**
 * Maps intervals to `join`/`leave` records (and one `meeting-end` when asked).
 *
 * Ids depend only on what the report says, never on row order or upload time:
 * - a join's id hashes (source, scope, person, join instant, occurrence), a leave's id
 *   (source, scope, person, leave instant, occurrence), where occurrence counts identical
 *   (person, type, instant) triples in the report, so two identical rows stay two records;
 * - each boundary's id is independent of the other boundary, so a later export that fills in a
 *   leave missing before yields the same join id (deduplicated) plus a new leave;
 * - `participant.connectionId` (`rpt:` + hash of person, join or else leave, occurrence) pairs
 *   the interval's join and leave exactly in derivation; it is never an identity.
 *
 * A join with no leave becomes a lone join (open interval, R-ATT-6) and a leave with no join a
 * lone leave (unknown start, also incomplete in derivation).
 */
export function intervalsToRecords(intervals: readonly ReportInterval[], options: IntervalsToRecordsOptions = {}): MappedReport {
  const scope = options.scope ?? '';
  const records: WebinarRecord[] = [];
  const notMapped: NotMapped[] = [];
  const seen = new Map<string, number>();
  const occurrence = (key: string): number => {
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return n;
  };

  for (const iv of intervals) {
    const person = personKey(iv);
    if (!person) {
      notMapped.push({ interval: iv, code: 'no-identity' });
      continue;
    }
    if (iv.join === null && iv.leave === null) {
      notMapped.push({ interval: iv, code: 'no-instants' });
      continue;
    }
    const joinOcc = iv.join !== null ? occurrence(JSON.stringify([iv.source, person, 'join', iv.join])) : -1;
    const leaveOcc = iv.leave !== null ? occurrence(JSON.stringify([iv.source, person, 'leave', iv.leave])) : -1;
    const anchor = iv.join !== null ? ['join', iv.join, String(joinOcc)] : ['leave', iv.leave!, String(leaveOcc)];
    const connectionId = `rpt:${sha256([iv.source, scope, person, ...anchor]).slice(0, 40)}`;
    const participant = participantOf(iv, connectionId);
    if (iv.join !== null) {
      records.push(
        WebinarRecord.parse({
          id: reportRecordId(iv.source, 'join', [scope, person, iv.join, String(joinOcc)]),
          type: 'join',
          at: iv.join,
          participant,
        }),
      );
    }
    if (iv.leave !== null) {
      records.push(
        WebinarRecord.parse({
          id: reportRecordId(iv.source, 'leave', [scope, person, iv.leave, String(leaveOcc)]),
          type: 'leave',
          at: iv.leave,
          participant,
        }),
      );
    }
  }

  if (options.meetingEnd !== undefined) {
    const source = intervals[0]?.source;
    if (source) {
      // Validated as an instant with offset first, then normalised so equal instants share an id.
      const at = WebinarRecord.parse({ id: 'meeting-end', type: 'meeting-end', at: options.meetingEnd }).at;
      const normalised = new Date(at).toISOString();
      records.push(WebinarRecord.parse({ id: reportRecordId(source, 'meeting-end', [scope, normalised]), type: 'meeting-end', at: normalised }));
    }
  }
  return { records, notMapped };
}
