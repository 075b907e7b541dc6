/**
 * @module Receiving a SCORM commit (issue 6 §3, R-ELN-1): the launch token and SCO checked against
 * the enrolment's current package, then every commit stored unaltered with the time received,
 * client address and user agent, its CMI values checked (stored and flagged when invalid), and the
 * enrolment's derivation asked for after the row is durable.
 */
import { decodeCommitBody } from '../../domain/scorm-cmi.ts';
import { checkCommit } from '../../schemas/scorm.ts';
import { LRUCache } from 'lru-cache';
import type { Queryable } from '../../store/db.ts';
import { commitTarget, insertCommit, type CommitTarget } from '../../store/scorm-tracking.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

/** The enrolment a launch token names, verified at `at`. Refuses `invalid-token` / `launch-expired` (401). */
export async function launchEnrolment(ctx: Pick<ServiceContext, 'links'>, token: string, at: number): Promise<string> {
  const check = await ctx.links.verify('scorm', token, at);
  if (!check.ok) throw new ServiceError(check.reason === 'expired' ? 'launch-expired' : 'invalid-token');
  return check.subject;
}

/**
 * Commit targets read recently, by enrolment, per database: a learner commits every 30 s, and the
 * package an enrolment follows cannot change once anyone is enrolled (`course-has-enrolments`),
 * so reading it again for every commit buys nothing (issue 16: one query less on the commit's
 * path). Ten minutes at most (with a minute, 10,000 learners re-read 166 targets a second), and a
 * bounded number, so memory stays flat.
 */
const TARGETS = new WeakMap<Queryable, LRUCache<string, CommitTarget>>();

async function cachedTarget(ctx: Pick<ServiceContext, 'db'>, enrolmentId: string): Promise<CommitTarget | null> {
  let cache = TARGETS.get(ctx.db);
  if (!cache) TARGETS.set(ctx.db, (cache = new LRUCache<string, CommitTarget>({ max: 50_000, ttl: 10 * 60_000 })));
  const hit = cache.get(enrolmentId);
  if (hit) return hit;
  const target = await commitTarget(ctx.db, enrolmentId);
  if (target) cache.set(enrolmentId, target);
  return target;
}

/** Where a commit of `sco` goes: the enrolment and its course's current package. Refuses `unknown-sco` (404). */
/** A commit's target in a SCORM course (a cmi5 course takes no SCORM commits). */
export type ScormCommitTarget = CommitTarget & { version: '1.2' | '2004' };

export async function commitTargetOf(ctx: Pick<ServiceContext, 'db'>, enrolmentId: string, sco: string): Promise<ScormCommitTarget> {
  const target = await cachedTarget(ctx, enrolmentId);
  if (!target) throw new ServiceError('unknown-sco', 'The course has no current package');
  // A cmi5 course's AUs send xAPI statements to its LRS (issue 16), never SCORM commits.
  if (target.version === 'cmi5') throw new ServiceError('unknown-sco', 'A cmi5 course takes xAPI statements, not SCORM commits');
  if (!target.scos.some((s) => s.identifier === sco)) throw new ServiceError('unknown-sco', 'Not a SCO of this course');
  return { ...target, version: target.version };
}

export interface ReceivedCommit {
  scoIdentifier: string;
  sessionId: string | null;
  receivedAt: Date;
  clientAddr: string | null;
  userAgent: string | null;
  contentType: string | null;
  body: Uint8Array;
}

/**
 * Stores one commit as received, with the time received, client address and user agent, valid or
 * not (R-ELN-1), and asks for the enrolment's derivation after it is durable.
 *
 * @rule R-ELN-1
 */
export async function storeCommit(ctx: Pick<ServiceContext, 'db' | 'scorm' | 'log'>, target: ScormCommitTarget, c: ReceivedCommit) {
  const { parsed, valid, errors } = readCommit(target.version, c.body);
  const commitId = await insertCommit(ctx.db, { enrolmentId: target.enrolmentId, ...c, parsed, valid, errors });
  // After the commit is durable; a lost request is found by the SCORM sweep.
  await ctx.scorm
    .requestDerivation(target.enrolmentId)
    .catch((err) => ctx.log.warn({ err: String(err), enrolmentId: target.enrolmentId }, 'scorm derivation request failed'));
  return { commitId, valid, errors };
}

/**
 * The body as JSON (null when it is not UTF-8 JSON, or holds U+0000 or a lone surrogate, which jsonb cannot keep) and
 * the checks of its CMI values. The stored body stays the bytes as received in every case.
 */
export function readCommit(version: '1.2' | '2004', body: Uint8Array): { parsed: unknown; valid: boolean; errors: Array<{ path: string; message: string }> } {
  const read = decodeCommitBody(body);
  if (!read.ok) return { parsed: null, valid: false, errors: [{ path: '', message: read.message }] };
  return { parsed: read.parsed, ...checkCommit(version, read.parsed) };
}
