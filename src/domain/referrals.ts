/**
 * @module Referrals to the discipline council (issue 15, art. 28 c.2, R-VER-8, R-VER-9): who is
 * referred from the verification's final statuses and from when, what a new preparation of the
 * list does to the referrals it already holds, and the states a referral goes through. Pure: the
 * service loads the snapshots and the referrals, the store keeps them.
 *
 * - A member's final status is the February row, replaced by the June row for a member in both
 *   (the debt re-check decides debtors), as `verificationAggregates` reads them (R-VER-7).
 * - Referred: `short` with no debt request waiting for a decision, and `debt-not-settled` (June).
 *   Held, not referred yet: `debt-accepted` (settlement runs to 30 June, R-DEBT-4) and `short`
 *   with a debt request not decided (R-DEBT-2: accepting it makes the member `debt-accepted`).
 *   Everyone in order, and `not-due`, is never referred (R-VER-8).
 * - A list is prepared once 28 February 23:59:59.999 Rome has passed (a debt request may be filed
 *   until then), on the latest (or a named) February snapshot and June snapshot when there is one;
 *   a `short` member who has a debt request on file now (filed or accepted after the snapshot was
 *   run) is held too, until the verification is run again (R-VER-8).
 * - prepared → sent → answered; a prepared referral whose member is no longer to be referred in a
 *   newer basis is withdrawn; a sent or answered one stays, with a note (R-VER-9).
 */
import { canonicalJson, phaseInstant, type VerificationPhase, type VerificationRow, type VerificationStatus } from './verification.ts';

export const REFERRAL_STATES = ['prepared', 'sent', 'answered', 'withdrawn'] as const;
export type ReferralState = (typeof REFERRAL_STATES)[number];

/** The states a referral may move to by hand; `withdrawn` only comes from a preparation (R-VER-9). */
export const REFERRAL_TRANSITIONS: Readonly<Record<ReferralState, readonly ('sent' | 'answered')[]>> = Object.freeze({
  prepared: ['sent'],
  sent: ['answered'],
  answered: [],
  withdrawn: [],
});

/** Final statuses that refer a member to the discipline council (R-VER-8). */
export const REFERRED_STATUSES: readonly VerificationStatus[] = ['short', 'debt-not-settled'];

/** Why a member of the verification is not referred (now, or at all). */
export type NotReferredReason =
  /** In order, or not due: never referred. */
  | 'in-order'
  | 'not-due'
  /** Held: a debt was accepted and may be settled until 30 June (R-DEBT-4). */
  | 'debt-recovery-open'
  /** Held: a debt request waits for the CPO's decision (R-DEBT-2). */
  | 'debt-request-pending'
  /** The member is not in the basis's February snapshot (moved away, removed). */
  | 'not-in-verification';

export type ReferralVerdict = { refer: true } | { refer: false; reason: NotReferredReason };

/**
 * Whether a member's final row refers them (R-VER-8): `short` without a debt request waiting for a
 * decision, and `debt-not-settled`. `debt-accepted` and a `short` with a pending request are held
 * (`debtRequestOnFile`: the register holds one now, filed or accepted after the snapshot was run);
 * members in order (and `not-due`) are never referred.
 *
 * @example referralVerdict({ ...row, status: 'debt-accepted' }) // { refer: false, reason: 'debt-recovery-open' }
 * @rule R-VER-8
 */
export function referralVerdict(row: Pick<VerificationRow, 'status' | 'details'>, debtRequestOnFile = false): ReferralVerdict {
  switch (row.status) {
    case 'short':
      return row.details.debtRequestFiled || debtRequestOnFile ? { refer: false, reason: 'debt-request-pending' } : { refer: true };
    case 'debt-not-settled':
      return { refer: true };
    case 'debt-accepted':
      return { refer: false, reason: 'debt-recovery-open' };
    case 'not-due':
      return { refer: false, reason: 'not-due' };
    default:
      return { refer: false, reason: 'in-order' };
  }
}

/** A snapshot a list rests on: its phase, version and rows. */
export interface BasisSnapshot {
  version: number;
  rows: readonly VerificationRow[];
}

/** What a list is prepared from (R-VER-8): a February snapshot and, when one exists, a June one. */
export interface ReferralBasis {
  february: BasisSnapshot;
  june: BasisSnapshot | null;
}

/** A member's final row and where it comes from. */
export interface FinalRow {
  row: VerificationRow;
  phase: VerificationPhase;
  version: number;
}

/**
 * Each member's final row (R-VER-7, R-VER-8): the February row, replaced by the June row of the
 * same member when there is one; June rows of members missing from February are ignored, as the
 * CN's aggregates ignore them.
 */
export function finalRows(basis: ReferralBasis): Map<string, FinalRow> {
  const out = new Map<string, FinalRow>();
  for (const row of basis.february.rows) out.set(row.memberId, { row, phase: 'february', version: basis.february.version });
  if (basis.june) for (const row of basis.june.rows) if (out.has(row.memberId)) out.set(row.memberId, { row, phase: 'june', version: basis.june.version });
  return out;
}

/**
 * From when a list may be prepared (R-VER-8): once the February phase's instant has passed
 * (28 February 23:59:59.999 Rome), the last day a debt request may be filed (R-DEBT-2).
 *
 * @example referralsOpenAt(2025).toISOString() // '2027-02-28T22:59:59.999Z': preparing needs a later instant
 * @rule R-VER-8
 */
export function referralsOpenAt(biennium: number): Date {
  return phaseInstant(biennium, 'february').at;
}

/** A later verification's word on a sent or answered referral (R-VER-9). */
export interface ReferralNote {
  phase: VerificationPhase;
  version: number;
  /** The member's final status there; null when the member is not in it. */
  status: VerificationStatus | null;
  reason: NotReferredReason;
}

/** A referral of the list that is not withdrawn, as far as a preparation reads it. */
export interface OpenReferral {
  id: string;
  memberId: string;
  state: 'prepared' | 'sent' | 'answered';
  phase: VerificationPhase;
  version: number;
  row: VerificationRow;
  note: ReferralNote | null;
}

export interface ReferralPlan {
  /** Members referred for the first time (or again after a withdrawal), by member id. */
  create: FinalRow[];
  /** Prepared referrals whose member's row (or phase) changed: the letter states the new one. */
  refresh: (FinalRow & { id: string; from: { phase: VerificationPhase; version: number } })[];
  /** Prepared referrals whose member is no longer to be referred. */
  withdraw: { id: string; note: ReferralNote }[];
  /** Sent or answered referrals whose member is no longer to be referred: they stay, with this note. */
  note: { id: string; note: ReferralNote }[];
  /** Sent or answered referrals with a note whose member is to be referred again: the note is cleared. */
  clearNote: { id: string; phase: VerificationPhase; version: number; status: VerificationStatus }[];
  /** Members held back (not referred yet) in this basis. */
  held: { debtRecovery: number; debtRequest: number };
  /** Members to refer in this basis (open referrals that stay, and new ones). */
  referred: number;
}

/**
 * What preparing the list on `basis` does, given its open referrals (R-VER-8, R-VER-9):
 * - a member to refer with no open referral gets one;
 * - a prepared referral of a member still to refer is refreshed when the member's row or its
 *   phase differs (a newer version with the same row leaves the letter as it is: it still states
 *   the truth); of a member no longer to refer, withdrawn;
 * - a sent or answered referral never changes: a member no longer to refer adds a note, a member
 *   to refer again clears it.
 * `debtRequestsOnFile` are the members with a debt request filed or accepted in the register now
 * (R-VER-8). The same basis, referrals and requests give an empty plan: preparing twice changes
 * nothing.
 *
 * @rule R-VER-8
 * @rule R-VER-9
 */
export function planReferrals(basis: ReferralBasis, open: readonly OpenReferral[], debtRequestsOnFile: ReadonlySet<string> = new Set()): ReferralPlan {
  const finals = finalRows(basis);
  const byMember = new Map(open.map((r) => [r.memberId, r]));
  const plan: ReferralPlan = { create: [], refresh: [], withdraw: [], note: [], clearNote: [], held: { debtRecovery: 0, debtRequest: 0 }, referred: 0 };
  for (const [memberId, f] of [...finals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const v = referralVerdict(f.row, debtRequestsOnFile.has(memberId));
    if (!v.refer && v.reason === 'debt-recovery-open') plan.held.debtRecovery++;
    if (!v.refer && v.reason === 'debt-request-pending') plan.held.debtRequest++;
    if (v.refer) plan.referred++;
    const r = byMember.get(memberId);
    if (!r) {
      if (v.refer) plan.create.push(f);
      continue;
    }
    judge(r, v, f);
  }
  for (const r of open) if (!finals.has(r.memberId)) judge(r, { refer: false, reason: 'not-in-verification' }, null);
  return plan;

  function judge(r: OpenReferral, v: ReferralVerdict, f: FinalRow | null): void {
    const at = f ?? { phase: 'february' as const, version: basis.february.version, row: null };
    if (r.state === 'prepared') {
      if (!v.refer) plan.withdraw.push({ id: r.id, note: { phase: at.phase, version: at.version, status: f?.row.status ?? null, reason: v.reason } });
      else if (f && (f.phase !== r.phase || canonicalJson(f.row) !== canonicalJson(r.row)))
        plan.refresh.push({ ...f, id: r.id, from: { phase: r.phase, version: r.version } });
      return;
    }
    if (!v.refer && !r.note) plan.note.push({ id: r.id, note: { phase: at.phase, version: at.version, status: f?.row.status ?? null, reason: v.reason } });
    else if (v.refer && r.note && f) plan.clearNote.push({ id: r.id, phase: f.phase, version: f.version, status: f.row.status });
  }
}

/** Why a transition is refused (R-VER-9). */
export type TransitionRefusal = 'invalid-transition' | 'date-too-early' | 'date-in-future';

/**
 * Moving a referral by hand (R-VER-9): prepared → sent on a day from the letter's date to today,
 * sent → answered on a day from the sending to today (Rome calendar dates, `YYYY-MM-DD`); every
 * other move is `invalid-transition` (a withdrawn or answered referral moves no more).
 *
 * @example referralTransition({ state: 'prepared', letterOn: '2027-03-02', sentOn: null }, 'sent', '2027-03-01', '2027-03-05') // { ok: false, error: 'date-too-early' }
 * @rule R-VER-9
 */
export function referralTransition(
  current: { state: ReferralState; letterOn: string; sentOn: string | null },
  to: 'sent' | 'answered',
  on: string,
  today: string,
): { ok: true } | { ok: false; error: TransitionRefusal } {
  if (!REFERRAL_TRANSITIONS[current.state].includes(to)) return { ok: false, error: 'invalid-transition' };
  const from = to === 'sent' ? current.letterOn : (current.sentOn ?? current.letterOn);
  if (on < from) return { ok: false, error: 'date-too-early' };
  if (on > today) return { ok: false, error: 'date-in-future' };
  return { ok: true };
}

/**
 * The referral's number as its letter prints it: the province, the biennium and its place in the
 * list, never reused (numbers follow creation, a withdrawn referral keeps its own).
 *
 * @example referralNumber('MI', 2025, 7) // 'DEF-MI-2025-0007'
 */
export function referralNumber(province: string, biennium: number, seq: number): string {
  return `DEF-${province}-${biennium}-${String(seq).padStart(4, '0')}`;
}

/** Who issues a referral letter in law (R-DOC-1): the CPO of the province (art. 28 c.2). */
export function referralIssuer(province: string): string {
  return `cpo:${province}`;
}

/** The subject of a referral's verifiable document. */
export function referralSubject(referralId: string): string {
  return `referral:${referralId}`;
}
