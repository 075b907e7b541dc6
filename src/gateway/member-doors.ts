/**
 * @module What the member's document doors share (the attestation and the certificates under
 * `/m/{token}/…`): an Italian page, never problem+json, when something fails on our side; personal
 * responses never cached or indexed; and the member a dashboard link names, or the page that says
 * why the link does not open.
 */
import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';
import { linkClosedPage, messagePage } from '../pages/dashboard.tsx';
import { PathUuid } from '../schemas/common.ts';
import type { Deps } from './deps.ts';
import { isUnavailable } from './unavailable.ts';

/**
 * The error page of a member's door: 503 (retry) when a backing service is down, 500 otherwise;
 * `what` names the document in the sentence ("l’attestato", "il certificato").
 */
export function memberDoorErrors(deps: Pick<Deps, 'log'>, what: string): ErrorHandler {
  return (err, c) => {
    const unavailable = isUnavailable(err);
    if (unavailable) c.header('Retry-After', '5');
    deps.log[unavailable ? 'warn' : 'error']({ err: unavailable ? String(err) : err, path: c.req.path }, 'member document page failed');
    return c.html(
      messagePage({
        title: 'Servizio momentaneamente non disponibile',
        text: `Non è stato possibile preparare ${what}. Riprovi tra qualche minuto usando lo stesso link.`,
        back: null,
      }),
      unavailable ? 503 : 500,
    );
  };
}

/** Personal responses: never cached, never indexed. */
export const privateResponse: MiddlewareHandler = async (c, next) => {
  await next();
  c.header('Cache-Control', 'no-store');
  c.header('X-Robots-Tag', 'noindex');
};

/** The member a dashboard link names, or the Italian page (404 invalid, 410 expired) to answer instead. */
export async function dashboardMember(deps: Pick<Deps, 'links' | 'now'>, c: Context, token: string): Promise<{ memberId: string } | { page: Response }> {
  const check = await deps.links.verify('dashboard', token, deps.now());
  if (!check.ok && check.reason === 'invalid') return { page: await c.html(linkClosedPage({ kind: 'invalid' }), 404) };
  const memberId = PathUuid.safeParse(check.subject);
  if (!memberId.success) return { page: await c.html(linkClosedPage({ kind: 'invalid' }), 404) };
  if (!check.ok) return { page: await c.html(linkClosedPage({ kind: 'expired', expiredAt: check.expiresAt }), 410) };
  return { memberId: memberId.data };
}
