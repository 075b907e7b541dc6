/**
 * @module E-learning and podcast courses (issue 6 §1, §2): the SCORM package (read as untrusted,
 * stored, an earlier one superseded and kept as history), the organiser's declaration, the R-ELN-5
 * compliance report, enrolments, an enrolment's derived progress and its launch token.
 *
 * Only events of mode `e-learning` or `podcast` have a course (`not-elearning` otherwise), and
 * only those the actor may see (`event-not-found` otherwise, so ids do not leak).
 */
import { Cmi5StructureError, readCoursePackage, ScormPackageError } from '../../../adapters/lms/scorm-package.ts';
import { accreditationView, complianceReport, validityOf, type CourseDeclaration, type ScoSummary } from '../../domain/elearning-compliance.ts';
import { getOutcome } from '../../store/elearning-outcomes.ts';
import {
  currentPackage,
  getDeclaration,
  insertPackage,
  packageCount,
  upsertDeclaration,
  type PackageVersion,
  type StoredPackage,
} from '../../store/elearning.ts';
import type { StoredEvent } from '../../store/events.ts';
import { enrol, enrolmentCount, findEnrolment, listEnrolments, unknownMembers } from '../../store/scorm-tracking.ts';
import { actorRef, type Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { visibleStoredEvent } from '../registry/events.ts';

const ELEARNING_MODES = ['e-learning', 'podcast'] as const;
export type ElearningMode = (typeof ELEARNING_MODES)[number];

/** An event the actor may see, of an e-learning mode. */
export type CourseEvent = StoredEvent & { mode: ElearningMode };

const iso = (ctx: Pick<ServiceContext, 'now'>) => new Date(ctx.now()).toISOString();

/** The e-learning event if `actor` may see it (`event-not-found` otherwise), of an e-learning mode (`not-elearning` otherwise). */
export async function courseEvent(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string): Promise<CourseEvent> {
  const event = await visibleStoredEvent(ctx.db, actor, eventId);
  if (!(ELEARNING_MODES as readonly string[]).includes(event.mode)) {
    throw new ServiceError('not-elearning', `Only e-learning and podcast events have a SCORM course; this event is ${event.mode}`, { mode: event.mode });
  }
  return event as CourseEvent;
}

/** A stored package as the API answers it: with how many packages the course has had. */
async function apiPackage(ctx: Pick<ServiceContext, 'db'>, p: StoredPackage) {
  return { ...p, revision: await packageCount(ctx.db, p.eventId) };
}

/**
 * The course whose package `actor` may replace now: visible, e-learning, nobody enrolled yet
 * (`course-has-enrolments`: the package members follow cannot change). Checked before the body is read.
 */
export async function replaceablePackageCourse(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string): Promise<CourseEvent> {
  const event = await courseEvent(ctx, actor, eventId);
  if ((await enrolmentCount(ctx.db, eventId)) > 0)
    throw new ServiceError('course-has-enrolments', 'Members are enrolled: the package they follow cannot be replaced');
  return event;
}

/**
 * Reads an uploaded SCORM package (`adapters/lms/scorm-package.ts`: its refusals as `ServiceError`s)
 * and stores it with its files for `event` (found by `replaceablePackageCourse`), superseding the
 * current one in the same transaction.
 */
export async function storePackage(ctx: Pick<ServiceContext, 'db' | 'now' | 'config' | 'log'>, actor: Actor, event: CourseEvent, bytes: Buffer) {
  let pkg;
  try {
    pkg = await readCoursePackage(bytes, { maxBytes: ctx.config.SCORM_MAX_BYTES });
  } catch (err) {
    if (err instanceof ScormPackageError || err instanceof Cmi5StructureError) throw new ServiceError(err.code, err.message, err.extra);
    throw err;
  }
  const stored = await insertPackage(
    ctx.db,
    {
      eventId: event.id,
      manifest: pkg.manifest,
      sha256: pkg.sha256,
      size: pkg.size,
      uncompressedSize: pkg.uncompressedBytes,
      uploadedAt: iso(ctx),
      uploadedBy: actorRef(actor),
    },
    pkg.files,
  );
  ctx.log.info(
    { eventId: event.id, packageId: stored.id, version: stored.version, scos: stored.manifest.scos.length, files: stored.fileCount },
    'scorm package stored',
  );
  return apiPackage(ctx, stored);
}

/**
 * Replaces the course declaration and answers the course with its validity (R-EVT-5). Enrolled
 * members' outcomes depend on it (R-ELN-2, R-ELN-3): the course is re-derived.
 */
export async function declareCourse(ctx: Pick<ServiceContext, 'db' | 'now' | 'scorm' | 'log'>, actor: Actor, eventId: string, declaration: CourseDeclaration) {
  const event = await courseEvent(ctx, actor, eventId);
  const d = await upsertDeclaration(ctx.db, eventId, declaration, iso(ctx), actorRef(actor));
  // The nominal duration and mastery score decide enrolments' outcomes (R-ELN-2, R-ELN-3).
  if ((await enrolmentCount(ctx.db, eventId)) > 0) {
    await ctx.scorm
      .requestCourseDerivation(eventId, 'declaration')
      .catch((err) => ctx.log.warn({ err: String(err), eventId }, 'scorm derivation request failed'));
  }
  return {
    eventId,
    mode: event.mode,
    credits: event.credits,
    declaration: d.declaration,
    declaredAt: d.declaredAt,
    validity: validityOf(accreditationView(event.accreditation, ctx.now())),
  };
}

/** The R-ELN-5 compliance report of a course, with its package and declaration (`src/domain/elearning-compliance.ts`). */
export async function courseCompliance(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor, eventId: string) {
  const event = await courseEvent(ctx, actor, eventId);
  const [pkg, decl] = await Promise.all([currentPackage(ctx.db, eventId), getDeclaration(ctx.db, eventId)]);
  const accreditation = accreditationView(event.accreditation, ctx.now());
  const report = complianceReport({ credits: event.credits, pkg: pkg?.manifest ?? null, declaration: decl?.declaration ?? null, accreditation });
  return {
    eventId,
    title: event.title,
    mode: event.mode,
    credits: event.credits,
    validity: validityOf(accreditation),
    package: pkg ? await apiPackage(ctx, pkg) : null,
    declaration: decl?.declaration ?? null,
    ...report,
  };
}

/**
 * Enrols members in a course that has its package (`no-scorm-package`); every member must exist
 * (`member-not-found`, 422, with the unknown ids). Idempotent: an enrolled member keeps the enrolment.
 */
export async function enrolMembers(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor, eventId: string, memberIds: readonly string[]) {
  await courseEvent(ctx, actor, eventId);
  if (!(await currentPackage(ctx.db, eventId))) throw new ServiceError('no-scorm-package', 'Upload the SCORM package before enrolling members');
  const unknown = await unknownMembers(ctx.db, memberIds);
  if (unknown.length) throw new ServiceError('member-not-found', `${unknown.length} member id(s) unknown`, { memberIds: unknown.slice(0, 50) }, 422);
  const enrolments = await enrol(ctx.db, eventId, memberIds, iso(ctx), actorRef(actor));
  return { eventId, enrolments };
}

/** A page of the course's enrolments with each one's derived outcome (null until the first derivation), and the total. */
export async function courseEnrolments(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string, query: { limit: number; offset: number }) {
  await courseEvent(ctx, actor, eventId);
  const page = await listEnrolments(ctx.db, eventId, query.limit, query.offset);
  return { eventId, total: page.total, enrolments: page.rows };
}

/** A member's enrolment and its derived outcome (null until the first derivation); `enrolment-not-found`. */
export async function enrolmentProgress(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string, memberId: string) {
  await courseEvent(ctx, actor, eventId);
  const member = memberId.toLowerCase();
  const e = await findEnrolment(ctx.db, eventId, member);
  if (!e) throw new ServiceError('enrolment-not-found', 'The member is not enrolled in this course');
  return { eventId, memberId: member, enrolmentId: e.id, enrolledAt: e.enrolledAt, outcome: await getOutcome(ctx.db, e.id) };
}

/** A launch token of an enrolment and what the player needs to build its URLs. */
export interface IssuedLaunch {
  enrolmentId: string;
  /** A signed link of purpose `scorm` whose subject is the enrolment. */
  launchToken: string;
  expiresAt: Date;
  /** `cmi5`: the AUs are launched per cmi5 (`POST /lms/cmi5/launch/{token}`, issue 16), not by the SCORM player. */
  version: PackageVersion;
  scos: ScoSummary[];
}

/**
 * Issues a launch token for a member's enrolment in a course with a package (`no-scorm-package`,
 * `enrolment-not-found`), valid `SCORM_LAUNCH_TTL_MINUTES`.
 */
export async function issueLaunch(
  ctx: Pick<ServiceContext, 'db' | 'now' | 'config' | 'links'>,
  actor: Actor,
  eventId: string,
  memberId: string,
): Promise<IssuedLaunch> {
  await courseEvent(ctx, actor, eventId);
  const pkg = await currentPackage(ctx.db, eventId);
  if (!pkg) throw new ServiceError('no-scorm-package', 'The course has no SCORM package');
  const e = await findEnrolment(ctx.db, eventId, memberId.toLowerCase());
  if (!e) throw new ServiceError('enrolment-not-found', 'The member is not enrolled in this course');
  const expiresAt = new Date(ctx.now() + ctx.config.SCORM_LAUNCH_TTL_MINUTES * 60_000);
  const launchToken = await ctx.links.sign('scorm', e.id, expiresAt);
  return { enrolmentId: e.id, launchToken, expiresAt, version: pkg.version, scos: pkg.manifest.scos };
}
