/** @module Runs the `balance.json` checker on the repository's copy of the vectors (R-OBL, R-FAD, R-ART9, R-DEBT), and checks the checker itself refuses what it cannot read. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkBalanceFile } from './vectors-balance.ts';

const file = JSON.parse(readFileSync(new URL('../vectors/balance.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('balance.json (test/vectors copy)', () => {
  for (const c of checkBalanceFile(file)) it(c.name, c.check);
});

describe('balance.json checker', () => {
  const cases = (f: Record<string, unknown>) => checkBalanceFile(f);
  const first = (f: Record<string, unknown>) => cases(f)[0]!;
  const bal = (file.cases as Record<string, unknown>[])[0]!;
  const debt = (file.debt as Record<string, unknown>[])[0]!;

  it('holds one case per entry of both sections', () => {
    expect(cases(file)).toHaveLength((file.cases as unknown[]).length + (file.debt as unknown[]).length);
  });

  it('fails on an unknown section, an empty section or an empty file', () => {
    expect(() => first({ other: [bal] }).check()).toThrow(/no checker/);
    expect(() => first({ cases: [] }).check()).toThrow(/no case/);
    expect(() => first({ _about: 'x' }).check()).toThrow(/no case/);
  });

  it('fails on an unknown case field or expect field', () => {
    expect(() => first({ cases: [{ ...bal, extra: 1 }] }).check()).toThrow();
    expect(() => first({ cases: [{ ...bal, expect: { ...(bal.expect as object), total: 1 } }] }).check()).toThrow(/does not know: total/);
    expect(() => first({ debt: [{ ...debt, expect: { ...(debt.expect as object), later: 1 } }] }).check()).toThrow(/does not know: later/);
  });

  it('fails when an expectation is wrong', () => {
    expect(() => first({ cases: [{ ...bal, expect: { compliant: true } }] }).check()).toThrow();
    expect(() => first({ cases: [{ ...bal, expect: { notCounted: [] } }] }).check()).toThrow();
    expect(() => first({ debt: [{ ...debt, expect: { settled: [{ id: 'n1', credits: 4 }] } }] }).check()).toThrow();
  });

  it('compares lists as sets', () => {
    const exp = bal.expect as { notCounted: unknown[] };
    expect(() => first({ cases: [{ ...bal, expect: { notCounted: [...exp.notCounted].reverse() } }] }).check()).not.toThrow();
    const d = debt.expect as { settled: unknown[] };
    expect(() => first({ debt: [{ ...debt, expect: { settled: [...d.settled].reverse() } }] }).check()).not.toThrow();
  });
});
