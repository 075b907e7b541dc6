/**
 * @module A member's participation document as a PDF (art. 23 c.2), the same document from every
 * door: the R-ELN-6 attestation of a completed e-learning or podcast enrolment (issue 6 §5), and
 * for an event of any other mode its attendance certificate (issue 15, R-DOC-7):
 *
 *   GET /v1/events/{id}/enrolments/{memberId}/attestation   API key: the event's organiser, its accrediting CPO, cn, admin
 *   GET /m/{token}/attestato/{eventId}                       the member, through the dashboard link (purpose `dashboard`)
 *   GET /lms/attestation/{token}                             the player right after completion (launch token, purpose `scorm`; e-learning only)
 *
 * An attestation exists only once the enrolment's outcome is `credited` with its completion
 * instant (R-ELN-4), a certificate once the attendance is credited and its credits granted
 * (R-DOC-7); otherwise the API answers 409 `attestation-not-available` with the outcome's
 * reason, and the member pages say in Italian what is missing. Member doors never answer
 * problem+json, and an expired launch token sends the member to the dashboard, which keeps
 * working for 30 days.
 *
 * The member routes live under `/m/` next to the dashboard's: this router must be mounted before
 * `memberDashboardRoutes`, whose catch-all `GET /m/{token}/*` would otherwise redirect them.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { attendanceCertificatePdf } from '../../adapters/pdf/attendance-certificate-pdf.ts';
import { attestationPdf } from '../../adapters/pdf/attestation-pdf.ts';
import { verificationUrl } from '../domain/documents.ts';
import { messagePage } from '../pages/dashboard.tsx';
import { italianDateTime, withArticle } from '../pages/format.ts';
import { ATTENDANCE_CERTIFICATE_REASON_LABELS, ELEARNING_REASON_LABELS } from '../pages/labels.ts';
import { PathUuid, Problem } from '../schemas/common.ts';
import { AttestationParams } from '../schemas/elearning.ts';
import { memberParticipationDocument, participationDocument, type ParticipationDocument } from '../services/attendance/certificate.ts';
import { launchAttestation } from '../services/elearning/attestation.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { dashboardMember, memberDoorErrors, privateResponse } from './member-doors.ts';
import { ServiceError } from '../services/errors.ts';
import { router, SECURITY } from './router.ts';

/** A code without an entry (never expected) falls back to a generic sentence, never to the code. */
const NOT_AVAILABLE_DEFAULT = 'Il corso non risulta completato con il riconoscimento dei crediti.';
const NOT_CERTIFIED_DEFAULT = 'La presenza all’evento non risulta riconosciuta con l’attribuzione dei crediti.';

const problemEntry = (description: string) => ({ description, content: { 'application/problem+json': { schema: Problem } } });
const PDF_RESPONSE = {
  description:
    'The attestation, `Content-Disposition: attachment; filename="attestato-fad-<year>-<id>.pdf"` (an e-learning or podcast course) or `attestato-att-<year>-<id>.pdf` (any other event)',
  content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
};
const CERTIFICATE_TEXT =
  "For an event of any other mode (webinar, videoconference, in person, mixed) the attendance certificate (R-DOC-7): the place (the platform of a webinar, the venue province in person: how the member took part, R-FAD-1), the event's dates and times (Europe/Rome; each session of a structured path), its duration, the presence recognised (R-ATT-3), the organiser (with a kind-e authorisation number), the accrediting CPO and the accreditation reference, the subject (topics), the credits and their deontology share as the ledger recorded them, the training year, the member, a number stable for (event, member), the issue date (the day the credits last changed), the signature line and its verification: available once the outcome is `credited` and every credit record `granted` (a kind-e webinar's questionnaire passed).";
const FIELDS_TEXT =
  "An e-learning or podcast course's attestation states (art. 23 c.2) the place (the platform, for distance courses), the completion date (Europe/Rome), the duration (declared nominal duration, and the time credited), the organiser, the accrediting CPO, the subject (topics), the credits (with the deontology share), the member (name, codice fiscale, register number and province), a number stable for the enrolment, the issue date (the completion day: every download is the same document), the legal representative's signature line, and its verification (issue 15): the code, the QR code of `/verify/{code}`, the facts' SHA-256.";

const apiRoute = createRoute({
  method: 'get',
  path: '/v1/events/{id}/enrolments/{memberId}/attestation',
  summary: 'A member’s participation document (PDF): the R-ELN-6 attestation of an e-learning or podcast course, the attendance certificate of any other event',
  description: `Keys: the organiser of the event, the accrediting CPO, cn, admin. Only once the enrolment's (or the attendance's) outcome is \`credited\`. ${FIELDS_TEXT} ${CERTIFICATE_TEXT}`,
  tags: ['e-learning'],
  security: SECURITY,
  request: {
    params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }), memberId: z.uuid().openapi({ param: { name: 'memberId', in: 'path' } }) }),
  },
  responses: {
    200: PDF_RESPONSE,
    401: problemEntry('No or unknown API key'),
    403: problemEntry('This key may not do that'),
    404: problemEntry(
      '`event-not-found` (unknown, or not visible to this key), `enrolment-not-found` (a course the member is not enrolled in), `participant-not-found` (an event the member neither registered to nor attended)',
    ),
    409: problemEntry(
      '`attestation-not-available`: the outcome is not credited, or its credits are not granted; `reason`, `outcomeStatus` and `rule` say why (`not-derived` before the first derivation; `questionnaire-required`, R-QST-1, and `questionnaire-failed` / `questionnaire-expired`, R-QST-8, for a kind-e webinar)',
    ),
  },
});

const launchRoute = createRoute({
  method: 'get',
  path: '/lms/attestation/{token}',
  summary: 'The attestation (PDF) of the enrolment of a launch token, for the player page after completion',
  description: `No API key: the launch token (\`POST /v1/events/{id}/enrolments/{memberId}/launch\`) is in the path. Member-facing: failures are Italian HTML pages (404 unknown token or enrolment, 409 not completed yet, 410 token expired: the member downloads it from the dashboard instead). ${FIELDS_TEXT}`,
  tags: ['e-learning'],
  request: { params: z.object({ token: z.string() }) },
  responses: {
    200: PDF_RESPONSE,
    404: { description: 'Italian page: invalid link or unknown enrolment', content: { 'text/html': { schema: z.string() } } },
    409: { description: 'Italian page: the course is not completed and credited yet', content: { 'text/html': { schema: z.string() } } },
    410: { description: 'Italian page: the launch token expired; use the dashboard', content: { 'text/html': { schema: z.string() } } },
  },
});

/**
 * The attestation routes.
 *
 * @example app.route('/', attestationRoutes(deps)) // before memberDashboardRoutes
 */
export function attestationRoutes(deps: Deps) {
  const app = router();
  app.openAPIRegistry.registerPath(apiRoute);
  app.openAPIRegistry.registerPath(launchRoute);
  const auth = requireRole(deps.resolveKey, 'organiser', 'cpo', 'cn', 'admin');

  // API: problem+json errors through the app's handler (ServiceError).
  app.get('/v1/events/:id/enrolments/:memberId/attestation', auth, async (c) => {
    const params = AttestationParams.safeParse(c.req.param());
    if (!params.success) {
      if (params.error.issues.some((i) => i.path[0] === 'id')) throw new ServiceError('event-not-found');
      throw new ServiceError('enrolment-not-found', 'The member is not enrolled in this course');
    }
    const { id, memberId } = params.data;
    return pdfResponse(c, await participationDocument(deps, c.get('principal'), id, memberId, hostOf(c)), originOf(c));
  });

  // Member doors: Italian pages, never cached or indexed (personal data).
  const member = router();
  member.onError(memberDoorErrors(deps, 'l’attestato'));
  member.use('/m/:token/attestato/*', privateResponse);
  member.use('/lms/attestation/*', privateResponse);

  member.get('/m/:token/attestato/:eventId', async (c) => {
    const token = c.req.param('token');
    const back = `/m/${encodeURIComponent(token)}`;
    const who = await dashboardMember(deps, c, token);
    if ('page' in who) return who.page;
    const eventId = PathUuid.safeParse(c.req.param('eventId'));
    const r = await memberParticipationDocument(deps, who.memberId, eventId.success ? eventId.data : null, hostOf(c));
    if (r.kind === 'ok') return pdfResponse(c, r.document, originOf(c));
    if (r.kind === 'not-available') return c.html(r.elearning ? notAvailablePage(r.reason, back) : notCertifiedPage(r.reason, back), 409);
    return c.html(
      messagePage({ title: 'Attestato non trovato', text: 'Non risulta una sua partecipazione a un evento o a un corso con questo indirizzo.', back }),
      404,
    );
  });

  member.get('/lms/attestation/:token', async (c) => {
    const check = await deps.links.verify('scorm', c.req.param('token'), deps.now());
    if (!check.ok && check.reason === 'expired') {
      return c.html(
        messagePage({
          title: 'Link del corso scaduto',
          text: `Il link del corso è scaduto ${withArticle('il', italianDateTime(check.expiresAt))}. L’attestato resta disponibile nella sua pagina della formazione continua: lo scarichi da lì, con il link personale ricevuto dal suo Consiglio provinciale dell’Ordine.`,
          back: null,
        }),
        410,
      );
    }
    const enrolmentId = check.ok ? PathUuid.safeParse(check.subject) : null;
    const r = enrolmentId?.success ? await launchAttestation(deps, enrolmentId.data, hostOf(c)) : null;
    if (!r)
      return c.html(
        messagePage({
          title: 'Link non valido',
          text: 'Il link non corrisponde a nessuna iscrizione a un corso. Scarichi l’attestato dalla sua pagina della formazione continua.',
          back: null,
        }),
        404,
      );
    if (r.kind === 'ok') return pdfResponse(c, { kind: 'elearning-attestation', attestation: r }, originOf(c));
    if (r.kind === 'not-available') return c.html(notAvailablePage(r.reason, null), 409);
    return c.html(
      messagePage({ title: 'Attestato non disponibile', text: 'Questo corso non prevede un attestato di formazione a distanza.', back: null }),
      404,
    );
  });

  app.route('/', member);
  return app;

  /** The platform's host as the attestation names it: PUBLIC_URL's, else the request's. */
  function hostOf(c: Context): string {
    try {
      return new URL(deps.config.PUBLIC_URL ?? c.req.url).host;
    } catch {
      return new URL(c.req.url).host;
    }
  }

  /** Where the verification page is: PUBLIC_URL, else the request's origin. */
  function originOf(c: Context): string {
    return (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');
  }
}

/**
 * The PDF of a participation document with its verification (the code, the QR code of
 * `<origin>/verify/{code}`, the facts' digest) and its download name; the console draws it too.
 */
export async function participationPdf(d: ParticipationDocument, origin: string): Promise<{ pdf: Buffer; fileName: string }> {
  const { document } = d.kind === 'elearning-attestation' ? d.attestation : d.certificate;
  const v = { code: document.code, url: verificationUrl(origin, document.code), factsDigest: document.factsDigest };
  if (d.kind === 'elearning-attestation') return { pdf: await attestationPdf(d.attestation.attestation, v), fileName: d.attestation.attestation.pdf.fileName };
  return { pdf: await attendanceCertificatePdf(d.certificate.certificate, v), fileName: d.certificate.certificate.pdf.fileName };
}

async function pdfResponse(c: Context, d: ParticipationDocument, origin: string) {
  const { pdf, fileName } = await participationPdf(d, origin);
  return c.body(new Uint8Array(pdf), 200, {
    'Content-Type': 'application/pdf',
    'Content-Disposition': `attachment; filename="${fileName}"`,
    'Content-Length': String(pdf.length),
    'Cache-Control': 'no-store',
  });
}

function notCertifiedPage(reason: string, back: string | null) {
  return messagePage({
    title: 'Attestato non ancora disponibile',
    text: `${ATTENDANCE_CERTIFICATE_REASON_LABELS[reason] ?? NOT_CERTIFIED_DEFAULT} L’attestato si può scaricare quando la presenza all’evento è riconosciuta e i crediti attribuiti.`,
    back,
  });
}

function notAvailablePage(reason: string, back: string | null) {
  return messagePage({
    title: 'Attestato non ancora disponibile',
    text: `${ELEARNING_REASON_LABELS[reason as keyof typeof ELEARNING_REASON_LABELS] ?? NOT_AVAILABLE_DEFAULT} L’attestato si può scaricare quando il corso è completato, la verifica finale superata e i crediti riconosciuti.`,
    back,
  });
}
