/**
 * @module The accrediting council's review of an e-learning course (issue 16; FAD guidelines: the
 * provider gives the council access to see the course): the CPO that accredits the event, the CN
 * or an admin opens the course's current package in the reference player, each module in SCORM
 * `browse` mode and `no-credit` (`launchState` of `player.ts`). A review is no enrolment: nothing
 * it does is stored as evidence or ever counted; its launches and the number of commits each sent
 * are listed as the course's reviews.
 */
import { finalTestOf } from '../../domain/elearning-progress.ts';
import { countReviewCommit, insertReview, insertReviewLaunch, listReviews, reviewTarget } from '../../store/course-reviews.ts';
import { currentPackage, getDeclaration } from '../../store/elearning.ts';
import { displayNames } from '../../store/staff.ts';
import { actorRef, type Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { courseEvent } from './courses.ts';
import { launchState, packageFileAt, type PackageFileAnswer, type ScoLaunch } from './player.ts';

/** Who may open a review: the accrediting CPO (the events it sees), the CN, an admin. */
export const REVIEW_ROLES: readonly Actor['role'][] = ['cpo', 'cn', 'admin'];

/** How long a review link opens the course: a working day. */
export const REVIEW_TTL_MS = 8 * 3600_000;

/** The name the content is given as the learner: the person's, or the key's role and province. */
async function reviewerName(ctx: Pick<ServiceContext, 'db'>, actor: Actor): Promise<string> {
  if (actor.userId !== undefined) {
    const name = (await displayNames(ctx.db, [actor.userId])).get(actor.userId);
    if (name) return name;
  }
  return `Revisione ${actor.role.toUpperCase()}${actor.subject ? ` ${actor.subject}` : ''}`;
}

/**
 * Opens a review of the course's current package: its id and the link of purpose `scorm-review`
 * that opens the review player until `expiresAt`. Refuses `forbidden` (an organiser or platform),
 * `event-not-found`, `not-elearning`, `no-scorm-package`, `review-unavailable` (a cmi5 course).
 */
export async function openCourseReview(ctx: Pick<ServiceContext, 'db' | 'now' | 'links'>, actor: Actor, eventId: string) {
  if (!REVIEW_ROLES.includes(actor.role)) throw new ServiceError('forbidden', 'Only the accrediting CPO, the CN or an admin reviews a course');
  const event = await courseEvent(ctx, actor, eventId);
  const pkg = await currentPackage(ctx.db, event.id);
  if (!pkg) throw new ServiceError('no-scorm-package', 'The course has no SCORM package');
  // cmi5 AUs have a Review launch mode of their own (cmi5 §10.2.2), not built yet.
  if (pkg.version === 'cmi5') throw new ServiceError('review-unavailable');
  const openedAt = new Date(ctx.now());
  const expiresAt = new Date(openedAt.getTime() + REVIEW_TTL_MS);
  const reviewId = await insertReview(ctx.db, {
    eventId: event.id,
    packageId: pkg.id,
    openedBy: actorRef(actor),
    reviewer: await reviewerName(ctx, actor),
    openedAt,
    expiresAt,
  });
  const token = await ctx.links.sign('scorm-review', reviewId, expiresAt);
  return { reviewId, token, expiresAt };
}

/** The event's reviews, newest first (everyone who sees the course's enrolments sees them). */
export async function courseReviews(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string) {
  const event = await courseEvent(ctx, actor, eventId);
  return listReviews(ctx.db, event.id);
}

/** The review a link names, verified at `at`: `invalid-token` or `launch-expired`. */
export async function reviewOf(ctx: Pick<ServiceContext, 'links'>, token: string, at: number): Promise<{ reviewId: string; expiresAt: Date }> {
  const check = await ctx.links.verify('scorm-review', token, at);
  if (!check.ok) throw new ServiceError(check.reason === 'expired' ? 'launch-expired' : 'invalid-token');
  return { reviewId: check.subject, expiresAt: check.expiresAt };
}

/** The review player's data: the course's modules, no progress; null when the review is gone. */
export async function reviewPageData(ctx: Pick<ServiceContext, 'db'>, reviewId: string) {
  const t = await reviewTarget(ctx.db, reviewId);
  if (!t) return null;
  return {
    title: t.title,
    learner: t.reviewer,
    version: t.version,
    scos: t.manifest.scos.map((s) => ({ identifier: s.identifier, title: s.title, completed: false, launched: false })),
    outcome: null,
  };
}

/**
 * Registers a module opened in a review and answers the run-time state: the reviewer as the
 * learner, the pass mark as a member's launch has it, `no-credit` and `browse`, nothing to resume.
 * Prerequisites do not hold a review back: the council sees every module. Refuses `unknown-sco`.
 */
export async function launchReviewSco(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  reviewId: string,
  scoId: string | null,
  client: { clientAddr: string | null; userAgent: string | null },
): Promise<ScoLaunch> {
  const t = await reviewTarget(ctx.db, reviewId);
  if (!t) throw new ServiceError('unknown-sco', 'The review is gone');
  if (t.version === 'cmi5') throw new ServiceError('review-unavailable');
  const sco = t.manifest.scos.find((s) => s.identifier === scoId);
  if (!sco) throw new ServiceError('unknown-sco', 'Add ?sco=<SCO identifier of this course>');
  const declaration = await getDeclaration(ctx.db, t.eventId);
  const mastery = sco.masteryScore ?? (sco.identifier === finalTestOf(t.manifest.scos) ? (declaration?.declaration.masteryScore ?? null) : null);
  const launchedAt = new Date(ctx.now());
  const session = await insertReviewLaunch(ctx.db, { reviewId, sco: sco.identifier, launchedAt, ...client });
  return {
    session,
    launchedAt,
    sco,
    cmi: launchState({ version: t.version, learner: { id: `revisione-${reviewId.slice(0, 8)}`, name: t.reviewer } }, {}, mastery, 'review'),
  };
}

/** The SCORM version of a review's package (what the content runner loads), or null. */
export async function reviewVersion(ctx: Pick<ServiceContext, 'db'>, reviewId: string): Promise<'1.2' | '2004' | null> {
  const version = (await reviewTarget(ctx.db, reviewId))?.version ?? null;
  return version === 'cmi5' ? null : version;
}

/** A file of the package the review opened. */
export async function reviewFileOf(ctx: Pick<ServiceContext, 'db'>, reviewId: string, encodedPath: string): Promise<PackageFileAnswer> {
  return packageFileAt(ctx, (await reviewTarget(ctx.db, reviewId))?.packageId ?? null, encodedPath);
}

/**
 * A commit of a review's module: counted, its body not kept (a review proves nothing of
 * attendance, and is never derived). Refuses `invalid-session` when the launch is not the review's.
 */
export async function receiveReviewCommit(ctx: Pick<ServiceContext, 'db' | 'now'>, reviewId: string, session: string) {
  if (!(await countReviewCommit(ctx.db, reviewId, session, new Date(ctx.now())))) throw new ServiceError('invalid-session', 'Not a launch of this review');
}
