/**
 * @module An event's questionnaire and e-learning course in the provider's console (issue 14),
 * through the API's operations with the signed-in person as the actor (R-ACC-7):
 *
 *   GET  /console/eventi/{id}/questionario                           who received it, a page at a time (`?da=`), mail, status, attempts, score; counts; the rating (`eventQuestionnaires`, `eventQuestionnaireCounts`, `eventRating`)
 *   POST /console/eventi/{id}/questionario/{qid}/link                a member's link to copy and hand over (`questionnaireLink`)
 *   POST /console/eventi/{id}/questionario/{qid}/invia               the link mail again, to a corrected address (`resendQuestionnaireMail`)
 *   GET  /console/eventi/{id}/corso                                  package, compliance report, enrolments with progress (`courseCompliance`, `courseEnrolments`)
 *   POST /console/eventi/{id}/corso/pacchetto                        the SCORM package, multipart field `file`, at most `SCORM_MAX_BYTES` (`storePackage`)
 *   POST /console/eventi/{id}/corso/dichiarazione                    the course declaration: durations, final test, access window (`declareCourse`, R-ELN-5)
 *   POST /console/eventi/{id}/corso/abilita-iscritti                 the event's registered members enrolled in the course (`enrolMembers`)
 *   POST /console/eventi/{id}/corso/iscritti/{memberId}/avvio        a launch link to copy (`issueLaunch`)
 *   GET  /console/eventi/{id}/corso/iscritti/{memberId}/attestato    the R-ELN-6 attestation PDF (`enrolmentAttestation`)
 *   POST /console/eventi/{id}/corso/revisione                        the council opens the course in review, then the review player (`openCourseReview`, issue 16)
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { verificationUrl } from '../../domain/documents.ts';
import { attestationPdf } from '../../../adapters/pdf/attestation-pdf.ts';
import { refusalProblem, type EventHead } from '../../pages/console/event-frame.tsx';
import { coursePage, ENROLMENTS_PER_PAGE, notACoursePage, type CourseView } from '../../pages/console/course-pages.tsx';
import { questionnairePage, QUESTIONNAIRES_PER_PAGE, type QuestionnaireView } from '../../pages/console/questionnaire-pages.tsx';
import type { FormProblem } from '../../pages/console/signin-pages.tsx';
import type { Actor } from '../../services/actor.ts';
import { enrolmentAttestation } from '../../services/elearning/attestation.ts';
import {
  courseCompliance,
  courseEnrolments,
  declareCourse,
  enrolMembers,
  issueLaunch,
  replaceablePackageCourse,
  storePackage,
} from '../../services/elearning/courses.ts';
import { courseReviews, openCourseReview, REVIEW_ROLES } from '../../services/elearning/review.ts';
import { listRegistrations } from '../../services/registry/registrations.ts';
import { CourseDeclaration } from '../../schemas/elearning.ts';
import { ServiceError } from '../../services/errors.ts';
import { questionnaireLink, resendQuestionnaireMail } from '../../services/questionnaire/links.ts';
import { eventQuestionnaireCounts, eventQuestionnaires, eventRating, questionnaireAudit } from '../../services/questionnaire/reads.ts';
import type { Deps } from '../deps.ts';
import { readUpload } from '../uploads.ts';
import { EVENT_PAGE_ROLES, forEvent, statusOf } from './event-scope.ts';
import { requirePerson, type ConsoleEnv } from './session.ts';

const MEMBER_ID = z.uuid();

/** The declaration form's fields, as the page names them (for a refusal). */
const DECLARATION_FIELDS: Readonly<Record<string, string>> = {
  nominalMinutes: 'durata nominale',
  masteryScore: 'soglia di superamento',
  modules: 'minuti delle unità didattiche',
  finalTest: 'prova finale',
  accessWindowMonths: 'mesi di accesso',
};
const offsetOf = (c: Context) => {
  const n = Number.parseInt(c.req.query('da') ?? '0', 10);
  return Number.isFinite(n) && n > 0 ? n : 0;
};

export function courseRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const person = (c: Context<ConsoleEnv>) => c.get('staff')!.user;
  const guard = requirePerson([...EVENT_PAGE_ROLES]);
  const organiserOnly = requirePerson(['organiser']);
  const base = (c: Context) => (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');

  /** The questionnaire page, with what an act adds (a link to copy, a notice, a refusal). */
  const questionnaires = async (
    c: Context<ConsoleEnv>,
    event: EventHead,
    actor: Actor,
    extra: Pick<QuestionnaireView, 'handedLink' | 'notice' | 'problem'> = {},
    status: 200 | 404 | 409 | 422 = 200,
  ) => {
    const offset = offsetOf(c);
    // The page the API's GET /v1/events/{id}/questionnaires gives, cut by the database (10,000 in a national course).
    const [page, counts, rating] = await Promise.all([
      eventQuestionnaires(deps, actor, { eventId: event.id, offset, limit: QUESTIONNAIRES_PER_PAGE }),
      eventQuestionnaireCounts(deps, actor, { eventId: event.id }),
      eventRating(deps, actor, event.id),
    ]);
    return c.html(
      questionnairePage(person(c), {
        event,
        total: page.total,
        counts,
        offset,
        next: page.next,
        items: page.items.map((q) => ({
          id: q.id,
          name: `${q.surname} ${q.givenName}`,
          codiceFiscale: q.codiceFiscale,
          mail: q.mail,
          sentAt: q.sentAt,
          deadline: q.deadline,
          status: q.status,
          attempts: q.attempts,
          lastScore: q.lastScore,
        })),
        rating: rating.rating,
        smtp: Boolean(deps.config.SMTP_URL),
        handsOver: actor.role === 'organiser' || actor.role === 'cpo',
        notice: extra.notice ?? (c.req.query('esito') === 'rinviato' ? 'Messaggio rimesso in coda con l’indirizzo indicato.' : null),
        handedLink: extra.handedLink ?? null,
        problem: extra.problem ?? null,
      }),
      status,
    );
  };

  app.get(
    '/console/eventi/:id/questionario',
    guard,
    forEvent(deps, (c, event, actor) => questionnaires(c, event, actor)),
  );

  // The same operations as POST /v1/questionnaires/{id}/link and /resend (issue 14).
  const handOver = requirePerson(['organiser', 'cpo']);
  /** The event's questionnaire `qid` (GET /v1/questionnaires/{id}'s read), else undefined: one row, not the event's 10,000. */
  const questionnaireOf = async (actor: Actor, event: EventHead, qid: string | undefined) => {
    if (!qid || !MEMBER_ID.safeParse(qid).success) return undefined;
    try {
      const { questionnaire } = await questionnaireAudit(deps, actor, qid);
      return questionnaire.eventId === event.id ? questionnaire : undefined;
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'questionnaire-not-found') return undefined;
      throw err;
    }
  };
  app.post(
    '/console/eventi/:id/questionario/:qid/link',
    handOver,
    forEvent(deps, async (c, event, actor) => {
      const q = await questionnaireOf(actor, event, c.req.param('qid'));
      if (!q) return questionnaires(c, event, actor, { problem: 'Questionario non trovato.' }, 404);
      const link = await questionnaireLink(deps, actor, { questionnaireId: q.id, origin: new URL(c.req.url).origin });
      return questionnaires(c, event, actor, { handedLink: { name: q.memberName, url: link.url, expiresAt: new Date(link.expiresAt) } });
    }),
  );
  app.post(
    '/console/eventi/:id/questionario/:qid/invia',
    handOver,
    forEvent(deps, async (c, event, actor) => {
      const qid = c.req.param('qid');
      const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
      const typed = typeof form.email === 'string' ? form.email.trim() : '';
      const email = typed ? z.email().max(320).safeParse(typed) : null;
      if (email && !email.success) return questionnaires(c, event, actor, { problem: 'Indichi un indirizzo e-mail valido, per esempio nome@studio.it.' }, 422);
      const q = await questionnaireOf(actor, event, qid);
      if (!q) return questionnaires(c, event, actor, { problem: 'Questionario non trovato.' }, 404);
      try {
        await resendQuestionnaireMail(deps, actor, { questionnaireId: q.id, email: email?.data });
        const da = offsetOf(c);
        return c.redirect(`/console/eventi/${event.id}/questionario?esito=rinviato${da ? `&da=${da}` : ''}`, 303);
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        const words: Record<string, string> = {
          'no-address': 'Nessun indirizzo e-mail è noto per questo iscritto: lo indichi nel campo accanto al pulsante.',
          'mail-already-sent': 'Il messaggio è già stato inviato: se l’iscritto non lo trova, copi il link e glielo consegni.',
        };
        return questionnaires(c, event, actor, { problem: words[err.code] ?? 'La richiesta non è stata accettata.' }, err.status === 422 ? 422 : 409);
      }
    }),
  );

  /** The course page, with what an act adds (a notice, a launch link, refusals). */
  const course = async (
    c: Context<ConsoleEnv>,
    event: EventHead,
    actor: Actor,
    extra: Pick<CourseView, 'launch' | 'notice'> & { problems?: FormProblem[] } = {},
    status: 200 | 201 | 400 | 403 | 404 | 409 | 413 | 415 | 422 | 503 = 200,
  ) => {
    let compliance;
    try {
      compliance = await courseCompliance(deps, actor, event.id);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'not-elearning') return c.html(notACoursePage(person(c), event), 404);
      throw err;
    }
    const offset = offsetOf(c);
    const [page, reviews] = await Promise.all([
      courseEnrolments(deps, actor, event.id, { limit: ENROLMENTS_PER_PAGE, offset }),
      courseReviews(deps, actor, event.id),
    ]);
    const titles = new Map((compliance.package?.manifest.scos ?? []).map((s) => [s.identifier, s.title]));
    return c.html(
      coursePage(person(c), {
        event,
        compliance,
        enrolments: page.enrolments.map((e) => ({
          memberId: e.memberId,
          name: `${e.surname} ${e.givenName}`,
          codiceFiscale: e.codiceFiscale,
          enrolledAt: new Date(e.enrolledAt),
          outcome: e.outcome,
        })),
        total: page.total,
        offset,
        organiser: actor.role === 'organiser',
        // cmi5 AUs have no review launch yet (409 review-unavailable).
        reviewer: REVIEW_ROLES.includes(actor.role) && compliance.package?.version !== 'cmi5',
        reviews: reviews.map((r) => ({
          reviewer: r.reviewer,
          openedAt: new Date(r.openedAt),
          launches: r.launches.map((l) => ({ title: titles.get(l.sco) ?? l.sco, launchedAt: new Date(l.launchedAt), commits: l.commits })),
        })),
        ...extra,
      }),
      status,
    );
  };

  app.get(
    '/console/eventi/:id/corso',
    guard,
    forEvent(deps, (c, event, actor) =>
      course(c, event, actor, {
        notice: c.req.query('esito') === 'pacchetto' ? 'Pacchetto caricato.' : c.req.query('esito') === 'dichiarazione' ? 'Dichiarazione salvata.' : null,
      }),
    ),
  );

  app.post(
    '/console/eventi/:id/corso/pacchetto',
    organiserOnly,
    forEvent(deps, async (c, event, actor) => {
      try {
        const e = await replaceablePackageCourse(deps, actor, event.id);
        const file = await readUpload(c, deps.config.SCORM_MAX_BYTES);
        if (file.bytes.length === 0) return course(c, event, actor, { problems: [refusalProblem('file-missing', 'file')] }, 400);
        const stored = await storePackage(deps, actor, e, file.bytes);
        return course(
          c,
          event,
          actor,
          { notice: `Pacchetto «${stored.manifest.title}» caricato: SCORM ${stored.version}, ${stored.manifest.scos.length} unità didattiche.` },
          201,
        );
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code === 'event-not-found') throw err;
        return course(c, event, actor, { problems: [refusalProblem(err.code, 'file')] }, statusOf(err));
      }
    }),
  );

  // The council's review (issue 16), through the same operation as POST /v1/events/{id}/elearning/reviews:
  // the person goes on to the review player.
  app.post(
    '/console/eventi/:id/corso/revisione',
    requirePerson(['cpo', 'cn']),
    forEvent(deps, async (c, event, actor) => {
      try {
        const r = await openCourseReview(deps, actor, event.id);
        return c.redirect(`${base(c)}/lms/review/${r.token}`, 303);
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code === 'event-not-found') throw err;
        return course(c, event, actor, { problems: [refusalProblem(err.code)] }, statusOf(err));
      }
    }),
  );

  // The declaration (R-ELN-5), through the same operation as PUT /v1/events/{id}/elearning.
  app.post(
    '/console/eventi/:id/corso/dichiarazione',
    organiserOnly,
    forEvent(deps, async (c, event, actor) => {
      const f = (await c.req.parseBody().catch(() => ({}))) as Record<string, unknown>;
      const str = (k: string) => (typeof f[k] === 'string' ? (f[k] as string).trim() : '');
      const n = (k: string) => (str(k) === '' ? Number.NaN : Number(str(k).replace(',', '.')));
      const modules: { sco: string; minutes: number }[] = [];
      for (let i = 1; str(`module-${i}-sco`); i++) modules.push({ sco: str(`module-${i}-sco`), minutes: n(`module-${i}-minutes`) });
      const parsed = CourseDeclaration.safeParse({
        nominalMinutes: n('nominalMinutes'),
        masteryScore: n('masteryScore'),
        modules,
        finalTest: {
          bankQuestions: n('bankQuestions'),
          questionsPerAttempt: n('questionsPerAttempt'),
          randomDraw: str('randomDraw') === 'on',
          retryDifferentQuestions: str('retryDifferentQuestions') === 'on',
        },
        accessWindowMonths: n('accessWindowMonths'),
      });
      if (!parsed.success) {
        const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.')))];
        return course(
          c,
          event,
          actor,
          { problems: fields.map((p) => ({ code: 'invalid-form', text: `Valore non valido: ${DECLARATION_FIELDS[p.split('.')[0]!] ?? p}.` })) },
          422,
        );
      }
      try {
        await declareCourse(deps, actor, event.id, parsed.data);
        return c.redirect(`/console/eventi/${event.id}/corso?esito=dichiarazione`, 303);
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code === 'event-not-found') throw err;
        return course(c, event, actor, { problems: [refusalProblem(err.code)] }, statusOf(err));
      }
    }),
  );

  // Every member registered to the event, not yet enrolled, enrolled at once (the same operation as POST /v1/events/{id}/enrolments).
  app.post(
    '/console/eventi/:id/corso/abilita-iscritti',
    organiserOnly,
    forEvent(deps, async (c, event, actor) => {
      const regs = await listRegistrations(deps, actor, event.id);
      if (!regs.items.length)
        return course(c, event, actor, { problems: [{ code: 'no-registrations', text: 'Nessun iscritto all’evento: importi prima le iscrizioni.' }] }, 409);
      try {
        const enrolled = await enrolMembers(
          deps,
          actor,
          event.id,
          regs.items.map((r) => r.memberId),
        );
        return course(c, event, actor, { notice: `Iscritti abilitati al corso: ${Array.isArray(enrolled) ? enrolled.length : regs.items.length}.` });
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code === 'event-not-found') throw err;
        return course(c, event, actor, { problems: [refusalProblem(err.code)] }, statusOf(err));
      }
    }),
  );

  app.post(
    '/console/eventi/:id/corso/iscritti/:memberId/avvio',
    organiserOnly,
    forEvent(deps, async (c, event, actor) => {
      const memberId = c.req.param('memberId') ?? '';
      try {
        if (!MEMBER_ID.safeParse(memberId).success) throw new ServiceError('enrolment-not-found');
        const l = await issueLaunch(deps, actor, event.id, memberId);
        const page = await courseEnrolments(deps, actor, event.id, { limit: ENROLMENTS_PER_PAGE, offset: offsetOf(c) });
        const e = page.enrolments.find((x) => x.memberId === memberId.toLowerCase());
        return course(c, event, actor, {
          launch: { name: e ? `${e.surname} ${e.givenName}` : 'l’iscritto', url: `${base(c)}/lms/play/${l.launchToken}`, expiresAt: l.expiresAt },
        });
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code === 'event-not-found') throw err;
        return course(c, event, actor, { problems: [refusalProblem(err.code)] }, statusOf(err));
      }
    }),
  );

  app.get(
    '/console/eventi/:id/corso/iscritti/:memberId/attestato',
    guard,
    forEvent(deps, async (c, event, actor) => {
      const memberId = c.req.param('memberId') ?? '';
      try {
        if (!MEMBER_ID.safeParse(memberId).success) throw new ServiceError('enrolment-not-found');
        const d = await enrolmentAttestation(deps, actor, event.id, memberId, new URL(base(c)).host);
        const a = d.attestation;
        const pdf = await attestationPdf(a, { code: d.document.code, url: verificationUrl(base(c), d.document.code), factsDigest: d.document.factsDigest });
        return c.body(new Uint8Array(pdf), 200, {
          'content-type': 'application/pdf',
          'content-disposition': `attachment; filename="${a.pdf.fileName}"`,
          'content-length': String(pdf.length),
        });
      } catch (err) {
        if (!(err instanceof ServiceError) || err.code === 'event-not-found') throw err;
        return course(c, event, actor, { problems: [refusalProblem(err.code)] }, statusOf(err));
      }
    }),
  );

  return app;
}
