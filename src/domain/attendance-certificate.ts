/**
 * @module The attendance certificate of a webinar, videoconference, in-person or mixed event
 * (art. 23 c.2: "in tutti gli altri casi … rilascia l’attestato di partecipazione su richiesta"):
 * what it says, in Italian, from plain inputs, and whether it can be issued. No I/O: the store
 * loads, the service issues the verifiable document, the PDF adapter draws.
 *
 * The fields are the e-learning attestation's (R-ELN-6), adapted (R-DOC-7):
 *
 * - **Place**: how the member took part (the credit record's mode, R-FAD-1 for a mixed event):
 *   in person, in the event's venue province; a webinar or videoconference on the event's platform.
 * - **Dates** of the event on the Rome calendar (R-CAL-2), each session of a structured path on
 *   its own; **duration**: the event's scheduled time (a path's sessions, not the nights between).
 * - **Presence**: the minutes the derivation recognised (R-ATT-3), as the outcome stored them.
 * - **Credits** and their deontology share as the ledger recorded them (`credit_records`): never
 *   computed again here.
 * - **Number**: stable for (event, member); **issue date**: the day the member's credits last
 *   became what the certificate states, so every download is the same document.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { cpoName, creditsText, italianDate, minutesText, organiserText, subjectText, type AttestationTopic } from './attestation.ts';
import { ROME } from './calendar.ts';
import type { Facts } from './documents.ts';
import { articledDate } from './italian-dates.ts';
import { provinceByCode } from './provinces.ts';

export const ATTENDANCE_CERTIFICATE_TITLE = 'Attestato di partecipazione';

/** Every row the certificate may show, with its Italian label, in the order shown. */
export const ATTENDANCE_CERTIFICATE_LABELS = {
  place: 'Luogo',
  dates: 'Data dell’evento',
  duration: 'Durata dell’evento',
  presence: 'Presenza riconosciuta',
  organiser: 'Ente organizzatore',
  accreditingCpo: 'Ente accreditante',
  accreditationReference: 'Codice di accreditamento',
  subject: 'Materia',
  credits: 'Crediti formativi',
  years: 'Anno formativo',
} as const;
export type AttendanceCertificateRowId = keyof typeof ATTENDANCE_CERTIFICATE_LABELS;

/** The fields art. 23 c.2 names, and the presence the certificate adds (R-DOC-7). */
export const ATTENDANCE_REQUIRED_FIELDS = ['place', 'dates', 'duration', 'presence', 'organiser', 'accreditingCpo', 'subject', 'credits'] as const;
export type AttendanceRequiredField = (typeof ATTENDANCE_REQUIRED_FIELDS)[number];

/** How the member took part: the credit record's mode (a mixed event is credited as one of the others, R-FAD-1). */
export type AttendedMode = 'in-person' | 'webinar' | 'videoconference' | 'mixed';

/** The event's mode in the certificate's heading and sentence. */
const MODE_WORDS: Readonly<Record<AttendedMode, { heading: string; sentence: string }>> = {
  'in-person': { heading: 'Evento in presenza', sentence: 'in presenza' },
  webinar: { heading: 'Webinar', sentence: 'webinar' },
  videoconference: { heading: 'Videoconferenza', sentence: 'videoconferenza' },
  mixed: { heading: 'Evento in modalità mista', sentence: 'in modalità mista' },
};

/** Webinar platforms by name (`generic` names none). */
export const PLATFORM_NAMES: Readonly<Record<string, string | null>> = {
  zoom: 'Zoom',
  teams: 'Microsoft Teams',
  goto: 'GoTo Webinar',
  webex: 'Webex',
  generic: null,
};

export interface CertificateSpan {
  /** ISO instants. */
  start: string;
  end: string;
}

export interface AttendanceCertificateInput {
  eventId: string;
  memberId: string;
  event: {
    title: string;
    /** The event's own mode (R-EVT-1). */
    mode: string;
    topics: readonly AttestationTopic[];
    start: string;
    end: string;
    /** A structured path's sessions (R-EVT-6): the event is held in these, not between them; null otherwise. */
    sessions: readonly CertificateSpan[] | null;
    cpoProvince: string;
    venueProvince: string | null;
    /** The platform's id (`zoom`, `teams`, …) or null. */
    platform: string | null;
    accreditationReference?: string | null;
  };
  organiser: { name: string; authorisationNumber?: string | null };
  member: { surname: string; givenName: string; codiceFiscale: string; registerNumber: string; province: string };
  attendance: {
    /** The credit records' mode: how the member took part (R-FAD-1). */
    mode: AttendedMode;
    /** Minutes recognised present (R-ATT-3), as the outcome stored them. */
    coveredMinutes: number;
    /** The member's credit records of the event, as the ledger holds them (granted ones only). */
    credits: ReadonlyArray<{ credits: number; deontologyCredits: number; year: number }>;
  };
  /** When the certificate is issued: the instant the credits last changed (the latest record's `derived_at`). */
  issuedAt: string | number | Date;
}

export interface AttendanceCertificateRow {
  id: AttendanceCertificateRowId;
  label: string;
  value: string;
}

export interface AttendanceCertificate {
  number: string;
  eventId: string;
  memberId: string;
  title: typeof ATTENDANCE_CERTIFICATE_TITLE;
  mode: AttendedMode;
  /** `Webinar – art. 23, comma 2, del Regolamento` */
  heading: string;
  eventTitle: string;
  member: { fullName: string; codiceFiscale: string; registerNumber: string; province: string; provinceName: string };
  statement: string;
  statementParts: { lead: string; name: string; rest: string };
  rows: AttendanceCertificateRow[];
  required: Record<AttendanceRequiredField, string>;
  credits: number;
  deontologyCredits: number;
  /** Rome calendar days the event is held on, `YYYY-MM-DD`. */
  eventDays: string[];
  issuedAt: string;
  issuedOn: string;
  issuedText: string;
  signatureLabel: string;
  /** How the certificate was produced; its last line (after `\n`) names the event and the member by id. */
  footer: string;
  pdf: { title: string; author: string; subject: string; keywords: string; creationDate: Date; fileName: string };
}

/** A member's attendance outcome as far as the certificate depends on it (R-ATT-9). */
export interface CertificateOutcome {
  status: string;
  /** The explanation's reason and rule. */
  reason: string;
  rule: string;
}

/** What issuing the certificate needs to know of the member at the event. */
export interface CertificateStanding {
  /** Null: no outcome stored for the member at this event. */
  outcome: CertificateOutcome | null;
  /** The member is registered to the event (in person, registration is optional: R-EVT-4). */
  registered: boolean;
  /** The member's credit records of the event: status and, for a questionnaire's refusal, its reason. */
  records: ReadonlyArray<{ status: string }>;
  /** What the questionnaire said of the credits, from the explanation (R-QST-8); null when none applies. */
  questionnaire: { creditStatus: string; code: string | null } | null;
}

export type CertificateAvailability =
  | { available: true }
  | { available: false; kind: 'not-participant' }
  | { available: false; kind: 'not-available'; reason: string; outcomeStatus: string | null; rule: string };

/**
 * Whether a member's attendance certificate can be issued (R-DOC-7): only when the attendance
 * outcome is `credited` and every credit record of the event is `granted` (a kind-e webinar's
 * credits wait for the questionnaire, R-QST-1, and may be refused, R-QST-8). A member with no
 * outcome and no registration took no part (`not-participant`); a registered one not derived yet
 * is `not-derived`; otherwise the outcome's (or the questionnaire's) reason and rule.
 *
 * @example certificateAvailability({ outcome: null, registered: true, records: [], questionnaire: null })
 * // → { available: false, kind: 'not-available', reason: 'not-derived', outcomeStatus: null, rule: 'R-ATT-9' }
 * @rule R-DOC-7
 */
export function certificateAvailability(s: CertificateStanding): CertificateAvailability {
  if (!s.outcome) {
    return s.registered
      ? { available: false, kind: 'not-available', reason: 'not-derived', outcomeStatus: null, rule: 'R-ATT-9' }
      : { available: false, kind: 'not-participant' };
  }
  const o = s.outcome;
  if (o.status !== 'credited') return { available: false, kind: 'not-available', reason: o.reason, outcomeStatus: o.status, rule: o.rule };
  const refused = (reason: string, rule: string) => ({ available: false as const, kind: 'not-available' as const, reason, outcomeStatus: o.status, rule });
  if (s.records.some((r) => r.status === 'not-granted')) return refused(s.questionnaire?.code ?? 'not-granted', 'R-QST-8');
  if (s.records.some((r) => r.status === 'pending')) return refused(s.questionnaire?.code ?? 'questionnaire-required', 'R-QST-1');
  // Credited, but the ledger holds nothing yet (a derivation in progress): as if not derived.
  if (!s.records.some((r) => r.status === 'granted')) return refused('not-derived', 'R-ATT-9');
  return { available: true };
}

/**
 * The attendance certificate of a credited member.
 *
 * @example
 * const c = attendanceCertificate({ eventId, memberId, event, organiser, member, attendance, issuedAt });
 * c.required.place // 'Webinar sulla piattaforma Zoom'
 * @rule R-DOC-7
 */
export function attendanceCertificate(input: AttendanceCertificateInput): AttendanceCertificate {
  const { event, member, attendance } = input;
  const issued = instant(input.issuedAt, 'issuedAt');
  const spans = certificateSpans(event);
  const credits = attendance.credits.reduce((s, c) => s + c.credits, 0);
  const deontology = attendance.credits.reduce((s, c) => s + c.deontologyCredits, 0);
  const number = attendanceCertificateNumber(input.eventId, input.memberId, Date.parse(event.start));
  const provinceName = provinceByCode(member.province)?.name ?? member.province;
  const fullName = `${member.givenName} ${member.surname}`.trim();
  const words = MODE_WORDS[attendance.mode];
  const mixed = event.mode === 'mixed' && attendance.mode !== 'mixed';

  const required: Record<AttendanceRequiredField, string> = {
    place: venueText(attendance.mode, event),
    dates: datesText(spans),
    duration: minutesText(spans.reduce((s, x) => s + Math.round((Date.parse(x.end) - Date.parse(x.start)) / 60_000), 0)),
    presence: minutesText(attendance.coveredMinutes),
    organiser: organiserText(input.organiser),
    accreditingCpo: cpoName(event.cpoProvince),
    subject: subjectText(event.topics),
    credits: creditsText(credits, deontology),
  };
  const rows: AttendanceCertificateRow[] = [];
  const push = (id: AttendanceCertificateRowId, value: string) => rows.push({ id, label: ATTENDANCE_CERTIFICATE_LABELS[id], value });
  push('place', required.place);
  push('dates', required.dates);
  push('duration', required.duration);
  push('presence', required.presence);
  push('organiser', required.organiser);
  push('accreditingCpo', required.accreditingCpo);
  if (event.accreditationReference) push('accreditationReference', event.accreditationReference);
  push('subject', required.subject);
  push('credits', required.credits);
  push('years', yearsText(attendance.credits));

  const how = mixed
    ? `in modalità mista, con partecipazione ${words.sentence === 'in presenza' ? 'in presenza' : `a distanza (${words.sentence})`}`
    : words.sentence;
  const statementParts = {
    lead: 'Si attesta che',
    name: fullName,
    rest:
      `codice fiscale ${member.codiceFiscale}, iscrizione n. ${member.registerNumber} all’Albo dei Consulenti del Lavoro della provincia di ${provinceName}, ` +
      `ha partecipato all’evento formativo «${event.title}» (${how}), con la presenza rilevata in entrata e in uscita (art. 23, comma 1, del Regolamento).`,
  };
  const heading = `${mixed ? `${MODE_WORDS.mixed.heading} (${words.sentence})` : words.heading} – art. 23, comma 2, del Regolamento`;
  return {
    number,
    eventId: input.eventId,
    memberId: input.memberId,
    title: ATTENDANCE_CERTIFICATE_TITLE,
    mode: attendance.mode,
    heading,
    eventTitle: event.title,
    member: { fullName, codiceFiscale: member.codiceFiscale, registerNumber: member.registerNumber, province: member.province, provinceName },
    statement: `${statementParts.lead} ${statementParts.name}, ${statementParts.rest}`,
    statementParts,
    rows,
    required,
    credits,
    deontologyCredits: deontology,
    eventDays: [...new Set(spans.flatMap((s) => [romeDay(s.start), romeDay(s.end)]))].sort(),
    issuedAt: issued.toISOString(),
    issuedOn: DateTime.fromMillis(issued.getTime(), { zone: ROME }).toISODate()!,
    issuedText: `Rilasciato ${articledDate('il', issued)}`,
    signatureLabel: 'Il legale rappresentante dell’ente organizzatore',
    footer:
      `Attestato n. ${number}, rilasciato su richiesta ai sensi dell’art. 23, comma 2, del Regolamento sulla formazione continua dei Consulenti del Lavoro. ` +
      `Presenza rilevata dall’ente organizzatore in entrata e in uscita (art. 23, comma 1).\nIdentificativi: evento ${input.eventId}, iscritto ${input.memberId}.`,
    pdf: {
      title: `${ATTENDANCE_CERTIFICATE_TITLE} – ${event.title}`,
      author: input.organiser.name,
      subject: `${ATTENDANCE_CERTIFICATE_TITLE} n. ${number}: ${words.heading.toLowerCase()}`,
      keywords: `formazione continua, consulenti del lavoro, attestato, ${words.sentence}`,
      creationDate: issued,
      fileName: `attestato-${number.toLowerCase()}.pdf`,
    },
  };
}

/**
 * What the certificate certifies, as its verifiable document's facts (R-DOC-1): exactly what the
 * PDF states, with the named values the verification page shows.
 * @rule R-DOC-1
 */
export function attendanceCertificateFacts(c: AttendanceCertificate): Facts {
  return {
    number: c.number,
    title: c.title,
    heading: c.heading,
    mode: c.mode,
    course: c.eventTitle,
    member: { name: c.member.fullName, codiceFiscale: c.member.codiceFiscale, registerNumber: c.member.registerNumber, province: c.member.province },
    statement: c.statement,
    rows: c.rows.map((r) => ({ label: r.label, value: r.value })),
    place: c.required.place,
    dates: c.required.dates,
    eventDays: c.eventDays,
    presence: c.required.presence,
    organiser: c.required.organiser,
    credits: c.required.credits,
    issued: c.issuedText,
    issuedOn: c.issuedOn,
    eventId: c.eventId,
    memberId: c.memberId,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers (exported for the tests)
// ---------------------------------------------------------------------------------------------

/**
 * The certificate number: the Rome year of the event's start and the first 16 hex digits of the
 * SHA-256 of (event, member). Stable: derived, never stored or counted.
 *
 * @example attendanceCertificateNumber(eventId, memberId, Date.parse('2026-03-15T13:00:00Z')) // 'ATT-2026-…' (16 hex digits)
 */
export function attendanceCertificateNumber(eventId: string, memberId: string, eventStart: number | Date): string {
  const hex = createHash('sha256').update(`attendance:${eventId.toLowerCase()}:${memberId.toLowerCase()}`, 'utf8').digest('hex').slice(0, 16).toUpperCase();
  return `ATT-${DateTime.fromMillis(instant(eventStart, 'eventStart').getTime(), { zone: ROME }).year}-${hex}`;
}

/**
 * Where the member took part: in person in the event's venue province, or on its platform.
 *
 * @example venueText('webinar', { platform: 'zoom', venueProvince: null }) // 'Webinar sulla piattaforma Zoom'
 * @example venueText('in-person', { platform: null, venueProvince: 'MI' }) // 'In presenza, provincia di Milano'
 */
export function venueText(mode: AttendedMode, event: { platform: string | null; venueProvince: string | null }): string {
  const platform = event.platform ? (PLATFORM_NAMES[event.platform] ?? null) : null;
  const province = event.venueProvince ? (provinceByCode(event.venueProvince)?.name ?? event.venueProvince) : null;
  switch (mode) {
    case 'in-person':
      return province ? `In presenza, provincia di ${province}` : 'In presenza';
    case 'webinar':
      return platform ? `Webinar sulla piattaforma ${platform}` : 'Webinar (formazione a distanza in diretta)';
    case 'videoconference':
      return platform ? `Videoconferenza sulla piattaforma ${platform}` : 'Videoconferenza (formazione a distanza in diretta)';
    case 'mixed':
      return [province ? `In presenza, provincia di ${province}` : 'In presenza', platform ? `a distanza sulla piattaforma ${platform}` : 'a distanza'].join(
        ' e ',
      );
  }
}

/** The spans the event is held in: a structured path's sessions, else its start to end. */
export function certificateSpans(event: Pick<AttendanceCertificateInput['event'], 'start' | 'end' | 'sessions'>): CertificateSpan[] {
  const spans = event.sessions?.length ? [...event.sessions] : [{ start: event.start, end: event.end }];
  return spans.sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
}

/**
 * The event's dates on the Rome calendar (R-CAL-2): a span within one day as
 * `12 marzo 2026, dalle 14:00 alle 17:00`, one across midnight with both days; sessions joined by `; `.
 *
 * @example datesText([{ start: '2026-03-12T13:00:00Z', end: '2026-03-12T16:00:00Z' }]) // '12 marzo 2026, dalle 14:00 alle 17:00'
 */
export function datesText(spans: readonly CertificateSpan[]): string {
  return spans
    .map((s) => {
      const a = DateTime.fromMillis(instant(s.start, 'start').getTime(), { zone: ROME });
      const b = DateTime.fromMillis(instant(s.end, 'end').getTime(), { zone: ROME });
      if (a.toISODate() === b.toISODate()) return `${italianDate(a.toMillis())}, dalle ${a.toFormat('HH:mm')} alle ${b.toFormat('HH:mm')}`;
      return `${articledDate('dal', a.toMillis())}, ore ${a.toFormat('HH:mm')}, ${articledDate('al', b.toMillis())}, ore ${b.toFormat('HH:mm')}`;
    })
    .join('; ');
}

/**
 * The training year(s) of the credits (R-CAL-2, R-EVT-6): `2026`, or for a path across two years
 * `2025 (12 crediti); 2026 (8 crediti)`.
 */
export function yearsText(credits: ReadonlyArray<{ credits: number; year: number }>): string {
  const byYear = new Map<number, number>();
  for (const c of credits) byYear.set(c.year, (byYear.get(c.year) ?? 0) + c.credits);
  const years = [...byYear.entries()].sort(([a], [b]) => a - b);
  if (years.length <= 1) return years.length ? String(years[0]![0]) : '—';
  return years.map(([y, n]) => `${y} (${n === 1 ? '1 credito' : `${n} crediti`})`).join('; ');
}

function romeDay(iso: string): string {
  return DateTime.fromMillis(instant(iso, 'date').getTime(), { zone: ROME }).toISODate()!;
}

function instant(v: string | number | Date, what: string): Date {
  const d = v instanceof Date ? new Date(v.getTime()) : new Date(typeof v === 'string' ? Date.parse(v) : v);
  if (!Number.isFinite(d.getTime())) throw new RangeError(`${what} is not a valid instant: ${String(v)}`);
  return d;
}
