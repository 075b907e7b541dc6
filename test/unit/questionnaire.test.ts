/** R-QST: pool validation, draws, scoring, state, deadline and rating, as pure functions. */
import crypto from 'node:crypto';
import fc from 'fast-check';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { describe, expect, it } from 'vitest';
import {
  rateTotals,
  creditStatusOf,
  drawQuestions,
  QUESTIONNAIRE_RULES,
  questionnaireDeadline,
  questionnaireState,
  rate,
  scoreAttempt,
  validatePool,
  type RandomInt,
} from '../../src/domain/questionnaire.ts';
import { questionPool } from '../support/fixtures.ts';

/** A seeded uniform integer source, so statistical tests are reproducible. */
function seeded(seed: number): RandomInt {
  const rng = xoroshiro128plus(seed);
  return (n) => uniformInt(rng, 0, n - 1);
}

const POOL = Array.from({ length: 30 }, (_, i) => ({ id: `q${i}`, optionCount: 2 + (i % 5) }));

describe('validatePool (R-QST-3)', () => {
  it('accepts 30 well-formed questions', () => {
    expect(validatePool(questionPool(30))).toEqual([]);
  });

  it('names every violation with a stable code and path', () => {
    const p = questionPool(31);
    p[0] = { text: '   ', options: ['a', 'a '], correct: 2 };
    p[1] = { ...p[1]!, text: `  ${p[2]!.text.toLowerCase()}  ` };
    p[4] = { ...p[4]!, options: ['x'.repeat(501), 'y', ''] };
    p[6] = { ...p[6]!, correct: 1.5 };
    expect(validatePool(p).map((v) => `${v.code}@${v.path}`)).toEqual([
      'pool-size@questions',
      'question-empty@questions.0.text',
      'duplicate-option@questions.0.options.1',
      'correct-out-of-range@questions.0.correct',
      'duplicate-question@questions.2.text', // repeats question 2 (index 1), compared without case and spaces
      'option-too-long@questions.4.options.0',
      'option-empty@questions.4.options.2',
      'correct-out-of-range@questions.6.correct',
    ]);
  });

  it('bounds options to 2–6', () => {
    const p = questionPool(30);
    p[0] = { ...p[0]!, options: ['solo'], correct: 0 };
    p[1] = { ...p[1]!, options: ['1', '2', '3', '4', '5', '6', '7'], correct: 0 };
    expect(validatePool(p).map((v) => v.code)).toEqual(['option-count', 'option-count']);
  });
});

describe('drawQuestions (R-QST-5, R-QST-7)', () => {
  it('draws 5 distinct questions with a permutation of each one’s options', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const d = drawQuestions(POOL, [], seeded(seed));
        expect(new Set(d.questionIds).size).toBe(5);
        d.questionIds.forEach((id, k) => {
          const n = POOL.find((q) => q.id === id)!.optionCount;
          expect([...d.optionOrder[k]!].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
        });
      }),
    );
  });

  it('the retry never repeats a question of the first attempt', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer(), (s1, s2) => {
        const first = drawQuestions(POOL, [], seeded(s1));
        const second = drawQuestions(POOL, first.questionIds, seeded(s2));
        expect(second.questionIds.filter((id) => first.questionIds.includes(id))).toEqual([]);
      }),
    );
  });

  it('refuses when too few questions are left', () => {
    expect(() => drawQuestions(POOL.slice(0, 8), ['q0', 'q1', 'q2', 'q3'], crypto.randomInt)).toThrow(RangeError);
  });

  it('works with the cryptographic source used in production', () => {
    const d = drawQuestions(POOL, [], crypto.randomInt);
    expect(new Set(d.questionIds).size).toBe(5);
  });

  // Chi-square goodness of fit at a fixed seed: 30 questions, 29 degrees of freedom. The 0.999
  // quantile of χ²(29) is 58.30; a biased draw (e.g. an off-by-one that never picks the last
  // question) gives thousands.
  it('every question is drawn with about equal frequency (χ², first attempts and retries)', () => {
    const rand = seeded(20261123);
    const draws = 12_000;
    const first = new Array<number>(30).fill(0);
    const retry = new Array<number>(30).fill(0);
    for (let i = 0; i < draws; i++) {
      const a = drawQuestions(POOL, [], rand);
      for (const id of a.questionIds) first[Number(id.slice(1))]!++;
      const b = drawQuestions(POOL, a.questionIds, rand);
      for (const id of b.questionIds) retry[Number(id.slice(1))]!++;
    }
    const chi2 = (counts: number[]) => {
      const expected = (draws * 5) / 30;
      return counts.reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    };
    expect(chi2(first)).toBeLessThan(58.3);
    expect(chi2(retry)).toBeLessThan(58.3);
  });

  it('each option lands in each shown position about equally often (χ²)', () => {
    const rand = seeded(7);
    const n = 4;
    const counts = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    const draws = 20_000;
    const pool4 = Array.from({ length: 30 }, (_, i) => ({ id: `q${i}`, optionCount: n }));
    for (let i = 0; i < draws; i++) {
      const d = drawQuestions(pool4, [], rand);
      d.optionOrder[0]!.forEach((opt, pos) => counts[opt]![pos]!++);
    }
    const expected = draws / n;
    const chi2 = counts.flat().reduce((s, o) => s + (o - expected) ** 2 / expected, 0);
    // 16 cells, 9 degrees of freedom: 0.999 quantile 27.88.
    expect(chi2).toBeLessThan(27.88);
  });
});

describe('scoreAttempt (R-QST-4)', () => {
  const draw = {
    questionIds: ['a', 'b', 'c', 'd', 'e'],
    optionOrder: [
      [2, 0, 1],
      [0, 1],
      [1, 3, 0, 2],
      [0, 1, 2],
      [1, 0],
    ],
  };
  // Right pool indices: a→1, b→0, c→2, d→2, e→0 → shown positions 2, 0, 3, 2, 1.
  const key = new Map([
    ['a', 1],
    ['b', 0],
    ['c', 2],
    ['d', 2],
    ['e', 0],
  ]);

  it('maps shown positions back through the option order', () => {
    expect(scoreAttempt(draw, [2, 0, 3, 2, 1], key)).toEqual({ score: 5, outOf: 5, passed: true });
    expect(scoreAttempt(draw, [2, 0, 3, 2, 0], key)).toEqual({ score: 4, outOf: 5, passed: true });
    expect(scoreAttempt(draw, [2, 0, 3, 0, 0], key)).toEqual({ score: 3, outOf: 5, passed: false });
  });

  it('counts unanswered and out-of-range answers as wrong', () => {
    expect(scoreAttempt(draw, [null, 0, 9, -1, 1], key)).toEqual({ score: 2, outOf: 5, passed: false });
  });
});

describe('questionnaireState and creditStatusOf (R-QST-5, R-QST-8)', () => {
  const deadline = Date.parse('2026-03-15T23:59:59.999+01:00');
  const before = deadline - 1000;
  const after = deadline + 1;

  it('walks open → retry → passed or failed, and expires after the deadline', () => {
    expect(questionnaireState([], deadline, before)).toEqual({ status: 'open', attempt: 1 });
    expect(questionnaireState([{ number: 1, submitted: false, passed: null }], deadline, before)).toEqual({ status: 'open', attempt: 1 });
    expect(questionnaireState([{ number: 1, submitted: true, passed: false }], deadline, before)).toEqual({ status: 'retry-available', attempt: 2 });
    expect(questionnaireState([{ number: 1, submitted: true, passed: true }], deadline, after)).toEqual({ status: 'passed' });
    expect(
      questionnaireState(
        [
          { number: 1, submitted: true, passed: false },
          { number: 2, submitted: true, passed: false },
        ],
        deadline,
        before,
      ),
    ).toEqual({ status: 'failed', reason: 'failed-twice' });
    expect(questionnaireState([{ number: 1, submitted: true, passed: false }], deadline, after)).toEqual({ status: 'expired', reason: 'deadline-passed' });
    expect(questionnaireState([], deadline, deadline)).toEqual({ status: 'open', attempt: 1 }); // the last millisecond is in time
  });

  it('turns states into credit statuses with the reason', () => {
    expect(creditStatusOf({ status: 'passed' })).toEqual({ status: 'granted', reason: null });
    expect(creditStatusOf({ status: 'failed', reason: 'failed-twice' })).toEqual({ status: 'not-granted', reason: 'questionnaire-failed' });
    expect(creditStatusOf({ status: 'expired', reason: 'deadline-passed' })).toEqual({ status: 'not-granted', reason: 'questionnaire-expired' });
    expect(creditStatusOf({ status: 'retry-available', attempt: 2 })).toEqual({ status: 'pending', reason: 'questionnaire-required' });
  });
});

describe('questionnaireDeadline (R-QST-2, R-CAL-3)', () => {
  it('ends at 23:59:59.999 Rome on the 10th day after sending', () => {
    expect(questionnaireDeadline(Date.parse('2026-03-05T16:00:00+01:00')).toISOString()).toBe('2026-03-15T22:59:59.999Z');
    // Across the spring DST change (29 March 2026): still the 10th calendar day, now at +02:00.
    expect(questionnaireDeadline(Date.parse('2026-03-25T23:30:00+01:00')).toISOString()).toBe('2026-04-04T21:59:59.999Z');
  });
});

describe('rate (R-QST-9)', () => {
  it('averages every quality answer and flags under 6/10 exactly', () => {
    const r = rate([
      { q1: 6, q2: 6, q3: 6, q4: 6, q5: 5 },
      { q1: 6, q2: 6, q3: 6, q4: 6, q5: 6 },
    ]);
    // 59 / 10 = 5.9 → below the threshold.
    expect(r).toMatchObject({ responses: 2, average: 5.9, belowThreshold: true });
    expect(r.byQuestion).toEqual({ q1: 6, q2: 6, q3: 6, q4: 6, q5: 5.5 });
    expect(rate([{ q1: 6, q2: 6, q3: 6, q4: 6, q5: 6 }]).belowThreshold).toBe(false);
    expect(rate([])).toMatchObject({ responses: 0, average: null, belowThreshold: null });
  });

  it('is exact where a rounded mean would mislead: 5.997 is below 6', () => {
    const answers = Array.from({ length: 333 }, (_, i) => (i === 0 ? { q1: 5, q2: 6, q3: 6, q4: 6, q5: 6 } : { q1: 6, q2: 6, q3: 6, q4: 6, q5: 6 }));
    const r = rate(answers);
    expect(r.average).toBe(6); // rounded for display
    expect(r.belowThreshold).toBe(true); // 9,989 < 6 × 1,665
  });

  it('rateTotals of the sums per question equals rate of the answers (property)', () => {
    const answer = fc.record({
      q1: fc.integer({ min: 1, max: 10 }),
      q2: fc.integer({ min: 1, max: 10 }),
      q3: fc.integer({ min: 1, max: 10 }),
      q4: fc.integer({ min: 1, max: 10 }),
      q5: fc.integer({ min: 1, max: 10 }),
    });
    fc.assert(
      fc.property(fc.array(answer, { maxLength: 60 }), (answers) => {
        const totals: Record<string, { sum: number; count: number }> = {};
        for (const a of answers)
          for (const [k, v] of Object.entries(a)) {
            const t = (totals[k] ??= { sum: 0, count: 0 });
            t.sum += v;
            t.count++;
          }
        expect(rateTotals(answers.length, totals)).toEqual(rate(answers));
      }),
    );
  });

  it(`uses the ${QUESTIONNAIRE_RULES.qualityScale.min}–${QUESTIONNAIRE_RULES.qualityScale.max} scale`, () => {
    expect(QUESTIONNAIRE_RULES.qualityScale).toEqual({ min: 1, max: 10 });
  });
});
