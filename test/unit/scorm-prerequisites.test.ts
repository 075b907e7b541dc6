/** Issue 16: SCORM 1.2 prerequisites (`adlcp:prerequisites`, aicc_script), parsed and evaluated as the player enforces them. */
import { describe, expect, it } from 'vitest';
import { parsePrerequisites, prerequisiteItems, prerequisitesMet, reportedStatus, type LessonStatus } from '../../src/domain/scorm-prerequisites.ts';

const statuses = (o: Record<string, LessonStatus>) => new Map(Object.entries(o));
const met = (script: string, o: Record<string, LessonStatus>) => {
  const tree = parsePrerequisites(script);
  expect(tree, script).not.toBeNull();
  return prerequisitesMet(tree!, statuses(o));
};

describe('SCORM 1.2 prerequisites (aicc_script)', () => {
  it('an identifier holds once its item is passed or completed', () => {
    expect(met('ITEM-1', { 'ITEM-1': 'completed' })).toBe(true);
    expect(met('ITEM-1', { 'ITEM-1': 'passed' })).toBe(true);
    for (const s of ['failed', 'incomplete', 'browsed', 'not attempted'] as const) expect(met('ITEM-1', { 'ITEM-1': s })).toBe(false);
  });

  it('and, or, not and parentheses, with ~ before & before |', () => {
    const o = { A: 'completed', B: 'incomplete', C: 'passed' } as const;
    expect(met('A & B', o)).toBe(false);
    expect(met('A | B', o)).toBe(true);
    expect(met('~B', o)).toBe(true);
    expect(met('A & ~B', o)).toBe(true);
    // & binds tighter than |: B & A | C is (B & A) | C.
    expect(met('B & A | C', o)).toBe(true);
    expect(met('B & (A | C)', o)).toBe(false);
    expect(met('~(A & C)', o)).toBe(false);
  });

  it('compares an item with a status, quoted or not, whole or by its first letter', () => {
    const o = { A: 'failed', B: 'not attempted' } as const;
    expect(met('A = "failed"', o)).toBe(true);
    expect(met('A = f', o)).toBe(true);
    expect(met('A <> passed', o)).toBe(true);
    expect(met('B = n', o)).toBe(true);
    expect(met('B = "not attempted" & A <> p', o)).toBe(true);
    expect(met('A = c', o)).toBe(false);
  });

  it('sets: N*{…} holds when at least N members do', () => {
    const o = { A: 'completed', B: 'incomplete', C: 'passed' } as const;
    expect(met('2*{A, B, C}', o)).toBe(true);
    expect(met('3*{A,B,C}', o)).toBe(false);
    expect(met('1*{B, C = "failed"}', o)).toBe(false);
  });

  it('an identifier of no offered SCO holds: the learner could never meet it', () => {
    expect(met('HIDDEN & A', { A: 'completed' })).toBe(true);
    expect(met('HIDDEN = f', { A: 'completed' })).toBe(true);
  });

  it('refuses what does not parse (the module is then offered, and the report says so)', () => {
    for (const bad of ['', '   ', 'A &', '(A', 'A)', 'A = maybe', '2*{A, B', '& A', 'A B']) expect(parsePrerequisites(bad), bad).toBeNull();
  });

  it('names the items a script refers to, in order', () => {
    expect(prerequisiteItems(parsePrerequisites('~X & (Y | 2*{X, Z = c})')!)).toEqual(['X', 'Y', 'Z']);
  });

  it("a SCO's status for prerequisites: ever passed or completed wins over a later status", () => {
    expect(reportedStatus({ everPassed: false, everCompleted: true, latest: 'incomplete' })).toBe('completed');
    expect(reportedStatus({ everPassed: true, everCompleted: true, latest: 'failed' })).toBe('passed');
    expect(reportedStatus({ everPassed: false, everCompleted: false, latest: 'failed' })).toBe('failed');
    expect(reportedStatus({ everPassed: false, everCompleted: false, latest: null })).toBe('not attempted');
    expect(reportedStatus({ everPassed: false, everCompleted: false, latest: 'nonsense' })).toBe('not attempted');
  });
});
