/**
 * @module Reductions of the obligation for councils (R-RED): the calculator, and the procedure of
 * R-RED-7 on requests members file from their dashboard: acknowledge with a protocol number and a
 * responsible officer, pre-deny with 10 days to add documents, decide (approve with the reduction,
 * its split and validity, or deny with reasons) within the profile's term. Each step is one
 * transaction that locks the request, checks the transition (`nextState`), writes the columns and
 * the step with who and when; a decision asks the ledger to record how the member's balance changed (R-POL-2).
 */
import { romeDate } from '../../domain/calendar.ts';
import { resolvePolicy, type Policy, type ProfileName } from '../../domain/policy.ts';
import {
  appealDeadline,
  computeReduction,
  cumulativeReduction,
  decisionDeadline,
  integrationDeadline,
  nextState,
  splitReduction,
  type ReductionAction,
  type ReductionCause,
  type ReductionState,
} from '../../domain/reduction.ts';
import {
  getDocument,
  getReduction,
  insertStep,
  listReductions,
  updateReduction,
  type ReductionRow,
  type ReductionUpdate,
} from '../../store/member-requests.ts';
import { currentPolicy } from '../../store/policy.ts';
import { actorRef, type Actor } from '../actor.ts';
import { balancesMayHaveChanged } from '../balance/ledger.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';
import { provinceOf, visibleTo, type RequestListInput, type StoredDocument } from './requests.ts';

type Ctx = Pick<ServiceContext, 'db' | 'ledger' | 'log' | 'now'>;

/**
 * The calculator (R-RED-2, R-RED-3, R-RED-4, R-RED-5): each cause rounded and split on its own,
 * then added up under the profile ceiling. Without `profile`, a CPO uses its own policy, others the national profile.
 */
export async function calculateReductions(
  ctx: Pick<ServiceContext, 'db'>,
  actor: Actor,
  input: { biennium: number; profile?: ProfileName; cases: ReadonlyArray<{ cause: ReductionCause; input: Record<string, unknown> }> },
) {
  const policy = input.profile
    ? resolvePolicy(input.profile, {})
    : actor.role === 'cpo'
      ? (await currentPolicy(ctx.db, actor.subject!)).policy
      : resolvePolicy('national', {});
  const results = input.cases.map((k) => computeReduction(k.cause, k.input as never, { biennium: input.biennium, policy }));
  const ok = results.filter((r) => r.ok);
  const total = cumulativeReduction(ok, { policy, obligation: { total: 50, deontology: 6 } });
  return { cases: results, total };
}

/** Requests filed with the CPO (all for the CN), newest first, with documents and steps. */
export async function listReductionRequests(ctx: Pick<ServiceContext, 'db'>, actor: Actor, q: RequestListInput): Promise<ReductionRow[]> {
  return listReductions(ctx.db, { province: provinceOf(actor), ...q });
}

/** One request the actor may see. */
export async function getReductionRequest(ctx: Pick<ServiceContext, 'db'>, actor: Actor, id: string): Promise<ReductionRow> {
  const r = await getReduction(ctx.db, id);
  visibleTo(actor, r, 'reduction-not-found');
  return r;
}

/** A document the member attached to a request, as uploaded. */
export async function reductionDocument(ctx: Pick<ServiceContext, 'db'>, actor: Actor, input: { id: string; doc: string }): Promise<StoredDocument> {
  const r = await getReductionRequest(ctx, actor, input.id);
  if (!r.documents.some((d) => d.id === input.doc)) throw new ServiceError('document-not-found');
  return (await getDocument(ctx.db, input.doc))!;
}

/** One step of the procedure: checks the transition, writes the columns and the step, returns the request. */
async function step(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  actor: Actor,
  id: string,
  action: ReductionAction,
  build: (r: ReductionRow, today: string, policy: Policy) => { set: ReductionUpdate; detail: Record<string, unknown> },
): Promise<ReductionRow> {
  const at = new Date(ctx.now());
  const today = romeDate(at);
  await ctx.db.transaction(async (tx) => {
    const r = await getReduction(tx, id, { forUpdate: true });
    visibleTo(actor, r, 'reduction-not-found');
    const next = nextState(r.status as ReductionState, action);
    if (!next.ok)
      throw new ServiceError('invalid-transition', `A request that is ${r.status} cannot be ${action === 'pre-deny' ? 'pre-denied' : action + 'd'} (R-RED-7)`);
    // Read inside the transaction: on PGlite (one connection) a query outside it would wait for it.
    const policy = (await currentPolicy(tx, r.province)).policy;
    const { set, detail } = build(r, today, policy);
    if (!(await updateReduction(tx, id, r.status, next.state, set, at))) throw new ServiceError('conflict');
    await insertStep(tx, id, { action, from: r.status, to: next.state, actor: actorRef(actor), detail, at });
  });
  return (await getReduction(ctx.db, id))!;
}

/** Acknowledges a request with its protocol number and responsible officer (R-RED-7). */
export async function acknowledgeReduction(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  actor: Actor,
  input: { id: string; protocolNumber: string; officer: string },
): Promise<ReductionRow> {
  try {
    return await step(ctx, actor, input.id, 'acknowledge', () => ({
      set: { protocol_number: input.protocolNumber, officer: input.officer },
      detail: { protocolNumber: input.protocolNumber, officer: input.officer },
    }));
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new ServiceError('protocol-number-taken', 'This protocol number is already used in the province');
    throw err;
  }
}

/** Pre-denies: the member has 10 days to add documents; the decision term is extended by them (R-RED-7). */
export async function preDenyReduction(ctx: Pick<ServiceContext, 'db' | 'now'>, actor: Actor, input: { id: string; reasons: string }): Promise<ReductionRow> {
  const { reasons } = input;
  return step(ctx, actor, input.id, 'pre-deny', (r, today, policy) => {
    const integration = integrationDeadline(today, policy);
    return {
      set: {
        pre_denial_reasons: reasons,
        integration_deadline: integration,
        decision_deadline: decisionDeadline({ filedOn: r.filedOn, preDenialOn: today }, policy),
      },
      detail: { reasons, integrationDeadline: integration },
    };
  });
}

/** Approves (the calculator's reduction unless stated, split by R-RED-4, validity by R-RED-6) or denies with reasons (R-RED-7). */
export async function decideReduction(
  ctx: Ctx,
  actor: Actor,
  input: { id: string; decision: 'approve' | 'deny'; reduction?: number; deontology?: number; reasons?: string },
): Promise<ReductionRow> {
  const action: ReductionAction = input.decision === 'approve' ? 'approve' : 'deny';
  const r = await step(ctx, actor, input.id, action, (r, today, policy) => {
    const computed = r.computed as { reduction: number; validity: string; validUntil: string | null };
    let decision: Record<string, unknown>;
    if (action === 'approve') {
      const reduction = input.reduction ?? computed.reduction;
      const split =
        input.deontology !== undefined
          ? { reduction, deontology: Math.min(input.deontology, reduction), ordinary: reduction - Math.min(input.deontology, reduction) }
          : splitReduction(reduction);
      decision = {
        outcome: 'approved',
        ...split,
        validity: computed.validity,
        validUntil: computed.validUntil,
        ...(input.reasons ? { reasons: input.reasons } : {}),
      };
    } else {
      decision = { outcome: 'denied', reasons: input.reasons };
    }
    return {
      set: { decision, decided_at: new Date(ctx.now()), decided_by: actorRef(actor), notified_on: today, appeal_deadline: appealDeadline(today, policy) },
      detail: decision,
    };
  });
  ctx.log.info({ requestId: r.id, outcome: action }, 'reduction decided');
  // The request's biennium; a permanent reduction carries into the current one (R-RED-6).
  await balancesMayHaveChanged(ctx, {
    cause: `reduction request ${r.id} ${action === 'approve' ? 'approved' : 'denied'} (R-RED-7)`,
    actor: actorRef(actor),
    scope: { memberIds: [r.memberId] },
    extra: [r.biennium],
  });
  return r;
}
