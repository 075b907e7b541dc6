/**
 * @module What the reference SCORM player reads and records (issue 6 §2) for an enrolment whose
 * launch token the caller has verified: the player page's data, a launch of one SCO (R-ELN-3:
 * observed time starts here) with the run-time state to load before `Initialize`, and the files
 * of the course's current package.
 */
import type { ScoSummary } from '../../domain/elearning-compliance.ts';
import { finalTestOf } from '../../domain/elearning-progress.ts';
import { parsePrerequisites, prerequisiteItems, prerequisitesMet, reportedStatus, type LessonStatus } from '../../domain/scorm-prerequisites.ts';
import { getOutcome, insertLaunch, resumeState } from '../../store/elearning-outcomes.ts';
import { getDeclaration, packageFile } from '../../store/elearning.ts';
import { reportedLessonStatuses } from '../../store/scorm-statuses.ts';
import { playerTarget, type PlayerTarget } from '../../store/scorm-tracking.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

/** A SCO's progress as the enrolment's outcome explains it. */
interface ScoProgress {
  identifier: string;
  completed?: boolean;
  launched?: boolean;
  passed?: boolean | undefined;
}

/**
 * The player page's data: the course, the learner, each SCO with its progress and the stored
 * outcome; null when the enrolment is unknown or its course has no current package.
 */
export async function playerPageData(ctx: Pick<ServiceContext, 'db'>, enrolmentId: string) {
  const t = await playerTarget(ctx.db, enrolmentId);
  if (!t) return null;
  const [outcome, locks] = await Promise.all([getOutcome(ctx.db, t.enrolmentId), prerequisiteLocks(ctx, t)]);
  const progress = new Map(((outcome?.explanation.scos as ScoProgress[] | undefined) ?? []).map((s) => [s.identifier, s]));
  return {
    title: t.title,
    learner: t.learner.name,
    version: t.version,
    scos: t.scos.map((s) => ({
      identifier: s.identifier,
      title: s.title,
      completed: progress.get(s.identifier)?.completed ?? false,
      launched: progress.get(s.identifier)?.launched ?? false,
      passed: progress.get(s.identifier)?.passed,
      waitingFor: locks.get(s.identifier) ?? null,
    })),
    outcome,
  };
}

/**
 * The SCOs whose SCORM 1.2 prerequisites do not hold now, each with the titles of the items its
 * script names that are not done yet. Empty when no SCO has prerequisites (nothing is read).
 */
async function prerequisiteLocks(ctx: Pick<ServiceContext, 'db'>, t: Pick<PlayerTarget, 'enrolmentId' | 'version' | 'scos'>): Promise<Map<string, string[]>> {
  const locks = new Map<string, string[]>();
  const gated = t.version === '1.2' ? t.scos.filter((s) => s.prerequisites !== undefined) : [];
  if (!gated.length) return locks;
  const reported = await reportedLessonStatuses(ctx.db, t.enrolmentId);
  const statuses = new Map<string, LessonStatus>(
    t.scos.map((s) => [s.identifier, reportedStatus(reported.get(s.identifier) ?? { everPassed: false, everCompleted: false, latest: null })]),
  );
  const titles = new Map(t.scos.map((s) => [s.identifier, s.title]));
  for (const s of gated) {
    const tree = parsePrerequisites(s.prerequisites!);
    if (!tree || prerequisitesMet(tree, statuses)) continue;
    const open = prerequisiteItems(tree).filter((id) => titles.has(id) && !['passed', 'completed'].includes(statuses.get(id)!));
    locks.set(
      s.identifier,
      open.map((id) => titles.get(id)!),
    );
  }
  return locks;
}

/** A registered launch of one SCO. */
export interface ScoLaunch {
  /** The session id the server drew. */
  session: string;
  launchedAt: Date;
  sco: ScoSummary;
  /** The run-time state to load into scorm-again before `Initialize`. */
  cmi: Record<string, unknown>;
}

/**
 * Registers a launch of `scoId` (null when the request names none) and answers the run-time state
 * to load: the learner, the SCO's last state to resume from and, for the final test, the pass mark
 * the gateway judges it by (R-ELN-2). Refuses `unknown-sco` (no current package, or not a SCO of it).
 */
export async function launchSco(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  enrolmentId: string,
  scoId: string | null,
  client: { clientAddr: string | null; userAgent: string | null },
): Promise<ScoLaunch> {
  const t = await playerTarget(ctx.db, enrolmentId);
  if (!t) throw new ServiceError('unknown-sco', 'The course has no current package');
  // A cmi5 course's AUs are launched per cmi5 (`/lms/cmi5/launch`, issue 16).
  if (t.version === 'cmi5') throw new ServiceError('unknown-sco', 'A cmi5 course: launch its AUs with POST /lms/cmi5/launch/{token}?au=');
  const sco = t.scos.find((s) => s.identifier === scoId);
  if (!sco) throw new ServiceError('unknown-sco', 'Add ?sco=<SCO identifier of this course>');
  if (sco.prerequisites !== undefined) {
    const waitingFor = (await prerequisiteLocks(ctx, t)).get(sco.identifier);
    if (waitingFor) throw new ServiceError('prerequisites-not-met', `Complete first: ${waitingFor.join(', ')}`, { waitingFor });
  }
  const launchedAt = new Date(ctx.now());
  const [resume, declaration] = await Promise.all([resumeState(ctx.db, t.enrolmentId, sco.identifier, t.version), getDeclaration(ctx.db, t.eventId)]);
  // The SCO's own mastery score (1.2 manifest); the final test learns the pass mark the gateway
  // judges it by (R-ELN-2), the declaration's when the manifest gives none.
  const mastery = sco.masteryScore ?? (sco.identifier === finalTestOf(t.scos) ? (declaration?.declaration.masteryScore ?? null) : null);
  const session = await insertLaunch(ctx.db, {
    enrolmentId: t.enrolmentId,
    sco: sco.identifier,
    launchedAt,
    clientAddr: client.clientAddr,
    userAgent: client.userAgent,
    resume,
  });
  return { session, launchedAt, sco, cmi: launchState({ version: t.version, learner: t.learner }, resume, mastery) };
}

/** A path inside a package from its URL form, each segment decoded; null when a segment does not decode. */
export function decodeContentPath(encoded: string): string | null {
  try {
    return encoded.split('/').map(decodeURIComponent).join('/');
  } catch {
    return null;
  }
}

/** A file of the course's current package, or why there is none. */
export type PackageFileAnswer =
  | { kind: 'file'; content: Buffer; contentType: string }
  /** The enrolment is unknown or its course has no current package. */
  | { kind: 'no-course' }
  /** The path does not decode. */
  | { kind: 'bad-path' }
  | { kind: 'not-found' };

/**
 * The file at `encodedPath` (as the URL carries it) of the enrolment's current package. The path
 * is decoded first, but a missing course is answered before an undecodable path.
 */
export async function packageFileOf(ctx: Pick<ServiceContext, 'db'>, enrolmentId: string, encodedPath: string): Promise<PackageFileAnswer> {
  return packageFileAt(ctx, (await playerTarget(ctx.db, enrolmentId))?.packageId ?? null, encodedPath);
}

/** The file at `encodedPath` of a package (null: there is no course to serve). */
export async function packageFileAt(ctx: Pick<ServiceContext, 'db'>, packageId: string | null, encodedPath: string): Promise<PackageFileAnswer> {
  const path = decodeContentPath(encodedPath);
  if (!packageId) return { kind: 'no-course' };
  if (path === null) return { kind: 'bad-path' };
  const f = await packageFile(ctx.db, packageId, path);
  return f ? { kind: 'file', ...f } : { kind: 'not-found' };
}

/** How a launch is taken: a member's attempt for credit, or a council's review of the course. */
export type LaunchMode = 'normal' | 'review';

/**
 * The launch state, set before Initialize (read-only SCORM elements): the learner; the SCO's pass
 * mark (1.2 `student_data.mastery_score`, 2004 `scaled_passing_score`); whether the attempt is for
 * credit and in which mode (1.2 `core.credit`/`core.lesson_mode`, 2004 `credit`/`mode`: `credit`
 * and `normal` for a member, `no-credit` and `browse` for a review); `entry` `ab-initio` on a first
 * attempt (nothing to resume), else what the resume data says; and the resume data.
 */
export function launchState(
  t: { version: '1.2' | '2004'; learner: PlayerTarget['learner'] },
  resume: Record<string, unknown>,
  mastery: number | null,
  mode: LaunchMode = 'normal',
): Record<string, unknown> {
  const credit = mode === 'normal' ? 'credit' : 'no-credit';
  const lessonMode = mode === 'normal' ? 'normal' : 'browse';
  const first = Object.keys(resume).length === 0;
  if (t.version === '1.2') {
    const core = (resume.core as Record<string, unknown> | undefined) ?? {};
    return {
      ...resume,
      core: {
        ...core,
        student_id: t.learner.id,
        student_name: t.learner.name,
        credit,
        lesson_mode: lessonMode,
        ...(first ? { entry: 'ab-initio' } : {}),
      },
      ...(mastery !== null ? { student_data: { mastery_score: String(mastery) } } : {}),
    };
  }
  return {
    ...resume,
    learner_id: t.learner.id,
    learner_name: t.learner.name,
    credit,
    mode: lessonMode,
    ...(first ? { entry: 'ab-initio' } : {}),
    ...(mastery !== null ? { scaled_passing_score: String(mastery / 100) } : {}),
  };
}

/** The SCORM version of the enrolment's current package (what the content runner loads), or null. */
export async function courseVersion(ctx: Pick<ServiceContext, 'db'>, enrolmentId: string): Promise<'1.2' | '2004' | null> {
  const version = (await playerTarget(ctx.db, enrolmentId))?.version ?? null;
  return version === 'cmi5' ? null : version;
}
