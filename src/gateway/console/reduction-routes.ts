/**
 * @module Reduction requests in the council's console (issue 15, first part), the R-RED-7 steps
 * through the API's operations with the officer as the actor:
 *
 *   GET  /console/riduzioni                          the open requests (`listReductionRequests`)
 *   GET  /console/riduzioni/{id}/documenti/{doc}     a document the member attached (`reductionDocument`)
 *   POST /console/riduzioni/{id}/protocollo          protocol number and officer (`acknowledgeReduction`)
 *   POST /console/riduzioni/{id}/preavviso           pre-denial with its reasons (`preDenyReduction`)
 *   POST /console/riduzioni/{id}/decisione           approve with the calculated amount, or deny with reasons (`decideReduction`)
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { reductionsPage } from '../../pages/console/reduction-pages.tsx';
import type { FormProblem } from '../../pages/console/signin-pages.tsx';
import { BALANCE_STATUS_LABELS } from '../../pages/labels.ts';
import { ReductionAcknowledge, ReductionDecision, ReductionPreDenial } from '../../schemas/balance.ts';
import type { Actor } from '../../services/actor.ts';
import { getMemberBalance } from '../../services/balance/balances.ts';
import { acknowledgeReduction, decideReduction, listReductionRequests, preDenyReduction, reductionDocument } from '../../services/council/reductions.ts';
import { ServiceError } from '../../services/errors.ts';
import { getMember } from '../../services/registry/members.ts';
import type { Deps } from '../deps.ts';
import { readForm } from './forms.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';

const ID = z.uuid();
const OPEN = new Set(['filed', 'acknowledged', 'pre-denied', 'integrated']);
const REFUSALS: Readonly<Record<string, string>> = {
  'invalid-transition': 'Il passaggio non è possibile nello stato attuale della richiesta (R-RED-7).',
  'protocol-number-taken': 'Questo numero di protocollo è già usato nella provincia.',
  'reduction-not-found': 'Richiesta non trovata.',
  'document-not-found': 'Documento non trovato.',
};

export function reductionRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const councils = requirePerson(['cpo', 'cn']);

  const render = async (c: Context<ConsoleEnv>, extra: { notice?: string | null; problems?: FormProblem[] } = {}, status: 200 | 404 | 409 | 422 = 200) => {
    const actor = actorOf(c);
    const rows = (await listReductionRequests(deps, actor, { limit: 500 })).filter((r) => OPEN.has(r.status));
    const requests = await Promise.all(
      rows.map(async (r) => {
        const m = await getMember(deps, actor, r.memberId);
        const b = await getMemberBalance(deps, actor, { id: r.memberId, biennium: r.biennium }).catch(() => null);
        const balance = b
          ? `${BALANCE_STATUS_LABELS[b.balance.status as keyof typeof BALANCE_STATUS_LABELS] ?? b.balance.status}: ${b.balance.counted.total} crediti di ${b.balance.obligation.total}`
          : '—';
        return { ...r, name: `${m.surname} ${m.givenName}`, codiceFiscale: m.codiceFiscale, balance };
      }),
    );
    return c.html(reductionsPage(c.get('staff')!.user, { requests, ...extra }), status);
  };

  app.get('/console/riduzioni', councils, (c) => render(c, { notice: c.req.query('esito') === 'fatto' ? 'Passaggio registrato.' : null }));

  app.get('/console/riduzioni/:id/documenti/:doc', councils, async (c) => {
    const { id, doc } = c.req.param();
    if (!ID.safeParse(id).success || !ID.safeParse(doc).success)
      return render(c, { problems: [{ code: 'document-not-found', text: REFUSALS['document-not-found']! }] }, 404);
    try {
      const d = await reductionDocument(deps, actorOf(c), { id, doc });
      c.header('Content-Type', d.contentType);
      c.header('Content-Disposition', `attachment; filename="${d.name.replace(/[^\w.-]+/g, '_')}"`);
      return c.body(new Uint8Array(d.body));
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      return render(c, { problems: [{ code: err.code, text: REFUSALS[err.code] ?? 'Documento non trovato.' }] }, 404);
    }
  });

  const act = <S extends z.ZodType>(step: string, schema: S, run: (actor: Actor, id: string, input: z.infer<S>) => Promise<unknown>, missing: string) =>
    app.post(`/console/riduzioni/:id/${step}`, councils, async (c) => {
      const id = c.req.param('id') ?? '';
      if (!ID.safeParse(id).success) return render(c, { problems: [{ code: 'reduction-not-found', text: REFUSALS['reduction-not-found']! }] }, 404);
      // Empty optional fields are absent, as the API's schemas take them.
      const form = await readForm(
        c,
        z.preprocess((v) => Object.fromEntries(Object.entries(v as Record<string, string>).filter(([, x]) => x.trim() !== '')), schema),
      );
      if (!form.ok) return render(c, { problems: [{ code: 'invalid-form', text: missing }] }, 422);
      try {
        await run(actorOf(c), id, form.data as z.infer<S>);
        return c.redirect('/console/riduzioni?esito=fatto', 303);
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        return render(c, { problems: [{ code: err.code, text: REFUSALS[err.code] ?? 'Il passaggio non è stato accettato.' }] }, err.status === 404 ? 404 : 409);
      }
    });
  act(
    'protocollo',
    ReductionAcknowledge,
    (actor, id, d) => acknowledgeReduction(deps, actor, { id, ...d }),
    'Indichi il numero di protocollo e il responsabile del procedimento.',
  );
  act('preavviso', ReductionPreDenial, (actor, id, d) => preDenyReduction(deps, actor, { id, ...d }), 'Indichi i motivi del preavviso di rigetto.');
  act('decisione', ReductionDecision, (actor, id, d) => decideReduction(deps, actor, { id, ...d }), 'Scelga la decisione; se respinge, indichi i motivi.');

  return app;
}
