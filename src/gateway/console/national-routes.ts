/**
 * @module The CN's national console (issue 15), through the API's operations:
 *
 *   GET /console/nazionale              every CPO's verification of a biennium and the events it organised (`provinceAggregates`, R-VER-7)
 *   GET /console/nazionale/esporta.csv  the same table as CSV (csv-stringify)
 *   GET /console/enti                   every organiser with its events and rating (`organiserSummaries`, R-QST-9)
 *   GET /console/enti/{id}              one organiser's rating event by event (`organiserRating`)
 *
 * The CN and admins read them; a CPO reads its own province on *Verifica*.
 */
import { stringify } from 'csv-stringify/sync';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { currentBiennium } from '../../domain/calendar.ts';
import { sumAggregates } from '../../domain/verification.ts';
import { debtsInWords, modesInWords, nationalPage } from '../../pages/console/national-pages.tsx';
import { organiserNotFoundPage, organiserPage, organisersPage } from '../../pages/console/organiser-pages.tsx';
import { provinceName } from '../../pages/console/controls.tsx';
import { ServiceError } from '../../services/errors.ts';
import { provinceAggregates } from '../../services/council/verification.ts';
import { organiserRating, organiserSummaries } from '../../services/questionnaire/reads.ts';
import { getOrganiser } from '../../services/registry/organisers.ts';
import type { Deps } from '../deps.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';

const Biennio = z.coerce
  .number()
  .int()
  .min(2001)
  .max(2999)
  .refine((y) => y % 2 === 1);

export function nationalRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const national = requirePerson(['cn', 'admin']);

  /** The biennium asked for, else the last one over (the one being verified). */
  const bienniumOf = (c: Context<ConsoleEnv>) => {
    const q = Biennio.safeParse(c.req.query('biennio'));
    return q.success ? q.data : currentBiennium(deps.now()) - 2;
  };

  const load = async (c: Context<ConsoleEnv>) => {
    const biennium = bienniumOf(c);
    const { provinces } = await provinceAggregates(deps, actorOf(c), { biennium });
    const ran = provinces.flatMap((p) => (p.aggregates ? [p.aggregates] : []));
    return { biennium, provinces, totals: sumAggregates(ran), late: provinces.length - ran.length };
  };

  app.get('/console/nazionale', national, async (c) => c.html(nationalPage(c.get('staff')!.user, await load(c))));

  app.get('/console/nazionale/esporta.csv', national, async (c) => {
    const v = await load(c);
    const csv = stringify(
      v.provinces.map((p) => [
        p.province,
        provinceName(p.province),
        p.februaryVersion ?? '',
        p.juneVersion ?? '',
        p.february?.createdAt ?? '',
        p.aggregates?.members ?? p.registered,
        p.aggregates?.subject ?? '',
        p.aggregates?.inOrder ?? '',
        p.aggregates ? p.aggregates.inOrderPct.toLocaleString('it-IT') : '',
        p.aggregates?.reductions ?? '',
        p.aggregates ? debtsInWords(p.aggregates.debts) : '',
        p.events.organised.total,
        modesInWords(p.events.organised.byMode),
        p.events.accredited,
      ]),
      {
        delimiter: ';',
        bom: true,
        header: true,
        columns: [
          'Sigla',
          'Consiglio provinciale',
          'Versione febbraio',
          'Versione giugno',
          'Eseguita il',
          'Iscritti',
          'Soggetti all’obbligo',
          'In regola',
          'In regola (%)',
          'Riduzioni',
          'Debiti',
          'Eventi organizzati',
          'Per modalità',
          'Eventi accreditati',
        ],
      },
    );
    return c.body(csv, 200, {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="quadro-nazionale_${v.biennium}-${v.biennium + 1}.csv"`,
    });
  });

  app.get('/console/enti', national, async (c) =>
    c.html(organisersPage(c.get('staff')!.user, { organisers: await organiserSummaries(deps, actorOf(c)), belowOnly: c.req.query('soglia') === 'sotto' })),
  );

  app.get('/console/enti/:id', national, async (c) => {
    const id = c.req.param('id');
    try {
      if (!z.uuid().safeParse(id).success) throw new ServiceError('organiser-not-found');
      const actor = actorOf(c);
      const [organiser, rating] = await Promise.all([getOrganiser(deps, actor, id), organiserRating(deps, actor, id)]);
      return c.html(organiserPage(c.get('staff')!.user, { organiser, rating }));
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'organiser-not-found') return c.html(organiserNotFoundPage(c.get('staff')!.user), 404);
      throw err;
    }
  });

  return app;
}
