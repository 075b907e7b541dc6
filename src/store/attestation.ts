/**
 * @module What the R-ELN-6 attestation of an enrolment is drawn from, in one query: the event and
 * its organiser (who may see it, mode, title, topics, accrediting CPO), the enrolment, the member,
 * the course declaration (nominal duration), the derived outcome and the deontology credits the
 * ledger recorded. Read by (event, member) for the API and the dashboard, by enrolment id for the
 * player's launch token.
 */
import type { Queryable } from './db.ts';

export interface AttestationSource {
  event: {
    id: string;
    organiserId: string;
    cpoProvince: string;
    mode: string;
    title: string;
    topics: Array<{ title: string; start: string; end: string; deontology: boolean }>;
    start: string;
    end: string;
    accreditationReference: string | null;
  };
  organiser: { name: string; kind: string; authorisationNumber: string | null };
  /** Null when the member is not enrolled in the course. */
  enrolment: {
    id: string;
    memberId: string;
    member: { surname: string; givenName: string; codiceFiscale: string; registerNumber: string; province: string };
    /** Declared nominal duration (R-ELN-5); null when the course is not declared. */
    nominalMinutes: number | null;
    /** Null until the enrolment's first derivation. */
    outcome: {
      status: string;
      reason: string;
      rule: string;
      credits: number;
      creditedSeconds: number;
      completedAt: string | null;
    } | null;
    /** Deontology credits of the enrolment's credit record (fraction 0), null when there is none. */
    ledgerDeontology: number | null;
  } | null;
}

interface Row {
  event_id: string;
  organiser_id: string;
  cpo_province: string;
  mode: string;
  title: string;
  topics: unknown;
  start_at: Date | string;
  end_at: Date | string;
  accreditation_reference: string | null;
  organiser_name: string;
  organiser_kind: string;
  authorisation_number: string | null;
  enrolment_id: string | null;
  member_id: string | null;
  surname: string | null;
  given_name: string | null;
  codice_fiscale: string | null;
  register_number: string | null;
  member_province: string | null;
  nominal_minutes: string | number | null;
  status: string | null;
  reason: string | null;
  rule: string | null;
  credits: number | null;
  credited_seconds: number | null;
  completed_at: Date | string | null;
  ledger_deontology: string | number | null;
}

const COLUMNS = `ev.id AS event_id, ev.organiser_id, ev.cpo_province, ev.mode, ev.title, ev.topics, ev.start_at, ev.end_at, ev.accreditation_reference,
  org.name AS organiser_name, org.kind AS organiser_kind, org.authorisation_number,
  en.id AS enrolment_id, en.member_id, m.surname, m.given_name, m.codice_fiscale, m.register_number, m.province AS member_province,
  c.declaration->>'nominalMinutes' AS nominal_minutes,
  o.status, o.reason, o.rule, o.credits, o.credited_seconds, o.completed_at,
  (SELECT sum(cr.deontology_credits)::int FROM credit_records cr
    WHERE cr.member_id = en.member_id AND cr.event_id = en.event_id AND cr.fraction = 0) AS ledger_deontology`;

const JOINS = `JOIN organisers org ON org.id = ev.organiser_id
  LEFT JOIN members m ON m.id = en.member_id
  LEFT JOIN elearning_courses c ON c.event_id = ev.id
  LEFT JOIN elearning_outcomes o ON o.enrolment_id = en.id`;

/** The event (null when unknown) and, when the member is enrolled, the enrolment's facts. */
export async function attestationSourceByMember(db: Queryable, eventId: string, memberId: string): Promise<AttestationSource | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS}
       FROM events ev LEFT JOIN elearning_enrolments en ON en.event_id = ev.id AND en.member_id = $2
       ${JOINS}
      WHERE ev.id = $1`,
    [eventId, memberId],
  );
  return rows[0] ? toSource(rows[0]) : null;
}

/** The enrolment's facts; null when the enrolment is unknown. */
export async function attestationSourceByEnrolment(db: Queryable, enrolmentId: string): Promise<AttestationSource | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS}
       FROM elearning_enrolments en JOIN events ev ON ev.id = en.event_id
       ${JOINS}
      WHERE en.id = $1`,
    [enrolmentId],
  );
  return rows[0] ? toSource(rows[0]) : null;
}

const iso = (v: Date | string) => new Date(v).toISOString();
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const num = (v: string | number | null): number | null => (v === null || v === '' ? null : Number.isFinite(Number(v)) ? Number(v) : null);

function toSource(r: Row): AttestationSource {
  return {
    event: {
      id: r.event_id,
      organiserId: r.organiser_id,
      cpoProvince: r.cpo_province,
      mode: r.mode,
      title: r.title,
      topics: json<AttestationSource['event']['topics']>(r.topics) ?? [],
      start: iso(r.start_at),
      end: iso(r.end_at),
      accreditationReference: r.accreditation_reference,
    },
    organiser: { name: r.organiser_name, kind: r.organiser_kind, authorisationNumber: r.authorisation_number },
    enrolment:
      r.enrolment_id === null
        ? null
        : {
            id: r.enrolment_id,
            memberId: r.member_id!,
            member: {
              surname: r.surname!,
              givenName: r.given_name!,
              codiceFiscale: r.codice_fiscale!,
              registerNumber: r.register_number!,
              province: r.member_province!,
            },
            nominalMinutes: num(r.nominal_minutes),
            outcome:
              r.status === null
                ? null
                : {
                    status: r.status,
                    reason: r.reason!,
                    rule: r.rule!,
                    credits: r.credits!,
                    creditedSeconds: r.credited_seconds!,
                    completedAt: r.completed_at === null ? null : iso(r.completed_at),
                  },
            ledgerDeontology: num(r.ledger_deontology),
          },
  };
}
