/**
 * @module What organisers and councils read of the questionnaires (R-QST): an event's
 * questionnaires (links are personal and never listed), one questionnaire's audit of draws and
 * answers (R-QST-5, R-QST-6, R-QST-7), ratings (R-QST-9) and irregularity reports (R-QST-10).
 */
import { rate, rateTotals, type Rating } from '../../domain/questionnaire.ts';
import { canSeeEvent } from '../../domain/roles.ts';
import { eventAccessRow } from '../../store/events-lookup.ts';
import type { Organiser } from '../../schemas/organisers.ts';
import { eventCountsByOrganiser, getOrganiser, listOrganisers as listOrganiserRows } from '../../store/organisers.ts';
import {
  eventQualityAnswers,
  getAttempts,
  getQuestionnaire,
  listQuestionnaires,
  listReports,
  organiserQualityAnswers,
  qualityTotalsByOrganiser,
  questionnaireCounts,
  type IrregularityReport,
  type QuestionnaireListItem,
  type StoredAttempt,
  type StoredQuestionnaire,
} from '../../store/questionnaire.ts';
import { visibleEvent } from '../access.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

type Db = Pick<ServiceContext, 'db'>;

export interface QuestionnaireListPage {
  items: QuestionnaireListItem[];
  total: number;
  /** The offset of the next page; null on the last one. */
  next: number | null;
}

/**
 * A page of who received the event's questionnaire, its deadline and status, by member name: a
 * national course has 10,000 of them, so the database cuts the page (the API and the console
 * read the same pages).
 */
export async function eventQuestionnaires(ctx: Db, actor: Actor, input: { eventId: string; offset: number; limit: number }): Promise<QuestionnaireListPage> {
  await visibleEvent(ctx.db, actor, input.eventId);
  const { items, total } = await listQuestionnaires(ctx.db, input.eventId, { offset: input.offset, limit: input.limit });
  const end = input.offset + items.length;
  return { items, total, next: items.length && end < total ? end : null };
}

/** How many of the event's questionnaires are in each status, and how many lack an address for the link mail. */
export async function eventQuestionnaireCounts(ctx: Db, actor: Actor, input: { eventId: string }): Promise<Record<string, number>> {
  await visibleEvent(ctx.db, actor, input.eventId);
  return questionnaireCounts(ctx.db, input.eventId);
}

export interface QuestionnaireAuditFacts {
  questionnaire: StoredQuestionnaire;
  attempts: StoredAttempt[];
  /** Whether the retry drew only questions the first attempt had not shown (R-QST-5); null before a retry. */
  retryDrewUnseen: boolean | null;
}

/** One questionnaire's audit, for whoever may see its event; anyone else is told it does not exist. */
export async function questionnaireAudit(ctx: Db, actor: Actor, questionnaireId: string): Promise<QuestionnaireAuditFacts> {
  const q = await getQuestionnaire(ctx.db, questionnaireId);
  if (!q) throw new ServiceError('questionnaire-not-found');
  const event = await eventAccessRow(ctx.db, q.eventId);
  if (!event || !canSeeEvent(actor, event)) throw new ServiceError('questionnaire-not-found');
  const attempts = await getAttempts(ctx.db, questionnaireId);
  const [first, second] = attempts;
  const retryDrewUnseen = first && second ? !second.draw.questionIds.some((qid) => first.draw.questionIds.includes(qid)) : null;
  return { questionnaire: q, attempts, retryDrewUnseen };
}

/** The average quality answer of an event's questionnaires (R-QST-9). */
export async function eventRating(ctx: Db, actor: Actor, eventId: string): Promise<{ eventId: string; rating: Rating }> {
  await visibleEvent(ctx.db, actor, eventId);
  return { eventId, rating: rate(await eventQualityAnswers(ctx.db, eventId)) };
}

export interface OrganiserRatingView {
  organiserId: string;
  rating: Rating;
  events: Array<{ eventId: string; title: string; start: Date; rating: Rating }>;
}

/** An organiser's rating over its events in the authorisation period (R-QST-9); an organiser sees its own only. */
export async function organiserRating(ctx: Db, actor: Actor, organiserId: string): Promise<OrganiserRatingView> {
  if (actor.role === 'organiser' && actor.subject !== organiserId) throw new ServiceError('organiser-not-found');
  if (!(await getOrganiser(ctx.db, organiserId))) throw new ServiceError('organiser-not-found');
  const events = await organiserQualityAnswers(ctx.db, organiserId);
  return {
    organiserId,
    rating: rate(events.flatMap((e) => e.answers)),
    events: events.map((e) => ({ eventId: e.eventId, title: e.title, start: e.start, rating: rate(e.answers) })),
  };
}

export interface OrganiserSummary {
  organiser: Organiser;
  /** Its events, not rejected. */
  events: number;
  rating: Rating;
}

/**
 * Every organiser with its number of events and its rating (R-QST-9), for the CN and admin: the
 * CN's register of organisers, where those below the 6/10 renewal threshold stand out (art. 19
 * c.2). Ratings come from sums the database adds up, equal to `organiserRating`'s.
 */
export async function organiserSummaries(ctx: Db, actor: Actor): Promise<OrganiserSummary[]> {
  if (actor.role !== 'cn' && actor.role !== 'admin') throw new ServiceError('forbidden');
  const [organisers, totals, events] = await Promise.all([listOrganiserRows(ctx.db), qualityTotalsByOrganiser(ctx.db), eventCountsByOrganiser(ctx.db)]);
  return organisers.map((organiser) => {
    const t = totals.get(organiser.id);
    return { organiser, events: events.get(organiser.id) ?? 0, rating: rateTotals(t?.responses ?? 0, t?.totals ?? {}) };
  });
}

/** Irregularities members reported (R-QST-10): a CPO sees those on the events it accredits, the CN all. */
export function irregularityReports(ctx: Db, actor: Actor): Promise<IrregularityReport[]> {
  return listReports(ctx.db, actor.role === 'cpo' ? { cpoProvince: actor.subject! } : { all: true });
}
