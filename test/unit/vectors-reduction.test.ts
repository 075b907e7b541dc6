/** @module The R-RED vectors (test/vectors/reduction.json) through `checkReductionFile`, and the checker's own strictness. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkReductionFile } from './vectors-reduction.ts';

const FILE = new URL('../vectors/reduction.json', import.meta.url);
const data = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, unknown>;

describe('reduction.json (R-RED)', () => {
  const cases = checkReductionFile(data);
  it('holds every case of both sections', () => {
    const count = (data.cases as unknown[]).length + (data.cumulative as unknown[]).length;
    expect(cases).toHaveLength(count);
  });
  for (const c of cases) it(c.name, c.check);
});

/** Runs the checker on a file and reports, per case, whether it passed. */
function outcomes(file: Record<string, unknown>): { name: string; passed: boolean; message: string }[] {
  return checkReductionFile(file).map((c) => {
    try {
      c.check();
      return { name: c.name, passed: true, message: '' };
    } catch (err) {
      return { name: c.name, passed: false, message: (err as Error).message };
    }
  });
}

const illness = {
  id: 'X-01',
  profile: 'national',
  biennium: 2025,
  cause: 'illness',
  input: { from: '2026-03-01', to: '2026-05-31' },
  expect: { reduction: 6, deontology: 1, ordinary: 5 },
};

describe('checkReductionFile strictness (vectors README)', () => {
  it('passes a right case and fails a wrong amount', () => {
    const res = outcomes({ cases: [illness, { ...illness, id: 'X-02', expect: { reduction: 7 } }] });
    expect(res.map((r) => r.passed)).toEqual([true, false]);
  });

  it('asserts only the expect fields present', () => {
    expect(outcomes({ cases: [{ ...illness, expect: { ordinary: 5 } }] })[0]!.passed).toBe(true);
  });

  it('fails an unknown expect field, an empty expect, an unknown case field, an unknown input field', () => {
    const res = outcomes({
      cases: [
        { ...illness, id: 'A', expect: { reduction: 6, colour: 'red' } },
        { ...illness, id: 'B', expect: {} },
        { ...illness, id: 'C', extra: 1 },
        { ...illness, id: 'D', input: { from: '2026-03-01', to: '2026-05-31', days: 92 } },
      ],
    });
    expect(res.map((r) => r.passed)).toEqual([false, false, false, false]);
    expect(res[0]!.message).toMatch(/colour/);
  });

  it('fails an unknown cause, profile, an even biennium, an unknown rejection code', () => {
    const res = outcomes({
      cases: [
        { ...illness, id: 'A', cause: 'boredom' },
        { ...illness, id: 'B', profile: 'MI' },
        { ...illness, id: 'C', biennium: 2026 },
        { ...illness, id: 'D', input: { from: '2026-03-01', to: '2026-03-20' }, expect: { rejected: 'too-short' } },
      ],
    });
    expect(res.every((r) => !r.passed)).toBe(true);
  });

  it('checks a rejection, and fails when a rejection is expected but amounts come out', () => {
    const short = { ...illness, input: { from: '2026-03-01', to: '2026-03-20' }, expect: { rejected: 'period-shorter-than-30-days' } };
    const res = outcomes({ cases: [short, { ...illness, id: 'X-03', expect: { rejected: 'period-shorter-than-30-days' } }] });
    expect(res.map((r) => r.passed)).toEqual([true, false]);
  });

  it('fails an unknown section, a non-array or empty section, and a file without cases', () => {
    expect(outcomes({ cases: [illness], extras: [] }).some((r) => !r.passed && /extras/.test(r.message))).toBe(true);
    expect(outcomes({ cases: {} })[0]!.passed).toBe(false);
    expect(outcomes({ cases: [] })[0]!.passed).toBe(false);
    expect(outcomes({ _about: 'x' })[0]!.passed).toBe(false);
  });

  it('resolves cumulative ids in the same file, fails unknown ids, and accepts inline cases', () => {
    const cum = (cases: unknown[], exp: Record<string, unknown>) => ({ id: 'C', profile: 'national', biennium: 2025, cases, expect: exp });
    const res = outcomes({
      cases: [illness],
      cumulative: [
        cum(['X-01', { cause: 'law104', input: { from: '2025-01-01', to: '2025-12-31' } }], { reduction: 9, obligation: { total: 41 } }),
        cum(['NOPE'], { reduction: 6 }),
        cum(['X-01'], { reduction: 6, obligation: { total: 44, colour: 1 } }),
        cum([{ cause: 'illness', input: { from: '2026-03-01', to: '2026-03-10' } }], { reduction: 0 }),
      ],
    });
    expect(res.map((r) => r.passed)).toEqual([true, true, false, false, false]);
    expect(res[2]!.message).toMatch(/NOPE/);
  });
});
