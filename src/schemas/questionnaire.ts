/**
 * @module Questionnaire schemas (R-QST): the organiser's pool, the views of organisers and councils,
 * ratings and irregularity reports. Member pages are HTML and never use the pool shapes here.
 */
import { z } from '@hono/zod-openapi';
import { QUESTIONNAIRE_RULES as R } from '../domain/questionnaire.ts';

export const PoolQuestionInput = z
  .object({
    // Sanity bounds only: the R-QST-3 limits (lengths, 2–6 options, the right index) are checked by
    // `validatePool`, so each violation gets its own 422 code.
    text: z
      .string()
      .max(20 * R.maxQuestionLength)
      .openapi({ description: `At most ${R.maxQuestionLength} characters` }),
    options: z
      .array(z.string().max(20 * R.maxOptionLength))
      .max(50)
      .openapi({ description: `${R.minOptions}–${R.maxOptions} distinct options, each at most ${R.maxOptionLength} characters` }),
    correct: z.number().openapi({ description: '0-based index of the one right option' }),
  })
  .openapi('PoolQuestionInput');

/** Validated for shape only; the R-QST-3 rules (30, options, duplicates) give their own codes. */
export const PoolInput = z
  .object({
    questions: z
      .array(PoolQuestionInput)
      .max(500)
      .openapi({ description: `Exactly ${R.poolSize} scientific questions (R-QST-3)` }),
  })
  .openapi('PoolInput');
export type PoolInput = z.infer<typeof PoolInput>;

export const PoolQuestion = z
  .object({ id: z.uuid(), position: z.number().int(), text: z.string(), options: z.array(z.string()), correct: z.number().int() })
  .openapi('PoolQuestion');

export const Pool = z
  .object({
    eventId: z.uuid(),
    questions: z.array(PoolQuestion),
    locked: z.boolean().openapi({ description: 'Questionnaires went out: the pool can no longer change' }),
  })
  .openapi('Pool');

export const QuestionnaireStatus = z.enum(['open', 'passed', 'failed', 'expired']).openapi('QuestionnaireStatus');

export const QuestionnaireSummary = z
  .object({
    id: z.uuid(),
    memberId: z.uuid(),
    surname: z.string(),
    givenName: z.string(),
    codiceFiscale: z.string(),
    sentAt: z.string().nullable().openapi({ description: 'When the member got the link (mail sent, or page first opened); null: not yet' }),
    deadline: z
      .string()
      .nullable()
      .openapi({ description: '23:59:59.999 Rome of the 10th day after sentAt (R-QST-2, R-CAL-3); null until the link is received' }),
    status: QuestionnaireStatus,
    attempts: z.number().int().openapi({ description: 'Attempts submitted' }),
    lastScore: z.number().int().nullable(),
    mail: z.enum(['sent', 'queued', 'retrying', 'no-address', 'none']).openapi({
      description:
        'The link mail: sent; queued (on its way, or waiting for SMTP to be configured); retrying after a failure; no-address (the member has no e-mail: hand the link over another way)',
    }),
  })
  .openapi('QuestionnaireSummary');

export const QuestionnaireList = z
  .object({
    items: z.array(QuestionnaireSummary).openapi({ description: 'This page, by member surname, given name (byte order), then id' }),
    total: z.number().int().openapi({ description: "The event's questionnaires in all" }),
    next: z.number().int().nullable().openapi({ description: 'The `offset` of the next page; null on the last one' }),
  })
  .openapi('QuestionnaireList');

/** A page of an event's questionnaires: a national course has 10,000 (the same bounds as the course enrolments). */
export const QuestionnaireListQuery = z.object({
  offset: z.coerce.number().int().min(0).default(0).openapi({ description: 'Questionnaires to skip (from `next`)' }),
  limit: z.coerce.number().int().min(1).max(1000).default(200).openapi({ description: 'At most 1000' }),
});

export const AttemptAudit = z
  .object({
    number: z.number().int(),
    questionIds: z.array(z.uuid()).openapi({ description: 'Pool question ids served, in the order shown (R-QST-5/6)' }),
    optionOrder: z.array(z.array(z.number().int())).openapi({ description: 'Per served question: the pool option index shown at each position' }),
    startedAt: z.string(),
    submittedAt: z.string().nullable(),
    answers: z.array(z.number().int().nullable()).nullable().openapi({ description: 'Per served question: the shown position chosen' }),
    score: z.number().int().nullable(),
    passed: z.boolean().nullable(),
  })
  .openapi('AttemptAudit');

export const QuestionnaireAudit = z
  .object({
    id: z.uuid(),
    eventId: z.uuid(),
    memberId: z.uuid(),
    sentAt: z.string().nullable(),
    deadline: z.string().nullable(),
    status: QuestionnaireStatus,
    decidedAt: z.string().nullable(),
    qualityAnswers: z.record(z.string(), z.number().int()).nullable(),
    attempts: z.array(AttemptAudit),
    retryDrewUnseen: z
      .boolean()
      .nullable()
      .openapi({ description: 'The second attempt served no question of the first (R-QST-5); null without a second attempt' }),
  })
  .openapi('QuestionnaireAudit');

export const Rating = z
  .object({
    responses: z.number().int(),
    average: z.number().nullable().openapi({ description: 'Mean quality answer, 1–10, rounded to 2 decimals' }),
    byQuestion: z.record(z.string(), z.number().nullable()),
    belowThreshold: z.boolean().nullable().openapi({ description: 'Mean under 6/10: renewal of the authorisation is at risk (R-QST-9)' }),
  })
  .openapi('Rating');

export const EventRating = z.object({ eventId: z.uuid(), rating: Rating }).openapi('EventRating');

export const OrganiserRating = z
  .object({
    organiserId: z.uuid(),
    rating: Rating,
    events: z.array(z.object({ eventId: z.uuid(), title: z.string(), start: z.string(), rating: Rating })),
  })
  .openapi('OrganiserRating');

export const IrregularityReport = z
  .object({
    id: z.uuid(),
    questionnaireId: z.uuid(),
    eventId: z.uuid(),
    eventTitle: z.string(),
    memberId: z.uuid(),
    surname: z.string(),
    givenName: z.string(),
    message: z.string(),
    createdAt: z.string(),
  })
  .openapi('IrregularityReport');

export const IrregularityReportList = z.object({ items: z.array(IrregularityReport) }).openapi('IrregularityReportList');

/** Longest irregularity report a member may write. */
export const REPORT_MAX_CHARS = 4000;

// ---- The member's questionnaire page (`/q/{token}`): HTML forms read by hand, outside the OpenAPI document ----

/** A position as the questionnaire form posts it: at most three digits. */
const FormChoice = z
  .string()
  .regex(/^\d{1,3}$/)
  .transform(Number);

/** The attempt a form was served for (`attempt`): its number, NaN when the field is missing or not text (no attempt has it). */
export const AttemptNumber = z.string().transform(Number).catch(NaN);

/** A quality rating (R-QST-9), on the questionnaire's scale. */
export const QualityChoice = FormChoice.pipe(z.number().min(R.qualityScale.min).max(R.qualityScale.max));

/** The answer to a question shown with `options` options: the position of one of them. */
export const answerChoice = (options: number) => FormChoice.pipe(z.number().max(options - 1));

/** An irregularity report (R-QST-10) as posted: its text, trimmed, 1 to `REPORT_MAX_CHARS` characters. */
export const ReportForm = z.object({ message: z.string().trim().min(1).max(REPORT_MAX_CHARS) });
