/** @module RFC 9457 problem+json responses with stable kebab-case codes (the table: `src/schemas/problems.ts`). */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { PROBLEMS, type ProblemCode } from '../schemas/problems.ts';
import type { ServiceError } from '../services/errors.ts';

/** A problem+json response of `code`, with the status and title the table gives it. */
export function problem(c: Context, code: ProblemCode, detail?: string, extra?: Record<string, unknown>, status?: ContentfulStatusCode) {
  const entry = PROBLEMS[code];
  const st = status ?? entry.status;
  return c.newResponse(
    JSON.stringify({
      type: `https://cdl-gateway.example/problems/${code}`,
      title: entry.title,
      status: st,
      code,
      ...(detail ? { detail } : {}),
      ...extra,
    }),
    st,
    { 'content-type': 'application/problem+json' },
  );
}

/** An operation's refusal as problem+json. */
export function problemOf(c: Context, err: ServiceError) {
  return problem(c, err.code, err.detail, err.extra, err.status);
}

/** zod issues as problem `errors`: path and message, never the offending value (it may be personal data). */
export function zodErrors(issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string }>) {
  return issues.slice(0, 50).map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}
