/** @module A member's balance for a biennium: what is recorded, what counts, what does not and why, compliance (R-OBL, R-FAD-1, R-FAD-2, R-FAD-5, R-ART9-1, R-ART9-2, R-DEBT-3, R-DEBT-4). */
import { DateTime } from 'luxon';
import { ART9_TABLE, art9Credits, isArt9Activity, type Art9Activity, type Art9Unit } from './art9.ts';
import { debtSettlementDeadline, debtSettlementStart, settleDebt, type SettlementCandidate, type Settlement } from './debt.ts';
import { assertBiennium, bienniumPeriod } from './calendar.ts';
import { YEARLY_OBJECTIVE } from './obligation.ts';
import { roundRational } from './rational.ts';

// ---------- types ----------

export const CREDIT_MODES = ['in-person', 'videoconference', 'webinar', 'e-learning', 'podcast', 'mixed', 'art9'] as const;
export type CreditMode = (typeof CREDIT_MODES)[number];

/**
 * Distance modes, whose counted credits are capped (R-FAD-1). Videoconference and in-person are
 * not; a `mixed` item should already carry how the member attended, and is not capped if not.
 */
export const DISTANCE_MODES: readonly CreditMode[] = ['webinar', 'e-learning', 'podcast'];

/** At most 30 credits of art. 9 activities count per biennium (R-ART9-1). */
export const OTHER_ACTIVITIES_CAP = 30;

export interface CreditItem {
  /** Stable: e.g. `event:<uuid>:<fraction>:<year>` or `art9:<uuid>`. */
  id: string;
  /** Rome date the credit belongs to (event start date; art. 9 activity date). */
  date: string;
  /** For a mixed event the store already gives how the member attended. */
  mode: CreditMode;
  /** Whole credits (non-art. 9). */
  credits?: number;
  /** How many of `credits` are deontology (0..credits). */
  deontologyCredits?: number;
  /** Art. 9 only: credits come from the table; `deontology` marks them all as deontology. */
  art9?: { activity: string; quantity: number; deontology?: boolean };
  /** Default granted; only granted counts. */
  status?: 'granted' | 'pending' | 'not-granted';
  /** Carried to the output for display. */
  title?: string;
}

export interface AcceptedDebt {
  total: number;
  deontology: number;
}

export interface BalanceInput {
  biennium: number;
  /** Today's Rome date (debt deadline, 'in progress'). */
  asOf: string;
  /** Effective obligation (R-OBL-6). */
  obligation: { total: number; deontology: number };
  /** 40 or the grant in force (R-FAD-3); a whole percentage 0..100. */
  distancePct: number;
  /** ALL the member's items; the function selects by date. */
  items: readonly CreditItem[];
  /** Accepted debt of THIS biennium, settled by items dated 1 Jan–30 Jun of biennium+2 (R-DEBT-3). */
  debt?: AcceptedDebt | null;
  /** The previous biennium, to know which of this biennium's items settle ITS debt (they then count there, not here). */
  previous?: { obligation: { total: number; deontology: number }; distancePct: number; debt: AcceptedDebt | null } | null;
}

export const NOT_COUNTED_REASONS = [
  'distance-cap',
  'other-activities-cap',
  'pending-questionnaire',
  'pending-validation',
  'not-granted',
  'settles-previous-debt',
  'discipline-council-limit',
  'dominus-limit',
] as const;
export type NotCountedReason = (typeof NOT_COUNTED_REASONS)[number];

/** Why an art. 9 item records less than the table gives (R-ART9-2 limits across declarations). */
export type Art9LimitReason = Extract<NotCountedReason, 'discipline-council-limit' | 'dominus-limit'>;

export interface BalanceItem {
  id: string;
  date: string;
  year: number;
  mode: CreditMode;
  title?: string;
  distance: boolean;
  otherActivity: boolean;
  /** Credits recorded (art. 9: after the table and the per-year/biennium limits, as BAL-06). */
  recorded: number;
  /** Of `recorded`. */
  deontology: number;
  counted: number;
  countedDeontology: number;
  /** Parts of `recorded` that do not count here; `counted` + these (+ `settlesDebt`) = `recorded`. */
  notCounted: { credits: number; reason: NotCountedReason }[];
  status: 'granted' | 'pending' | 'not-granted';
  /** Art. 9 items: the table row and what its limits cut before `recorded`. */
  art9?: {
    activity: Art9Activity;
    label: string;
    unit: Art9Unit;
    quantity: number;
    tableCredits: number;
    limited: { credits: number; reason: Art9LimitReason } | null;
  };
  /**
   * Items of biennium+2 listed because they settle THIS biennium's debt (R-DEBT-3): `recorded`
   * is the settled part only, `counted` is 0 (the part is in `debt.settledTotal`, not in `counted`).
   */
  settlesDebt?: { credits: number; deontology: number };
}

export interface Balance {
  biennium: number;
  period: { from: string; to: string };
  asOf: string;
  obligation: { total: number; deontology: number };
  /** Sums over the biennium's granted items. */
  recorded: { total: number; deontology: number; distance: number; otherActivities: number };
  counted: { total: number; deontology: number; distance: number; otherActivities: number };
  caps: {
    distance: { pct: number; cap: number; recorded: number; counted: number };
    otherActivities: { cap: number; recorded: number; counted: number };
  };
  years: { year: number; counted: { total: number; deontology: number }; objective: { total: number; deontology: number }; met: boolean }[];
  /** Every item of the biennium (+ settlement items of biennium+2), by date then id. */
  items: BalanceItem[];
  /** Flattened, the vectors' shape; parts of 0 credits are left out. */
  notCounted: { id: string; credits: number; reason: NotCountedReason }[];
  /** This biennium's accepted debt. */
  debt: null | {
    total: number;
    deontology: number;
    /** 30 June of biennium+2. */
    deadline: string;
    settled: { id: string; date: string; credits: number; deontology: number }[];
    settledTotal: number;
    settledDeontology: number;
    remaining: { total: number; deontology: number };
    /** `unsettled` = deadline passed with remaining > 0 (R-DEBT-4). */
    status: 'open' | 'settled' | 'unsettled';
  };
  /** Items used for the previous biennium's debt. */
  settlesPrevious: { id: string; credits: number; deontology: number }[];
  /** What is still needed (after counted + settled). */
  missing: { total: number; deontology: number };
  /** counted (+ settled) ≥ obligation, total and deontology. */
  compliant: boolean;
  status: 'compliant' | 'in-progress' | 'debt-open' | 'non-compliant';
}

// ---------- small helpers the API uses ----------

/** First and last day of a biennium: `calendar.ts` (R-CAL-1), re-exported for the API. */
export { bienniumPeriod };

/** Whether credits of this mode are distance credits, capped by R-FAD-2 (R-FAD-1).
 * @rule R-FAD-1
 */
export function isDistance(mode: string): boolean {
  return (DISTANCE_MODES as readonly string[]).includes(mode);
}

/** The distance cap: round(pct × obligation total / 100) by R-CAL-4, on integers (R-FAD-2: 40% of 44 → 18).
 * @rule R-FAD-2
 */
export function distanceCap(pct: number, obligationTotal: number): number {
  return roundRational(pct * obligationTotal, 100);
}

// ---------- preparation ----------

/** Art. 9 limits that have a reason code of their own (R-ART9-2). */
const LIMIT_REASON: Partial<Record<Art9Activity, Art9LimitReason>> = {
  'l-discipline': 'discipline-council-limit',
  'f-dominus': 'dominus-limit',
};

type ItemStatus = BalanceItem['status'];

/** One item of a biennium with its recorded credits settled (table, limits), before counting. */
interface Entry {
  id: string;
  date: string;
  year: number;
  mode: CreditMode;
  title: string | undefined;
  status: ItemStatus;
  distance: boolean;
  otherActivity: boolean;
  recorded: number;
  deontology: number;
  art9: BalanceItem['art9'] | null;
}

/** Checked dates, memoised: a few thousand distinct days recur across every member's items (bench/balance). */
const checkedDates = new Map<string, boolean>();
function isIsoDate(s: string): boolean {
  let ok = checkedDates.get(s);
  if (ok === undefined) {
    ok = /^\d{4}-\d{2}-\d{2}$/.test(s) && DateTime.fromISO(s, { zone: 'utc' }).isValid;
    if (checkedDates.size >= 100_000) checkedDates.clear();
    checkedDates.set(s, ok);
  }
  return ok;
}

function assertWhole(what: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new RangeError(`${what} must be a whole number ≥ 0, got ${String(v)}`);
}

function byDateThenId(a: { date: string; id: string }, b: { date: string; id: string }): number {
  return a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Throws `RangeError` on malformed items or repeated ids (determinism needs unique ids). */
function validateItems(items: readonly CreditItem[]): void {
  const seen = new Set<string>();
  for (const it of items) {
    if (typeof it.id !== 'string' || it.id === '') throw new RangeError('an item needs a non-empty id');
    if (seen.has(it.id)) throw new RangeError(`item id ${JSON.stringify(it.id)} is repeated`);
    seen.add(it.id);
    if (!isIsoDate(it.date)) throw new RangeError(`${it.id}: date must be YYYY-MM-DD, got ${JSON.stringify(it.date)}`);
    if (!(CREDIT_MODES as readonly string[]).includes(it.mode)) throw new RangeError(`${it.id}: unknown mode ${JSON.stringify(it.mode)}`);
    if (it.status !== undefined && !['granted', 'pending', 'not-granted'].includes(it.status)) {
      throw new RangeError(`${it.id}: unknown status ${JSON.stringify(it.status)}`);
    }
    if (it.mode === 'art9') {
      if (!it.art9) throw new RangeError(`${it.id}: an art. 9 item needs its activity and quantity`);
      if (!isArt9Activity(it.art9.activity)) throw new RangeError(`${it.id}: unknown art. 9 activity ${JSON.stringify(it.art9.activity)}`);
      assertWhole(`${it.id}: art. 9 quantity`, it.art9.quantity);
    } else {
      if (it.art9) throw new RangeError(`${it.id}: only art. 9 items carry an art. 9 activity`);
      assertWhole(`${it.id}: credits`, it.credits);
      const d = it.deontologyCredits ?? 0;
      assertWhole(`${it.id}: deontologyCredits`, d);
      if (d > it.credits!) throw new RangeError(`${it.id}: deontologyCredits ${d} exceed credits ${it.credits}`);
    }
  }
}

const STATUS_ORDER: readonly ItemStatus[] = ['granted', 'pending', 'not-granted'];

/**
 * The items dated inside `biennium`, by date then id, with their recorded credits. Art. 9 limits
 * across declarations (R-ART9-2: l-discipline 3 a year and 6 a biennium, f-dominus 10 a biennium)
 * are applied in chronological order to granted items first, then to pending ones (so a pending
 * declaration never takes a validated one's share); not-granted ones are shown against what is
 * left without using it. Only the biennium's own items count: a surplus never carries over.
 *
 * @rule R-OBL-4
 */
function prepare(biennium: number, items: readonly CreditItem[]): Entry[] {
  const { from, to } = bienniumPeriod(biennium);
  const inside = items.filter((it) => it.date >= from && it.date <= to).sort(byDateThenId);
  const usedYear = new Map<string, number>();
  const usedBiennium = new Map<string, number>();
  const entries = new Map<string, Entry>();
  for (const status of STATUS_ORDER) {
    for (const it of inside) {
      if ((it.status ?? 'granted') !== status) continue;
      const year = Number(it.date.slice(0, 4));
      const base = { id: it.id, date: it.date, year, mode: it.mode, title: it.title, status };
      if (it.mode !== 'art9' || !it.art9) {
        entries.set(it.id, {
          ...base,
          distance: isDistance(it.mode),
          otherActivity: false,
          recorded: it.credits ?? 0,
          deontology: it.deontologyCredits ?? 0,
          art9: null,
        });
        continue;
      }
      const activity = it.art9.activity as Art9Activity;
      const row = ART9_TABLE[activity];
      const tableCredits = art9Credits(activity, it.art9.quantity);
      const yearKey = `${activity}:${year}`;
      const yearLeft = row.maxPerYear === undefined ? Infinity : row.maxPerYear - (usedYear.get(yearKey) ?? 0);
      const bienniumLeft = row.maxPerBiennium === undefined ? Infinity : row.maxPerBiennium - (usedBiennium.get(activity) ?? 0);
      const recorded = Math.max(0, Math.min(tableCredits, yearLeft, bienniumLeft));
      if (status !== 'not-granted') {
        usedYear.set(yearKey, (usedYear.get(yearKey) ?? 0) + recorded);
        usedBiennium.set(activity, (usedBiennium.get(activity) ?? 0) + recorded);
      }
      const cut = tableCredits - recorded;
      entries.set(it.id, {
        ...base,
        distance: false,
        otherActivity: true,
        recorded,
        // R-ART9-2: discipline council hours are deontology; other rows only when declared so.
        deontology: row.deontology || it.art9.deontology ? recorded : 0,
        art9: {
          activity,
          label: row.label,
          unit: row.unit,
          quantity: it.art9.quantity,
          tableCredits,
          // Only the rows with a limit (l-discipline, f-dominus) can be cut, and both have a reason code.
          limited: cut > 0 ? { credits: cut, reason: LIMIT_REASON[activity] ?? 'dominus-limit' } : null,
        },
      });
    }
  }
  return inside.map((it) => entries.get(it.id)!);
}

// ---------- counting ----------

interface Counted {
  counted: number;
  countedDeontology: number;
  notCounted: { credits: number; reason: NotCountedReason }[];
}

interface Counting {
  perItem: Map<string, Counted>;
  distanceCap: number;
  countedDistance: number;
  countedOther: number;
}

/**
 * What counts of each entry (R-FAD-5, R-ART9-1): only granted items; `removed` parts (settling
 * the previous biennium's debt) are taken out first. Within a capped group (distance, art. 9) the
 * counted subset maximises compliance: deontology parts first, then oldest first (date, then id);
 * an item may count in part. The counted total is not capped at the obligation (BAL-02).
 * @rule R-ART9-1
 */
function count(
  entries: readonly Entry[],
  obligationTotal: number,
  pct: number,
  removed: ReadonlyMap<string, { credits: number; deontology: number }>,
): Counting {
  const perItem = new Map<string, Counted>();
  const available = new Map<string, { credits: number; deontology: number }>();
  for (const e of entries) {
    const c: Counted = { counted: 0, countedDeontology: 0, notCounted: [] };
    perItem.set(e.id, c);
    if (e.status !== 'granted') {
      const reason: NotCountedReason = e.status === 'not-granted' ? 'not-granted' : e.otherActivity ? 'pending-validation' : 'pending-questionnaire';
      if (e.recorded > 0) c.notCounted.push({ credits: e.recorded, reason });
      continue;
    }
    const r = removed.get(e.id);
    const gone = Math.min(r?.credits ?? 0, e.recorded);
    const goneDeontology = Math.min(r?.deontology ?? 0, e.deontology, gone);
    if (gone > 0) c.notCounted.push({ credits: gone, reason: 'settles-previous-debt' });
    available.set(e.id, { credits: e.recorded - gone, deontology: e.deontology - goneDeontology });
  }

  const cap = distanceCap(pct, obligationTotal);
  const allocate = (group: readonly Entry[], room: number, reason: NotCountedReason): number => {
    // R-FAD-5: deontology parts first, then ordinary parts; each oldest first.
    const parts = [
      ...group.map((e) => ({ e, deontology: true, amount: available.get(e.id)!.deontology })),
      ...group.map((e) => ({ e, deontology: false, amount: available.get(e.id)!.credits - available.get(e.id)!.deontology })),
    ];
    let used = 0;
    for (const p of parts) {
      const take = Math.min(p.amount, room - used);
      used += take;
      const c = perItem.get(p.e.id)!;
      c.counted += take;
      if (p.deontology) c.countedDeontology += take;
    }
    for (const e of group) {
      const c = perItem.get(e.id)!;
      const left = available.get(e.id)!.credits - c.counted;
      if (left > 0) c.notCounted.push({ credits: left, reason });
    }
    return used;
  };

  const granted = entries.filter((e) => e.status === 'granted'); // already by date then id
  const countedDistance = allocate(
    granted.filter((e) => e.distance),
    cap,
    'distance-cap',
  );
  const countedOther = allocate(
    granted.filter((e) => e.otherActivity),
    OTHER_ACTIVITIES_CAP,
    'other-activities-cap',
  );
  for (const e of granted) {
    if (e.distance || e.otherActivity) continue;
    const a = available.get(e.id)!;
    const c = perItem.get(e.id)!;
    c.counted = a.credits;
    c.countedDeontology = a.deontology;
  }
  return { perItem, distanceCap: cap, countedDistance, countedOther };
}

// ---------- debt settlement ----------

/**
 * The settlement of `biennium`'s accepted debt (R-DEBT-3) by the granted items dated 1 Jan–30 Jun
 * of biennium+2. Distance and art. 9 items settle only within what the old biennium left unused of
 * its caps, because a settled credit counts there. The unused caps are those of the old biennium
 * counted without ITS own previous debt, so that the old and the new biennium's derivations
 * always agree on the settlement (this never exceeds a cap: taking settling items out only lowers
 * what counts).
 */
function settlementOf(
  biennium: number,
  obligation: { total: number; deontology: number },
  pct: number,
  debt: AcceptedDebt,
  items: readonly CreditItem[],
): Settlement & { deadline: string; entries: Map<string, Entry> } {
  const old = count(prepare(biennium, items), obligation.total, pct, new Map());
  const start = debtSettlementStart(biennium);
  const deadline = debtSettlementDeadline(biennium);
  const next = prepare(biennium + 2, items).filter((e) => e.status === 'granted' && e.date >= start && e.date <= deadline);
  const candidates: SettlementCandidate[] = next.map((e) => ({
    id: e.id,
    date: e.date,
    credits: e.recorded,
    deontology: e.deontology,
    cap: e.distance ? 'distance' : e.otherActivity ? 'otherActivities' : null,
  }));
  const s = settleDebt(debt, candidates, {
    distance: old.distanceCap - old.countedDistance,
    otherActivities: OTHER_ACTIVITIES_CAP - old.countedOther,
  });
  return { ...s, deadline, entries: new Map(next.map((e) => [e.id, e])) };
}

// ---------- the balance ----------

function assertObligation(what: string, o: { total: number; deontology: number }): void {
  assertWhole(`${what}.total`, o.total);
  assertWhole(`${what}.deontology`, o.deontology);
}

function assertPct(what: string, pct: number): void {
  assertWhole(what, pct);
  if (pct > 100) throw new RangeError(`${what} must be 0..100, got ${pct}`);
}

function assertDebt(what: string, d: AcceptedDebt): void {
  assertObligation(what, d);
  if (d.deontology > d.total) throw new RangeError(`${what}: deontology ${d.deontology} is part of the total ${d.total}`);
}

/** The output row of an entry with its figures; optional fields only when present. */
function itemOf(e: Entry, figures: Pick<BalanceItem, 'recorded' | 'deontology' | 'counted' | 'countedDeontology' | 'notCounted'>): BalanceItem {
  const out: BalanceItem = {
    id: e.id,
    date: e.date,
    year: e.year,
    mode: e.mode,
    distance: e.distance,
    otherActivity: e.otherActivity,
    ...figures,
    status: e.status,
  };
  if (e.title !== undefined) out.title = e.title;
  if (e.art9) out.art9 = e.art9;
  return out;
}

/**
 * The balance of a member for `input.biennium` (R-OBL, R-FAD-1, R-FAD-2, R-FAD-5, R-ART9-1, R-ART9-2, R-DEBT-3, R-DEBT-4).
 * Pure and deterministic: the order of `items` does not matter (ids must be unique).
 *
 * - Only items dated in the biennium are considered, plus, with an accepted `debt`, the granted
 *   items of 1 Jan–30 Jun of biennium+2 that settle it; anything else is ignored.
 * - Only granted items count; pending ones are listed with `pending-questionnaire` (events) or
 *   `pending-validation` (art. 9 declarations, R-ART9-3), refused ones with `not-granted`.
 * - Distance credits count up to round(pct × obligation total / 100) (R-FAD-2), art. 9 credits
 *   up to 30 (R-ART9-1); when a cap binds, deontology first, then oldest first (R-FAD-5).
 * - With `previous.debt`, the items of this biennium that settle it are taken out here (reason
 *   `settles-previous-debt`): they count for the previous biennium (R-DEBT-3).
 * - Compliant iff counted + settled ≥ obligation, total and deontology. Status: `compliant`;
 *   else `in-progress` up to the biennium's last day; else `debt-open` while an accepted debt
 *   still has something to settle and its deadline (30 June) has not passed; else
 *   `non-compliant` (R-DEBT-4).
 * @rule R-FAD-5
 * @rule R-DEBT-4
 */
export function deriveBalance(input: BalanceInput): Balance {
  const { biennium, asOf, obligation, distancePct } = input;
  const period = bienniumPeriod(biennium);
  if (!isIsoDate(asOf)) throw new RangeError(`asOf must be YYYY-MM-DD, got ${JSON.stringify(asOf)}`);
  assertObligation('obligation', obligation);
  assertPct('distancePct', distancePct);
  validateItems(input.items);
  const debt = input.debt ?? null;
  if (debt) assertDebt('debt', debt);
  const previous = input.previous ?? null;

  // Items of this biennium that settle the previous biennium's debt (R-DEBT-3).
  const removed = new Map<string, { credits: number; deontology: number }>();
  const settlesPrevious: Balance['settlesPrevious'] = [];
  if (previous?.debt) {
    assertObligation('previous.obligation', previous.obligation);
    assertPct('previous.distancePct', previous.distancePct);
    assertDebt('previous.debt', previous.debt);
    const s = settlementOf(biennium - 2, previous.obligation, previous.distancePct, previous.debt, input.items);
    for (const p of s.settled) {
      removed.set(p.id, { credits: p.credits, deontology: p.deontology });
      settlesPrevious.push({ id: p.id, credits: p.credits, deontology: p.deontology });
    }
  }

  const entries = prepare(biennium, input.items);
  const counting = count(entries, obligation.total, distancePct, removed);

  const items: BalanceItem[] = entries.map((e) => {
    const c = counting.perItem.get(e.id)!;
    return itemOf(e, { recorded: e.recorded, deontology: e.deontology, counted: c.counted, countedDeontology: c.countedDeontology, notCounted: c.notCounted });
  });

  // This biennium's accepted debt (R-DEBT-3, R-DEBT-4).
  let debtOut: Balance['debt'] = null;
  if (debt) {
    const s = settlementOf(biennium, obligation, distancePct, debt, input.items);
    const open = s.remaining.total > 0 || s.remaining.deontology > 0;
    debtOut = {
      total: debt.total,
      deontology: debt.deontology,
      deadline: s.deadline,
      settled: s.settled,
      settledTotal: s.settledTotal,
      settledDeontology: s.settledDeontology,
      remaining: s.remaining,
      status: !open ? 'settled' : asOf > s.deadline ? 'unsettled' : 'open',
    };
    for (const p of s.settled) {
      const e = s.entries.get(p.id)!;
      items.push({
        ...itemOf(e, { recorded: p.credits, deontology: p.deontology, counted: 0, countedDeontology: 0, notCounted: [] }),
        settlesDebt: { credits: p.credits, deontology: p.deontology },
      });
    }
    items.sort(byDateThenId);
  }

  const sum = (list: readonly BalanceItem[], f: (i: BalanceItem) => number) => list.reduce((s, i) => s + f(i), 0);
  const own = items.filter((i) => !i.settlesDebt);
  const granted = own.filter((i) => i.status === 'granted');
  const recorded = {
    total: sum(granted, (i) => i.recorded),
    deontology: sum(granted, (i) => i.deontology),
    distance: sum(granted, (i) => (i.distance ? i.recorded : 0)),
    otherActivities: sum(granted, (i) => (i.otherActivity ? i.recorded : 0)),
  };
  const counted = {
    total: sum(own, (i) => i.counted),
    deontology: sum(own, (i) => i.countedDeontology),
    distance: counting.countedDistance,
    otherActivities: counting.countedOther,
  };

  // R-OBL-2: a suggested yearly objective, never a breach.
  const years = [biennium, biennium + 1].map((year) => {
    const inYear = own.filter((i) => i.year === year);
    const c = { total: sum(inYear, (i) => i.counted), deontology: sum(inYear, (i) => i.countedDeontology) };
    return { year, counted: c, objective: { ...YEARLY_OBJECTIVE }, met: c.total >= YEARLY_OBJECTIVE.total && c.deontology >= YEARLY_OBJECTIVE.deontology };
  });

  const settledTotal = debtOut?.settledTotal ?? 0;
  const settledDeontology = debtOut?.settledDeontology ?? 0;
  // Deontology credits are part of the total (R-OBL-1): a member 2 credits short but 3 deontology
  // credits short still needs 3 credits, all of them deontology.
  const deontologyGap = Math.max(0, obligation.deontology - counted.deontology - settledDeontology);
  const missing = { total: Math.max(deontologyGap, obligation.total - counted.total - settledTotal), deontology: deontologyGap };
  const compliant = missing.total === 0 && missing.deontology === 0;
  const status: Balance['status'] = compliant ? 'compliant' : asOf <= period.to ? 'in-progress' : debtOut?.status === 'open' ? 'debt-open' : 'non-compliant';

  return {
    biennium,
    period,
    asOf,
    obligation: { total: obligation.total, deontology: obligation.deontology },
    recorded,
    counted,
    caps: {
      distance: { pct: distancePct, cap: counting.distanceCap, recorded: recorded.distance, counted: counted.distance },
      otherActivities: { cap: OTHER_ACTIVITIES_CAP, recorded: recorded.otherActivities, counted: counted.otherActivities },
    },
    years,
    items,
    notCounted: items.flatMap((i) => i.notCounted.filter((n) => n.credits > 0).map((n) => ({ id: i.id, credits: n.credits, reason: n.reason }))),
    debt: debtOut,
    settlesPrevious,
    missing,
    compliant,
    status,
  };
}
