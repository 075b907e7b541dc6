/**
 * @module Referrals to the discipline council in the council's console (issue 15, R-VER-8,
 * R-VER-9), under the verification's pages, through the API's operations with the officer as the
 * actor (every step records the person):
 *
 *   GET  /console/verifiche/deferimenti                    the list of a biennium, a page at a time (`listReferrals`)
 *   POST /console/verifiche/deferimenti                    prepare it from the versions shown (`prepareReferrals`), CPO
 *   GET  /console/verifiche/deferimenti/lettere.zip         every letter not withdrawn, or those to send (`referralLettersZip`)
 *   GET  /console/verifiche/deferimenti/{id}               one referral, its history and the forms its state allows (`getReferral`)
 *   GET  /console/verifiche/deferimenti/{id}/lettera.pdf   its letter (`referralLetterDocument`)
 *   POST /console/verifiche/deferimenti/{id}/invio         mark it sent (`moveReferral`), CPO
 *   POST /console/verifiche/deferimenti/{id}/risposta      record the reply (`moveReferral`), CPO
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { currentBiennium, romeDate } from '../../domain/calendar.ts';
import { REFERRAL_STATES, type ReferralState } from '../../domain/referrals.ts';
import { REFERRALS_PATH, referralPage, referralsPage } from '../../pages/console/referral-pages.tsx';
import type { FormProblem } from '../../pages/console/signin-pages.tsx';
import { ReferralTransition } from '../../schemas/referrals.ts';
import { getReferral, listReferrals, moveReferral, prepareReferrals, referralLetterDocument, referralLettersZip } from '../../services/council/referrals.ts';
import { ServiceError } from '../../services/errors.ts';
import { namesOfActors } from '../../services/staff/accounts.ts';
import type { Deps } from '../deps.ts';
import { ProvinciaQuery, readForm } from './forms.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';

const Query = z.object({
  provincia: ProvinciaQuery,
  biennio: z.coerce.number().int().min(2001).max(2999).optional(),
  stato: z.enum(REFERRAL_STATES).optional(),
  dopo: z.coerce.number().int().min(0).optional(),
});
const ID = z.uuid();
const Versions = z.object({ februaryVersion: z.coerce.number().int().min(1), juneVersion: z.coerce.number().int().min(1).optional() });

/** The operations' refusals in the words of the pages. */
const REFUSALS: Readonly<Record<string, string>> = {
  'referrals-too-early': 'L’elenco si prepara dopo il 28 febbraio successivo al biennio, quando le richieste di recupero del debito sono chiuse.',
  'verification-not-found': 'Esegua prima la verifica di febbraio del biennio.',
  'referral-basis-outdated': 'L’elenco si basa già su una versione più recente della verifica: ricarichi la pagina.',
  'referral-list-outdated': 'La verifica ha una versione più recente di quella su cui si basa l’elenco: prepari di nuovo l’elenco, poi segni l’invio.',
  'referral-invalid-transition': 'La segnalazione non è più in uno stato che consente questo passaggio.',
  'invalid-referral-date': 'La data non può precedere la lettera (o l’invio) né essere successiva a oggi.',
  'referral-withdrawn': 'La segnalazione è stata ritirata: la sua lettera non si rilascia più.',
  'referral-not-found': 'Segnalazione non trovata.',
  'invalid-form': 'Controlli i campi indicati.',
};
const refusal = (code: string, field?: string): FormProblem => ({
  code,
  text: REFUSALS[code] ?? 'L’operazione non è stata eseguita.',
  ...(field ? { field } : {}),
});

/** What a field of the step forms needs, when the form's schema refuses it. */
const FIELD_TEXT: Readonly<Record<string, string>> = {
  on: 'Indichi la data.',
  summary: 'Scriva la sintesi della risposta (al massimo 4.000 caratteri).',
  protocolNumber: 'Il numero di protocollo ha al massimo 100 caratteri.',
  pecReference: 'Il riferimento della PEC ha al massimo 300 caratteri.',
};

/** Empty optional fields are absent for the API's schema. */
const withoutEmpty = (v: unknown) => Object.fromEntries(Object.entries(v as Record<string, string>).filter(([, x]) => x.trim() !== ''));

export function referralRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const readers = requirePerson(['cpo', 'cn']);
  const officers = requirePerson(['cpo']);
  const originOf = (c: Context) => (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');

  const params = (c: Context<ConsoleEnv>) => {
    const actor = actorOf(c);
    const q = Query.safeParse(c.req.query());
    const query = q.success ? q.data : {};
    return {
      province: actor.role === 'cpo' ? actor.subject! : (query.provincia ?? 'MI'),
      biennium: query.biennio && query.biennio % 2 === 1 ? query.biennio : currentBiennium(deps.now()) - 2,
      state: (query.stato ?? null) as ReferralState | null,
      after: query.dopo,
    };
  };

  const renderList = async (c: Context<ConsoleEnv>, extra: { notice?: string | null; problems?: FormProblem[] } = {}, status: 200 | 404 | 409 | 422 = 200) => {
    const p = params(c);
    const data = await listReferrals(deps, actorOf(c), {
      province: p.province,
      biennium: p.biennium,
      state: p.state ?? undefined,
      after: p.after,
      limit: 200,
    });
    const names = data.list ? await namesOfActors(deps, [data.list.preparedBy]) : new Map<string, string>();
    return c.html(
      referralsPage(c.get('staff')!.user, {
        data,
        state: p.state,
        choosesProvince: actorOf(c).role !== 'cpo',
        preparedBy: data.list ? (names.get(data.list.preparedBy) ?? 'chiave API') : null,
        open: deps.now() > Date.parse(data.opensAfter),
        ...extra,
      }),
      status,
    );
  };

  const renderOne = async (
    c: Context<ConsoleEnv>,
    id: string,
    extra: { notice?: string | null; problems?: FormProblem[]; values?: Record<string, string> } = {},
    status: 200 | 404 | 409 | 422 = 200,
  ) => {
    const referral = await getReferral(deps, actorOf(c), id);
    const names = await namesOfActors(deps, [...referral.history.map((h) => h.actor), referral.sent?.by ?? null, referral.answered?.by ?? null]);
    return c.html(referralPage(c.get('staff')!.user, { referral, names, today: romeDate(deps.now()), ...extra }), status);
  };

  app.get(REFERRALS_PATH, readers, (c) => renderList(c));

  app.post(REFERRALS_PATH, officers, async (c) => {
    const p = params(c);
    const form = await readForm(c, Versions);
    if (!form.ok) return renderList(c, { problems: [refusal('verification-not-found')] }, 422);
    try {
      const r = await prepareReferrals(deps, actorOf(c), { province: p.province, biennium: p.biennium, ...form.data });
      const s = r.summary;
      const notice = r.changed
        ? `Elenco preparato: ${s.created} nuove segnalazioni, ${s.refreshed} aggiornate, ${s.withdrawn} ritirate, ${s.noted} già inviate annotate.`
        : 'Nulla è cambiato dall’ultima preparazione: nessuna nuova segnalazione.';
      return renderList(c, { notice });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      return renderList(c, { problems: [refusal(err.code)] }, err.status === 422 ? 422 : 409);
    }
  });

  app.get(`${REFERRALS_PATH}/lettere.zip`, readers, async (c) => {
    const p = params(c);
    const { zip, fileName } = await referralLettersZip(deps, actorOf(c), {
      province: p.province,
      biennium: p.biennium,
      state: p.state ?? undefined,
      origin: originOf(c),
    });
    c.header('Content-Type', 'application/zip');
    c.header('Content-Disposition', `attachment; filename="${fileName}"`);
    return c.body(new Uint8Array(zip));
  });

  /** A referral of the path the person may see, else the same 404 page for unknown and foreign ones. */
  const withReferral =
    (handler: (c: Context<ConsoleEnv>, id: string) => Promise<Response>) =>
    async (c: Context<ConsoleEnv>): Promise<Response> => {
      const id = c.req.param('id') ?? '';
      try {
        if (!ID.safeParse(id).success) throw new ServiceError('referral-not-found');
        return await handler(c, id);
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code !== 'referral-not-found') throw err;
        return renderList(c, { problems: [refusal(err.code)] }, 404);
      }
    };

  app.get(
    `${REFERRALS_PATH}/:id`,
    readers,
    withReferral((c, id) => {
      const esito = c.req.query('esito');
      return renderOne(c, id, { notice: esito === 'inviata' ? 'Invio registrato.' : esito === 'risposta' ? 'Risposta registrata.' : null });
    }),
  );

  app.get(
    `${REFERRALS_PATH}/:id/lettera.pdf`,
    readers,
    withReferral(async (c, id) => {
      try {
        const { pdf, fileName } = await referralLetterDocument(deps, actorOf(c), { id, origin: originOf(c) });
        c.header('Content-Type', 'application/pdf');
        c.header('Content-Disposition', `attachment; filename="${fileName}"`);
        return c.body(new Uint8Array(pdf));
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code !== 'referral-withdrawn') throw err;
        return renderOne(c, id, { problems: [refusal(err.code)] }, 409);
      }
    }),
  );

  const step = (path: string, to: 'sent' | 'answered', esito: string) =>
    app.post(
      `${REFERRALS_PATH}/:id/${path}`,
      officers,
      withReferral(async (c, id) => {
        const form = await readForm(
          c,
          z.preprocess((v) => ({ ...withoutEmpty(v), to }), ReferralTransition),
        );
        if (!form.ok) {
          const problems = form.problems
            .filter((p) => p.field && FIELD_TEXT[p.field])
            .map((p) => ({ code: 'invalid-form', field: p.field!, text: FIELD_TEXT[p.field!]! }));
          return renderOne(c, id, { values: form.values, problems: problems.length ? problems : [refusal('invalid-form')] }, 422);
        }
        try {
          await moveReferral(deps, actorOf(c), { id, ...form.data });
          return c.redirect(`${REFERRALS_PATH}/${id}?esito=${esito}`, 303);
        } catch (err) {
          if (!(err instanceof ServiceError) || err.code === 'referral-not-found') throw err;
          const field = err.code === 'invalid-referral-date' ? 'on' : undefined;
          return renderOne(c, id, { values: form.values, problems: [refusal(err.code, field)] }, err.status === 422 ? 422 : 409);
        }
      }),
    );
  step('invio', 'sent', 'inviata');
  step('risposta', 'answered', 'risposta');

  return app;
}
