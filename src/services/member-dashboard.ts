/**
 * @module What the member's dashboard reads (`src/gateway/member-dashboard.ts` renders it): the
 * member's facts, their requests to the council and their open questionnaires. What a member
 * files is `council/filing.ts`.
 */
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
