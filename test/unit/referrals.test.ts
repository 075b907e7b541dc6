/** Referrals to the discipline council (issue 15, R-VER-8, R-VER-9): who is referred, from when, what a new basis does, the states. */
import { describe, expect, it } from 'vitest';
import {
  finalRows,
  planReferrals,
  referralNumber,
  referralsOpenAt,
  referralTransition,
  referralVerdict,
  REFERRAL_TRANSITIONS,
  type OpenReferral,
  type ReferralBasis,
} from '../../src/domain/referrals.ts';
import { campaignDates, VERIFICATION_STATUSES, type VerificationRow, type VerificationStatus } from '../../src/domain/verification.ts';

const row = (memberId: string, status: VerificationStatus, extra: { missing?: number; debtRequestFiled?: boolean; debt?: boolean } = {}): VerificationRow => ({
  memberId,
  status,
  obligation: { total: 50, deontology: 6 },
  credits: { total: 50 - (extra.missing ?? 0), deontology: 6 },
  missing: { total: extra.missing ?? 0, deontology: 0 },
  details: {
    months: 24,
    reduction: null,
    debt: extra.debt ? { total: 10, deontology: 0, settled: 0, remaining: { total: 10, deontology: 0 } } : null,
    debtRequestFiled: extra.debtRequestFiled ?? false,
    distancePct: 40,
  },
});

describe('referralVerdict (R-VER-8)', () => {
  it('refers `short` and `debt-not-settled`; holds `debt-accepted`; never refers members in order or not due', () => {
    const verdicts = Object.fromEntries(VERIFICATION_STATUSES.map((s) => [s, referralVerdict(row('m', s))]));
    expect(verdicts).toEqual({
      compliant: { refer: false, reason: 'in-order' },
      reduced: { refer: false, reason: 'in-order' },
      'new-member': { refer: false, reason: 'in-order' },
      'debt-settled': { refer: false, reason: 'in-order' },
      'not-due': { refer: false, reason: 'not-due' },
      short: { refer: true },
      'debt-accepted': { refer: false, reason: 'debt-recovery-open' },
      'debt-not-settled': { refer: true },
    });
  });

  it('holds a `short` member whose debt request waits for the CPO’s decision (R-DEBT-2)', () => {
    expect(referralVerdict(row('m', 'short', { missing: 4, debtRequestFiled: true }))).toEqual({ refer: false, reason: 'debt-request-pending' });
  });
});

describe('finalRows and when a list may be prepared (R-VER-8)', () => {
  const basis: ReferralBasis = {
    february: { version: 2, rows: [row('a', 'compliant'), row('b', 'short', { missing: 10 }), row('c', 'debt-accepted', { debt: true })] },
    june: { version: 1, rows: [row('c', 'debt-not-settled', { debt: true }), row('z', 'debt-settled', { debt: true })] },
  };

  it('the June row replaces the February one of a debtor; a June row of a member missing in February is ignored', () => {
    const f = finalRows(basis);
    expect([...f.keys()].sort()).toEqual(['a', 'b', 'c']);
    expect(f.get('c')).toMatchObject({ phase: 'june', version: 1, row: { status: 'debt-not-settled' } });
    expect(f.get('b')).toMatchObject({ phase: 'february', version: 2 });
  });

  it('after February, without the June re-check: the short member is referred, the debtor held', () => {
    const plan = planReferrals({ ...basis, june: null }, []);
    expect(plan.create.map((c) => c.row.memberId)).toEqual(['b']);
    expect(plan.held).toEqual({ debtRecovery: 1, debtRequest: 0 });
    expect(plan.referred).toBe(1);
  });

  it('after June: the debtor who did not settle is referred too, from the June row', () => {
    const plan = planReferrals(basis, []);
    expect(plan.create.map((c) => [c.row.memberId, c.phase])).toEqual([
      ['b', 'february'],
      ['c', 'june'],
    ]);
    expect(plan.held).toEqual({ debtRecovery: 0, debtRequest: 0 });
  });

  it('a list is prepared once 28 February 23:59:59.999 Rome (CET) has passed', () => {
    expect(referralsOpenAt(2025).toISOString()).toBe('2027-02-28T22:59:59.999Z');
    expect(referralsOpenAt(2025).getTime()).toBe(campaignDates(2025).asOf.getTime());
  });

  it('a short member with a debt request on file now (after the snapshot was run) is held, not referred', () => {
    const plan = planReferrals({ ...basis, june: null }, [], new Set(['b']));
    expect(plan.create).toEqual([]);
    expect(plan.held).toEqual({ debtRecovery: 1, debtRequest: 1 });
    expect(referralVerdict(row('b', 'short'), true)).toEqual({ refer: false, reason: 'debt-request-pending' });
    expect(referralVerdict(row('c', 'debt-not-settled', { debt: true }), true)).toEqual({ refer: true });
  });
});

describe('planReferrals on a newer basis (R-VER-9)', () => {
  const open = (id: string, memberId: string, state: OpenReferral['state'], r: VerificationRow, note: OpenReferral['note'] = null): OpenReferral => ({
    id,
    memberId,
    state,
    phase: 'february',
    version: 1,
    row: r,
    note,
  });
  const b = row('b', 'short', { missing: 10 });
  const d = row('d', 'short', { missing: 3 });
  const referrals = [open('r1', 'b', 'prepared', b), open('r2', 'd', 'sent', d)];

  it('the same basis and referrals give an empty plan: preparing twice changes nothing', () => {
    const plan = planReferrals({ february: { version: 1, rows: [b, d, row('a', 'compliant')] }, june: null }, referrals);
    expect(plan).toMatchObject({ create: [], refresh: [], withdraw: [], note: [], clearNote: [], referred: 2 });
  });

  it('a newer version with the same row for the member leaves the prepared letter as it is', () => {
    const plan = planReferrals({ february: { version: 3, rows: [b, d, row('x', 'short', { missing: 1 })] }, june: null }, referrals);
    expect(plan.refresh).toEqual([]);
    expect(plan.create.map((c) => c.row.memberId)).toEqual(['x']);
  });

  it('a prepared referral of a member still short but with other figures is restated', () => {
    const b2 = row('b', 'short', { missing: 6 });
    const plan = planReferrals({ february: { version: 2, rows: [b2, d] }, june: null }, referrals);
    expect(plan.refresh).toEqual([{ id: 'r1', row: b2, phase: 'february', version: 2, from: { phase: 'february', version: 1 } }]);
  });

  it('a member in order in a later version: the prepared referral is withdrawn, the sent one stays with a note', () => {
    const plan = planReferrals({ february: { version: 2, rows: [row('b', 'compliant'), row('d', 'reduced')] }, june: null }, referrals);
    expect(plan.withdraw).toEqual([{ id: 'r1', note: { phase: 'february', version: 2, status: 'compliant', reason: 'in-order' } }]);
    expect(plan.note).toEqual([{ id: 'r2', note: { phase: 'february', version: 2, status: 'reduced', reason: 'in-order' } }]);
    expect(plan.referred).toBe(0);
  });

  it('a debt accepted late (now `debt-accepted`) withdraws the prepared referral until June', () => {
    const plan = planReferrals({ february: { version: 2, rows: [row('b', 'debt-accepted', { debt: true }), d] }, june: null }, referrals);
    expect(plan.withdraw).toEqual([{ id: 'r1', note: { phase: 'february', version: 2, status: 'debt-accepted', reason: 'debt-recovery-open' } }]);
    expect(plan.held.debtRecovery).toBe(1);
  });

  it('a member gone from the verification: withdrawn when prepared, noted when sent', () => {
    const plan = planReferrals({ february: { version: 2, rows: [] }, june: null }, referrals);
    expect(plan.withdraw).toEqual([{ id: 'r1', note: { phase: 'february', version: 2, status: null, reason: 'not-in-verification' } }]);
    expect(plan.note[0]).toMatchObject({ id: 'r2', note: { reason: 'not-in-verification' } });
  });

  it('a note is added once, and cleared when the member is to be referred again; a sent letter is never restated', () => {
    const noted = [open('r2', 'd', 'sent', d, { phase: 'february', version: 2, status: 'compliant', reason: 'in-order' })];
    expect(planReferrals({ february: { version: 3, rows: [row('d', 'compliant')] }, june: null }, noted).note).toEqual([]);
    const again = planReferrals({ february: { version: 4, rows: [row('d', 'short', { missing: 1 })] }, june: null }, noted);
    expect(again.clearNote).toEqual([{ id: 'r2', phase: 'february', version: 4, status: 'short' }]);
    expect(again.refresh).toEqual([]);
    expect(again.create).toEqual([]);
  });
});

describe('referralTransition (R-VER-9)', () => {
  const prepared = { state: 'prepared' as const, letterOn: '2027-03-02', sentOn: null };
  const sent = { state: 'sent' as const, letterOn: '2027-03-02', sentOn: '2027-03-05' };

  it('prepared → sent → answered, and nothing else by hand', () => {
    expect(REFERRAL_TRANSITIONS).toEqual({ prepared: ['sent'], sent: ['answered'], answered: [], withdrawn: [] });
    expect(referralTransition(prepared, 'sent', '2027-03-02', '2027-03-10')).toEqual({ ok: true });
    expect(referralTransition(sent, 'answered', '2027-03-05', '2027-03-10')).toEqual({ ok: true });
    expect(referralTransition(prepared, 'answered', '2027-03-05', '2027-03-10')).toEqual({ ok: false, error: 'invalid-transition' });
    expect(referralTransition(sent, 'sent', '2027-03-05', '2027-03-10')).toEqual({ ok: false, error: 'invalid-transition' });
    expect(referralTransition({ ...sent, state: 'answered' }, 'answered', '2027-03-06', '2027-03-10')).toEqual({ ok: false, error: 'invalid-transition' });
    expect(referralTransition({ ...prepared, state: 'withdrawn' }, 'sent', '2027-03-06', '2027-03-10')).toEqual({ ok: false, error: 'invalid-transition' });
  });

  it('a day before the letter (or the sending), or after today, is refused', () => {
    expect(referralTransition(prepared, 'sent', '2027-03-01', '2027-03-10')).toEqual({ ok: false, error: 'date-too-early' });
    expect(referralTransition(prepared, 'sent', '2027-03-11', '2027-03-10')).toEqual({ ok: false, error: 'date-in-future' });
    expect(referralTransition(sent, 'answered', '2027-03-04', '2027-03-10')).toEqual({ ok: false, error: 'date-too-early' });
  });

  it('numbers the letters per province and biennium', () => {
    expect(referralNumber('MI', 2025, 7)).toBe('DEF-MI-2025-0007');
  });
});
