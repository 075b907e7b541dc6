/**
 * Issue 16, "Derivation at scale": the incremental fold (src/domain/elearning-fold.ts) against the
 * full re-read (`assessEnrolment`). Random histories of SCORM 1.2 and 2004 courses, with several
 * SCOs and sessions, invalid commits, commits naming no launch (or another SCO's, or a launch
 * registered only later), commits outside the validity window or before their launch, receipt
 * times out of the order of the ids, commits of an earlier id seen late (a transaction that
 * committed after a fold), and course changes between derivations (validity, duration). Fed in
 * random batches, each derivation gives the same outcome as the full re-read of everything seen
 * so far, and the same aggregates as rebuilding them from scratch.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldAll, foldBasis, foldCommits, progressOfFold, type FoldState } from '../../src/domain/elearning-fold.ts';
import { assessEnrolment, launchedScosOf, type CommitFact, type LaunchFact, type ProgressCourse } from '../../src/domain/elearning-progress.ts';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MIN = 60_000;

// Weighted towards completing, so that completedAt is often reached, early or late.
const STATUS_12 = ['completed', 'passed', 'passed', 'incomplete', 'failed', 'not attempted', 'browsed', null] as const;
const COMPLETION = ['completed', 'completed', 'incomplete', 'not attempted', 'unknown', null] as const;
const SUCCESS = ['passed', 'passed', 'failed', 'unknown', null] as const;

interface History {
  course: ProgressCourse;
  /** A course change before batch `at` (declaration, tolerance or accreditation). */
  change: { at: number; course: Partial<ProgressCourse> } | null;
  launches: Array<LaunchFact & { fromBatch: number }>;
  /** In the order the commits become visible to derivation, batch by batch. */
  batches: CommitFact[][];
  now: number;
}

const courseArb = fc.record({
  version: fc.constantFrom('1.2' as const, '2004' as const),
  scoCount: fc.constantFrom(1, 2, 2, 3),
  testMastery: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  masteryScore: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
  nominalMinutes: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null, freq: 8 }),
  toleranceMinutes: fc.integer({ min: 0, max: 20 }),
  validity: fc.option(fc.record({ from: fc.integer({ min: -10, max: 20 }), len: fc.integer({ min: 5, max: 400 }) }), { nil: null, freq: 8 }),
  accreditation: fc.constantFrom('approved', 'approved', 'approved', 'approved', 'approved', 'requested', 'rejected'),
});

const historyArb: fc.Arbitrary<History> = fc
  .record({
    c: courseArb,
    change: fc.option(
      fc.record({
        at: fc.integer({ min: 1, max: 6 }),
        nominalMinutes: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
        validityFrom: fc.integer({ min: -10, max: 20 }),
      }),
      { freq: 3 },
    ),
    sessions: fc.array(
      fc.record({ sco: fc.nat(2), at: fc.integer({ min: 0, max: 90 }), resume: fc.constantFrom(0, 0, 60, 300), fromBatch: fc.constantFrom(0, 0, 0, 0, 2, 4) }),
      { minLength: 1, maxLength: 5 },
    ),
    commits: fc.array(
      fc.record({
        session: fc.integer({ min: -2, max: 12 }), // -2: none, -1: a session never launched
        otherSco: fc.boolean(),
        offsetS: fc.integer({ min: -120, max: 2400 }),
        valid: fc.boolean(),
        invalidish: fc.nat(9),
        status12: fc.constantFrom(...STATUS_12),
        completion: fc.constantFrom(...COMPLETION),
        success: fc.constantFrom(...SUCCESS),
        score: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
        sessionSeconds: fc.option(fc.integer({ min: 0, max: 2400 }), { nil: null }),
        totalSeconds: fc.option(fc.integer({ min: 0, max: 3000 }), { nil: null }),
        lateId: fc.nat(12), // 0: the id was drawn earlier than its visibility (seen after later ids)
      }),
      { maxLength: 40 },
    ),
    cuts: fc.array(fc.nat(40), { maxLength: 8 }),
    /** A learner who goes through: every SCO launched, and each session ends completed and passed. */
    diligent: fc.array(fc.integer({ min: 60, max: 2400 }), { minLength: 5, maxLength: 5 }),
    isDiligent: fc.boolean(),
    nowOffset: fc.integer({ min: 0, max: 200 }),
  })
  .map(({ c, change, sessions, commits: randomCommits, cuts, diligent, isDiligent, nowOffset }) => {
    const scos = Array.from({ length: c.scoCount }, (_, i) => ({
      identifier: `S${i}`,
      title: `SCO ${i}`,
      ...(i === c.scoCount - 1 && c.testMastery !== undefined ? { masteryScore: c.testMastery } : {}),
    }));
    const validityOf = (from: number, len: number) => ({ from: T0 + from * MIN, until: T0 + (from + len) * MIN });
    const course: ProgressCourse = {
      version: c.version,
      scos,
      masteryScore: c.masteryScore,
      nominalMinutes: c.nominalMinutes,
      toleranceMinutes: c.toleranceMinutes,
      validity: c.accreditation === 'approved' && c.validity ? validityOf(c.validity.from, c.validity.len) : null,
      accreditation: c.accreditation,
      credits: 3,
    };
    const launches = sessions.map((s, i) => ({
      sessionId: `sess-${i}`,
      sco: scos[(isDiligent ? i : s.sco) % scos.length]!.identifier,
      launchedAt: T0 + s.at * MIN,
      resumeTotalSeconds: s.resume,
      fromBatch: s.fromBatch,
    }));
    const finish = { otherSco: false, valid: true, invalidish: 0, status12: 'passed' as const, completion: 'completed' as const, success: 'passed' as const };
    const commits = isDiligent
      ? [
          ...randomCommits,
          ...launches.map((_, i) => ({
            ...finish,
            session: i,
            offsetS: diligent[i]!,
            score: 100,
            sessionSeconds: 2400,
            totalSeconds: null,
            lateId: randomCommits[i]?.lateId ?? 1,
          })),
        ]
      : randomCommits;
    // Ids in the order the commits were stored; a few become visible only after later ones.
    const facts: CommitFact[] = commits.map((k, i) => {
      const l = k.session >= 0 ? launches[k.session % launches.length]! : null;
      const base = l ? l.launchedAt : T0;
      const sco = l && !k.otherSco ? l.sco : scos[(i + (k.otherSco ? 1 : 0)) % scos.length]!.identifier;
      return {
        id: i + 1,
        sco,
        sessionId: k.session === -2 ? null : k.session === -1 ? 'never-launched' : l!.sessionId,
        receivedAt: base + k.offsetS * 1000,
        valid: k.valid || k.invalidish > 0,
        lessonStatus: k.status12,
        completionStatus: k.completion,
        successStatus: k.success,
        scoreRaw: k.score,
        sessionSeconds: k.sessionSeconds,
        totalSeconds: k.totalSeconds,
      };
    });
    const visible = [...facts].sort((a, b) => visibleRank(a) - visibleRank(b));
    function visibleRank(f: CommitFact) {
      return commits[f.id - 1]!.lateId === 0 ? f.id + 3.5 : f.id;
    }
    const points = [...new Set(cuts.map((x) => x % (visible.length + 1)))].sort((a, b) => a - b);
    const batches: CommitFact[][] = [];
    let from = 0;
    for (const p of [...points, visible.length]) {
      batches.push(visible.slice(from, p));
      from = p;
    }
    const changeCourse: Partial<ProgressCourse> | null = change
      ? {
          nominalMinutes: change.nominalMinutes,
          validity: course.validity ? validityOf(change.validityFrom, 60) : course.validity,
        }
      : null;
    const last = Math.max(T0, ...facts.map((f) => f.receivedAt));
    return {
      course,
      change: change && changeCourse ? { at: change.at, course: changeCourse } : null,
      launches,
      batches,
      now: last + nowOffset * MIN,
    };
  });

const stats = { derivations: 0, incremental: 0, completed: 0, completedIncrementally: 0, refused: {} as Record<string, number> };

/** Derives after each batch, as the worker does: incremental when the fold allows it, else the full re-read. */
function replay(h: History) {
  let state: FoldState | null = null;
  const seen: CommitFact[] = [];
  h.batches.forEach((batch, k) => {
    const course = h.change && k >= h.change.at ? { ...h.course, ...h.change.course } : h.course;
    const basis = foldBasis(course, 'pkg-1');
    const launches = h.launches.filter((l) => l.fromBatch <= k).map(({ fromBatch: _, ...l }) => l);
    seen.push(...batch);
    const full = assessEnrolment(course, launches, seen, h.now);
    const rebuilt = foldAll(course, basis, launches, seen, full.completedAt);
    // The stored aggregates give the full outcome back.
    expect(progressOfFold(course, rebuilt, launchedScosOf(course.validity, launches), h.now)).toEqual(full);
    stats.derivations++;
    if (full.completedAt !== null) stats.completed++;
    if (state) {
      const r = foldCommits(course, state, basis, launches, batch);
      if (r.ok) {
        stats.incremental++;
        if (full.completedAt !== null) stats.completedIncrementally++;
        expect(progressOfFold(course, r.state, launchedScosOf(course.validity, launches), h.now)).toEqual(full);
        expect(r.state).toEqual(rebuilt);
        state = r.state;
        return;
      }
      stats.refused[r.reason] = (stats.refused[r.reason] ?? 0) + 1;
    }
    state = rebuilt;
  });
}

describe('incremental fold = full re-read (property)', () => {
  it('gives the same outcome and aggregates after every batch, for random histories', () => {
    fc.assert(
      fc.property(historyArb, (h) => replay(h)),
      { numRuns: 1500, seed: 16 },
    );
    if (process.env.FOLD_STATS) console.log(JSON.stringify(stats));
    // The incremental path is the usual one, not a fall-back that always re-reads.
    expect(stats.incremental / stats.derivations).toBeGreaterThan(0.4);
    expect(stats.completedIncrementally).toBeGreaterThan(100);
    expect(Object.keys(stats.refused).sort()).toEqual(
      expect.arrayContaining(['basis-changed', 'commit-already-folded', 'launch-after-commit', 'late-commit-before-completion', 'late-completion']),
    );
  });
});

describe('incremental fold: cases', () => {
  const course: ProgressCourse = {
    version: '1.2',
    scos: [
      { identifier: 'M1', title: 'Modulo 1' },
      { identifier: 'TEST', title: 'Test', masteryScore: 75 },
    ],
    masteryScore: null,
    nominalMinutes: 20,
    toleranceMinutes: 0,
    validity: { from: T0 - 60 * MIN, until: T0 + 600 * MIN },
    accreditation: 'approved',
    credits: 2,
  };
  const basis = foldBasis(course, 'p');
  const launches: LaunchFact[] = [
    { sessionId: 'a', sco: 'M1', launchedAt: T0, resumeTotalSeconds: 0 },
    { sessionId: 'b', sco: 'TEST', launchedAt: T0 + 11 * MIN, resumeTotalSeconds: 0 },
  ];
  const c = (id: number, sessionId: string, sco: string, atMin: number, v: Partial<CommitFact> = {}): CommitFact => ({
    id,
    sco,
    sessionId,
    receivedAt: T0 + atMin * MIN,
    valid: true,
    ...v,
  });
  const first = [c(1, 'a', 'M1', 10, { lessonStatus: 'completed', sessionSeconds: 600 })];

  it('records completedAt at the commit that completes the course, in receipt order', () => {
    const s0 = foldAll(course, basis, launches, first, null);
    const r = foldCommits(course, s0, basis, launches, [c(2, 'b', 'TEST', 22, { lessonStatus: 'passed', scoreRaw: 80, sessionSeconds: 660 })]);
    expect(r.ok && r.state.completedAt).toBe(T0 + 22 * MIN);
    const all = [...first, c(2, 'b', 'TEST', 22, { lessonStatus: 'passed', scoreRaw: 80, sessionSeconds: 660 })];
    expect(assessEnrolment(course, launches, all, T0 + 30 * MIN).completedAt).toBe(T0 + 22 * MIN);
  });

  it('gives up on a late commit received before completedAt (it could move completion earlier)', () => {
    const done = foldAll(course, basis, launches, [...first, c(2, 'b', 'TEST', 22, { lessonStatus: 'passed', sessionSeconds: 660 })], T0 + 22 * MIN);
    expect(foldCommits(course, done, basis, launches, [c(3, 'b', 'TEST', 21, { lessonStatus: 'passed', sessionSeconds: 600 })])).toEqual({
      ok: false,
      reason: 'late-commit-before-completion',
    });
    // After completion, later commits fold and change nothing of completedAt.
    const r = foldCommits(course, done, basis, launches, [c(3, 'b', 'TEST', 30, { lessonStatus: 'failed' })]);
    expect(r.ok && r.state.completedAt).toBe(T0 + 22 * MIN);
  });

  it('gives up when the validity window changed (an accreditation decision)', () => {
    const s0 = foldAll(course, basis, launches, first, null);
    const other = { ...course, validity: { from: T0, until: T0 + 100 * MIN } };
    expect(foldCommits(other, s0, foldBasis(other, 'p'), launches, [])).toEqual({ ok: false, reason: 'basis-changed' });
  });
});
