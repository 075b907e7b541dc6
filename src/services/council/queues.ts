/**
 * @module What waits for a council, counted for the console's home page (issue 15): accreditation
 * requests with the first silence-consent deadline (R-EVT-3), art. 9 declarations, debt requests,
 * reductions with the first decision deadline (R-RED-7) and, for the CN, the alerts of distance
 * grants not yet read (R-FAD-3). A CPO counts its own province, the CN every one.
 */
import { romeDate } from '../../domain/calendar.ts';
import { openAlertCount } from '../../store/grants.ts';
import { waitingCounts } from '../../store/member-requests.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { accreditationQueue } from '../registry/events.ts';

export interface CouncilQueues {
  accreditations: { count: number; firstDeadline: string | null };
  art9: number;
  debts: number;
  reductions: { count: number; firstDeadline: string | null };
  /** The CN's unread alerts; null for a CPO. */
  alerts: number | null;
}

export async function councilQueues(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor): Promise<CouncilQueues> {
  if (actor.role !== 'cpo' && actor.role !== 'cn' && actor.role !== 'admin') throw new ServiceError('forbidden');
  const province = actor.role === 'cpo' ? actor.subject : null;
  const [requested, waiting, alerts] = await Promise.all([
    accreditationQueue(ctx, actor),
    waitingCounts(ctx.db, province, romeDate(ctx.now())),
    actor.role === 'cpo' ? null : openAlertCount(ctx.db),
  ]);
  const deadlines = requested.flatMap((e) => (e.accreditation.deadline ? [e.accreditation.deadline] : [])).sort();
  return {
    accreditations: { count: requested.length, firstDeadline: deadlines[0] ?? null },
    art9: waiting.art9,
    debts: waiting.debts,
    reductions: { count: waiting.reductions, firstDeadline: waiting.firstReductionDeadline },
    alerts,
  };
}
