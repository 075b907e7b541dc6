/**
 * @module The verification after the biennium in the council's console (issue 15), through the
 * API's operations (R-VER-1 … R-VER-7, R-VER-10 … R-VER-13), every act recorded as the officer:
 *
 *   GET  /console/verifiche                    a phase's latest version, its aggregates and rows a page at a time (`readNamedVerification`), the person's recent jobs
 *   POST /console/verifiche                    run the phase: in the request up to VERIFICATION_SYNC_MAX_MEMBERS members (`runVerification`), else a job (`requestVerificationRun`) and its page
 *   GET  /console/verifiche/esporta.csv|.xlsx  a version's list streamed as it is written (`verificationExport`, the API's export)
 *   POST /console/verifiche/esportazioni       prepare a large version's list as a job (`requestVerificationExport`), field `formato`
 *   GET  /console/verifiche/lavori/:id         the job's progress, reloaded by the browser every few seconds, then its result (R-VER-11)
 *   GET  /console/verifiche/lavori/:id/file    an export job's file, for the person who asked only, until it expires (R-VER-12)
 */
import { PassThrough, pipeline } from 'node:stream';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { currentBiennium } from '../../domain/calendar.ts';
import { jobPage, verificationPage, type VerificationView } from '../../pages/console/verification-pages.tsx';
import { EXPORT_FORMATS, verificationExport, type ExportFormat } from '../../services/council/verification-export.ts';
import {
  exportExpired,
  exportGoesToBackground,
  recentVerificationJobs,
  requestVerificationExport,
  requestVerificationRun,
  runGoesToBackground,
  verificationJob,
  verificationJobFile,
} from '../../services/council/verification-jobs.ts';
import { readNamedVerification, runVerification } from '../../services/council/verification.ts';
import { ServiceError } from '../../services/errors.ts';
import { webStream } from '../attendance-files.ts';
import type { Deps } from '../deps.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';
import { ProvinciaQuery } from './forms.ts';

/** Seconds between the progress page's reloads. */
export const PROGRESS_REFRESH_SECONDS = 3;

const Query = z.object({
  provincia: ProvinciaQuery,
  biennio: z.coerce.number().int().min(2001).max(2999).optional(),
  fase: z.enum(['february', 'june']).optional(),
  versione: z.coerce.number().int().min(1).optional(),
  dopo: z.uuid().optional(),
});
const JobId = z.uuid();

const TOO_EARLY = 'Questa fase non si può ancora eseguire: la verifica di febbraio dal 1° gennaio dopo il biennio, quella di giugno dopo il 30 giugno.';

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
      version: query.versione,
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
    const jobs = await recentVerificationJobs(deps, actor, { province: p.province, biennium: p.biennium, phase: p.phase });
    return c.html(
      verificationPage(c.get('staff')!.user, {
        province: p.province,
        biennium: p.biennium,
        phase: p.phase,
        snapshot,
        rows,
        next,
        choosesProvince: actor.role !== 'cpo',
        exportInBackground: snapshot ? exportGoesToBackground(deps, snapshot) : false,
        jobs,
        ...extra,
      }),
      status,
    );
  };

  const refusal = (c: Context<ConsoleEnv>, err: unknown) => {
    if (!(err instanceof ServiceError)) throw err;
    const text = err.code === 'verification-too-early' ? TOO_EARLY : 'La verifica non è stata eseguita.';
    return render(c, { problems: [{ code: err.code, text }] }, 409);
  };

  app.get('/console/verifiche', councils, (c) => render(c));

  app.post('/console/verifiche', councils, async (c) => {
    const p = params(c);
    const actor = actorOf(c);
    const input = { province: p.province, biennium: p.biennium, phase: p.phase };
    try {
      // R-VER-11: a large province runs as a job; the person follows it on its page.
      if (await runGoesToBackground(deps, actor, input)) {
        const { job } = await requestVerificationRun(deps, actor, input);
        return c.redirect(`/console/verifiche/lavori/${job.id}`, 303);
      }
      const r = await runVerification(deps, actor, input);
      const notice = r.changed
        ? `Nuova versione ${r.snapshot.version}${r.previousVersion ? `: ${r.diff.length} iscritti cambiati dalla versione ${r.previousVersion}` : ''}.`
        : `Nulla è cambiato dalla versione ${r.snapshot.version}: nessuna nuova versione.`;
      return render(c, { notice });
    } catch (err) {
      return refusal(c, err);
    }
  });

  for (const format of EXPORT_FORMATS) {
    app.get(`/console/verifiche/esporta.${format}`, councils, async (c) => {
      const p = params(c);
      try {
        const file = await verificationExport(deps, actorOf(c), {
          province: p.province,
          biennium: p.biennium,
          phase: p.phase,
          format,
          ...(p.version ? { version: p.version } : {}),
        });
        return c.body(webStream(file.out), 200, { 'content-type': file.contentType, 'content-disposition': `attachment; filename="${file.filename}"` });
      } catch (err) {
        if (err instanceof ServiceError && err.code === 'verification-not-found') return c.text('La verifica di questa fase non è ancora stata eseguita.', 404);
        throw err;
      }
    });
  }

  app.post('/console/verifiche/esportazioni', councils, async (c) => {
    const p = params(c);
    const form = await c.req.parseBody();
    const format = (EXPORT_FORMATS as readonly string[]).includes(String(form.formato)) ? (String(form.formato) as ExportFormat) : 'xlsx';
    try {
      const { job } = await requestVerificationExport(deps, actorOf(c), {
        province: p.province,
        biennium: p.biennium,
        phase: p.phase,
        format,
        ...(p.version ? { version: p.version } : {}),
      });
      return c.redirect(`/console/verifiche/lavori/${job.id}`, 303);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'verification-not-found')
        return render(c, { problems: [{ code: err.code, text: 'La versione da esportare non esiste: esegua prima la verifica.' }] }, 409);
      return refusal(c, err);
    }
  });

  const job = async (c: Context<ConsoleEnv>) => {
    const id = JobId.safeParse(c.req.param('id'));
    if (!id.success) return null;
    try {
      return await verificationJob(deps, actorOf(c), id.data);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'verification-job-not-found') return null;
      throw err;
    }
  };
  const NOT_FOUND = 'Questa richiesta non esiste o non è Sua.';

  app.get('/console/verifiche/lavori/:id', councils, async (c) => {
    const j = await job(c);
    if (!j) return c.text(NOT_FOUND, 404);
    return c.html(
      jobPage(c.get('staff')!.user, {
        job: j,
        expired: j.kind === 'export' && exportExpired(j, deps.now()),
        refresh: PROGRESS_REFRESH_SECONDS,
        maxAttempts: deps.config.VERIFICATION_JOB_ATTEMPTS,
      }),
    );
  });

  app.get('/console/verifiche/lavori/:id/file', councils, async (c) => {
    const id = JobId.safeParse(c.req.param('id'));
    if (!id.success) return c.text(NOT_FOUND, 404);
    try {
      const file = await verificationJobFile(deps, actorOf(c), id.data);
      const out = new PassThrough();
      pipeline(file.body, out, () => {});
      return c.body(webStream(out), 200, {
        'content-type': file.contentType,
        'content-length': String(file.bytes),
        'content-disposition': `attachment; filename="${file.filename}"`,
      });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      if (err.code === 'verification-export-expired') return c.redirect(`/console/verifiche/lavori/${id.data}`, 303);
      if (err.code === 'verification-export-not-ready') return c.redirect(`/console/verifiche/lavori/${id.data}`, 303);
      return c.text(NOT_FOUND, 404);
    }
  });

  return app;
}
