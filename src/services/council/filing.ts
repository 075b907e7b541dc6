/**
 * @module What a member files from the dashboard, checked by the rules before it is stored: an
 * art. 9 declaration (R-ART9-3: closes 31 January after the biennium), a debt request (R-DEBT-1, R-DEBT-2)
 * and a reduction request (R-RED-2, R-RED-3, R-RED-4, R-RED-5, R-RED-6, R-RED-7, R-RED-8: the calculator's amount, the filing window, late filings).
 * Each returns the stored id or a coded refusal the page explains in Italian.
 */
import { DateTime } from 'luxon';
import { art9Closes, isArt9Activity } from '../../domain/art9.ts';
import { bienniumOf } from '../../domain/calendar.ts';
import { checkDebtRequest, debtMaximum } from '../../domain/debt.ts';
import { memberBalance, obligationFor } from '../../domain/member-balance.ts';
import {
  appealDeadline,
  CAUSE_INPUT_KIND,
  computeReduction,
  cumulativeReduction,
  decisionDeadline,
  filingDeadline,
  lateFilingAcceptable,
  nextState,
  type ReductionCause,
  type ReductionOk,
} from '../../domain/reduction.ts';
import type { LoadedFacts } from '../../store/balance.ts';
import type { Db } from '../../store/db.ts';
import {
  art9DuplicateExists,
  attachDocuments,
  getReduction,
  insertArt9,
  insertDebt,
  insertReduction,
  insertStep,
  liveReductionExists,
  lockMemberRow,
  updateReduction,
  type UploadedFile,
} from '../../store/member-requests.ts';

export type Filed = { ok: true; id: string } | { ok: false; code: string; detail?: string };

export async function fileArt9(
  db: Db,
  facts: LoadedFacts,
  d: { activity: string; quantity: number; activityDate: string; description: string; file: UploadedFile; today: string; at: Date },
): Promise<Filed> {
  if (!isArt9Activity(d.activity)) return { ok: false, code: 'unknown-activity' };
  if (!Number.isSafeInteger(d.quantity) || d.quantity < 1 || d.quantity > 1000) return { ok: false, code: 'invalid-quantity' };
  if (d.activityDate > d.today) return { ok: false, code: 'activity-in-future' };
  const biennium = bienniumOf(Number(d.activityDate.slice(0, 4)));
  if (d.today > art9Closes(biennium)) return { ok: false, code: 'declarations-closed', detail: art9Closes(biennium) };
  return db.transaction(async (tx): Promise<Filed> => {
    // One filing at a time per member, so a double click cannot declare the same activity twice.
    await lockMemberRow(tx, facts.memberId);
    if (await art9DuplicateExists(tx, { memberId: facts.memberId, activity: d.activity, activityDate: d.activityDate, quantity: d.quantity }))
      return { ok: false, code: 'art9-duplicate' };
    const id = await insertArt9(tx, {
      memberId: facts.memberId,
      province: facts.province,
      activity: d.activity,
      quantity: d.quantity,
      activityDate: d.activityDate,
      description: d.description,
      file: d.file,
      at: d.at,
    });
    return { ok: true, id };
  });
}

/** R-DEBT-1, R-DEBT-2: within the biennium's maximum, by 28 February after it, no more than what is missing. */
export async function fileDebt(
  db: Db,
  facts: LoadedFacts,
  d: { biennium: number; total: number; deontology: number; today: string; at: Date },
): Promise<Filed> {
  // What is missing, deontology within the total (a member 2 short with 3 deontology missing needs 3).
  const shortfall = memberBalance(facts, d.biennium, d.today).balance.missing;
  const check = checkDebtRequest(
    { biennium: d.biennium, filedOn: d.today, total: d.total, deontology: d.deontology },
    { maximum: debtMaximum(d.biennium, facts.policy), shortfall },
  );
  if (!check.ok) return { ok: false, code: check.reason, detail: check.message };
  const r = await insertDebt(db, {
    memberId: facts.memberId,
    province: facts.province,
    biennium: d.biennium,
    total: d.total,
    deontology: d.deontology,
    filedOn: d.today,
    at: d.at,
  });
  return r === 'exists' ? { ok: false, code: 'debt-request-exists' } : { ok: true, id: r.id };
}

/** The calculator on a member's own facts: what the cause would reduce, and the obligation it would leave (R-RED-2, R-RED-3, R-RED-4, R-RED-5, R-OBL-6). */
export function previewReduction(facts: LoadedFacts, biennium: number, cause: ReductionCause, input: Record<string, unknown>) {
  const base = obligationFor(facts, biennium);
  const result = computeReduction(cause, input as never, { biennium, policy: facts.policy, obligationTotal: base.base.total });
  if (!result.ok) return { result, obligation: null };
  const already = base.reductions.map((r) => ({ reduction: r.reduction, deontology: r.deontology, ordinary: r.ordinary }));
  const sum = cumulativeReduction([...already, result], { policy: facts.policy, obligation: base.base });
  return { result, obligation: sum.obligation };
}

/** The one date some causes count the filing window from (R-RED-8, see `filingDeadline`). */
function eventDateOf(cause: ReductionCause, input: Record<string, unknown>): string | null {
  switch (CAUSE_INPUT_KIND[cause]) {
    case 'birth':
      return input.birthDate as string;
    case 'arrival':
      return input.arrivalDate as string;
    case 'age':
      // The 70th birthday; luxon clamps 29 February to 28 February in a common year.
      return DateTime.fromISO(input.birthDate as string, { zone: 'utc' })
        .plus({ years: 70 })
        .toISODate();
    default:
      return null;
  }
}

/**
 * Files a reduction request (R-RED-7): the calculator's result is stored with it, and the filing
 * window checked (R-RED-8). A late request the member could no longer make good is refused at once
 * ("otherwise denied with reason"), with the appeal window open; an acceptable late one is filed
 * with the finding for the CPO.
 */
export async function fileReduction(
  db: Db,
  facts: LoadedFacts,
  d: { biennium: number; cause: ReductionCause; input: Record<string, unknown>; files: readonly UploadedFile[]; today: string; at: Date },
): Promise<Filed> {
  const { result, obligation } = previewReduction(facts, d.biennium, d.cause, d.input);
  if (!result.ok) return { ok: false, code: result.rejected, detail: result.message };
  const ok = result as ReductionOk;
  let filing: Record<string, unknown>;
  try {
    const period = { from: ok.period.from, to: ok.period.to };
    filing = { ...filingDeadline({ biennium: d.biennium, filedOn: d.today, period, eventDate: eventDateOf(d.cause, d.input) }, facts.policy) };
  } catch (err) {
    return { ok: false, code: 'outside-biennium', detail: (err as Error).message };
  }
  let deniedLate = false;
  if (!filing.onTime) {
    const balance = memberBalance(facts, d.biennium, d.today).balance;
    const debt = facts.debts.find((x) => x.biennium === d.biennium && x.status === 'accepted');
    const late = lateFilingAcceptable({
      biennium: d.biennium,
      filedOn: d.today,
      counted: {
        total: balance.counted.total + (balance.debt?.settledTotal ?? 0),
        deontology: balance.counted.deontology + (balance.debt?.settledDeontology ?? 0),
      },
      reducedObligation: obligation!,
      debtMaximum: debtMaximum(d.biennium, facts.policy),
      acceptedDebt: debt ? { total: debt.total, deontology: debt.deontology } : null,
    });
    filing.late = late;
    deniedLate = !late.acceptable;
  }
  return db.transaction(async (tx): Promise<Filed> => {
    // One request per cause and biennium (R-RED-7) while it is alive: a double click, or a second
    // request while the first is pending, would otherwise count the same impediment twice. A denied
    // one may be followed by a new request (BA FAQ).
    await lockMemberRow(tx, facts.memberId);
    if (await liveReductionExists(tx, { memberId: facts.memberId, biennium: d.biennium, cause: d.cause }))
      return { ok: false, code: 'reduction-request-exists' };
    const id = await insertReduction(tx, {
      memberId: facts.memberId,
      province: facts.province,
      biennium: d.biennium,
      cause: d.cause,
      input: d.input,
      computed: { ...ok },
      filedOn: d.today,
      filing,
      decisionDeadline: decisionDeadline({ filedOn: d.today }, facts.policy),
      files: d.files,
      at: d.at,
    });
    if (deniedLate) {
      const decision = { outcome: 'denied', reasons: 'late-filing', automatic: true, rule: 'R-RED-8' };
      await updateReduction(
        tx,
        id,
        'filed',
        'denied',
        { decision, decided_at: d.at, decided_by: 'gateway', notified_on: d.today, appeal_deadline: appealDeadline(d.today, facts.policy) },
        d.at,
      );
      await insertStep(tx, id, { action: 'deny', from: 'filed', to: 'denied', actor: 'gateway', detail: decision, at: d.at });
    }
    return { ok: true, id };
  });
}

/** The member adds documents after a pre-denial, within its 10 days (R-RED-7). */
export async function integrateReduction(
  db: Db,
  facts: LoadedFacts,
  d: { id: string; files: readonly UploadedFile[]; note: string; today: string; at: Date },
): Promise<Filed> {
  return db.transaction(async (tx) => {
    const r = await getReduction(tx, d.id, { forUpdate: true });
    if (!r || r.memberId !== facts.memberId) return { ok: false, code: 'reduction-not-found' } as const;
    const step = nextState(r.status as never, 'integrate');
    if (!step.ok) return { ok: false, code: step.error } as const;
    // The 10 days run from the pre-denial; its deadline was stored with it (R-RED-7).
    if (r.integrationDeadline && d.today > r.integrationDeadline) return { ok: false, code: 'out-of-time' } as const;
    await attachDocuments(tx, r.id, facts.memberId, d.files, 'integration', d.at);
    await updateReduction(tx, r.id, r.status, step.state, {}, d.at);
    await insertStep(tx, r.id, {
      action: 'integrate',
      from: r.status,
      to: step.state,
      actor: 'member',
      detail: { documents: d.files.length, note: d.note },
      at: d.at,
    });
    return { ok: true, id: r.id } as const;
  });
}

/** The member appeals a decision to the CN within 30 days of its notification (R-RED-7). */
export async function appealReduction(db: Db, facts: LoadedFacts, d: { id: string; text: string; today: string; at: Date }): Promise<Filed> {
  return db.transaction(async (tx) => {
    const r = await getReduction(tx, d.id, { forUpdate: true });
    if (!r || r.memberId !== facts.memberId) return { ok: false, code: 'reduction-not-found' } as const;
    const step = nextState(r.status as never, 'appeal', { on: d.today, since: r.notifiedOn ?? d.today, policy: facts.policy });
    if (!step.ok) return { ok: false, code: step.error } as const;
    const appeal = { text: d.text, filedOn: d.today };
    await updateReduction(tx, r.id, r.status, step.state, { appeal }, d.at);
    await insertStep(tx, r.id, { action: 'appeal', from: r.status, to: step.state, actor: 'member', detail: appeal, at: d.at });
    return { ok: true, id: r.id } as const;
  });
}

/** The biennium a request concerns by default: the current one, or the one just ended until its debt window closes. */
export function defaultBiennium(today: string): number {
  return bienniumOf(Number(today.slice(0, 4)));
}
