/**
 * Issue 16, the cmi5 "LMS must reject" rules (cmi5 §6.3, §7.1, §9, §10.2.2) on the statements of
 * the specification's own sample scenarios, unaltered (test/fixtures/cmi5/spec-samples), checked
 * against the session their LMS.LaunchData describes; then each rule broken by one change.
 */
import { describe, expect, it } from 'vitest';
import { checkStatement, CMI5, type Cmi5History, type Cmi5SessionContext, type Cmi5Verdict, withAccepted } from '../../src/domain/cmi5-statements.ts';
import { specSample } from '../support/cmi5.ts';

const S10 = '10-completed_and_passed-masteryScore';
const S11 = '11-completed_and_passed-masteryScore-failed_first';

/** The session a scenario's launched statement and LMS.LaunchData describe. */
function sessionOf(scenario: string): Cmi5SessionContext {
  const launched = specSample(scenario, '01-launched_statement');
  const data = specSample(scenario, '02-lms_launch_data');
  return {
    sessionId: data.contextTemplate.extensions[CMI5.sessionId],
    registration: launched.context.registration,
    activityId: launched.object.id,
    publisherId: data.contextTemplate.contextActivities.grouping[0].id,
    actor: launched.actor.account,
    launchMode: data.launchMode,
    masteryScore: data.masteryScore ?? null,
  };
}

const empty: Cmi5History = { session: [], registration: { completed: false, passed: false }, abandoned: false };

/** Feeds statements in order; answers each verdict and the history after the accepted ones. */
function feed(ctx: Cmi5SessionContext, statements: unknown[], h: Cmi5History = empty) {
  const verdicts: Cmi5Verdict[] = [];
  for (const st of statements) {
    const v = checkStatement(ctx, h, st);
    verdicts.push(v);
    if (v.ok) h = withAccepted(h, v);
  }
  return { verdicts, history: h };
}

const codes = (vs: Cmi5Verdict[]) => vs.map((v) => (v.ok ? v.kind : v.code));

describe('cmi5 statement rules on the specification samples', () => {
  it('scenario 10 (CompletedAndPassed, masteryScore 0.86): initialized, completed, passed, terminated are accepted as cmi5 defined', () => {
    const ctx = sessionOf(S10);
    expect(ctx).toMatchObject({ masteryScore: 0.86, launchMode: 'Normal', sessionId: '680cef64-bc48-4b57-af6b-be4217e69aff' });
    const { verdicts, history } = feed(
      ctx,
      ['03-initialized_statement', '04-completed_statement', '05-passed_statement', '07-terminated_statement'].map((f) => specSample(S10, f)),
    );
    expect(codes(verdicts)).toEqual(['defined', 'defined', 'defined', 'defined']);
    expect(verdicts.map((v) => v.ok && v.cmi5Verb)).toEqual(['initialized', 'completed', 'passed', 'terminated']);
    expect(verdicts.map((v) => v.ok && v.durationSeconds)).toEqual([null, 14.47, 24.57, 27.85]);
    expect(verdicts[2]!.ok && verdicts[2]!.scaled).toBe(0.88);
    expect(history.registration).toEqual({ completed: true, passed: true });
  });

  it('scenario 12: a "cmi5 allowed" statement (experienced, no cmi5 category) between initialized and terminated', () => {
    const s = '12-allowed_statement';
    const { verdicts } = feed(
      sessionOf(s),
      ['03-initialized_statement', '04-allowed_statement', '05-terminated_statement'].map((f) => specSample(s, f)),
    );
    expect(codes(verdicts)).toEqual(['defined', 'allowed', 'defined']);
    // …and never before initialized (§7.1.3) nor after terminated (§9.3.8).
    expect(codes(feed(sessionOf(s), [specSample(s, '04-allowed_statement')]).verdicts)).toEqual(['cmi5-not-initialized']);
    expect(
      codes(
        feed(
          sessionOf(s),
          ['03-initialized_statement', '05-terminated_statement', '04-allowed_statement'].map((f) => specSample(s, f)),
        ).verdicts,
      ),
    ).toEqual(['defined', 'defined', 'cmi5-after-terminated']);
  });

  it('scenario 15 (Review mode): initialized and terminated only; a completed is rejected (§10.2.2)', () => {
    const s = '15-review_mode';
    const ctx = sessionOf(s);
    expect(ctx.launchMode).toBe('Review');
    const completed = {
      ...specSample(S10, '04-completed_statement'),
      context: specSample(s, '03-initialized_statement').context,
      object: specSample(s, '03-initialized_statement').object,
    };
    completed.context = structuredClone(completed.context);
    completed.context.contextActivities.category.push({ objectType: 'Activity', id: CMI5.moveOnCategory });
    completed.timestamp = specSample(s, '04-terminated_statement').timestamp;
    const { verdicts } = feed(ctx, [specSample(s, '03-initialized_statement'), completed, specSample(s, '04-terminated_statement')]);
    expect(codes(verdicts)).toEqual(['defined', 'cmi5-launch-mode', 'defined']);
  });

  it('scenario 11 sends failed then passed in one session: the passed is rejected (§9.3 at most one of passed/failed per session, the decision)', () => {
    const ctx = sessionOf(S11);
    const { verdicts, history } = feed(
      ctx,
      ['03-initialized_statement', '04-failed_statement', '05-passed_statement', '06-completed_statement', '08-terminated_statement'].map((f) =>
        specSample(S11, f),
      ),
    );
    expect(codes(verdicts)).toEqual(['defined', 'defined', 'cmi5-passed-or-failed', 'defined', 'defined']);
    expect(history.registration).toEqual({ completed: true, passed: false });
    // The pass in a later session of the same registration is accepted (failed does not follow passed).
    const next = { ...ctx, sessionId: '11111111-2222-4333-8444-555555555555' };
    const again = (f: string) => {
      const st = structuredClone(specSample(S11, f));
      st.context.extensions[CMI5.sessionId] = next.sessionId;
      return st;
    };
    const later = feed(next, ['03-initialized_statement', '05-passed_statement', '06-completed_statement', '08-terminated_statement'].map(again), {
      ...history,
      session: [],
    });
    expect(codes(later.verdicts)).toEqual(['defined', 'defined', 'cmi5-completed-once', 'defined']);
  });

  it('the LMS-only verbs (launched, satisfied) are refused from the AU', () => {
    const ctx = sessionOf(S10);
    const init = specSample(S10, '03-initialized_statement');
    expect(codes(feed(ctx, [init, specSample(S10, '06-satisfied_statement')]).verdicts)).toEqual(['defined', 'cmi5-lms-verb']);
    expect(codes(feed(ctx, [specSample(S10, '01-launched_statement')]).verdicts)).toEqual(['cmi5-not-initialized']);
    const launched = { ...specSample(S10, '01-launched_statement'), timestamp: init.timestamp };
    expect(codes(feed(ctx, [init, launched]).verdicts)).toEqual(['defined', 'cmi5-lms-verb']);
  });
});

describe('cmi5 statement rules, each broken once', () => {
  const ctx = sessionOf(S10);
  const init = () => structuredClone(specSample(S10, '03-initialized_statement'));
  const passed = () => structuredClone(specSample(S10, '05-passed_statement'));
  const after = (st: any) => feed(ctx, [init(), st]).verdicts[1]!;
  const code = (v: Cmi5Verdict) => (v.ok ? v.kind : `${v.code} §${v.section}`);

  it('identity of the launch: actor, registration, session, activity, publisher id', () => {
    const other = (f: (s: any) => void) => {
      const s = passed();
      f(s);
      return code(after(s));
    };
    expect(other((s) => (s.actor.account.name = 'Someone else'))).toBe('cmi5-actor §9.2');
    expect(other((s) => (s.actor = { objectType: 'Agent', mbox: 'mailto:learner@example.org' }))).toBe('cmi5-actor §9.2');
    expect(other((s) => (s.context.registration = 'a0a37fbe-04f1-46a3-9135-29aa41d4f1ef'))).toBe('cmi5-registration §9.6.1');
    expect(other((s) => delete s.context.extensions[CMI5.sessionId])).toBe('cmi5-session-id §9.6.3.1');
    expect(other((s) => (s.object.id = 'http://course-repository.example.edu/identifiers/courses/02baafcf/aus/4c07'))).toBe('cmi5-object §9.4');
    expect(other((s) => (s.context.contextActivities.grouping = []))).toBe('cmi5-context-template §9.6.2');
    expect(other((s) => delete s.id)).toBe('cmi5-statement-id §9.1');
    expect(other((s) => delete s.timestamp)).toBe('cmi5-timestamp §9.7');
    expect(other((s) => (s.timestamp = '2016-06-09T18:53:00.000Z'))).toBe('cmi5-timestamp-order §9.3');
    expect(other((s) => (s.verb.id = 'http://adlnet.gov/expapi/verbs/voided'))).toBe('cmi5-voiding §6.3');
    expect(other((s) => (s.verb.id = 'http://adlnet.gov/expapi/verbs/experienced'))).toBe('cmi5-unknown-verb §7.1.3');
  });

  it('results: passed below the masteryScore, success/completion, score, duration, the moveOn category', () => {
    const with_ = (f: (s: any) => void, base = passed) => {
      const s = base();
      f(s);
      return code(after(s));
    };
    expect(with_((s) => (s.result.score = { scaled: 0.85, raw: 85, min: 0, max: 100 }))).toBe('cmi5-mastery-score §9.3.4');
    expect(with_((s) => (s.result.score = { scaled: 0.86, raw: 86, min: 0, max: 100 }))).toBe('defined');
    expect(with_((s) => (s.result.success = false))).toBe('cmi5-result §9.5.2');
    expect(with_((s) => (s.result.completion = true))).toBe('cmi5-result §9.5.3');
    expect(with_((s) => (s.result.score = { raw: 88 }))).toBe('cmi5-score §9.5.1');
    expect(with_((s) => (s.result.score = { scaled: 1.2 }))).toBe('cmi5-score §9.5.1');
    expect(with_((s) => delete s.result.duration)).toBe('cmi5-duration §9.5.4.1');
    expect(with_((s) => (s.result.duration = '14 seconds'))).toBe('cmi5-duration §9.5.4');
    expect(with_((s) => s.context.contextActivities.category.pop())).toBe('cmi5-moveon-category §9.6.2.2');
    const failed = () => structuredClone(specSample(S11, '04-failed_statement'));
    const ctx11 = sessionOf(S11);
    const failedAt = (scaled: number) => {
      const f = failed();
      f.result.score.scaled = scaled;
      return code(feed(ctx11, [specSample(S11, '03-initialized_statement'), f]).verdicts[1]!);
    };
    expect(failedAt(0.9)).toBe('cmi5-mastery-score §9.3.5');
    expect(failedAt(0.5)).toBe('defined');
    // A terminated with a score or success.
    const term = () => structuredClone(specSample(S10, '07-terminated_statement'));
    expect(with_((s) => (s.result.success = true), term)).toBe('cmi5-moveon-category §9.6.2.2');
    expect(with_((s) => (s.result.score = { scaled: 0.9 }), term)).toBe('cmi5-score §9.5.1');
  });

  it('order: initialized first and once, each verb once per session, terminated last, nothing after; an abandoned session takes nothing', () => {
    expect(codes(feed(ctx, [passed()]).verdicts)).toEqual(['cmi5-not-initialized']);
    expect(codes(feed(ctx, [init(), init()]).verdicts)).toEqual(['defined', 'cmi5-duplicate-verb']);
    expect(codes(feed(ctx, [init(), passed(), passed()]).verdicts)).toEqual(['defined', 'defined', 'cmi5-duplicate-verb']);
    const early = structuredClone(specSample(S10, '07-terminated_statement'));
    early.timestamp = '2016-06-09T18:53:20.000Z';
    expect(codes(feed(ctx, [init(), passed(), early]).verdicts)).toEqual(['defined', 'defined', 'cmi5-timestamp-order']);
    expect(codes(feed(ctx, [init()], { ...empty, abandoned: true }).verdicts)).toEqual(['cmi5-session-abandoned']);
  });
});
