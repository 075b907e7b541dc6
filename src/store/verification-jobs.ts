/**
 * @module Background jobs of the verification (migration 016, issue 15, R-VER-11 … R-VER-13): the
 * job rows (status, progress, who asked, the result) and an export's file in chunks. Every update
 * of a running job names the attempt it belongs to, so a worker that lost its job (it stalled and
 * another took it over) can no longer write progress, chunks or the outcome.
 */
import type { VerificationPhase } from '../domain/verification.ts';
import type { Queryable } from './db.ts';

export type JobKind = 'run' | 'export';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'expired';

export interface JobActor {
  role: string;
  subject: string | null;
  userId: string;
}

export interface VerificationJob {
  id: string;
  kind: JobKind;
  province: string;
  biennium: number;
  phase: VerificationPhase;
  version: number | null;
  format: 'csv' | 'xlsx' | null;
  actor: JobActor;
  requestedBy: string;
  userId: string;
  requestedAt: string;
  status: JobStatus;
  attempts: number;
  stage: string | null;
  done: number;
  total: number | null;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result: Record<string, unknown> | null;
  error: { code: string; detail: string } | null;
  fileAttempt: number | null;
  fileBytes: number | null;
  expiresAt: string | null;
}

interface JobRow {
  id: string;
  kind: JobKind;
  province: string;
  biennium: number;
  phase: VerificationPhase;
  version: number | null;
  format: 'csv' | 'xlsx' | null;
  actor: JobActor;
  requested_by: string;
  user_id: string;
  requested_at: Date;
  status: JobStatus;
  attempts: number;
  stage: string | null;
  done: number;
  total: number | null;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  result: Record<string, unknown> | null;
  error: { code: string; detail: string } | null;
  file_attempt: number | null;
  file_bytes: number | null;
  expires_at: Date | null;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

function toJob(r: JobRow): VerificationJob {
  return {
    id: r.id,
    kind: r.kind,
    province: r.province,
    biennium: r.biennium,
    phase: r.phase,
    version: r.version,
    format: r.format,
    actor: r.actor,
    requestedBy: r.requested_by,
    userId: r.user_id,
    requestedAt: iso(r.requested_at)!,
    status: r.status,
    attempts: r.attempts,
    stage: r.stage,
    done: r.done,
    total: r.total,
    updatedAt: iso(r.updated_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    result: r.result,
    error: r.error,
    fileAttempt: r.file_attempt,
    fileBytes: r.file_bytes === null ? null : Number(r.file_bytes),
    expiresAt: iso(r.expires_at),
  };
}

/** What a new job is asked with: who asks and for what; the rest starts empty. */
export type NewJob = Pick<
  VerificationJob,
  'id' | 'kind' | 'province' | 'biennium' | 'phase' | 'version' | 'format' | 'actor' | 'requestedBy' | 'requestedAt' | 'total'
>;

const OPEN = "status IN ('queued', 'running')";
const SAME_THING = `user_id = $1 AND kind = $2 AND province = $3 AND biennium = $4 AND phase = $5
  AND coalesce(version, 0) = coalesce($6::int, 0) AND coalesce(format, '') = coalesce($7::text, '')`;

/**
 * Stores a new queued job, unless the same person has the same thing queued or running: then that
 * one (`created: false`).
 */
export async function insertJob(db: Queryable, j: NewJob): Promise<{ job: VerificationJob; created: boolean }> {
  const { rows } = await db.query<JobRow>(
    `INSERT INTO verification_jobs (id, kind, province, biennium, phase, version, format, actor, requested_by, user_id, requested_at, status, total, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, 'queued', $12, $11)
     ON CONFLICT DO NOTHING RETURNING *`,
    [j.id, j.kind, j.province, j.biennium, j.phase, j.version, j.format, JSON.stringify(j.actor), j.requestedBy, j.actor.userId, j.requestedAt, j.total],
  );
  if (rows[0]) return { job: toJob(rows[0]), created: true };
  const open = await db.query<JobRow>(`SELECT * FROM verification_jobs WHERE ${SAME_THING} AND ${OPEN}`, [
    j.actor.userId,
    j.kind,
    j.province,
    j.biennium,
    j.phase,
    j.version,
    j.format,
  ]);
  if (!open.rows[0]) throw new Error('verification job neither inserted nor open');
  return { job: toJob(open.rows[0]), created: false };
}

/** The same person's finished export of the same version and format whose file has not expired at `now`. */
export async function readyExport(
  db: Queryable,
  key: { userId: string; province: string; biennium: number; phase: VerificationPhase; version: number; format: 'csv' | 'xlsx' },
  now: string,
): Promise<VerificationJob | null> {
  const { rows } = await db.query<JobRow>(
    `SELECT * FROM verification_jobs WHERE ${SAME_THING} AND status = 'done' AND expires_at > $8 ORDER BY finished_at DESC LIMIT 1`,
    [key.userId, 'export', key.province, key.biennium, key.phase, key.version, key.format, now],
  );
  return rows[0] ? toJob(rows[0]) : null;
}

export async function jobById(db: Queryable, id: string): Promise<VerificationJob | null> {
  const { rows } = await db.query<JobRow>('SELECT * FROM verification_jobs WHERE id = $1', [id]);
  return rows[0] ? toJob(rows[0]) : null;
}

/** A person's latest jobs of a province, biennium and phase, newest first. */
export async function recentJobs(
  db: Queryable,
  key: { userId: string; province: string; biennium: number; phase: VerificationPhase },
  limit: number,
): Promise<VerificationJob[]> {
  const { rows } = await db.query<JobRow>(
    `SELECT * FROM verification_jobs WHERE user_id = $1 AND province = $2 AND biennium = $3 AND phase = $4 ORDER BY requested_at DESC, id LIMIT $5`,
    [key.userId, key.province, key.biennium, key.phase, limit],
  );
  return rows.map(toJob);
}

/** Jobs not finished yet (what the sweep checks against the queue). */
export async function openJobs(db: Queryable, limit: number): Promise<VerificationJob[]> {
  const { rows } = await db.query<JobRow>(`SELECT * FROM verification_jobs WHERE ${OPEN} ORDER BY requested_at LIMIT $1`, [limit]);
  return rows.map(toJob);
}

/**
 * Starts an attempt of a queued (or running: taken over after a worker died) job: one more
 * attempt, `running`. Null when the job is finished or unknown (a duplicate delivery).
 */
export async function startAttempt(db: Queryable, id: string, now: string): Promise<VerificationJob | null> {
  const { rows } = await db.query<JobRow>(
    `UPDATE verification_jobs SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, $2), updated_at = $2,
       stage = NULL, done = 0
     WHERE id = $1 AND ${OPEN} RETURNING *`,
    [id, now],
  );
  return rows[0] ? toJob(rows[0]) : null;
}

/** Progress of the running attempt `attempt`; false when the job is no longer that attempt's. */
export async function setProgress(
  db: Queryable,
  id: string,
  attempt: number,
  p: { stage: string; done: number; total: number | null },
  now: string,
): Promise<boolean> {
  const r = await db.query(
    `UPDATE verification_jobs SET stage = $3, done = $4, total = coalesce($5, total), updated_at = $6 WHERE id = $1 AND attempts = $2 AND status = 'running'`,
    [id, attempt, p.stage, p.done, p.total, now],
  );
  return r.rowCount === 1;
}

/** Attempt `attempt` finished: the result, and for an export the file (its chunks) until `expiresAt`. */
export async function finishJob(
  tx: Queryable,
  id: string,
  attempt: number,
  f: { result: Record<string, unknown>; fileBytes?: number; expiresAt?: string },
  now: string,
): Promise<boolean> {
  const r = await tx.query(
    `UPDATE verification_jobs SET status = 'done', result = $3::jsonb, finished_at = $4, updated_at = $4, stage = 'done',
       file_attempt = CASE WHEN kind = 'export' THEN $2 ELSE NULL END, file_bytes = $5, expires_at = $6
     WHERE id = $1 AND attempts = $2 AND status = 'running'`,
    [id, attempt, JSON.stringify(f.result), now, f.fileBytes ?? null, f.expiresAt ?? null],
  );
  if (r.rowCount !== 1) return false;
  await tx.query('DELETE FROM verification_export_chunks WHERE job_id = $1 AND attempt <> $2', [id, attempt]);
  return true;
}

/**
 * The job failed for good, with why (a code the page words); its partial file is deleted. `attempt` (when
 * given) must still be the job's; the sweep passes the attempt it saw.
 */
export async function failJob(db: Queryable, id: string, attempt: number | null, error: { code: string; detail: string }, now: string): Promise<boolean> {
  const r = await db.query(
    `UPDATE verification_jobs SET status = 'failed', error = $3::jsonb, finished_at = $4, updated_at = $4
     WHERE id = $1 AND ${OPEN} AND ($2::int IS NULL OR attempts = $2)`,
    [id, attempt, JSON.stringify(error), now],
  );
  if (r.rowCount === 1) await db.query('DELETE FROM verification_export_chunks WHERE job_id = $1', [id]);
  return r.rowCount === 1;
}

/** Back to `queued` after a failed attempt that will be retried. */
export async function requeueJob(db: Queryable, id: string, attempt: number, now: string): Promise<void> {
  await db.query(`UPDATE verification_jobs SET status = 'queued', stage = 'retry', updated_at = $3 WHERE id = $1 AND attempts = $2 AND status = 'running'`, [
    id,
    attempt,
    now,
  ]);
}

/** One chunk of attempt `attempt`'s file. */
export async function insertChunk(db: Queryable, id: string, attempt: number, seq: number, bytes: Buffer): Promise<void> {
  await db.query('INSERT INTO verification_export_chunks (job_id, attempt, seq, bytes) VALUES ($1, $2, $3, $4)', [id, attempt, seq, bytes]);
}

/** Drops what an earlier run of the same attempt number left (never happens unless a start was lost); cheap when there is none. */
export async function clearChunks(db: Queryable, id: string, attempt: number): Promise<void> {
  await db.query('DELETE FROM verification_export_chunks WHERE job_id = $1 AND attempt = $2', [id, attempt]);
}

/** Chunk `seq` of the file of a finished export, or null past the last one. */
export async function chunkAt(db: Queryable, id: string, attempt: number, seq: number): Promise<Buffer | null> {
  const { rows } = await db.query<{ bytes: Buffer }>('SELECT bytes FROM verification_export_chunks WHERE job_id = $1 AND attempt = $2 AND seq = $3', [
    id,
    attempt,
    seq,
  ]);
  return rows[0]?.bytes ?? null;
}

/** Finished exports whose file expired by `now`: marked `expired`, their chunks deleted. Returns how many. */
export async function expireExports(db: Queryable, now: string): Promise<number> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE verification_jobs SET status = 'expired', updated_at = $1 WHERE kind = 'export' AND status = 'done' AND expires_at <= $1 RETURNING id`,
    [now],
  );
  if (rows.length) await db.query('DELETE FROM verification_export_chunks WHERE job_id = ANY($1::uuid[])', [rows.map((r) => r.id)]);
  return rows.length;
}

/** Members registered in a province now (R-VER-2's February list): whether a run goes to the background. */
export async function provinceMemberCount(db: Queryable, province: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM members WHERE province = $1', [province]);
  return rows[0]!.n;
}
