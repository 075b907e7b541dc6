/**
 * @module Handing a questionnaire's link over another way (issue 14, "Found when tried"): without
 * `SMTP_URL`, or with a wrong address, the link mail waits in the outbox. The organiser of the
 * event (or its accrediting CPO) may copy a fresh link to give the member, or send the mail again
 * once the address is right. A copied link is the same page: its 10 days start when the member
 * first opens it, if no mail reached them before (R-QST-2).
 */
import { canSeeEvent } from '../../domain/roles.ts';
import { eventAccessRow } from '../../store/events-lookup.ts';
import { getOutbox, outboxIdsByDedupKey, readdressOutbox } from '../../store/outbox.ts';
import { getQuestionnaire, questionnaireAddress } from '../../store/questionnaire.ts';
import type { Actor } from '../actor.ts';
import { actorRef } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { LINK_LIFETIME_MS, QUESTIONNAIRE_LINK_MAIL } from './dispatch.ts';

/** Who hands links over: the event's organiser and its accrediting CPO (the CN and admin see, but do not act for members). */
async function handedQuestionnaire(ctx: Pick<ServiceContext, 'db'>, actor: Actor, questionnaireId: string) {
  if (actor.role !== 'organiser' && actor.role !== 'cpo') throw new ServiceError('forbidden', 'Only the organiser or the accrediting CPO hands a link over');
  const q = await getQuestionnaire(ctx.db, questionnaireId);
  const event = q ? await eventAccessRow(ctx.db, q.eventId) : null;
  if (!q || !event || !canSeeEvent(actor, event)) throw new ServiceError('questionnaire-not-found');
  return q;
}

/** A fresh link to the member's questionnaire page, to copy and hand over (valid as long as a mailed one). */
export async function questionnaireLink(
  ctx: Pick<ServiceContext, 'db' | 'links' | 'config' | 'now' | 'log'>,
  actor: Actor,
  input: { questionnaireId: string; origin: string },
): Promise<{ url: string; expiresAt: string }> {
  const q = await handedQuestionnaire(ctx, actor, input.questionnaireId);
  const expiresAt = new Date(ctx.now() + LINK_LIFETIME_MS);
  const token = await ctx.links.sign('questionnaire', q.id, expiresAt);
  ctx.log.info({ questionnaireId: q.id, by: actorRef(actor) }, 'questionnaire link handed over');
  return { url: `${(ctx.config.PUBLIC_URL ?? input.origin).replace(/\/+$/, '')}/q/${token}`, expiresAt: expiresAt.toISOString() };
}

/**
 * Sends the link mail again to `email`, or to the address the register (else the registration)
 * now holds. Only a mail not yet sent: a delivered one has started the member's 10 days.
 */
export async function resendQuestionnaireMail(
  ctx: Pick<ServiceContext, 'db' | 'mail' | 'log'>,
  actor: Actor,
  input: { questionnaireId: string; email?: string | undefined },
): Promise<{ outboxId: number; queued: boolean }> {
  const q = await handedQuestionnaire(ctx, actor, input.questionnaireId);
  const key = `${QUESTIONNAIRE_LINK_MAIL}:${q.id}`;
  const outboxId = (await outboxIdsByDedupKey(ctx.db, [key])).get(key);
  if (outboxId === undefined) throw new ServiceError('questionnaire-not-found', 'No link mail was written for it');
  if ((await getOutbox(ctx.db, outboxId))?.sentAt) throw new ServiceError('mail-already-sent');
  const address = input.email?.trim() || (await questionnaireAddress(ctx.db, q.id));
  if (!address) throw new ServiceError('no-address', 'Neither the register nor the registration holds an address: give one');
  // Sent meanwhile (the worker was on it): refused like above.
  if (!(await readdressOutbox(ctx.db, outboxId, address))) throw new ServiceError('mail-already-sent');
  ctx.log.info({ questionnaireId: q.id, outboxId, by: actorRef(actor) }, 'questionnaire mail readdressed');
  if (!ctx.mail) return { outboxId, queued: false };
  await ctx.mail.send([outboxId]);
  return { outboxId, queued: true };
}
