/**
 * @module The attestation of a completed e-learning or podcast enrolment (R-ELN-6, art. 23 c.2):
 * what it says, in Italian, from plain inputs. No I/O: the store loads, the PDF adapter draws.
 *
 * Art. 23 c.2 asks for place, date and duration of the event, the organiser, the accrediting CPO,
 * the subject and the credits, issued within 30 days (R-CAL-3). Decisions taken here:
 *
 * - **Place** of a distance course is the platform it was followed on: "Formazione a distanza
 *   (e-learning) sulla piattaforma <host>" (podcast likewise).
 * - **Date** is the completion instant (when R-ELN-2 and R-ELN-3 first held together), on the
 *   Rome calendar (R-CAL-2); the attestation is **issued** on that day by default, so every
 *   download of it is the same document, and the 30-day deadline runs from it.
 * - **Duration** is the course's nominal duration as declared (R-ELN-5 declaration); the time the
 *   gateway credited (R-ELN-3) is shown beside it. Without a declaration, the credited time.
 * - **Number**: stable for the enrolment, from its id, so a re-download never renumbers it.
 */
import { DateTime } from 'luxon';
import { deadlineAfter, ROME } from './calendar.ts';
import { deontologyCredits, type Topic } from './credits.ts';
import type { Facts } from './documents.ts';
import { articledDate, italianDate, italianDateTime } from './italian-dates.ts';
import { provinceByCode } from './provinces.ts';

// Their home is italian-dates.ts; the certificates and mails import them from here.
export { italianDate, italianDateTime };

/** Days the organiser has to issue the attestation (art. 23 c.2). */
export const ATTESTATION_DAYS = 30;

/** The fields art. 23 c.2 requires, in its order (R-ELN-6). */
export const REQUIRED_FIELDS = ['place', 'date', 'duration', 'organiser', 'accreditingCpo', 'subject', 'credits'] as const;
export type RequiredField = (typeof REQUIRED_FIELDS)[number];

/** Every row the attestation may show, with its Italian label. */
export const ATTESTATION_LABELS = {
  place: 'Luogo',
  date: 'Data di completamento',
  duration: 'Durata',
  creditedTime: 'Tempo di fruizione riconosciuto',
  organiser: 'Ente organizzatore',
  accreditingCpo: 'Ente accreditante',
  accreditationReference: 'Codice di accreditamento',
  subject: 'Materia',
  credits: 'Crediti formativi',
} as const;
export type AttestationRowId = keyof typeof ATTESTATION_LABELS;

export const ATTESTATION_TITLE = 'Attestato di partecipazione';

export type AttestationMode = 'e-learning' | 'podcast';

const MODE_WORDS: Readonly<Record<AttestationMode, string>> = { 'e-learning': 'e-learning', podcast: 'podcast' };

export interface AttestationTopic {
  title: string;
  /** ISO instants, as events store them; used for the deontology share when the ledger has none. */
  start: string;
  end: string;
  deontology: boolean;
}

export interface AttestationInput {
  enrolmentId: string;
  event: {
    title: string;
    mode: AttestationMode;
    topics: readonly AttestationTopic[];
    /** ISO instants of the event (the span its topics lie in). */
    start: string;
    end: string;
    /** Sigla of the accrediting CPO (R-EVT-1). */
    cpoProvince: string;
    accreditationReference?: string | null;
  };
  organiser: {
    name: string;
    /** Kind e organisers name their CN authorisation on every document (art. 18 c.3). */
    authorisationNumber?: string | null;
  };
  member: {
    surname: string;
    givenName: string;
    codiceFiscale: string;
    registerNumber: string;
    province: string;
  };
  /** The outcome that credited the enrolment (R-ELN-4). */
  outcome: {
    completedAt: string | number | Date;
    creditedSeconds: number;
    credits: number;
    /** Deontology credits as the ledger recorded them; absent → from the event's topics (R-CAL-4, R-CAL-6). */
    deontologyCredits?: number | null;
  };
  /** Declared nominal duration of the course (R-ELN-5 declaration); null when not declared. */
  nominalMinutes: number | null;
  /** The platform's host name (from PUBLIC_URL or the request), e.g. `formazione.example.it`. */
  host: string;
  /** When the attestation is issued; defaults to the completion instant. */
  issuedAt?: string | number | Date;
}

export interface AttestationRow {
  id: AttestationRowId;
  label: string;
  value: string;
}

export interface Attestation {
  number: string;
  enrolmentId: string;
  title: typeof ATTESTATION_TITLE;
  mode: AttestationMode;
  eventTitle: string;
  member: { fullName: string; codiceFiscale: string; registerNumber: string; province: string; provinceName: string };
  /** "Si attesta che …": the sentence naming the member and the course, whole and in its three parts (the name is set apart). */
  statement: string;
  statementParts: { lead: string; name: string; rest: string };
  /** Rows in the order shown: the R-ELN-6 fields and what explains them. */
  rows: AttestationRow[];
  /** The R-ELN-6 fields by name (a check that none is missing reads these). */
  required: Record<RequiredField, string>;
  credits: number;
  deontologyCredits: number;
  creditedSeconds: number;
  nominalMinutes: number | null;
  completedAt: string;
  /** Rome calendar date of the completion, `YYYY-MM-DD`. */
  completedOn: string;
  issuedAt: string;
  issuedOn: string;
  /** `Rilasciato il 15 marzo 2026` */
  issuedText: string;
  /** End of the 30 days to issue it (art. 23 c.2, R-CAL-3): 23:59:59.999 Rome of the 30th day after completion. */
  issueDeadline: string;
  issuedWithinDeadline: boolean;
  /** The signature line art. 23 c.2 asks for: the gateway cannot sign for the organiser. */
  signatureLabel: string;
  /** How the attestation was produced; its last line (after `\n`, never wrapped) is the enrolment id to trace it. */
  footer: string;
  /** Document metadata and download name (ASCII only, no personal data). */
  pdf: { title: string; author: string; subject: string; keywords: string; creationDate: Date; fileName: string };
}

/** An enrolment's derived outcome as far as its attestation depends on it. */
export interface AttestationOutcome {
  status: string;
  reason: string;
  rule: string;
  /** When R-ELN-2 and R-ELN-3 first held together; null while they do not. */
  completedAt: string | null;
}

/** Whether the attestation can be issued yet, and why not. */
export type AttestationAvailability =
  | { available: true; completedAt: string }
  | { available: false; reason: string; outcomeStatus: string | null; rule: string };

/**
 * Whether an enrolment's attestation can be issued yet (R-ELN-4, R-ELN-6): only once its outcome
 * is `credited` with the instant it was completed. Before the first derivation (no outcome) the
 * reason is `not-derived`, under R-ELN-4; otherwise the outcome's own reason and rule.
 *
 * @example attestationAvailability(null) // → { available: false, reason: 'not-derived', outcomeStatus: null, rule: 'R-ELN-4' }
 */
export function attestationAvailability(outcome: AttestationOutcome | null): AttestationAvailability {
  if (!outcome || outcome.status !== 'credited' || outcome.completedAt === null) {
    return { available: false, reason: outcome?.reason ?? 'not-derived', outcomeStatus: outcome?.status ?? null, rule: outcome?.rule ?? 'R-ELN-4' };
  }
  return { available: true, completedAt: outcome.completedAt };
}

/**
 * The attestation of a credited enrolment.
 *
 * @example
 * const a = attestation({ enrolmentId, event, organiser, member, outcome, nominalMinutes: 120, host: 'formazione.example.it' });
 * a.required.place // 'Formazione a distanza (e-learning) sulla piattaforma formazione.example.it'
 * @rule R-ELN-6
 */
export function attestation(input: AttestationInput): Attestation {
  const completed = instant(input.outcome.completedAt, 'outcome.completedAt');
  const issued = input.issuedAt === undefined ? completed : instant(input.issuedAt, 'issuedAt');
  const deadline = deadlineAfter(completed, ATTESTATION_DAYS);
  const { event, member, outcome } = input;
  const provinceName = provinceByCode(member.province)?.name ?? member.province;
  const deontology = outcome.deontologyCredits ?? topicDeontology(event, outcome.credits);
  const number = attestationNumber(input.enrolmentId, completed);
  const fullName = `${member.givenName} ${member.surname}`.trim();

  const required: Record<RequiredField, string> = {
    place: placeText(event.mode, input.host),
    date: italianDateTime(completed),
    duration: input.nominalMinutes !== null ? `${minutesText(input.nominalMinutes)} (durata del corso)` : durationText(outcome.creditedSeconds),
    organiser: organiserText(input.organiser),
    accreditingCpo: cpoName(event.cpoProvince),
    subject: subjectText(event.topics),
    credits: creditsText(outcome.credits, deontology),
  };
  const rows: AttestationRow[] = [];
  const push = (id: AttestationRowId, value: string) => rows.push({ id, label: ATTESTATION_LABELS[id], value });
  push('place', required.place);
  push('date', required.date);
  push('duration', required.duration);
  if (input.nominalMinutes !== null) push('creditedTime', durationText(outcome.creditedSeconds));
  push('organiser', required.organiser);
  push('accreditingCpo', required.accreditingCpo);
  if (event.accreditationReference) push('accreditationReference', event.accreditationReference);
  push('subject', required.subject);
  push('credits', required.credits);

  const modeWord = MODE_WORDS[event.mode];
  const statementParts = {
    lead: 'Si attesta che',
    name: fullName,
    rest:
      `codice fiscale ${member.codiceFiscale}, iscrizione n. ${member.registerNumber} all’Albo dei Consulenti del Lavoro della provincia di ${provinceName}, ` +
      `ha completato il corso di formazione a distanza (${modeWord}) «${event.title}», fruendo di tutti i contenuti e superando la verifica finale.`,
  };
  return {
    number,
    enrolmentId: input.enrolmentId,
    title: ATTESTATION_TITLE,
    mode: event.mode,
    eventTitle: event.title,
    member: { fullName, codiceFiscale: member.codiceFiscale, registerNumber: member.registerNumber, province: member.province, provinceName },
    statement: `${statementParts.lead} ${statementParts.name}, ${statementParts.rest}`,
    statementParts,
    rows,
    required,
    credits: outcome.credits,
    deontologyCredits: deontology,
    creditedSeconds: outcome.creditedSeconds,
    nominalMinutes: input.nominalMinutes,
    completedAt: completed.toISOString(),
    completedOn: rome(completed).toISODate()!,
    issuedAt: issued.toISOString(),
    issuedOn: rome(issued).toISODate()!,
    issuedText: `Rilasciato ${articledDate('il', issued)}`,
    issueDeadline: deadline.toISOString(),
    issuedWithinDeadline: issued.getTime() <= deadline.getTime(),
    signatureLabel: 'Il legale rappresentante dell’ente organizzatore',
    footer:
      `Attestato n. ${number}, rilasciato ai sensi dell’art. 23, comma 2, del Regolamento sulla formazione continua dei Consulenti del Lavoro. ` +
      `Presenza e partecipazione tracciate dalla piattaforma ${input.host} (art. 13).\nIdentificativo dell’iscrizione al corso: ${input.enrolmentId}.`,
    pdf: {
      title: `${ATTESTATION_TITLE} – ${event.title}`,
      author: input.organiser.name,
      subject: `${ATTESTATION_TITLE} n. ${number}: formazione a distanza (${modeWord})`,
      keywords: 'formazione continua, consulenti del lavoro, attestato, e-learning',
      creationDate: issued,
      fileName: `attestato-${number.toLowerCase()}.pdf`,
    },
  };
}

/**
 * What the attestation certifies, as its verifiable document's facts (issue 15, R-DOC-1): exactly
 * what the PDF states (the number, the member, the statement, every row, the issue date), with the
 * named values the verification page shows.
 * @rule R-DOC-1
 */
export function attestationFacts(a: Attestation): Facts {
  return {
    number: a.number,
    title: a.title,
    mode: a.mode,
    course: a.eventTitle,
    member: { name: a.member.fullName, codiceFiscale: a.member.codiceFiscale, registerNumber: a.member.registerNumber, province: a.member.province },
    statement: a.statement,
    rows: a.rows.map((r) => ({ label: r.label, value: r.value })),
    organiser: a.required.organiser,
    credits: a.required.credits,
    completed: a.required.date,
    completedOn: a.completedOn,
    issued: a.issuedText,
    issuedOn: a.issuedOn,
    enrolmentId: a.enrolmentId,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers (exported for the tests and the pages)
// ---------------------------------------------------------------------------------------------

/**
 * The attestation number: the Rome year of completion and the first 16 hex digits of the
 * enrolment id (a v4 UUID: 60 random bits, so distinct enrolments do not share a number in
 * practice). Stable: derived, never stored or counted.
 *
 * @example attestationNumber('3f2a9c1b-7d0e-4a12-9b3c-0d1e2f3a4b5c', Date.parse('2026-03-15T10:00:00Z')) // 'FAD-2026-3F2A9C1B7D0E4A12'
 */
export function attestationNumber(enrolmentId: string, completedAt: number | Date): string {
  const hex = enrolmentId.replace(/-/g, '').slice(0, 16).toUpperCase();
  return `FAD-${rome(instant(completedAt, 'completedAt')).year}-${hex}`;
}

/** "Formazione a distanza (e-learning) sulla piattaforma <host>": where a distance course takes place. */
export function placeText(mode: AttestationMode, host: string): string {
  return `Formazione a distanza (${MODE_WORDS[mode]}) sulla piattaforma ${host}`;
}

/** The accrediting CPO by name, from its sigla (R-EVT-1); an unknown sigla is shown as given. */
export function cpoName(province: string): string {
  return `Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di ${provinceByCode(province)?.name ?? province}`;
}

/** A duration in seconds as whole hours and minutes, never rounded up (R-ELN-3 credits no more than was followed). */
export function durationText(seconds: number): string {
  return minutesText(Math.floor(Math.max(0, seconds) / 60));
}

/** `2 h 5 min`, `1 h`, `45 min`, `0 min`. */
export function minutesText(minutes: number): string {
  const m = Math.max(0, Math.floor(minutes));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h === 0) return `${rest} min`;
  return rest === 0 ? `${h} h` : `${h} h ${rest} min`;
}

/** `2 crediti formativi, di cui 1 in materia di ordinamento professionale e codice deontologico` */
export function creditsText(credits: number, deontology: number): string {
  const base = credits === 1 ? '1 credito formativo' : `${credits} crediti formativi`;
  return deontology > 0 ? `${base}, di cui ${deontology} in materia di ordinamento professionale e codice deontologico` : base;
}

/** The subject: the topics' titles in order (R-EVT-1), a repeated title once. */
export function subjectText(topics: readonly Pick<AttestationTopic, 'title'>[]): string {
  const titles = [...new Set(topics.map((t) => t.title.trim()).filter(Boolean))];
  return titles.length ? titles.join('; ') : '—';
}

/** The organiser by name, a kind-e one with its CN authorisation number (art. 18 c.3). */
export function organiserText(o: AttestationInput['organiser']): string {
  return o.authorisationNumber ? `${o.name} (ente autorizzato dal Consiglio Nazionale, autorizzazione n. ${o.authorisationNumber})` : o.name;
}

/** Whole hours of deontology topics in the event, rounded by R-CAL-4, at most the credits (as the webinar derivation). */
function topicDeontology(event: AttestationInput['event'], credits: number): number {
  const topics: Topic[] = event.topics
    .map((t) => ({ start: Date.parse(t.start), end: Date.parse(t.end), deontology: t.deontology }))
    .filter((t) => Number.isFinite(t.start) && Number.isFinite(t.end));
  const span = { start: Date.parse(event.start), end: Date.parse(event.end) };
  if (!Number.isFinite(span.start) || !Number.isFinite(span.end)) return 0;
  return deontologyCredits(topics, span, credits);
}

function rome(d: Date): DateTime {
  return DateTime.fromMillis(d.getTime(), { zone: ROME });
}

function instant(v: string | number | Date, what: string): Date {
  const d = v instanceof Date ? new Date(v.getTime()) : new Date(typeof v === 'string' ? Date.parse(v) : v);
  if (!Number.isFinite(d.getTime())) throw new RangeError(`${what} is not a valid instant: ${String(v)}`);
  return d;
}
