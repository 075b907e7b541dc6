/**
 * @module The gateway: one Hono app, one router per audience, problem+json errors, OpenAPI.
 */
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Deps } from './deps.ts';
import { docsRoutes } from './docs.ts';
import { keyRoutes } from './keys.ts';
import { platformReportRoutes } from './platform-reports.ts';
import { ingestRoutes } from './ingest.ts';
import { problem, problemOf } from './problem.ts';
import { ServiceError } from '../services/errors.ts';
import { health } from '../services/health.ts';
import { readRoutes } from './read.ts';
import { organiserRoutes } from './organisers.ts';
import { memberRoutes } from './members.ts';
import { eventRoutes } from './events.ts';
import { registrationRoutes } from './registrations.ts';
import { router } from './router.ts';
import { attendanceAdminRoutes } from './attendance-admin.ts';
import { attendanceUploadRoutes } from './attendance-upload.ts';
import { attendanceFileRoutes } from './attendance-files.ts';
import { questionnaireAdminRoutes } from './questionnaire-admin.ts';
import { questionnaireMemberRoutes } from './questionnaire-member.ts';
import { zoomRoutes } from './zoom.ts';
import { isUnavailable } from './unavailable.ts';
import { balanceRoutes } from './balance.ts';
import { grantRoutes } from './grants.ts';
import { policyRoutes } from './policy.ts';
import { verificationRoutes } from './verification.ts';
import { referralRoutes } from './referrals.ts';
import { councilRequestRoutes } from './council-requests.ts';
import { reductionAdminRoutes } from './reductions-admin.ts';
import { memberDashboardRoutes } from './member-dashboard.ts';
import { elearningRoutes } from './elearning.ts';
import { scormCommitRoutes } from './scorm-commit.ts';
import { attestationRoutes } from './attestation.ts';
import { certificateRoutes } from './certificates.ts';
import { documentRoutes } from './documents.ts';
import { scormPlayerRoutes } from './scorm-player.ts';
import { cmi5LaunchRoutes } from './cmi5-lrs.ts';
import { consoleRoutes } from './console/index.ts';

/** The gateway's Content-Security-Policy (R-ISO-4): styles may be inline (the layout's one sheet), nothing else is. */
export const GATEWAY_CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  frameSrc: ["'none'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
};

export function createApp(deps: Deps) {
  const app = router();
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'API key: `Authorization: Bearer cdl_<role>_…`',
  });
  // R-ISO-4: a strict policy on every page of the gateway's origin (framed by no one, its own
  // scripts only); a route that needs more sets its own header, which is kept (the player's frame).
  app.use('*', secureHeaders({ overwrite: false, xFrameOptions: 'DENY', contentSecurityPolicy: GATEWAY_CSP }));
  app.get('/healthz', async (c) => {
    const h = await health(deps);
    return c.json(h, h.ok ? 200 : 503);
  });
  app.route('/', ingestRoutes(deps));
  app.route('/', zoomRoutes(deps));
  app.route('/', organiserRoutes(deps));
  app.route('/', memberRoutes(deps));
  app.route('/', eventRoutes(deps));
  app.route('/', registrationRoutes(deps));
  app.route('/', keyRoutes(deps));
  app.route('/', attendanceAdminRoutes(deps));
  app.route('/', attendanceUploadRoutes(deps));
  app.route('/', platformReportRoutes(deps));
  app.route('/', readRoutes(deps));
  app.route('/', attendanceFileRoutes(deps));
  app.route('/', questionnaireAdminRoutes(deps));
  app.route('/', questionnaireMemberRoutes(deps));
  app.route('/', balanceRoutes(deps));
  app.route('/', grantRoutes(deps));
  app.route('/', policyRoutes(deps));
  app.route('/', verificationRoutes(deps));
  app.route('/', referralRoutes(deps));
  app.route('/', councilRequestRoutes(deps));
  app.route('/', reductionAdminRoutes(deps));
  app.route('/', documentRoutes(deps));
  app.route('/', attestationRoutes(deps)); // before the dashboard: its GET /m/{token}/* catch-all would take /m/{token}/attestato/*
  app.route('/', certificateRoutes(deps)); // likewise: /m/{token}/certificato/*
  app.route('/', memberDashboardRoutes(deps));
  app.route('/', elearningRoutes(deps));
  app.route('/', scormCommitRoutes(deps));
  app.route('/', scormPlayerRoutes(deps));
  app.route('/', cmi5LaunchRoutes(deps));
  app.route('/', consoleRoutes(deps));
  app.route('/', docsRoutes(app));

  app.notFound((c) => problem(c, 'not-found', `No route for ${c.req.method} ${c.req.path}`));
  app.onError((err, c) => {
    if (err instanceof ServiceError) {
      if (err.status === 503) c.header('Retry-After', '5');
      return problemOf(c, err);
    }
    if (err instanceof HTTPException) {
      // Hono's JSON validator throws 400 on malformed JSON before zod sees the body.
      if (err.status === 400 && /json/i.test(err.message)) return problem(c, 'malformed-json', err.message);
      if (err.status === 413) return problem(c, 'body-too-large');
      return problem(c, 'invalid-body', err.message, undefined, err.status);
    }
    if (isUnavailable(err)) {
      deps.log.warn({ err: String(err) }, 'backing service unavailable');
      c.header('Retry-After', '5');
      return problem(c, 'service-unavailable');
    }
    deps.log.error({ err }, 'unhandled error');
    return problem(c, 'internal-error');
  });
  return app;
}
