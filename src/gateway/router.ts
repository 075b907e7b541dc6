/** @module Router factory with the gateway's zod error hook: every validation failure is problem+json. */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AuthEnv } from './auth.ts';
import type { ProblemCode } from '../schemas/problems.ts';
import { problem, zodErrors } from './problem.ts';

const TARGET_CODES: Record<string, ProblemCode> = { json: 'invalid-body', form: 'invalid-body', query: 'invalid-query', param: 'invalid-params' };

export function router() {
  return new OpenAPIHono<AuthEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return problem(c, TARGET_CODES[result.target] ?? 'invalid-body', undefined, { errors: zodErrors(result.error.issues) });
      }
      return undefined;
    },
  });
}

/** Bearer security scheme name used in the OpenAPI document. */
export const SECURITY = [{ apiKey: [] as string[] }];
