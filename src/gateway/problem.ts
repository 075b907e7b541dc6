/** @module RFC 9457 problem+json responses with stable kebab-case codes. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Titles per code: plain data, so codes and wording stay in one place. */
export const PROBLEM_TITLES: Record<string, string> = {
  'malformed-json': 'The body is not valid JSON',
  'invalid-body': 'The body does not match the schema',
  'invalid-query': 'The query does not match the schema',
  'invalid-params': 'The path parameters are not valid',
  'body-too-large': 'The body is larger than allowed',
  'unsupported-media-type': 'The content type is not supported',
  'instant-in-future': 'An instant lies in the future',
  'unauthorized': 'A valid API key is required',
  'forbidden': 'This key may not do that',
  'not-found': 'Not found',
  'event-not-found': 'No such event',
  'member-not-found': 'No such member',
  'organiser-not-found': 'No such organiser',
  'event-closed': 'The course is closed',
  'conflict': 'Conflict with the current state',
  'service-unavailable': 'A backing service is unavailable; retry later',
  'signature-missing': 'Signature headers are missing',
  'signature-timestamp-stale': 'The signature timestamp is too old or in the future',
  'signature-mismatch': 'The signature does not match the body',
  // Registry (issue 2 §4)
  'invalid-codice-fiscale': 'The codice fiscale is not valid',
  'unknown-province': 'Not one of the 107 province codes',
  'member-exists': 'A member with this codice fiscale exists',
  'register-number-taken': 'This register number is taken in this province',
  'invalid-event': 'The event breaks one or more rules',
  'platform-meeting-exists': 'Another event of this organiser uses this platform meeting id',
  'accreditation-already-decided': 'The accreditation is already decided',
  'accreditation-deadline-passed': 'The time to decide has passed; silence meant consent',
  'invalid-encoding': 'The file is not UTF-8 text',
  'missing-columns': 'Required columns are missing',
  'duplicate-columns': 'A column is given twice',
  'too-many-rows': 'The file has more rows than allowed',
  // Uploaded spreadsheets (issue 3 §2, §4, §5)
  'file-too-large': 'The file is larger than allowed',
  'zip-bomb': 'The zip archive (workbook, SCORM package) expands beyond the limits',
  'not-a-workbook': 'The file is not an Excel workbook (.xlsx)',
  'encrypted-file': 'The file (workbook, SCORM package) is encrypted',
  'unreadable-file': 'The file cannot be read',
  'too-many-sheets': 'The workbook has more worksheets than allowed',
  'too-many-columns': 'A row has more columns than allowed',
  'formula-not-allowed': 'The workbook holds formulas',
  'no-valid-rows': 'No row of the file can be accepted',
  // E-learning courses (issue 6 §1)
  'not-elearning': 'Only e-learning and podcast events have a SCORM course',
  'not-a-zip': 'The file is not a zip archive',
  'unsafe-path': 'The package holds a file name that is not a safe relative path',
  'manifest-missing': 'The package has no imsmanifest.xml at its root',
  'manifest-malformed': 'The package manifest cannot be read',
  'unsupported-scorm-version': 'The package is neither SCORM 1.2 nor SCORM 2004',
  'no-sco': 'The package has no SCO to launch',
  'launch-file-missing': 'A SCO launch file is not in the package',
  // SCORM tracking (issue 6 §2, §3)
  'no-scorm-package': 'The course has no SCORM package',
  'course-has-enrolments': 'Members are enrolled in this course',
  'enrolment-not-found': 'The member is not enrolled in this course',
  'attestation-not-available': 'No attestation: the enrolment is not credited (R-ELN-6)',
  'internal-error': 'Internal error',
};

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly detail?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? code);
  }
}

export function problem(c: Context, status: ContentfulStatusCode, code: string, detail?: string, extra?: Record<string, unknown>) {
  return c.newResponse(
    JSON.stringify({
      type: `https://cdl-gateway.example/problems/${code}`,
      title: PROBLEM_TITLES[code] ?? code,
      status,
      code,
      ...(detail ? { detail } : {}),
      ...extra,
    }),
    status,
    { 'content-type': 'application/problem+json' },
  );
}

/** zod issues as problem `errors`: path and message, never the offending value (it may be personal data). */
export function zodErrors(issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string }>) {
  return issues.slice(0, 50).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}
