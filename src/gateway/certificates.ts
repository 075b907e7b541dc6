/**
 * @module The compliance certificate of a member for a biennium as a PDF (e-learning guidelines
 * art. 6, issue 15, R-DOC-8), issued by the member's CPO from its verification, from two doors:
 *
 *   GET /v1/members/{id}/compliance-certificate?biennium=   API key: the member's CPO, cn, admin
 *   GET /m/{token}/certificato/{biennium}                   the member, through the dashboard link (purpose `dashboard`)
 *
 * Refused until the province's February verification of the biennium holds the member
 * (`verification-not-found`), and for a member not in order (`not-compliant` with the status);
 * the member's door answers Italian pages. It must be mounted before `memberDashboardRoutes`,
 * whose catch-all `GET /m/{token}/*` would otherwise redirect it.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { complianceCertificatePdf } from '../../adapters/pdf/compliance-certificate-pdf.ts';
import { isBiennium } from '../domain/calendar.ts';
import { verificationUrl } from '../domain/documents.ts';
import { messagePage } from '../pages/dashboard.tsx';
import { NOT_COMPLIANT_LABELS } from '../pages/labels.ts';
import { Biennium } from '../schemas/balance.ts';
import { PathUuid, Problem } from '../schemas/common.ts';
import { complianceCertificateOf, memberComplianceCertificate, type ComplianceDocument } from '../services/council/compliance-certificate.ts';
import { ServiceError } from '../services/errors.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { dashboardMember, memberDoorErrors, privateResponse } from './member-doors.ts';
import { router, SECURITY } from './router.ts';

const problemEntry = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });
const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const PDF = {
  description: 'The certificate, `Content-Disposition: attachment; filename="certificato-crt-<biennium>-<province>-<id>.pdf"`',
  content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
};
const FIELDS =
  "It states the member (name, codice fiscale, register number, province), the biennium, the status in words, the obligation and the credits recognised (total and deontology; a debt settled by 30 June), the verification it relies on (phase date, version, when it ran: the latest February snapshot, with the June re-check's row for a debtor, R-VER-7), the issuing council, a number stable for member and biennium, the issue date (the day of that verification: every download is the same document), the signature line, and its verification code, the QR code of `/verify/{code}` and the facts' SHA-256. A new verification version supersedes it; the CPO revokes it with `POST /v1/documents/{code}/revoke`.";

const apiRoute = createRoute({
  method: 'get',
  path: '/v1/members/{id}/compliance-certificate',
  summary: 'The compliance certificate (PDF) of a member for a biennium, issued by the member’s CPO (R-DOC-8)',
  description: `Keys: cpo (members of its province), cn, admin. Only for a member in order in the verification (\`compliant\`, \`reduced\`, \`new-member\`, \`debt-settled\`). ${FIELDS}`,
  tags: ['verification'],
  security: SECURITY,
  request: {
    params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) }),
    query: z.object({ biennium: Biennium }),
  },
  responses: {
    200: PDF,
    400: problemEntry('`invalid-query`: `biennium` is not a biennium (its first, odd year)'),
    401: problemEntry('No or unknown API key'),
    403: problemEntry('This key may not do that'),
    404: problemEntry(
      '`member-not-found` (unknown, or not of this CPO’s province), `verification-not-found` (the province’s February verification of the biennium has not run, or does not hold the member)',
    ),
    409: problemEntry('`not-compliant`: the member’s status in the verification (`status`) is not in order'),
  },
});

const memberRoute = createRoute({
  method: 'get',
  path: '/m/{token}/certificato/{biennium}',
  summary: 'The member’s compliance certificate (PDF) of a biennium, through the dashboard link',
  description: `No API key: the dashboard link's token is in the path. Member-facing: failures are Italian HTML pages. ${FIELDS}`,
  tags: ['verification'],
  request: { params: z.object({ token: z.string(), biennium: z.string() }) },
  responses: {
    200: PDF,
    404: html('Invalid link, or no verification of the biennium holds the member'),
    409: html('The member is not in order with the biennium'),
    410: html('The link expired'),
  },
});

/**
 * The compliance certificate routes.
 *
 * @example app.route('/', certificateRoutes(deps)) // before memberDashboardRoutes
 */
export function certificateRoutes(deps: Deps) {
  const app = router();
  app.openAPIRegistry.registerPath(apiRoute);
  app.openAPIRegistry.registerPath(memberRoute);
  const origin = (c: Context) => (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');

  app.get('/v1/members/:id/compliance-certificate', requireRole(deps.resolveKey, 'cpo', 'cn', 'admin'), async (c) => {
    const id = PathUuid.safeParse(c.req.param('id'));
    if (!id.success) throw new ServiceError('member-not-found');
    const biennium = Biennium.safeParse(c.req.query('biennium'));
    if (!biennium.success) throw new ServiceError('invalid-query', 'biennium: the first, odd year of a biennium (R-CAL-1), e.g. 2025');
    return pdfResponse(c, await complianceCertificateOf(deps, c.get('principal'), { memberId: id.data, biennium: biennium.data }), origin(c));
  });

  // The member's door: Italian pages, never cached or indexed (personal data).
  const member = router();
  member.onError(memberDoorErrors(deps, 'il certificato'));
  member.use('/m/:token/certificato/*', privateResponse);
  member.get('/m/:token/certificato/:biennium', async (c) => {
    const token = c.req.param('token');
    const back = `/m/${encodeURIComponent(token)}`;
    const who = await dashboardMember(deps, c, token);
    if ('page' in who) return who.page;
    const year = Number(c.req.param('biennium'));
    const r = isBiennium(year) ? await memberComplianceCertificate(deps, who.memberId, year) : ({ kind: 'no-verification' } as const);
    if (r.kind === 'ok') return pdfResponse(c, r, origin(c));
    if (r.kind === 'not-compliant') {
      return c.html(
        messagePage({
          title: 'Certificato non disponibile',
          text: `${NOT_COMPLIANT_LABELS[r.status] ?? NOT_COMPLIANT_LABELS.short} Il certificato si rilascia a chi risulta in regola con l’obbligo formativo del biennio.`,
          back,
        }),
        409,
      );
    }
    return c.html(
      messagePage({
        title: 'Certificato non disponibile',
        text: 'Il Consiglio provinciale non ha ancora verificato l’obbligo formativo di questo biennio per la sua posizione: il certificato sarà disponibile dopo la verifica.',
        back,
      }),
      404,
    );
  });
  app.route('/', member);
  return app;
}

async function pdfResponse(c: Context, d: ComplianceDocument, origin: string) {
  const { pdf, fileName } = await compliancePdf(d, origin);
  return c.body(new Uint8Array(pdf), 200, {
    'Content-Type': 'application/pdf',
    'Content-Disposition': `attachment; filename="${fileName}"`,
    'Content-Length': String(pdf.length),
    'Cache-Control': 'no-store',
  });
}

/** The certificate's PDF and download name, for the console's door. */
export async function compliancePdf(d: ComplianceDocument, origin: string): Promise<{ pdf: Buffer; fileName: string }> {
  const pdf = await complianceCertificatePdf(d.certificate, {
    code: d.document.code,
    url: verificationUrl(origin, d.document.code),
    factsDigest: d.document.factsDigest,
  });
  return { pdf, fileName: d.certificate.pdf.fileName };
}
