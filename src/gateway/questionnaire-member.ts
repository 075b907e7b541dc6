/**
 * @module The member's questionnaire pages behind a signed link (R-QST-2, R-QST-3, R-QST-4, R-QST-5, R-QST-6, R-QST-7, R-QST-8, R-QST-10):
 *
 *   GET  /q/{token}         the current attempt (started on first view, the same draw on reload),
 *                           the result of the last one, or why the link no longer works
 *   POST /q/{token}         submit an attempt; the result is the answer (a replay shows it again)
 *   POST /q/{token}/retry   start the second and last attempt, on 5 questions not seen before
 *   POST /q/{token}/report  report an irregularity to the accrediting CPO
 *
 * Pages are HTML forms without script; nothing on them tells which option is right (R-QST-6).
 * Answers are posted as the positions shown, mapped back through the attempt's stored option
 * order. Decisions (pass, second fail, deadline) re-derive the event, which grants or refuses the
 * pending credits (R-QST-8).
 */
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { QUALITY_QUESTIONS, QUESTIONNAIRE_RULES, questionnaireState } from '../domain/questionnaire.ts';
import { attemptPage, closedPage, reportReceivedPage, resultPage, unavailablePage, type EventHeading } from '../pages/questionnaire.tsx';
import { isUnavailable } from './unavailable.ts';
import { italianDate, italianDateTime } from '../pages/format.ts';
import { answerChoice, AttemptNumber, QualityChoice, ReportForm } from '../schemas/questionnaire.ts';
import { attemptSummaries as summaries, memberQuestionnaires, type Client, type Opened } from '../services/questionnaire/member.ts';
import type { StoredAttempt, StoredQuestionnaire } from '../store/questionnaire.ts';
import type { Deps } from './deps.ts';
import { clientAddr } from './http.ts';
import { router } from './router.ts';

/** Form posts are small: 10 answers and a report of at most 4,000 characters. */
const FORM_MAX_BYTES = 64 * 1024;

export function questionnaireMemberRoutes(deps: Deps) {
  const app = router();
  const member = memberQuestionnaires(deps);
  const { open, poolOf } = member;
  const client = (c: Context): Client => ({ addr: clientAddr(c), userAgent: c.req.header('user-agent') ?? null });
  const formLimit = bodyLimit({ maxSize: FORM_MAX_BYTES, onError: (c) => c.html(closedPage({ kind: 'invalid' }), 413) });

  // Members get an Italian page, not problem+json, when something fails on our side.
  app.onError((err, c) => {
    const unavailable = isUnavailable(err);
    if (unavailable) c.header('Retry-After', '5');
    deps.log[unavailable ? 'warn' : 'error']({ err: unavailable ? String(err) : err }, 'questionnaire page failed');
    c.header('Cache-Control', 'no-store');
    return c.html(unavailablePage(), unavailable ? 503 : 500);
  });

  // Personal pages: never cached, never indexed.
  app.use('/q/*', async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
    c.header('X-Robots-Tag', 'noindex');
  });

  app.get('/q/:token', async (c) => {
    const token = c.req.param('token');
    const o = await open(token);
    if (o.kind !== 'ok') return closed(c, o, token);
    const { q, state } = o;
    switch (state.status) {
      case 'passed':
      case 'failed':
      case 'expired':
        return closed(c, o, token);
      case 'open':
      case 'retry-available': {
        const current = q.attempts.find((a) => a.number === state.attempt);
        if (state.status === 'retry-available' && !current) return result(c, q, q.attempts.find((a) => a.number === 1)!, token);
        const attempt = current ?? (await member.startAttempt(q, state.attempt, client(c)));
        return form(c, q, attempt, token);
      }
    }
  });

  app.post('/q/:token', formLimit, async (c) => {
    const token = c.req.param('token');
    const o = await open(token);
    if (o.kind !== 'ok') return closed(c, o, token);
    const { q, state } = o;
    const body = await c.req.parseBody();
    const number = AttemptNumber.parse(body.attempt);
    const attempt = q.attempts.find((a) => a.number === number);
    // Decided (passed, failed, expired): the outcome, whatever form was posted.
    if (state.status === 'passed' || state.status === 'failed' || state.status === 'expired') return closed(c, o, token);
    // A replayed or double-clicked form: the first submission stands and its result is shown again.
    if (attempt?.submittedAt) return result(c, q, attempt, token);
    if (!attempt || attempt.number !== state.attempt) return c.redirect(`/q/${encodeURIComponent(token)}`, 303);

    const askQuality = q.qualityAnswers === null;
    const values = formValues(body);
    const errors: string[] = [];
    let quality: Record<string, number> | null = null;
    if (askQuality) {
      const { min, max } = QUESTIONNAIRE_RULES.qualityScale;
      quality = {};
      QUALITY_QUESTIONS.forEach((qq, i) => {
        const v = QualityChoice.safeParse(values.quality[qq.id]);
        if (!v.success) errors.push(`Scelga un voto da ${min} a ${max} per la domanda di qualità n. ${i + 1}.`);
        else quality![qq.id] = v.data;
      });
    }
    const chosen = attempt.draw.questionIds.map((_, k) => answerChoice(attempt.draw.optionOrder[k]!.length).safeParse(values.answers[`a${k}`]).data ?? null);
    chosen.forEach((v, k) => {
      if (v === null) errors.push(`Scelga una risposta per la domanda n. ${k + 1}.`);
    });
    if (errors.length) return form(c, q, attempt, token, { values, errors }, 422);

    const outcome = await member.submit(q, attempt, chosen, quality);
    if (outcome.kind === 'closed') return closed(c, await open(token), token);
    // After a concurrent submission of the same attempt, what that one stored.
    return result(c, outcome.q, outcome.q.attempts.find((a) => a.number === attempt.number)!, token);
  });

  app.post('/q/:token/retry', formLimit, async (c) => {
    const token = c.req.param('token');
    const o = await open(token);
    if (o.kind !== 'ok') return closed(c, o, token);
    if (o.state.status === 'retry-available') await member.startAttempt(o.q, o.state.attempt, client(c));
    return c.redirect(`/q/${encodeURIComponent(token)}`, 303);
  });

  app.post('/q/:token/report', formLimit, async (c) => {
    const token = c.req.param('token');
    const o = await open(token);
    if (o.kind === 'invalid') return closed(c, o, token);
    const body = await c.req.parseBody();
    const form = ReportForm.safeParse(body);
    const back = `/q/${encodeURIComponent(token)}`;
    if (!form.success) return c.redirect(back, 303);
    const filed = await member.report(o.q, form.data.message, client(c));
    return c.html(reportReceivedPage({ event: heading(o.q), memberName: o.q.memberName, back }), filed === 'stored' ? 201 : 200);
  });

  return app;

  // ---------------------------------------------------------------------------------------------

  async function form(
    c: Context,
    q: StoredQuestionnaire,
    attempt: StoredAttempt,
    token: string,
    extra: { values?: ReturnType<typeof formValues>; errors?: string[] } = {},
    status: 200 | 422 = 200,
  ) {
    const served = await poolOf(q.eventId);
    const questions = attempt.draw.questionIds.map((id, k) => {
      const s = served.get(id)!;
      return { text: s.text, options: attempt.draw.optionOrder[k]!.map((i) => s.options[i]!) };
    });
    const base = `/q/${encodeURIComponent(token)}`;
    return c.html(
      attemptPage({
        event: heading(q),
        memberName: q.memberName,
        attempt: attempt.number,
        deadline: deadlineText(q),
        askQuality: q.qualityAnswers === null,
        questions,
        action: base,
        reportAction: `${base}/report`,
        ...extra,
      }),
      status,
    );
  }

  function result(c: Context, q: StoredQuestionnaire, attempt: StoredAttempt, token: string) {
    const state = questionnaireState(summaries(q), q.deadline, deps.now());
    const base = `/q/${encodeURIComponent(token)}`;
    return c.html(
      resultPage({
        event: heading(q),
        memberName: q.memberName,
        attempt: attempt.number,
        score: attempt.score ?? 0,
        outOf: attempt.draw.questionIds.length,
        passed: attempt.passed === true,
        retryAvailable: state.status === 'retry-available',
        deadline: deadlineText(q),
        retryAction: `${base}/retry`,
        reportAction: `${base}/report`,
      }),
      200,
    );
  }

  async function closed(c: Context, o: Opened, token: string) {
    if (o.kind === 'invalid') return c.html(closedPage({ kind: 'invalid' }), 404);
    const q = o.q;
    const last = [...q.attempts].reverse().find((a) => a.submittedAt !== null);
    const score = last ? { score: last.score ?? 0, outOf: last.draw.questionIds.length } : null;
    const base = `/q/${encodeURIComponent(token)}`;
    const common = { event: heading(q), memberName: q.memberName, score, reportAction: `${base}/report` };
    const state = o.kind === 'ok' ? o.state.status : null;
    if (q.status === 'passed' || state === 'passed') return c.html(closedPage({ kind: 'passed', ...common }), 200);
    if (q.status === 'failed' || state === 'failed') return c.html(closedPage({ kind: 'failed', ...common }), 200);
    // Past the deadline: decided now rather than by the expiry job (R-QST-8).
    await member.expireIfDue(q);
    return c.html(closedPage({ kind: 'expired', when: deadlineText(q), ...common }), 410);
  }
}

function deadlineText(q: StoredQuestionnaire): string {
  return q.deadline ? italianDateTime(q.deadline) : `${QUESTIONNAIRE_RULES.deadlineDays} giorni dal ricevimento del link`;
}

function heading(q: StoredQuestionnaire): EventHeading {
  return { title: q.eventTitle, organiser: q.organiserName, date: italianDate(q.eventStart) };
}

function formValues(body: Record<string, unknown>) {
  const quality: Record<string, string> = {};
  const answers: Record<string, string> = {};
  for (const qq of QUALITY_QUESTIONS) if (typeof body[qq.id] === 'string') quality[qq.id] = body[qq.id] as string;
  for (let k = 0; k < 10; k++) if (typeof body[`a${k}`] === 'string') answers[`a${k}`] = body[`a${k}`] as string;
  return { quality, answers };
}
