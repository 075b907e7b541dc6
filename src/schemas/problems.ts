/**
 * @module Every problem code the gateway answers with (RFC 9457 `code`), its HTTP status and its
 * title: one table, so codes are typed from it and the wording lives in one place.
 *
 * A code has one status. The exception is listed in `also`: `member-not-found` is 404 for a member
 * named in the path and 422 for members named in a body (the request itself is understood);
 * `unknown-sco` is 400 when the commit URL names no SCO at all.
 * Row-level codes of uploaded files (`malformed-row`, `unknown-member`…) are not problems: they are
 * items of a row report and live with the check that yields them.
 */

export interface ProblemEntry {
  readonly status: ProblemStatus;
  readonly title: string;
  /** Other statuses the same code may carry, with the reason in the module comment. */
  readonly also?: readonly ProblemStatus[];
}

export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 410 | 411 | 413 | 415 | 422 | 429 | 500 | 503;

export const PROBLEMS = {
  // Requests that cannot be read
  'malformed-json': { status: 400, title: 'The body is not valid JSON' },
  'invalid-body': { status: 400, title: 'The body does not match the schema' },
  'invalid-query': { status: 400, title: 'The query does not match the schema' },
  'invalid-params': { status: 400, title: 'The path parameters are not valid' },
  'body-too-large': { status: 413, title: 'The body is larger than allowed' },
  'unsupported-media-type': { status: 415, title: 'The content type is not supported' },
  'not-found': { status: 404, title: 'Not found' },
  'internal-error': { status: 500, title: 'Internal error' },
  'service-unavailable': { status: 503, title: 'A backing service is unavailable; retry later' },

  // Who may do it
  unauthorized: { status: 401, title: 'A valid API key is required' },
  forbidden: { status: 403, title: 'This key may not do that' },
  'signature-missing': { status: 401, title: 'Signature headers are missing' },
  'signature-timestamp-stale': { status: 401, title: 'The signature timestamp is too old or in the future' },
  'signature-mismatch': { status: 401, title: 'The signature does not match the body' },
  'invalid-key-subject': { status: 422, title: 'The key subject does not fit its role' },
  'key-not-found': { status: 404, title: 'No such API key' },

  // Registry (issue 2 §4)
  'organiser-not-found': { status: 404, title: 'No such organiser' },
  'member-not-found': { status: 404, title: 'No such member', also: [422] },
  'event-not-found': { status: 404, title: 'No such event' },
  'invalid-codice-fiscale': { status: 422, title: 'The codice fiscale is not valid' },
  'unknown-province': { status: 422, title: 'Not one of the 107 province codes' },
  'member-exists': { status: 409, title: 'A member with this codice fiscale exists' },
  'register-number-taken': { status: 409, title: 'This register number is taken in this province' },
  'invalid-event': { status: 422, title: 'The event breaks one or more rules' },
  'platform-meeting-exists': { status: 409, title: 'Another event of this organiser uses this platform meeting id' },
  'event-not-editable': { status: 409, title: 'The event can no longer change: it has started, or the CPO has decided on it (R-CHG-1)' },
  'accreditation-already-decided': { status: 409, title: 'The accreditation is already decided' },
  'accreditation-deadline-passed': { status: 409, title: 'The time to decide has passed; silence meant consent' },
  'member-not-registered': { status: 422, title: 'The member is not registered to the event' },
  'same-province': { status: 409, title: 'The member is already registered in this province' },

  // Attendance (issue 2 §6–§8)
  'instant-in-future': { status: 422, title: 'An instant lies in the future' },
  'event-closed': { status: 409, title: 'The course is closed' },
  'event-not-ended': { status: 409, title: 'The event has not ended yet' },
  'tolerance-change-too-early': { status: 409, title: 'The tolerance can be changed from the day after the event' },
  conflict: { status: 409, title: 'Conflict with the current state' },

  // Uploaded files: spreadsheets, platform reports (issue 3 §2, §4, §5)
  'file-too-large': { status: 413, title: 'The file is larger than allowed' },
  'invalid-form': { status: 400, title: 'The form does not carry exactly one file in the field `file`' },
  'zip-bomb': { status: 413, title: 'The zip archive (workbook, SCORM package) expands beyond the limits' },
  'too-many-sheets': { status: 413, title: 'The workbook has more worksheets than allowed' },
  'too-many-rows': { status: 413, title: 'The file has more rows than allowed' },
  'too-many-columns': { status: 413, title: 'A row has more columns than allowed' },
  'not-a-workbook': { status: 422, title: 'The file is not an Excel workbook (.xlsx)' },
  'encrypted-file': { status: 422, title: 'The file (workbook, SCORM package) is encrypted' },
  'unreadable-file': { status: 422, title: 'The file cannot be read' },
  'formula-not-allowed': { status: 422, title: 'The workbook holds formulas' },
  'invalid-encoding': { status: 422, title: 'The file is not UTF-8 text' },
  'missing-columns': { status: 422, title: 'Required columns are missing' },
  'duplicate-columns': { status: 422, title: 'A column is given twice' },
  'no-valid-rows': { status: 422, title: 'No row of the file can be accepted' },
  'unknown-report-format': { status: 404, title: 'No such platform report format' },
  'report-empty': { status: 422, title: 'The report is empty' },
  'report-too-large': { status: 422, title: 'The report has more rows than allowed' },
  'report-not-json': { status: 422, title: 'The report is not JSON' },
  'report-shape-unrecognised': { status: 422, title: 'The file is not a report of this format' },
  'report-blocks-missing': { status: 422, title: 'The report lacks the sections of this format' },
  'report-columns-missing': { status: 422, title: 'The report lacks required columns' },
  'report-date-order-conflict': { status: 422, title: 'The report mixes day-first and month-first dates' },

  // Questionnaire (issue 4)
  'questionnaire-not-applicable': { status: 422, title: 'Only webinars of kind-e organisers have a questionnaire (R-QST-1)' },
  'question-pool-required': { status: 422, title: 'A kind-e webinar needs its question pool (R-QST-1)' },
  'question-pool-incomplete': { status: 422, title: 'The question pool is not complete (R-QST-3)' },
  'invalid-question-pool': { status: 422, title: 'The question pool breaks R-QST-3' },
  'question-pool-locked': { status: 409, title: 'Questionnaires were sent: the pool is frozen' },
  'question-pool-accredited': { status: 409, title: 'The event is accredited: the pool is frozen' },
  'questionnaire-not-found': { status: 404, title: 'No such questionnaire' },
  'no-address': { status: 422, title: 'No e-mail address is known for the member: give one' },
  'mail-already-sent': { status: 409, title: 'The mail was sent already: copy the link instead' },

  // Balance and council requests (issue 5)
  'member-not-in-province': { status: 422, title: 'The member is not registered in this province' },
  'invalid-grant': { status: 422, title: 'The distance grant breaks R-FAD-3' },
  'grant-not-found': { status: 404, title: 'No such distance grant' },
  'grant-revoked': { status: 409, title: 'The distance grant is already revoked' },
  'alert-not-found': { status: 404, title: 'No such alert' },
  'invalid-policy': { status: 422, title: 'The policy profile or parameters are not valid' },
  'declaration-not-found': { status: 404, title: 'No such art. 9 declaration' },
  'debt-request-not-found': { status: 404, title: 'No such debt request' },
  'reduction-not-found': { status: 404, title: 'No such reduction request' },
  'document-not-found': { status: 404, title: 'No such document' },
  'already-decided': { status: 409, title: 'The request is already decided' },
  'invalid-transition': { status: 409, title: 'The request is not in a state that allows this step (R-RED-7)' },
  'protocol-number-taken': { status: 409, title: 'This protocol number is already used in the province' },

  // Verification after the biennium (issue 15, R-VER-1)
  'verification-too-early': { status: 409, title: 'The verification of this biennium and phase cannot run yet' },
  'verification-not-found': { status: 404, title: 'No verification of this province, biennium and version' },
  'verification-job-not-found': { status: 404, title: 'No such verification job of this person' },
  'verification-export-not-ready': { status: 409, title: 'The export is not written yet' },
  'verification-export-expired': { status: 410, title: 'The export has expired; ask for it again' },

  // Certificates (issue 15, R-DOC-7, R-DOC-8)
  'participant-not-found': { status: 404, title: 'The member is neither registered to the event nor among its participants' },
  'not-compliant': { status: 409, title: 'The member is not in order with the obligation of the biennium: no compliance certificate (R-DOC-8)' },
  // Referrals to the discipline council (issue 15, R-VER-8, R-VER-9)
  'referrals-too-early': { status: 409, title: 'The referral list rests on a February verification run after 28 February (R-VER-8)' },
  'referral-basis-outdated': { status: 409, title: 'The list already rests on a newer verification version (R-VER-8)' },
  'referral-list-outdated': { status: 409, title: 'A newer verification version exists: prepare the list again before sending (R-VER-9)' },
  'referral-not-found': { status: 404, title: 'No such referral' },
  'referral-invalid-transition': { status: 409, title: 'The referral is not in a state that allows this step (R-VER-9)' },
  'referral-withdrawn': { status: 409, title: 'The referral was withdrawn: its letter is no longer issued (R-VER-9)' },
  'invalid-referral-date': { status: 422, title: 'The date is before the letter (or the sending), or in the future (R-VER-9)' },

  // E-learning courses (issue 6 §1)
  'not-elearning': { status: 422, title: 'Only e-learning and podcast events have a SCORM course' },
  'not-a-zip': { status: 422, title: 'The file is not a zip archive' },
  'unsafe-path': { status: 422, title: 'The package holds a file name that is not a safe relative path' },
  'manifest-missing': { status: 422, title: 'The package has neither imsmanifest.xml (SCORM) nor cmi5.xml (cmi5) at its root' },
  'manifest-malformed': { status: 422, title: 'The package manifest cannot be read' },
  'unsupported-scorm-version': { status: 422, title: 'The package is neither SCORM 1.2 nor SCORM 2004' },
  'no-sco': { status: 422, title: 'The package has no SCO to launch' },
  'launch-file-missing': { status: 422, title: 'A SCO launch file is not in the package' },
  'cmi5-external-au': { status: 422, title: 'A cmi5 AU is not in the package (absolute url): AUs run on the content origin only' },

  // SCORM tracking (issue 6 §2, §3)
  'no-scorm-package': { status: 422, title: 'The course has no SCORM package' },
  'course-has-enrolments': { status: 409, title: 'Members are enrolled in this course' },
  'enrolment-not-found': { status: 404, title: 'The member is not enrolled in this course' },
  'attestation-not-available': { status: 409, title: 'No attestation: the enrolment or the attendance is not credited (R-ELN-6, R-DOC-7)' },
  'invalid-token': { status: 401, title: 'The launch link is not valid' },
  'launch-expired': { status: 401, title: 'The launch link has expired' },
  'unknown-sco': { status: 404, title: 'Not a SCO of the course', also: [400] },
  'invalid-session': { status: 400, title: 'The session id is not valid' },
  'review-unavailable': { status: 409, title: 'This course cannot be opened in review: a cmi5 course has no review launch yet' },
  'prerequisites-not-met': { status: 409, title: 'The module’s prerequisites (SCORM 1.2 adlcp:prerequisites) do not hold yet' },

  // Staff accounts and sign-in (issue 14; R-ACC-1 … R-ACC-7)
  'staff-not-found': { status: 404, title: 'No such staff account' },
  'staff-email-taken': { status: 409, title: 'A staff account with this e-mail exists' },
  'invalid-staff-subject': { status: 422, title: 'The account scope does not fit its role' },
  'password-too-short': { status: 422, title: 'The password has fewer than 12 characters' },
  'password-too-long': { status: 422, title: 'The password has more than 256 characters' },
  'password-too-common': { status: 422, title: 'The password is one of the most common ones' },
  'password-contains-email': { status: 422, title: 'The password contains the name of the e-mail address' },
  'link-not-usable': { status: 410, title: 'The link was used already, has expired, or its account is disabled' },
  'signin-failed': { status: 401, title: 'Wrong e-mail or password' },
  'account-locked': { status: 429, title: 'Too many failed attempts: the account is locked for a while' },
  'too-many-attempts': { status: 429, title: 'Too many sign-in attempts from this address' },
  'second-factor-failed': { status: 401, title: 'The code is not valid' },
  'second-factor-not-pending': { status: 409, title: 'No second-factor enrolment is waiting for a code' },
  'second-factor-required': { status: 409, title: 'This role cannot go without a second factor' },
  'oidc-not-configured': { status: 404, title: 'Single sign-on is not configured for this gateway' },
  'oidc-unavailable': { status: 503, title: 'The identity provider does not answer' },
  'oidc-refused': { status: 403, title: 'The identity provider’s sign-in does not open an account here (R-ACC-8)' },
} as const satisfies Record<string, ProblemEntry>;

export type ProblemCode = keyof typeof PROBLEMS;

export const PROBLEM_CODES = Object.keys(PROBLEMS) as ProblemCode[];

export function isProblemCode(code: string): code is ProblemCode {
  return Object.hasOwn(PROBLEMS, code);
}

/** The entry of `code`: every code is in the table by its type. */
export function problemEntry(code: ProblemCode): ProblemEntry {
  return PROBLEMS[code];
}
