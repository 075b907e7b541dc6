/**
 * @module The council's console (issue 15, first part), through the API's operations with the
 * signed-in officer as the actor (R-ACC-7):
 *
 *   GET  /console/accreditamenti         the requests waiting for a decision (`accreditationQueue`, R-EVT-3)
 *   POST /console/accreditamenti/{id}    approve or reject with the deliberation's reference (`decideAccreditation`)
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { accreditationQueuePage } from '../../pages/console/council-pages.tsx';
import type { FormProblem } from '../../pages/console/signin-pages.tsx';
import { AccreditationDecision } from '../../schemas/events.ts';
import { ServiceError } from '../../services/errors.ts';
import { accreditationQueue, decideAccreditation } from '../../services/registry/events.ts';
import { getOrganiser } from '../../services/registry/organisers.ts';
import type { Deps } from '../deps.ts';
import { readForm } from './forms.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';

const EVENT_ID = z.uuid();

/** What a refused decision says. */
const DECISION_REFUSALS: Readonly<Record<string, string>> = {
  'accreditation-already-decided': 'La richiesta è già stata decisa.',
  'accreditation-deadline-passed': 'Il termine di 10 giorni è scaduto: l’evento è accreditato per silenzio-assenso.',
  'question-pool-incomplete': 'Il questionario dell’evento non ha ancora le sue 30 domande: non può essere accreditato.',
  'event-not-found': 'Richiesta non trovata.',
};

export function councilRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const councils = requirePerson(['cpo', 'cn']);

  const queue = async (c: Context<ConsoleEnv>, extra: { notice?: string | null; problems?: FormProblem[] } = {}, status: 200 | 404 | 409 | 422 = 200) => {
    const actor = actorOf(c);
    const events = await accreditationQueue(deps, actor);
    const names = new Map<string, string>();
    for (const id of new Set(events.map((e) => e.organiserId))) names.set(id, (await getOrganiser(deps, actor, id).catch(() => null))?.name ?? '—');
    return c.html(
      accreditationQueuePage(c.get('staff')!.user, {
        events: events.map((e) => ({ ...e, organiserName: names.get(e.organiserId) ?? '—' })),
        now: deps.now(),
        ...extra,
      }),
      status,
    );
  };

  app.get('/console/accreditamenti', councils, (c) =>
    queue(c, { notice: c.req.query('esito') === 'deciso' ? 'Decisione registrata: l’ente la vede nella sua pagina dell’evento.' : null }),
  );

  app.post('/console/accreditamenti/:id', councils, async (c) => {
    const id = c.req.param('id');
    if (!EVENT_ID.safeParse(id).success) return queue(c, { problems: [{ code: 'event-not-found', text: DECISION_REFUSALS['event-not-found']! }] }, 404);
    const form = await readForm(c, AccreditationDecision);
    if (!form.ok) return queue(c, { problems: [{ code: 'invalid-form', text: 'Scelga la decisione e indichi il riferimento della delibera.' }] }, 422);
    try {
      await decideAccreditation(deps, actorOf(c), id, form.data);
      return c.redirect('/console/accreditamenti?esito=deciso', 303);
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      return queue(
        c,
        { problems: [{ code: err.code, text: DECISION_REFUSALS[err.code] ?? 'La decisione non è stata accettata.' }] },
        err.status === 404 ? 404 : 409,
      );
    }
  });

  return app;
}
