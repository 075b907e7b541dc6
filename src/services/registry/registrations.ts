/**
 * @module Registering members to an event (R-EVT-4, R-ATT-7) and listing its registrations. The
 * platform's registrant id and e-mail tie a participant to a member, so each is one member's.
 */
import { validateCodiceFiscale } from '../../domain/codice-fiscale.ts';
import { inAudience } from '../../domain/provinces.ts';
import { planRegistrations, type RegistrationRequest } from '../../domain/registrations.ts';
import type { Registration, RegistrationInput, RegistrationResult } from '../../schemas/registrations.ts';
import {
  listRegistrations as listRegistrationRows,
  lockEventForRegistrations,
  membersByIdOrCodiceFiscale,
  registrationIdentities,
  upsertRegistrations,
} from '../../store/registrations.ts';
import type { Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { visibleStoredEvent } from './events.ts';
import { requestDerivation } from './shared.ts';

/**
 * Registers a batch to an event the actor may see, idempotently (a repeat updates the registrant
 * id / e-mail it gives). Rows are refused one by one (`invalid-codice-fiscale`, `member-not-found`,
 * `duplicate-in-batch`, `registrant-id-taken`, `email-taken`); a closed course refuses the batch
 * (R-EVT-7). Webinar rows outside the audience (R-EVT-4) are registered and listed: they will get
 * no credit (R-ATT-8). Evidence already stored may now match, so a derivation is asked for.
 */
export async function registerMembers(
  ctx: Pick<ServiceContext, 'db' | 'attendance' | 'redisReady' | 'log'>,
  actor: Actor,
  eventId: string,
  registrations: readonly RegistrationInput[],
): Promise<RegistrationResult> {
  const event = await visibleStoredEvent(ctx.db, actor, eventId);
  const rows: RegistrationRequest[] = [];
  const refused: Array<{ index: number; code: string }> = [];
  registrations.forEach((r, index) => {
    let codiceFiscale: string | undefined;
    if (r.codiceFiscale !== undefined) {
      const v = validateCodiceFiscale(r.codiceFiscale);
      if (!v.ok) return void refused.push({ index, code: 'invalid-codice-fiscale' });
      codiceFiscale = v.value;
    }
    rows.push({ index, memberId: r.memberId, codiceFiscale, registrantId: r.registrantId, email: r.email });
  });
  const out = await ctx.db.transaction(async (tx) => {
    const locked = await lockEventForRegistrations(tx, eventId);
    if (!locked) return { kind: 'not-found' as const };
    if (locked.closedAt) return { kind: 'closed' as const };
    const ids = rows.flatMap((r) => (r.memberId ? [r.memberId] : []));
    const cfs = rows.flatMap((r) => (r.codiceFiscale ? [r.codiceFiscale] : []));
    const members = await membersByIdOrCodiceFiscale(tx, ids, cfs);
    const current = await registrationIdentities(tx, eventId);
    const plan = planRegistrations(rows, members, current);
    if (plan.accepted.length) await upsertRegistrations(tx, eventId, plan.accepted);
    return { kind: 'done' as const, ...plan };
  });
  if (out.kind === 'not-found') throw new ServiceError('event-not-found');
  if (out.kind === 'closed') throw new ServiceError('event-closed', 'The course is closed (R-EVT-7)');
  // R-EVT-4: only webinars have an audience; outsiders are kept and will get no credit (R-ATT-8).
  const outsideAudience =
    event.mode === 'webinar'
      ? out.accepted
          .filter((a) => !inAudience({ memberProvince: a.province, cpoProvince: event.cpoProvince, regionWide: event.regionWide }))
          .map((a) => ({ index: a.index }))
      : [];
  // Identity goes through the registration (R-ATT-7): evidence already stored may now match.
  const registered = out.accepted.length;
  if (registered) await requestDerivation(ctx, eventId, 'registrations');
  return { registered, rejected: [...refused, ...out.rejected].sort((a, b) => a.index - b.index), outsideAudience };
}

/** The registrations of an event the actor may see, each saying whether the member is in its audience (R-EVT-4). */
export async function listRegistrations(ctx: Pick<ServiceContext, 'db'>, actor: Actor, eventId: string): Promise<{ items: Registration[] }> {
  const event = await visibleStoredEvent(ctx.db, actor, eventId);
  const items = await listRegistrationRows(ctx.db, event.id);
  return {
    items: items.map((r) => ({
      ...r,
      inAudience: event.mode !== 'webinar' || inAudience({ memberProvince: r.province, cpoProvince: event.cpoProvince, regionWide: event.regionWide }),
    })),
  };
}
