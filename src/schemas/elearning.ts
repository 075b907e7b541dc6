/** @module API shapes of e-learning course registration (issue 6 §1): package, declaration, compliance; the attestation's ids (issue 6 §5). */
import { z } from '@hono/zod-openapi';
import { PathUuid } from './common.ts';

export const Sco = z
  .object({
    identifier: z.string(),
    title: z.string(),
    resource: z.string(),
    launch: z.string().openapi({ description: 'Launch file, a path inside the package' }),
    href: z.string().openapi({ description: 'Launch path with the item parameters, as the player loads it' }),
    masteryScore: z.number().optional(),
    prerequisites: z
      .string()
      .optional()
      .openapi({ description: 'SCORM 1.2 `adlcp:prerequisites` (aicc_script) as written; the player offers the module once they hold' }),
  })
  .openapi('Sco');

/** A cmi5 course structure as read from cmi5.xml (issue 16; cmi5 §13). */
export const Cmi5Structure = z
  .object({
    course: z.object({ id: z.string(), lmsId: z.string(), title: z.string(), description: z.string() }),
    blocks: z.array(z.object({ id: z.string(), lmsId: z.string(), title: z.string(), blocks: z.array(z.string()) })),
    aus: z.array(
      z.object({
        id: z.string().openapi({ description: "The publisher's AU id" }),
        lmsId: z.string().openapi({ description: 'The activity id the LMS launches it with (cmi5 §8.1.5)' }),
        title: z.string(),
        description: z.string(),
        url: z.string(),
        launch: z.string(),
        href: z.string(),
        launchMethod: z.enum(['AnyWindow', 'OwnWindow']),
        moveOn: z.enum(['Passed', 'Completed', 'CompletedAndPassed', 'CompletedOrPassed', 'NotApplicable']),
        masteryScore: z.number().nullable(),
        activityType: z.string().nullable(),
        launchParameters: z.string().nullable(),
        entitlementKey: z.string().nullable(),
        blocks: z.array(z.string()),
      }),
    ),
  })
  .openapi('Cmi5Structure');

export const Manifest = z
  .object({
    version: z.enum(['1.2', '2004', 'cmi5']).openapi({ description: 'SCORM 1.2, SCORM 2004, or a cmi5 course structure (its AUs listed as `scos`)' }),
    schemaVersion: z.string().nullable(),
    identifier: z.string().nullable(),
    title: z.string(),
    organisation: z.string().nullable(),
    scos: z.array(Sco).openapi({ description: 'The SCOs offered to the learner, each required (R-ELN-2)' }),
    hiddenScos: z.array(Sco).optional().openapi({ description: 'Items with `isvisible="false"`: not shown, not required' }),
    sequencing: z
      .object({ places: z.number().int(), elements: z.array(z.string()) })
      .optional()
      .openapi({ description: 'SCORM 2004 sequencing found in the manifest (not enforced: see the `navigation` check)' }),
    assets: z.number().int(),
    cmi5: Cmi5Structure.optional(),
  })
  .openapi('ScormManifest');

export const ScormPackage = z
  .object({
    id: z.uuid(),
    eventId: z.uuid(),
    version: z.enum(['1.2', '2004', 'cmi5']),
    manifest: Manifest,
    sha256: z.string().openapi({ description: 'SHA-256 of the uploaded zip, hex' }),
    size: z.number().int(),
    uncompressedSize: z.number().int(),
    fileCount: z.number().int(),
    uploadedAt: z.string(),
    uploadedBy: z.string(),
    /** How many packages this event has had, this one included. */
    revision: z.number().int(),
  })
  .openapi('ScormPackage');

export const CourseDeclaration = z
  .object({
    nominalMinutes: z.number().int().min(1).max(100_000).openapi({ description: 'Nominal duration of the course, minutes' }),
    masteryScore: z.number().min(0).max(100).openapi({ description: 'Pass mark of the final test, % of the score' }),
    modules: z
      .array(
        z.object({
          sco: z.string().min(1).max(200).openapi({ description: 'SCO identifier (the manifest item)' }),
          minutes: z.number().positive().max(10_000),
        }),
      )
      .max(5_000)
      .openapi({ description: 'Minutes of each module as the organiser declares them' }),
    finalTest: z.object({
      bankQuestions: z.number().int().min(0).max(100_000),
      questionsPerAttempt: z.number().int().min(0).max(100_000),
      randomDraw: z.boolean(),
      retryDifferentQuestions: z.boolean(),
    }),
    accessWindowMonths: z.number().int().min(1).max(120).openapi({ description: 'Months from the access credentials within which the test can be taken' }),
  })
  .strict()
  .superRefine((d, ctx) => {
    const seen = new Set<string>();
    d.modules.forEach((m, i) => {
      if (seen.has(m.sco)) ctx.addIssue({ code: 'custom', path: ['modules', i, 'sco'], message: 'declared twice' });
      seen.add(m.sco);
    });
  })
  .openapi('CourseDeclaration');

export const Validity = z
  .object({ from: z.string(), until: z.string() })
  .nullable()
  .openapi({ description: 'R-EVT-5: one year from accreditation; null until accredited' });

export const CourseView = z
  .object({
    eventId: z.uuid(),
    mode: z.enum(['e-learning', 'podcast']),
    credits: z.number(),
    declaration: CourseDeclaration.nullable(),
    declaredAt: z.string().nullable(),
    validity: Validity,
  })
  .openapi('ElearningCourse');

export const ComplianceCheck = z.object({
  id: z.string(),
  rule: z.string(),
  status: z.enum(['pass', 'fail', 'declared', 'verified', 'not-enforced']),
  reason: z.string().openapi({ description: 'Why, in English' }),
  text: z.string().openapi({ description: 'Why, in Italian (what the console shows)' }),
});

export const ComplianceReport = z
  .object({
    eventId: z.uuid(),
    title: z.string(),
    mode: z.enum(['e-learning', 'podcast']),
    credits: z.number(),
    validity: Validity,
    package: ScormPackage.nullable(),
    declaration: CourseDeclaration.nullable(),
    compliant: z.boolean(),
    counts: z.object({
      pass: z.number().int(),
      fail: z.number().int(),
      declared: z.number().int(),
      verified: z.number().int(),
      'not-enforced': z.number().int(),
    }),
    checks: z.array(ComplianceCheck),
  })
  .openapi('ElearningCompliance');

// ---- The attestation (issue 6 §5): its routes are read by hand (the documented params are the route's own) ----

/** `GET /v1/events/{id}/enrolments/{memberId}/attestation`: the ids as the path gives them, lower-cased. */
export const AttestationParams = z.object({ id: PathUuid, memberId: PathUuid });

/** A council's review of a course (issue 16), as opened. */
export const ReviewOpened = z
  .object({
    reviewId: z.uuid(),
    playerUrl: z.string().openapi({ description: 'The review player: every module in SCORM browse mode, no-credit, nothing counted' }),
    expiresAt: z.string(),
  })
  .openapi('CourseReviewOpened');

export const CourseReviewList = z
  .object({
    items: z.array(
      z.object({
        id: z.uuid(),
        openedBy: z.string().openapi({ description: 'role:key id, or role:user:<account id> (R-ACC-7)' }),
        reviewer: z.string(),
        openedAt: z.string(),
        expiresAt: z.string(),
        launches: z.array(z.object({ sco: z.string(), launchedAt: z.string(), commits: z.number().int(), lastCommitAt: z.string().nullable() })),
      }),
    ),
  })
  .openapi('CourseReviewList');
