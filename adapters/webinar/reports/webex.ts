/**
 * @module Webex meeting participants (`GET /meetingParticipants?meetingId=…`, `items[]`), one
 * interval per `devices[]` entry (one per join). `1970-01-01T00:00:00.000Z` means "unknown", not
 * 1970. Pure; see ./README.md.
 */
import { REJECT_MESSAGES, ReportFormatError, type ReportRejection, type ReportSkip } from './codes.ts';
import { cleanName, cleanText, readEmail } from './identity.ts';
import { isoOf, parseIsoInstant, readJsonInstant } from './instants.ts';
import { compact, type IntervalNote, type ReportInterval, type ReportResult } from './interval.ts';
import { arrayProp, isRecord, jsonInput, prop } from './json.ts';
import { checkRowCount } from './limits.ts';
import { presenceOf } from './presence.ts';

export interface WebexMeta {
  /** Distinct `meetingId`s of the participants, as written. */
  meetingIds: string[];
}

/**
 * Webex's "unknown" time. Any spelling of the Unix epoch (`1970-01-01T00:00:00Z`,
 * `…00.000Z`, `…+00:00`) counts: the API documents the value, not its exact text.
 */
function isSentinel(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const r = parseIsoInstant(v, 'utc');
  return r.ok && r.ms === 0;
}

type Boundary = { ok: true; ms: number | null; sentinel: boolean } | { ok: false; code: ReportRejection['code'] };

function boundary(v: unknown): Boundary {
  if (isSentinel(v)) return { ok: true, ms: null, sentinel: true };
  const r = readJsonInstant(v, 'reject');
  return r.ok ? { ok: true, ms: r.ms, sentinel: false } : r;
}

function roleOf(p: Record<string, unknown>): string | undefined {
  if (prop(p, 'host') === true) return 'host';
  if (prop(p, 'coHost') === true) return 'cohost';
  return undefined;
}

/**
 * Reads the participants list: `{ items: [...] }` or a bare array. Each participant gives one
 * interval per `devices[]` entry (`joinedTime`/`leftTime`; `durationSecond`, present on the
 * device entries of ended meetings, becomes `reportedSeconds`; `correlationId` is kept as
 * `connectionRef`; `callType`/`phoneNumber` are not read); a participant without devices gives one interval from its own
 * `joinedTime`/`leftTime`. The epoch sentinel and absent values become a null (unknown) boundary,
 * noted `join-unknown-sentinel`/`leave-unknown-sentinel`: derivation treats the interval as
 * incomplete (R-ATT-6). A participant in `state` `lobby` is skipped. Identity: `email`, and the
 * participant `id` as the platform user id. `breakoutSessionsAttended[]` is not read (the device
 * entries already cover the time in the meeting). `sourceRow` is the 1-based participant index.
 *
 * Throws {@link ReportFormatError} `report-not-json` / `report-shape-unrecognised`.
 */
export function parseWebexParticipants(input: unknown): ReportResult<WebexMeta> {
  const doc = jsonInput(input);
  const list = Array.isArray(doc) ? doc : isRecord(doc) ? arrayProp(doc, 'items') : undefined;
  if (!list) throw new ReportFormatError('report-shape-unrecognised', 'not Webex meeting participants: no items array');
  checkRowCount(list.length);

  const intervals: ReportInterval[] = [];
  const rejected: ReportRejection[] = [];
  const skipped: ReportSkip[] = [];
  const meetings = new Set<string>();
  list.forEach((p, i) => {
    const row = i + 1;
    const path = `items[${i}]`;
    if (!isRecord(p)) {
      rejected.push({ row, path, code: 'row-not-an-object', message: REJECT_MESSAGES['row-not-an-object'] });
      return;
    }
    const meetingId = cleanText(prop(p, 'meetingId'));
    if (meetingId) meetings.add(meetingId);
    if (prop(p, 'state') === 'lobby') {
      skipped.push({ row, path, code: 'lobby', message: 'in the lobby, never admitted' });
      return;
    }
    const email = readEmail(prop(p, 'email'));
    const base = {
      name: cleanName(prop(p, 'displayName')),
      email: email.email,
      userId: cleanText(prop(p, 'id')),
      role: roleOf(p),
    };
    const devices = arrayProp(p, 'devices') ?? [];
    const entries: Array<{ value: unknown; path: string }> =
      devices.length > 0 ? devices.map((d, j) => ({ value: d, path: `${path}.devices[${j}]` })) : [{ value: p, path }];
    checkRowCount(intervals.length + entries.length);
    for (const entry of entries) {
      if (!isRecord(entry.value)) {
        rejected.push({ row, path: entry.path, code: 'row-not-an-object', message: REJECT_MESSAGES['row-not-an-object'] });
        continue;
      }
      const join = boundary(prop(entry.value, 'joinedTime'));
      const leave = boundary(prop(entry.value, 'leftTime'));
      if (!presenceOf(join, leave, { row, path: entry.path }, rejected)) continue;
      if (!join.ok || !leave.ok) continue; // rejected above; narrows the types
      const notes: IntervalNote[] = [];
      if (join.sentinel) notes.push('join-unknown-sentinel');
      if (leave.sentinel) notes.push('leave-unknown-sentinel');
      if (email.invalid) notes.push('email-invalid');
      // Ended meetings: each device entry states `durationSecond` ("the duration in seconds the
      // device stayed in the meeting"); in-progress device entries have none.
      const seconds = entry.path === path ? undefined : prop(entry.value, 'durationSecond');
      const reportedSeconds = typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
      if (seconds !== undefined && seconds !== null && reportedSeconds === undefined) notes.push('duration-unreadable');
      intervals.push(
        compact({
          source: 'webex-api' as const,
          ...base,
          join: join.ms === null ? null : isoOf(join.ms),
          leave: leave.ms === null ? null : isoOf(leave.ms),
          reportedSeconds,
          connectionRef: entry.path === path ? undefined : cleanText(prop(entry.value, 'correlationId')),
          sourceRow: row,
          sourcePath: entry.path,
          notes,
        }),
      );
    }
  });
  return { source: 'webex-api', intervals, rejected, skipped, meta: { meetingIds: [...meetings].sort() } };
}
