/**
 * @module The verification after the biennium in the council's console (issue 15), through the
 * API's operations (R-VER-1 … R-VER-7), the run recorded as the officer:
 *
 *   GET  /console/verifiche              a phase's latest version, its aggregates and rows a page at a time (`readNamedVerification`)
 *   POST /console/verifiche              run the phase (`runVerification`): a new version only when something changed
 *   GET  /console/verifiche/esporta.csv   every row of the version, streamed page by page (`verificationRows`, csv-stringify)
 */
import { stringify } from 'csv-stringify';
import { Hono, type Context } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { currentBiennium } from '../../domain/calendar.ts';
import { VERIFICATION_STATUS_LABELS, verificationPage, type VerificationView } from '../../pages/console/verification-pages.tsx';
import { readNamedVerification, runVerification, verificationRows } from '../../services/council/verification.ts';
import { ServiceError } from '../../services/errors.ts';
import type { Deps } from '../deps.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';

const Query = z.object({
  provincia: z
    .string()
    .regex(/^[A-Za-z]{2}$/)
    .transform((s) => s.toUpperCase())
    .optional(),
  biennio: z.coerce.number().int().min(2001).max(2999).optional(),
  fase: z.enum(['february', 'june']).optional(),
  dopo: z.uuid().optional(),
});

export function verificationRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const councils = requirePerson(['cpo', 'cn']);

  const params = (c: Context<ConsoleEnv>) => {
    const actor = actorOf(c);
    const q = Query.safeParse(c.req.query());
    const query = q.success ? q.data : {};
    const last = currentBiennium(deps.now()) - 2;
    return {
      province: actor.role === 'cpo' ? actor.subject! : (query.provincia ?? 'MI'),
      biennium: query.biennio && query.biennio % 2 === 1 ? query.biennio : last,
      phase: query.fase ?? ('february' as const),
      after: query.dopo,
    };
  };

  const render = async (c: Context<ConsoleEnv>, extra: Pick<VerificationView, 'notice' | 'problems'> = {}, status: 200 | 409 | 422 = 200) => {
    const actor = actorOf(c);
    const p = params(c);
    let snapshot: VerificationView['snapshot'] = null;
    let rows: VerificationView['rows'] = [];
    let next: string | null = null;
    try {
      const r = await readNamedVerification(deps, actor, {
        province: p.province,
        biennium: p.biennium,
        phase: p.phase,
        limit: 200,
        ...(p.after ? { after: p.after } : {}),
      });
      ({ snapshot, rows, next } = r);
    } catch (err) {
      if (!(err instanceof ServiceError) || err.code !== 'verification-not-found') throw err;
    }
    return c.html(verificationPage(c.get('staff')!.user, { ...p, snapshot, rows, next, choosesProvince: actor.role !== 'cpo', ...extra }), status);
  };

  app.get('/console/verifiche', councils, (c) => render(c));

  app.post('/console/verifiche', councils, async (c) => {
    const p = params(c);
    try {
      const r = await runVerification(deps, actorOf(c), { province: p.province, biennium: p.biennium, phase: p.phase });
      const notice = r.changed
        ? `Nuova versione ${r.snapshot.version}${r.previousVersion ? `: ${r.diff.length} iscritti cambiati dalla versione ${r.previousVersion}` : ''}.`
        : `Nulla è cambiato dalla versione ${r.snapshot.version}: nessuna nuova versione.`;
      return render(c, { notice });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      const text =
        err.code === 'verification-too-early'
          ? 'Questa fase non si può ancora eseguire: la verifica di febbraio dal 1° gennaio dopo il biennio, quella di giugno dopo il 30 giugno.'
          : 'La verifica non è stata eseguita.';
      return render(c, { problems: [{ code: err.code, text }] }, 409);
    }
  });

  app.get('/console/verifiche/esporta.csv', councils, async (c) => {
    const p = params(c);
    const actor = actorOf(c);
    c.header('Content-Type', 'text/csv; charset=utf-8');
    c.header(
      'Content-Disposition',
      `attachment; filename="verifica_${p.province}_${p.biennium}-${p.biennium + 1}_${p.phase === 'june' ? 'giugno' : 'febbraio'}.csv"`,
    );
    return stream(c, async (out) => {
      const csv = stringify({
        delimiter: ';',
        bom: true,
        header: true,
        columns: ['Codice fiscale', 'Cognome', 'Nome', 'Situazione', 'Crediti', 'Di cui deontologia', 'Obbligo', 'Mancano', 'Mancano di deontologia'],
      });
      const done = new Promise<void>((resolve, reject) => {
        csv.on('data', (chunk: Buffer) => void out.write(chunk));
        csv.on('end', resolve);
        csv.on('error', reject);
      });
      try {
        for await (const page of verificationRows(deps, actor, { province: p.province, biennium: p.biennium, phase: p.phase })) {
          for (const r of page)
            csv.write([
              r.codiceFiscale,
              r.surname,
              r.givenName,
              VERIFICATION_STATUS_LABELS[r.status],
              r.credits.total,
              r.credits.deontology,
              r.obligation.total,
              r.missing.total,
              r.missing.deontology,
            ]);
        }
      } catch (err) {
        // A phase never run (or not the actor's province) exports the header alone.
        if (!(err instanceof ServiceError)) throw err;
      }
      csv.end();
      await done;
    });
  });

  return app;
}
