/**
 * Structured paths (R-EVT-6) with R-CAL-2/4 year split, R-FAD-1 mixed mode and R-QST-1:
 * src/domain/structured-path.ts, src/domain/credits.ts and the pure derivation (computeOutcomes).
 */
import { describe, expect, it } from 'vitest';
import { assessAttendance } from '../../src/domain/attendance.ts';
import { attendedMode, creditStatus, deontologyCredits, isPlatformSource } from '../../src/domain/credits.ts';
import { assessStructuredPath, proRatedDeontology, splitByWeight, type PathSession } from '../../src/domain/structured-path.ts';
import type { DerivationInput } from '../../src/store/attendance.ts';
import { computeOutcomes } from '../../src/domain/outcomes.ts';

const MIN = 60_000;
const H = 60 * MIN;
/** `hh`:00 Europe/Rome on a winter day (CET, +01:00). */
const rome = (date: string, hh: number) => Date.parse(`${date}T${String(hh).padStart(2, '0')}:00:00+01:00`);
const session = (date: string, from: number, to: number, credits: number, autonomous = false): PathSession => ({
  start: rome(date, from),
  end: rome(date, to),
  credits,
  autonomous,
});
const full = (s: PathSession) => ({ coveredMinutes: (s.end - s.start) / MIN, qualifies: true });
const none = { coveredMinutes: 0, qualifies: false };

/** Three 8-hour days in March 2026: 24 hours, 1,440 minutes. */
const MARCH = [session('2026-03-10', 9, 17, 8), session('2026-03-11', 9, 17, 8), session('2026-03-12', 9, 17, 8)];

describe('assessStructuredPath (R-EVT-6)', () => {
  it('70% of the hours exactly qualifies; one minute less does not (integer comparison)', () => {
    // 70% of 1,440 minutes = 1,008.
    const at = assessStructuredPath({
      sessions: MARCH,
      attendance: [full(MARCH[0]!), full(MARCH[1]!), { coveredMinutes: 48, qualifies: false }],
      eventCredits: 20,
    });
    expect(at).toMatchObject({
      decision: 'attended-threshold',
      meetsThreshold: true,
      coveredMinutes: 1008,
      totalMinutes: 1440,
      absentMinutes: 432,
      attendedPct: 70,
      thresholdPct: 70,
      credits: 20,
    });
    expect(at.records).toEqual([{ fraction: 0, year: 2026, credits: 20, deontologyCredits: 0 }]);

    const below = assessStructuredPath({
      sessions: MARCH,
      attendance: [full(MARCH[0]!), full(MARCH[1]!), { coveredMinutes: 47, qualifies: false }],
      eventCredits: 20,
    });
    expect(below).toMatchObject({ decision: 'below-threshold', meetsThreshold: false, coveredMinutes: 1007, attendedPct: 69.93, credits: 0, records: [] });
  });

  it('a 70% share that is not a whole minute: 1,441 minutes need 1,008.7, so 1,008 fails and 1,009 passes', () => {
    const s = [MARCH[0]!, MARCH[1]!, { ...MARCH[2]!, end: MARCH[2]!.end + MIN }];
    const att = (c: number) => [full(s[0]!), full(s[1]!), { coveredMinutes: c, qualifies: false }];
    expect(assessStructuredPath({ sessions: s, attendance: att(48), eventCredits: 20 }).meetsThreshold).toBe(false);
    expect(assessStructuredPath({ sessions: s, attendance: att(49), eventCredits: 20 }).meetsThreshold).toBe(true);
  });

  it('grants at most 20 credits, and the event credits when fewer', () => {
    const all = MARCH.map(full);
    expect(assessStructuredPath({ sessions: MARCH, attendance: all, eventCredits: 24 }).credits).toBe(20);
    expect(assessStructuredPath({ sessions: MARCH, attendance: all, eventCredits: 18 }).credits).toBe(18);
  });

  it('under 70%: only autonomous sessions the member qualified for grant, each at most 15', () => {
    // 16 h autonomous + 8 h ordinary: attending only the first is 66.7%.
    const s = [{ ...session('2026-03-10', 8, 24, 16, true) }, session('2026-03-11', 9, 17, 8)];
    const out = assessStructuredPath({ sessions: s, attendance: [full(s[0]!), none], eventCredits: 24 });
    expect(out).toMatchObject({ decision: 'autonomous-fractions', meetsThreshold: false, credits: 15 });
    expect(out.records).toEqual([{ fraction: 1, year: 2026, credits: 15, deontologyCredits: 0 }]);
    expect(out.sessions[0]).toMatchObject({ fraction: 1, autonomous: true, qualifies: true, credits: 15, capped: true });
    expect(out.sessions[1]).toMatchObject({ fraction: 2, autonomous: false, credits: 0, capped: false });
  });

  it('under 70%: an autonomous session not qualified (R-ATT-5 tolerance), or an ordinary one qualified, grants nothing', () => {
    const s = [session('2026-03-10', 9, 17, 8, true), session('2026-03-11', 9, 17, 8), session('2026-03-12', 9, 17, 8)];
    const out = assessStructuredPath({ sessions: s, attendance: [{ coveredMinutes: 440, qualifies: false }, full(s[1]!), none], eventCredits: 24 });
    expect(out).toMatchObject({ decision: 'below-threshold', credits: 0, records: [] });
  });

  it('under 70%: autonomous sessions together grant at most 20', () => {
    const s = [session('2026-03-10', 8, 20, 12, true), session('2026-03-11', 8, 20, 12, true), session('2026-03-12', 8, 20, 12, true)];
    const out = assessStructuredPath({ sessions: s, attendance: [full(s[0]!), full(s[1]!), none], eventCredits: 36 });
    expect(out.meetsThreshold).toBe(false); // 24 of 36 hours
    expect(out.records.map((r) => [r.fraction, r.credits])).toEqual([
      [1, 12],
      [2, 8],
    ]);
    expect(out.sessions[1]).toMatchObject({ credits: 8, capped: true });
    expect(out.credits).toBe(20);
  });

  it('a path over 31 December is split by the hours held in each Rome year: first year rounded, second the rest (R-CAL-2/4)', () => {
    // 16 h in 2025, 8 h in 2026: 20 × 16 / 24 = 13.33 → 13, and 7.
    const s = [session('2025-12-30', 9, 17, 8), session('2025-12-31', 9, 17, 8), session('2026-01-02', 9, 17, 8)];
    const out = assessStructuredPath({ sessions: s, attendance: s.map(full), eventCredits: 24 });
    expect(out.records).toEqual([
      { fraction: 0, year: 2025, credits: 13, deontologyCredits: 0 },
      { fraction: 0, year: 2026, credits: 7, deontologyCredits: 0 },
    ]);
    expect(out.years.map((y) => [y.year, y.minutes, y.credits])).toEqual([
      [2025, 960, 13],
      [2026, 480, 7],
    ]);
  });

  it('year split: a half rounds up in the first year (R-CAL-4), 15 × 12 / 24 = 7.5 → 8 and 7; the sum is always exact', () => {
    const s = [session('2025-12-30', 8, 20, 12), session('2026-01-02', 8, 20, 12)];
    const out = assessStructuredPath({ sessions: s, attendance: s.map(full), eventCredits: 15 });
    expect(out.records.map((r) => [r.year, r.credits])).toEqual([
      [2025, 8],
      [2026, 7],
    ]);
    // 20 × 10 / 22 = 9.09 → 9, and the rest, 11 (rounding each share on its own would give 8 + 8 = 16 above: not exact).
    const t = [session('2025-12-31', 8, 18, 10), session('2026-01-02', 8, 20, 12)];
    expect(assessStructuredPath({ sessions: t, attendance: t.map(full), eventCredits: 22 }).records.map((r) => r.credits)).toEqual([9, 11]);
  });

  it('a session across midnight of 31 December belongs to the year of its start (R-CAL-2)', () => {
    const s = [session('2025-12-30', 9, 21, 12), { start: rome('2025-12-31', 22), end: rome('2025-12-31', 22) + 10 * H, credits: 10, autonomous: false }];
    const out = assessStructuredPath({ sessions: s, attendance: s.map(full), eventCredits: 22 });
    expect(out.records).toEqual([{ fraction: 0, year: 2025, credits: 20, deontologyCredits: 0 }]);
    // An autonomous fraction's record also takes its start's year.
    const a = [session('2025-12-29', 9, 21, 12), { ...s[1]!, autonomous: true }];
    const under = assessStructuredPath({ sessions: a, attendance: [none, full(a[1]!)], eventCredits: 22 });
    expect(under.records).toEqual([{ fraction: 2, year: 2025, credits: 10, deontologyCredits: 0 }]);
  });

  it('deontology: whole hours of deontology topics, pro-rated when the 20 cap binds, split by year', () => {
    const s = [session('2025-12-30', 9, 17, 8), session('2025-12-31', 9, 17, 8), session('2026-01-02', 9, 17, 8)];
    // 3 h deontology on 30 Dec, 3 h on 2 Jan: 6 of 24 hours.
    const topics = [
      { start: rome('2025-12-30', 9), end: rome('2025-12-30', 12), deontology: true },
      { start: rome('2025-12-30', 12), end: rome('2026-01-02', 9), deontology: false },
      { start: rome('2026-01-02', 9), end: rome('2026-01-02', 12), deontology: true },
      { start: rome('2026-01-02', 12), end: rome('2026-01-02', 17), deontology: false },
    ];
    // Not capped (20 event credits): 6 deontology credits, 3 + 3.
    const plain = assessStructuredPath({ sessions: s, attendance: s.map(full), eventCredits: 20, topics });
    expect(plain.records.map((r) => [r.year, r.credits, r.deontologyCredits])).toEqual([
      [2025, 13, 3],
      [2026, 7, 3],
    ]);
    // Capped (24 → 20): 6 × 20 / 24 = 5 deontology credits, split 2.5 → 3 and 2.
    const capped = assessStructuredPath({ sessions: s, attendance: s.map(full), eventCredits: 24, topics });
    expect(capped.records.map((r) => [r.year, r.credits, r.deontologyCredits])).toEqual([
      [2025, 13, 3],
      [2026, 7, 2],
    ]);
    // Without any cap, the path's deontology equals deontologyCredits over the sessions.
    expect(proRatedDeontology(360, 20, 20)).toBe(deontologyCredits(topics, { start: s[0]!.start, end: s[2]!.end }, 20));
  });

  it('an open join (R-ATT-6) under the threshold leaves the outcome incomplete, with no credit; over it, it cannot matter', () => {
    const s = [session('2026-03-10', 9, 17, 8, true), session('2026-03-11', 9, 17, 8), session('2026-03-12', 9, 17, 8)];
    const under = assessStructuredPath({ sessions: s, attendance: [full(s[0]!), none, none], eventCredits: 24, openIntervals: 1 });
    expect(under).toMatchObject({ status: 'incomplete', decision: 'autonomous-fractions', credits: 0, records: [] });
    const over = assessStructuredPath({ sessions: s, attendance: s.map(full), eventCredits: 24, openIntervals: 1 });
    expect(over).toMatchObject({ status: 'complete', credits: 20 });
  });
});

describe('splitByWeight and proRatedDeontology (R-CAL-4)', () => {
  it('parts add up exactly; two weights: the first rounded, the second the rest', () => {
    expect(splitByWeight(20, [480, 960])).toEqual([7, 13]);
    expect(splitByWeight(15, [1, 1])).toEqual([8, 7]);
    expect(splitByWeight(5, [0, 0])).toEqual([5, 0]);
    for (let c = 0; c <= 20; c++) for (let m = 1; m < 30; m++) expect(splitByWeight(c, [m, 30 - m]).reduce((a, b) => a + b)).toBe(c);
  });

  it('pro-rates deontology hours to the credits granted, never above them', () => {
    expect(proRatedDeontology(360, 20, 24)).toBe(5);
    expect(proRatedDeontology(360, 24, 24)).toBe(6);
    expect(proRatedDeontology(600, 5, 20)).toBe(3); // 10 × 5 / 20 = 2.5 → 3
    expect(proRatedDeontology(1200, 3, 3)).toBe(3);
    expect(proRatedDeontology(0, 20, 20)).toBe(0);
  });
});

describe('R-FAD-1 mixed mode and R-QST-1 (src/domain/credits.ts)', () => {
  it('platform sources are the API, Zoom and platform reports; uploads and corrections are the organiser', () => {
    expect(['api:k1', 'zoom:c1', 'report:teams'].map(isPlatformSource)).toEqual([true, true, true]);
    expect(['upload', 'upload:in-person', 'correction', null, undefined].map(isPlatformSource)).toEqual([false, false, false, false, false]);
  });

  it('a mixed event counts in person only on in-person uploads (with corrections), as webinar otherwise; other modes are kept', () => {
    // In person: at least one in-person upload, every other record a correction.
    expect(attendedMode('mixed', ['upload:in-person'])).toBe('in-person');
    expect(attendedMode('mixed', ['upload:in-person', 'correction', 'upload:in-person'])).toBe('in-person');
    expect(attendedMode('mixed', ['correction', 'upload:in-person'])).toBe('in-person');
    // Webinar: any platform record, any plain (online) upload, only corrections, nothing at all.
    expect(attendedMode('mixed', ['zoom:c1'])).toBe('webinar');
    expect(attendedMode('mixed', ['upload:in-person', 'api:k'])).toBe('webinar');
    expect(attendedMode('mixed', ['upload:in-person', 'report:teams', 'correction'])).toBe('webinar');
    expect(attendedMode('mixed', ['upload'])).toBe('webinar');
    expect(attendedMode('mixed', ['upload', 'correction'])).toBe('webinar');
    expect(attendedMode('mixed', ['upload:in-person', 'upload'])).toBe('webinar');
    expect(attendedMode('mixed', ['upload', 'correction', 'api:k'])).toBe('webinar');
    expect(attendedMode('mixed', ['correction'])).toBe('webinar');
    expect(attendedMode('mixed', [])).toBe('webinar');
    expect(attendedMode('mixed', ['upload:in-person', null])).toBe('webinar');
    // Other modes: the event's mode, whatever the sources.
    expect(attendedMode('webinar', ['upload'])).toBe('webinar');
    expect(attendedMode('webinar', ['upload:in-person'])).toBe('webinar');
    expect(attendedMode('in-person', ['zoom:c1'])).toBe('in-person');
    expect(attendedMode('in-person', ['upload'])).toBe('in-person');
  });

  it('only kind-e webinars that are not structured paths are pending (R-QST-1)', () => {
    expect(creditStatus('e', 'webinar')).toBe('pending');
    expect(creditStatus('e', 'webinar', { structuredPath: false })).toBe('pending');
    expect(creditStatus('e', 'webinar', { structuredPath: true })).toBe('granted');
    expect(creditStatus('e', 'mixed', { structuredPath: true })).toBe('granted');
    expect(creditStatus('e', 'mixed')).toBe('granted');
    expect(creditStatus('a', 'webinar')).toBe('granted');
  });
});

describe('computeOutcomes with a structured path (R-EVT-6, R-FAD-1, R-QST-1)', () => {
  const s = [session('2025-12-30', 9, 17, 8, true), session('2025-12-31', 9, 17, 8), session('2026-01-02', 9, 17, 8)];
  const input = (records: DerivationInput['records'], organiserKind = 'e'): DerivationInput => ({
    event: {
      id: 'e1',
      organiserKind,
      cpoProvince: 'MI',
      mode: 'mixed',
      start: s[0]!.start,
      end: s[2]!.end,
      credits: 24,
      fractions: s,
      toleranceMinutes: 30,
      regionWide: false,
      structuredPath: true,
      topics: [{ start: s[0]!.start, end: s[2]!.end, deontology: false }],
      accreditationStatus: 'approved',
      closedAt: null,
    },
    registrations: [
      { memberId: 'online', registrantId: 'r-online', province: 'MI' },
      { memberId: 'room', province: 'MI' },
      { memberId: 'partial', registrantId: 'r-partial', province: 'MI' },
      { memberId: 'file', province: 'MI' },
    ],
    records,
    recordCount: records.length,
    highWater: records.length,
    corrections: 0,
    questionnaires: new Map(),
  });
  const stay = (who: { registrantId?: string; memberId?: string }, source: string, x: PathSession, tag: string) => [
    { kind: 'join' as const, at: x.start, connectionId: tag, source, ...who },
    { kind: 'leave' as const, at: x.end, connectionId: tag, source, ...who },
  ];

  it('credits a kind-e mixed path: online member as webinar, granted (never pending), split by year; in-person upload as in person, plain upload as webinar', () => {
    const records = [
      ...s.flatMap((x, i) => stay({ registrantId: 'r-online' }, 'api:k1', x, `o${i}`)),
      ...s.flatMap((x, i) => stay({ memberId: 'room' }, 'upload:in-person', x, `u${i}`)),
      ...s.flatMap((x, i) => stay({ memberId: 'file' }, 'upload', x, `f${i}`)),
      ...stay({ registrantId: 'r-partial' }, 'zoom:c1', s[0]!, 'p0'),
    ];
    const { outcomes, credits } = computeOutcomes(input(records));
    const by = (m: string) => credits.filter((c) => c.memberId === m).map((c) => [c.fraction, c.year, c.credits, c.mode, c.status]);
    expect(by('online')).toEqual([
      [0, 2025, 13, 'webinar', 'granted'],
      [0, 2026, 7, 'webinar', 'granted'],
    ]);
    expect(by('room')).toEqual([
      [0, 2025, 13, 'in-person', 'granted'],
      [0, 2026, 7, 'in-person', 'granted'],
    ]);
    // A plain upload (presence online, the default) is how webinar attendance is loaded: webinar.
    expect(by('file')).toEqual([
      [0, 2025, 13, 'webinar', 'granted'],
      [0, 2026, 7, 'webinar', 'granted'],
    ]);
    // One autonomous day of three: under 70%, the autonomous session alone.
    expect(by('partial')).toEqual([[1, 2025, 8, 'webinar', 'granted']]);
    const partial = outcomes.find((o) => o.memberId === 'partial')!;
    expect(partial).toMatchObject({ status: 'credited', coveredMinutes: 480, absentMinutes: 960, credits: 8 });
    expect(partial.explanation).toMatchObject({
      reason: 'autonomous-fractions',
      rule: 'R-EVT-6',
      structuredPath: {
        decision: 'autonomous-fractions',
        attendedPct: 33.33,
        thresholdPct: 70,
        meetsThreshold: false,
        coveredMinutes: 480,
        totalMinutes: 1440,
      },
    });
    const online = outcomes.find((o) => o.memberId === 'online')!;
    expect(online).toMatchObject({ status: 'credited', coveredMinutes: 1440, absentMinutes: 0, credits: 20 });
    expect(online.explanation).toMatchObject({ reason: 'attended-threshold', rule: 'R-EVT-6', structuredPath: { attendedPct: 100, meetsThreshold: true } });
    expect(online.explanation).not.toHaveProperty('questionnaire');
  });

  it('the sessions pro-rate the tolerance against their own hours, not the nights between them (R-ATT-5)', () => {
    const att = assessAttendance({
      event: { start: s[0]!.start, end: s[2]!.end, credits: 24, toleranceMinutes: 30, fractions: s },
      intervals: [],
      meetingEnd: null,
    });
    expect(att.fractions!.map((f) => f.toleranceMinutes)).toEqual([10, 10, 10]);
  });
});
