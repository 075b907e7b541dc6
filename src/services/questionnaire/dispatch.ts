/**
 * @module Sending and expiring questionnaires (R-QST-2, R-QST-8): when a kind-e webinar has ended
 * (or is closed), one questionnaire per qualifying member with a signed link that expires at the
 * deadline, the link mail written to the outbox in the same transaction; unanswered questionnaires
 * expire at their deadline. The sweep redoes both, so neither a lost Redis job nor a crash between
 * commit and enqueue loses a questionnaire or an expiry. The questionnaire worker calls these.
 */
import crypto from 'node:crypto';
import type { Config } from '../../config.ts';
import { accreditationStatus } from '../../domain/events.ts';
import { QUALITY_QUESTIONS, QUESTIONNAIRE_RULES, questionnaireDeadline, questionnaireState } from '../../domain/questionnaire.ts';
import type { Logger } from '../../log.ts';
import type { MemberLinks } from '../../member-links.ts';
import { articledDate } from '../../domain/italian-dates.ts';
import type { AttendanceProducer } from '../../queue/attendance.ts';
import type { QuestionnaireProducer } from '../../queue/questionnaire.ts';
import type { Db } from '../../store/db.ts';
import { insertOutbox, type NewOutboxMail } from '../../store/outbox.ts';
import {
  decideQuestionnaire,
  dispatchCandidates,
  eventsAwaitingDispatch,
  deliveredButNotStarted,
  eventsWithUnappliedDecisions,
  getDispatchEvent,
  getQuestionnaire,
  insertQuestionnaires,
  markDelivered,
  overdueQuestionnaires,
  poolSize,
  type DispatchEvent,
} from '../../store/questionnaire.ts';
import { lockFor } from '../../store/locks.ts';

/** What sending and expiring need: the worker builds it from the runtime's parts. */
export interface QuestionnaireDispatchDeps {
  db: Db;
  config: Config;
  log: Logger;
  now: () => number;
  producer: QuestionnaireProducer;
  attendance: AttendanceProducer;
  /** Queues outbox mails for sending; absent when no SMTP server is configured (mails wait in the outbox). */
  mail: { send(outboxIds: number[]): Promise<void> } | null;
  links: MemberLinks;
  /** Base URL of member links, e.g. `https://crediti.example.it`. */
  publicUrl: () => string;
}

/** Outbox kind of link mails; their dedup key is `<kind>:<questionnaire id>`. */
export const QUESTIONNAIRE_LINK_MAIL = 'questionnaire-link';
/**
 * How long a link opens its questionnaire page. The deadline itself is the server's (R-QST-2,
 * counted from delivery); a link past this only shows the final state.
 */
export const LINK_LIFETIME_MS = 120 * 24 * 3600_000;
/** How far back the sweep looks for ended webinars whose questionnaires were never sent. */
const DISPATCH_WINDOW_MS = 30 * 24 * 3600_000;

export interface DispatchSummary {
  eventId: string;
  sent: number;
  skipped?: string;
}

/**
 * Sends the event's questionnaires to qualifying members who have none (R-QST-2). Idempotent:
 * one questionnaire per member and event, one outbox mail per questionnaire.
 */
export async function dispatchQuestionnaires(deps: QuestionnaireDispatchDeps, eventId: string): Promise<DispatchSummary> {
  const { db, log } = deps;
  const now = new Date(deps.now());
  const event = await getDispatchEvent(db, eventId);
  const skip = event ? whyNotDispatch(event, now) : 'event-not-found';
  if (skip) return { eventId, sent: 0, skipped: skip };
  if ((await poolSize(db, eventId)) !== QUESTIONNAIRE_RULES.poolSize) {
    log.error({ eventId }, 'questionnaire pool incomplete at dispatch: nothing sent');
    return { eventId, sent: 0, skipped: 'pool-incomplete' };
  }
  const linkExpiry = new Date(now.getTime() + LINK_LIFETIME_MS);
  const created = await db.transaction(async (tx) => {
    await lockFor(tx, 'eventQuestionnaire', eventId);
    const candidates = await dispatchCandidates(tx, eventId);
    if (!candidates.length) return [];
    const rows = candidates.map((c) => ({ id: crypto.randomUUID(), memberId: c.memberId, createdAt: now, candidate: c }));
    const inserted = new Set(await insertQuestionnaires(tx, eventId, rows));
    const fresh = rows.filter((r) => inserted.has(r.id));
    const mails: NewOutboxMail[] = [];
    for (const r of fresh) {
      const token = await deps.links.sign('questionnaire', r.id, linkExpiry);
      mails.push(linkMail(event!, r.candidate, `${deps.publicUrl().replace(/\/+$/, '')}/q/${token}`, r.id, now));
    }
    return insertOutbox(tx, mails);
  });
  // After commit: a crash here leaves unsent rows, which the mail sweep picks up. The clock of
  // each questionnaire starts when its mail is sent (startClock), not here.
  if (deps.mail && created.length) await deps.mail.send(created);
  log.info({ eventId, sent: created.length }, 'questionnaires dispatched');
  return { eventId, sent: created.length };
}

/** Why an event's questionnaires are not (yet) sent, or null when they are due (R-QST-1, R-QST-2). */
export function whyNotDispatch(e: DispatchEvent, now: Date): string | null {
  if (e.organiserKind !== 'e' || e.mode !== 'webinar') return 'not-applicable';
  const ended = now.getTime() >= e.end.getTime() || e.closedAt !== null;
  if (!ended) return 'not-ended';
  const acc = accreditationStatus(
    { status: e.accreditationStatus as 'requested' | 'approved' | 'rejected', requestedAt: e.accreditationRequestedAt.getTime() },
    now,
  );
  if (acc !== 'approved') return `accreditation-${acc}`;
  return null;
}

function linkMail(
  e: DispatchEvent,
  m: { givenName: string; surname: string; email: string | null },
  link: string,
  questionnaireId: string,
  now: Date,
): NewOutboxMail {
  const R = QUESTIONNAIRE_RULES;
  const text = [
    `Gentile ${m.givenName} ${m.surname},`,
    '',
    `per il riconoscimento dei crediti dell'evento «${e.title}» ${articledDate('del', e.start, { apostrophe: "'" })}, organizzato da ${e.organiserName}, è necessario compilare il questionario di verifica entro ${R.deadlineDays} giorni dal ricevimento di questo messaggio (la scadenza esatta è indicata nella pagina del questionario).`,
    '',
    link,
    '',
    `Il questionario comprende ${QUALITY_QUESTIONS.length} domande sulla qualità dell'evento e ${R.drawSize} domande sugli argomenti trattati: servono almeno ${R.passMark} risposte esatte su ${R.drawSize}. Se il primo tentativo non è superato, è possibile un secondo e ultimo tentativo, con domande diverse, entro lo stesso termine.`,
    '',
    'Il link è personale: non lo inoltri ad altri.',
  ].join('\n');
  return {
    kind: QUESTIONNAIRE_LINK_MAIL,
    dedupKey: `${QUESTIONNAIRE_LINK_MAIL}:${questionnaireId}`,
    recipient: m.email,
    subject: `Questionario di verifica: ${e.title}`,
    bodyText: text,
    bodyHtml: null,
    createdAt: now,
  };
}

/**
 * Expires a questionnaire whose deadline has passed without a pass (R-QST-8) and re-derives its
 * event, which turns the pending credits into not granted. A job that runs early (clock skew)
 * schedules itself again for the rest of the time.
 */
export async function expireQuestionnaire(deps: QuestionnaireDispatchDeps, questionnaireId: string): Promise<{ expired: boolean }> {
  const q = await getQuestionnaire(deps.db, questionnaireId);
  if (!q || q.status !== 'open') return { expired: false };
  const now = deps.now();
  const state = questionnaireState(
    q.attempts.map((a) => ({ number: a.number, submitted: a.submittedAt !== null, passed: a.passed })),
    q.deadline,
    now,
  );
  if (state.status !== 'expired') {
    if ((state.status === 'open' || state.status === 'retry-available') && q.deadline) {
      // This job holds the id `expire-<id>`; the re-run gets its own.
      await deps.producer.queue.add(
        'expire',
        { questionnaireId },
        { jobId: `expire-${questionnaireId}-${now}`, delay: q.deadline.getTime() + 1 - now, removeOnComplete: true },
      );
    }
    return { expired: false };
  }
  const changed = await decideQuestionnaire(deps.db, questionnaireId, 'expired', new Date(now));
  if (changed) {
    deps.log.info({ questionnaireId, eventId: q.eventId }, 'questionnaire expired');
    await deps.attendance.requestDerivation(q.eventId, 'questionnaire');
  }
  return { expired: changed };
}

/**
 * Starts a questionnaire's 10 days when the member gets the link (R-QST-2, R-CAL-3) and schedules
 * its expiry; called when the link mail is sent. Idempotent: the first delivery counts.
 */
export async function startClock(deps: Pick<QuestionnaireDispatchDeps, 'db' | 'producer' | 'now'>, questionnaireId: string, at: Date): Promise<Date | null> {
  const deadline = await markDelivered(deps.db, questionnaireId, at, questionnaireDeadline(at));
  if (deadline) await deps.producer.scheduleExpiry([{ questionnaireId, deadline }], deps.now());
  return deadline;
}

/** The mail worker's after-send hook: a sent link mail starts its questionnaire's clock. */
export function linkMailSent(deps: Pick<QuestionnaireDispatchDeps, 'db' | 'producer' | 'now'>) {
  const prefix = `${QUESTIONNAIRE_LINK_MAIL}:`;
  return async (row: { kind: string; dedupKey: string }, at: Date) => {
    if (row.kind === QUESTIONNAIRE_LINK_MAIL && row.dedupKey.startsWith(prefix)) await startClock(deps, row.dedupKey.slice(prefix.length), at);
  };
}

/** Expires what is overdue, starts clocks a crash left unstarted, dispatches what was never sent, re-derives decisions not yet applied. */
export async function sweepQuestionnaires(deps: QuestionnaireDispatchDeps): Promise<{ expired: number; dispatched: number; rederived: number }> {
  const now = new Date(deps.now());
  let expired = 0;
  for (const q of await overdueQuestionnaires(deps.db, now)) {
    if ((await expireQuestionnaire(deps, q.id)).expired) expired++;
  }
  const events = await eventsAwaitingDispatch(deps.db, now, DISPATCH_WINDOW_MS);
  for (const eventId of events) await deps.producer.requestDispatch(eventId);
  for (const d of await deliveredButNotStarted(deps.db)) await startClock(deps, d.id, d.sentAt);
  const unapplied = await eventsWithUnappliedDecisions(deps.db, new Date(now.getTime() - DISPATCH_WINDOW_MS));
  for (const eventId of unapplied) await deps.attendance.requestDerivation(eventId, 'questionnaire');
  if (expired || events.length || unapplied.length)
    deps.log.info({ expired, dispatchRequested: events.length, rederived: unapplied.length }, 'questionnaire sweep');
  return { expired, dispatched: events.length, rederived: unapplied.length };
}
