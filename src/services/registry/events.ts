/**
 * @module Events: create (R-EVT-1, R-EVT-2, R-EVT-3, with the question pool of a kind-e webinar,
 * R-QST-1 and R-QST-3), read, list by start, and the CPO's accreditation decision (R-EVT-3).
 * Events are answered in their API view, silence counting as consent.
 *
 * Visibility: the owner organiser (or its platform key), the accrediting CPO, CN and admin; anyone
 * else is told `event-not-found`, so ids do not leak.
 */
import crypto from 'node:crypto';
import { accreditationDeadline, accreditationStatus, approvedBySilence, initialAccreditation, validateEvent, whyNotEditable } from '../../domain/events.ts';
import { QUESTIONNAIRE_RULES, questionnaireApplies, validatePool } from '../../domain/questionnaire.ts';
import { canSeeEvent } from '../../domain/roles.ts';
import { poolError } from '../questionnaire/pool.ts';
import { DEFAULT_TOLERANCE_MINUTES, type AccreditationDecision, type Event, type EventCreate } from '../../schemas/events.ts';
import type { Queryable } from '../../store/db.ts';
import {
  decideAccreditation as decideAccreditationRow,
  getEvent as getEventRow,
  insertEvent,
  listEvents as listEventRows,
  requestedEvents,
  updateEventFields,
  type StoredEvent,
} from '../../store/events.ts';
import { getOrganiser } from '../../store/organisers.ts';
import { poolSize, replacePool } from '../../store/questionnaire.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { requestDerivation } from './shared.ts';

/** The stored event if `actor` may see it; otherwise `event-not-found` whether or not it exists. */
export async function visibleStoredEvent(db: Queryable, actor: Actor, id: string): Promise<StoredEvent> {
  const event = await getEventRow(db, id);
  if (!event || !canSeeEvent(actor, { organiser_id: event.organiserId, cpo_province: event.cpoProvince })) throw new ServiceError('event-not-found');
  return event;
}

/** The API view of an event: the effective accreditation, silence counting as consent (R-EVT-3). */
export function toApiEvent(e: StoredEvent, now: number): Event {
  const a = e.accreditation;
  const status = accreditationStatus({ status: a.status, requestedAt: a.requestedAt }, now);
  const requested = a.status === 'requested';
  return {
    ...e,
    accreditation: {
      status,
      requestedAt: a.requestedAt,
      decidedAt: a.decidedAt,
      reference: a.reference,
      deadline: requested ? accreditationDeadline(Date.parse(a.requestedAt)).toISOString() : null,
      bySilence: requested && status === 'approved',
    },
  };
}

/**
 * Creates an event of the actor's organiser. Every rule violation is listed (`invalid-event`);
 * kinds a, b, c self-accredit, kinds d and e request accreditation from the CPO. A kind-e webinar
 * carries its 30 questions from the request on, stored with the event in one transaction.
 */
export async function createEvent(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor, input: EventCreate): Promise<Event> {
  const organiserId = actor.subject!;
  const org = await getOrganiser(ctx.db, organiserId);
  if (!org) throw new ServiceError('organiser-not-found', "The key's organiser does not exist");
  const now = ctx.now();
  const errors = validateEvent(input, org, now);
  if (errors.length) throw new ServiceError('invalid-event', `${errors.length} rule violation(s)`, { errors });

  // R-QST-1, R-QST-3: a kind-e webinar carries its 30 questions from the accreditation request on.
  const needsPool = questionnaireApplies(org.kind, input.mode);
  if (!needsPool && input.questions)
    throw new ServiceError('questionnaire-not-applicable', 'Only webinars of kind-e organisers have a questionnaire (R-QST-1)');
  if (needsPool && !input.questions)
    throw new ServiceError('question-pool-required', `A kind-e webinar needs its ${QUESTIONNAIRE_RULES.poolSize} scientific questions (R-QST-3)`);
  if (needsPool) {
    const violations = validatePool(input.questions!);
    if (violations.length) throw poolError(violations);
  }

  const status = initialAccreditation(org.kind);
  const at = new Date(now).toISOString();
  const row = {
    id: crypto.randomUUID(),
    organiserId,
    cpoProvince: input.cpoProvince,
    ...eventFields(input),
    accreditation: { status, requestedAt: at, decidedAt: status === 'approved' ? at : null, reference: null },
  };
  const created = await ctx.db.transaction(async (tx) => {
    const ev = await insertEvent(tx, row);
    if (ev && needsPool) await replacePool(tx, ev.id, input.questions!);
    return ev;
  });
  if (!created) throw new ServiceError('platform-meeting-exists', 'Another event of this organiser uses this platform meeting id');
  return toApiEvent(created, now);
}

/** An event's own fields as stored (instants in UTC), from the API's input. */
function eventFields(input: EventCreate) {
  const utc = (x: string) => new Date(x).toISOString();
  return {
    title: input.title,
    mode: input.mode,
    venueProvince: input.venueProvince ?? null,
    speakers: input.speakers,
    topics: input.topics.map((t) => ({ title: t.title, start: utc(t.start), end: utc(t.end), deontology: t.deontology })),
    start: utc(input.start),
    end: utc(input.end),
    credits: input.credits,
    fractionable: input.fractionable,
    fractions: input.fractionable
      ? (input.fractions ?? []).map((f) => ({ start: utc(f.start), end: utc(f.end), credits: f.credits, ...(f.autonomous ? { autonomous: true } : {}) }))
      : null,
    toleranceMinutes: input.toleranceMinutes ?? DEFAULT_TOLERANCE_MINUTES,
    regionWide: input.regionWide,
    structuredPath: input.structuredPath,
    platform: input.platform ?? null,
  };
}

/**
 * Changes an event of the actor's organiser (R-CHG-1): until it starts, and while the CPO has not
 * decided on it. The new content meets every rule of a new event, checked as of the original
 * request (its notice and the organiser's authorisation, R-EVT-2, R-EVT-3); the accrediting CPO,
 * the accreditation and the question pool stay (the pool has its own operation).
 */
export async function updateEvent(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor, id: string, input: EventCreate): Promise<Event> {
  const current = await visibleStoredEvent(ctx.db, actor, id);
  if (actor.role !== 'organiser' || current.organiserId !== actor.subject) throw new ServiceError('event-not-found');
  const org = await getOrganiser(ctx.db, current.organiserId);
  if (!org) throw new ServiceError('organiser-not-found');
  const now = ctx.now();
  const why = whyNotEditable({ organiserKind: org.kind, start: current.start, accreditation: current.accreditation }, now);
  if (why)
    throw new ServiceError('event-not-editable', why === 'event-started' ? 'The event has started' : 'The CPO has decided on the event (R-EVT-3)', {
      reason: why,
    });
  if (input.questions)
    throw new ServiceError('questionnaire-not-applicable', 'The question pool has its own operation: PUT /v1/events/{id}/questionnaire/pool');
  if (input.cpoProvince !== current.cpoProvince)
    throw new ServiceError('event-not-editable', 'The accrediting CPO cannot change: create a new event', { reason: 'cpo-province' });
  if (questionnaireApplies(org.kind, input.mode) !== questionnaireApplies(org.kind, current.mode))
    throw new ServiceError('event-not-editable', 'The mode would add or remove the questionnaire (R-QST-1): create a new event', { reason: 'questionnaire' });
  const errors = validateEvent(input, org, Date.parse(current.accreditation.requestedAt));
  if (Date.parse(input.start) <= now) errors.push({ code: 'start-in-past', path: 'start', message: 'a change cannot move the event into the past (R-CHG-1)' });
  if (errors.length) throw new ServiceError('invalid-event', `${errors.length} rule violation(s)`, { errors });
  const updated = await updateEventFields(ctx.db, id, eventFields(input));
  if (!updated) throw new ServiceError('platform-meeting-exists', 'Another event of this organiser uses this platform meeting id');
  return toApiEvent(updated, now);
}

/** An event the actor may see, in its API view. */
export async function getEvent(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor, id: string): Promise<Event> {
  const event = await visibleStoredEvent(ctx.db, actor, id);
  return toApiEvent(event, ctx.now());
}

/**
 * A page of the events the actor sees, by start: an organiser's (or its platform's) own, those a
 * CPO accredits, all for CN and admin. `after` is the `next` cursor of the previous page.
 */
export async function listEvents(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  actor: Actor,
  query: { limit: number; after?: string | undefined },
): Promise<{ items: Event[]; next: string | null }> {
  const scope =
    actor.role === 'organiser' || actor.role === 'platform'
      ? { organiserId: actor.subject! }
      : actor.role === 'cpo'
        ? { cpoProvince: actor.subject! }
        : { all: true as const };
  const page = await listEventRows(ctx.db, scope, query.limit, query.after ?? null);
  if (!page) throw new ServiceError('invalid-query', 'Unknown cursor in `after`');
  const now = ctx.now();
  return { items: page.items.map((e) => toApiEvent(e, now)), next: page.next };
}

/**
 * The accreditation requests waiting for a decision (R-EVT-3): a CPO's own province, every
 * province for the CN and admin; those approved by silence meanwhile are left out. Oldest first:
 * the first to reach its deadline.
 */
export async function accreditationQueue(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor): Promise<Event[]> {
  if (actor.role !== 'cpo' && actor.role !== 'cn' && actor.role !== 'admin') throw new ServiceError('forbidden');
  const rows = await requestedEvents(ctx.db, actor.role === 'cpo' ? actor.subject : null);
  const now = ctx.now();
  return rows.map((e) => toApiEvent(e, now)).filter((e) => e.accreditation.status === 'requested');
}

/**
 * The accrediting CPO (or the CN) approves or rejects a requested accreditation within the 10
 * days (R-EVT-3, R-CAL-3); after them silence has approved it. Repeating the same decision is
 * acknowledged; a kind-e webinar is approved only with its full question pool (R-QST-3).
 */
export async function decideAccreditation(
  ctx: Pick<ServiceContext, 'db' | 'now' | 'attendance' | 'redisReady' | 'log'>,
  actor: Actor,
  id: string,
  input: AccreditationDecision,
): Promise<Event> {
  const event = await visibleStoredEvent(ctx.db, actor, id);
  const now = ctx.now();
  const wanted = input.decision === 'approve' ? 'approved' : 'rejected';
  const acc = event.accreditation;
  if (acc.status !== 'requested') {
    // A retry of the same decision is acknowledged; anything else is a conflict.
    if (acc.status === wanted && acc.reference === input.reference) return toApiEvent(event, now);
    throw new ServiceError('accreditation-already-decided', `The accreditation is already ${acc.status}`);
  }
  if (approvedBySilence(acc.requestedAt, now)) {
    throw new ServiceError('accreditation-deadline-passed', 'The 10 days to answer have passed: silence meant consent (R-EVT-3)', {
      deadline: accreditationDeadline(Date.parse(acc.requestedAt)).toISOString(),
    });
  }
  if (wanted === 'approved' && (await requiresPool(ctx.db, event)) && (await poolSize(ctx.db, id)) !== QUESTIONNAIRE_RULES.poolSize) {
    throw new ServiceError(
      'question-pool-incomplete',
      `A kind-e webinar is accredited with its ${QUESTIONNAIRE_RULES.poolSize} scientific questions (R-QST-3)`,
    );
  }
  const updated = await decideAccreditationRow(ctx.db, id, { status: wanted, reference: input.reference, decidedAt: new Date(ctx.now()).toISOString() });
  if (!updated) throw new ServiceError('accreditation-already-decided', 'Decided concurrently');
  await requestDerivation(ctx, id, 'accreditation');
  return toApiEvent(updated, now);
}

async function requiresPool(db: Queryable, event: StoredEvent): Promise<boolean> {
  const org = await getOrganiser(db, event.organiserId);
  return !!org && questionnaireApplies(org.kind, event.mode);
}
