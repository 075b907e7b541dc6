/**
 * @module The province's policy in the council's console (issue 15, first part), through the
 * API's operations (R-POL-1, R-POL-2):
 *
 *   GET  /console/regole     the profile in force, its parameters, its history (`getPolicy`, `policyHistory`); the CN picks the province
 *   POST /console/regole     a CPO picks a profile with a reason (`setPolicy`), recorded as the officer
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { policyPage, type PolicyView } from '../../pages/console/policy-pages.tsx';
import { getPolicy, policyHistory, setPolicy } from '../../services/council/policy.ts';
import { ServiceError } from '../../services/errors.ts';
import { namesOfActors } from '../../services/staff/accounts.ts';
import type { Deps } from '../deps.ts';
import { readForm } from './forms.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';

const PolicyForm = z.object({ profile: z.enum(['national', 'RC', 'BA']), reason: z.string().trim().min(1).max(2000) });

export function policyRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();

  const render = async (c: Context<ConsoleEnv>, extra: Pick<PolicyView, 'notice' | 'problems'> = {}, status: 200 | 422 = 200) => {
    const actor = actorOf(c);
    const asked = (c.req.query('provincia') ?? 'MI').toUpperCase();
    const province = actor.role === 'cpo' ? actor.subject! : /^[A-Z]{2}$/.test(asked) ? asked : 'MI';
    const [current, history] = await Promise.all([getPolicy(deps, actor, { province }), policyHistory(deps, actor, { province })]);
    const names = await namesOfActors(
      deps,
      history.map((h) => h.changedBy),
    );
    return c.html(
      policyPage(c.get('staff')!.user, {
        province,
        current,
        history: history.map((h) => ({ ...h, by: h.changedBy ? (names.get(h.changedBy) ?? 'chiave API') : '—' })),
        choosesProvince: actor.role !== 'cpo',
        ...extra,
      }),
      status,
    );
  };

  app.get('/console/regole', requirePerson(['cpo', 'cn']), (c) => render(c, { notice: c.req.query('esito') === 'cambiato' ? 'Profilo applicato.' : null }));

  app.post('/console/regole', requirePerson(['cpo']), async (c) => {
    const form = await readForm(c, PolicyForm);
    if (!form.ok) return render(c, { problems: [{ code: 'invalid-form', text: 'Scelga il profilo e indichi il motivo.' }] }, 422);
    try {
      await setPolicy(deps, actorOf(c), { province: actorOf(c).subject!, profile: form.data.profile, overrides: {}, reason: form.data.reason });
      return c.redirect('/console/regole?esito=cambiato', 303);
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      return render(c, { problems: [{ code: err.code, text: 'Il profilo non è stato applicato.' }] }, 422);
    }
  });

  return app;
}
