/**
 * @module The provider's events in the console (issue 14), for organiser staff:
 *
 *   GET  /console/eventi                         the organiser's events with their status; a council's, those it accredits
 *   GET  POST /console/eventi/nuovo              create an event (a kind-e webinar with its 30 questions)
 *   GET  /console/eventi/modello-domande.csv     the blank template of the questions
 *   GET  /console/eventi/{id}                    the event: details, status, its sections
 *   GET  POST /console/eventi/{id}/domande       the question pool, replaced while allowed (R-QST-3)
 *
 * and mounts the registrations (`registration-routes.ts`) and the Zoom connection
 * (`platform-routes.ts`). Every act is the operation the API calls, with the signed-in person as
 * its actor (R-ACC-7); there is no update operation for an event, so its page is read-only.
 */
import { Hono, type Context } from 'hono';
import { whyNotEditable } from '../../domain/events.ts';
import { questionnaireApplies } from '../../domain/questionnaire.ts';
import { newEventPage, poolPage } from '../../pages/console/event-form-pages.tsx';
import { eventPage, eventsListPage } from '../../pages/console/events-pages.tsx';
import type { FormProblem } from '../../pages/console/signin-pages.tsx';
import { eventDraftOfForm, EventForm, formValuesOfEvent, poolOfForm, poolTyped } from '../../schemas/console-events.ts';
import { EventCreate, type Event } from '../../schemas/events.ts';
import { ServiceError } from '../../services/errors.ts';
import { poolTemplateCsv, readPoolSheet } from '../../services/questionnaire/pool-sheet.ts';
import { readQuestionPool, replaceQuestionPool } from '../../services/questionnaire/pool.ts';
import { accreditationQueue, createEvent, listEvents, updateEvent } from '../../services/registry/events.ts';
import { getOrganiser } from '../../services/registry/organisers.ts';
import { listRegistrations } from '../../services/registry/registrations.ts';
import type { Deps } from '../deps.ts';
import { csvDownload, eventNotFound, eventOf, person } from './event-access.ts';
import { problemsOfRefusal, worded, type PoolSource } from './event-problems.ts';
import { readForm } from './forms.ts';
import { platformRoutes } from './platform-routes.ts';
import { registrationRoutes } from './registration-routes.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';
import { formFile, uploadLimit } from './uploads.ts';

const NOTICES: Readonly<Record<string, string>> = {
  creato: 'Evento creato.',
  'creato-richiesta': 'Evento creato e accreditamento richiesto al CPO.',
  'domande-sostituite': 'Domande del questionario sostituite.',
  modificato: 'Evento modificato.',
};

/** Why a change was refused (R-CHG-1), in the words of the event page. */
const NOT_EDITABLE_WORDS: Readonly<Record<string, string>> = {
  'event-started': 'L’evento è iniziato: i suoi dati non si possono più modificare.',
  'accreditation-decided': 'Il CPO ha deciso sull’accreditamento (o è passato il termine del silenzio-assenso): l’evento resta com’è stato accreditato.',
  'cpo-province': 'Il CPO che accredita non si può cambiare: per un altro CPO crei un nuovo evento.',
  questionnaire: 'Con questa modalità il questionario si aggiungerebbe o si toglierebbe: crei un nuovo evento.',
};

/** The questions of a pool form: the file if one was chosen, else the typed blocks, else none. */
async function questionsOf(
  deps: Deps,
  c: Context<ConsoleEnv>,
  fields: Record<string, string>,
): Promise<{ questions: Array<{ text: string; options: string[]; correct: number }>; source: PoolSource } | { problems: FormProblem[] } | null> {
  const file = await formFile(c, 'questionsFile');
  if (file) {
    try {
      const sheet = await readPoolSheet(deps, file);
      if (sheet.malformed.length)
        return {
          problems: sheet.malformed.map((row) => ({ code: 'malformed-row', field: 'questionsFile', text: `Riga ${row} del file: la riga non è leggibile.` })),
        };
      return { questions: sheet.questions.map((q) => ({ ...q, options: [...q.options] })), source: { kind: 'file', rows: sheet.rows } };
    } catch (err) {
      return { problems: problemsOfRefusal(err, { fileField: 'questionsFile' }) };
    }
  }
  if (poolTyped(fields)) {
    const typed = poolOfForm(fields);
    return { questions: typed.questions, source: { kind: 'form', rows: typed.rows } };
  }
  return null;
}

/** A field that could not be read, in the words of its kind (a date-time, a number). */
const fieldWords = (p: FormProblem): FormProblem => {
  if (p.code !== 'invalid-form' || !p.field) return p;
  if (p.field === 'start' || p.field === 'end') return { ...p, code: 'invalid-date-time' };
  if (p.field === 'credits' || p.field === 'toleranceMinutes') return { ...p, code: 'invalid-number' };
  return p;
};

export function eventsRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const organiser = requirePerson(['organiser']);

  app.get('/console/eventi', requirePerson(['organiser', 'cpo', 'cn']), async (c) => {
    try {
      const actor = actorOf(c);
      const page = await listEvents(deps, actor, { limit: 50, after: c.req.query('dopo') || undefined });
      // A council reads the events it accredits (listEvents' scope) and its queue of requests beside them.
      const queue = actor.role === 'organiser' ? null : await accreditationQueue(deps, actor);
      const council = queue ? { requests: queue.length, firstDeadline: queue.map((e) => e.accreditation.deadline).find(Boolean) ?? null } : undefined;
      return c.html(eventsListPage(person(c), { events: page.items, next: page.next, now: deps.now(), notice: NOTICES[c.req.query('esito') ?? ''], council }));
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'invalid-query') return c.redirect('/console/eventi', 303);
      throw err;
    }
  });

  const organiserOf = (c: Context<ConsoleEnv>) => getOrganiser(deps, actorOf(c), actorOf(c).subject ?? '');
  const newForm = async (c: Context<ConsoleEnv>, values: Record<string, string>, problems: FormProblem[], status: 200 | 409 | 413 | 422 = 200) => {
    const org = await organiserOf(c);
    return c.html(newEventPage(person(c), { values, problems, kindE: org.kind === 'e', ownProvince: org.kind === 'a' ? org.province : null }), status);
  };

  app.get('/console/eventi/nuovo', organiser, (c) => newForm(c, {}, []));
  app.get('/console/eventi/modello-domande.csv', organiser, (c) => csvDownload(c, 'modello-domande.csv', poolTemplateCsv()));

  /** The form read into the API's `EventCreate`, or the problems to show with what was typed. */
  const eventInput = async (c: Context<ConsoleEnv>, withPool: boolean) => {
    const form = await readForm(c, EventForm);
    if (!form.ok) return { ok: false as const, values: form.values, problems: form.problems.map(fieldWords).map(worded) };
    const { draft, problems } = eventDraftOfForm(form.data);
    if (problems.length) return { ok: false as const, values: form.values, problems: problems.map(worded) };
    const pool = withPool ? await questionsOf(deps, c, form.values) : null;
    if (pool && 'problems' in pool) return { ok: false as const, values: form.values, problems: pool.problems };
    const input = EventCreate.safeParse({ ...draft, ...(pool ? { questions: pool.questions } : {}) });
    if (!input.success) {
      const seen = new Set<string>();
      const ps = input.error.issues
        .map((i) => String(i.path[0] ?? ''))
        .filter((f) => !seen.has(f) && seen.add(f))
        .map((f) => worded({ code: 'invalid-form', ...(f && f !== 'questions' ? { field: f } : {}) }));
      return { ok: false as const, values: form.values, problems: ps };
    }
    return { ok: true as const, values: form.values, input: input.data, pool };
  };

  app.post('/console/eventi/nuovo', organiser, uploadLimit(deps), async (c) => {
    const read = await eventInput(c, true);
    if (!read.ok) return newForm(c, read.values, read.problems, 422);
    try {
      const created = await createEvent(deps, actorOf(c), read.input);
      const esito = created.accreditation.status === 'requested' ? 'creato-richiesta' : 'creato';
      return c.redirect(`/console/eventi/${created.id}?esito=${esito}`, 303);
    } catch (err) {
      const ps = problemsOfRefusal(err, read.pool ? { pool: read.pool.source } : {});
      return newForm(c, read.values, ps, err instanceof ServiceError && err.status === 409 ? 409 : 422);
    }
  });

  // Changing an event (R-CHG-1): the new event's form, filled in, through the API's `updateEvent`.
  const notEditable = async (c: Context<ConsoleEnv>, e: Event) =>
    whyNotEditable({ organiserKind: (await organiserOf(c)).kind, start: e.start, accreditation: e.accreditation }, deps.now());
  const editForm = async (c: Context<ConsoleEnv>, e: Event, values: Record<string, string>, problems: FormProblem[], status: 200 | 409 | 422 = 200) => {
    const org = await organiserOf(c);
    return c.html(
      newEventPage(person(c), {
        values,
        problems,
        kindE: org.kind === 'e',
        ownProvince: org.kind === 'a' ? org.province : null,
        editing: { id: e.id, title: e.title },
      }),
      status,
    );
  };
  app.get('/console/eventi/:id/modifica', organiser, async (c) => {
    const e = await eventOf(deps, c);
    if (!e) return eventNotFound(c);
    if (await notEditable(c, e)) return c.redirect(`/console/eventi/${e.id}`, 303);
    return editForm(c, e, formValuesOfEvent(e), []);
  });
  app.post('/console/eventi/:id/modifica', organiser, async (c) => {
    const e = await eventOf(deps, c);
    if (!e) return eventNotFound(c);
    const read = await eventInput(c, false);
    if (!read.ok) return editForm(c, e, read.values, read.problems, 422);
    try {
      await updateEvent(deps, actorOf(c), e.id, read.input);
      return c.redirect(`/console/eventi/${e.id}?esito=modificato`, 303);
    } catch (err) {
      if (err instanceof ServiceError && err.code === 'event-not-editable') {
        const text = NOT_EDITABLE_WORDS[String(err.extra?.reason)] ?? NOT_EDITABLE_WORDS['event-started']!;
        return editForm(c, e, read.values, [{ code: 'event-not-editable', text }], 409);
      }
      return editForm(c, e, read.values, problemsOfRefusal(err, {}), err instanceof ServiceError && err.status === 409 ? 409 : 422);
    }
  });

  /** The event's pool facts: whether it has one, how many questions, whether they can still change. */
  const poolFacts = async (c: Context<ConsoleEnv>, e: Event) => {
    const org = await organiserOf(c);
    if (!questionnaireApplies(org.kind, e.mode, { structuredPath: e.structuredPath })) return null;
    const pool = await readQuestionPool(deps, actorOf(c), e.id);
    const changeable = e.accreditation.status === 'requested' && !pool.locked;
    const lockedReason = pool.locked
      ? 'I questionari sono già stati inviati: le domande non si possono più cambiare (R-QST-6).'
      : e.accreditation.status !== 'requested'
        ? 'L’accreditamento è deciso: le domande accreditate dal CPO non si possono più cambiare (R-QST-3).'
        : undefined;
    return { pool, changeable, lockedReason };
  };

  app.get('/console/eventi/:id', organiser, async (c) => {
    const e = await eventOf(deps, c);
    if (!e) return eventNotFound(c);
    const [facts, regs] = await Promise.all([poolFacts(c, e), listRegistrations(deps, actorOf(c), e.id)]);
    return c.html(
      eventPage(person(c), {
        event: e,
        now: deps.now(),
        pool: facts ? { applies: true, size: facts.pool.questions.length, changeable: facts.changeable } : null,
        registrations: regs.items.length,
        notice: NOTICES[c.req.query('esito') ?? ''],
        notEditable: await notEditable(c, e),
      }),
    );
  });

  const renderPool = async (c: Context<ConsoleEnv>, e: Event, values: Record<string, string>, problems: FormProblem[], status: 200 | 409 | 422 = 200) => {
    const facts = await poolFacts(c, e);
    if (!facts) return eventNotFound(c);
    return c.html(
      poolPage(person(c), {
        event: e,
        questions: facts.pool.questions,
        changeable: facts.changeable,
        lockedReason: facts.lockedReason,
        values,
        problems,
        notice: NOTICES[c.req.query('esito') ?? ''],
      }),
      status,
    );
  };

  app.get('/console/eventi/:id/domande', organiser, async (c) => {
    const e = await eventOf(deps, c);
    return e ? renderPool(c, e, {}, []) : eventNotFound(c);
  });

  app.post('/console/eventi/:id/domande', organiser, uploadLimit(deps), async (c) => {
    const e = await eventOf(deps, c);
    if (!e) return eventNotFound(c);
    const body = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(body)) if (typeof v === 'string' && k.startsWith('q-')) values[k] = v;
    const pool = await questionsOf(deps, c, values);
    if (!pool) return renderPool(c, e, values, [worded({ code: 'pool-source-missing', field: 'questionsFile' })], 422);
    if ('problems' in pool) return renderPool(c, e, values, pool.problems, 422);
    try {
      await replaceQuestionPool(deps, actorOf(c), e.id, pool.questions);
      return c.redirect(`/console/eventi/${e.id}/domande?esito=domande-sostituite`, 303);
    } catch (err) {
      const ps = problemsOfRefusal(err, { pool: pool.source });
      return renderPool(c, e, values, ps, err instanceof ServiceError && err.status === 409 ? 409 : 422);
    }
  });

  app.route('/', registrationRoutes(deps));
  app.route('/', platformRoutes(deps));
  return app;
}
