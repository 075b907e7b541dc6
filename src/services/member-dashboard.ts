/**
 * @module What the member's dashboard reads (`src/gateway/member-dashboard.ts` renders it): the
 * member's facts, their requests to the council, their open questionnaires and the events they
 * attended without earning credit. What a member files is `council/filing.ts`.
 */
import { bienniumOf, romeDate, yearOf } from '../domain/calendar.ts';
import { uncreditedAttendance } from '../store/attendance-read.ts';
import { loadMemberFacts, type LoadedFacts } from '../store/balance.ts';
import { getReduction, listArt9, listDebts, listReductions, type Art9Row, type DebtRow, type ReductionRow } from '../store/member-requests.ts';
import { openQuestionnairesOf } from '../store/questionnaire.ts';
import type { ServiceContext } from './context.ts';

/** The facts of the member a dashboard link names, or null when there is no such member. */
export async function dashboardFacts(ctx: Pick<ServiceContext, 'db'>, memberId: string): Promise<LoadedFacts | null> {
  return (await loadMemberFacts(ctx.db, [memberId])).get(memberId) ?? null;
}

/** The member's requests, newest first, and their open questionnaires (the page filters the expired ones). */
export async function dashboardLists(
  ctx: Pick<ServiceContext, 'db'>,
  memberId: string,
): Promise<{
  questionnaires: Array<{ id: string; eventTitle: string; eventStart: Date; deadline: Date | null }>;
  reductions: ReductionRow[];
  art9: Art9Row[];
  debts: DebtRow[];
}> {
  const [questionnaires, reductions, art9, debts] = await Promise.all([
    openQuestionnairesOf(ctx.db, memberId),
    listReductions(ctx.db, { province: null, memberId, limit: 200 }),
    listArt9(ctx.db, { province: null, memberId, limit: 500 }),
    listDebts(ctx.db, { province: null, memberId, limit: 100 }),
  ]);
  return { questionnaires, reductions, art9, debts };
}

/** A reduction request's biennium and status (the page's redirect after a filing), or null. */
export async function reductionSummary(ctx: Pick<ServiceContext, 'db'>, id: string): Promise<{ biennium: number; status: string } | null> {
  const r = await getReduction(ctx.db, id);
  return r ? { biennium: r.biennium, status: r.status } : null;
}

/** An event the member attended without earning credit, with the outcome that says why (R-ATT-9). */
export interface UncreditedEvent {
  eventId: string;
  title: string;
  mode: string;
  /** The event's day on the Rome calendar (R-CAL-2). */
  date: string;
  status: string;
  reason: string | null;
  coveredMinutes: number;
  absentMinutes: number;
  toleranceMinutes: number;
}

/**
 * The events of `biennium` (by the Rome year of their start, R-CAL-2) the member attended without
 * earning credit: absent beyond the tolerance (R-ATT-3, R-ATT-4), an exit missing (R-ATT-6),
 * outside the audience (R-ATT-8), not accredited (R-EVT-3). They hold no credit record, so the
 * balance does not list them; the dashboard does, with the reason.
 */
export async function dashboardUncredited(ctx: Pick<ServiceContext, 'db'>, memberId: string, biennium: number): Promise<UncreditedEvent[]> {
  const rows = await uncreditedAttendance(ctx.db, memberId);
  return rows
    .filter((r) => bienniumOf(yearOf(r.start_at)) === biennium)
    .map((r) => ({
      eventId: r.event_id,
      title: r.title,
      mode: r.mode,
      date: romeDate(r.start_at),
      status: r.status,
      reason: r.reason,
      coveredMinutes: r.covered_minutes,
      absentMinutes: r.absent_minutes,
      toleranceMinutes: r.tolerance_minutes,
    }));
}
