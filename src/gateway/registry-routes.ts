/**
 * @module What the registry routers (organisers, members, events, registrations) share: their
 * problem responses and tags in the OpenAPI document, the id parameter, and the key and body-size
 * middleware a route is mounted with.
 */
import { z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Role } from '../domain/roles.ts';
import { Problem } from '../schemas/common.ts';
import { requireRole, type AuthEnv } from './auth.ts';
import type { Deps } from './deps.ts';
import { problem } from './problem.ts';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed or invalid request',
  401: 'No or unknown API key',
  403: 'This key may not do that',
  404: 'Not found, or not visible to this key',
  409: 'Conflict with the current state',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'Violates a rule',
};

/** Problem responses for the OpenAPI document. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: PROBLEM_DESCRIPTIONS[s] ?? 'Error', content: { 'application/problem+json': { schema: Problem } } }]),
  );
}

export const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true as const });
export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

export const TAGS = { organisers: ['registry: organisers'], members: ['registry: members'], events: ['registry: events'] };

/** The middleware of a registry route: the key's role check, and the JSON body limit. */
export function routeMiddleware(deps: Deps) {
  const auth = (...roles: Role[]) => requireRole(deps.resolveKey, ...roles);
  const limit: MiddlewareHandler<AuthEnv> = bodyLimit({
    maxSize: deps.config.MAX_BODY_BYTES,
    onError: (c) => problem(c, 'body-too-large', `At most ${deps.config.MAX_BODY_BYTES} bytes`),
  });
  const with_ = <R extends object>(r: R, ...mw: MiddlewareHandler<AuthEnv>[]) => ({ ...r, middleware: mw });
  return { auth, limit, with_ };
}
