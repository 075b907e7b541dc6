/**
 * @module API-key authentication of requests: the bearer key resolved to its actor
 * (`src/services/keys.ts`), the role checked, the actor set on the context.
 */
import type { MiddlewareHandler } from 'hono';
import type { Role } from '../domain/roles.ts';
import type { Actor } from '../services/actor.ts';
import { ServiceError } from '../services/errors.ts';

/** The actor a request's key resolves to. */
export type Principal = Actor;

export type AuthEnv = { Variables: { principal: Principal } };

/**
 * Requires a bearer key of one of `roles`; sets `principal`.
 *
 * @example
 * app.use('/v1/ingest/*', requireRole(resolve, 'platform', 'organiser'))
 */
export function requireRole(resolve: (key: string) => Promise<Principal | null>, ...roles: Role[]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new ServiceError('unauthorized', 'Send the API key as "Authorization: Bearer <key>"');
    const p = await resolve(m[1]!);
    if (!p) throw new ServiceError('unauthorized', 'Unknown or revoked API key');
    if (!roles.includes(p.role)) throw new ServiceError('forbidden', `This operation needs one of the roles: ${roles.join(', ')}`);
    c.set('principal', p);
    await next();
  };
}
