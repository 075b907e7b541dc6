/**
 * @module An event's registrations in the console (issue 14), for organiser staff:
 *
 *   GET  POST /console/eventi/{id}/iscrizioni    who is registered; import a CSV or .xlsx file with its row report
 *   GET  /console/eventi/{id}/iscrizioni/modello.csv   the blank template
 *
 * The import is `importRegistrations`, which registers through `registerMembers` (the API's
 * operation) with the signed-in person as the actor.
 */
import { Hono, type Context } from 'hono';
import { registrationsPage } from '../../pages/console/registration-pages.tsx';
import type { FormProblem } from '../../pages/console/signin-pages.tsx';
import type { Event } from '../../schemas/events.ts';
import { ServiceError } from '../../services/errors.ts';
import { importRegistrations, registrationTemplateCsv, type RegistrationImportResult } from '../../services/registry/registration-import.ts';
import { listRegistrations } from '../../services/registry/registrations.ts';
import type { Deps } from '../deps.ts';
import { problemsOfRefusal, worded } from './event-problems.ts';
import { csvDownload, eventNotFound, eventOf, person } from './event-access.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';
import { formFile, uploadLimit } from './uploads.ts';

export function registrationRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const organiser = requirePerson(['organiser']);

  const render = async (
    c: Context<ConsoleEnv>,
    e: Event,
    extra: { report?: RegistrationImportResult; problems?: FormProblem[] } = {},
    status: 200 | 409 | 413 | 415 | 422 = 200,
  ) => {
    const { items } = await listRegistrations(deps, actorOf(c), e.id);
    return c.html(registrationsPage(person(c), { event: e, items, ...extra }), status);
  };

  app.get('/console/eventi/:id/iscrizioni', organiser, async (c) => {
    const e = await eventOf(deps, c);
    return e ? render(c, e) : eventNotFound(c);
  });

  app.get('/console/eventi/:id/iscrizioni/modello.csv', organiser, async (c) => {
    const e = await eventOf(deps, c);
    return e ? csvDownload(c, 'modello-iscrizioni.csv', registrationTemplateCsv()) : eventNotFound(c);
  });

  app.post('/console/eventi/:id/iscrizioni', organiser, uploadLimit(deps), async (c) => {
    const e = await eventOf(deps, c);
    if (!e) return eventNotFound(c);
    const file = await formFile(c, 'file');
    if (!file) return render(c, e, { problems: [worded({ code: 'file-missing', field: 'file' })] }, 422);
    try {
      const report = await importRegistrations(deps, actorOf(c), e.id, file);
      return render(c, e, { report });
    } catch (err) {
      const status = err instanceof ServiceError && [409, 413, 415].includes(err.status) ? (err.status as 409 | 413 | 415) : 422;
      return render(c, e, { problems: problemsOfRefusal(err, { fileField: 'file' }) }, status);
    }
  });

  return app;
}
