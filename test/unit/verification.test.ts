/** The verification campaign (issue 15, R-VER-1 … R-VER-7): dates on the Rome calendar, statuses, digest, diff, aggregates. */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { CreditItem } from '../../src/domain/balance.ts';
import { memberBalance, type MemberFacts, type StoredReduction } from '../../src/domain/member-balance.ts';
import { PROFILES } from '../../src/domain/policy.ts';
import {
  aggregatesWithReplacements,
  campaignDates,
  eventsOrganised,
  sumAggregates,
  diffSnapshots,
  factsAsOf,
  snapshotDigest,
  verificationAggregates,
  verificationRow,
  verificationStatus,
  VERIFICATION_STATUSES,
  type VerificationPhase,
  type VerificationRow,
} from '../../src/domain/verification.ts';
import { seededRandom } from '../support/seeded-random.ts';

const facts = (f: Partial<MemberFacts> = {}): MemberFacts => ({
  memberId: 'm1',
  province: 'MI',
  registrationDate: '2010-01-01',
  items: [],
  transfers: [],
  grants: [],
  reductions: [],
  debts: [],
  policy: PROFILES.national,
  ...f,
});
const credit = (id: string, date: string, credits: number, deontology = 0, mode: CreditItem['mode'] = 'in-person'): CreditItem => ({
  id,
  date,
  mode,
  credits,
  deontologyCredits: deontology,
  status: 'granted',
});
/** 50 credits of 2025–26, 6 of them deontology. */
const full = [credit('a', '2025-05-10', 30, 6), credit('b', '2026-05-10', 20)];

function statusOf(f: MemberFacts, phase: VerificationPhase = 'february') {
  const d = campaignDates(2025);
  const date = phase === 'february' ? d.asOfDate : d.debtAsOfDate;
  const b = memberBalance(factsAsOf(f, date), 2025, date);
  return { status: verificationStatus(b, phase), row: verificationRow(b, phase) };
}

describe('campaignDates (R-VER-1)', () => {
  it('28 February and 30 June after the biennium, at the last millisecond of the Rome day: CET then CEST', () => {
    const d = campaignDates(2025);
    expect(d.asOfDate).toBe('2027-02-28');
    expect(d.asOf.toISOString()).toBe('2027-02-28T22:59:59.999Z'); // +01:00
    expect(d.debtAsOfDate).toBe('2027-06-30');
    expect(d.debtAsOf.toISOString()).toBe('2027-06-30T21:59:59.999Z'); // +02:00
    expect(d.opensAt.toISOString()).toBe('2026-12-31T23:00:00.000Z');
    expect(DateTime.fromJSDate(d.asOf, { zone: 'Europe/Rome' }).offset).toBe(60);
    expect(DateTime.fromJSDate(d.debtAsOf, { zone: 'Europe/Rome' }).offset).toBe(120);
  });

  it('biennium 2027–28 (its second year is a leap year) → 28 February 2029, the last day of that February', () => {
    const d = campaignDates(2027);
    expect(d.asOfDate).toBe('2029-02-28');
    expect(d.asOf.toISOString()).toBe('2029-02-28T22:59:59.999Z');
    expect(d.debtAsOf.toISOString()).toBe('2029-06-30T21:59:59.999Z');
  });

  it('the year after a biennium is odd, never a leap year: 28 February always ends that February (1901–2999)', () => {
    for (let b = 1901; b < 3000; b += 2) {
      const d = campaignDates(b);
      const next = new Date(d.asOf.getTime() + 1);
      expect(DateTime.fromJSDate(next, { zone: 'Europe/Rome' }).toFormat('MM-dd HH:mm:ss.SSS')).toBe('03-01 00:00:00.000');
      expect(DateTime.fromJSDate(d.debtAsOf, { zone: 'Europe/Rome' }).toFormat('yyyy-MM-dd HH:mm:ss.SSS')).toBe(`${b + 2}-06-30 23:59:59.999`);
    }
  });

  it('refuses a year that names no biennium (2026–27 is not one, R-CAL-1)', () => {
    expect(() => campaignDates(2026)).toThrow(RangeError);
  });
});

describe('verificationStatus (R-VER-4)', () => {
  const approved = (amount: number, deontology: number): StoredReduction => ({
    id: 'r1',
    biennium: 2025,
    cause: 'illness',
    input: {},
    decision: { outcome: 'approved', reduction: amount, deontology, ordinary: amount - deontology, validity: 'biennium', validUntil: null },
  });
  const debt = (total: number, deontology = 0) => [{ id: 'd1', biennium: 2025, total, deontology, status: 'accepted' as const, filedOn: '2027-01-20' }];

  it('compliant: 50 credits, 6 deontology', () => {
    expect(statusOf(facts({ items: full })).status).toBe('compliant');
  });

  it('short, with the missing total and deontology', () => {
    const { status, row } = statusOf(facts({ items: [credit('a', '2025-05-10', 40, 2)] }));
    expect(status).toBe('short');
    expect(row.missing).toEqual({ total: 10, deontology: 4 });
    expect(row.credits).toEqual({ total: 40, deontology: 2 });
  });

  it('reduced: compliant with an obligation an approved reduction lowered', () => {
    const { status, row } = statusOf(facts({ items: [credit('a', '2025-05-10', 44, 5)], reductions: [approved(6, 1)] }));
    expect(status).toBe('reduced');
    expect(row.obligation).toEqual({ total: 44, deontology: 5 });
    expect(row.details.reduction).toEqual({ total: 6, deontology: 1, causes: ['illness'] });
  });

  it('a reduced member who is still short is short', () => {
    expect(statusOf(facts({ items: [credit('a', '2025-05-10', 30, 5)], reductions: [approved(6, 1)] })).status).toBe('short');
  });

  it('new member: compliant with a pro-rated obligation (registered 2025-03-15 → 44/5)', () => {
    const { status, row } = statusOf(facts({ registrationDate: '2025-03-15', items: [credit('a', '2025-06-10', 44, 5)] }));
    expect(status).toBe('new-member');
    expect(row.details.months).toBe(21);
  });

  it('not due: registered in the biennium’s last December (no month of obligation)', () => {
    expect(statusOf(facts({ registrationDate: '2026-12-01' })).status).toBe('not-due');
  });

  it('accepted debt: pending in February, settled or not by 30 June', () => {
    const base = [credit('a', '2025-05-10', 40, 6)];
    expect(statusOf(facts({ items: base, debts: debt(10) })).status).toBe('debt-accepted');
    // Settled in March: not yet on 28 February, settled on 30 June.
    const settling = [...base, credit('s', '2027-03-15', 10)];
    expect(statusOf(facts({ items: settling, debts: debt(10) })).status).toBe('debt-accepted');
    const june = statusOf(facts({ items: settling, debts: debt(10) }), 'june');
    expect(june.status).toBe('debt-settled');
    expect(june.row.credits).toEqual({ total: 50, deontology: 6 });
    expect(june.row.details.debt).toMatchObject({ total: 10, settled: 10, remaining: { total: 0, deontology: 0 } });
    // Settled already in January: settled in February too.
    expect(statusOf(facts({ items: [...base, credit('s', '2027-01-15', 10)], debts: debt(10) })).status).toBe('debt-settled');
    // Only 4 of 10 by 30 June; July credits come too late.
    const short = [...base, credit('s', '2027-04-15', 4), credit('t', '2027-07-01', 6)];
    const notSettled = statusOf(facts({ items: short, debts: debt(10) }), 'june');
    expect(notSettled.status).toBe('debt-not-settled');
    expect(notSettled.row.missing).toEqual({ total: 6, deontology: 0 });
  });

  it('a credit dated after the phase’s date is left out (R-VER-3)', () => {
    const f = facts({ items: [credit('a', '2025-05-10', 44, 6), credit('late', '2027-03-01', 6)] });
    expect(factsAsOf(f, '2027-02-28').items.map((i) => i.id)).toEqual(['a']);
  });
});

function randomRows(seed: number, n: number): VerificationRow[] {
  const r = seededRandom(seed);
  const int = (k: number) => Math.floor(r() * k);
  return Array.from({ length: n }, (_, i) => {
    const f = facts({
      memberId: `m-${seed}-${String(i).padStart(4, '0')}`,
      registrationDate: r() < 0.2 ? `2025-0${1 + int(9)}-15` : '2010-01-01',
      items: Array.from({ length: int(6) }, (_, k) =>
        credit(`e${k}`, `202${5 + int(3)}-0${1 + int(9)}-1${int(10)}`, int(20), 0, r() < 0.5 ? 'webinar' : 'in-person'),
      ),
      debts: r() < 0.2 ? [{ id: 'd', biennium: 2025, total: 1 + int(12), deontology: 0, status: 'accepted', filedOn: '2027-01-10' }] : [],
    });
    const phase: VerificationPhase = r() < 0.5 ? 'february' : 'june';
    return verificationRow(memberBalance(f, 2025, '2027-02-28'), phase);
  });
}

function shuffle<T>(list: readonly T[], seed: number): T[] {
  const r = seededRandom(seed);
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The same row with its object keys in reverse order, as a database's JSON might return it. */
function reKeyed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reKeyed);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .reverse()
        .map(([k, x]) => [k, reKeyed(x)]),
    );
  return v;
}

describe('snapshotDigest (R-VER-5) and diffSnapshots (R-VER-6)', () => {
  const head = { biennium: 2025, phase: 'february' as const, asOf: '2027-02-28' };

  it('is stable under reordering and key order; a snapshot re-computed from the same facts has the same digest (seeded property)', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const rows = randomRows(seed, 40);
      const digest = snapshotDigest(head, rows);
      expect(snapshotDigest(head, shuffle(rows, seed * 7))).toBe(digest);
      expect(
        snapshotDigest(
          head,
          shuffle(rows, seed).map((x) => reKeyed(x) as VerificationRow),
        ),
      ).toBe(digest);
      // Re-computed from the same facts: identical.
      expect(snapshotDigest(head, randomRows(seed, 40))).toBe(digest);
      expect(diffSnapshots(rows, randomRows(seed, 40))).toEqual([]);
    }
  });

  it('changes with any figure, and the diff names the member and what moved', () => {
    const rows = randomRows(99, 10);
    const changed = rows.map((r, i) => (i === 3 ? { ...r, credits: { ...r.credits, total: r.credits.total + 1 } } : r));
    expect(snapshotDigest(head, changed)).not.toBe(snapshotDigest(head, rows));
    expect(snapshotDigest({ ...head, phase: 'june' }, rows)).not.toBe(snapshotDigest(head, rows));
    expect(diffSnapshots(rows, changed)).toEqual([{ memberId: rows[3]!.memberId, from: rows[3]!.status, to: rows[3]!.status, changed: ['credits'] }]);
    const gone = rows.slice(1);
    expect(diffSnapshots(rows, gone)).toEqual([{ memberId: rows[0]!.memberId, from: rows[0]!.status, to: null, changed: ['removed'] }]);
    expect(diffSnapshots(gone, rows)).toEqual([{ memberId: rows[0]!.memberId, from: null, to: rows[0]!.status, changed: ['added'] }]);
  });

  it('refuses a member twice', () => {
    const rows = randomRows(5, 3);
    expect(() => snapshotDigest(head, [...rows, rows[0]!])).toThrow(RangeError);
  });
});

describe('verificationAggregates (R-VER-7)', () => {
  const row = (memberId: string, status: VerificationRow['status'], extra: Partial<VerificationRow['details']> = {}): VerificationRow => ({
    memberId,
    status,
    obligation: { total: 50, deontology: 6 },
    credits: { total: 50, deontology: 6 },
    missing: { total: 0, deontology: 0 },
    details: { months: 24, reduction: null, debt: null, debtRequestFiled: false, distancePct: 40, ...extra },
  });
  const debt = { total: 5, deontology: 0, settled: 0, remaining: { total: 5, deontology: 0 } };

  it('members in order, number and share of those subject; the June re-check decides the debtors', () => {
    const feb = [
      row('a', 'compliant'),
      row('b', 'short'),
      row('c', 'reduced', { reduction: { total: 6, deontology: 1, causes: ['illness'] } }),
      row('d', 'debt-accepted', { debt }),
      row('e', 'debt-accepted', { debt }),
      row('f', 'new-member'),
      row('g', 'not-due'),
    ];
    const before = verificationAggregates(feb);
    expect(before).toMatchObject({
      members: 7,
      subject: 6,
      inOrder: 3,
      inOrderPct: 50,
      reductions: 1,
      debts: { accepted: 2, pending: 2, settled: 0, notSettled: 0 },
    });
    const after = verificationAggregates(feb, [
      row('d', 'debt-settled', { debt }),
      row('e', 'debt-not-settled', { debt }),
      row('zz', 'debt-settled', { debt }),
    ]);
    expect(after).toMatchObject({ members: 7, subject: 6, inOrder: 4, inOrderPct: 66.67, debts: { accepted: 2, pending: 0, settled: 1, notSettled: 1 } });
    expect(Object.keys(after.byStatus)).toEqual([...VERIFICATION_STATUSES]);
    expect(verificationAggregates([]).inOrderPct).toBe(0);
  });
});

describe('aggregatesWithReplacements (R-VER-7): the national view from stored February aggregates', () => {
  const debtDetail = { total: 5, deontology: 0, settled: 0, remaining: { total: 5, deontology: 0 } };
  it('equals verificationAggregates(february, june) for random snapshots and random June re-checks (seeded property)', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = seededRandom(seed * 13);
      // Reductions and debts on either side, so every counter can move both ways.
      const vary = (x: VerificationRow): VerificationRow => ({
        ...x,
        details: { ...x.details, reduction: r() < 0.3 ? { total: 6, deontology: 1, causes: ['illness'] } : null, debt: r() < 0.3 ? debtDetail : null },
      });
      const feb = randomRows(seed, 30).map(vary);
      // June rows: some of February's members re-checked with any status and details, plus one unknown member (ignored).
      const june = shuffle(feb, seed)
        .slice(0, Math.floor(r() * feb.length))
        .map((x, i) => vary({ ...randomRows(seed * 31 + i, 1)[0]!, memberId: x.memberId }));
      june.push({ ...randomRows(seed + 1000, 1)[0]!, memberId: 'not-in-february' });
      const byId = new Map(feb.map((x) => [x.memberId, x]));
      const pairs = june.filter((x) => byId.has(x.memberId)).map((after) => ({ before: byId.get(after.memberId)!, after }));
      expect(aggregatesWithReplacements(verificationAggregates(feb), pairs)).toEqual(verificationAggregates(feb, june));
    }
  });
});

describe('eventsOrganised (R-VER-7)', () => {
  it('totals the modes that occur, by mode name', () => {
    expect(
      eventsOrganised([
        { mode: 'webinar', count: 3 },
        { mode: 'in-person', count: 2 },
        { mode: 'podcast', count: 0 },
      ]),
    ).toEqual({ total: 5, byMode: { 'in-person': 2, webinar: 3 } });
    expect(eventsOrganised([])).toEqual({ total: 0, byMode: {} });
  });
});

describe('sumAggregates (R-VER-7): national totals', () => {
  it('adds the counts and takes the share of the sums, as one province holding every row would', () => {
    const a = randomRows(7, 25);
    const b = randomRows(8, 40);
    expect(sumAggregates([verificationAggregates(a), verificationAggregates(b)])).toEqual(verificationAggregates([...a, ...b]));
    expect(sumAggregates([])).toEqual(verificationAggregates([]));
  });
});
