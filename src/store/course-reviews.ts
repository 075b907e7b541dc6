/**
 * @module The council's reviews of e-learning courses (migration 019, issue 16): a review on the
 * course's current package, the modules it launched and how many commits each sent. Never read
 * by derivation: a review is not attendance.
 */
import crypto from 'node:crypto';
import type { ManifestSummary } from '../domain/elearning-compliance.ts';
import type { Queryable } from './db.ts';
import type { PackageVersion } from './elearning.ts';

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export interface NewReview {
  eventId: string;
  packageId: string;
  openedBy: string;
  reviewer: string;
  openedAt: Date;
  expiresAt: Date;
}

export async function insertReview(db: Queryable, r: NewReview): Promise<string> {
  const id = crypto.randomUUID();
  await db.query('INSERT INTO course_reviews (id, event_id, package_id, opened_by, reviewer, opened_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    id,
    r.eventId,
    r.packageId,
    r.openedBy,
    r.reviewer,
    r.openedAt.toISOString(),
    r.expiresAt.toISOString(),
  ]);
  return id;
}

/** What the review player reads: the review, its event's title and the package it opened. */
export interface ReviewTarget {
  reviewId: string;
  eventId: string;
  packageId: string;
  title: string;
  reviewer: string;
  version: PackageVersion;
  manifest: ManifestSummary;
}

export async function reviewTarget(db: Queryable, reviewId: string): Promise<ReviewTarget | null> {
  const { rows } = await db.query<{
    id: string;
    event_id: string;
    package_id: string;
    title: string;
    reviewer: string;
    version: PackageVersion;
    manifest: unknown;
  }>(
    `SELECT r.id, r.event_id, r.package_id, ev.title, r.reviewer, p.version, p.manifest
       FROM course_reviews r JOIN scorm_packages p ON p.id = r.package_id JOIN events ev ON ev.id = r.event_id
      WHERE r.id = $1`,
    [reviewId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    reviewId: r.id,
    eventId: r.event_id,
    packageId: r.package_id,
    title: r.title,
    reviewer: r.reviewer,
    version: r.version,
    manifest: (typeof r.manifest === 'string' ? JSON.parse(r.manifest) : r.manifest) as ManifestSummary,
  };
}

/** Registers a module opened in a review; the server draws the session id. */
export async function insertReviewLaunch(
  db: Queryable,
  l: { reviewId: string; sco: string; launchedAt: Date; clientAddr: string | null; userAgent: string | null },
): Promise<string> {
  const sessionId = crypto.randomBytes(16).toString('base64url');
  await db.query(
    'INSERT INTO course_review_launches (session_id, review_id, sco_identifier, launched_at, client_addr, user_agent) VALUES ($1, $2, $3, $4, $5, $6)',
    [sessionId, l.reviewId, l.sco, l.launchedAt.toISOString(), l.clientAddr, l.userAgent],
  );
  return sessionId;
}

/** Counts a commit of a review's launch (its body is not kept); false when the launch is unknown. */
export async function countReviewCommit(db: Queryable, reviewId: string, sessionId: string, at: Date): Promise<boolean> {
  const { rows } = await db.query(
    'UPDATE course_review_launches SET commits = commits + 1, last_commit_at = $3 WHERE session_id = $1 AND review_id = $2 RETURNING 1',
    [sessionId, reviewId, at.toISOString()],
  );
  return rows.length > 0;
}

export interface StoredReview {
  id: string;
  openedBy: string;
  reviewer: string;
  openedAt: string;
  expiresAt: string;
  launches: Array<{ sco: string; launchedAt: string; commits: number; lastCommitAt: string | null }>;
}

/** An event's reviews, newest first, each with its launches in order. */
export async function listReviews(db: Queryable, eventId: string): Promise<StoredReview[]> {
  const { rows } = await db.query<{
    id: string;
    opened_by: string;
    reviewer: string;
    opened_at: Date | string;
    expires_at: Date | string;
    sco_identifier: string | null;
    launched_at: Date | string | null;
    commits: number | null;
    last_commit_at: Date | string | null;
  }>(
    `SELECT r.id, r.opened_by, r.reviewer, r.opened_at, r.expires_at, l.sco_identifier, l.launched_at, l.commits, l.last_commit_at
       FROM course_reviews r LEFT JOIN course_review_launches l ON l.review_id = r.id
      WHERE r.event_id = $1 ORDER BY r.opened_at DESC, r.id, l.launched_at`,
    [eventId],
  );
  const out: StoredReview[] = [];
  for (const r of rows) {
    let cur = out.at(-1);
    if (cur?.id !== r.id) {
      cur = { id: r.id, openedBy: r.opened_by, reviewer: r.reviewer, openedAt: iso(r.opened_at)!, expiresAt: iso(r.expires_at)!, launches: [] };
      out.push(cur);
    }
    if (r.sco_identifier !== null)
      cur.launches.push({ sco: r.sco_identifier, launchedAt: iso(r.launched_at)!, commits: r.commits ?? 0, lastCommitAt: iso(r.last_commit_at) });
  }
  return out;
}
