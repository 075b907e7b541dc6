/** Issue 6 §1: the R-ELN-5 compliance report and the R-EVT-5 validity window. */
import { describe, expect, it } from 'vitest';
import { complianceReport, requiredQuestions, validityOf, type CourseDeclaration, type ManifestSummary } from '../../src/domain/elearning-compliance.ts';

const pkg: ManifestSummary = {
  version: '2004',
  schemaVersion: '2004 4th Edition',
  identifier: 'x',
  title: 'Corso',
  organisation: 'ORG',
  assets: 1,
  scos: ['A', 'B', 'T'].map((id) => ({ identifier: id, title: id, resource: `R-${id}`, launch: `${id}.html`, href: `${id}.html` })),
};

const good: CourseDeclaration = {
  nominalMinutes: 40,
  masteryScore: 75,
  modules: [
    { sco: 'A', minutes: 15 },
    { sco: 'B', minutes: 15 },
    { sco: 'T', minutes: 10 },
  ],
  finalTest: { bankQuestions: 32, questionsPerAttempt: 16, randomDraw: true, retryDifferentQuestions: true },
  accessWindowMonths: 6,
};
const approved = { status: 'approved' as const, approvedAt: '2026-03-01T10:00:00.000Z' };
const status = (r: ReturnType<typeof complianceReport>) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

describe('e-learning compliance (R-ELN-5)', () => {
  it('a compliant course: verified from the package, declared by the organiser, validity passes', () => {
    const r = complianceReport({ credits: 2, pkg, declaration: good, accreditation: approved });
    expect(r.compliant).toBe(true);
    expect(status(r)).toEqual({
      'scorm-package': 'verified',
      'launch-files': 'verified',
      'module-duration': 'declared',
      'questions-in-bank': 'declared',
      'questions-per-attempt': 'declared',
      'random-draw': 'declared',
      'retry-different-questions': 'declared',
      'access-window': 'declared',
      'full-completion': 'verified',
      'accreditation-validity': 'pass',
    });
    expect(r.counts).toEqual({ pass: 1, fail: 0, declared: 6, verified: 3, 'not-enforced': 0 });
    expect(r.checks.find((c) => c.id === 'accreditation-validity')!.reason).toContain('2027-03-01T10:00:00.000Z');
    // The console's people read why in Italian.
    const text = (id: string) => r.checks.find((c) => c.id === id)!.text;
    expect(text('scorm-package')).toBe('pacchetto SCORM 2004 letto: 3 unità didattiche in «Corso»');
    expect(text('launch-files')).toBe('tutti i 3 file di avvio sono nel pacchetto');
    expect(text('module-duration')).toBe('3 moduli dichiarati di al massimo 15 minuti (40 in tutto, durata nominale 40)');
    expect(text('questions-in-bank')).toBe('32 domande dichiarate nell’archivio; 2 crediti richiedono almeno 16 domande');
    expect(text('retry-different-questions')).toBe('dichiarato; l’archivio di 32 domande contiene due estrazioni distinte di 16');
    expect(text('access-window')).toBe('periodo di accesso dichiarato: 6 mesi; ne sono richiesti almeno 6');
    expect(text('full-completion')).toBe('applicato dal sistema: i crediti richiedono tutte le 3 unità completate e la prova finale superata');
    expect(text('accreditation-validity')).toBe('accreditato il 01/03/2026: valido fino al 01/03/2027');
  });

  it("the manifest's navigation (issue 16): hidden items and 1.2 prerequisites followed, 2004 sequencing reported as not enforced", () => {
    const nav = (p: Partial<ManifestSummary>) => complianceReport({ credits: 2, pkg: { ...pkg, ...p }, declaration: good, accreditation: approved });
    expect(status(nav({}))).not.toHaveProperty('navigation');
    const hidden = { identifier: 'N', title: 'Note', resource: 'R-N', launch: 'n.html', href: 'n.html' };
    const followed = nav({ version: '1.2', hiddenScos: [hidden], scos: pkg.scos.map((s) => (s.identifier === 'T' ? { ...s, prerequisites: 'A & B' } : s)) });
    expect(followed.checks.find((c) => c.id === 'navigation')).toMatchObject({
      status: 'verified',
      reason: '1 hidden item(s) (isvisible="false") not shown and not required: N; prerequisites of 1 module(s) enforced by the player',
    });
    expect(followed.compliant).toBe(true);
    const sequenced = nav({ sequencing: { places: 2, elements: ['controlMode', 'sequencingRules'] } });
    expect(sequenced.checks.find((c) => c.id === 'navigation')).toMatchObject({
      status: 'not-enforced',
      reason: expect.stringMatching(/^SCORM 2004 sequencing on 2 item\(s\) \(controlMode, sequencingRules\) is not enforced/),
    });
    // Reported, not a failure: the course stays compliant.
    expect(sequenced.compliant).toBe(true);
    expect(sequenced.checks.find((c) => c.id === 'navigation')!.text).toMatch(/^regole di sequenza SCORM 2004 \(controlMode, sequencingRules\) non applicate/);
    expect(followed.checks.find((c) => c.id === 'navigation')!.text).toBe(
      'unità nascosta (isvisible="false"), non mostrata e non richiesta: N; prerequisiti di un modulo applicati dal lettore',
    );
    expect(sequenced.counts['not-enforced']).toBe(1);
    const unreadable = nav({ version: '1.2', scos: pkg.scos.map((s) => (s.identifier === 'T' ? { ...s, prerequisites: 'A &' } : s)) });
    expect(unreadable.checks.find((c) => c.id === 'navigation')).toMatchObject({ status: 'not-enforced', reason: expect.stringContaining('do not parse') });
  });

  it('nothing uploaded or declared: every check that needs them fails, with the reason', () => {
    const r = complianceReport({ credits: 2, pkg: null, declaration: null, accreditation: { status: 'requested', approvedAt: null } });
    expect(r.compliant).toBe(false);
    expect(r.counts).toEqual({ pass: 0, fail: 9, declared: 0, verified: 1, 'not-enforced': 0 });
    expect(r.checks.find((c) => c.id === 'scorm-package')!.reason).toBe('no SCORM package uploaded');
    expect(r.checks.find((c) => c.id === 'random-draw')!.reason).toMatch(/declaration .* missing/);
  });

  it('modules over 15 minutes, undeclared or unknown SCOs, and a nominal duration no module split can hold', () => {
    const with_ = (d: Partial<CourseDeclaration>) =>
      status(complianceReport({ credits: 2, pkg, declaration: { ...good, ...d }, accreditation: approved }))['module-duration'];
    expect(
      with_({
        modules: [
          { sco: 'A', minutes: 16 },
          { sco: 'B', minutes: 10 },
          { sco: 'T', minutes: 10 },
        ],
      }),
    ).toBe('fail');
    expect(
      with_({
        modules: [
          { sco: 'A', minutes: 10 },
          { sco: 'B', minutes: 10 },
        ],
      }),
    ).toBe('fail');
    expect(with_({ modules: [...good.modules, { sco: 'Z', minutes: 5 }] })).toBe('fail');
    expect(with_({ nominalMinutes: 46 })).toBe('fail');
    expect(with_({ nominalMinutes: 45 })).toBe('declared');
    const r = complianceReport({
      credits: 2,
      pkg,
      declaration: { ...good, modules: [{ sco: 'A', minutes: 20 }, ...good.modules.slice(1)] },
      accreditation: approved,
    });
    expect(r.checks.find((c) => c.id === 'module-duration')!.reason).toBe('module(s) over 15 minutes: A (20 min)');
  });

  it('eight questions per credit in the bank and per attempt; random draw and a different retry need a large enough bank', () => {
    expect(requiredQuestions(2)).toBe(16);
    expect(requiredQuestions(1.5)).toBe(12);
    const test = (t: Partial<CourseDeclaration['finalTest']>, credits = 2) =>
      status(complianceReport({ credits, pkg, declaration: { ...good, finalTest: { ...good.finalTest, ...t } }, accreditation: approved }));
    expect(test({ bankQuestions: 15 })['questions-in-bank']).toBe('fail');
    expect(test({ questionsPerAttempt: 15 })['questions-per-attempt']).toBe('fail');
    expect(test({ questionsPerAttempt: 40 })['questions-per-attempt']).toBe('fail'); // more than the bank
    expect(test({}, 3)['questions-in-bank']).toBe('declared'); // 32 ≥ 24
    expect(test({}, 3)['questions-per-attempt']).toBe('fail'); // 16 < 24
    expect(test({ randomDraw: false })['random-draw']).toBe('fail');
    expect(test({ bankQuestions: 16 })['random-draw']).toBe('fail'); // nothing to draw from
    expect(test({ retryDifferentQuestions: false })['retry-different-questions']).toBe('fail');
    expect(test({ bankQuestions: 31 })['retry-different-questions']).toBe('fail'); // two disjoint draws of 16 need 32
    expect(test({ bankQuestions: 32 })['retry-different-questions']).toBe('declared');
  });

  it('the access window must be at least six months', () => {
    const r = (m: number) =>
      status(complianceReport({ credits: 2, pkg, declaration: { ...good, accessWindowMonths: m }, accreditation: approved }))['access-window'];
    expect(r(5)).toBe('fail');
    expect(r(6)).toBe('declared');
    expect(r(12)).toBe('declared');
  });

  it('validity: one year from accreditation (R-EVT-5), none before it', () => {
    expect(validityOf(approved)).toEqual({ from: '2026-03-01T10:00:00.000Z', until: '2027-03-01T10:00:00.000Z' });
    expect(validityOf({ status: 'approved', approvedAt: '2028-02-29T12:00:00.000Z' })).toEqual({
      from: '2028-02-29T12:00:00.000Z',
      until: '2029-03-01T12:00:00.000Z',
    });
    expect(validityOf({ status: 'requested', approvedAt: null })).toBeNull();
    expect(validityOf({ status: 'rejected', approvedAt: null })).toBeNull();
    const r = complianceReport({ credits: 2, pkg, declaration: good, accreditation: { status: 'rejected', approvedAt: null } });
    expect(r.checks.find((c) => c.id === 'accreditation-validity')).toMatchObject({ status: 'fail', reason: 'not accredited (rejected)' });
  });
});
