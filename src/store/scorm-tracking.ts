/**
 * @module SCORM tracking (issue 6 §2, §3): enrolments in e-learning courses and the commits of
 * their SCORM runtimes, kept as received (R-ELN-1, append-only).
 */
import crypto from 'node:crypto';
import type { ManifestSummary } from '../domain/elearning-compliance.ts';
import type { Db, Queryable } from './db.ts';
import type { PackageVersion } from './elearning.ts';

export interface StoredEnrolment {
  enrolmentId: string;
  memberId: string;
  enrolledAt: string;
  created: boolean;
}

const iso = (v: Date | string) => new Date(v).toISOString();

/** The members of `memberIds` that do not exist. */
export async function unknownMembers(db: Queryable, memberIds: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM members WHERE id = ANY($1::uuid[])', [memberIds]);
  const known = new Set(rows.map((r) => r.id));
  return memberIds.filter((id) => !known.has(id));
}

/** Enrols members (idempotent: an enrolled member keeps their enrolment, `created: false`). */
export async function enrol(db: Db, eventId: string, memberIds: readonly string[], at: string, by: string): Promise<StoredEnrolment[]> {
  const unique = [...new Set(memberIds.map((m) => m.toLowerCase()))];
  const ids = unique.map(() => crypto.randomUUID());
  return db.transaction(async (tx) => {
    const inserted = await tx.query<{ id: string; member_id: string }>(
      `INSERT INTO elearning_enrolments (id, event_id, member_id, enrolled_at, enrolled_by)
       SELECT i, $1, m, $2, $3 FROM unnest($4::uuid[], $5::uuid[]) AS t(i, m)
       ON CONFLICT (event_id, member_id) DO NOTHING RETURNING id, member_id`,
      [eventId, at, by, ids, unique],
    );
    const created = new Set(inserted.rows.map((r) => r.member_id));
    const { rows } = await tx.query<{ id: string; member_id: string; enrolled_at: Date | string }>(
      'SELECT id, member_id, enrolled_at FROM elearning_enrolments WHERE event_id = $1 AND member_id = ANY($2::uuid[])',
      [eventId, unique],
    );
    const byMember = new Map(rows.map((r) => [r.member_id, r]));
    return unique.map((m) => {
      const r = byMember.get(m)!;
      return { enrolmentId: r.id, memberId: m, enrolledAt: iso(r.enrolled_at), created: created.has(m) };
    });
  });
}

export async function enrolmentCount(db: Queryable, eventId: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM elearning_enrolments WHERE event_id = $1', [eventId]);
  return rows[0]?.n ?? 0;
}

export async function findEnrolment(db: Queryable, eventId: string, memberId: string): Promise<{ id: string; enrolledAt: string } | null> {
  const { rows } = await db.query<{ id: string; enrolled_at: Date | string }>(
    'SELECT id, enrolled_at FROM elearning_enrolments WHERE event_id = $1 AND member_id = $2',
    [eventId, memberId],
  );
  return rows[0] ? { id: rows[0].id, enrolledAt: iso(rows[0].enrolled_at) } : null;
}

/** What a commit needs to know about its enrolment: the course's current package. */
export interface CommitTarget {
  enrolmentId: string;
  eventId: string;
  memberId: string;
  version: PackageVersion;
  scos: ManifestSummary['scos'];
}

/** What the player needs besides: the package to serve files from, the course title, who plays. */
export interface PlayerTarget extends CommitTarget {
  packageId: string;
  title: string;
  learner: { id: string; name: string };
}

export async function playerTarget(db: Queryable, enrolmentId: string): Promise<PlayerTarget | null> {
  const { rows } = await db.query<{
    id: string;
    event_id: string;
    member_id: string;
    version: PackageVersion;
    manifest: unknown;
    package_id: string;
    title: string;
    surname: string;
    given_name: string;
  }>(
    `SELECT e.id, e.event_id, e.member_id, p.version, p.manifest, p.id AS package_id, ev.title, m.surname, m.given_name
       FROM elearning_enrolments e JOIN scorm_packages p ON p.event_id = e.event_id AND p.superseded_at IS NULL
       JOIN events ev ON ev.id = e.event_id JOIN members m ON m.id = e.member_id
      WHERE e.id = $1`,
    [enrolmentId],
  );
  const r = rows[0];
  if (!r) return null;
  const manifest = (typeof r.manifest === 'string' ? JSON.parse(r.manifest) : r.manifest) as ManifestSummary;
  return {
    enrolmentId: r.id,
    eventId: r.event_id,
    memberId: r.member_id,
    version: r.version,
    scos: manifest.scos,
    packageId: r.package_id,
    title: r.title,
    learner: { id: r.member_id, name: `${r.surname}, ${r.given_name}` },
  };
}

export async function commitTarget(db: Queryable, enrolmentId: string): Promise<CommitTarget | null> {
  const { rows } = await db.query<{ id: string; event_id: string; member_id: string; version: PackageVersion; scos: unknown }>(
    `SELECT e.id, e.event_id, e.member_id, p.version, p.manifest->'scos' AS scos
       FROM elearning_enrolments e JOIN scorm_packages p ON p.event_id = e.event_id AND p.superseded_at IS NULL
      WHERE e.id = $1`,
    [enrolmentId],
  );
  const r = rows[0];
  if (!r) return null;
  const scos = (typeof r.scos === 'string' ? JSON.parse(r.scos) : r.scos) as ManifestSummary['scos'];
  return { enrolmentId: r.id, eventId: r.event_id, memberId: r.member_id, version: r.version, scos };
}

export interface NewCommit {
  enrolmentId: string;
  scoIdentifier: string;
  sessionId: string | null;
  receivedAt: Date;
  clientAddr: string | null;
  userAgent: string | null;
  contentType: string | null;
  body: Uint8Array;
  parsed: unknown;
  valid: boolean;
  errors: ReadonlyArray<{ path: string; message: string }>;
}

/** Appends a commit; resolves after COMMIT with its id. */
export async function insertCommit(db: Queryable, c: NewCommit): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO scorm_commits (enrolment_id, sco_identifier, session_id, received_at, client_addr, user_agent, content_type, body, parsed, valid, errors)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::bytea, $9::jsonb, $10, $11::jsonb) RETURNING id`,
    [
      c.enrolmentId,
      c.scoIdentifier,
      c.sessionId,
      c.receivedAt.toISOString(),
      c.clientAddr,
      c.userAgent,
      c.contentType,
      Buffer.from(c.body.buffer, c.body.byteOffset, c.body.byteLength),
      c.parsed === undefined ? null : JSON.stringify(c.parsed),
      c.valid,
      JSON.stringify(c.errors),
    ],
  );
  return Number(rows[0]!.id);
}

/** An enrolment as a course's list shows it: the member, when, and the derived outcome (null before the first derivation). */
export interface EnrolmentListItem {
  enrolmentId: string;
  memberId: string;
  surname: string;
  givenName: string;
  codiceFiscale: string;
  enrolledAt: string;
  outcome: { status: string; reason: string; credits: number; creditedSeconds: number; requiredSeconds: number | null; completedAt: string | null } | null;
}

/** A page of a course's enrolments in a stable order (member name, then id), `offset` rows in, and the total. */
export async function listEnrolments(db: Queryable, eventId: string, limit: number, offset: number): Promise<{ rows: EnrolmentListItem[]; total: number }> {
  const { rows } = await db.query<{
    id: string;
    member_id: string;
    surname: string;
    given_name: string;
    codice_fiscale: string;
    enrolled_at: Date | string;
    status: string | null;
    reason: string | null;
    credits: number | null;
    credited_seconds: number | null;
    required_seconds: number | null;
    completed_at: Date | string | null;
  }>(
    `SELECT e.id, e.member_id, m.surname, m.given_name, m.codice_fiscale, e.enrolled_at,
            o.status, o.reason, o.credits, o.credited_seconds, o.required_seconds, o.completed_at
     FROM elearning_enrolments e JOIN members m ON m.id = e.member_id LEFT JOIN elearning_outcomes o ON o.enrolment_id = e.id
     WHERE e.event_id = $1 ORDER BY m.surname, m.given_name, e.id LIMIT $2 OFFSET $3`,
    [eventId, limit, offset],
  );
  return {
    total: await enrolmentCount(db, eventId),
    rows: rows.map((r) => ({
      enrolmentId: r.id,
      memberId: r.member_id,
      surname: r.surname,
      givenName: r.given_name,
      codiceFiscale: r.codice_fiscale,
      enrolledAt: iso(r.enrolled_at),
      outcome:
        r.status === null
          ? null
          : {
              status: r.status,
              reason: r.reason!,
              credits: r.credits!,
              creditedSeconds: r.credited_seconds!,
              requiredSeconds: r.required_seconds,
              completedAt: r.completed_at === null ? null : iso(r.completed_at),
            },
    })),
  };
}
