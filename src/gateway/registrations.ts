/**
 * @module Registrations over HTTP (`src/services/registry/registrations.ts`): register members to
 * an event (R-EVT-4, R-ATT-7) and list its registrations.
 */
import { createRoute } from '@hono/zod-openapi';
import { RegistrationBatch, RegistrationList, RegistrationResult } from '../schemas/registrations.ts';
import { listRegistrations, registerMembers } from '../services/registry/registrations.ts';
import type { Deps } from './deps.ts';
import { IdParam, json, jsonBody, problems, routeMiddleware, TAGS } from './registry-routes.ts';
import { router, SECURITY } from './router.ts';

const routes = {
  register: createRoute({
    method: 'post',
    path: '/v1/events/{id}/registrations',
    summary: 'Register members to an event (R-EVT-4, R-ATT-7)',
    description:
      "Key: the owner organiser or its platform key. Up to 5,000 rows, each naming the member by `memberId` or `codiceFiscale`, with the platform's registrant id and/or e-mail used to match participants. Idempotent: registering a member again updates the registrant id/e-mail given. Rejected rows: `member-not-found`, `invalid-codice-fiscale`, `duplicate-in-batch`, `registrant-id-taken`, `email-taken`. Webinar rows outside the audience (R-EVT-4) are registered and listed in `outsideAudience`: they will get no credit (R-ATT-8).",
    tags: TAGS.events,
    security: SECURITY,
    request: { params: IdParam, body: jsonBody(RegistrationBatch) },
    responses: { 200: { description: 'Registration summary', ...json(RegistrationResult) }, ...problems(400, 401, 403, 404, 409, 413) },
  }),
  listRegistrations: createRoute({
    method: 'get',
    path: '/v1/events/{id}/registrations',
    summary: 'List the registrations of an event',
    description: 'Keys: as for reading the event.',
    tags: TAGS.events,
    security: SECURITY,
    request: { params: IdParam },
    responses: { 200: { description: 'Registrations', ...json(RegistrationList) }, ...problems(400, 401, 403, 404) },
  }),
};

/**
 * The registration routes, mounted by `createApp`.
 *
 * @example
 * app.route('/', registrationRoutes(deps))
 */
export function registrationRoutes(deps: Deps) {
  const app = router();
  const { auth, limit, with_ } = routeMiddleware(deps);

  app.openapi(with_(routes.register, auth('organiser', 'platform'), limit), async (c) => {
    return c.json(await registerMembers(deps, c.get('principal'), c.req.valid('param').id, c.req.valid('json').registrations), 200);
  });

  app.openapi(with_(routes.listRegistrations, auth('organiser', 'platform', 'cpo', 'cn', 'admin')), async (c) => {
    return c.json(await listRegistrations(deps, c.get('principal'), c.req.valid('param').id), 200);
  });

  return app;
}
