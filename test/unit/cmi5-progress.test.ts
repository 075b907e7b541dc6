/**
 * Issue 16, cmi5 outcomes (R-CMI-4): each moveOn value (cmi5 §13.1.4) met or not by the accepted
 * statements, NotApplicable at the registration's first launch, the final test, satisfied blocks
 * and course (§9.3.9), and the time credited as the smaller of the durations reported and the
 * server's clock (R-ELN-3) through `assessEnrolment`; and the LMS's launch data against the
 * specification's LMS.LaunchData sample.
 */
import { describe, expect, it } from 'vitest';
import { cmi5FinalTest, moveOnMet, type Cmi5Au, type Cmi5Structure } from '../../src/domain/cmi5-course.ts';
import { cmi5Actor, launchData, launchUrl } from '../../src/domain/cmi5-launch.ts';
import { cmi5Assessment, type Cmi5StatementFact } from '../../src/domain/cmi5-progress.ts';
import { CMI5_VERBS } from '../../src/domain/cmi5-statements.ts';
import { assessEnrolment } from '../../src/domain/elearning-progress.ts';
import { specSample } from '../support/cmi5.ts';

const au = (id: string, moveOn: Cmi5Au['moveOn'], extra: Partial<Cmi5Au> = {}): Cmi5Au => ({
  id,
  lmsId: `urn:lms:${id}`,
  title: id,
  description: '',
  url: `${id}.html`,
  launch: `${id}.html`,
  href: `${id}.html`,
  launchMethod: 'AnyWindow',
  moveOn,
  masteryScore: null,
  activityType: null,
  launchParameters: null,
  entitlementKey: null,
  blocks: ['B'],
  ...extra,
});

const MIN = 60_000;
const T0 = Date.parse('2026-05-04T09:00:00Z');

describe('cmi5 moveOn and outcomes', () => {
  it('moveOn values (§13.1.4)', () => {
    const cases: Array<[Cmi5Au['moveOn'], boolean, boolean, boolean]> = [
      ['Passed', false, true, true],
      ['Passed', true, false, false],
      ['Completed', true, false, true],
      ['Completed', false, true, false],
      ['CompletedAndPassed', true, false, false],
      ['CompletedAndPassed', true, true, true],
      ['CompletedOrPassed', false, true, true],
      ['CompletedOrPassed', false, false, false],
      ['NotApplicable', false, false, true],
    ];
    for (const [m, completed, passed, met] of cases) expect(moveOnMet(m, { completed, passed }), `${m} ${completed} ${passed}`).toBe(met);
  });

  it('the final test: the last AU whose moveOn asks for a pass, else the last with a masteryScore, else the last', () => {
    expect(cmi5FinalTest([au('a', 'Passed'), au('b', 'Completed')])).toBe('a');
    expect(cmi5FinalTest([au('a', 'Completed', { masteryScore: 0.7 }), au('b', 'Completed')])).toBe('a');
    expect(cmi5FinalTest([au('a', 'Completed'), au('b', 'CompletedOrPassed')])).toBe('b');
  });

  it('statements into launches and commits: credited once every moveOn is met and the time reached, satisfied block and course', () => {
    const structure: Cmi5Structure = {
      course: { id: 'C', lmsId: 'urn:lms:C', title: 'C', description: '' },
      blocks: [{ id: 'B', lmsId: 'urn:lms:B', title: 'B', blocks: [] }],
      aus: [au('lesson', 'Completed'), au('test', 'CompletedAndPassed', { masteryScore: 0.8 }), au('extra', 'NotApplicable', { blocks: [] })],
    };
    const sessions = [
      { sessionId: 's1', auId: 'lesson', launchedAt: T0 },
      { sessionId: 's2', auId: 'test', launchedAt: T0 + 20 * MIN },
    ];
    let id = 0;
    const st = (
      sessionId: string,
      verb: string,
      at: number,
      durationSeconds: number | null = null,
      kind: Cmi5StatementFact['kind'] = 'defined',
    ): Cmi5StatementFact => ({
      id: ++id,
      sessionId,
      origin: 'au',
      receivedAt: at,
      verb,
      kind,
      durationSeconds,
    });
    const statements = [
      st('s1', CMI5_VERBS.initialized, T0 + MIN),
      // Claims two hours in a 15-minute session: the server's clock caps it.
      st('s1', CMI5_VERBS.completed, T0 + 14 * MIN, 7200),
      st('s1', CMI5_VERBS.terminated, T0 + 15 * MIN, 7200),
      st('s2', CMI5_VERBS.initialized, T0 + 21 * MIN),
      st('s2', CMI5_VERBS.passed, T0 + 30 * MIN, 9 * 60),
      st('s2', 'http://adlnet.gov/expapi/verbs/experienced', T0 + 31 * MIN, null, 'allowed'),
      st('s2', CMI5_VERBS.completed, T0 + 32 * MIN, 11 * 60),
      st('s2', CMI5_VERBS.terminated, T0 + 33 * MIN, 12 * 60),
    ];
    const a = cmi5Assessment(structure, sessions, statements);
    expect(a.scos.map((s) => [s.identifier, s.masteryScore])).toEqual([
      ['lesson', undefined],
      ['test', 80],
      ['extra', undefined],
    ]);
    expect(a.satisfied.get('extra')).toEqual({ at: T0, sessionId: null });
    expect(a.satisfied.get('lesson')).toEqual({ at: T0 + 14 * MIN, sessionId: 's1' });
    expect(a.satisfied.get('test')).toEqual({ at: T0 + 32 * MIN, sessionId: 's2' });
    expect(a.satisfied.get('B')).toEqual({ at: T0 + 32 * MIN, sessionId: 's2' });
    expect(a.satisfied.get('C')).toEqual({ at: T0 + 32 * MIN, sessionId: 's2' });
    const course = {
      masteryScore: null,
      nominalMinutes: 30,
      toleranceMinutes: 5,
      validity: { from: T0 - MIN, until: T0 + 365 * 86400_000 },
      accreditation: 'approved',
      credits: 3,
    };
    const p = assessEnrolment({ ...course, version: '2004', scos: a.scos }, a.launches, a.commits, T0 + 40 * MIN);
    // 15 (min of 120 reported and 15 observed) + 12 minutes ≥ 30 − 5.
    expect(p).toMatchObject({ status: 'credited', credits: 3, creditedSeconds: 27 * 60, finalTest: 'test', completedAt: T0 + 32 * MIN });
    // Without the test's completed, CompletedAndPassed is not met.
    const short = cmi5Assessment(
      structure,
      sessions,
      statements.filter((s) => !(s.sessionId === 's2' && s.verb === CMI5_VERBS.completed)),
    );
    expect(short.satisfied.has('test')).toBe(false);
    expect(short.satisfied.has('C')).toBe(false);
    const q = assessEnrolment({ ...course, version: '2004', scos: short.scos }, short.launches, short.commits, T0 + 40 * MIN);
    expect(q).toMatchObject({ status: 'in-progress', reason: 'sco-not-completed' });
    expect(q.scos.find((s) => s.identifier === 'test')).toMatchObject({ completed: false, passed: true });
  });

  it("LMS.LaunchData has the specification sample's shape (§10.2), and the launch URL its five parameters (§8.1)", () => {
    const sample = specSample('10-completed_and_passed-masteryScore', '02-lms_launch_data');
    const sid = sample.contextTemplate.extensions['https://w3id.org/xapi/cmi5/context/extensions/sessionid'];
    const pub = sample.contextTemplate.contextActivities.grouping[0].id;
    const data = launchData({
      sessionId: sid,
      registration: 'r',
      au: au(pub, 'CompletedAndPassed', { masteryScore: 0.86 }),
      actor: cmi5Actor('https://gw.example', 'm'),
      launchMode: 'Normal',
    });
    const { returnURL: _r, ...withoutReturn } = sample;
    // The sample's grouping activity also carries its definition; the id is what §9.6.2.3 asks for.
    withoutReturn.contextTemplate.contextActivities.grouping = [{ objectType: 'Activity', id: pub }];
    expect(data).toEqual(withoutReturn);
    const url = new URL(
      launchUrl('https://content.example/x/cap/au/index.html?lang=it', {
        endpoint: 'https://content.example/cmi5/lrs/',
        fetch: 'https://content.example/cmi5/fetch/cap',
        actor: cmi5Actor('https://gw.example', 'm'),
        registration: 'r',
        activityId: 'urn:a',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      lang: 'it',
      endpoint: 'https://content.example/cmi5/lrs/',
      fetch: 'https://content.example/cmi5/fetch/cap',
      actor: '{"objectType":"Agent","account":{"homePage":"https://gw.example","name":"m"}}',
      registration: 'r',
      activityId: 'urn:a',
    });
  });
});
