/** @module Unit and property tests of the balance (R-OBL, R-FAD-1/2/5, R-ART9-1/2, R-DEBT-3/4). */
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ART9_ACTIVITIES } from '../../src/domain/art9.ts';
import {
  bienniumPeriod,
  CREDIT_MODES,
  deriveBalance,
  distanceCap,
  DISTANCE_MODES,
  isDistance,
  OTHER_ACTIVITIES_CAP,
  type BalanceInput,
  type CreditItem,
} from '../../src/domain/balance.ts';

const FULL = { total: 50, deontology: 6 };
const ev = (id: string, date: string, mode: CreditItem['mode'], credits: number, deontologyCredits = 0, extra: Partial<CreditItem> = {}): CreditItem => ({
  id,
  date,
  mode,
  credits,
  deontologyCredits,
  ...extra,
});
const a9 = (id: string, date: string, activity: string, quantity: number, extra: Partial<CreditItem> = {}): CreditItem => ({
  id,
  date,
  mode: 'art9',
  art9: { activity, quantity },
  ...extra,
});
const derive = (items: CreditItem[], over: Partial<BalanceInput> = {}) =>
  deriveBalance({ biennium: 2025, asOf: '2027-12-31', obligation: FULL, distancePct: 40, items, ...over });

describe('helpers', () => {
  it('bienniumPeriod gives the first and last day (R-CAL-1)', () => {
    expect(bienniumPeriod(2025)).toEqual({ from: '2025-01-01', to: '2026-12-31' });
    expect(() => bienniumPeriod(2026)).toThrow(RangeError);
  });

  it('isDistance: webinar, e-learning, podcast only (R-FAD-1)', () => {
    expect(CREDIT_MODES.filter(isDistance)).toEqual(['webinar', 'e-learning', 'podcast']);
    expect(DISTANCE_MODES).toEqual(['webinar', 'e-learning', 'podcast']);
  });

  it('distanceCap rounds pct × total on integers (R-FAD-2, R-CAL-4)', () => {
    expect(distanceCap(40, 50)).toBe(20);
    expect(distanceCap(40, 44)).toBe(18); // 17.6
    expect(distanceCap(60, 50)).toBe(30);
    expect(distanceCap(40, 1)).toBe(0); // 0.4
    expect(distanceCap(50, 1)).toBe(1); // 0.5 up
    expect(distanceCap(100, 37)).toBe(37);
  });
});

describe('deriveBalance: counting (R-FAD-5, R-ART9-1)', () => {
  const bal01 = [
    ev('c1', '2025-02-11', 'in-person', 10),
    ev('c2', '2025-05-20', 'in-person', 18),
    ev('c3', '2026-01-15', 'in-person', 2, 2),
    ev('c4', '2025-03-04', 'webinar', 10),
    ev('c5', '2025-04-08', 'webinar', 2, 2),
    ev('c6', '2026-02-17', 'webinar', 13),
  ];

  it('counts distance credits within the cap: deontology first, then oldest (BAL-01)', () => {
    const b = derive(bal01);
    expect(b.counted).toEqual({ total: 50, deontology: 4, distance: 20, otherActivities: 0 });
    expect(b.recorded).toEqual({ total: 55, deontology: 4, distance: 25, otherActivities: 0 });
    expect(b.caps).toEqual({ distance: { pct: 40, cap: 20, recorded: 25, counted: 20 }, otherActivities: { cap: 30, recorded: 0, counted: 0 } });
    expect(b.notCounted).toEqual([{ id: 'c6', credits: 5, reason: 'distance-cap' }]);
    const c6 = b.items.find((i) => i.id === 'c6')!;
    expect(c6).toMatchObject({ year: 2026, distance: true, recorded: 13, counted: 8, notCounted: [{ credits: 5, reason: 'distance-cap' }] });
    expect(b.items.map((i) => i.id)).toEqual(['c1', 'c4', 'c5', 'c2', 'c3', 'c6']); // by date
    // 50 counted but 2 deontology short: 2 more credits are needed, both deontology (R-OBL-1).
    expect(b.missing).toEqual({ total: 2, deontology: 2 });
    expect(b.compliant).toBe(false);
    expect(b.status).toBe('non-compliant');
  });

  it('does not cap the counted total at the obligation (BAL-02)', () => {
    expect(derive(bal01, { distancePct: 60 }).counted.total).toBe(55);
  });

  it('prefers deontology parts even when they are the newest', () => {
    const b = derive([ev('w1', '2025-01-10', 'webinar', 20), ev('w2', '2026-10-10', 'podcast', 4, 3)]);
    // cap 20: w2's 3 deontology credits, then ordinary credits oldest first: 17 of w1, none of w2.
    expect(b.items.find((i) => i.id === 'w2')).toMatchObject({ counted: 3, countedDeontology: 3 });
    expect(b.notCounted).toEqual([
      { id: 'w1', credits: 3, reason: 'distance-cap' },
      { id: 'w2', credits: 1, reason: 'distance-cap' },
    ]);
  });

  it('does not cap videoconference, in-person or an unresolved mixed item (R-FAD-1)', () => {
    const b = derive([ev('v', '2025-06-10', 'videoconference', 30), ev('m', '2025-06-11', 'mixed', 30), ev('w', '2025-06-12', 'webinar', 30)]);
    expect(b.counted).toEqual({ total: 80, deontology: 0, distance: 20, otherActivities: 0 });
  });

  it('caps art. 9 credits at 30, oldest first (BAL-04)', () => {
    const b = derive([
      a9('a1', '2025-09-01', 'a', 12),
      a9('a2', '2026-03-01', 'h', 1),
      ev('p1', '2025-10-01', 'in-person', 14),
      ev('p2', '2025-10-02', 'in-person', 6, 6),
    ]);
    expect(b.counted).toEqual({ total: 50, deontology: 6, distance: 0, otherActivities: 30 });
    expect(b.notCounted).toEqual([{ id: 'a2', credits: 14, reason: 'other-activities-cap' }]);
    expect(b.items.find((i) => i.id === 'a1')).toMatchObject({
      otherActivity: true,
      recorded: 24,
      art9: { activity: 'a', label: 'Relatore in eventi accreditati dai CPO', unit: 'hour', quantity: 12, tableCredits: 24, limited: null },
    });
    expect(b.compliant).toBe(true);
    expect(b.status).toBe('compliant');
  });

  it('limits discipline council hours to 3 a year and 6 a biennium, as deontology (BAL-06)', () => {
    const b = derive([
      a9('d1', '2025-05-01', 'l-discipline', 5),
      a9('d2', '2026-05-01', 'l-discipline', 4),
      a9('d3', '2026-06-01', 'l-discipline', 2),
      ev('p1', '2025-06-01', 'in-person', 44),
    ]);
    expect(b.items.filter((i) => i.mode === 'art9').map((i) => [i.id, i.recorded, i.deontology, i.art9?.limited])).toEqual([
      ['d1', 3, 3, { credits: 2, reason: 'discipline-council-limit' }],
      ['d2', 3, 3, { credits: 1, reason: 'discipline-council-limit' }],
      ['d3', 0, 0, { credits: 2, reason: 'discipline-council-limit' }],
    ]);
    expect(b.counted).toEqual({ total: 50, deontology: 6, distance: 0, otherActivities: 6 });
    expect(b.notCounted).toEqual([]); // the limit acts before recording (BAL-06)
  });

  it('limits a dominus to 10 per biennium (R-ART9-2)', () => {
    const b = derive([a9('t1', '2025-05-01', 'f-dominus', 3), a9('t2', '2026-05-01', 'f-dominus', 2)]);
    expect(b.items.map((i) => [i.id, i.recorded, i.art9?.limited])).toEqual([
      ['t1', 10, null],
      ['t2', 0, { credits: 6, reason: 'dominus-limit' }],
    ]);
  });

  it('gives the limits to validated declarations before pending ones', () => {
    const b = derive([a9('d1', '2025-02-01', 'l-discipline', 3, { status: 'pending' }), a9('d2', '2025-05-01', 'l-discipline', 3)]);
    expect(b.items.map((i) => [i.id, i.recorded, i.counted])).toEqual([
      ['d1', 0, 0],
      ['d2', 3, 3],
    ]);
  });

  it('marks art. 9 credits as deontology when declared so', () => {
    const b = derive([a9('x', '2025-02-01', 'a', 2, { art9: { activity: 'a', quantity: 2, deontology: true } })]);
    expect(b.counted.deontology).toBe(4);
  });

  it('counts only granted items; lists the others with their reason', () => {
    const b = derive([
      ev('w', '2025-02-01', 'webinar', 4, 0, { status: 'pending', title: 'Webinar' }),
      a9('a', '2025-02-02', 'c', 1, { status: 'pending' }),
      ev('x', '2025-02-03', 'in-person', 3, 0, { status: 'not-granted' }),
      ev('g', '2025-02-04', 'in-person', 2),
    ]);
    expect(b.counted.total).toBe(2);
    expect(b.recorded.total).toBe(2);
    expect(b.notCounted).toEqual([
      { id: 'w', credits: 4, reason: 'pending-questionnaire' },
      { id: 'a', credits: 5, reason: 'pending-validation' },
      { id: 'x', credits: 3, reason: 'not-granted' },
    ]);
    expect(b.items[0]).toMatchObject({ title: 'Webinar', status: 'pending' });
  });

  it('ignores items outside the biennium', () => {
    const b = derive([ev('before', '2024-12-31', 'in-person', 10), ev('in', '2025-01-01', 'in-person', 1), ev('after', '2027-01-01', 'in-person', 10)]);
    expect(b.items.map((i) => i.id)).toEqual(['in']);
    expect(b.counted.total).toBe(1);
  });

  it('reports the yearly objective per year (R-OBL-2)', () => {
    const b = derive([ev('a', '2025-02-01', 'in-person', 10, 3), ev('b', '2026-02-01', 'in-person', 12, 2)]);
    expect(b.years).toEqual([
      { year: 2025, counted: { total: 10, deontology: 3 }, objective: { total: 10, deontology: 3 }, met: true },
      { year: 2026, counted: { total: 12, deontology: 2 }, objective: { total: 10, deontology: 3 }, met: false },
    ]);
  });

  it('uses the effective obligation for the cap and compliance (BAL-05)', () => {
    const b = derive([ev('w1', '2025-03-01', 'e-learning', 20), ev('w2', '2025-04-01', 'podcast', 5, 5), ev('p1', '2025-05-01', 'in-person', 26)], {
      obligation: { total: 44, deontology: 5 },
    });
    expect(b.caps.distance.cap).toBe(18);
    expect(b.counted).toEqual({ total: 44, deontology: 5, distance: 18, otherActivities: 0 });
    expect(b.compliant).toBe(true);
  });

  it('is compliant at once with a zero obligation', () => {
    expect(derive([], { obligation: { total: 0, deontology: 0 } })).toMatchObject({
      compliant: true,
      status: 'compliant',
      missing: { total: 0, deontology: 0 },
    });
  });

  it('is in progress until the biennium is over, then non-compliant', () => {
    const items = [ev('a', '2025-02-01', 'in-person', 10)];
    expect(derive(items, { asOf: '2026-12-31' }).status).toBe('in-progress');
    expect(derive(items, { asOf: '2027-01-01' }).status).toBe('non-compliant');
  });

  it('refuses malformed input', () => {
    expect(() => derive([ev('a', '2025-02-01', 'in-person', 1), ev('a', '2025-02-02', 'in-person', 1)])).toThrow(/repeated/);
    expect(() => derive([ev('a', '2025-02-30', 'in-person', 1)])).toThrow(RangeError);
    expect(() => derive([ev('a', '2025-02-01', 'in-person', 1, 2)])).toThrow(RangeError);
    expect(() => derive([ev('a', '2025-02-01', 'in-person', 1.5)])).toThrow(RangeError);
    expect(() => derive([{ id: 'a', date: '2025-02-01', mode: 'art9' }])).toThrow(RangeError);
    expect(() => derive([a9('a', '2025-02-01', 'zz', 1)])).toThrow(RangeError);
    expect(() => derive([], { distancePct: 101 })).toThrow(RangeError);
    expect(() => derive([], { asOf: '31/12/2027' })).toThrow(RangeError);
    expect(() => derive([], { biennium: 2026 })).toThrow(RangeError);
    expect(() => derive([], { debt: { total: 1, deontology: 2 } })).toThrow(RangeError);
  });
});

describe('deriveBalance: debt (R-DEBT-3/4)', () => {
  const old = [ev('o1', '2025-06-01', 'in-person', 38), ev('o2', '2025-06-02', 'in-person', 6, 6)]; // 44/6
  const debt = { total: 6, deontology: 0 };
  const later = [ev('n1', '2027-02-10', 'in-person', 4), ev('n2', '2027-03-05', 'in-person', 3, 0, { title: 'Corso' }), ev('n3', '2027-07-01', 'in-person', 5)];

  it('settles the debt with the first credits of the next biennium; they count for the old one (DEBT-01)', () => {
    const b = derive([...old, ...later], { debt });
    expect(b.debt).toEqual({
      total: 6,
      deontology: 0,
      deadline: '2027-06-30',
      settled: [
        { id: 'n1', date: '2027-02-10', credits: 4, deontology: 0 },
        { id: 'n2', date: '2027-03-05', credits: 2, deontology: 0 },
      ],
      settledTotal: 6,
      settledDeontology: 0,
      remaining: { total: 0, deontology: 0 },
      status: 'settled',
    });
    expect(b.counted.total).toBe(44);
    expect(b.missing).toEqual({ total: 0, deontology: 0 });
    expect(b.compliant).toBe(true);
    expect(b.items.filter((i) => i.settlesDebt).map((i) => [i.id, i.recorded, i.counted, i.settlesDebt, i.title])).toEqual([
      ['n1', 4, 0, { credits: 4, deontology: 0 }, undefined],
      ['n2', 2, 0, { credits: 2, deontology: 0 }, 'Corso'],
    ]);

    const next = derive([...old, ...later], { biennium: 2027, asOf: '2027-12-31', previous: { obligation: FULL, distancePct: 40, debt } });
    expect(next.settlesPrevious).toEqual([
      { id: 'n1', credits: 4, deontology: 0 },
      { id: 'n2', credits: 2, deontology: 0 },
    ]);
    expect(next.counted.total).toBe(6); // 1 of n2 + n3
    expect(next.notCounted).toEqual([
      { id: 'n1', credits: 4, reason: 'settles-previous-debt' },
      { id: 'n2', credits: 2, reason: 'settles-previous-debt' },
    ]);
  });

  it('keeps the debt open until 30 June, then leaves the old biennium non-compliant (R-DEBT-4)', () => {
    const items = [...old, ev('n1', '2027-02-10', 'in-person', 4)];
    const open = derive(items, { debt, asOf: '2027-06-30' });
    expect(open.debt).toMatchObject({ status: 'open', remaining: { total: 2, deontology: 0 } });
    expect(open.status).toBe('debt-open');
    const closed = derive(items, { debt, asOf: '2027-07-01' });
    expect(closed.debt?.status).toBe('unsettled');
    expect(closed.status).toBe('non-compliant');
  });

  it('settles distance credits only within the unused distance cap of the old biennium', () => {
    const items = [
      ev('o1', '2025-06-01', 'in-person', 26),
      ev('o2', '2025-06-02', 'in-person', 6, 6),
      ev('w0', '2025-07-01', 'webinar', 16),
      ev('w1', '2027-01-10', 'webinar', 10),
      ev('p1', '2027-02-10', 'in-person', 10),
    ];
    const b = derive(items, { debt: { total: 2 + 0, deontology: 0 } });
    expect(b.debt?.settled.map((p) => [p.id, p.credits])).toEqual([['w1', 2]]);
    const c = derive(items, { debt: { total: 6, deontology: 0 } });
    expect(c.debt?.settled.map((p) => [p.id, p.credits])).toEqual([
      ['w1', 4],
      ['p1', 2],
    ]);
    expect(c.counted.distance + 4).toBe(c.caps.distance.cap);
  });

  it('ignores a previous biennium without debt, and items after 30 June', () => {
    const next = derive([...old, ...later], { biennium: 2027, asOf: '2028-01-01', previous: { obligation: FULL, distancePct: 40, debt: null } });
    expect(next.settlesPrevious).toEqual([]);
    expect(next.counted.total).toBe(12);
  });
});

// ---------- properties ----------

const BASE = DateTime.fromISO('2024-07-01', { zone: 'utc' });
/** Dates from mid-2024 to mid-2027: inside the 2025 biennium, and a bit on both sides. */
const dateArb = fc.integer({ min: 0, max: 3 * 365 }).map((d) => BASE.plus({ days: d }).toISODate()!);
const statusArb = fc.constantFrom<CreditItem['status']>('granted', 'granted', 'granted', 'pending', 'not-granted', undefined);
const eventArb = fc
  .record({
    date: dateArb,
    mode: fc.constantFrom<CreditItem['mode']>('in-person', 'videoconference', 'webinar', 'e-learning', 'podcast', 'mixed'),
    credits: fc.integer({ min: 0, max: 15 }),
    deontology: fc.integer({ min: 0, max: 15 }),
    status: statusArb,
  })
  .map(
    (x): Omit<CreditItem, 'id'> => ({ date: x.date, mode: x.mode, credits: x.credits, deontologyCredits: Math.min(x.credits, x.deontology), status: x.status }),
  );
const art9Arb = fc
  .record({
    date: dateArb,
    activity: fc.constantFrom(...ART9_ACTIVITIES),
    quantity: fc.integer({ min: 0, max: 12 }),
    deontology: fc.boolean(),
    status: statusArb,
  })
  .map(
    (x): Omit<CreditItem, 'id'> => ({
      date: x.date,
      mode: 'art9',
      art9: { activity: x.activity, quantity: x.quantity, deontology: x.deontology },
      status: x.status,
    }),
  );
const itemArb = fc.oneof({ arbitrary: eventArb, weight: 3 }, { arbitrary: art9Arb, weight: 1 });
const itemsArb = fc.array(itemArb, { maxLength: 25 }).map((xs) => xs.map((x, i): CreditItem => ({ ...x, id: `i${String(i).padStart(2, '0')}` })));
const obligationArb = fc
  .integer({ min: 0, max: 60 })
  .chain((total) => fc.record({ total: fc.constant(total), deontology: fc.integer({ min: 0, max: Math.min(total, 10) }) }));
const pctArb = fc.integer({ min: 0, max: 100 });
const RUNS = { numRuns: 300 };

describe('deriveBalance properties', () => {
  it('never counts beyond the caps, nor more than recorded; counted + not counted = recorded', () => {
    fc.assert(
      fc.property(itemsArb, pctArb, obligationArb, (items, pct, obligation) => {
        const b = derive(items, { distancePct: pct, obligation });
        expect(b.counted.distance).toBeLessThanOrEqual(distanceCap(pct, obligation.total));
        expect(b.counted.otherActivities).toBeLessThanOrEqual(OTHER_ACTIVITIES_CAP);
        let total = 0;
        let deontology = 0;
        for (const i of b.items) {
          expect(i.counted).toBeLessThanOrEqual(i.recorded);
          expect(i.countedDeontology).toBeLessThanOrEqual(Math.min(i.counted, i.deontology));
          expect(i.deontology).toBeLessThanOrEqual(i.recorded);
          if (i.status === 'granted') expect(i.counted + i.notCounted.reduce((s, n) => s + n.credits, 0)).toBe(i.recorded);
          else expect(i.counted).toBe(0);
          expect(i.date >= b.period.from && i.date <= b.period.to).toBe(true);
          total += i.counted;
          deontology += i.countedDeontology;
        }
        expect(b.counted.total).toBe(total);
        expect(b.counted.deontology).toBe(deontology);
        expect(b.compliant).toBe(b.counted.total >= obligation.total && b.counted.deontology >= obligation.deontology);
        expect(b.years.reduce((s, y) => s + y.counted.total, 0)).toBe(b.counted.total);
      }),
      RUNS,
    );
  });

  it('never lowers what counts when a granted credit is added', () => {
    fc.assert(
      fc.property(itemsArb, itemArb, pctArb, obligationArb, (items, extra, pct, obligation) => {
        const before = derive(items, { distancePct: pct, obligation });
        const after = derive([...items, { ...extra, id: 'extra', status: 'granted' }], { distancePct: pct, obligation });
        expect(after.counted.total).toBeGreaterThanOrEqual(before.counted.total);
        expect(after.counted.deontology).toBeGreaterThanOrEqual(before.counted.deontology);
        if (before.compliant) expect(after.compliant).toBe(true);
      }),
      RUNS,
    );
  });

  it('does not depend on the order of the items', () => {
    const permuted = itemsArb.chain((xs) => fc.tuple(fc.constant(xs), fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length })));
    fc.assert(
      fc.property(permuted, pctArb, obligationArb, ([items, shuffled], pct, obligation) => {
        expect(derive(shuffled, { distancePct: pct, obligation })).toEqual(derive(items, { distancePct: pct, obligation }));
      }),
      RUNS,
    );
  });

  it('settles a debt consistently from both bienni, within the old caps, each credit used once', () => {
    const debtArb = fc.integer({ min: 0, max: 12 }).chain((t) => fc.record({ total: fc.constant(t), deontology: fc.integer({ min: 0, max: t }) }));
    const lateItems = fc
      .array(itemArb, { maxLength: 8 })
      .map((xs) => xs.map((x, i): CreditItem => ({ ...x, id: `n${i}`, date: BASE.plus({ years: 2, months: 6, days: (i * 37) % 240 }).toISODate()! })));
    fc.assert(
      fc.property(itemsArb, lateItems, debtArb, pctArb, obligationArb, (items, later, debt, pct, obligation) => {
        const all = [...items, ...later];
        const old = derive(all, { distancePct: pct, obligation, debt });
        const next = deriveBalance({
          biennium: 2027,
          asOf: '2028-12-31',
          obligation: FULL,
          distancePct: 40,
          items: all,
          previous: { obligation, distancePct: pct, debt },
        });
        const settled = old.debt!.settled;
        expect(next.settlesPrevious).toEqual(settled.map((p) => ({ id: p.id, credits: p.credits, deontology: p.deontology })));
        expect(old.debt!.settledTotal + old.debt!.remaining.total).toBe(debt.total);
        for (const p of settled) {
          expect(p.date >= '2027-01-01' && p.date <= '2027-06-30').toBe(true);
          const n = next.items.find((i) => i.id === p.id)!;
          expect(n.status).toBe('granted');
          expect(n.counted + p.credits).toBeLessThanOrEqual(n.recorded);
          expect(n.notCounted).toContainEqual({ credits: p.credits, reason: 'settles-previous-debt' });
        }
        const used = (f: (i: (typeof next.items)[number]) => boolean) =>
          settled.filter((p) => f(next.items.find((i) => i.id === p.id)!)).reduce((s, p) => s + p.credits, 0);
        expect(old.counted.distance + used((i) => i.distance)).toBeLessThanOrEqual(old.caps.distance.cap);
        expect(old.counted.otherActivities + used((i) => i.otherActivity)).toBeLessThanOrEqual(OTHER_ACTIVITIES_CAP);
        expect(old.compliant).toBe(
          old.counted.total + old.debt!.settledTotal >= obligation.total && old.counted.deontology + old.debt!.settledDeontology >= obligation.deontology,
        );
      }),
      RUNS,
    );
  });
});
