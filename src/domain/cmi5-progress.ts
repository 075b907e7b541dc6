/**
 * @module What a cmi5 registration's accepted statements prove (issue 16), as the facts the
 * SCORM derivation already judges (`assessEnrolment` in `elearning-progress.ts`): one launch per
 * cmi5 session (the server's launch time, R-ELN-3), one fact per accepted AU statement (received
 * time, the duration it reports). Pure.
 *
 * **Decisions** (how cmi5 meets R-ELN-2 and R-ELN-3):
 * - An AU counts as "completed" for R-ELN-2 when its moveOn is met (cmi5 §13.1.4): a Passed AU by
 *   its passed statement, a Completed one by completed, and so on. NotApplicable AUs are met at
 *   registration (§9.6.1); they are marked met at the registration's first launch, with no time.
 * - The final test (R-ELN-2) is `cmi5FinalTest` (the last AU whose moveOn requires a pass, …); it
 *   is passed by its accepted `passed` statement, whose score the LRS already held against the
 *   masteryScore (§9.3.4). A course whose moveOn never asks for a pass still needs that AU's
 *   `passed` to be credited: R-ELN-2 requires a final test passed.
 * - Time (R-ELN-3): a session reports the largest `result.duration` of its completed, passed,
 *   failed and terminated statements (§9.5.4.1; terminated's is the whole session); the server
 *   observes from its launch to its last accepted statement; the smaller counts. The LMS's own
 *   abandoned statement reports nothing for the content.
 */
import { cmi5FinalTest, moveOnMet, type Cmi5Structure } from './cmi5-course.ts';
import { CMI5_VERBS } from './cmi5-statements.ts';
import type { CommitFact, LaunchFact, ProgressSco } from './elearning-progress.ts';

export interface Cmi5SessionFact {
  sessionId: string;
  auId: string;
  launchedAt: number;
}

export interface Cmi5StatementFact {
  id: number;
  sessionId: string | null;
  origin: 'au' | 'lms';
  receivedAt: number;
  verb: string | null;
  kind: 'defined' | 'allowed' | null;
  durationSeconds: number | null;
}

/** When and in which session an AU, block or the course first met its moveOn; null session: at registration. */
export interface Satisfaction {
  at: number;
  sessionId: string | null;
}

export interface Cmi5Assessment {
  scos: ProgressSco[];
  launches: LaunchFact[];
  commits: CommitFact[];
  /** By publisher id: the AUs, blocks and the course that are satisfied (cmi5 §9.3.9). */
  satisfied: Map<string, Satisfaction>;
}

const DURATION_VERBS = new Set<string>([CMI5_VERBS.completed, CMI5_VERBS.passed, CMI5_VERBS.failed, CMI5_VERBS.terminated]);

/**
 * The facts `assessEnrolment` takes (version "2004": completion_status completed = moveOn met,
 * success_status passed = the final test's passed), and what is satisfied.
 *
 * @example const a = cmi5Assessment(structure, sessions, statements); assessEnrolment({ ...course, version: '2004', scos: a.scos }, a.launches, a.commits, now)
 * @rule R-ELN-2
 * @rule R-ELN-3
 * @rule R-CMI-4
 */
export function cmi5Assessment(s: Cmi5Structure, sessions: readonly Cmi5SessionFact[], statements: readonly Cmi5StatementFact[]): Cmi5Assessment {
  const final = cmi5FinalTest(s.aus);
  // Only the final test carries a mastery score here, so `finalTestOf` picks it.
  const scos: ProgressSco[] = s.aus.map((a) => ({
    identifier: a.id,
    title: a.title,
    ...(a.id === final ? { masteryScore: Math.round((a.masteryScore ?? 0) * 100) } : {}),
  }));
  const auOf = new Map(sessions.map((x) => [x.sessionId, x.auId]));
  const launches: LaunchFact[] = sessions.map((x) => ({ sessionId: x.sessionId, sco: x.auId, launchedAt: x.launchedAt, resumeTotalSeconds: 0 }));
  const commits: CommitFact[] = [];
  const satisfied = new Map<string, Satisfaction>();
  const facts = new Map(s.aus.map((a) => [a.id, { completed: false, passed: false }]));
  const byId = new Map(s.aus.map((a) => [a.id, a]));

  // §9.6.1: NotApplicable AUs are satisfied at registration; they are marked at its first launch.
  const first = [...sessions].sort((a, b) => a.launchedAt - b.launchedAt)[0];
  for (const a of s.aus) {
    if (a.moveOn !== 'NotApplicable' || !first) continue;
    const sessionId = `registration:${a.id}`;
    launches.push({ sessionId, sco: a.id, launchedAt: first.launchedAt, resumeTotalSeconds: 0 });
    commits.push({ id: 0, sco: a.id, sessionId, receivedAt: first.launchedAt, valid: true, completionStatus: 'completed' });
    satisfied.set(a.id, { at: first.launchedAt, sessionId: null });
  }

  for (const st of [...statements].sort((a, b) => a.id - b.id)) {
    if (st.origin !== 'au' || st.sessionId === null || !st.verb) continue;
    const auId = auOf.get(st.sessionId);
    const au = auId ? byId.get(auId) : undefined;
    if (!au) continue;
    const f = facts.get(au.id)!;
    if (st.kind === 'defined') {
      if (st.verb === CMI5_VERBS.completed) f.completed = true;
      if (st.verb === CMI5_VERBS.passed) f.passed = true;
    }
    const met = moveOnMet(au.moveOn, f);
    if (met && !satisfied.has(au.id)) satisfied.set(au.id, { at: st.receivedAt, sessionId: st.sessionId });
    commits.push({
      id: st.id,
      sco: au.id,
      sessionId: st.sessionId,
      receivedAt: st.receivedAt,
      valid: true,
      completionStatus: met ? 'completed' : null,
      successStatus: st.kind === 'defined' && st.verb === CMI5_VERBS.passed ? 'passed' : null,
      sessionSeconds: st.kind === 'defined' && DURATION_VERBS.has(st.verb) ? st.durationSeconds : null,
    });
  }

  // §9.3.9: a block when all its AUs are satisfied, the course when all of them are; at the last one's time and session.
  const latest = (ids: string[]): Satisfaction | null => {
    let out: Satisfaction | null = null;
    for (const id of ids) {
      const x = satisfied.get(id);
      if (!x) return null;
      if (!out || x.at > out.at || (x.at === out.at && x.sessionId !== null)) out = x;
    }
    return out;
  };
  for (const b of s.blocks) {
    const x = latest(s.aus.filter((a) => a.blocks.includes(b.id)).map((a) => a.id));
    if (x) satisfied.set(b.id, x);
  }
  const course = latest(s.aus.map((a) => a.id));
  if (course) satisfied.set(s.course.id, course);
  return { scos, launches, commits, satisfied };
}
