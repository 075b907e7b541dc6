/**
 * @module An event's attendance in the provider's console (issue 14). Each handler parses,
 * authorises and answers; the acts are the API's own operations, with the signed-in person as
 * the actor (`actorOf`, R-ACC-7):
 *
 *   GET  /console/eventi/{id}/presenze                 outcomes (a page of 200, `?stato=` filter, `?dopo=` cursor), counts, incomplete,
 *                                                      unmatched, corrections with author and reason, audit trail (`outcomePage`,
 *                                                      `eventCorrections`, `auditTrail`)
 *   GET  /console/eventi/{id}/presenze/registro        the whole audit trail, 200 entries a page
 *   GET  /console/eventi/{id}/presenze.xlsx            the workbook (`?layout=intervals|participants`, `?blank=true`), streamed (`attendanceWorkbook`)
 *   POST /console/eventi/{id}/presenze/file            a filled attendance file, multipart field `file` (`storeAttendanceFile`), the row report
 *   POST /console/eventi/{id}/presenze/report          a platform report, multipart fields `format` and `file` (`storePlatformReport`)
 *   GET  /console/eventi/{id}/presenze/correzione      the correction form for `?membro=`
 *   POST /console/eventi/{id}/presenze/correzioni      a correction with its reason (`recordCorrections`, R-ATT-6)
 *   GET  POST /console/eventi/{id}/presenze/chiudi     closing the course, confirmed first (`closeEvent`, R-EVT-7)
 *   GET  /console/eventi/{id}/presenze/attestato/{memberId}  a participant's attendance certificate, PDF (`participationDocument`, R-DOC-7)
 *   GET  /console/risorse/console.js                   the console's script (upload progress, copy buttons)
 *
 * The questionnaire and course pages are `course-routes.ts`, mounted here. Upload routes are
 * outside the console's 32 KiB form limit (listed in `uploads.ts`): their limit is
 * `UPLOAD_MAX_BYTES` (`SCORM_MAX_BYTES` for packages), enforced by `readUpload` while the body streams.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { XLSX_CONTENT_TYPE, type AttendanceLayout } from '../../../adapters/xlsx/attendance-workbook.ts';
import { closingRefusal, organiserMayChange, toleranceChangeOpen } from '../../domain/attendance-changes.ts';
import { ToleranceChange } from '../../schemas/attendance.ts';
import { romeLocalToUtc } from '../../domain/calendar.ts';
import { reasonText, statusText } from '../../domain/outcome-texts.ts';
import { causeText, REPORT_ROW_REFUSALS, ROW_REFUSALS, attendanceRefusal, authorText, rowRefusal } from '../../pages/console/attendance-labels.ts';
import {
  attendancePage,
  auditPage,
  certificateRefusedPage,
  closeConfirmPage,
  correctionPage,
  OUTCOMES_PER_PAGE,
  SECTION_ROWS,
  uploadReportPage,
  type AuditItem,
  type OutcomeItem,
  type UploadReportView,
} from '../../pages/console/attendance-pages.tsx';
import { refusalProblem, type EventHead } from '../../pages/console/event-frame.tsx';
import type { FormProblem } from '../../pages/console/signin-pages.tsx';
import { CorrectionForm } from '../../schemas/console-attendance.ts';
import type { Actor } from '../../services/actor.ts';
import { changeableEvent, changeTolerance, closeEvent, recordCorrections } from '../../services/attendance/changes.ts';
import { attendanceWorkbook } from '../../services/attendance/export.ts';
import { isReportFormat, REPORT_FORMATS, storePlatformReport } from '../../services/attendance/platform-reports.ts';
import { participationDocument } from '../../services/attendance/certificate.ts';
import { auditTrail, eventCorrections, memberOutcome, outcomeMembers, outcomePage } from '../../services/attendance/read.ts';
import { storeAttendanceFile } from '../../services/attendance/uploads.ts';
import { ServiceError } from '../../services/errors.ts';
import { namesOfActors } from '../../services/staff/accounts.ts';
import { webStream } from '../attendance-files.ts';
import { participationPdf } from '../attestation.ts';
import type { Deps } from '../deps.ts';
import { clientAddr } from '../http.ts';
import { readUpload, uploadedFormat } from '../uploads.ts';
import { courseRoutes } from './course-routes.ts';
import { EVENT_PAGE_ROLES, forEvent, statusOf } from './event-scope.ts';
import type { OutcomeRow } from '../../domain/outcomes.ts';
import { readForm } from './forms.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';

const EVENT_ID = z.uuid();
const TOLERANCE_REFUSAL = 'Tolleranza non cambiata: indichi da 0 a 60 minuti e un motivo (almeno 3 caratteri), dal giorno successivo all’evento.';
const SCRIPT = readFileSync(fileURLToPath(new URL('../../pages/assets/console.js', import.meta.url)), 'utf8');
const FILTERS = ['credited', 'not-qualified', 'incomplete', 'unmatched', 'out-of-audience', 'identity-conflict', 'not-accredited'] as const;

function outcomeItem(o: OutcomeRow, names: ReadonlyMap<string, { surname: string; givenName: string; codiceFiscale: string }>): OutcomeItem {
  const ex = o.explanation as { reason?: string; identity?: { displayName?: string | null }; questionnaire?: { creditStatus?: string; code?: string | null } };
  const m = o.memberId ? names.get(o.memberId) : undefined;
  const q = ex.questionnaire;
  return {
    participantKey: o.participantKey,
    memberId: o.memberId,
    name: m ? `${m.surname} ${m.givenName}` : (ex.identity?.displayName ?? null),
    codiceFiscale: m?.codiceFiscale ?? null,
    status: o.status,
    coveredMinutes: o.coveredMinutes,
    absentMinutes: o.absentMinutes,
    toleranceMinutes: o.toleranceMinutes,
    credits: o.credits,
    reason: reasonText(ex.reason ?? null, q?.creditStatus === 'pending', q?.creditStatus === 'not-granted' ? (q.code ?? null) : null),
    // R-DOC-7: a certificate once credited and granted (a kind-e webinar's questionnaire decides the credits).
    certificate: o.status === 'credited' && o.memberId !== null && (q?.creditStatus === undefined || q.creditStatus === 'granted'),
  };
}

const snapshotText = (x: unknown) => {
  const s = x as { status?: string; credits?: number } | null;
  return s?.status ? `${statusText(s.status)}${typeof s.credits === 'number' ? `, ${s.credits} crediti` : ''}` : '—';
};

/** A file name without the event id: the service's name (only [a-z0-9_.-]) with the event's title instead. */
function friendlyName(name: string, event: EventHead): string {
  const slug = event.title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug ? name.replace(event.id, slug) : name;
}

export function attendanceRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const person = (c: Context<ConsoleEnv>) => c.get('staff')!.user;
  const guard = requirePerson([...EVENT_PAGE_ROLES]);

  app.get('/console/risorse/console.js', (c) => c.body(SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8' }));

  const mayChange = (actor: Actor, e: EventHead) => actor.role !== 'organiser' || organiserMayChange({ closedAt: e.closedAt, end: e.end }, deps.now());

  app.get(
    '/console/eventi/:id/presenze',
    guard,
    forEvent(deps, async (c, event, actor) => {
      const filterQ = c.req.query('stato');
      const filter = (FILTERS as readonly string[]).includes(filterQ ?? '') ? filterQ! : null;
      const after = (c.req.query('dopo') ?? '').slice(0, 300) || null;
      const statuses = filter === 'unmatched' ? ['unmatched', 'identity-conflict'] : filter ? [filter] : null;
      const page = await outcomePage(deps, actor, event.id, { statuses, limit: OUTCOMES_PER_PAGE, after });
      const overview = !filter && !after;
      const section = (s: string[]) => (overview ? outcomePage(deps, actor, event.id, { statuses: s, limit: SECTION_ROWS, after: null }) : null);
      const [incomplete, unmatched, corrections, audit] = await Promise.all([
        section(['incomplete']),
        section(['unmatched', 'identity-conflict']),
        eventCorrections(deps, actor, event.id, { limit: SECTION_ROWS }),
        auditTrail(deps, actor, event.id, { limit: SECTION_ROWS + 1 }),
      ]);
      const all = [...page.outcomes, ...(incomplete?.outcomes ?? []), ...(unmatched?.outcomes ?? [])];
      const names = await outcomeMembers(
        deps,
        actor,
        event.id,
        [...all.map((o) => o.memberId), ...audit.entries.map((a) => a.memberId)].filter((x): x is string => x !== null),
      );
      const authors = await namesOfActors(
        deps,
        corrections.rows.map((r) => r.author),
      );
      const nameOf = (memberId: string | null, fallback: string) => {
        const m = memberId ? names.get(memberId) : undefined;
        return m ? `${m.surname} ${m.givenName}` : fallback;
      };
      const auditItems: AuditItem[] = audit.entries.slice(0, SECTION_ROWS).map((a) => ({
        at: new Date(a.at),
        name: nameOf(a.memberId, 'Partecipante non abbinato'),
        old: snapshotText(a.old),
        new: snapshotText(a.new),
        cause: causeText(a.cause),
      }));
      const notices: Record<string, string> = {
        correzione: 'Correzione registrata: gli esiti vengono ricalcolati tra pochi istanti.',
        chiuso: 'Corso chiuso: le presenze ora si possono modificare solo dal Consiglio provinciale.',
        tolleranza: 'Tolleranza cambiata: gli esiti di tutti vengono ricalcolati tra pochi istanti.',
      };
      return c.html(
        attendancePage(person(c), {
          event,
          summary: page.summary,
          lastDerivation: page.lastDerivation ? new Date(page.lastDerivation.finishedAt) : null,
          filter,
          outcomes: page.outcomes.map((o) => outcomeItem(o, names)),
          next: page.next,
          first: !after,
          incomplete: (incomplete?.outcomes ?? []).map((o) => outcomeItem(o, names)),
          unmatched: (unmatched?.outcomes ?? []).map((o) => outcomeItem(o, names)),
          corrections: {
            total: corrections.total,
            rows: corrections.rows.map((r) => ({
              name: nameOf(r.memberId, r.surname ? `${r.surname} ${r.givenName}` : '—'),
              type: r.type,
              at: new Date(r.at),
              author: authorText(r.author, authors),
              reason: r.reason ?? '',
              receivedAt: new Date(r.receivedAt),
            })),
          },
          audit: auditItems,
          auditMore: audit.entries.length > SECTION_ROWS,
          mayChange: mayChange(actor, event),
          closeRefusal: closingRefusal({ closedAt: event.closedAt, end: event.end }, deps.now()),
          organiser: actor.role === 'organiser',
          reportFormats: REPORT_FORMATS,
          notice: notices[c.req.query('esito') ?? ''] ?? null,
          tolerance:
            actor.role === 'cpo' || actor.role === 'cn'
              ? { changeable: toleranceChangeOpen(event.end, deps.now()), problem: c.req.query('errore') === 'tolleranza' ? TOLERANCE_REFUSAL : null }
              : null,
        }),
      );
    }),
  );

  // A participant's certificate: the operation GET /v1/events/{id}/enrolments/{memberId}/attestation calls (R-DOC-7).
  app.get(
    '/console/eventi/:id/presenze/attestato/:memberId',
    guard,
    forEvent(deps, async (c, event, actor) => {
      const memberId = c.req.param('memberId') ?? '';
      try {
        if (!EVENT_ID.safeParse(memberId).success) throw new ServiceError('participant-not-found');
        const base = (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');
        const d = await participationDocument(deps, actor, event.id, memberId, new URL(base).host);
        const { pdf, fileName } = await participationPdf(d, base);
        return c.body(new Uint8Array(pdf), 200, {
          'content-type': 'application/pdf',
          'content-disposition': `attachment; filename="${fileName}"`,
          'content-length': String(pdf.length),
        });
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code === 'event-not-found') throw err;
        return c.html(certificateRefusedPage(person(c), { event, problems: [refusalProblem(err.code)] }), statusOf(err));
      }
    }),
  );

  // The council's tolerance (R-ATT-2): the same operation as PUT /v1/events/{id}/tolerance.
  app.post(
    '/console/eventi/:id/presenze/tolleranza',
    requirePerson(['cpo', 'cn']),
    forEvent(deps, async (c, event, actor) => {
      const f = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
      const parsed = ToleranceChange.safeParse({ minutes: Number(f.minutes), reason: typeof f.reason === 'string' ? f.reason.trim() : '' });
      if (!parsed.success) return c.redirect(`/console/eventi/${event.id}/presenze?errore=tolleranza`, 303);
      try {
        await changeTolerance(deps, actor, event.id, parsed.data);
        return c.redirect(`/console/eventi/${event.id}/presenze?esito=tolleranza`, 303);
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        return c.redirect(`/console/eventi/${event.id}/presenze?errore=tolleranza`, 303);
      }
    }),
  );

  app.get(
    '/console/eventi/:id/presenze/registro',
    guard,
    forEvent(deps, async (c, event, actor) => {
      const after = Number.parseInt(c.req.query('dopo') ?? '0', 10);
      const limit = 200;
      const audit = await auditTrail(deps, actor, event.id, { limit: limit + 1, after: Number.isFinite(after) && after > 0 ? after : 0 });
      const shown = audit.entries.slice(0, limit);
      const names = await outcomeMembers(
        deps,
        actor,
        event.id,
        shown.map((a) => a.memberId).filter((x): x is string => x !== null),
      );
      return c.html(
        auditPage(person(c), {
          event,
          audit: shown.map((a) => {
            const m = a.memberId ? names.get(a.memberId) : undefined;
            return {
              at: new Date(a.at),
              name: m ? `${m.surname} ${m.givenName}` : 'Partecipante non abbinato',
              old: snapshotText(a.old),
              new: snapshotText(a.new),
              cause: causeText(a.cause),
            };
          }),
          next: audit.entries.length > limit ? shown[shown.length - 1]!.id : null,
        }),
      );
    }),
  );

  // The workbook: the API's operation and stream; a name with the event's title.
  app.get(
    '/console/eventi/:id/presenze.xlsx',
    guard,
    forEvent(deps, async (c, event, actor) => {
      const layout: AttendanceLayout = c.req.query('layout') === 'participants' ? 'participants' : 'intervals';
      const blank = c.req.query('blank') === 'true';
      const { filename, out } = await attendanceWorkbook(deps, actor, event.id, { layout, blank });
      return c.body(webStream(out), 200, {
        'content-type': XLSX_CONTENT_TYPE,
        'content-disposition': `attachment; filename="${friendlyName(filename, event)}"`,
      });
    }),
  );

  const report = async (
    c: Context<ConsoleEnv>,
    v: Omit<UploadReportView, 'problems'> & { problems?: FormProblem[] },
    status: 200 | 400 | 403 | 404 | 409 | 413 | 415 | 422 | 503,
  ) => c.html(uploadReportPage(person(c), { ...v, problems: v.problems ?? [] }), status);
  const emptyReport = (event: EventHead, kind: 'file' | 'report') => ({
    event,
    kind,
    fileName: null,
    outcome: 'refused' as const,
    accepted: 0,
    duplicates: 0,
    empty: 0,
    intervals: null,
    rejected: [],
    skipped: [],
    notMapped: 0,
  });
  const fileNameOf = (cd: string | undefined) => (cd ? (/filename="([^"]*)"/.exec(cd)?.[1] ?? null) : null);

  app.post(
    '/console/eventi/:id/presenze/file',
    guard,
    forEvent(deps, async (c, event, actor) => {
      const now = deps.now();
      let fileName: string | null = null;
      try {
        const e = await changeableEvent(deps, actor, event.id, now);
        const file = await readUpload(c, deps.config.UPLOAD_MAX_BYTES);
        fileName = fileNameOf(file.contentDisposition);
        if (file.bytes.length === 0) return report(c, { ...emptyReport(event, 'file'), problems: [refusalProblem('file-missing')] }, 400);
        const { stored, result } = await storeAttendanceFile(deps, actor, e, {
          presence: file.fields.presence === 'in-person' ? 'in-person' : 'online',
          format: uploadedFormat(file),
          bytes: file.bytes,
          now,
          clientAddr: clientAddr(c),
          contentType: file.contentType,
          contentDisposition: file.contentDisposition,
        });
        return report(
          c,
          {
            ...emptyReport(event, 'file'),
            fileName,
            outcome: stored ? 'stored' : 'unchanged',
            accepted: result.accepted,
            duplicates: result.duplicates,
            empty: result.empty,
            rejected: result.rejected.map((r) => ({ row: r.row, text: rowRefusal(ROW_REFUSALS, r.code) })),
          },
          200,
        );
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code === 'event-not-found') throw err;
        const x = (err.extra ?? {}) as { rejected?: Array<{ row: number; code: string }>; empty?: number };
        return report(
          c,
          {
            ...emptyReport(event, 'file'),
            fileName,
            empty: x.empty ?? 0,
            rejected: (x.rejected ?? []).map((r) => ({ row: r.row, text: rowRefusal(ROW_REFUSALS, r.code) })),
            problems: [refusalProblem(err.code)],
          },
          statusOf(err),
        );
      }
    }),
  );

  app.post(
    '/console/eventi/:id/presenze/report',
    guard,
    forEvent(deps, async (c, event, actor) => {
      const now = deps.now();
      let fileName: string | null = null;
      try {
        const e = await changeableEvent(deps, actor, event.id, now);
        const file = await readUpload(c, deps.config.UPLOAD_MAX_BYTES);
        fileName = fileNameOf(file.contentDisposition);
        const format = file.fields.format ?? '';
        if (!isReportFormat(format)) throw new ServiceError('unknown-report-format');
        if (file.bytes.length === 0) return report(c, { ...emptyReport(event, 'report'), problems: [refusalProblem('file-missing')] }, 400);
        const result = await storePlatformReport(deps, actor, e, {
          format,
          bytes: file.bytes,
          now,
          clientAddr: clientAddr(c),
          contentType: file.contentType,
          contentDisposition: file.contentDisposition,
        });
        return report(
          c,
          {
            ...emptyReport(event, 'report'),
            fileName,
            outcome: result.accepted > 0 ? 'stored' : 'unchanged',
            accepted: result.accepted,
            duplicates: result.duplicates,
            intervals: result.intervals,
            rejected: result.rejected.map((r) => ({ row: r.row, text: rowRefusal(REPORT_ROW_REFUSALS, r.code) })),
            skipped: result.skipped.map((r) => ({ row: r.row, text: rowRefusal(REPORT_ROW_REFUSALS, r.code) })),
            notMapped: result.notMapped.length,
          },
          200,
        );
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code === 'event-not-found') throw err;
        const x = (err.extra ?? {}) as { rejected?: Array<{ row: number; code: string }> };
        return report(
          c,
          {
            ...emptyReport(event, 'report'),
            fileName,
            rejected: (x.rejected ?? []).map((r) => ({ row: r.row, text: rowRefusal(REPORT_ROW_REFUSALS, r.code) })),
            problems: [refusalProblem(err.code)],
          },
          statusOf(err),
        );
      }
    }),
  );

  // Corrections (R-ATT-6): the form for one member, then the API's operation with the person as author.
  const correctionView = async (actor: Actor, event: EventHead, memberId: string) => {
    const names = await outcomeMembers(deps, actor, event.id, [memberId]);
    const m = names.get(memberId);
    if (!m) return null;
    const o = await memberOutcome(deps, actor, event.id, memberId);
    return { member: { memberId, name: `${m.surname} ${m.givenName}`, codiceFiscale: m.codiceFiscale }, outcome: o ? outcomeItem(o, names) : null };
  };
  const romeDay = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

  app.get(
    '/console/eventi/:id/presenze/correzione',
    guard,
    forEvent(deps, async (c, event, actor) => {
      const memberId = c.req.query('membro') ?? '';
      const view = EVENT_ID.safeParse(memberId).success ? await correctionView(actor, event, memberId) : null;
      if (!view) return c.redirect(`/console/eventi/${event.id}/presenze`, 303);
      if (!mayChange(actor, event)) return c.html(closeConfirmPage(person(c), { event, problems: [refusalProblem('event-closed')] }), 409);
      return c.html(correctionPage(person(c), { event, ...view, values: { date: romeDay(event.start) }, problems: [] }));
    }),
  );

  app.post(
    '/console/eventi/:id/presenze/correzioni',
    guard,
    forEvent(deps, async (c, event, actor) => {
      const form = await readForm(c, CorrectionForm);
      const memberId = form.values.memberId ?? '';
      const view = EVENT_ID.safeParse(memberId).success ? await correctionView(actor, event, memberId) : null;
      if (!view) return c.redirect(`/console/eventi/${event.id}/presenze`, 303);
      const again = (problems: FormProblem[], status: 409 | 422 | 503) =>
        c.html(correctionPage(person(c), { event, ...view, values: form.values, problems }), status);
      if (!form.ok)
        return again(
          form.problems.map((p) => ({ ...p, text: attendanceRefusal(p.field === 'reason' ? 'reason-too-short' : p.code) })),
          422,
        );
      let at: Date;
      try {
        at = romeLocalToUtc(`${form.data.date}T${form.data.time}`);
      } catch {
        return again([refusalProblem('invalid-instant', 'time')], 422);
      }
      try {
        await recordCorrections(
          deps,
          actor,
          event.id,
          { corrections: [{ memberId, type: form.data.type, at: at.toISOString(), reason: form.data.reason }] },
          { clientAddr: clientAddr(c) },
        );
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code === 'event-not-found') throw err;
        return again([refusalProblem(err.code, err.code === 'instant-in-future' ? 'time' : undefined)], statusOf(err) as 409 | 422 | 503);
      }
      return c.redirect(`/console/eventi/${event.id}/presenze?esito=correzione#correzioni`, 303);
    }),
  );

  // Closing the course (R-EVT-7): a confirmation page, then the API's operation.
  const organiserOnly = requirePerson(['organiser']);
  app.get(
    '/console/eventi/:id/presenze/chiudi',
    organiserOnly,
    forEvent(deps, async (c, event) => {
      const refusal = closingRefusal({ closedAt: event.closedAt, end: event.end }, deps.now());
      const problems = refusal ? [refusalProblem(refusal === 'already-closed' ? 'event-closed' : 'event-not-ended')] : [];
      return c.html(closeConfirmPage(person(c), { event, problems }), refusal ? 409 : 200);
    }),
  );
  app.post(
    '/console/eventi/:id/presenze/chiudi',
    organiserOnly,
    forEvent(deps, async (c, event, actor) => {
      try {
        await closeEvent(deps, actor, event.id);
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code === 'event-not-found') throw err;
        return c.html(closeConfirmPage(person(c), { event, problems: [refusalProblem(err.code)] }), statusOf(err) as 409);
      }
      return c.redirect(`/console/eventi/${event.id}/presenze?esito=chiuso`, 303);
    }),
  );

  app.route('/', courseRoutes(deps));
  return app;
}
