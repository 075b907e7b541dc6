/**
 * @module Documents anyone can verify (issue 15): the public page `GET /verify/{code}` (and
 * `GET /verify` with a form), Italian HTML, never cached, indexed or referred; and
 * `POST /v1/documents/{code}/revoke` for admin, cn and the issuer (organiser or CPO, R-DOC-6).
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { groupedCode, parseCode } from '../domain/documents.ts';
import { verifyFormPage, verifyNotFoundPage, verifyPage } from '../pages/verify.tsx';
import { revokeDocument, supersedingIssuedAt, verifyDocument } from '../services/documents.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { json, problems } from './responses.ts';
import { router, SECURITY } from './router.ts';

const DocumentOut = z
  .object({
    kind: z.string(),
    factsDigest: z.string(),
    issuedAt: z.string(),
    status: z.enum(['valid', 'revoked', 'superseded']),
    revokedAt: z.string().nullable(),
    revokedReason: z.string().nullable(),
  })
  .openapi('VerifiableDocument');

const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

export function documentRoutes(deps: Deps) {
  const app = router();
  const headers = async (c: Context, next: () => Promise<void>) => {
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Robots-Tag', 'noindex');
  };
  app.use('/verify', headers);
  app.use('/verify/*', headers);

  app.openAPIRegistry.registerPath(
    createRoute({
      method: 'get',
      path: '/verify/{code}',
      summary: 'The public verification page of a document the gateway issued (issue 15)',
      description:
        'No key: the code is the capability. Italian HTML: the kind, the facts (codice fiscale masked), when issued, the status (valid, revoked, superseded) and the facts\u2019 SHA-256 to compare with the PDF. Unknown and malformed codes: the same 404 page.',
      tags: ['documents'],
      request: { params: z.object({ code: z.string() }) },
      responses: { 200: html('The document'), 404: html('No such document (or not a code)') },
    }),
  );

  app.get('/verify', (c) => {
    const typed = c.req.query('codice');
    if (typed === undefined || typed.trim() === '') return c.html(verifyFormPage());
    const plain = parseCode(typed);
    return c.redirect(`/verify/${plain ? groupedCode(plain) : encodeURIComponent(typed.trim().slice(0, 100))}`, 303);
  });

  app.get('/verify/:code', async (c) => {
    const code = c.req.param('code');
    const d = await verifyDocument(deps, code);
    if (!d) return c.html(verifyNotFoundPage(), 404);
    const supersededAt = d.status.status === 'superseded' ? await supersedingIssuedAt(deps, code) : null;
    return c.html(verifyPage(d, supersededAt));
  });

  app.use('/v1/documents/*', requireRole(deps.resolveKey, 'organiser', 'cpo', 'cn', 'admin'));
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/documents/{code}/revoke',
      summary: 'Revoke a document the gateway issued, with the reason the verification page shows (R-DOC-6)',
      description:
        'Keys: admin, cn (any document), organiser (the documents it issued), cpo (the compliance certificates its province issued, R-DOC-8). Another issuer\u2019s document, an unknown or malformed code: 404 `document-not-found`. A second revocation keeps the first.',
      tags: ['documents'],
      security: SECURITY,
      request: {
        params: z.object({ code: z.string() }),
        body: { content: { 'application/json': { schema: z.object({ reason: z.string().trim().min(3).max(500) }) } }, required: true },
      },
      responses: { 200: json(DocumentOut, 'Revoked'), ...problems },
    }),
    async (c) => {
      const d = await revokeDocument(deps, c.get('principal'), { code: c.req.valid('param').code, reason: c.req.valid('json').reason });
      const s = d.status;
      return c.json(
        {
          kind: d.kind,
          factsDigest: d.factsDigest,
          issuedAt: d.issuedAt.toISOString(),
          status: s.status,
          revokedAt: s.status === 'revoked' ? s.at.toISOString() : null,
          revokedReason: s.status === 'revoked' ? s.reason : null,
        },
        200,
      );
    },
  );
  return app;
}
