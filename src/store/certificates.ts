/**
 * @module What the certificates are drawn from (issue 15): for an attendance certificate, one
 * query for the event, its organiser, the member, the member's attendance outcome, credit records
 * and registration; for a compliance certificate, the members' rows of the latest February and
 * June verification snapshots of a province and biennium (R-VER-5: snapshots never change).
 */
import type { SnapshotBasis } from '../domain/compliance-certificate.ts';
import type { VerificationPhase, VerificationRow } from '../domain/verification.ts';
import type { Queryable } from './db.ts';
import { iso, json } from './row-values.ts';

export interface AttendanceCertificateSource {
  event: {
    id: string;
    organiserId: string;
    cpoProvince: string;
    mode: string;
    title: string;
    topics: Array<{ title: string; start: string; end: string; deontology: boolean }>;
    start: string;
    end: string;
    venueProvince: string | null;
    platform: string | null;
    structuredPath: boolean;
    fractions: Array<{ start: string; end: string }> | null;
    accreditationReference: string | null;
  };
  organiser: { name: string; kind: string; authorisationNumber: string | null };
  /** Null when no member has this id. */
  member: { surname: string; givenName: string; codiceFiscale: string; registerNumber: string; province: string } | null;
  registered: boolean;
  /** The member's outcome (a credited one first, should a member hold two), null when none is stored. */
  outcome: { status: string; coveredMinutes: number; explanation: Record<string, unknown> } | null;
  /** The member's credit records of the event. */
  credits: Array<{ fraction: number; credits: number; deontologyCredits: number; mode: string; year: number; status: string; derivedAt: string }>;
}

interface Row {
  id: string;
  organiser_id: string;
  cpo_province: string;
  mode: string;
  title: string;
  topics: unknown;
  start_at: Date | string;
  end_at: Date | string;
  venue_province: string | null;
  platform: string | null;
  structured_path: boolean;
  fractions: unknown;
  accreditation_reference: string | null;
  organiser_name: string;
  organiser_kind: string;
  authorisation_number: string | null;
  surname: string | null;
  given_name: string | null;
  codice_fiscale: string | null;
  register_number: string | null;
  member_province: string | null;
  registered: boolean;
  outcome: unknown;
  credits: unknown;
}

/** The event (null when unknown) with what the member's attendance certificate is drawn from. */
export async function attendanceCertificateSource(db: Queryable, eventId: string, memberId: string): Promise<AttendanceCertificateSource | null> {
  const { rows } = await db.query<Row>(
    `SELECT ev.id, ev.organiser_id, ev.cpo_province, ev.mode, ev.title, ev.topics, ev.start_at, ev.end_at, ev.venue_province, ev.platform,
            ev.structured_path, ev.fractions, ev.accreditation_reference,
            org.name AS organiser_name, org.kind AS organiser_kind, org.authorisation_number,
            m.surname, m.given_name, m.codice_fiscale, m.register_number, m.province AS member_province,
            EXISTS (SELECT 1 FROM registrations r WHERE r.event_id = ev.id AND r.member_id = $2) AS registered,
            (SELECT jsonb_build_object('status', o.status, 'coveredMinutes', o.covered_minutes, 'explanation', o.explanation)
               FROM attendance_outcomes o WHERE o.event_id = ev.id AND o.member_id = $2
              ORDER BY (o.status = 'credited') DESC, o.participant_key LIMIT 1) AS outcome,
            (SELECT coalesce(jsonb_agg(jsonb_build_object('fraction', c.fraction, 'credits', c.credits, 'deontologyCredits', c.deontology_credits,
                       'mode', c.mode, 'year', c.year, 'status', c.status, 'derivedAt', c.derived_at) ORDER BY c.year, c.fraction), '[]'::jsonb)
               FROM credit_records c WHERE c.event_id = ev.id AND c.member_id = $2) AS credits
       FROM events ev
       JOIN organisers org ON org.id = ev.organiser_id
       LEFT JOIN members m ON m.id = $2
      WHERE ev.id = $1`,
    [eventId, memberId],
  );
  const r = rows[0];
  if (!r) return null;
  const outcome = r.outcome === null ? null : json(r.outcome as string | { status: string; coveredMinutes: number; explanation: Record<string, unknown> });
  const credits = json(r.credits as string | AttendanceCertificateSource['credits']).map((c) => ({ ...c, derivedAt: iso(c.derivedAt) }));
  return {
    event: {
      id: r.id,
      organiserId: r.organiser_id,
      cpoProvince: r.cpo_province,
      mode: r.mode,
      title: r.title,
      topics: json(r.topics as string | AttendanceCertificateSource['event']['topics']) ?? [],
      start: iso(r.start_at),
      end: iso(r.end_at),
      venueProvince: r.venue_province,
      platform: r.platform,
      structuredPath: r.structured_path,
      fractions: r.fractions === null ? null : json(r.fractions as string | Array<{ start: string; end: string }>),
      accreditationReference: r.accreditation_reference,
    },
    organiser: { name: r.organiser_name, kind: r.organiser_kind, authorisationNumber: r.authorisation_number },
    member:
      r.surname === null
        ? null
        : {
            surname: r.surname,
            givenName: r.given_name!,
            codiceFiscale: r.codice_fiscale!,
            registerNumber: r.register_number!,
            province: r.member_province!,
          },
    registered: r.registered,
    outcome: outcome ? { status: outcome.status, coveredMinutes: Number(outcome.coveredMinutes), explanation: json(outcome.explanation) ?? {} } : null,
    credits,
  };
}

/** The rows of some members in the latest snapshot of a phase, with that snapshot; null when the phase has none. */
export interface PhaseRows {
  basis: SnapshotBasis;
  rows: Map<string, VerificationRow>;
}

/**
 * The latest snapshot of a province, biennium and phase, with the rows of `memberIds` in it
 * (members it does not hold are absent from the map); null when the phase has no snapshot.
 */
export async function latestPhaseRows(
  db: Queryable,
  key: { province: string; biennium: number; phase: VerificationPhase },
  memberIds: readonly string[],
): Promise<PhaseRows | null> {
  const head = await db.query<{ id: string | number; version: number; as_of: Date | string; created_at: Date | string }>(
    `SELECT id, version, as_of, created_at FROM verification_snapshots
      WHERE province = $1 AND biennium = $2 AND phase = $3 ORDER BY version DESC LIMIT 1`,
    [key.province, key.biennium, key.phase],
  );
  const h = head.rows[0];
  if (!h) return null;
  const rows = new Map<string, VerificationRow>();
  if (memberIds.length) {
    const found = await db.query<{ row: VerificationRow | string }>(
      'SELECT row FROM verification_rows WHERE snapshot_id = $1 AND member_id IN (SELECT jsonb_array_elements_text($2::jsonb)::uuid)',
      [Number(h.id), JSON.stringify(memberIds)],
    );
    for (const f of found.rows) {
      const row = json(f.row);
      rows.set(row.memberId, row);
    }
  }
  return { basis: { phase: key.phase, version: h.version, asOf: iso(h.as_of), createdAt: iso(h.created_at) }, rows };
}
