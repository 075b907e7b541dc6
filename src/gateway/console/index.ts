/**
 * @module The staff console (issue 14): one Hono app under `/console` (and `/`, which leads
 * there), server-rendered Italian pages. Every form is checked against cross-site requests
 * (Hono's `csrf`: the browser's `Origin` or `Sec-Fetch-Site` must be this gateway's), bodies are
 * small, pages are never cached, and the session is resolved before any route.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import type { Deps } from '../deps.ts';
import { accountRoutes } from './account-routes.ts';
import { attendanceRoutes } from './attendance-routes.ts';
import { councilRoutes } from './council-routes.ts';
import { memberRoutes } from './member-routes.ts';
import { nationalRoutes } from './national-routes.ts';
import { grantRoutes } from './grant-routes.ts';
import { verificationRoutes } from './verification-routes.ts';
import { referralRoutes } from './referral-routes.ts';
import { policyRoutes } from './policy-routes.ts';
import { reductionRoutes } from './reduction-routes.ts';
import { requestRoutes } from './request-routes.ts';
import { eventsRoutes } from './events-routes.ts';
import { CONSOLE_FORM_MAX_BYTES } from './forms.ts';
import { passkeyRoutes } from './passkey-routes.ts';
import { oidcRoutes } from './oidc-routes.ts';
import { loadSession, type ConsoleEnv } from './session.ts';
import { signinRoutes } from './signin-routes.ts';
import { staffRoutes } from './staff-routes.ts';
import { isConsoleUpload } from './uploads.ts';

export function consoleRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const publicOrigin = deps.config.PUBLIC_URL ? new URL(deps.config.PUBLIC_URL).origin : null;
  const formLimit = bodyLimit({ maxSize: CONSOLE_FORM_MAX_BYTES, onError: (c) => c.text('Modulo troppo grande.', 413) });
  // `/console/*` matches `/console` itself too.
  for (const path of ['/', '/console/*']) {
    app.use(
      path,
      csrf({ origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin }),
      // Forms that carry a file have their own limit (UPLOAD_MAX_BYTES, SCORM_MAX_BYTES), applied while the body streams.
      (c, next) => (isConsoleUpload(c.req.method, c.req.path) ? next() : formLimit(c, next)),
      async (c, next) => {
        await next();
        c.header('Cache-Control', 'no-store');
      },
      loadSession(deps),
    );
  }
  app.route('/', signinRoutes(deps));
  app.route('/', oidcRoutes(deps));
  app.route('/', accountRoutes(deps));
  app.route('/', passkeyRoutes(deps));
  app.route('/', staffRoutes(deps));
  app.route('/', councilRoutes(deps));
  app.route('/', memberRoutes(deps));
  app.route('/', requestRoutes(deps));
  app.route('/', reductionRoutes(deps));
  app.route('/', policyRoutes(deps));
  app.route('/', grantRoutes(deps));
  app.route('/', verificationRoutes(deps));
  app.route('/', nationalRoutes(deps));
  app.route('/', referralRoutes(deps));
  app.route('/', eventsRoutes(deps));
  app.route('/', attendanceRoutes(deps));
  return app;
}
