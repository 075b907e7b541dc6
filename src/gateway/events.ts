/**
 * @module Events over HTTP (`src/services/registry/events.ts`): create (R-EVT-1) with its
 * accreditation requested or recorded (R-EVT-2, R-EVT-3), read, list, and the CPO's decision.
 */
import { createRoute } from '@hono/zod-openapi';
import { AccreditationDecision, Event, EventCreate, EventListQuery, EventPage } from '../schemas/events.ts';
import { createEvent, decideAccreditation, getEvent, listEvents, updateEvent } from '../services/registry/events.ts';
import type { Deps } from './deps.ts';
import { IdParam, json, jsonBody, problems, routeMiddleware, TAGS } from './registry-routes.ts';
import { router, SECURITY } from './router.ts';

const routes = {
  createEvent: createRoute({
    method: 'post',
    path: '/v1/events',
    summary: 'Create an event (R-EVT-1) and request or record its accreditation (R-EVT-2/3)',
    description:
      'Key: an organiser, for itself. Every rule violation is listed in `errors` of a 422 `invalid-event` problem. Kinds a, b, c self-accredit (approved at creation); kinds d and e request it from the CPO at least 20 days ahead, silence for 10 days meaning consent.',
    tags: TAGS.events,
    security: SECURITY,
    request: { body: jsonBody(EventCreate) },
    responses: { 201: { description: 'Created', ...json(Event) }, ...problems(400, 401, 403, 404, 409, 422) },
  }),
  getEvent: createRoute({
    method: 'get',
    path: '/v1/events/{id}',
    summary: 'Read an event',
    description: 'Keys: the owner organiser or its platform key, the accrediting CPO, cn, admin; anyone else gets 404 `event-not-found`.',
    tags: TAGS.events,
    security: SECURITY,
    request: { params: IdParam },
    responses: { 200: { description: 'The event', ...json(Event) }, ...problems(400, 401, 403, 404) },
  }),
  listEvents: createRoute({
    method: 'get',
    path: '/v1/events',
    summary: 'List the events visible to the key, by start',
    description: 'Organiser/platform keys: their own; cpo: those it accredits; cn/admin: all. Pages of `limit` (≤ 200); pass `next` as `after`.',
    tags: TAGS.events,
    security: SECURITY,
    request: { query: EventListQuery },
    responses: { 200: { description: 'A page of events', ...json(EventPage) }, ...problems(400, 401, 403) },
  }),
  updateEvent: createRoute({
    method: 'put',
    path: '/v1/events/{id}',
    summary: 'Change an event until it starts and while the CPO has not decided on it (R-CHG-1)',
    description:
      'Key: the organiser of the event. The whole event as for creation (without `questions`: the pool has its own route), checked by the same rules as of the original request; the accrediting CPO cannot change. Codes: `event-not-editable` (started, decided, approved by silence, another CPO, a mode that adds or removes the questionnaire), `invalid-event`, `platform-meeting-exists`.',
    tags: TAGS.events,
    security: SECURITY,
    request: { params: IdParam, body: jsonBody(EventCreate) },
    responses: { 200: { description: 'The changed event', ...json(Event) }, ...problems(400, 401, 403, 404, 409, 422) },
  }),
  decideAccreditation: createRoute({
    method: 'post',
    path: '/v1/events/{id}/accreditation',
    summary: 'Approve or reject a requested accreditation (R-EVT-3)',
    description:
      'Keys: the accrediting CPO, or cn. Only requested accreditations within the 10 days (R-CAL-3) can be decided: after that silence has approved them (`accreditation-deadline-passed`). Repeating the same decision is idempotent.',
    tags: TAGS.events,
    security: SECURITY,
    request: { params: IdParam, body: jsonBody(AccreditationDecision) },
    responses: { 200: { description: 'The event with its decision', ...json(Event) }, ...problems(400, 401, 403, 404, 409) },
  }),
};

/**
 * The event routes, mounted by `createApp`.
 *
 * @example
 * app.route('/', eventRoutes(deps))
 */
export function eventRoutes(deps: Deps) {
  const app = router();
  const { auth, limit, with_ } = routeMiddleware(deps);

  app.openapi(with_(routes.createEvent, auth('organiser'), limit), async (c) => {
    return c.json(await createEvent(deps, c.get('principal'), c.req.valid('json')), 201);
  });

  app.openapi(with_(routes.getEvent, auth('organiser', 'platform', 'cpo', 'cn', 'admin')), async (c) => {
    return c.json(await getEvent(deps, c.get('principal'), c.req.valid('param').id), 200);
  });

  app.openapi(with_(routes.listEvents, auth('organiser', 'platform', 'cpo', 'cn', 'admin')), async (c) => {
    return c.json(await listEvents(deps, c.get('principal'), c.req.valid('query')), 200);
  });

  app.openapi(with_(routes.updateEvent, auth('organiser'), limit), async (c) => {
    return c.json(await updateEvent(deps, c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200);
  });

  app.openapi(with_(routes.decideAccreditation, auth('cpo', 'cn'), limit), async (c) => {
    return c.json(await decideAccreditation(deps, c.get('principal'), c.req.valid('param').id, c.req.valid('json')), 200);
  });

  return app;
}
