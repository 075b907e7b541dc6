/**
 * @module The organiser's Zoom connection in the console (issue 14):
 *
 *   GET  POST /console/piattaforme    the connections (platform, when); connect Zoom
 *
 * Connecting is `connectPlatform`, the API's operation, with the signed-in person as the actor.
 * The webhook URL and the secret are in the answer to the POST only (pages are never cached):
 * the list never shows them again.
 */
import { Hono, type Context } from 'hono';
import { platformsPage, type PlatformsView } from '../../pages/console/registration-pages.tsx';
import { ConnectionForm } from '../../schemas/console-events.ts';
import { connectPlatform, listConnections } from '../../services/registry/organisers.ts';
import type { Deps } from '../deps.ts';
import { problemsOfRefusal, worded } from './event-problems.ts';
import { readForm } from './forms.ts';
import { person } from './event-access.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';

export function platformRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const organiser = requirePerson(['organiser']);

  const render = async (c: Context<ConsoleEnv>, extra: Omit<PlatformsView, 'connections'> = {}, status: 200 | 404 | 422 = 200) => {
    const actor = actorOf(c);
    const connections = await listConnections(deps, actor, actor.subject ?? '');
    return c.html(platformsPage(person(c), { connections, ...extra }), status);
  };

  app.get('/console/piattaforme', organiser, (c) => render(c));

  app.post('/console/piattaforme', organiser, async (c) => {
    const form = await readForm(c, ConnectionForm);
    if (!form.ok) return render(c, { problems: form.problems.map(worded) }, 422);
    try {
      const actor = actorOf(c);
      const conn = await connectPlatform(deps, actor, actor.subject ?? '', {
        platform: 'zoom',
        secretToken: form.data.secretToken,
        origin: new URL(c.req.url).origin,
      });
      return render(c, { created: { webhookUrl: conn.webhookUrl, secretToken: form.data.secretToken } });
    } catch (err) {
      return render(c, { problems: problemsOfRefusal(err) }, 422);
    }
  });

  return app;
}
