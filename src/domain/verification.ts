/**
 * @module The council's verification after a biennium (issue 15, R-VER-1 … R-VER-6): the
 * campaign's instants on the Rome calendar, each member's status as of that instant from the
 * balance `memberBalance` derived (the credit rules are never re-implemented here), a canonical
 * digest of a snapshot's rows, the diff between two snapshots and the aggregates the CN reads.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { assertBiennium, ROME } from './calendar.ts';
import { DEBT_FILING_DEADLINE, DEBT_SETTLEMENT_DEADLINE } from './debt.ts';
import type { CreditItem } from './balance.ts';
import type { MemberBalance, MemberFacts } from './member-balance.ts';

export const VERIFICATION_PHASES = ['february', 'june'] as const;
export type VerificationPhase = (typeof VERIFICATION_PHASES)[number];

export const VERIFICATION_STATUSES = ['compliant', 'reduced', 'new-member', 'not-due', 'short', 'debt-accepted', 'debt-settled', 'debt-not-settled'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/** Statuses of members in order with the biennium (art. 26 c.4); `not-due` members are left out of the count and of the share. */
export const IN_ORDER: readonly VerificationStatus[] = ['compliant', 'reduced', 'new-member', 'debt-settled'];

export interface CampaignDates {
  /** 28 February after the biennium, 23:59:59.999 Rome (CET, +01:00). */
  asOf: Date;
  /** Its Rome date, what the balance is derived as of. */
  asOfDate: string;
  /** 30 June after the biennium, 23:59:59.999 Rome (CEST, +02:00). */
  debtAsOf: Date;
  debtAsOfDate: string;
  /** The first day a campaign may run: 1 January after the biennium, 00:00 Rome. */
  opensAt: Date;
}

/**
 * The campaign's instants (R-VER-1): the verification as of 28 February after the biennium and
 * the debt re-check as of 30 June (R-DEBT-4), each at 23:59:59.999 Europe/Rome (R-CAL-2, R-CAL-3).
 * The year after a biennium is odd (R-CAL-1), so never a leap year: 28 February is always the
 * last day of that February. Throws `RangeError` for a year that names no biennium.
 *
 * @example campaignDates(2025).asOf.toISOString() // '2027-02-28T22:59:59.999Z'
 * @rule R-VER-1
 */
export function campaignDates(biennium: number): CampaignDates {
  assertBiennium(biennium);
  const year = biennium + 2;
  const endOf = (md: string) => DateTime.fromISO(`${year}-${md}`, { zone: ROME }).endOf('day');
  const feb = endOf(DEBT_FILING_DEADLINE);
  const jun = endOf(DEBT_SETTLEMENT_DEADLINE);
  return {
    asOf: feb.toJSDate(),
    asOfDate: feb.toISODate()!,
    debtAsOf: jun.toJSDate(),
    debtAsOfDate: jun.toISODate()!,
    opensAt: DateTime.fromISO(`${year}-01-01`, { zone: ROME }).startOf('day').toJSDate(),
  };
}

/** The instant and Rome date of a phase (R-VER-1). */
export function phaseInstant(biennium: number, phase: VerificationPhase): { at: Date; date: string } {
  const d = campaignDates(biennium);
  return phase === 'february' ? { at: d.asOf, date: d.asOfDate } : { at: d.debtAsOf, date: d.debtAsOfDate };
}

/**
 * The facts as they stood on the Rome date `asOf` (R-VER-3): credits dated after it are left out
 * (a credit of 1 March cannot make anyone compliant on 28 February, nor settle a debt then). Every
 * other fact is taken as stored at the run: a record or a decision that arrives later for a date
 * before `asOf` is a new fact, and a new run gives a new version.
 *
 * @rule R-VER-3
 */
export function factsAsOf<F extends MemberFacts>(facts: F, asOf: string): F {
  return { ...facts, items: facts.items.filter((i: CreditItem) => i.date <= asOf) };
}

/** Whether a member is re-checked in the June phase: an accepted debt for the biennium (R-VER-2, R-DEBT-4). */
export function hasAcceptedDebt(facts: Pick<MemberFacts, 'debts'>, biennium: number): boolean {
  return facts.debts.some((d) => d.biennium === biennium && d.status === 'accepted');
}

/** One member's line of a snapshot; plain JSON with a fixed key order. */
export interface VerificationRow {
  memberId: string;
  status: VerificationStatus;
  /** The effective obligation (R-OBL-6). */
  obligation: { total: number; deontology: number };
  /** Counted credits, plus those that settled this biennium's debt (R-DEBT-3). */
  credits: { total: number; deontology: number };
  missing: { total: number; deontology: number };
  details: {
    /** Months of the biennium the obligation runs (R-OBL-3): 24 unless a new member. */
    months: number;
    reduction: { total: number; deontology: number; causes: string[] } | null;
    debt: { total: number; deontology: number; settled: number; remaining: { total: number; deontology: number } } | null;
    /** A debt request filed and not decided (R-DEBT-2). */
    debtRequestFiled: boolean;
    distancePct: number;
  };
}

/**
 * A member's status as of the phase's instant (R-VER-4), from the derived balance:
 * - `not-due`: the obligation of the biennium never started (registered from its last December on, R-OBL-3);
 * - compliant members (counted + settled ≥ obligation): `debt-settled` when an accepted debt was
 *   settled (R-DEBT-3), else `reduced` when an approved reduction lowered the obligation (R-OBL-6),
 *   else `new-member` when the obligation was pro-rated (R-OBL-3), else `compliant`;
 * - the others: with an accepted debt, `debt-accepted` in February (settlement runs to 30 June) and
 *   `debt-not-settled` in June (R-DEBT-4); without one, `short`.
 *
 * @rule R-VER-4
 */
export function verificationStatus(m: MemberBalance, phase: VerificationPhase): VerificationStatus {
  const b = m.balance;
  if (m.obligation.base.months === 0) return 'not-due';
  if (b.compliant) {
    if (b.debt) return 'debt-settled';
    if (m.obligation.reduction.total > 0 || m.obligation.reduction.deontology > 0) return 'reduced';
    if (m.obligation.base.months < 24) return 'new-member';
    return 'compliant';
  }
  if (b.debt) return phase === 'february' ? 'debt-accepted' : 'debt-not-settled';
  return 'short';
}

/** The snapshot row of a member's balance (R-VER-4). */
export function verificationRow(m: MemberBalance, phase: VerificationPhase): VerificationRow {
  const b = m.balance;
  const r = m.obligation.reduction;
  const settled = b.debt?.settledTotal ?? 0;
  const settledDeontology = b.debt?.settledDeontology ?? 0;
  return {
    memberId: m.memberId,
    status: verificationStatus(m, phase),
    obligation: { total: b.obligation.total, deontology: b.obligation.deontology },
    credits: { total: b.counted.total + settled, deontology: b.counted.deontology + settledDeontology },
    missing: { total: b.missing.total, deontology: b.missing.deontology },
    details: {
      months: m.obligation.base.months,
      reduction:
        r.total > 0 || r.deontology > 0
          ? { total: r.total, deontology: r.deontology, causes: [...new Set(m.obligation.reductions.map((x) => x.cause))].sort() }
          : null,
      debt: b.debt
        ? {
            total: b.debt.total,
            deontology: b.debt.deontology,
            settled,
            remaining: { total: b.debt.remaining.total, deontology: b.debt.remaining.deontology },
          }
        : null,
      debtRequestFiled: m.debtRequest !== null,
      distancePct: m.distance.pct,
    },
  };
}

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function byMember(a: { memberId: string }, b: { memberId: string }): number {
  return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
}

/**
 * The SHA-256 (hex) of a snapshot: its phase, its date and its rows sorted by member id, each as
 * canonical JSON (R-VER-5). The order rows come in and the key order of their objects do not
 * matter; any change of a status, a figure or a detail does. Throws `RangeError` when a member
 * appears twice.
 *
 * @rule R-VER-5
 */
export function snapshotDigest(head: { biennium: number; phase: VerificationPhase; asOf: string }, rows: readonly VerificationRow[]): string {
  const sorted = [...rows].sort(byMember);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.memberId === sorted[i - 1]!.memberId) throw new RangeError(`member ${sorted[i]!.memberId} appears twice in a snapshot`);
  }
  const h = createHash('sha256');
  h.update(canonicalJson({ biennium: head.biennium, phase: head.phase, asOf: head.asOf }));
  for (const r of sorted) h.update(`\n${canonicalJson(r)}`);
  return h.digest('hex');
}

export interface SnapshotChange {
  memberId: string;
  /** null: the member was not in the earlier snapshot (or is not in the later one). */
  from: VerificationStatus | null;
  to: VerificationStatus | null;
  /** What moved: `status`, `credits`, `missing`, `obligation`, `details`, `added`, `removed`. */
  changed: string[];
}

/**
 * Who changed between two snapshots of the same province, biennium and phase (R-VER-6): members
 * added or removed, and members whose row differs, with the parts that moved; by member id.
 *
 * @rule R-VER-6
 */
export function diffSnapshots(before: readonly VerificationRow[], after: readonly VerificationRow[]): SnapshotChange[] {
  const old = new Map(before.map((r) => [r.memberId, r]));
  const now = new Map(after.map((r) => [r.memberId, r]));
  const ids = [...new Set([...old.keys(), ...now.keys()])].sort();
  const out: SnapshotChange[] = [];
  for (const id of ids) {
    const a = old.get(id);
    const b = now.get(id);
    if (!a) {
      out.push({ memberId: id, from: null, to: b!.status, changed: ['added'] });
      continue;
    }
    if (!b) {
      out.push({ memberId: id, from: a.status, to: null, changed: ['removed'] });
      continue;
    }
    const changed = (['status', 'credits', 'missing', 'obligation', 'details'] as const).filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
    if (changed.length > 0) out.push({ memberId: id, from: a.status, to: b.status, changed });
  }
  return out;
}

export interface VerificationAggregates {
  members: number;
  /** Members subject to the obligation (all but `not-due`). */
  subject: number;
  inOrder: number;
  /** inOrder / subject × 100, two decimals (0 when no one is subject). */
  inOrderPct: number;
  byStatus: Record<VerificationStatus, number>;
  reductions: number;
  debts: { accepted: number; settled: number; notSettled: number; pending: number };
}

/**
 * Aggregates of a province's verification for the CN (art. 26 c.4, R-VER-7): the February rows,
 * each replaced by the June row of the same member when there is one (the debt re-check decides
 * those members). Members in order, their number and share of the members subject to the obligation,
 * members with a reduction, accepted debts and what became of them.
 *
 * @rule R-VER-7
 */
export function verificationAggregates(february: readonly VerificationRow[], june: readonly VerificationRow[] = []): VerificationAggregates {
  const final = new Map(february.map((r) => [r.memberId, r]));
  for (const r of june) if (final.has(r.memberId)) final.set(r.memberId, r);
  const byStatus = Object.fromEntries(VERIFICATION_STATUSES.map((s) => [s, 0])) as Record<VerificationStatus, number>;
  let reductions = 0;
  let accepted = 0;
  for (const r of final.values()) {
    byStatus[r.status]++;
    if (r.details.reduction) reductions++;
    if (r.details.debt) accepted++;
  }
  return completedAggregates(final.size, byStatus, reductions, accepted);
}

/** The figures that follow from the counts (R-VER-7): who is subject, who is in order and their share, the debts' fates. */
function completedAggregates(members: number, byStatus: Record<VerificationStatus, number>, reductions: number, accepted: number): VerificationAggregates {
  const subject = members - byStatus['not-due'];
  const inOrder = IN_ORDER.reduce((s, k) => s + byStatus[k], 0);
  return {
    members,
    subject,
    inOrder,
    inOrderPct: subject === 0 ? 0 : Math.round((inOrder * 10_000) / subject) / 100,
    byStatus,
    reductions,
    debts: { accepted, settled: byStatus['debt-settled'], notSettled: byStatus['debt-not-settled'], pending: byStatus['debt-accepted'] },
  };
}

/**
 * `verificationAggregates(february, june)` reached from the February aggregates already stored
 * with its snapshot: each pair is a member's February row and the June row that replaces it
 * (R-VER-7). The national view reads the 107 provinces this way, touching only the debtors' rows
 * instead of every member's.
 *
 * @rule R-VER-7
 */
export function aggregatesWithReplacements(
  february: VerificationAggregates,
  pairs: readonly { before: VerificationRow; after: VerificationRow }[],
): VerificationAggregates {
  const byStatus = { ...february.byStatus };
  let reductions = february.reductions;
  let accepted = february.debts.accepted;
  for (const { before, after } of pairs) {
    byStatus[before.status]--;
    byStatus[after.status]++;
    reductions += (after.details.reduction ? 1 : 0) - (before.details.reduction ? 1 : 0);
    accepted += (after.details.debt ? 1 : 0) - (before.details.debt ? 1 : 0);
  }
  return completedAggregates(february.members, byStatus, reductions, accepted);
}

/** Events a CPO organised in a biennium (art. 26 c.4), by mode. */
export interface EventsOrganised {
  total: number;
  /** Only the modes that occur, by mode name. */
  byMode: Record<string, number>;
}

/**
 * The events a CPO organised, from counts by mode (R-VER-7): the total and the modes that occur,
 * sorted so equal counts read alike.
 *
 * @rule R-VER-7
 */
export function eventsOrganised(counts: readonly { mode: string; count: number }[]): EventsOrganised {
  const byMode: Record<string, number> = {};
  let total = 0;
  for (const { mode, count } of [...counts].sort((a, b) => (a.mode < b.mode ? -1 : a.mode > b.mode ? 1 : 0))) {
    if (count <= 0) continue;
    byMode[mode] = (byMode[mode] ?? 0) + count;
    total += count;
  }
  return { total, byMode };
}

/**
 * The national totals of provinces' aggregates (R-VER-7): counts added, the share recomputed
 * from the sums (never an average of shares).
 *
 * @rule R-VER-7
 */
export function sumAggregates(list: readonly VerificationAggregates[]): VerificationAggregates {
  const byStatus = Object.fromEntries(VERIFICATION_STATUSES.map((s) => [s, 0])) as Record<VerificationStatus, number>;
  let members = 0;
  let reductions = 0;
  let accepted = 0;
  for (const a of list) {
    members += a.members;
    reductions += a.reductions;
    accepted += a.debts.accepted;
    for (const s of VERIFICATION_STATUSES) byStatus[s] += a.byStatus[s];
  }
  return completedAggregates(members, byStatus, reductions, accepted);
}
