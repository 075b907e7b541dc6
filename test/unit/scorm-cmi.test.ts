/** Issue 6 §3: CMI value checks of SCORM commits (src/domain/scorm-cmi.ts, src/schemas/scorm.ts). */
import { describe, expect, it } from 'vitest';
import { inVocabulary, isoDurationSeconds, scoreIssues, scorm12TimespanSeconds, VOCABULARY } from '../../src/domain/scorm-cmi.ts';
import { checkCommit } from '../../src/schemas/scorm.ts';
import { readCommit } from '../../src/services/elearning/commit.ts';
import { recordCommits } from '../support/scorm-again.ts';

const paths = (r: { errors: Array<{ path: string }> }) => r.errors.map((e) => e.path).sort();

describe('SCORM 1.2 time spans HHHH:MM:SS.SS', () => {
  it.each([
    ['00:00:00', 0],
    ['00:10:30', 630],
    ['00:10:30.5', 630.5],
    ['01:02:03.25', 3723.25],
    ['0100:00:00', 360000],
    ['9999:59:59.99', 9999 * 3600 + 59 * 60 + 59.99],
  ])('%s is %d s', (v, s) => expect(scorm12TimespanSeconds(v)).toBeCloseTo(s, 6));

  it.each(['', '0:10:30', '00:60:00', '00:00:60', '00:10:30.123', '10000:00:00', '00:10', 'PT10M', '-00:10:00', '00:10:30.', ' 00:10:30'])('refuses %j', (v) =>
    expect(scorm12TimespanSeconds(v)).toBeNull(),
  );
});

describe('SCORM 2004 ISO 8601 durations', () => {
  it.each([
    ['PT1H2M3.5S', 3723.5],
    ['PT10M30S', 630],
    ['PT0S', 0],
    ['P1D', 86400],
    ['P1DT1S', 86401],
    ['PT0.01S', 0.01],
    ['PT36H', 129600],
    ['P0Y0M0DT0H0M5S', 5],
  ])('%s is %d s', (v, s) => expect(isoDurationSeconds(v)).toBeCloseTo(s, 6));

  it.each(['', 'P', 'PT', 'P1DT', 'PT1.5H', 'PT3.123S', 'PT-5S', '00:10:30', 'P1W', 'pt10m', 'T10M', 'PT10M ', 'PT1M1H'])('refuses %j', (v) =>
    expect(isoDurationSeconds(v)).toBeNull(),
  );
});

describe('vocabularies', () => {
  it('1.2 lesson_status and 2004 completion/success statuses', () => {
    for (const v of ['passed', 'completed', 'failed', 'incomplete', 'browsed', 'not attempted', ''])
      expect(inVocabulary(VOCABULARY['1.2'].lessonStatus, v)).toBe(true);
    for (const v of ['Passed', 'finished', 'unknown', 'complete']) expect(inVocabulary(VOCABULARY['1.2'].lessonStatus, v)).toBe(false);
    for (const v of ['completed', 'incomplete', 'not attempted', 'unknown']) expect(inVocabulary(VOCABULARY['2004'].completionStatus, v)).toBe(true);
    for (const v of ['passed', 'browsed']) expect(inVocabulary(VOCABULARY['2004'].completionStatus, v)).toBe(false);
    for (const v of ['passed', 'failed', 'unknown']) expect(inVocabulary(VOCABULARY['2004'].successStatus, v)).toBe(true);
    for (const v of ['completed', 'PASSED']) expect(inVocabulary(VOCABULARY['2004'].successStatus, v)).toBe(false);
  });
});

describe('score ranges', () => {
  it('1.2: raw, min, max in 0..100; raw within min..max (0..100 when absent)', () => {
    expect(scoreIssues('1.2', { raw: '85', min: '', max: '' }, 's')).toEqual([]);
    expect(scoreIssues('1.2', { raw: '85', min: '', max: '100' }, 's')).toEqual([]);
    expect(scoreIssues('1.2', { raw: '0' }, 's')).toEqual([]);
    expect(scoreIssues('1.2', { raw: '100.0' }, 's')).toEqual([]);
    expect(scoreIssues('1.2', { raw: '101', min: '', max: '' }, 's').map((i) => i.path)).toEqual(['s.raw']);
    expect(scoreIssues('1.2', { raw: '-1' }, 's').map((i) => i.path)).toEqual(['s.raw']);
    expect(scoreIssues('1.2', { raw: '40', min: '50', max: '80' }, 's').map((i) => i.path)).toEqual(['s.raw']);
    expect(scoreIssues('1.2', { raw: 'ottanta' }, 's').map((i) => i.path)).toEqual(['s.raw']);
    expect(scoreIssues('1.2', { max: '120' }, 's').map((i) => i.path)).toEqual(['s.max']);
  });

  it('2004: scaled in −1..1; raw within min..max', () => {
    expect(scoreIssues('2004', { scaled: '0.85', raw: '85', min: '0', max: '100' }, 's')).toEqual([]);
    expect(scoreIssues('2004', { scaled: '-1' }, 's')).toEqual([]);
    expect(scoreIssues('2004', { scaled: 1 }, 's')).toEqual([]);
    expect(scoreIssues('2004', { scaled: '', raw: '', min: '', max: '' }, 's')).toEqual([]);
    expect(scoreIssues('2004', { scaled: '1.01' }, 's').map((i) => i.path)).toEqual(['s.scaled']);
    expect(scoreIssues('2004', { scaled: '-2' }, 's').map((i) => i.path)).toEqual(['s.scaled']);
    expect(scoreIssues('2004', { raw: '150', min: '0', max: '100' }, 's').map((i) => i.path)).toEqual(['s.raw']);
    expect(
      scoreIssues('2004', { raw: '5', min: '10', max: '1' }, 's')
        .map((i) => i.path)
        .sort(),
    ).toEqual(['s.min', 's.raw']);
    // 2004 raw has no fixed range of its own.
    expect(scoreIssues('2004', { raw: '250' }, 's')).toEqual([]);
  });
});

describe('checkCommit on scorm-again commit bodies', () => {
  const c12 = (core: Record<string, unknown>) => ({
    cmi: {
      suspend_data: '',
      launch_data: '',
      core: { student_id: 'u1', lesson_status: 'incomplete', session_time: '00:10:30', score: { raw: '85', min: '', max: '100' }, ...core },
      interactions: {},
    },
  });
  const c04 = (cmi: Record<string, unknown>) => ({
    cmi: {
      completion_status: 'incomplete',
      success_status: 'unknown',
      session_time: 'PT10M30S',
      score: { scaled: '0.85', raw: '', min: '', max: '' },
      progress_measure: '',
      ...cmi,
    },
  });

  it('accepts valid 1.2 and 2004 commits, and the common-fields shape', () => {
    expect(checkCommit('1.2', c12({}))).toEqual({ valid: true, errors: [] });
    expect(checkCommit('2004', c04({}))).toEqual({ valid: true, errors: [] });
    expect(checkCommit('2004', { completionStatus: 'completed', runtimeData: c04({ total_time: 'PT1H' }), score: { scaled: 0.85 } }).valid).toBe(true);
  });

  it('names each invalid element', () => {
    expect(
      paths(checkCommit('1.2', c12({ lesson_status: 'finished', session_time: 'PT10M', exit: 'normal', score: { raw: '120', min: '', max: '' } }))),
    ).toEqual(['cmi.core.exit', 'cmi.core.lesson_status', 'cmi.core.score.raw', 'cmi.core.session_time']);
    expect(
      paths(
        checkCommit(
          '2004',
          c04({ completion_status: 'passed', success_status: 'completed', session_time: '00:10:30', score: { scaled: '2' }, progress_measure: '1.5' }),
        ),
      ),
    ).toEqual(['cmi.completion_status', 'cmi.progress_measure', 'cmi.score.scaled', 'cmi.session_time', 'cmi.success_status']);
    expect(paths(checkCommit('2004', { runtimeData: c04({ total_time: '1 hour' }) }))).toEqual(['cmi.total_time']);
  });

  it('a body without a cmi object, or of another format, is invalid', () => {
    expect(checkCommit('1.2', { 'cmi.core.lesson_status': 'passed' }).valid).toBe(false);
    expect(checkCommit('1.2', [1, 2]).valid).toBe(false);
    expect(checkCommit('2004', null).valid).toBe(false);
    expect(checkCommit('2004', { cmi: { session_time: 3600 } }).valid).toBe(false);
  });

  it('readCommit keeps non-JSON, non-UTF-8 and NUL-holding bodies as invalid with no parsed value', () => {
    expect(readCommit('1.2', new TextEncoder().encode('cmi.core.lesson_status=passed'))).toMatchObject({ parsed: null, valid: false });
    expect(readCommit('1.2', new Uint8Array([0xff, 0xfe]))).toMatchObject({ parsed: null, valid: false });
    expect(readCommit('1.2', new TextEncoder().encode('{"cmi":{"suspend_data":"a\\u0000b"}}'))).toMatchObject({ parsed: null, valid: false });
    expect(readCommit('1.2', new TextEncoder().encode('{"cmi":{"suspend_data":"a\\ud800b"}}'))).toMatchObject({ parsed: null, valid: false });
    expect(readCommit('2004', new TextEncoder().encode(JSON.stringify(c04({ suspend_data: 'caffè 😀' }))))).toMatchObject({ valid: true });
  });
});

describe('the scorm-again recorder the integration tests use (test/support/scorm-again.ts)', () => {
  it('leaves navigator and XMLHttpRequest as it found them, even when recordings overlap', async () => {
    const before = { nav: Object.getOwnPropertyDescriptor(globalThis, 'navigator'), xhr: (globalThis as Record<string, unknown>).XMLHttpRequest };
    const sent = await Promise.all(
      [1, 2, 3].map((n) =>
        recordCommits('1.2', `http://lms.invalid/${n}`, (api) => {
          api.init();
          api.set('cmi.core.lesson_status', 'incomplete');
          api.commit();
          api.finish();
        }),
      ),
    );
    // Each recording saw only its own commits: one XHR commit, then the beacon at LMSFinish.
    expect(sent.map((s) => s.map((c) => `${c.kind} ${c.url}`))).toEqual(
      [1, 2, 3].map((n) => [`xhr http://lms.invalid/${n}`, `beacon http://lms.invalid/${n}`]),
    );
    expect(Object.getOwnPropertyDescriptor(globalThis, 'navigator')).toEqual(before.nav);
    expect((globalThis as Record<string, unknown>).XMLHttpRequest).toBe(before.xhr);
  });
});
