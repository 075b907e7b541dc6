/**
 * @module E-learning derivation (issue 6 §4): what one enrolment's launches and SCORM commits
 * prove, under R-ELN-2 (completion and the final test), R-ELN-3 (time), R-ELN-4 (credits) and
 * R-EVT-5 (validity). Pure: the SCORM worker loads the facts and stores the outcome.
 *
 * What counts, and why (each commit stays stored whatever happens here, R-ELN-1):
 * - only valid commits of a session the server launched itself, for the SCO that session
 *   launched, received after the launch: a completion posted for an SCO never launched proves
 *   nothing;
 * - only launches and commits inside the validity window (one year from accreditation): a commit
 *   after it is kept as evidence and not credited;
 * - statuses are monotone ("ever completed", "ever passed"), so replays and out-of-order commits
 *   (a late beacon carrying an older state) never undo anything nor count twice;
 * - a session's time is min(reported, observed): reported is what the content says it spent
 *   (the largest `session_time`, or the growth of `total_time` over what the launch handed back),
 *   observed is the server's clock from the launch to the session's last commit; sessions run
 *   side by side (two tabs) count their overlapping wall-clock time once.
 */

export type ScormVersion = '1.2' | '2004';

export interface ProgressSco {
  identifier: string;
  title: string;
  /** SCORM 1.2 `adlcp:masteryscore` from the manifest. */
  masteryScore?: number | undefined;
}

export interface ProgressCourse {
  version: ScormVersion;
  /** In manifest order. */
  scos: readonly ProgressSco[];
  /** The course's pass mark (declaration), % of the score; used where the SCO has none. */
  masteryScore: number | null;
  /** The declared nominal duration; null when the course is not declared yet. */
  nominalMinutes: number | null;
  /** The event's tolerance (R-ELN-3: the total must reach nominal − tolerance). */
  toleranceMinutes: number;
  /** R-EVT-5; null while not accredited. */
  validity: { from: number; until: number } | null;
  accreditation: 'approved' | 'requested' | 'rejected' | string;
  credits: number;
}

export interface LaunchFact {
  sessionId: string;
  sco: string;
  launchedAt: number;
  /** `total_time` handed back to the player at launch (resume), seconds. */
  resumeTotalSeconds: number;
}

/** The parts of a stored commit derivation reads (times already in seconds). */
export interface CommitFact {
  id: number;
  sco: string;
  sessionId: string | null;
  receivedAt: number;
  valid: boolean;
  lessonStatus?: string | null | undefined;
  completionStatus?: string | null | undefined;
  successStatus?: string | null | undefined;
  scoreRaw?: number | null | undefined;
  sessionSeconds?: number | null | undefined;
  totalSeconds?: number | null | undefined;
}

export type ProgressStatus = 'credited' | 'in-progress' | 'not-credited';

/** Reason codes: plain data, as the API and the pages show them. */
export const PROGRESS_REASONS = {
  credited: { rule: 'R-ELN-4', text: 'Completed, final test passed, time reached within validity' },
  'accreditation-rejected': { rule: 'R-EVT-3', text: 'The event is not accredited' },
  'not-yet-accredited': { rule: 'R-EVT-5', text: 'Validity starts at accreditation; nothing counts before it' },
  'course-not-declared': { rule: 'R-ELN-3', text: 'The organiser has not declared the nominal duration' },
  'sco-not-completed': { rule: 'R-ELN-2', text: 'Not every learning object is completed' },
  'final-test-not-passed': { rule: 'R-ELN-2', text: 'The final test is not passed' },
  'time-short': { rule: 'R-ELN-3', text: 'Credited time below the nominal duration minus the tolerance' },
  'validity-ended': { rule: 'R-EVT-5', text: 'The validity window ended before completion' },
} as const;
export type ProgressReason = keyof typeof PROGRESS_REASONS;

export interface SessionView {
  sessionId: string;
  sco: string;
  launchedAt: number;
  lastCommitAt: number | null;
  reportedSeconds: number;
  observedSeconds: number;
  creditedSeconds: number;
  commits: number;
}

export interface ScoView {
  identifier: string;
  title: string;
  launched: boolean;
  completed: boolean;
  /** Only for the final test. */
  passed?: boolean;
  bestScore?: number | null;
}

export interface EnrolmentProgress {
  status: ProgressStatus;
  reason: ProgressReason;
  rule: string;
  credits: number;
  creditedSeconds: number;
  requiredSeconds: number | null;
  /** When R-ELN-2 and R-ELN-3 first held together (the receipt time of that commit). */
  completedAt: number | null;
  finalTest: string | null;
  /** What is still missing (R-ELN-2, R-ELN-3), also when the validity ended; null once credited. */
  missing: ProgressReason | null;
  scos: ScoView[];
  sessions: SessionView[];
  ignored: { invalid: number; unlaunched: number; outsideValidity: number; beforeLaunch: number };
}

const COMPLETED_12 = new Set(['completed', 'passed']);

/**
 * The final test: the last SCO with a mastery score in the manifest, else the last SCO (the
 * usual layout: modules, then the test). **Decision** (RULES leave it open): SCORM has no
 * "final test" marker; this is what packages built by the common authoring tools look like.
 */
export function finalTestOf(scos: readonly ProgressSco[]): string | null {
  for (let i = scos.length - 1; i >= 0; i--) if (scos[i]!.masteryScore !== undefined) return scos[i]!.identifier;
  return scos.at(-1)?.identifier ?? null;
}

/** The pass mark of the final test: its own mastery score, else the declaration's. */
export function finalMasteryOf(course: ProgressCourse, finalTest: string | null): number | null {
  return course.scos.find((s) => s.identifier === finalTest)?.masteryScore ?? course.masteryScore;
}

/** R-ELN-3: the credited time the course needs, null while it is not declared. */
export function requiredSecondsOf(course: ProgressCourse): number | null {
  return course.nominalMinutes === null ? null : Math.max(0, course.nominalMinutes - course.toleranceMinutes) * 60;
}

export type IgnoredCounts = EnrolmentProgress['ignored'];

/** Why a commit does not count, or null when it counts (the order of the checks decides which count a commit adds to). */
export function ignoredBecause(validity: ProgressCourse['validity'], launch: LaunchFact | undefined, c: CommitFact): keyof IgnoredCounts | null {
  if (!c.valid) return 'invalid';
  if (!launch || launch.sco !== c.sco) return 'unlaunched';
  if (!validity || c.receivedAt < validity.from || c.receivedAt > validity.until || launch.launchedAt < validity.from) return 'outsideValidity';
  if (c.receivedAt < launch.launchedAt) return 'beforeLaunch';
  return null;
}

/** The commits that count, with why the others do not. */
function countedCommits(course: ProgressCourse, launches: ReadonlyMap<string, LaunchFact>, commits: readonly CommitFact[]) {
  const ignored = { invalid: 0, unlaunched: 0, outsideValidity: 0, beforeLaunch: 0 };
  const counted: CommitFact[] = [];
  for (const c of commits) {
    const why = ignoredBecause(course.validity, c.sessionId ? launches.get(c.sessionId) : undefined, c);
    if (why) ignored[why]++;
    else counted.push(c);
  }
  counted.sort((a, b) => a.receivedAt - b.receivedAt || a.id - b.id);
  return { counted, ignored };
}

/**
 * What the counted commits of one session add up to. Every field is a maximum, a count or an
 * "ever", so the order in which commits are added does not matter (the incremental fold,
 * `src/domain/elearning-fold.ts`, keeps these per session).
 */
export interface SessionTally {
  commits: number;
  lastAt: number;
  reported: number;
  totalMax: number;
  /** R-ELN-2: ever completed (1.2 completed/passed; 2004 completion_status completed). */
  completed: boolean;
  /** R-ELN-2: ever passed by status (1.2 `passed`; 2004 success_status `passed`). */
  passed: boolean;
  bestScore: number | null;
}

export const emptyTally = (): SessionTally => ({ commits: 0, lastAt: 0, reported: 0, totalMax: 0, completed: false, passed: false, bestScore: null });

/** Adds one counted commit to its session's tally. */
export function tallyCommit(version: ScormVersion, t: SessionTally, c: CommitFact): void {
  if (version === '1.2' ? COMPLETED_12.has(c.lessonStatus ?? '') : c.completionStatus === 'completed') t.completed = true;
  if (version === '1.2' ? c.lessonStatus === 'passed' : c.successStatus === 'passed') t.passed = true;
  if (c.scoreRaw != null) t.bestScore = t.bestScore === null ? c.scoreRaw : Math.max(t.bestScore, c.scoreRaw);
  t.lastAt = Math.max(t.lastAt, c.receivedAt);
  t.reported = Math.max(t.reported, c.sessionSeconds ?? 0);
  t.totalMax = Math.max(t.totalMax, c.totalSeconds ?? 0);
  t.commits++;
}

export interface Evaluation {
  completed: Set<string>;
  passed: boolean;
  bestScore: number | null;
  sessions: SessionView[];
  creditedSeconds: number;
}

/** A launched session's tally, its launch and what it credits. */
export interface TalliedSession {
  launch: Pick<LaunchFact, 'sessionId' | 'sco' | 'launchedAt' | 'resumeTotalSeconds'>;
  tally: SessionTally;
}

/**
 * R-ELN-2 and R-ELN-3 over sessions' tallies: the SCOs completed, the final test passed (1.2:
 * `passed`, or a score ≥ the mastery score, i.e. the best score ≥ it; 2004: success_status
 * `passed`), each session's credited time and the total, overlaps once.
 */
export function evaluateTallies(course: ProgressCourse, finalTest: string | null, tallied: Iterable<TalliedSession>): Evaluation {
  const completed = new Set<string>();
  let passed = false;
  let bestScore: number | null = null;
  const mastery = finalMasteryOf(course, finalTest);
  const sessions: SessionView[] = [];
  for (const { launch: l, tally: s } of tallied) {
    if (s.commits === 0) continue;
    if (s.completed) completed.add(l.sco);
    if (l.sco === finalTest) {
      if (s.bestScore !== null) bestScore = bestScore === null ? s.bestScore : Math.max(bestScore, s.bestScore);
      if (s.passed || (course.version === '1.2' && mastery != null && s.bestScore !== null && s.bestScore >= mastery)) passed = true;
    }
    const reportedSeconds = Math.max(s.reported, s.totalMax - l.resumeTotalSeconds);
    const observedSeconds = (s.lastAt - l.launchedAt) / 1000;
    sessions.push({
      sessionId: l.sessionId,
      sco: l.sco,
      launchedAt: l.launchedAt,
      lastCommitAt: s.lastAt,
      reportedSeconds,
      observedSeconds,
      creditedSeconds: Math.max(0, Math.min(reportedSeconds, observedSeconds)),
      commits: s.commits,
    });
  }
  // Launch time, then the session id: one order whatever order the sessions came in, so that the
  // sum below (floating point) and the list are the same on every path.
  sessions.sort((a, b) => a.launchedAt - b.launchedAt || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  const sum = sessions.reduce((t, s) => t + s.creditedSeconds, 0);
  return { completed, passed, bestScore, sessions, creditedSeconds: Math.floor(Math.min(sum, unionSeconds(sessions))) };
}

/** R-ELN-2 and R-ELN-3 on the counted commits received up to a point. */
function evaluate(course: ProgressCourse, finalTest: string | null, launches: ReadonlyMap<string, LaunchFact>, commits: readonly CommitFact[]): Evaluation {
  const bySession = new Map<string, TalliedSession>();
  for (const c of commits) {
    let s = bySession.get(c.sessionId!);
    if (!s) bySession.set(c.sessionId!, (s = { launch: launches.get(c.sessionId!)!, tally: emptyTally() }));
    tallyCommit(course.version, s.tally, c);
  }
  return evaluateTallies(course, finalTest, bySession.values());
}

/** Whether R-ELN-2 and R-ELN-3 hold together. */
export function meetsAll(course: ProgressCourse, requiredSeconds: number | null, e: Evaluation): boolean {
  return e.completed.size === course.scos.length && e.passed && requiredSeconds !== null && e.creditedSeconds >= requiredSeconds;
}

/** Wall-clock seconds covered by the sessions' observed spans, overlaps once. */
function unionSeconds(sessions: readonly SessionView[]): number {
  const spans = sessions.map((s) => [s.launchedAt, s.lastCommitAt ?? s.launchedAt] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let cur: [number, number] | null = null;
  for (const [a, b] of spans) {
    if (cur && a <= cur[1]) cur[1] = Math.max(cur[1], b);
    else {
      if (cur) total += cur[1] - cur[0];
      cur = [a, b];
    }
  }
  if (cur) total += cur[1] - cur[0];
  return total / 1000;
}

/** The SCOs launched inside the validity window (R-EVT-5). */
export function launchedScosOf(validity: ProgressCourse['validity'], launches: Iterable<Pick<LaunchFact, 'sco' | 'launchedAt'>>): Set<string> {
  const out = new Set<string>();
  if (!validity) return out;
  for (const l of launches) if (l.launchedAt >= validity.from && l.launchedAt <= validity.until) out.add(l.sco);
  return out;
}

/**
 * The outcome from an evaluation of every counted commit and the instant R-ELN-2 and R-ELN-3
 * first held together: status and reason (R-ELN-4, R-EVT-3, R-EVT-5), what is missing, the SCOs.
 */
export function progressOf(
  course: ProgressCourse,
  all: Evaluation,
  completedAt: number | null,
  launchedScos: ReadonlySet<string>,
  ignored: IgnoredCounts,
  now: number,
): EnrolmentProgress {
  const finalTest = finalTestOf(course.scos);
  const requiredSeconds = requiredSecondsOf(course);
  const scos: ScoView[] = course.scos.map((s) => ({
    identifier: s.identifier,
    title: s.title,
    launched: launchedScos.has(s.identifier),
    completed: all.completed.has(s.identifier),
    ...(s.identifier === finalTest ? { passed: all.passed, bestScore: all.bestScore } : {}),
  }));

  const missing: ProgressReason | null =
    completedAt !== null
      ? null
      : requiredSeconds === null
        ? 'course-not-declared'
        : all.completed.size < course.scos.length
          ? 'sco-not-completed'
          : !all.passed
            ? 'final-test-not-passed'
            : 'time-short';
  let status: ProgressStatus;
  let reason: ProgressReason;
  if (course.accreditation === 'rejected') [status, reason] = ['not-credited', 'accreditation-rejected'];
  else if (!course.validity) [status, reason] = ['in-progress', 'not-yet-accredited'];
  else if (completedAt !== null) [status, reason] = ['credited', 'credited'];
  else if (now > course.validity.until) [status, reason] = ['not-credited', 'validity-ended'];
  else [status, reason] = ['in-progress', missing!];
  return {
    status,
    reason,
    rule: PROGRESS_REASONS[reason].rule,
    credits: status === 'credited' ? course.credits : 0,
    creditedSeconds: all.creditedSeconds,
    requiredSeconds,
    completedAt,
    finalTest,
    missing,
    scos,
    sessions: all.sessions,
    ignored: { ...ignored },
  };
}

/**
 * The outcome of one enrolment at `now`: completion and the final test (R-ELN-2), the credited
 * time against the nominal duration minus the tolerance (R-ELN-3), and the credits when both hold
 * within the validity period (R-ELN-4).
 *
 * @example assessEnrolment(course, launches, commits, Date.now()).status // 'credited' | 'in-progress' | 'not-credited'
 * @rule R-ELN-2
 * @rule R-ELN-3
 * @rule R-ELN-4
 */
export function assessEnrolment(course: ProgressCourse, launchList: readonly LaunchFact[], commits: readonly CommitFact[], now: number): EnrolmentProgress {
  const launches = new Map(launchList.map((l) => [l.sessionId, l]));
  const finalTest = finalTestOf(course.scos);
  const { counted, ignored } = countedCommits(course, launches, commits);
  const requiredSeconds = requiredSecondsOf(course);
  const meets = (e: Evaluation) => meetsAll(course, requiredSeconds, e);

  const all = evaluate(course, finalTest, launches, counted);
  // Every quantity only grows as commits are added, so the first commit at which everything
  // holds is found by bisection over the counted commits in order of receipt.
  let completedAt: number | null = null;
  if (meets(all)) {
    let lo = 1;
    let hi = counted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (meets(evaluate(course, finalTest, launches, counted.slice(0, mid)))) hi = mid;
      else lo = mid + 1;
    }
    completedAt = counted[lo - 1]!.receivedAt;
  }
  return progressOf(course, all, completedAt, launchedScosOf(course.validity, launches.values()), ignored, now);
}
