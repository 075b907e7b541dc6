/**
 * @module SCORM tracking: zod schemas of enrolment and launch (issue 6 §2) and of the commits
 * scorm-again sends (issue 6 §3), for `dataCommitFormat: 'json'` (`{"cmi": {…}}`, the default)
 * and for `renderCommonCommitFields` (`{"runtimeData": {"cmi": {…}}, …}`). Elements the gateway
 * does not check pass through untouched (loose objects): the stored body is the evidence anyway.
 */
import { z } from '@hono/zod-openapi';
import { inVocabulary, isIsoDuration, isScorm12Timespan, scoreIssues, VOCABULARY, type ScormVersion } from '../domain/scorm-cmi.ts';

const str = z.string().max(64_000);
const decimal = z.union([z.string().max(40), z.number()]);
const vocab = (words: readonly string[]) => str.refine((v) => inVocabulary(words, v), { message: `not one of: ${words.join(', ')}` });
const timespan12 = str.refine(isScorm12Timespan, { message: 'not a SCORM 1.2 time span HHHH:MM:SS.SS' });
const duration2004 = str.refine(isIsoDuration, { message: 'not an ISO 8601 duration (e.g. PT1H2M3.5S)' });
const score = (version: ScormVersion) =>
  z.looseObject({ raw: decimal.optional(), min: decimal.optional(), max: decimal.optional(), scaled: decimal.optional() }).superRefine((s, ctx) => {
    for (const i of scoreIssues(version, s, 'score')) ctx.addIssue({ code: 'custom', message: i.message, path: i.path.split('.').slice(1) });
  });

/** `cmi` of SCORM 1.2 as scorm-again's `renderCommitCMI` shapes it. */
export const Cmi12 = z.looseObject({
  core: z
    .looseObject({
      lesson_status: vocab(VOCABULARY['1.2'].lessonStatus).optional(),
      exit: vocab(VOCABULARY['1.2'].exit).optional(),
      session_time: timespan12.optional(),
      total_time: timespan12.optional(),
      score: score('1.2').optional(),
    })
    .optional(),
  suspend_data: str.optional(),
});

/** `cmi` of SCORM 2004. */
export const Cmi2004 = z.looseObject({
  completion_status: vocab(VOCABULARY['2004'].completionStatus).optional(),
  success_status: vocab(VOCABULARY['2004'].successStatus).optional(),
  exit: vocab(VOCABULARY['2004'].exit).optional(),
  session_time: duration2004.optional(),
  total_time: duration2004.optional(),
  progress_measure: z.union([z.literal(''), decimal.refine((v) => Number(v) >= 0 && Number(v) <= 1, { message: 'outside 0..1' })]).optional(),
  score: score('2004').optional(),
  suspend_data: str.optional(),
});

const commitOf = <T extends z.ZodType>(cmi: T) => z.union([z.looseObject({ cmi }), z.looseObject({ runtimeData: z.looseObject({ cmi }) })]);

/** A commit body of each version, in either of scorm-again's JSON shapes. */
export const ScormCommit = { '1.2': commitOf(Cmi12), '2004': commitOf(Cmi2004) } as const;

export interface CommitCheck {
  valid: boolean;
  errors: Array<{ path: string; message: string }>;
}

/**
 * Validates a parsed commit body. A body in the common-fields shape is checked on its
 * `runtimeData`; otherwise on `cmi`. Errors name the CMI element (`cmi.core.lesson_status`).
 */
export function checkCommit(version: ScormVersion, body: unknown): CommitCheck {
  const b = body as { cmi?: unknown; runtimeData?: { cmi?: unknown } } | null;
  const hasCmi = !!b && typeof b === 'object' && !Array.isArray(b) && (typeof b.cmi === 'object' || typeof b.runtimeData?.cmi === 'object');
  if (!hasCmi) return { valid: false, errors: [{ path: '', message: 'not a scorm-again JSON commit: no "cmi" object (use dataCommitFormat "json")' }] };
  const inner = b!.cmi !== undefined ? { cmi: b!.cmi } : { cmi: b!.runtimeData!.cmi };
  const schema = version === '1.2' ? Cmi12 : Cmi2004;
  const r = schema.safeParse(inner.cmi);
  if (r.success) return { valid: true, errors: [] };
  return { valid: false, errors: r.error.issues.slice(0, 50).map((i) => ({ path: ['cmi', ...i.path.map(String)].join('.'), message: i.message })) };
}

// ---- Enrolment and launch (issue 6 §2) ----

export const EnrolRequest = z.object({ memberIds: z.array(z.uuid()).min(1).max(1000) }).openapi('ElearningEnrolRequest');

export const Enrolment = z
  .object({
    enrolmentId: z.uuid(),
    memberId: z.uuid(),
    enrolledAt: z.string(),
    created: z.boolean().openapi({ description: 'false when the member was already enrolled' }),
  })
  .openapi('ElearningEnrolment');

export const EnrolResult = z.object({ eventId: z.uuid(), enrolments: z.array(Enrolment) }).openapi('ElearningEnrolResult');

export const Launch = z
  .object({
    enrolmentId: z.uuid(),
    launchToken: z.string(),
    commitUrl: z.string().openapi({ description: 'POST target for scorm-again (`lmsCommitUrl`), token in the path; add `?sco=<identifier>&session=<id>`' }),
    expiresAt: z.string(),
    playerUrl: z.string().openapi({ description: 'The reference player page (Italian) to give the member' }),
    launchUrl: z.string().openapi({
      description:
        "For providers' own scorm-again pages: `POST launchUrl?sco=<identifier>` registers a launch and answers the commit URL (with `session`) and the run-time state to load before Initialize",
    }),
    version: z.enum(['1.2', '2004', 'cmi5']),
    cmi5LaunchUrl: z
      .string()
      .optional()
      .openapi({ description: 'cmi5 courses: `POST cmi5LaunchUrl?au=<AU id>` launches an AU (cmi5 §8) and answers its launch URL on the content origin' }),
    scos: z.array(z.object({ identifier: z.string(), title: z.string(), launch: z.string(), commitUrl: z.string() })),
  })
  .openapi('ElearningLaunch');

export const EnrolmentOutcome = z
  .object({
    status: z.enum(['credited', 'in-progress', 'not-credited']),
    reason: z.string(),
    rule: z.string(),
    credits: z.number().int(),
    creditedSeconds: z.number().int(),
    requiredSeconds: z.number().int().nullable(),
    completedAt: z.string().nullable(),
    explanation: z.record(z.string(), z.unknown()),
    derivedAt: z.string(),
  })
  .openapi('ElearningOutcome');

export const EnrolmentProgress = z
  .object({ eventId: z.uuid(), memberId: z.uuid(), enrolmentId: z.uuid(), enrolledAt: z.string(), outcome: EnrolmentOutcome.nullable() })
  .openapi('ElearningEnrolmentProgress');

export const EnrolmentList = z
  .object({
    eventId: z.uuid(),
    total: z.number().int(),
    enrolments: z.array(
      z.object({
        enrolmentId: z.uuid(),
        memberId: z.uuid(),
        surname: z.string(),
        givenName: z.string(),
        codiceFiscale: z.string(),
        enrolledAt: z.string(),
        outcome: z
          .object({
            status: z.string(),
            reason: z.string(),
            credits: z.number().int(),
            creditedSeconds: z.number().int(),
            requiredSeconds: z.number().int().nullable(),
            completedAt: z.string().nullable(),
          })
          .nullable(),
      }),
    ),
  })
  .openapi('ElearningEnrolmentList');

export const EnrolmentListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});

// ---- The reference player (issue 6 §2): read by hand, outside the OpenAPI document ----

/** The launch token in a player path (`/lms/play/{token}`, `/lms/launch/{token}`); the member links verify it. */
export const PlayerTokenParam = z.object({ token: z.string().min(1) });

/** `POST /lms/launch/{token}?sco=<identifier>`: the SCO to launch. */
export const LaunchQuery = z.object({ sco: z.string().min(1) });
