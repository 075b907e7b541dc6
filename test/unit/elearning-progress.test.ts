/**
 * E-learning derivation (issue 6 §4): R-ELN-2 completion and final test, R-ELN-3 time
 * (min of reported and observed per session), R-ELN-4 credits, R-EVT-5 validity, and the cheating
 * cases of the issue: 3 hours claimed in a 5-minute session, a completion for an SCO never
 * launched, a commit after the validity window. Replays and out-of-order commits change nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assessEnrolment, finalTestOf, type CommitFact, type LaunchFact, type ProgressCourse } from '../../src/domain/elearning-progress.ts';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const MIN = 60_000;

const course12: ProgressCourse = {
  version: '1.2',
  scos: [
    { identifier: 'M1', title: 'Modulo 1' },
    { identifier: 'M2', title: 'Modulo 2' },
    { identifier: 'TEST', title: 'Test finale', masteryScore: 75 },
  ],
  masteryScore: 60,
  nominalMinutes: 60,
  toleranceMinutes: 30,
  validity: { from: T0 - 30 * 24 * 60 * MIN, until: T0 + 300 * 24 * 60 * MIN },
  accreditation: 'approved',
  credits: 2,
};

let nextId = 1;
const launch = (sessionId: string, sco: string, at: number, resumeTotalSeconds = 0): LaunchFact => ({ sessionId, sco, launchedAt: at, resumeTotalSeconds });
const commit = (sessionId: string | null, sco: string, at: number, v: Partial<CommitFact> = {}): CommitFact => ({
  id: nextId++,
  sco,
  sessionId,
  receivedAt: at,
  valid: true,
  ...v,
});

/** Three sessions of 12 minutes each, every SCO completed, the test passed with 90. */
function happyPath() {
  const launches = [launch('s1', 'M1', T0), launch('s2', 'M2', T0 + 15 * MIN), launch('s3', 'TEST', T0 + 30 * MIN)];
  const commits = [
    commit('s1', 'M1', T0 + 1000, { lessonStatus: 'incomplete' }),
    commit('s1', 'M1', T0 + 12 * MIN, { lessonStatus: 'completed', sessionSeconds: 720 }),
    commit('s2', 'M2', T0 + 27 * MIN, { lessonStatus: 'completed', sessionSeconds: 720 }),
    commit('s3', 'TEST', T0 + 42 * MIN, { lessonStatus: 'passed', scoreRaw: 90, sessionSeconds: 720 }),
  ];
  return { launches, commits };
}

describe('R-ELN-2/3/4: a completed course', () => {
  it('credits the event when every SCO is completed, the test passed and the time reaches nominal − tolerance', () => {
    const { launches, commits } = happyPath();
    const p = assessEnrolment(course12, launches, commits, T0 + 60 * MIN);
    expect(p).toMatchObject({
      status: 'credited',
      reason: 'credited',
      rule: 'R-ELN-4',
      credits: 2,
      creditedSeconds: 36 * 60,
      requiredSeconds: 30 * 60,
      missing: null,
    });
    // The test commit is the one at which everything first held.
    expect(p.completedAt).toBe(T0 + 42 * MIN);
    expect(p.scos.map((s) => s.completed)).toEqual([true, true, true]);
    expect(p.scos[2]).toMatchObject({ passed: true, bestScore: 90 });
  });

  it('completedAt is when the time was reached, when that comes after the last status', () => {
    const launches = [launch('a', 'M1', T0), launch('b', 'M2', T0 + MIN), launch('c', 'TEST', T0 + 2 * MIN), launch('d', 'M1', T0 + 10 * MIN)];
    const commits = [
      commit('a', 'M1', T0 + MIN, { lessonStatus: 'completed', sessionSeconds: 60 }),
      commit('b', 'M2', T0 + 2 * MIN, { lessonStatus: 'completed', sessionSeconds: 60 }),
      commit('c', 'TEST', T0 + 3 * MIN, { lessonStatus: 'passed', sessionSeconds: 60 }),
      commit('d', 'M1', T0 + 30 * MIN, { sessionSeconds: 20 * 60 }),
      commit('d', 'M1', T0 + 40 * MIN, { sessionSeconds: 30 * 60 }),
    ];
    const p = assessEnrolment(course12, launches, commits, T0 + 60 * MIN);
    expect(p.status).toBe('credited');
    expect(p.completedAt).toBe(T0 + 40 * MIN);
  });

  it('SCORM 1.2: score ≥ the SCO mastery passes a completed test; below it does not (R-ELN-2)', () => {
    const { launches, commits } = happyPath();
    commits[3] = commit('s3', 'TEST', T0 + 42 * MIN, { lessonStatus: 'completed', scoreRaw: 75, sessionSeconds: 720 });
    expect(assessEnrolment(course12, launches, commits, T0 + 60 * MIN).status).toBe('credited');
    commits[3] = commit('s3', 'TEST', T0 + 42 * MIN, { lessonStatus: 'completed', scoreRaw: 70, sessionSeconds: 720 });
    const p = assessEnrolment(course12, launches, commits, T0 + 60 * MIN);
    expect(p).toMatchObject({ status: 'in-progress', reason: 'final-test-not-passed', rule: 'R-ELN-2', credits: 0 });
  });

  it('SCORM 1.2: failed is neither completed nor passed', () => {
    const { launches, commits } = happyPath();
    commits[3] = commit('s3', 'TEST', T0 + 42 * MIN, { lessonStatus: 'failed', scoreRaw: 40, sessionSeconds: 720 });
    const p = assessEnrolment(course12, launches, commits, T0 + 60 * MIN);
    expect(p.reason).toBe('sco-not-completed');
    expect(p.scos[2]).toMatchObject({ completed: false, passed: false });
  });

  it('SCORM 2004: completion_status completed and success_status passed', () => {
    const c = { ...course12, version: '2004' as const, scos: course12.scos.map((s) => ({ identifier: s.identifier, title: s.title })) };
    const launches = [launch('s1', 'M1', T0), launch('s2', 'M2', T0 + 15 * MIN), launch('s3', 'TEST', T0 + 30 * MIN)];
    const commits = [
      commit('s1', 'M1', T0 + 12 * MIN, { completionStatus: 'completed', sessionSeconds: 720 }),
      commit('s2', 'M2', T0 + 27 * MIN, { completionStatus: 'completed', sessionSeconds: 720 }),
      commit('s3', 'TEST', T0 + 42 * MIN, { completionStatus: 'completed', successStatus: 'failed', scoreRaw: 95, sessionSeconds: 720 }),
    ];
    expect(assessEnrolment(c, launches, commits, T0 + 60 * MIN).reason).toBe('final-test-not-passed');
    commits.push(commit('s3', 'TEST', T0 + 43 * MIN, { completionStatus: 'completed', successStatus: 'passed' }));
    expect(assessEnrolment(c, launches, commits, T0 + 60 * MIN)).toMatchObject({ status: 'credited', completedAt: T0 + 43 * MIN });
  });

  it('the final test is the last SCO with a mastery score, else the last SCO', () => {
    expect(finalTestOf(course12.scos)).toBe('TEST');
    expect(
      finalTestOf([
        { identifier: 'A', title: '', masteryScore: 80 },
        { identifier: 'B', title: '' },
      ]),
    ).toBe('A');
    expect(
      finalTestOf([
        { identifier: 'A', title: '' },
        { identifier: 'B', title: '' },
      ]),
    ).toBe('B');
    expect(finalTestOf([])).toBeNull();
  });
});

describe('R-ELN-3: credited time is min(reported, observed) per session', () => {
  it('a client claiming 3 hours of session_time in a 5-minute session gets 5 minutes', () => {
    const launches = [launch('s1', 'M1', T0)];
    const commits = [commit('s1', 'M1', T0 + 5 * MIN, { lessonStatus: 'completed', sessionSeconds: 3 * 3600 })];
    const p = assessEnrolment(course12, launches, commits, T0 + 60 * MIN);
    expect(p.creditedSeconds).toBe(300);
    expect(p.sessions[0]).toMatchObject({ reportedSeconds: 10_800, observedSeconds: 300, creditedSeconds: 300 });
  });

  it('a session open an hour whose content reports 10 minutes gets 10 minutes', () => {
    const p = assessEnrolment(course12, [launch('s1', 'M1', T0)], [commit('s1', 'M1', T0 + 60 * MIN, { sessionSeconds: 600 })], T0 + 90 * MIN);
    expect(p.creditedSeconds).toBe(600);
  });

  it('reported time is also the growth of total_time over what the launch handed back (resume)', () => {
    const p = assessEnrolment(
      course12,
      [launch('s1', 'M1', T0, 1200)],
      [commit('s1', 'M1', T0 + 30 * MIN, { sessionSeconds: 0, totalSeconds: 1200 + 900 })],
      T0 + 60 * MIN,
    );
    expect(p.sessions[0]!.reportedSeconds).toBe(900);
    expect(p.creditedSeconds).toBe(900);
  });

  it('sessions run side by side (two tabs) count their wall-clock time once', () => {
    const launches = [launch('a', 'M1', T0), launch('b', 'M2', T0), launch('c', 'TEST', T0)];
    const commits = ['a', 'b', 'c'].map((s, i) => commit(s, launches[i]!.sco, T0 + 20 * MIN, { sessionSeconds: 1200 }));
    const p = assessEnrolment(course12, launches, commits, T0 + 60 * MIN);
    expect(p.sessions.reduce((t, s) => t + s.creditedSeconds, 0)).toBe(3600);
    expect(p.creditedSeconds).toBe(1200);
    expect(p.reason).toBe('sco-not-completed');
  });

  it('time short of nominal − tolerance is not credited, with the reason', () => {
    const { launches, commits } = happyPath();
    const c = { ...course12, nominalMinutes: 90 };
    expect(assessEnrolment(c, launches, commits, T0 + 60 * MIN)).toMatchObject({
      status: 'in-progress',
      reason: 'time-short',
      rule: 'R-ELN-3',
      requiredSeconds: 3600,
      creditedSeconds: 2160,
    });
  });

  it('an undeclared course (no nominal duration) credits nothing', () => {
    const { launches, commits } = happyPath();
    expect(assessEnrolment({ ...course12, nominalMinutes: null }, launches, commits, T0 + 60 * MIN)).toMatchObject({
      status: 'in-progress',
      reason: 'course-not-declared',
      requiredSeconds: null,
    });
  });
});

describe('what does not count', () => {
  it('a completion posted for an SCO never launched does not complete the course', () => {
    const { launches, commits } = happyPath();
    const withoutM2 = launches.filter((l) => l.sco !== 'M2');
    const p = assessEnrolment(course12, withoutM2, commits, T0 + 60 * MIN);
    expect(p).toMatchObject({ status: 'in-progress', reason: 'sco-not-completed' });
    expect(p.scos[1]).toMatchObject({ identifier: 'M2', launched: false, completed: false });
    expect(p.ignored.unlaunched).toBe(1);
  });

  it("a commit naming another SCO's session, or no session, does not count either", () => {
    const { launches, commits } = happyPath();
    commits[2] = commit('s1', 'M2', T0 + 27 * MIN, { lessonStatus: 'completed', sessionSeconds: 720 });
    commits.push(commit(null, 'M2', T0 + 28 * MIN, { lessonStatus: 'completed' }));
    const p = assessEnrolment(course12, launches, commits, T0 + 60 * MIN);
    expect(p.reason).toBe('sco-not-completed');
    expect(p.ignored.unlaunched).toBe(2);
  });

  it('invalid commits are ignored', () => {
    const { launches, commits } = happyPath();
    commits[3] = { ...commits[3]!, valid: false };
    const p = assessEnrolment(course12, launches, commits, T0 + 60 * MIN);
    expect(p.reason).toBe('sco-not-completed');
    expect(p.ignored.invalid).toBe(1);
  });

  it('R-EVT-5: a commit after the validity window is not credited; once it ended the course is not credited', () => {
    const { launches, commits } = happyPath();
    const c = { ...course12, validity: { from: course12.validity!.from, until: T0 + 40 * MIN } };
    const during = assessEnrolment(c, launches, commits, T0 + 39 * MIN);
    expect(during.ignored.outsideValidity).toBe(1);
    expect(during).toMatchObject({ status: 'in-progress', reason: 'sco-not-completed' });
    const after = assessEnrolment(c, launches, commits, T0 + 41 * MIN);
    expect(after).toMatchObject({ status: 'not-credited', reason: 'validity-ended', rule: 'R-EVT-5', missing: 'sco-not-completed', credits: 0 });
  });

  it('before accreditation nothing counts; a rejected event never credits', () => {
    const { launches, commits } = happyPath();
    expect(assessEnrolment({ ...course12, validity: null, accreditation: 'requested' }, launches, commits, T0 + 60 * MIN)).toMatchObject({
      status: 'in-progress',
      reason: 'not-yet-accredited',
      credits: 0,
    });
    expect(assessEnrolment({ ...course12, validity: null, accreditation: 'rejected' }, launches, commits, T0 + 60 * MIN)).toMatchObject({
      status: 'not-credited',
      reason: 'accreditation-rejected',
    });
  });
});

describe('replays and out-of-order commits are harmless', () => {
  it('any order and any duplication of the commits gives the same outcome (property)', () => {
    const { launches, commits } = happyPath();
    const base = assessEnrolment(course12, launches, commits, T0 + 60 * MIN);
    fc.assert(
      fc.property(
        fc
          .array(fc.nat(commits.length - 1), { maxLength: 6 })
          .map((dup) => [...commits, ...dup.map((i, n) => ({ ...commits[i]!, id: 1000 + n }))])
          .chain((replayed) => fc.shuffledSubarray(replayed, { minLength: replayed.length, maxLength: replayed.length })),
        (shuffled) => {
          const p = assessEnrolment(course12, launches, shuffled, T0 + 60 * MIN);
          expect({ ...p, sessions: p.sessions.map((s) => ({ ...s, commits: 0 })) }).toEqual({
            ...base,
            sessions: base.sessions.map((s) => ({ ...s, commits: 0 })),
          });
        },
      ),
    );
  });

  it('a late commit carrying an older state (incomplete after completed) undoes nothing', () => {
    const { launches, commits } = happyPath();
    commits.push(commit('s1', 'M1', T0 + 13 * MIN, { lessonStatus: 'incomplete', sessionSeconds: 60 }));
    expect(assessEnrolment(course12, launches, commits, T0 + 60 * MIN)).toMatchObject({ status: 'credited', completedAt: T0 + 42 * MIN });
  });
});
