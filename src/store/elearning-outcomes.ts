/**
 * @module SCORM launches (evidence) and e-learning outcomes (derived) of enrolments (issue 6 §2,
 * §4): what derivation reads (the enrolment's course, launches and the CMI fields of its commits,
 * extracted in SQL so a long history stays cheap to read), and how it writes the outcome and the
 * credit record (fraction 0, the Rome year of completion) in one transaction under the
 * enrolment's row lock; and the aggregates of the incremental derivation (migration 017,
 * `src/domain/elearning-fold.ts`), read and written in that same transaction.
 */
import crypto from 'node:crypto';
import type { CourseDeclaration, ManifestSummary } from '../domain/elearning-compliance.ts';
import { foldKey, type FoldState, type SessionFold } from '../domain/elearning-fold.ts';
import type { CommitFact, EnrolmentProgress, LaunchFact, ProgressStatus } from '../domain/elearning-progress.ts';
import { isoDurationSeconds, scorm12TimespanSeconds, cmiDecimal } from '../domain/scorm-cmi.ts';
import type { Db, Queryable } from './db.ts';
import { getEvents, type StoredEvent } from './events.ts';

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));
const ms = (v: Date | string) => new Date(v).getTime();

export interface NewLaunch {
  enrolmentId: string;
  sco: string;
  launchedAt: Date;
  clientAddr: string | null;
  userAgent: string | null;
  resume: Record<string, unknown>;
}

/** Registers a launch; the server draws the session id (128 random bits, base64url). */
export async function insertLaunch(db: Queryable, l: NewLaunch): Promise<string> {
  const sessionId = crypto.randomBytes(16).toString('base64url');
  await db.query(
    `INSERT INTO scorm_launches (session_id, enrolment_id, sco_identifier, launched_at, client_addr, user_agent, resume)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
    [sessionId, l.enrolmentId, l.sco, l.launchedAt.toISOString(), l.clientAddr, l.userAgent, JSON.stringify(l.resume)],
  );
  return sessionId;
}

/** The CMI object of a stored commit, in either of scorm-again's JSON shapes. */
const CMI = `COALESCE(c.parsed->'cmi', c.parsed->'runtimeData'->'cmi')`;

/**
 * The run-time state to hand back when a SCO is launched again (resume): from the SCO's last
 * valid commit in a session the server launched. Only elements a SCO may resume from; `entry`
 * says `resume` when the SCO left with `exit: suspend`.
 */
export async function resumeState(db: Queryable, enrolmentId: string, sco: string, version: '1.2' | '2004'): Promise<Record<string, unknown>> {
  const { rows } = await db.query<{ cmi: unknown }>(
    `SELECT ${CMI} AS cmi FROM scorm_commits c JOIN scorm_launches l ON l.session_id = c.session_id AND l.enrolment_id = c.enrolment_id AND l.sco_identifier = c.sco_identifier
      WHERE c.enrolment_id = $1 AND c.sco_identifier = $2 AND c.valid ORDER BY c.received_at DESC, c.id DESC LIMIT 1`,
    [enrolmentId, sco],
  );
  const cmi = json<Record<string, any> | null>(rows[0]?.cmi);
  if (!cmi || typeof cmi !== 'object') return {};
  const pick = (o: Record<string, any> | undefined, keys: string[]) =>
    Object.fromEntries(keys.filter((k) => typeof o?.[k] === 'string' && o[k] !== '').map((k) => [k, o![k]]));
  if (version === '1.2') {
    const core = cmi.core ?? {};
    const score = pick(core.score, ['raw', 'min', 'max']);
    return {
      ...pick(cmi, ['suspend_data']),
      core: {
        ...pick(core, ['lesson_location', 'lesson_status', 'total_time']),
        ...(core.exit === 'suspend' ? { entry: 'resume' } : {}),
        ...(Object.keys(score).length ? { score } : {}),
      },
    };
  }
  const score = pick(cmi.score, ['raw', 'min', 'max', 'scaled']);
  return {
    ...pick(cmi, ['suspend_data', 'location', 'completion_status', 'success_status', 'progress_measure', 'total_time']),
    ...(cmi.exit === 'suspend' ? { entry: 'resume' } : {}),
    ...(Object.keys(score).length ? { score } : {}),
  };
}

export interface EnrolmentHead {
  enrolmentId: string;
  memberId: string;
  event: StoredEvent;
  /** The course's current package (the fold's basis names it). */
  packageId: string;
  manifest: ManifestSummary;
  declaration: CourseDeclaration | null;
}

export interface EnrolmentFacts extends EnrolmentHead {
  launches: LaunchFact[];
  commits: CommitFact[];
  highWater: number;
}

/** Seconds of a CMI time span of either version; null when absent or not one. */
function seconds(version: '1.2' | '2004', v: string | null): number | null {
  if (!v) return null;
  return version === '1.2' ? scorm12TimespanSeconds(v) : isoDurationSeconds(v);
}

/**
 * The enrolments, their events, current packages and declarations, by enrolment id (those whose
 * enrolment, package and event exist). `lock`: also takes the enrolments' row locks in the same
 * statement, in id order (two batches that overlap cannot deadlock), which serialises
 * derivations of one enrolment (a second waits; at-least-once jobs stay exact). `FOR NO KEY
 * UPDATE`: a commit's foreign-key check (KEY SHARE) on a locked enrolment does not wait for the
 * batch (with `FOR UPDATE` every commit of 200 learners waited for their batch's transaction). A package's
 * manifest and an event are read and parsed once however many of the enrolments share them.
 */
export async function loadEnrolmentHeads(tx: Queryable, enrolmentIds: readonly string[], opts: { lock?: boolean } = {}): Promise<Map<string, EnrolmentHead>> {
  const out = new Map<string, EnrolmentHead>();
  if (!enrolmentIds.length) return out;
  const { rows } = await tx.query<{ id: string; event_id: string; member_id: string; package_id: string; declaration: unknown }>(
    `SELECT e.id, e.event_id, e.member_id, p.id AS package_id, d.declaration
       FROM elearning_enrolments e
       JOIN scorm_packages p ON p.event_id = e.event_id AND p.superseded_at IS NULL
       LEFT JOIN elearning_courses d ON d.event_id = e.event_id
      WHERE e.id = ANY($1::uuid[]) ORDER BY e.id${opts.lock ? ' FOR NO KEY UPDATE OF e' : ''}`,
    [enrolmentIds],
  );
  if (!rows.length) return out;
  const [events, packages] = await Promise.all([
    getEvents(tx, [...new Set(rows.map((r) => r.event_id))]),
    tx.query<{ id: string; manifest: unknown }>('SELECT id, manifest FROM scorm_packages WHERE id = ANY($1::uuid[])', [
      [...new Set(rows.map((r) => r.package_id))],
    ]),
  ]);
  const manifests = new Map(packages.rows.map((p) => [p.id, json<ManifestSummary>(p.manifest)]));
  for (const h of rows) {
    const event = events.get(h.event_id);
    const manifest = manifests.get(h.package_id);
    if (!event || !manifest) continue;
    out.set(h.id, {
      enrolmentId: h.id,
      memberId: h.member_id,
      event,
      packageId: h.package_id,
      manifest,
      declaration: h.declaration ? json<CourseDeclaration>(h.declaration) : null,
    });
  }
  return out;
}

interface CommitRow {
  id: string | number;
  sco_identifier: string;
  session_id: string | null;
  received_at: Date | string;
  valid: boolean;
  lesson_status: string | null;
  completion_status: string | null;
  success_status: string | null;
  score_raw: string | null;
  session_time: string | null;
  total_time: string | null;
}

/**
 * The CMI fields derivation reads, from `c` (a commit) and `x.cmi`. The CMI object is extracted
 * once per row by a `CROSS JOIN LATERAL (… OFFSET 0)` (`OFFSET 0` keeps the planner from inlining
 * it back): `parsed` is stored out of line, and every `->` on it would fetch and decompress it
 * again (12.7× on a 960-commit history, bench/RESULTS.md, issue 6).
 */
const COMMIT_FIELDS = `c.id, c.sco_identifier, c.session_id, c.received_at, c.valid,
              x.cmi->'core'->>'lesson_status' AS lesson_status,
              x.cmi->>'completion_status' AS completion_status,
              x.cmi->>'success_status' AS success_status,
              COALESCE(x.cmi->'core'->'score'->>'raw', x.cmi->'score'->>'raw') AS score_raw,
              COALESCE(x.cmi->'core'->>'session_time', x.cmi->>'session_time') AS session_time,
              COALESCE(x.cmi->'core'->>'total_time', x.cmi->>'total_time') AS total_time`;
const CMI_ONCE = `CROSS JOIN LATERAL (SELECT ${CMI} AS cmi OFFSET 0) x`;

function commitFact(version: '1.2' | '2004', r: CommitRow): CommitFact {
  return {
    id: Number(r.id),
    sco: r.sco_identifier,
    sessionId: r.session_id,
    receivedAt: ms(r.received_at),
    valid: r.valid,
    lessonStatus: r.lesson_status,
    completionStatus: r.completion_status,
    successStatus: r.success_status,
    scoreRaw: r.score_raw === null || r.score_raw === '' ? null : cmiDecimal(r.score_raw),
    sessionSeconds: seconds(version, r.session_time),
    totalSeconds: seconds(version, r.total_time),
  };
}

/** Everything one enrolment's derivation needs, every commit included (the full re-read); null when the enrolment or its package is gone. */
export async function loadEnrolmentFacts(tx: Queryable, enrolmentId: string, knownHead?: EnrolmentHead): Promise<EnrolmentFacts | null> {
  const head = knownHead ?? (await loadEnrolmentHeads(tx, [enrolmentId])).get(enrolmentId);
  if (!head) return null;
  const version = head.manifest.version;
  const [launches, commits] = await Promise.all([
    tx.query<{ session_id: string; sco_identifier: string; launched_at: Date | string; total_time: string | null }>(
      `SELECT session_id, sco_identifier, launched_at, COALESCE(resume->'core'->>'total_time', resume->>'total_time') AS total_time
         FROM scorm_launches WHERE enrolment_id = $1`,
      [enrolmentId],
    ),
    tx.query<CommitRow>(`SELECT ${COMMIT_FIELDS} FROM scorm_commits c ${CMI_ONCE} WHERE c.enrolment_id = $1`, [enrolmentId]),
  ]);
  let highWater = 0;
  const commitFacts = commits.rows.map((r) => {
    const f = commitFact(version, r);
    highWater = Math.max(highWater, f.id);
    return f;
  });
  return {
    ...head,
    launches: launches.rows.map((l) => ({
      sessionId: l.session_id,
      sco: l.sco_identifier,
      launchedAt: ms(l.launched_at),
      resumeTotalSeconds: seconds(version, l.total_time) ?? 0,
    })),
    commits: commitFacts,
    highWater,
  };
}

interface SessionFoldRow {
  session_key: string;
  sco_identifier: string;
  launched_at: Date | string | null;
  resume_total_seconds: number;
  seen: number;
  commits: number;
  last_at: Date | string | null;
  reported_seconds: number;
  total_max_seconds: number;
  completed: boolean;
  passed: boolean;
  best_score: number | null;
}

function sessionFold(r: SessionFoldRow): SessionFold {
  const sessionId = r.session_key === '' ? null : r.session_key;
  return {
    sessionId,
    sco: r.sco_identifier,
    launch: r.launched_at === null ? null : { launchedAt: ms(r.launched_at), resumeTotalSeconds: Number(r.resume_total_seconds) },
    seen: r.seen,
    tally: {
      commits: r.commits,
      lastAt: r.last_at === null ? 0 : ms(r.last_at),
      reported: Number(r.reported_seconds),
      totalMax: Number(r.total_max_seconds),
      completed: r.completed,
      passed: r.passed,
      bestScore: r.best_score === null ? null : Number(r.best_score),
    },
  };
}

/** What an incremental derivation reads (`loadFoldInputs`). */
export interface FoldInput {
  state: FoldState;
  /** The enrolment's commits with an id up to the state's high water, counted in the same snapshot as `commits`. */
  older: number;
  /** The commits stored after the high water. */
  commits: CommitFact[];
  launches: {
    /** Every launch's SCO and time (which SCOs were launched within validity). */
    all: Array<{ sco: string; launchedAt: number }>;
    /** The whole fact of the launches the new commits name and those the unlaunched rows name. */
    named: LaunchFact[];
  };
}

interface FoldInputRow {
  enrolment_id: string;
  basis: string;
  commits_high_water: string | number;
  commits_folded: number;
  ignored_invalid: number;
  ignored_unlaunched: number;
  ignored_outside_validity: number;
  ignored_before_launch: number;
  last_counted_at: Date | string | null;
  completed_at: Date | string | null;
  older: number;
  sessions: unknown;
  fresh: unknown;
  launches: unknown;
}

/**
 * Everything the incremental derivations of several enrolments read, in one statement (one
 * snapshot, one round trip however many enrolments): the stored aggregates (migration 017), the
 * commits stored after their high water and the count of those up to it (a count above what was
 * folded is a commit whose transaction committed after the fold read past its id), and the
 * launches. The resume state, which holds the suspend data (often stored out of line), is read
 * only for the launches named. An enrolment before its first derivation has no entry.
 */
export async function loadFoldInputs(
  tx: Queryable,
  enrolments: ReadonlyArray<{ enrolmentId: string; version: '1.2' | '2004' }>,
): Promise<Map<string, FoldInput>> {
  const out = new Map<string, FoldInput>();
  if (!enrolments.length) return out;
  const { rows } = await tx.query<FoldInputRow>(
    `WITH f AS (SELECT * FROM scorm_folds WHERE enrolment_id = ANY($1::uuid[])),
          fresh AS (SELECT c.enrolment_id AS of_enrolment, ${COMMIT_FIELDS}
                      FROM f JOIN scorm_commits c ON c.enrolment_id = f.enrolment_id AND c.id > f.commits_high_water ${CMI_ONCE}),
          named AS (SELECT of_enrolment AS enrolment_id, session_id FROM fresh WHERE session_id IS NOT NULL
                    UNION SELECT s.enrolment_id, s.session_key FROM f JOIN scorm_session_folds s ON s.enrolment_id = f.enrolment_id
                     WHERE s.launched_at IS NULL AND s.session_key <> '')
     SELECT f.enrolment_id, f.basis, f.commits_high_water, f.commits_folded, f.ignored_invalid, f.ignored_unlaunched, f.ignored_outside_validity,
            f.ignored_before_launch, f.last_counted_at, f.completed_at,
            (SELECT count(*)::int FROM scorm_commits c WHERE c.enrolment_id = f.enrolment_id AND c.id <= f.commits_high_water) AS older,
            (SELECT COALESCE(json_agg(s), '[]') FROM scorm_session_folds s WHERE s.enrolment_id = f.enrolment_id) AS sessions,
            COALESCE(fr.rows, '[]') AS fresh,
            (SELECT COALESCE(json_agg(json_build_object('session_id', l.session_id, 'sco_identifier', l.sco_identifier, 'launched_at', l.launched_at,
                      'named', n.session_id IS NOT NULL,
                      'total_time', CASE WHEN n.session_id IS NOT NULL THEN COALESCE(l.resume->'core'->>'total_time', l.resume->>'total_time') END)), '[]')
               FROM scorm_launches l LEFT JOIN named n ON n.enrolment_id = l.enrolment_id AND n.session_id = l.session_id
              WHERE l.enrolment_id = f.enrolment_id) AS launches
       FROM f LEFT JOIN (SELECT of_enrolment, json_agg(fresh) AS rows FROM fresh GROUP BY of_enrolment) fr ON fr.of_enrolment = f.enrolment_id`,
    [enrolments.map((e) => e.enrolmentId)],
  );
  const versions = new Map(enrolments.map((e) => [e.enrolmentId, e.version]));
  for (const h of rows) out.set(h.enrolment_id, foldInput(versions.get(h.enrolment_id)!, h));
  return out;
}

function foldInput(version: '1.2' | '2004', h: FoldInputRow): FoldInput {
  const sessions = new Map<string, SessionFold>();
  for (const r of json<SessionFoldRow[]>(h.sessions)) {
    const row = sessionFold(r);
    sessions.set(foldKey(row.sessionId, row.sco), row);
  }
  const launches = json<Array<{ session_id: string; sco_identifier: string; launched_at: string; named: boolean; total_time: string | null }>>(h.launches);
  return {
    state: {
      basis: h.basis,
      highWater: Number(h.commits_high_water),
      folded: h.commits_folded,
      ignored: {
        invalid: h.ignored_invalid,
        unlaunched: h.ignored_unlaunched,
        outsideValidity: h.ignored_outside_validity,
        beforeLaunch: h.ignored_before_launch,
      },
      lastCountedAt: h.last_counted_at === null ? null : ms(h.last_counted_at),
      completedAt: h.completed_at === null ? null : ms(h.completed_at),
      sessions,
    },
    older: Number(h.older),
    commits: json<CommitRow[]>(h.fresh).map((r) => commitFact(version, r)),
    launches: {
      all: launches.map((l) => ({ sco: l.sco_identifier, launchedAt: ms(l.launched_at) })),
      named: launches
        .filter((l) => l.named)
        .map((l) => ({
          sessionId: l.session_id,
          sco: l.sco_identifier,
          launchedAt: ms(l.launched_at),
          resumeTotalSeconds: seconds(version, l.total_time) ?? 0,
        })),
    },
  };
}

/** One enrolment's aggregates to store: the rows of `changed`, or every row for 'all' (a rebuild: the others deleted). */
export interface FoldWrite {
  enrolmentId: string;
  state: FoldState;
  changed: ReadonlySet<string> | 'all';
}

/** Stores the aggregates of several enrolments, with their enrolment rows: one statement (two when some are rebuilt). */
export async function saveFolds(tx: Queryable, writes: readonly FoldWrite[], at: Date): Promise<void> {
  if (!writes.length) return;
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const rebuilt = writes.filter((w) => w.changed === 'all').map((w) => w.enrolmentId);
  if (rebuilt.length) await tx.query('DELETE FROM scorm_session_folds WHERE enrolment_id = ANY($1::uuid[])', [rebuilt]);
  const rows = writes.flatMap((w) =>
    (w.changed === 'all' ? [...w.state.sessions.values()] : [...w.changed].map((k) => w.state.sessions.get(k)!)).map((r) => ({ id: w.enrolmentId, r })),
  );
  const states = writes.map((w) => w.state);
  await tx.query(
    `WITH h AS (
       INSERT INTO scorm_folds (enrolment_id, basis, commits_high_water, commits_folded, ignored_invalid, ignored_unlaunched, ignored_outside_validity,
         ignored_before_launch, last_counted_at, completed_at, folded_at)
       SELECT *, $24::timestamptz FROM unnest($14::uuid[], $15::text[], $16::bigint[], $17::int[], $18::int[], $19::int[], $20::int[], $21::int[],
         $22::timestamptz[], $23::timestamptz[])
       ON CONFLICT (enrolment_id) DO UPDATE SET basis = EXCLUDED.basis, commits_high_water = EXCLUDED.commits_high_water,
         commits_folded = EXCLUDED.commits_folded, ignored_invalid = EXCLUDED.ignored_invalid, ignored_unlaunched = EXCLUDED.ignored_unlaunched,
         ignored_outside_validity = EXCLUDED.ignored_outside_validity, ignored_before_launch = EXCLUDED.ignored_before_launch,
         last_counted_at = EXCLUDED.last_counted_at, completed_at = EXCLUDED.completed_at, folded_at = EXCLUDED.folded_at)
     INSERT INTO scorm_session_folds (enrolment_id, session_key, sco_identifier, launched_at, resume_total_seconds, seen, commits, last_at,
       reported_seconds, total_max_seconds, completed, passed, best_score)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::float8[], $6::int[], $7::int[], $8::timestamptz[], $9::float8[],
       $10::float8[], $11::boolean[], $12::boolean[], $13::float8[])
     ON CONFLICT (enrolment_id, sco_identifier, session_key) DO UPDATE SET launched_at = EXCLUDED.launched_at,
       resume_total_seconds = EXCLUDED.resume_total_seconds, seen = EXCLUDED.seen, commits = EXCLUDED.commits, last_at = EXCLUDED.last_at,
       reported_seconds = EXCLUDED.reported_seconds, total_max_seconds = EXCLUDED.total_max_seconds, completed = EXCLUDED.completed,
       passed = EXCLUDED.passed, best_score = EXCLUDED.best_score`,
    [
      rows.map(({ id }) => id),
      rows.map(({ r }) => r.sessionId ?? ''),
      rows.map(({ r }) => r.sco),
      rows.map(({ r }) => (r.launch ? iso(r.launch.launchedAt) : null)),
      rows.map(({ r }) => r.launch?.resumeTotalSeconds ?? 0),
      rows.map(({ r }) => r.seen),
      rows.map(({ r }) => r.tally.commits),
      rows.map(({ r }) => (r.tally.commits ? iso(r.tally.lastAt) : null)),
      rows.map(({ r }) => r.tally.reported),
      rows.map(({ r }) => r.tally.totalMax),
      rows.map(({ r }) => r.tally.completed),
      rows.map(({ r }) => r.tally.passed),
      rows.map(({ r }) => r.tally.bestScore),
      writes.map((w) => w.enrolmentId),
      states.map((x) => x.basis),
      states.map((x) => x.highWater),
      states.map((x) => x.folded),
      states.map((x) => x.ignored.invalid),
      states.map((x) => x.ignored.unlaunched),
      states.map((x) => x.ignored.outsideValidity),
      states.map((x) => x.ignored.beforeLaunch),
      states.map((x) => iso(x.lastCountedAt)),
      states.map((x) => iso(x.completedAt)),
      at.toISOString(),
    ],
  );
}

export interface CreditWrite {
  credits: number;
  deontologyCredits: number;
  mode: string;
  year: number;
}

/** One enrolment's derived outcome to store, with its credit record (null: none). */
export interface OutcomeWrite {
  enrolmentId: string;
  eventId: string;
  memberId: string;
  highWater: number;
  derivedAt: Date;
  progress: EnrolmentProgress;
  explanation: Record<string, unknown>;
  credit: CreditWrite | null;
}

/**
 * Replaces the enrolments' outcomes and their credit records. Returns, by enrolment, the years
 * whose credit records changed (the ledger re-derives those balances, R-POL-2).
 */
export async function saveEnrolmentOutcomes(
  tx: Queryable,
  writes: readonly OutcomeWrite[],
): Promise<Map<string, { changedYears: number[]; statusChanged: boolean }>> {
  const out = new Map<string, { changedYears: number[]; statusChanged: boolean }>();
  if (!writes.length) return out;
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  // One statement: the previous statuses and credit records (read in the statement's snapshot,
  // so before the upsert), and the upsert of every outcome.
  const { rows } = await tx.query<{ enrolment_id: string; prev_status: string | null; old: unknown }>(
    `WITH v AS (
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::int[],
         $10::timestamptz[], $11::text[], $12::bigint[], $13::timestamptz[])
         AS v(enrolment_id, event_id, member_id, status, reason, rule, credits, credited_seconds, required_seconds, completed_at, explanation,
              commits_high_water, derived_at)
     ),
     prev AS (SELECT o.enrolment_id, o.status FROM elearning_outcomes o JOIN v ON v.enrolment_id = o.enrolment_id),
     up AS (
       INSERT INTO elearning_outcomes (enrolment_id, event_id, member_id, status, reason, rule, credits, credited_seconds, required_seconds,
         completed_at, explanation, commits_high_water, derived_at)
       SELECT enrolment_id, event_id, member_id, status, reason, rule, credits, credited_seconds, required_seconds, completed_at, explanation::jsonb,
              commits_high_water, derived_at FROM v
       ON CONFLICT (enrolment_id) DO UPDATE SET status = EXCLUDED.status, reason = EXCLUDED.reason, rule = EXCLUDED.rule,
         credits = EXCLUDED.credits, credited_seconds = EXCLUDED.credited_seconds, required_seconds = EXCLUDED.required_seconds,
         completed_at = EXCLUDED.completed_at, explanation = EXCLUDED.explanation, commits_high_water = EXCLUDED.commits_high_water,
         derived_at = EXCLUDED.derived_at)
     SELECT v.enrolment_id, prev.status AS prev_status,
            (SELECT COALESCE(json_agg(json_build_object('year', year, 'credits', credits, 'deontology_credits', deontology_credits, 'mode', mode, 'status', status)), '[]')
               FROM credit_records r WHERE r.member_id = v.member_id AND r.event_id = v.event_id AND r.fraction = 0) AS old
       FROM v LEFT JOIN prev ON prev.enrolment_id = v.enrolment_id`,
    [
      writes.map((w) => w.enrolmentId),
      writes.map((w) => w.eventId),
      writes.map((w) => w.memberId),
      writes.map((w) => w.progress.status),
      writes.map((w) => w.progress.reason),
      writes.map((w) => w.progress.rule),
      writes.map((w) => w.progress.credits),
      writes.map((w) => w.progress.creditedSeconds),
      writes.map((w) => w.progress.requiredSeconds),
      writes.map((w) => iso(w.progress.completedAt)),
      writes.map((w) => JSON.stringify(w.explanation)),
      writes.map((w) => w.highWater),
      writes.map((w) => w.derivedAt.toISOString()),
    ],
  );
  const read = new Map(rows.map((r) => [r.enrolment_id, r]));
  for (const w of writes) {
    const r = read.get(w.enrolmentId)!;
    const old = json<Array<{ year: number; credits: number; deontology_credits: number; mode: string; status: string }>>(r.old);
    const changedYears = await replaceCreditRecords(tx, w, old);
    // What the ledger's sweep reads (migration 020): rare, so a statement of its own.
    if (changedYears.length)
      await tx.query('UPDATE elearning_outcomes SET credits_changed_at = $2 WHERE enrolment_id = $1', [w.enrolmentId, w.derivedAt.toISOString()]);
    out.set(w.enrolmentId, { changedYears, statusChanged: r.prev_status !== w.progress.status });
  }
  return out;
}

/** The enrolment's credit records made what its outcome says; the years that changed. Statements only for what differs (most derivations: none). */
async function replaceCreditRecords(
  tx: Queryable,
  w: OutcomeWrite,
  old: Array<{ year: number; credits: number; deontology_credits: number; mode: string; status: string }>,
): Promise<number[]> {
  const { credit } = w;
  const changed = new Set<number>();
  for (const r of old) {
    if (credit && r.year === credit.year) continue;
    changed.add(r.year);
    await tx.query('DELETE FROM credit_records WHERE member_id = $1 AND event_id = $2 AND fraction = 0 AND year = $3', [w.memberId, w.eventId, r.year]);
  }
  if (credit) {
    const r = old.find((o) => o.year === credit.year);
    const same = r && r.credits === credit.credits && r.deontology_credits === credit.deontologyCredits && r.mode === credit.mode && r.status === 'granted';
    if (!same) {
      changed.add(credit.year);
      await tx.query(
        `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
         VALUES ($1, $2, 0, $3, $4, $5, $6, 'granted', $7)
         ON CONFLICT (member_id, event_id, fraction, year) DO UPDATE SET credits = EXCLUDED.credits,
           deontology_credits = EXCLUDED.deontology_credits, mode = EXCLUDED.mode, status = EXCLUDED.status, derived_at = EXCLUDED.derived_at`,
        [w.memberId, w.eventId, credit.credits, credit.deontologyCredits, credit.mode, credit.year, w.derivedAt.toISOString()],
      );
    }
  }
  return [...changed];
}

/** An enrolment's stored outcome, for the player page and the API. */
export async function getOutcome(db: Queryable, enrolmentId: string) {
  const { rows } = await db.query<{
    status: ProgressStatus;
    reason: string;
    rule: string;
    credits: number;
    credited_seconds: number;
    required_seconds: number | null;
    completed_at: Date | string | null;
    explanation: unknown;
    derived_at: Date | string;
  }>(
    'SELECT status, reason, rule, credits, credited_seconds, required_seconds, completed_at, explanation, derived_at FROM elearning_outcomes WHERE enrolment_id = $1',
    [enrolmentId],
  );
  const r = rows[0];
  if (!r) return null;
  return {
    status: r.status,
    reason: r.reason,
    rule: r.rule,
    credits: r.credits,
    creditedSeconds: r.credited_seconds,
    requiredSeconds: r.required_seconds,
    completedAt: r.completed_at === null ? null : new Date(r.completed_at).toISOString(),
    explanation: json<Record<string, unknown>>(r.explanation),
    derivedAt: new Date(r.derived_at).toISOString(),
  };
}

/** Whether an event is a SCORM course (has had a package): its credits come from SCORM derivation only. */
export async function isScormCourse(db: Queryable, eventId: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM scorm_packages WHERE event_id = $1 LIMIT 1', [eventId]);
  return rows.length > 0;
}

export async function enrolmentIdsOf(db: Queryable, eventId: string): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>('SELECT id FROM elearning_enrolments WHERE event_id = $1 ORDER BY id', [eventId]);
  return rows.map((r) => r.id);
}

/**
 * Enrolments with commits received from `since` (and before `until`, when given) that their
 * outcome has not read yet: the safety net for a crash between a commit's COMMIT and its queue
 * request. `until` leaves out the commits whose derivation is simply still on its way.
 */
export async function enrolmentsNeedingDerivation(db: Db, since: Date, until: Date | null = null): Promise<string[]> {
  // Two ways a commit can wait unread: its id is above what the outcome read (its request was
  // lost), or below it but visible only after the fold that read past it (its transaction
  // committed late) and its request was lost too: the fold then counts fewer commits up to its
  // high water than are stored.
  const { rows } = await db.query<{ enrolment_id: string }>(
    `WITH recent AS (
       SELECT c.enrolment_id, max(c.id) AS top FROM scorm_commits c
        WHERE c.received_at >= $1 AND ($2::timestamptz IS NULL OR c.received_at < $2) GROUP BY c.enrolment_id
     )
     SELECT r.enrolment_id FROM recent r
       LEFT JOIN elearning_outcomes o ON o.enrolment_id = r.enrolment_id
       LEFT JOIN scorm_folds f ON f.enrolment_id = r.enrolment_id
      WHERE r.top > COALESCE(o.commits_high_water, 0)
         OR (f.enrolment_id IS NOT NULL
             AND (SELECT count(*) FROM scorm_commits c WHERE c.enrolment_id = r.enrolment_id AND c.id <= f.commits_high_water) <> f.commits_folded)
      LIMIT 10000`,
    [since.toISOString(), until?.toISOString() ?? null],
  );
  return rows.map((r) => r.enrolment_id);
}
