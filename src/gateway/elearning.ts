/**
 * @module E-learning and podcast course registration (issue 6 §1).
 *
 * - `POST /v1/events/{id}/scorm-package`: the organiser uploads the course's SCORM package, the
 *   zip itself as the raw body (`application/zip`), at most `SCORM_MAX_BYTES` (100 MiB) enforced
 *   while it streams. It is read as untrusted (`adapters/lms/scorm-package.ts`: shared zip guard,
 *   safe paths, manifest at the root, SCORM 1.2 or 2004, at least one SCO, launch files present).
 *   Its files are stored; an earlier package is superseded and kept as history (no enrolments
 *   exist yet; issue 6 §2 will refuse replacing a package once members are enrolled).
 * - `PUT /v1/events/{id}/elearning`: the organiser's declaration of what the gateway cannot see in
 *   the package (durations, final test, access window). Credits come from the event.
 * - `GET /v1/events/{id}/elearning/compliance`: the R-ELN-5 report (owner organiser, accrediting
 *   CPO, CN, admin), from `src/domain/elearning-compliance.ts`.
 *
 * Only events of mode `e-learning` or `podcast` have a course: others answer 422 `not-elearning`.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ZIP_MEDIA_TYPES } from '../../adapters/lms/scorm-package.ts';
import { Problem } from '../schemas/common.ts';
import { ComplianceReport, CourseDeclaration, CourseReviewList, CourseView, ReviewOpened, ScormPackage } from '../schemas/elearning.ts';
import { EnrolmentList, EnrolmentListQuery, EnrolmentProgress, EnrolRequest, EnrolResult, Launch } from '../schemas/scorm.ts';
import type { Role } from '../domain/roles.ts';
import { requireRole, type AuthEnv } from './auth.ts';
import type { Deps } from './deps.ts';
import { problem } from './problem.ts';
import {
  courseCompliance,
  courseEnrolments,
  declareCourse,
  enrolMembers,
  enrolmentProgress,
  issueLaunch,
  replaceablePackageCourse,
  storePackage,
} from '../services/elearning/courses.ts';
import { courseReviews, openCourseReview } from '../services/elearning/review.ts';
import { ServiceError } from '../services/errors.ts';
import { router, SECURITY } from './router.ts';
import { readUploadBody } from './uploads.ts';

const problems = (d: Record<number, string>) =>
  Object.fromEntries(Object.entries(d).map(([s, description]) => [s, { description, content: { 'application/problem+json': { schema: Problem } } }]));
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const IdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
const TAGS = ['e-learning'];

const uploadRoute = createRoute({
  method: 'post',
  path: '/v1/events/{id}/scorm-package',
  summary: 'Upload the SCORM package (1.2 or 2004) or cmi5 course package of an e-learning or podcast event',
  description: [
    'Key: the organiser of the event. Body: the zip itself, raw, `Content-Type: application/zip` (or `application/x-zip-compressed`, `application/octet-stream`);',
    'at most `SCORM_MAX_BYTES` (100 MiB), 5,000 files, 300 MiB uncompressed, 100:1 per file over 1 MiB. `imsmanifest.xml` (SCORM) or `cmi5.xml` (cmi5, version `cmi5`: its AUs as `scos`, the structure as `manifest.cmi5`) must be at the root; cmi5 AUs must be files of the package.',
    'A new upload supersedes the current package (kept as history).',
    'Codes: `not-elearning` (mode), `file-too-large`, `zip-bomb`, `not-a-zip`, `encrypted-file`, `unreadable-file`, `unsafe-path` (absolute, `..`, backslash, drive letter),',
    '`manifest-missing`, `manifest-malformed`, `unsupported-scorm-version`, `no-sco`, `launch-file-missing`, `cmi5-external-au`.',
  ].join(' '),
  tags: TAGS,
  security: SECURITY,
  request: { params: IdParam, body: { content: { 'application/zip': { schema: z.string().openapi({ format: 'binary' }) } }, required: true } },
  responses: {
    201: { description: 'Stored; the manifest summary', ...json(ScormPackage) },
    ...problems({
      401: 'No or unknown API key',
      403: 'This key may not do that',
      404: "`event-not-found`: unknown, or not this organiser's",
      413: '`file-too-large`, `zip-bomb`',
      415: 'Not a zip body',
      422: '`not-elearning`, `not-a-zip`, `encrypted-file`, `unreadable-file`, `unsafe-path`, `manifest-missing`, `manifest-malformed`, `unsupported-scorm-version`, `no-sco`, `launch-file-missing`, `cmi5-external-au`',
    }),
  },
});

const declareRoute = createRoute({
  method: 'put',
  path: '/v1/events/{id}/elearning',
  summary: 'Declare the course: durations, final test, access window (R-ELN-5)',
  description:
    'Key: the organiser of the event. What the gateway cannot read from the package: nominal duration, mastery score, minutes per module (by SCO identifier), the final test (bank size, questions per attempt, random draw, retry with different questions) and the access window. Replaces the previous declaration. Answers the course with its validity (R-EVT-5: one year from accreditation).',
  tags: TAGS,
  security: SECURITY,
  request: { params: IdParam, body: { content: { 'application/json': { schema: CourseDeclaration } }, required: true } },
  responses: {
    200: { description: 'The course as declared', ...json(CourseView) },
    ...problems({
      400: 'Malformed or invalid body',
      401: 'No or unknown API key',
      403: 'This key may not do that',
      404: '`event-not-found`',
      422: '`not-elearning`',
    }),
  },
});

const complianceRoute = createRoute({
  method: 'get',
  path: '/v1/events/{id}/elearning/compliance',
  summary: 'The R-ELN-5 compliance report of an e-learning or podcast course',
  description:
    "Keys: the organiser of the event, the accrediting CPO, cn, admin. Each check is `verified` (checked on the package or enforced by the gateway), `declared` (the organiser's declaration meets the rule; not verifiable), `pass` (met on the gateway's own data) or `fail`, with the reason. `compliant` when nothing fails.",
  tags: TAGS,
  security: SECURITY,
  request: { params: IdParam },
  responses: {
    200: { description: 'The report', ...json(ComplianceReport) },
    ...problems({ 401: 'No or unknown API key', 403: 'This key may not do that', 404: '`event-not-found`', 422: '`not-elearning`' }),
  },
});

const enrolRoute = createRoute({
  method: 'post',
  path: '/v1/events/{id}/enrolments',
  summary: 'Enrol members in an e-learning or podcast course',
  description:
    'Key: the organiser of the event. The course needs its SCORM package first; once a member is enrolled the package can no longer be replaced. Idempotent: an enrolled member keeps the enrolment (`created: false`).',
  tags: TAGS,
  security: SECURITY,
  request: { params: IdParam, body: { content: { 'application/json': { schema: EnrolRequest } }, required: true } },
  responses: {
    200: { description: 'The enrolments, in the order asked', ...json(EnrolResult) },
    ...problems({
      400: 'Malformed or invalid body',
      401: 'No or unknown API key',
      403: 'This key may not do that',
      404: '`event-not-found`',
      422: '`not-elearning`, `no-scorm-package`, `member-not-found` (with `memberIds`)',
    }),
  },
});

const enrolmentsRoute = createRoute({
  method: 'get',
  path: '/v1/events/{id}/enrolments',
  summary: "A page of a course's enrolments, each with its derived outcome",
  description:
    'Keys: the organiser of the event, the accrediting CPO, cn, admin. By member name; `outcome` is null until the first commit is derived. `offset` and `limit` (at most 1000) page through `total`.',
  tags: TAGS,
  security: SECURITY,
  request: { params: IdParam, query: EnrolmentListQuery },
  responses: {
    200: { description: 'The enrolments', ...json(EnrolmentList) },
    ...problems({ 401: 'No or unknown API key', 403: 'This key may not do that', 404: '`event-not-found`', 422: '`not-elearning`' }),
  },
});

const MemberParam = IdParam.extend({ memberId: z.uuid().openapi({ param: { name: 'memberId', in: 'path' } }) });

const launchRoute = createRoute({
  method: 'post',
  path: '/v1/events/{id}/enrolments/{memberId}/launch',
  summary: 'Issue a launch token and the scorm-again commit URL of an enrolment',
  description: [
    'Key: the organiser of the event. The token is a signed link of purpose `scorm` whose subject is the enrolment, valid `SCORM_LAUNCH_TTL_MINUTES` (12 hours).',
    "It sits in the commit URL path (`/lms/commit/{token}`) because scorm-again's `sendBeacon` on Finish/Terminate carries no headers.",
    "The player sets scorm-again's `lmsCommitUrl` to `commitUrl?sco=<SCO identifier>&session=<id>` for each SCO it loads (`scos[].commitUrl` has `sco` filled in); `session` is an id the player draws for each load of a SCO.",
  ].join(' '),
  tags: TAGS,
  security: SECURITY,
  request: { params: MemberParam },
  responses: {
    200: { description: 'The launch', ...json(Launch) },
    ...problems({
      401: 'No or unknown API key',
      403: 'This key may not do that',
      404: '`event-not-found`, `enrolment-not-found`',
      422: '`not-elearning`, `no-scorm-package`',
    }),
  },
});

const progressRoute = createRoute({
  method: 'get',
  path: '/v1/events/{id}/enrolments/{memberId}',
  summary: 'An enrolment and its derived outcome (R-ELN-2..4, R-EVT-5)',
  description: [
    'Keys: the organiser of the event, the accrediting CPO, cn, admin. `outcome` is null until the first commit is derived (SCORM_DERIVE_DELAY_MS after it).',
    '`status`: `credited`, `in-progress` or `not-credited`; `reason` and `rule` say why (`credited`, `not-yet-accredited`, `accreditation-rejected`, `course-not-declared`, `sco-not-completed`, `final-test-not-passed`, `time-short`, `validity-ended`).',
    '`explanation` has each SCO (launched, completed, final test passed), each session (launch, last commit, reported / observed / credited seconds) and the commits that did not count (`invalid`, `unlaunched`, `outsideValidity`, `beforeLaunch`).',
  ].join(' '),
  tags: TAGS,
  security: SECURITY,
  request: { params: MemberParam },
  responses: {
    200: { description: 'The enrolment', ...json(EnrolmentProgress) },
    ...problems({ 401: 'No or unknown API key', 403: 'This key may not do that', 404: '`event-not-found`, `enrolment-not-found`', 422: '`not-elearning`' }),
  },
});

const openReviewRoute = createRoute({
  method: 'post',
  path: '/v1/events/{id}/elearning/reviews',
  summary: 'Open a review of the course for the accrediting council (issue 16)',
  description: [
    'Keys: the accrediting CPO, cn, admin. Opens the current package in the reference player for `playerUrl`, valid 8 hours:',
    'every module runs with `cmi.core.credit`/`cmi.credit` `no-credit` and `lesson_mode`/`mode` `browse`, prerequisites not applied.',
    'A review is no enrolment: its commits are counted, not kept, and never derived. Codes: `forbidden`, `event-not-found`, `not-elearning`, `no-scorm-package`.',
  ].join(' '),
  tags: TAGS,
  security: SECURITY,
  request: { params: IdParam },
  responses: {
    201: { description: 'The review', ...json(ReviewOpened) },
    ...problems({ 401: 'No or unknown API key', 403: 'This key may not do that', 404: '`event-not-found`', 422: '`not-elearning`, `no-scorm-package`' }),
  },
});

const reviewsRoute = createRoute({
  method: 'get',
  path: '/v1/events/{id}/elearning/reviews',
  summary: "The course's reviews by the council, newest first, with the modules each opened",
  description: 'Keys: the organiser of the event, the accrediting CPO, cn, admin.',
  tags: TAGS,
  security: SECURITY,
  request: { params: IdParam },
  responses: {
    200: { description: 'The reviews', ...json(CourseReviewList) },
    ...problems({ 401: 'No or unknown API key', 403: 'This key may not do that', 404: '`event-not-found`', 422: '`not-elearning`' }),
  },
});

export function elearningRoutes(deps: Deps) {
  const app = router();
  const auth = (...roles: Role[]) => requireRole(deps.resolveKey, ...roles);
  const limit: MiddlewareHandler<AuthEnv> = bodyLimit({
    maxSize: deps.config.MAX_BODY_BYTES,
    onError: (c) => problem(c, 'body-too-large', `At most ${deps.config.MAX_BODY_BYTES} bytes`),
  });

  // Documented from the route; handled by hand (raw body, streamed with a limit).
  app.openAPIRegistry.registerPath(uploadRoute);
  app.post('/v1/events/:id/scorm-package', auth('organiser'), async (c) => {
    const id = c.req.param('id');
    if (!z.uuid().safeParse(id).success) throw new ServiceError('event-not-found');
    const event = await replaceablePackageCourse(deps, c.get('principal'), id);
    const ct = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!ZIP_MEDIA_TYPES.includes(ct)) throw new ServiceError('unsupported-media-type', 'Send the zip as the raw body with Content-Type application/zip');
    const raw = await readUploadBody(c, deps.config.SCORM_MAX_BYTES);
    return c.json(await storePackage(deps, c.get('principal'), event, raw), 201);
  });

  app.openapi({ ...declareRoute, middleware: [auth('organiser'), limit] }, async (c) => {
    return c.json(await declareCourse(deps, c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200);
  });

  app.openapi({ ...complianceRoute, middleware: [auth('organiser', 'cpo', 'cn', 'admin')] }, async (c) => {
    return c.json(await courseCompliance(deps, c.get('principal'), c.req.valid('param').id), 200);
  });

  app.openapi({ ...enrolRoute, middleware: [auth('organiser'), limit] }, async (c) => {
    return c.json(await enrolMembers(deps, c.get('principal'), c.req.valid('param').id, c.req.valid('json').memberIds), 200);
  });

  app.openapi({ ...enrolmentsRoute, middleware: [auth('organiser', 'cpo', 'cn', 'admin')] }, async (c) => {
    return c.json(await courseEnrolments(deps, c.get('principal'), c.req.valid('param').id, c.req.valid('query')), 200);
  });

  app.openapi({ ...progressRoute, middleware: [auth('organiser', 'cpo', 'cn', 'admin')] }, async (c) => {
    const { id, memberId } = c.req.valid('param');
    return c.json(await enrolmentProgress(deps, c.get('principal'), id, memberId), 200);
  });

  app.openapi({ ...openReviewRoute, middleware: [auth('cpo', 'cn', 'admin')] }, async (c) => {
    const r = await openCourseReview(deps, c.get('principal'), c.req.valid('param').id);
    const base = (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');
    return c.json({ reviewId: r.reviewId, playerUrl: `${base}/lms/review/${r.token}`, expiresAt: r.expiresAt.toISOString() }, 201);
  });

  app.openapi({ ...reviewsRoute, middleware: [auth('organiser', 'cpo', 'cn', 'admin')] }, async (c) => {
    return c.json({ items: await courseReviews(deps, c.get('principal'), c.req.valid('param').id) }, 200);
  });

  app.openapi({ ...launchRoute, middleware: [auth('organiser')] }, async (c) => {
    const { id, memberId } = c.req.valid('param');
    const l = await issueLaunch(deps, c.get('principal'), id, memberId);
    const base = (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');
    const commitUrl = `${base}/lms/commit/${l.launchToken}`;
    return c.json(
      {
        enrolmentId: l.enrolmentId,
        launchToken: l.launchToken,
        commitUrl,
        expiresAt: l.expiresAt.toISOString(),
        playerUrl: l.version === 'cmi5' ? `${base}/lms/cmi5/play/${l.launchToken}` : `${base}/lms/play/${l.launchToken}`,
        launchUrl: `${base}/lms/launch/${l.launchToken}`,
        version: l.version,
        ...(l.version === 'cmi5' ? { cmi5LaunchUrl: `${base}/lms/cmi5/launch/${l.launchToken}` } : {}),
        scos: l.scos.map((s) => ({
          identifier: s.identifier,
          title: s.title,
          launch: s.launch,
          commitUrl: `${commitUrl}?sco=${encodeURIComponent(s.identifier)}`,
        })),
      },
      200,
    );
  });

  return app;
}
