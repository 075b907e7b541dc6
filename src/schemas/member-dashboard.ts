/**
 * @module The member dashboard's forms (`/m/{token}/…`), HTML posts read by hand and outside the
 * OpenAPI document: each field as text (the first value, trimmed), checked here for its shape.
 * What depends on the member's facts (which bienniums they may see, whether a cause applies) is
 * the handler's and the services'; every refusal is an Italian page with the code of the first
 * field that fails (`firstRefusal`).
 */
import { z } from '@hono/zod-openapi';
import { DateTime } from 'luxon';
import { UUID_PATTERN } from './common.ts';

/** Longest description of an art. 9 activity (R-ART9-3). */
export const DESCRIPTION_MAX_CHARS = 1000;
/** Longest note added to a reduction's integration (R-RED-7). */
export const NOTE_MAX_CHARS = 2000;
/** Longest appeal of a reduction decision (R-RED-7). */
export const APPEAL_MAX_CHARS = 4000;

/** A whole number as the number fields post it: at most four digits. */
export const WholeNumber = z
  .string()
  .regex(/^\d{1,4}$/)
  .transform(Number);

/** A biennium as `?biennio=` and the forms give it: its first year (which ones the member may see is the page's). */
export const BienniumYear = z
  .string()
  .regex(/^\d{4}$/)
  .transform(Number);

/** A calendar day `YYYY-MM-DD` that exists. */
export const FormDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => DateTime.fromISO(v, { zone: 'utc' }).isValid);

/** A reduction request's id in a form's address. */
export const ReductionId = z.string().regex(UUID_PATTERN);

/** `POST /m/{token}/debt` (R-DEBT-1, R-DEBT-2): the credits asked for, besides the biennium. */
export const DebtFormBody = z.object({ total: WholeNumber, deontology: WholeNumber });

/** `POST /m/{token}/art9` (R-ART9-3): the activity, its day, the quantity and a description, besides the attestation file. */
export const Art9FormBody = z.object({
  activity: z.string().min(1),
  date: FormDate,
  quantity: WholeNumber,
  description: z.string().min(1).max(DESCRIPTION_MAX_CHARS),
});

/** `POST /m/{token}/reductions/{id}/integration` (R-RED-7): an optional note, besides the documents. */
export const IntegrationFormBody = z.object({ note: z.string().max(NOTE_MAX_CHARS).optional() });

/** `POST /m/{token}/reductions/{id}/appeal` (R-RED-7): the appeal's text. */
export const AppealFormBody = z.object({ text: z.string().min(1).max(APPEAL_MAX_CHARS) });

const dateOrNull = FormDate.nullable().catch(null);

/**
 * A reduction's input fields (R-RED-2) as posted: what does not read as a date, a percentage or
 * `si`/`no` is null, and the calculator refuses it with its own reason.
 */
export const ReductionFields = z.object({
  from: dateOrNull,
  to: dateOrNull,
  degreePct: z
    .string()
    .regex(/^\d{1,3}$/)
    .transform(Number)
    .nullable()
    .catch(null),
  subjectToReview: z
    .enum(['si', 'no'])
    .transform((v) => v === 'si')
    .nullable()
    .catch(null),
  certificateExpiry: dateOrNull,
  birthDate: dateOrNull,
  arrivalDate: dateOrNull,
});

/** The refusal code of the first field in `codes` (in their order) that `error` names; `fallback` when none. */
export function firstRefusal(error: z.ZodError, codes: ReadonlyArray<readonly [field: string, code: string]>, fallback = 'invalid-form'): string {
  const failed = new Set(error.issues.map((i) => String(i.path[0])));
  return codes.find(([field]) => failed.has(field))?.[1] ?? fallback;
}
