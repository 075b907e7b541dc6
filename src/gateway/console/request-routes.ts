/**
 * @module Members' requests in the council's console (issue 15, first part), through the API's
 * operations with the officer as the actor (the decision records the person, R-ACC-7):
 *
 *   GET  /console/richieste                         art. 9 declarations and debt requests waiting (`listDeclarations`, `listDebtRequests`)
 *   GET  /console/richieste/art9/{id}/attestato     the declaration's attestation as filed (`declarationAttestation`)
 *   POST /console/richieste/art9/{id}               validate or reject (`decideDeclaration`, R-ART9-3)
 *   POST /console/richieste/debito/{id}             accept or reject (`decideDebtRequest`, R-DEBT-2)
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { BALANCE_STATUS_LABELS } from '../../pages/labels.ts';
import { requestsPage } from '../../pages/console/request-pages.tsx';
import type { FormProblem } from '../../pages/console/signin-pages.tsx';
import { Art9Decision, DebtDecision } from '../../schemas/balance.ts';
import { bienniumOf } from '../../domain/calendar.ts';
import { getMemberBalance } from '../../services/balance/balances.ts';
import { declarationAttestation, decideDebtRequest, decideDeclaration, listDebtRequests, listDeclarations } from '../../services/council/requests.ts';
import { ServiceError } from '../../services/errors.ts';
import { getMember } from '../../services/registry/members.ts';
import type { Actor } from '../../services/actor.ts';
import type { Deps } from '../deps.ts';
import { readForm } from './forms.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';

const ID = z.uuid();
const REFUSALS: Readonly<Record<string, string>> = {
  'already-decided': 'La richiesta è già stata decisa.',
  'declaration-not-found': 'Dichiarazione non trovata.',
  'debt-request-not-found': 'Richiesta non trovata.',
};

export function requestRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const councils = requirePerson(['cpo', 'cn']);

  /** The member's name and balance in words, for the row beside the request. */
  const who = async (actor: Actor, memberId: string, biennium: number) => {
    const m = await getMember(deps, actor, memberId);
    const b = await getMemberBalance(deps, actor, { id: memberId, biennium }).catch(() => null);
    const balance = b
      ? `${BALANCE_STATUS_LABELS[b.balance.status as keyof typeof BALANCE_STATUS_LABELS] ?? b.balance.status}: ${b.balance.counted.total} crediti di ${b.balance.obligation.total} (${b.balance.counted.deontology} di ${b.balance.obligation.deontology} di deontologia), biennio ${biennium}–${biennium + 1}`
      : '—';
    return { name: `${m.surname} ${m.givenName}`, codiceFiscale: m.codiceFiscale, balance };
  };

  const render = async (c: Context<ConsoleEnv>, extra: { notice?: string | null; problems?: FormProblem[] } = {}, status: 200 | 404 | 409 | 422 = 200) => {
    const actor = actorOf(c);
    const [art9, debts] = await Promise.all([
      listDeclarations(deps, actor, { status: 'submitted', limit: 200 }),
      listDebtRequests(deps, actor, { status: 'filed', limit: 200 }),
    ]);
    return c.html(
      requestsPage(c.get('staff')!.user, {
        art9: await Promise.all(art9.map(async (a) => ({ ...a, ...(await who(actor, a.memberId, bienniumOf(Number(a.activityDate.slice(0, 4))))) }))),
        debts: await Promise.all(debts.map(async (d) => ({ ...d, ...(await who(actor, d.memberId, d.biennium)) }))),
        ...extra,
      }),
      status,
    );
  };

  app.get('/console/richieste', councils, (c) =>
    render(c, { notice: c.req.query('esito') === 'deciso' ? 'Decisione registrata: la situazione dell’iscritto è aggiornata.' : null }),
  );

  app.get('/console/richieste/art9/:id/attestato', councils, async (c) => {
    const id = c.req.param('id');
    if (!ID.safeParse(id).success) return render(c, { problems: [{ code: 'declaration-not-found', text: REFUSALS['declaration-not-found']! }] }, 404);
    try {
      const doc = await declarationAttestation(deps, actorOf(c), id);
      c.header('Content-Type', doc.contentType);
      c.header('Content-Disposition', `attachment; filename="${doc.name.replace(/[^\w.-]+/g, '_')}"`);
      return c.body(new Uint8Array(doc.body));
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      return render(c, { problems: [{ code: err.code, text: REFUSALS[err.code] ?? 'Documento non trovato.' }] }, 404);
    }
  });

  const decide = <S extends typeof Art9Decision | typeof DebtDecision>(
    path: string,
    schema: S,
    run: (actor: Actor, id: string, d: z.infer<S>) => Promise<unknown>,
  ) =>
    app.post(path, councils, async (c) => {
      const id = c.req.param('id') ?? '';
      if (!ID.safeParse(id).success) return render(c, { problems: [{ code: 'not-found', text: 'Richiesta non trovata.' }] }, 404);
      // An empty reason field is no reason (the API's schema takes it absent, not empty).
      const form = await readForm(
        c,
        z.preprocess((v) => {
          const { reason, ...rest } = v as Record<string, string>;
          return reason?.trim() ? { ...rest, reason } : rest;
        }, schema),
      );
      if (!form.ok) return render(c, { problems: [{ code: 'invalid-form', text: 'Scelga la decisione; se respinge, indichi il motivo.' }] }, 422);
      try {
        await run(actorOf(c), id, form.data as z.infer<S>);
        return c.redirect('/console/richieste?esito=deciso', 303);
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        return render(c, { problems: [{ code: err.code, text: REFUSALS[err.code] ?? 'La decisione non è stata accettata.' }] }, err.status === 404 ? 404 : 409);
      }
    });
  decide('/console/richieste/art9/:id', Art9Decision, (actor, id, d) => decideDeclaration(deps, actor, { id, ...d }));
  decide('/console/richieste/debito/:id', DebtDecision, (actor, id, d) => decideDebtRequest(deps, actor, { id, ...d }));

  return app;
}
