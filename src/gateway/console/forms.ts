/**
 * @module Console forms over HTTP: the body read within a small limit, parsed with its zod schema
 * (`src/schemas/console.ts`), and refusals (the schema's or an operation's `ServiceError`) turned
 * into the problems a page lists on top and beside each field.
 */
import type { Context } from 'hono';
import { z } from 'zod';
import type { FormProblem } from '../../pages/console/signin-pages.tsx';
import { ServiceError } from '../../services/errors.ts';

/** Console forms are a few short fields. */
export const CONSOLE_FORM_MAX_BYTES = 32 * 1024;

/** Fields never sent back into a page. */
const SECRET_FIELDS = new Set(['password', 'confirm', 'current', 'code']);

export type FormRead<T> = { ok: true; data: T; values: Record<string, string> } | { ok: false; problems: FormProblem[]; values: Record<string, string> };

export async function readForm<S extends z.ZodType>(c: Context, schema: S): Promise<FormRead<z.infer<S>>> {
  const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) if (typeof v === 'string') fields[k] = v;
  const values = Object.fromEntries(Object.entries(fields).filter(([k]) => !SECRET_FIELDS.has(k)));
  const parsed = schema.safeParse(fields);
  if (parsed.success) return { ok: true, data: parsed.data, values };
  const problems = parsed.error.issues.map((i): FormProblem => {
    const field = String(i.path[0] ?? '');
    if (i.message === 'passwords-differ') return { code: 'passwords-differ', field };
    if (!fields[field]?.trim()) return { code: 'required-field', field };
    if (field === 'email') return { code: 'invalid-email', field };
    return { code: 'invalid-form', field };
  });
  return { ok: false, problems: dedupe(problems), values };
}

const dedupe = (ps: FormProblem[]) => ps.filter((p, i) => ps.findIndex((q) => q.field === p.field) === i);

/** The field an operation's refusal belongs to, for the page to mark. */
const FIELD_OF: Readonly<Record<string, string>> = {
  'password-too-short': 'password',
  'password-too-long': 'password',
  'password-too-common': 'password',
  'password-contains-email': 'password',
  'staff-email-taken': 'email',
  'second-factor-failed': 'code',
  'second-factor-not-pending': 'code',
};

/** A refusal as a form problem; anything but a `ServiceError` is thrown on (a real failure). */
export function problemOfError(err: unknown, fieldOverride?: string): FormProblem {
  if (!(err instanceof ServiceError)) throw err;
  const field = fieldOverride ?? FIELD_OF[err.code];
  return field ? { code: err.code, field } : { code: err.code };
}

/** `?provincia=` of the council's pages: a two-letter sigla, upper-cased (the operations check it names a province). */
export const ProvinciaQuery = z
  .string()
  .regex(/^[A-Za-z]{2}$/)
  .transform((s) => s.toUpperCase())
  .optional();
