/**
 * @module SCORM launches (evidence) and e-learning outcomes (derived) of enrolments (issue 6 §2,
 * §4): what derivation reads (the enrolment's course, launches and the CMI fields of its commits,
 * extracted in SQL so a long history stays cheap to read), and how it writes the outcome and the
 * credit record (fraction 0, the Rome year of completion) in one transaction under the
 * enrolment's row lock.
 */
import crypto from 'node:crypto';
import type { CourseDeclaration, ManifestSummary } from '../domain/elearning-compliance.ts';
import type { CommitFact, EnrolmentProgress, LaunchFact, ProgressStatus } from '../domain/elearning-progress.ts';
import { isoDurationSeconds, scorm12TimespanSeconds, cmiDecimal } from '../domain/scorm-cmi.ts';
import type { Db, Queryable } from './db.ts';
import { getEvent, type StoredEvent } from './events.ts';

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const ms = (v: Date | string) => new Date(v).getTime();

export interface NewLaunch {
  enrolmentId: string;
  sco: string;
  launchedAt: Date;
  clientAddr: string | null;
  userAgent: string | null;
  resume: Record<string, unknown>;
}

/** Registers a launch; the server draws the session id (128 random bits, base64url). */
export async function insertLaunch(db: Queryable, l: NewLaunch): Promise<string> {
  const sessionId = crypto.randomBytes(16).toString('base64url');
  await db.query(
    `INSERT INTO scorm_launches (session_id, enrolment_id, sco_identifier, launched_at, client_addr, user_agent, resume)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
    [sessionId, l.enrolmentId, l.sco, l.launchedAt.toISOString(), l.clientAddr, l.userAgent, JSON.stringify(l.resume)],
  );
  return sessionId;
}

/** The CMI object of a stored commit, in either of scorm-again's JSON shapes. */
const CMI = `COALESCE(c.parsed->'cmi', c.parsed->'runtimeData'->'cmi')`;

/**
 * The run-time state to hand back when a SCO is launched again (resume): from the SCO's last
 * valid commit in a session the server launched. Only elements a SCO may resume from; `entry`
 * says `resume` when the SCO left with `exit: suspend`.
 */
export async function resumeState(db: Queryable, enrolmentId: string, sco: string, version: '1.2' | '2004'): Promise<Record<string, unknown>> {
  const { rows } = await db.query<{ cmi: unknown }>(
    `SELECT ${CMI} AS cmi FROM scorm_commits c JOIN scorm_launches l ON l.session_id = c.session_id AND l.enrolment_id = c.enrolment_id AND l.sco_identifier = c.sco_identifier
      WHERE c.enrolment_id = $1 AND c.sco_identifier = $2 AND c.valid ORDER BY c.received_at DESC, c.id DESC LIMIT 1`,
    [enrolmentId, sco],
  );
  const cmi = json<Record<string, any> | null>(rows[0]?.cmi);
  if (!cmi || typeof cmi !== 'object') return {};
  const pick = (o: Record<string, any> | undefined, keys: string[]) =>
    Object.fromEntries(keys.filter((k) => typeof o?.[k] === 'string' && o[k] !== '').map((k) => [k, o![k]]));
  if (version === '1.2') {
    const core = cmi.core ?? {};
    const score = pick(core.score, ['raw', 'min', 'max']);
    return {
      ...pick(cmi, ['suspend_data']),
      core: {
        ...pick(core, ['lesson_location', 'lesson_status', 'total_time']),
        ...(core.exit === 'suspend' ? { entry: 'resume' } : {}),
        ...(Object.keys(score).length ? { score } : {}),
      },
    };
  }
  const score = pick(cmi.score, ['raw', 'min', 'max', 'scaled']);
  return {
    ...pick(cmi, ['suspend_data', 'location', 'completion_status', 'success_status', 'progress_measure', 'total_time']),
    ...(cmi.exit === 'suspend' ? { entry: 'resume' } : {}),
    ...(Object.keys(score).length ? { score } : {}),
  };
}

export interface EnrolmentFacts {
  enrolmentId: string;
  memberId: string;
  event: StoredEvent;
  manifest: ManifestSummary;
  declaration: CourseDeclaration | null;
  launches: LaunchFact[];
  commits: CommitFact[];
  highWater: number;
}

/** Seconds of a CMI time span of either version; null when absent or not one. */
function seconds(version: '1.2' | '2004', v: string | null): number | null {
  if (!v) return null;
  return version === '1.2' ? scorm12TimespanSeconds(v) : isoDurationSeconds(v);
}

/** Everything one enrolment's derivation needs; null when the enrolment or its package is gone. */
export async function loadEnrolmentFacts(tx: Queryable, enrolmentId: string): Promise<EnrolmentFacts | null> {
  const head = await tx.query<{ event_id: string; member_id: string; manifest: unknown; declaration: unknown }>(
    `SELECT e.event_id, e.member_id, p.manifest, d.declaration
       FROM elearning_enrolments e
       JOIN scorm_packages p ON p.event_id = e.event_id AND p.superseded_at IS NULL
       LEFT JOIN elearning_courses d ON d.event_id = e.event_id
      WHERE e.id = $1`,
    [enrolmentId],
  );
  const h = head.rows[0];
  if (!h) return null;
  const event = await getEvent(tx, h.event_id);
  if (!event) return null;
  const manifest = json<ManifestSummary>(h.manifest);
  const version = manifest.version;
  const [launches, commits] = await Promise.all([
    tx.query<{ session_id: string; sco_identifier: string; launched_at: Date | string; total_time: string | null }>(
      `SELECT session_id, sco_identifier, launched_at, COALESCE(resume->'core'->>'total_time', resume->>'total_time') AS total_time
         FROM scorm_launches WHERE enrolment_id = $1`,
      [enrolmentId],
    ),
    tx.query<{
      id: string | number;
      sco_identifier: string;
      session_id: string | null;
      received_at: Date | string;
      valid: boolean;
      lesson_status: string | null;
      completion_status: string | null;
      success_status: string | null;
      score_raw: string | null;
      session_time: string | null;
      total_time: string | null;
    }>(
      `SELECT c.id, c.sco_identifier, c.session_id, c.received_at, c.valid,
              ${CMI}->'core'->>'lesson_status' AS lesson_status,
              ${CMI}->>'completion_status' AS completion_status,
              ${CMI}->>'success_status' AS success_status,
              COALESCE(${CMI}->'core'->'score'->>'raw', ${CMI}->'score'->>'raw') AS score_raw,
              COALESCE(${CMI}->'core'->>'session_time', ${CMI}->>'session_time') AS session_time,
              COALESCE(${CMI}->'core'->>'total_time', ${CMI}->>'total_time') AS total_time
         FROM scorm_commits c WHERE c.enrolment_id = $1`,
      [enrolmentId],
    ),
  ]);
  let highWater = 0;
  const commitFacts: CommitFact[] = commits.rows.map((r) => {
    const id = Number(r.id);
    highWater = Math.max(highWater, id);
    const raw = r.score_raw === null || r.score_raw === '' ? null : cmiDecimal(r.score_raw);
    return {
      id,
      sco: r.sco_identifier,
      sessionId: r.session_id,
      receivedAt: ms(r.received_at),
      valid: r.valid,
      lessonStatus: r.lesson_status,
      completionStatus: r.completion_status,
      successStatus: r.success_status,
      scoreRaw: raw,
      sessionSeconds: seconds(version, r.session_time),
      totalSeconds: seconds(version, r.total_time),
    };
  });
  return {
    enrolmentId,
    memberId: h.member_id,
    event,
    manifest,
    declaration: h.declaration ? json<CourseDeclaration>(h.declaration) : null,
    launches: launches.rows.map((l) => ({
      sessionId: l.session_id,
      sco: l.sco_identifier,
      launchedAt: ms(l.launched_at),
      resumeTotalSeconds: seconds(version, l.total_time) ?? 0,
    })),
    commits: commitFacts,
    highWater,
  };
}

/** Serialises derivations of one enrolment (a second waits; at-least-once jobs stay exact). */
export async function lockEnrolment(tx: Queryable, enrolmentId: string): Promise<void> {
  await tx.query('SELECT id FROM elearning_enrolments WHERE id = $1 FOR UPDATE', [enrolmentId]);
}

export interface CreditWrite {
  credits: number;
  deontologyCredits: number;
  mode: string;
  year: number;
}

/**
 * Replaces the enrolment's outcome and its credit record. Returns the years whose credit records
 * changed (the ledger re-derives those balances, R-POL-2).
 */
export async function saveEnrolmentOutcome(
  tx: Queryable,
  f: { enrolmentId: string; eventId: string; memberId: string; highWater: number; derivedAt: Date },
  p: EnrolmentProgress,
  explanation: Record<string, unknown>,
  credit: CreditWrite | null,
): Promise<{ changedYears: number[]; statusChanged: boolean }> {
  const prev = await tx.query<{ status: string }>('SELECT status FROM elearning_outcomes WHERE enrolment_id = $1', [f.enrolmentId]);
  await tx.query(
    `INSERT INTO elearning_outcomes (enrolment_id, event_id, member_id, status, reason, rule, credits, credited_seconds, required_seconds,
       completed_at, explanation, commits_high_water, derived_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13)
     ON CONFLICT (enrolment_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, rule = EXCLUDED.rule,
       credits = EXCLUDED.credits, credited_seconds = EXCLUDED.credited_seconds, required_seconds = EXCLUDED.required_seconds,
       completed_at = EXCLUDED.completed_at, explanation = EXCLUDED.explanation, commits_high_water = EXCLUDED.commits_high_water,
       derived_at = EXCLUDED.derived_at`,
    [
      f.enrolmentId,
      f.eventId,
      f.memberId,
      p.status,
      p.reason,
      p.rule,
      p.credits,
      p.creditedSeconds,
      p.requiredSeconds,
      p.completedAt === null ? null : new Date(p.completedAt).toISOString(),
      JSON.stringify(explanation),
      f.highWater,
      f.derivedAt.toISOString(),
    ],
  );
  const old = await tx.query<{ year: number; credits: number; deontology_credits: number; mode: string; status: string }>(
    'SELECT year, credits, deontology_credits, mode, status FROM credit_records WHERE member_id = $1 AND event_id = $2 AND fraction = 0',
    [f.memberId, f.eventId],
  );
  const changed = new Set<number>();
  for (const r of old.rows) {
    if (credit && r.year === credit.year) continue;
    changed.add(r.year);
    await tx.query('DELETE FROM credit_records WHERE member_id = $1 AND event_id = $2 AND fraction = 0 AND year = $3', [f.memberId, f.eventId, r.year]);
  }
  if (credit) {
    const r = old.rows.find((o) => o.year === credit.year);
    const same = r && r.credits === credit.credits && r.deontology_credits === credit.deontologyCredits && r.mode === credit.mode && r.status === 'granted';
    if (!same) {
      changed.add(credit.year);
      await tx.query(
        `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
         VALUES ($1, $2, 0, $3, $4, $5, $6, 'granted', $7)
         ON CONFLICT (member_id, event_id, fraction, year) DO UPDATE SET credits = EXCLUDED.credits,
           deontology_credits = EXCLUDED.deontology_credits, mode = EXCLUDED.mode, status = EXCLUDED.status, derived_at = EXCLUDED.derived_at`,
        [f.memberId, f.eventId, credit.credits, credit.deontologyCredits, credit.mode, credit.year, f.derivedAt.toISOString()],
      );
    }
  }
  return { changedYears: [...changed], statusChanged: prev.rows[0]?.status !== p.status };
}

/** An enrolment's stored outcome, for the player page and the API. */
export async function getOutcome(db: Queryable, enrolmentId: string) {
  const { rows } = await db.query<{
    status: ProgressStatus;
    reason: string;
    rule: string;
    credits: number;
    credited_seconds: number;
    required_seconds: number | null;
    completed_at: Date | string | null;
    explanation: unknown;
    derived_at: Date | string;
  }>(
    'SELECT status, reason, rule, credits, credited_seconds, required_seconds, completed_at, explanation, derived_at FROM elearning_outcomes WHERE enrolment_id = $1',
    [enrolmentId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    status: r.status,
    reason: r.reason,
    rule: r.rule,
    credits: r.credits,
    creditedSeconds: r.credited_seconds,
    requiredSeconds: r.required_seconds,
    completedAt: r.completed_at === null ? null : new Date(r.completed_at).toISOString(),
    explanation: json<Record<string, unknown>>(r.explanation),
    derivedAt: new Date(r.derived_at).toISOString(),
  };
}

/** Whether an event is a SCORM course (has had a package): its credits come from SCORM derivation only. */
export async function isScormCourse(db: Queryable, eventId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM scorm_packages WHERE event_id = $1 LIMIT 1', [eventId]);
  return rows.length > 0;
}

export async function enrolmentIdsOf(db: Queryable, eventId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM elearning_enrolments WHERE event_id = $1 ORDER BY id', [eventId]);
  return rows.map((r) => r.id);
}

/**
 * Enrolments with commits received in the last `windowMs` that their outcome has not read yet:
 * the safety net for a crash between a commit's COMMIT and its queue request.
 */
export async function enrolmentsNeedingDerivation(db: Db, since: Date): Promise<string[]> {
  const { rows } = await db.query<{ enrolment_id: string }>(
    `SELECT c.enrolment_id FROM scorm_commits c LEFT JOIN elearning_outcomes o ON o.enrolment_id = c.enrolment_id
      WHERE c.received_at >= $1 GROUP BY c.enrolment_id, o.commits_high_water
     HAVING max(c.id) > COALESCE(o.commits_high_water, 0) LIMIT 10000`,
    [since.toISOString()],
  );
  return rows.map((r) => r.enrolment_id);
}
