/**
 * @module Distance-learning grants in the council's console (issue 15, first part), through the
 * API's operations (R-FAD-3, R-FAD-4) with the officer as the actor:
 *
 *   GET  /console/deroghe                      the grants (`listGrants`), the CN's open alerts (`listAlerts`)
 *   POST /console/deroghe                      a new grant (`createGrant`): members by codice fiscale
 *   POST /console/deroghe/{id}/revoca          revoke with a reason (`revokeGrant`)
 *   POST /console/deroghe/avvisi/{id}          the CN marks an alert as seen (`acknowledge`)
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { GRANT_GROUNDS } from '../../domain/grants.ts';
import { grantsPage, type GrantsView } from '../../pages/console/grant-pages.tsx';
import { GrantCreate } from '../../schemas/balance.ts';
import { acknowledge, createGrant, listAlerts, listGrants, revokeGrant } from '../../services/council/grants.ts';
import { ServiceError } from '../../services/errors.ts';
import { findMember } from '../../services/registry/members.ts';
import { namesOfActors } from '../../services/staff/accounts.ts';
import type { Deps } from '../deps.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';

const ID = z.uuid();
const REFUSALS: Readonly<Record<string, string>> = {
  'invalid-grant': 'La deroga non rispetta le regole (R-FAD-3): controlli motivo, quota, iscritti, parere del CN e date.',
  'member-not-in-province': 'Uno o più iscritti non appartengono alla provincia.',
  'member-not-found': 'Un codice fiscale non corrisponde a un iscritto della provincia.',
  'invalid-codice-fiscale': 'Un codice fiscale non è valido.',
  'grant-not-found': 'Deroga non trovata.',
  'grant-revoked': 'La deroga è già revocata.',
  forbidden: 'Il Suo ruolo non consente questa operazione.',
};

export function grantRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const councils = requirePerson(['cpo', 'cn']);

  const render = async (c: Context<ConsoleEnv>, extra: Pick<GrantsView, 'values' | 'notice' | 'problems'> = {}, status: 200 | 404 | 409 | 422 = 200) => {
    const actor = actorOf(c);
    const grants = await listGrants(deps, actor, { limit: 500 });
    const names = await namesOfActors(
      deps,
      grants.map((g) => g.grantedBy),
    );
    const alerts = actor.role === 'cn' ? await listAlerts(deps, actor, { open: true, after: 0, limit: 200 }) : null;
    return c.html(
      grantsPage(c.get('staff')!.user, {
        grants: grants.map((g) => ({ ...g, by: names.get(g.grantedBy) ?? (g.grantedBy.startsWith('cn:') ? 'Consiglio Nazionale' : 'chiave API') })),
        alerts,
        ...extra,
      }),
      status,
    );
  };
  const refused = (c: Context<ConsoleEnv>, err: unknown, values?: Record<string, string>) => {
    if (!(err instanceof ServiceError)) throw err;
    return render(
      c,
      { problems: [{ code: err.code, text: REFUSALS[err.code] ?? 'La richiesta non è stata accettata.' }], ...(values ? { values } : {}) },
      err.status === 404 ? 404 : err.status === 409 ? 409 : 422,
    );
  };

  app.get('/console/deroghe', councils, (c) =>
    render(c, {
      notice: { concessa: 'Deroga concessa.', revocata: 'Deroga revocata.', visto: 'Avviso segnato come visto.' }[c.req.query('esito') ?? ''] ?? null,
    }),
  );

  app.post('/console/deroghe', councils, async (c) => {
    const f = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
    const values = Object.fromEntries(Object.entries(f).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    const ground = values.ground as keyof typeof GRANT_GROUNDS;
    const scope = GRANT_GROUNDS[ground]?.scopes[0];
    try {
      const cfs = (values.cf ?? '').split(/\s+/).filter(Boolean);
      const memberIds: string[] = [];
      for (const cf of cfs) memberIds.push((await findMember(deps, actorOf(c), cf)).id);
      const input = GrantCreate.safeParse({
        scope,
        ground,
        pct: Number(values.pct),
        ...(memberIds.length ? { memberIds } : {}),
        ...(values.province?.trim() ? { province: values.province.trim().toUpperCase() } : {}),
        deliberation: values.deliberation,
        ...(values.cnOpinion?.trim() ? { cnOpinion: values.cnOpinion } : {}),
        validFrom: values.validFrom,
        validUntil: values.validUntil,
      });
      if (!input.success) return render(c, { problems: [{ code: 'invalid-form', text: REFUSALS['invalid-grant']! }], values }, 422);
      await createGrant(deps, actorOf(c), input.data);
      return c.redirect('/console/deroghe?esito=concessa', 303);
    } catch (err) {
      return refused(c, err, values);
    }
  });

  app.post('/console/deroghe/:id/revoca', councils, async (c) => {
    const id = c.req.param('id');
    const f = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
    const reason = typeof f.reason === 'string' ? f.reason.trim() : '';
    if (!ID.safeParse(id).success) return render(c, { problems: [{ code: 'grant-not-found', text: REFUSALS['grant-not-found']! }] }, 404);
    if (!reason) return render(c, { problems: [{ code: 'invalid-form', text: 'Indichi il motivo della revoca.' }] }, 422);
    try {
      await revokeGrant(deps, actorOf(c), { id, reason });
      return c.redirect('/console/deroghe?esito=revocata', 303);
    } catch (err) {
      return refused(c, err);
    }
  });

  app.post('/console/deroghe/avvisi/:id', requirePerson(['cn']), async (c) => {
    const id = Number(c.req.param('id'));
    if (!Number.isSafeInteger(id) || id <= 0) return render(c, { problems: [{ code: 'alert-not-found', text: 'Avviso non trovato.' }] }, 404);
    try {
      await acknowledge(deps, actorOf(c), { id });
      return c.redirect('/console/deroghe?esito=visto', 303);
    } catch (err) {
      return refused(c, err);
    }
  });

  return app;
}
