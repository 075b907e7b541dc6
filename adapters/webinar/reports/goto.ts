/**
 * @module GoTo Webinar session attendees (`GET …/webinars/{webinarKey}/sessions/{sessionKey}/attendees`).
 * GoTo sends no "left" webhook, so this report is where durations come from. Pure; see ./README.md.
 */
import { REJECT_MESSAGES, ReportFormatError, type ReportRejection, type ReportSkip } from './codes.ts';
import { cleanName, cleanText, readEmail } from './identity.ts';
import { isoOf, readJsonInstant } from './instants.ts';
import { compact, type ReportInterval, type ReportResult } from './interval.ts';
import { arrayProp, isRecord, jsonInput, prop } from './json.ts';
import { checkRowCount } from './limits.ts';
import { presenceOf } from './presence.ts';

/**
 * GoTo keys are 64-bit integers written as JSON numbers; `JSON.parse` would round those above
 * 2^53 (19-digit keys are common). In raw input, integer values of the `…Key` fields with 16+
 * digits are quoted before parsing so they stay exact. Inside a JSON string a quote is always
 * escaped, so the pattern cannot match string content.
 */
const LONG_KEY = /("(?:registrantKey|sessionKey|webinarKey|organizerKey|attendeeKey)"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g;

function quoteLongKeys(text: string): string {
  return text.replace(LONG_KEY, '$1"$2"');
}

function registrantKeyOf(v: unknown): { key?: string; imprecise?: true } {
  if (typeof v === 'number' && !Number.isSafeInteger(v)) return { imprecise: true };
  const key = cleanText(v);
  return key ? { key } : {};
}

export interface GotoMeta {
  /** Distinct `sessionKey`s seen, as strings. */
  sessionKeys: string[];
}

/**
 * Reads the attendees array (or an object wrapping it as `attendees`). One interval per
 * `attendance[]` entry (`joinTime`/`leaveTime`, ISO 8601 with offset; epoch milliseconds, as in
 * GoTo's webhooks, are accepted too). Identity: `registrantKey` (number or string; long numbers
 * in raw input are kept exact, see {@link quoteLongKeys}) and `email`;
 * name = `firstName lastName`. `attendanceTimeInSeconds` is the attendee's total, not a
 * per-interval duration, so it is not copied onto intervals. An attendee with no `attendance[]`
 * entry is skipped (`no-attendance`). `sourceRow` is the 1-based index of the attendee.
 *
 * Throws {@link ReportFormatError} `report-not-json` / `report-shape-unrecognised`.
 */
export function parseGotoAttendees(input: unknown): ReportResult<GotoMeta> {
  const doc = jsonInput(input, quoteLongKeys);
  const list = Array.isArray(doc) ? doc : isRecord(doc) ? arrayProp(doc, 'attendees') : undefined;
  if (!list) throw new ReportFormatError('report-shape-unrecognised', 'not GoTo attendees: expected an array of attendees');
  checkRowCount(list.length);

  const intervals: ReportInterval[] = [];
  const rejected: ReportRejection[] = [];
  const skipped: ReportSkip[] = [];
  const sessions = new Set<string>();
  list.forEach((a, i) => {
    const row = i + 1;
    const path = `[${i}]`;
    if (!isRecord(a)) {
      rejected.push({ row, path, code: 'row-not-an-object', message: REJECT_MESSAGES['row-not-an-object'] });
      return;
    }
    const session = cleanText(prop(a, 'sessionKey'));
    if (session) sessions.add(session);
    const attendance = arrayProp(a, 'attendance') ?? [];
    if (attendance.length === 0) {
      skipped.push({ row, path, code: 'no-attendance', message: 'attendee without attendance entries' });
      return;
    }
    checkRowCount(intervals.length + attendance.length);
    const email = readEmail(prop(a, 'email'));
    const registrant = registrantKeyOf(prop(a, 'registrantKey'));
    const name = cleanName([prop(a, 'firstName'), prop(a, 'lastName')].filter((s) => typeof s === 'string').join(' '));
    attendance.forEach((entry, j) => {
      const entryPath = `${path}.attendance[${j}]`;
      if (!isRecord(entry)) {
        rejected.push({ row, path: entryPath, code: 'row-not-an-object', message: REJECT_MESSAGES['row-not-an-object'] });
        return;
      }
      const presence = presenceOf(
        readJsonInstant(prop(entry, 'joinTime'), 'reject'),
        readJsonInstant(prop(entry, 'leaveTime'), 'reject'),
        { row, path: entryPath },
        rejected,
      );
      if (!presence) return;
      const { join: jm, leave: lm } = presence;
      intervals.push(
        compact({
          source: 'goto-api' as const,
          name,
          email: email.email,
          registrantId: registrant.key,
          join: jm === null ? null : isoOf(jm),
          leave: lm === null ? null : isoOf(lm),
          sourceRow: row,
          sourcePath: entryPath,
          notes: [...(email.invalid ? (['email-invalid'] as const) : []), ...(registrant.imprecise ? (['registrant-key-imprecise'] as const) : [])],
        }),
      );
    });
  });
  return { source: 'goto-api', intervals, rejected, skipped, meta: { sessionKeys: [...sessions].sort() } };
}
