/**
 * @module Incremental e-learning derivation (issue 16, "Derivation at scale"): the aggregates a
 * derivation keeps per enrolment and per session, folded commit by commit, so that deriving after
 * a commit reads the few new commits and these aggregates instead of the whole history. The
 * outcome is the one `assessEnrolment` (src/domain/elearning-progress.ts) gives over all the
 * facts, exactly: both paths tally sessions with the same functions, and the fold says when it
 * cannot stay exact (`{ ok: false }`), so that the caller re-reads everything instead.
 *
 * Why the fold is exact:
 * - every per-session quantity is a maximum, a count or an "ever" (`SessionTally`): the order in
 *   which commits are folded does not change it;
 * - what makes a commit count (valid, its launch, the validity window, after its launch) is decided
 *   per commit against the launch and the window, so it is the same whenever it is decided, as long
 *   as the window and the course are those the fold was made under (`basis`), and no launch
 *   appears later for a session a folded commit named (`unlaunched` rows are kept to tell);
 * - completedAt is the receipt time of the first counted commit, in receipt order, at which R-ELN-2
 *   and R-ELN-3 hold together. Folding in receipt order, it is the first commit after which they
 *   hold. A commit received before the last one folded (a late beacon, two tabs) is still exact
 *   when nothing held yet and still does not hold, or when it was received after completedAt; any
 *   other late commit could move completedAt earlier, and the fold gives up.
 */
import {
  emptyTally,
  evaluateTallies,
  finalTestOf,
  ignoredBecause,
  meetsAll,
  progressOf,
  requiredSecondsOf,
  tallyCommit,
  type CommitFact,
  type EnrolmentProgress,
  type Evaluation,
  type IgnoredCounts,
  type LaunchFact,
  type ProgressCourse,
  type SessionTally,
} from './elearning-progress.ts';

/** One (session, SCO) pair as commits named it. */
export interface SessionFold {
  /** As the commit named it; null for a commit that named none. */
  sessionId: string | null;
  sco: string;
  /**
   * The launch of that session for that SCO, when there was one at the fold; null otherwise: then
   * the row only remembers that commits named the pair (counted in `ignored.unlaunched`), so that
   * a launch appearing later for it sends the derivation back to a full re-read.
   */
  launch: Pick<LaunchFact, 'launchedAt' | 'resumeTotalSeconds'> | null;
  /** Of the counted commits (launched rows only). */
  tally: SessionTally;
  /** Commits folded into the row, counted or not. */
  seen: number;
}

export interface FoldState {
  /** What the aggregates were folded under (`foldBasis`); another basis needs a full re-read. */
  basis: string;
  /** The largest commit id folded. */
  highWater: number;
  /** How many commits were folded, of every kind: a commit with an id ≤ highWater that became visible later (its transaction committed after a fold) shows as a difference. */
  folded: number;
  ignored: IgnoredCounts;
  /** Receipt time of the latest counted commit folded. */
  lastCountedAt: number | null;
  completedAt: number | null;
  /** Keyed by `foldKey`. */
  sessions: Map<string, SessionFold>;
}

/** Why the fold cannot stay exact: the caller re-reads every fact. */
export type FoldRefusal = 'basis-changed' | 'commit-already-folded' | 'launch-after-commit' | 'late-commit-before-completion' | 'late-completion';

export const foldKey = (sessionId: string | null, sco: string) => `${sco}\u0000${sessionId ?? ''}`;

/**
 * What the aggregates depend on besides the commits and launches: the package, the version, the
 * SCOs and their mastery scores, the declaration's mastery score and duration, the tolerance and
 * the validity window. Accreditation status, credits and `now` are read at each derivation.
 */
export function foldBasis(course: ProgressCourse, packageId: string): string {
  return JSON.stringify([
    1,
    packageId,
    course.version,
    course.scos.map((s) => [s.identifier, s.masteryScore ?? null]),
    course.masteryScore,
    requiredSecondsOf(course),
    course.validity && [course.validity.from, course.validity.until],
  ]);
}

export function emptyFold(basis: string): FoldState {
  return {
    basis,
    highWater: 0,
    folded: 0,
    ignored: { invalid: 0, unlaunched: 0, outsideValidity: 0, beforeLaunch: 0 },
    lastCountedAt: null,
    completedAt: null,
    sessions: new Map(),
  };
}

function cloneFold(s: FoldState): FoldState {
  const sessions = new Map<string, SessionFold>();
  for (const [k, v] of s.sessions) sessions.set(k, { ...v, tally: { ...v.tally } });
  return { ...s, ignored: { ...s.ignored }, sessions };
}

function evaluationOf(course: ProgressCourse, state: FoldState): Evaluation {
  const tallied = [];
  for (const r of state.sessions.values()) {
    if (r.launch && r.sessionId !== null) tallied.push({ launch: { sessionId: r.sessionId, sco: r.sco, ...r.launch }, tally: r.tally });
  }
  return evaluateTallies(course, finalTestOf(course.scos), tallied);
}

/** Adds one commit to the aggregates, whatever the order; returns the row it went to and whether it counted. */
function addCommit(course: ProgressCourse, state: FoldState, launches: ReadonlyMap<string, LaunchFact>, c: CommitFact) {
  state.folded++;
  state.highWater = Math.max(state.highWater, c.id);
  const launch = c.sessionId ? launches.get(c.sessionId) : undefined;
  const why = ignoredBecause(course.validity, launch, c);
  if (why) state.ignored[why]++;
  if (why === 'invalid') return { key: null, counted: false };
  const key = foldKey(c.sessionId, c.sco);
  let row = state.sessions.get(key);
  if (!row) {
    const matched = launch && launch.sco === c.sco ? { launchedAt: launch.launchedAt, resumeTotalSeconds: launch.resumeTotalSeconds } : null;
    state.sessions.set(key, (row = { sessionId: c.sessionId, sco: c.sco, launch: matched, tally: emptyTally(), seen: 0 }));
  }
  row.seen++;
  if (why) return { key, counted: false };
  tallyCommit(course.version, row.tally, c);
  return { key, counted: true };
}

/**
 * Folds commits stored after the state's high water into it, in receipt order. `launches` must
 * hold every launch the new commits name and those the state's unlaunched rows name (a launch
 * not given is taken as absent). Returns the new state and the keys of the rows that changed, or
 * why only a full re-read is exact.
 */
export function foldCommits(
  course: ProgressCourse,
  state: FoldState,
  basis: string,
  launchList: readonly LaunchFact[],
  commits: readonly CommitFact[],
): { ok: true; state: FoldState; changed: Set<string> } | { ok: false; reason: FoldRefusal } {
  if (state.basis !== basis) return { ok: false, reason: 'basis-changed' };
  const launches = new Map(launchList.map((l) => [l.sessionId, l]));
  for (const r of state.sessions.values()) {
    const l = r.sessionId === null ? undefined : launches.get(r.sessionId);
    if (!r.launch && l && l.sco === r.sco) return { ok: false, reason: 'launch-after-commit' };
  }
  const next = cloneFold(state);
  const changed = new Set<string>();
  const requiredSeconds = requiredSecondsOf(course);
  const sorted = [...commits].sort((a, b) => a.receivedAt - b.receivedAt || a.id - b.id);
  for (const c of sorted) {
    // Ids only grow, so a new commit comes after every folded one received at the same instant.
    if (c.id <= state.highWater) return { ok: false, reason: 'commit-already-folded' };
    const previousLast = next.lastCountedAt;
    const { key, counted } = addCommit(course, next, launches, c);
    if (key) changed.add(key);
    if (!counted) continue;
    next.lastCountedAt = previousLast === null ? c.receivedAt : Math.max(previousLast, c.receivedAt);
    if (next.completedAt !== null) {
      if (c.receivedAt < next.completedAt) return { ok: false, reason: 'late-commit-before-completion' };
      continue;
    }
    if (!meetsAll(course, requiredSeconds, evaluationOf(course, next))) continue;
    // Held for the first time: exact only if this commit is the last in receipt order.
    if (previousLast !== null && c.receivedAt < previousLast) return { ok: false, reason: 'late-completion' };
    next.completedAt = c.receivedAt;
  }
  return { ok: true, state: next, changed };
}

/**
 * The aggregates of a whole history, for the full re-read to store: every commit added (order does
 * not matter), completedAt taken from the full assessment (which bisects for it).
 */
export function foldAll(
  course: ProgressCourse,
  basis: string,
  launchList: readonly LaunchFact[],
  commits: readonly CommitFact[],
  completedAt: number | null,
): FoldState {
  const launches = new Map(launchList.map((l) => [l.sessionId, l]));
  const state = emptyFold(basis);
  for (const c of commits) {
    if (addCommit(course, state, launches, c).counted) state.lastCountedAt = Math.max(state.lastCountedAt ?? c.receivedAt, c.receivedAt);
  }
  state.completedAt = completedAt;
  return state;
}

/** The outcome at `now` from the aggregates; `launchedScos` as `launchedScosOf` gives it over every launch. */
export function progressOfFold(course: ProgressCourse, state: FoldState, launchedScos: ReadonlySet<string>, now: number): EnrolmentProgress {
  return progressOf(course, evaluationOf(course, state), state.completedAt, launchedScos, state.ignored, now);
}
