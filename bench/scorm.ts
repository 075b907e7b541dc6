/**
 * @module bench/scorm: SCORM commits under sustained load (issue 6, "Proof": `bench/scorm`):
 * 2,000 learners each committing every 30 s (scorm-again's usual autocommit), open loop; commit
 * p50/p95/p99/max and throughput against the offered rate, errors by status, and how far behind
 * the derivation of the enrolments' outcomes runs. Side by side in the same run: the same load
 * with twice the learners, and a closed-loop saturation phase whose best commits/s divided by
 * the offered rate is the headroom.
 *
 *   npm run bench:scorm [-- --learners=2000 --interval=30 --session=4 --warmup=40 --duration=180
 *                            --scale=2 --scale-duration=90 --saturation=20,50 --saturation-duration=20
 *                            --history=0 --probe=8,120,480,960 --probe-samples=30 --bucket=30 --connections=64
 *                            --timeout=10000 --derive-delay=<ms> --derivation=incremental|full --quick --keep]
 *   npm run bench:scorm -- --learners=10000 --scale=1 --saturation= --duration=90   # issue 16: 333 commits/s offered
 *
 * `--quick`: a smoke of 1–1.5 minutes (200 learners every 10 s, short phases, a small probe). Every option is
 * also an environment variable BENCH_S_<NAME> (BENCH_S_LEARNERS=500, ...). Postgres:
 * BENCH_DATABASE_URL (a private schema `bench_scorm_<id>`, dropped at the end unless `--keep`);
 * Redis: BENCH_REDIS_URL (BullMQ prefix `bench-scorm-<id>`). BENCH_GATEWAY_ROOT, BENCH_NODE_ARGS,
 * BENCH_PROFILE and BENCH_LOG_DIR work as for the other benches.
 *
 * Under test: `src/main.ts gateway` and `src/main.ts worker` as two processes (the production
 * shape), with the product's defaults (SCORM_DERIVE_DELAY_MS 1 s, WORKER_CONCURRENCY 2) unless
 * `--derive-delay` is given, and SCORM_DERIVATION as `--derivation` says (`incremental`, the
 * default; `full` re-reads every commit on every derivation, the only path before issue 16, for
 * comparing the two in the same checkout). Their Postgres connections carry their own `application_name`, so the
 * CPU of the backends serving the gateway and the worker is told apart.
 *
 * Set-up through the gateway's API (not measured), as an organiser does it: a kind-a organiser
 * (the Milan CPO) and its keys; an e-learning event; the SCORM 2004 fixture package
 * (test/support/scorm.ts: LEZIONE-1, LEZIONE-2, VERIFICA) as the raw zip; the course declaration;
 * the members (seeded straight into `members`) enrolled 1,000 at a time; one launch token per
 * member (`POST /v1/events/{id}/enrolments/{memberId}/launch`).
 *
 * Commit bodies are scorm-again's own (test/support/scorm-again.ts): for each SCO one session of
 * `--session` commits recorded from the real `Scorm2004API`, the last one its Terminate beacon
 * (`text/plain;charset=UTF-8`), the others its XHR (`application/json;charset=UTF-8`); with a
 * growing `session_time`, `location`, `progress_measure` and `suspend_data` in the lessons, and
 * three more test interactions per commit (score and `passed` at the end) in VERIFICA; about
 * 0.9–3 KB. Each learner's own id and name replace the recorded ones.
 *
 * A learner, as the reference player (src/pages/assets/scorm-player.js) drives scorm-again:
 *   launch   POST /lms/launch/{token}?sco=X       → 201 {session, commitUrl, ...} (no key)
 *   commit   POST commitUrl (…?sco=X&session=…)    every `--interval` s, XHR JSON
 *   finish   POST commitUrl                         the session's last commit, as the beacon,
 *            then at once the launch of the next SCO
 * so every tick is exactly one commit and one tick in `--session` also has a launch. Learner i
 * starts at SCO i mod 3, i mod `--session` commits into its first session, so that beacons and
 * launches are spread evenly over every interval and over any run of consecutive learners.
 *
 * Phases, in this order:
 *   1. sustained: `--learners` learners, open loop: tick g of the whole population is sent at
 *      t0 + g·interval/learners (arrivals staggered evenly over the interval; learner g mod N),
 *      whatever the server does; latency from the scheduled time (no coordinated omission). A
 *      commit whose learner's previous request is still unanswered is sent anyway and counted as
 *      overlapping; a commit whose session's launch has not been answered waits for it (counted,
 *      and the wait is in its latency). `--warmup` s (the first launches) then `--duration` s
 *      measured; requests scheduled in the window are reported.
 *   2. the same with `--scale` × learners (`--scale-duration` s measured), the first learners
 *      carrying on where they were, the others launching first;
 *   3. saturation: for each `--saturation` level, that many learners' requests in flight, closed
 *      loop (each loop takes the next learner and does its next tick, no think time), 3 s of
 *      warm-up then `--saturation-duration` s measured: the most commits/s the system serves
 *      with the same request mix, while the worker derives. headroom = max ÷ offered.
 * After each phase the bench waits until every enrolment's outcome has read its learner's last
 * acknowledged commit (`elearning_outcomes.commits_high_water` ≥ the commit id the gateway
 * answered): the catch-up time.
 *
 * Derivation is watched throughout: BullMQ's events of queue `scorm` (derivations completed per
 * second, requests deduplicated into a pending job, failures); the last 1,000 completed jobs of each
 * phase (worker time per derivation, and the wait beyond the delay); and `elearning_outcomes`
 * polled every second, so that for every acknowledged commit "answered → an outcome derived from
 * it" (`derived_at`, the worker's clock when it read the commits) is known. That lag includes
 * SCORM_DERIVE_DELAY_MS by design.
 *
 * CPU over each measured window, from /proc: the gateway, the worker, Postgres (every Postgres
 * process; the backends of the gateway and of the worker apart, by `application_name`, including
 * those their pools close during the window, whose CPU is read every second), Redis, this process
 * and the rest; the whole machine from /proc/stat (what no column accounts for is "unattributed");
 * the Postgres connections the two pools opened; the load average at the window's start and end.
 *
 * Last, with the system idle, `deriveEnrolment` (src/services/elearning/derive.ts) and `loadEnrolmentFacts`
 * timed in this process on enrolments seeded with `--probe` commits of history each (launches and
 * commits inserted as the bench's sessions would have left them): the cost of one derivation as a
 * learner's history grows, the full re-read (`{ full: true }`) beside the incremental derivation
 * after one new commit (a copy of the enrolment's last one, received now). `BENCH_TRACE=1` logs the
 * median time of each statement of the incremental derivation in the probe. `--history=K` gives every
 * load learner K such commits before the phases (then VACUUM ANALYZE, as autovacuum would leave
 * them; 240 commits × 2,000 learners take about a minute to seed).
 *
 * Checks (no timing assertions): every acknowledged commit id is stored, the commits stored for
 * the learners are at least those acknowledged and at most those sent, the launches likewise, and
 * at the end every enrolment's outcome covers its last commit.
 *
 * Markdown tables (the shape of bench/RESULTS.md) go to stdout, the raw figures to bench/out/.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { Pool } from 'undici';
import { loadConfig } from '../src/config.ts';
import { SCORM_QUEUE } from '../src/queue/scorm.ts';
import { workerConnection } from '../src/queue/redis.ts';
import type { Db } from '../src/store/db.ts';
import { loadEnrolmentFacts } from '../src/store/elearning-outcomes.ts';
import { deriveEnrolment } from '../src/services/elearning/derive.ts';
import { pastWebinar, romeAfternoon } from '../test/support/fixtures.ts';
import { scormFixtureZip } from '../test/support/scorm.ts';
import { recordCommits } from '../test/support/scorm-again.ts';
import { api as apiClient, createOrganiser, expectStatus, type Api, type Organiser } from './lib/api.ts';
import { seedMembers, type SeededMember } from './lib/attendance-data.ts';
import { BENCH_DATABASE_URL, createBenchEnv, parseFlags } from './lib/env.ts';
import { cpuBetween, describeMachine, snapshotCpu, type CpuShare, type CpuSnapshot, type Machine } from './lib/machine.ts';
import { latencyOf, type Latency } from './lib/measure.ts';
import { codeUnderTest, GATEWAY_ROOT, procCpuSeconds, ROOT, runMain, startService, type Service } from './lib/process.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const APP_NAME = 'bench-scorm';
const UA = 'Mozilla/5.0 (X11; Linux x86_64) bench-scorm';
/** The fixture's SCOs, in course order. */
const SCOS = ['LEZIONE-1', 'LEZIONE-2', 'VERIFICA'] as const;
const TEST_SCO = 'VERIFICA';
const SATURATION_WARMUP_MS = 3000;

// -------------------------------------------------------------------------------------------------
// Options
// -------------------------------------------------------------------------------------------------

interface Options {
  learners: number;
  /** Seconds between a learner's commits (scorm-again `autocommitSeconds`). */
  intervalS: number;
  /** Commits per SCO session, the last one the Terminate beacon; then the next SCO is launched. */
  session: number;
  warmupS: number;
  durationS: number;
  /** Learners of the second open-loop phase, × `learners` (1: no such phase). */
  scale: number;
  scaleDurationS: number;
  /** Closed-loop levels (requests in flight); empty: no saturation phase. */
  saturation: number[];
  saturationDurationS: number;
  /** Commits of history seeded for every load learner before the phases. */
  history: number;
  /** History sizes of the in-process derivation probe; empty: no probe. */
  probe: number[];
  probeSamples: number;
  /** Seconds per row of the sustained phase's latency-over-time table (at most the phase). */
  bucketS: number;
  connections: number;
  timeoutMs: number;
  /** SCORM_DERIVE_DELAY_MS for the processes under test; null: the product's default. */
  deriveDelayMs: number | null;
  /** SCORM_DERIVATION for the worker: `incremental` (the product's default) or `full` (every commit re-read, the path before issue 16). */
  derivation: 'incremental' | 'full';
  quick: boolean;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const flags = parseFlags(argv);
  const get = (name: string) => flags.get(name) ?? process.env[`BENCH_S_${name.toUpperCase().replace(/-/g, '_')}`];
  const quick = flags.has('quick') || process.env.BENCH_S_QUICK === '1';
  const num = (name: string, dflt: number, quickDflt: number) => Number(get(name) ?? (quick ? quickDflt : dflt));
  const nums = (name: string, dflt: string, quickDflt: string) =>
    (get(name) ?? (quick ? quickDflt : dflt))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number);
  const delay = get('derive-delay');
  const o: Options = {
    learners: num('learners', 2000, 200),
    intervalS: num('interval', 30, 10),
    session: num('session', 4, 4),
    warmupS: num('warmup', 40, 12),
    durationS: num('duration', 180, 15),
    scale: num('scale', 2, 2),
    scaleDurationS: num('scale-duration', 90, 10),
    saturation: nums('saturation', '20,50', '20'),
    saturationDurationS: num('saturation-duration', 20, 8),
    history: num('history', 0, 0),
    probe: nums('probe', '8,120,480,960', '8,120'),
    probeSamples: num('probe-samples', 30, 10),
    bucketS: num('bucket', 30, 30),
    connections: num('connections', 64, 64),
    timeoutMs: num('timeout', 10_000, 10_000),
    deriveDelayMs: delay === undefined ? null : Number(delay),
    derivation: (get('derivation') ?? 'incremental') as Options['derivation'],
    quick,
    keep: flags.has('keep') || process.env.BENCH_KEEP === '1',
  };
  for (const n of [o.learners, o.intervalS, o.session, o.durationS, o.scale, o.connections, o.timeoutMs, o.probeSamples, o.bucketS, ...o.saturation]) {
    if (!Number.isFinite(n) || n <= 0) throw new Error(`bad number in options: ${JSON.stringify(o)}`);
  }
  for (const n of [o.warmupS, o.history, o.scaleDurationS, o.saturationDurationS, ...o.probe])
    if (!Number.isFinite(n) || n < 0) throw new Error(`bad number in options: ${JSON.stringify(o)}`);
  if (!Number.isInteger(o.scale)) throw new Error('--scale: a whole number (1: no second phase)');
  if (o.session < 2) throw new Error('--session: at least 2 (one XHR commit and the beacon)');
  if (o.deriveDelayMs !== null && !(o.deriveDelayMs >= 0)) throw new Error('--derive-delay: milliseconds ≥ 0');
  if (o.derivation !== 'incremental' && o.derivation !== 'full') throw new Error('--derivation: incremental or full');
  if (o.warmupS < o.intervalS)
    console.warn(`[bench] warning: --warmup (${o.warmupS} s) shorter than --interval (${o.intervalS} s): first launches fall in the measured window`);
  return o;
}

// -------------------------------------------------------------------------------------------------
// Commit bodies, recorded from scorm-again
// -------------------------------------------------------------------------------------------------

/** One recorded commit body, split around the learner's id and name (substituted per learner). */
interface Template {
  sco: string;
  /** 1-based index in the session; `session` is the Terminate beacon. */
  j: number;
  kind: 'commit' | 'beacon';
  contentType: string;
  body: string;
}

/** A deterministic, incompressible-looking suspend_data of `n` characters (as authoring tools write). */
function suspendData(sco: string, n: number): string {
  let out = '';
  let h = crypto.createHash('sha256').update(sco).digest();
  while (out.length < n) {
    out += h.toString('base64').replace(/[+/=]/g, '');
    h = crypto.createHash('sha256').update(h).digest();
  }
  return out.slice(0, n);
}

async function recordTemplates(session: number): Promise<Template[]> {
  const out: Template[] = [];
  for (const sco of SCOS) {
    const sent = await recordCommits('2004', `http://bench.invalid/lms/commit/T?sco=${sco}&session=S`, (api) => {
      api.init();
      let q = 0;
      for (let j = 1; j <= session; j++) {
        api.set('cmi.session_time', `PT${j * 30}S`);
        if (sco === TEST_SCO) {
          for (let k = 0; k < 3; k++, q++) {
            api.set(`cmi.interactions.${q}.id`, `domanda-${q + 1}`);
            api.set(`cmi.interactions.${q}.type`, 'choice');
            api.set(`cmi.interactions.${q}.timestamp`, '2026-11-20T10:00:00');
            api.set(`cmi.interactions.${q}.learner_response`, ['a', 'b', 'c', 'd'][q % 4]!);
            api.set(`cmi.interactions.${q}.result`, q % 5 === 4 ? 'incorrect' : 'correct');
          }
          api.set('cmi.location', `domanda-${q}`);
          api.set('cmi.suspend_data', suspendData(sco, 120 * j));
          if (j === session) {
            api.set('cmi.score.raw', '80');
            api.set('cmi.score.min', '0');
            api.set('cmi.score.max', '100');
            api.set('cmi.score.scaled', '0.8');
            api.set('cmi.success_status', 'passed');
            api.set('cmi.completion_status', 'completed');
          } else api.set('cmi.completion_status', 'incomplete');
        } else {
          api.set('cmi.location', `pagina-${j}`);
          api.set('cmi.progress_measure', String(Math.round((j / session) * 100) / 100));
          api.set('cmi.suspend_data', suspendData(sco, 300 + 350 * (j - 1)));
          api.set('cmi.completion_status', j === session ? 'completed' : 'incomplete');
        }
        if (j === session) {
          api.set('cmi.exit', 'suspend');
          api.finish();
        } else api.commit();
      }
    });
    if (sent.length !== session) throw new Error(`scorm-again sent ${sent.length} commits for ${sco}, expected ${session}`);
    sent.forEach((s, i) => out.push({ sco, j: i + 1, kind: s.kind === 'beacon' ? 'beacon' : 'commit', contentType: s.contentType, body: s.body }));
  }
  for (const t of out) {
    if (!t.body.includes('"learner_id":"u1"') || !t.body.includes('"learner_name":"Rossi, Mario"'))
      throw new Error('scorm-again body without the recorded learner');
  }
  return out;
}

const templateOf = (templates: readonly Template[], sco: string, j: number) => templates.find((t) => t.sco === sco && t.j === j)!;
const bodyFor = (t: Template, m: SeededMember) =>
  t.body.replace('"learner_id":"u1"', `"learner_id":"${m.id}"`).replace('"learner_name":"Rossi, Mario"', `"learner_name":"${m.surname}, ${m.given_name}"`);

// -------------------------------------------------------------------------------------------------
// Set-up through the API
// -------------------------------------------------------------------------------------------------

interface Course {
  eventId: string;
  org: Organiser;
}

async function createCourse(a: Api, origin: string, org: Organiser): Promise<Course> {
  const res = await a.call('POST', '/v1/events', {
    key: org.organiser,
    body: pastWebinar(romeAfternoon(2), 2, { mode: 'e-learning', title: 'Contratti di lavoro (bench SCORM)' }),
  });
  expectStatus(res, 201, 'create e-learning event');
  const eventId = res.body.id as string;
  // The package as the raw body (the bench's `Api` sends strings; a zip is bytes).
  const upload = await fetch(`${origin}/v1/events/${eventId}/scorm-package`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.organiser}`, 'content-type': 'application/zip' },
    body: new Uint8Array(scormFixtureZip('scorm2004')),
  });
  expectStatus({ status: upload.status, text: await upload.text() }, 201, 'upload SCORM package');
  const decl = await a.call('PUT', `/v1/events/${eventId}/elearning`, {
    key: org.organiser,
    body: {
      nominalMinutes: 120,
      masteryScore: 75,
      modules: [
        { sco: 'LEZIONE-1', minutes: 50 },
        { sco: 'LEZIONE-2', minutes: 50 },
        { sco: 'VERIFICA', minutes: 20 },
      ],
      finalTest: { bankQuestions: 30, questionsPerAttempt: 10, randomDraw: true, retryDifferentQuestions: true },
      accessWindowMonths: 12,
    },
  });
  expectStatus(decl, 200, 'declare the course');
  return { eventId, org };
}

/** A learner: the member, the enrolment, the launch URL, and where it is in the course. */
interface Learner {
  i: number;
  member: SeededMember;
  enrolmentId: string;
  /** Path of `POST /lms/launch/{token}` on the gateway. */
  launchPath: string;
  /** Index of the SCO of the current (or next) session. */
  sco: number;
  /** Commits sent in the current session (0 ≤ j < session). */
  j: number;
  /** The launch of the current session: its commit path once answered, null when it failed. */
  launch: LaunchRef | null;
  /** Requests of this learner sent and not yet answered. */
  outstanding: number;
}

interface LaunchRef {
  done: boolean;
  p: Promise<string | null>;
}

async function enrolAndLaunch(a: Api, course: Course, members: readonly SeededMember[], session: number, log: (s: string) => void): Promise<Learner[]> {
  const enrolled = new Map<string, string>();
  for (let k = 0; k < members.length; k += 1000) {
    const res = await a.call('POST', `/v1/events/${course.eventId}/enrolments`, {
      key: course.org.organiser,
      body: { memberIds: members.slice(k, k + 1000).map((m) => m.id) },
    });
    expectStatus(res, 200, 'enrol members');
    for (const e of res.body.enrolments as Array<{ memberId: string; enrolmentId: string }>) enrolled.set(e.memberId, e.enrolmentId);
  }
  const learners: Learner[] = new Array(members.length);
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < members.length) {
        const i = next++;
        const m = members[i]!;
        const res = await a.call('POST', `/v1/events/${course.eventId}/enrolments/${m.id}/launch`, { key: course.org.organiser });
        expectStatus(res, 200, 'launch token');
        learners[i] = {
          i,
          member: m,
          enrolmentId: enrolled.get(m.id)!,
          launchPath: new URL(res.body.launchUrl as string).pathname,
          sco: i % SCOS.length,
          // Learners arrive at different points of their first session, so that launches and
          // beacons are spread evenly over the ticks (and over any run of consecutive learners).
          j: i % session,
          launch: null,
          outstanding: 0,
        };
      }
    }),
  );
  log(`enrolled ${members.length} members and issued their launch tokens in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return learners;
}

/**
 * Seeds `k` commits of history for each enrolment, as sessions of `session` commits of the
 * templates in course order (launch rows included), the last one `k`·30 s before now.
 */
async function seedHistory(db: Db, learners: readonly Learner[], k: number, session: number, templates: readonly Template[]): Promise<void> {
  if (k <= 0 || learners.length === 0) return;
  const CHUNK = Math.max(1, Math.floor(200_000 / k));
  const tplSco = templates.map((t) => t.sco);
  const tplJ = templates.map((t) => t.j);
  const tplType = templates.map((t) => t.contentType);
  const tplBody = templates.map((t) => t.body);
  for (let a = 0; a < learners.length; a += CHUNK) {
    const part = learners.slice(a, a + CHUNK);
    const params = [
      part.map((l) => l.enrolmentId),
      part.map((l) => l.i % SCOS.length),
      part.map((l) => l.member.id),
      part.map((l) => `${l.member.surname}, ${l.member.given_name}`),
      k,
      session,
      [...SCOS],
      tplSco,
      tplJ,
      tplType,
      tplBody,
    ];
    // g = 0 … k-1: session s = g / session, commit j = g % session + 1, SCO (start + s) mod 3.
    const gen = `
      SELECT e.id AS enrolment_id, e.mid, e.mname, g, g / $6::int AS s, g % $6::int + 1 AS j,
             ($7::text[])[(e.start + g / $6::int) % array_length($7::text[], 1) + 1] AS sco,
             now() - (($5::int - g) * interval '30 seconds') AS at
        FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[]) AS e(id, start, mid, mname), generate_series(0, $5::int - 1) AS g`;
    const tpl = `SELECT * FROM unnest($8::text[], $9::int[], $10::text[], $11::text[]) AS t(sco, j, ct, body)`;
    await db.query(
      `INSERT INTO scorm_launches (session_id, enrolment_id, sco_identifier, launched_at, client_addr, user_agent, resume)
       SELECT 'hist:' || x.enrolment_id || ':' || x.s, x.enrolment_id, x.sco, x.at - interval '30 seconds', '127.0.0.1', $8, '{}'::jsonb
         FROM (${gen}) x WHERE x.j = 1`,
      [...params.slice(0, 7), UA],
    );
    await db.query(
      `INSERT INTO scorm_commits (enrolment_id, sco_identifier, session_id, received_at, client_addr, user_agent, content_type, body, parsed, valid, errors)
       SELECT x.enrolment_id, x.sco, 'hist:' || x.enrolment_id || ':' || x.s, x.at, '127.0.0.1', $12, t.ct, convert_to(b.body, 'UTF8'), b.body::jsonb, true, '[]'::jsonb
         FROM (${gen}) x JOIN (${tpl}) t ON t.sco = x.sco AND t.j = x.j
         CROSS JOIN LATERAL (SELECT replace(replace(t.body, '"learner_id":"u1"', '"learner_id":"' || x.mid || '"'), '"learner_name":"Rossi, Mario"', '"learner_name":"' || x.mname || '"') AS body) b`,
      [...params, UA],
    );
  }
  // As autovacuum would have left them: no insert-triggered vacuum of the seeded rows during the phases.
  await db.query('VACUUM (ANALYZE) scorm_commits, scorm_launches');
}

// -------------------------------------------------------------------------------------------------
// Derivation watch: BullMQ events, and outcomes polled against the acknowledged commits
// -------------------------------------------------------------------------------------------------

class DerivationWatch {
  /** Acknowledged commits not yet covered by an outcome, per learner, in id order. */
  private pending = new Map<number, Array<{ id: number; at: number; phase: string; measured: boolean }>>();
  private pendingCount = new Map<string, number>();
  /** "answered → derived" per phase, ms (commits scheduled in the measured window). */
  readonly lags = new Map<string, number[]>();
  /** Latest `derived_at` that covered a commit of the phase (epoch ms). */
  readonly lastCover = new Map<string, number>();
  /** Latest answer time of an acknowledged commit of the phase (epoch ms). */
  readonly lastAnswer = new Map<string, number>();
  /** Completion times (epoch ms) of derivation jobs; failures and deduplications. */
  readonly completed: number[] = [];
  failed = 0;
  readonly deduplicated: number[] = [];
  private since = Date.now() - 60_000;
  private stopped = false;
  private periodMs = 1000;
  private loop: Promise<void> | null = null;
  private events: QueueEvents;
  private eventsRedis: Redis;
  private queueRedis: Redis;
  readonly queue: Queue;

  /**
   * Postgres backends of the processes under test seen by the poll, `pid:start` → role, start and
   * the CPU seconds they had used when last seen (epoch ms): the pools close idle connections,
   * and the CPU of a backend that exits is known only from the last look at it.
   */
  readonly backends = new Map<string, Backend>();

  constructor(
    private db: Db,
    private byEnrolment: Map<string, number>,
    redisUrl: string,
    prefix: string,
    private envId: string,
  ) {
    this.eventsRedis = workerConnection(redisUrl);
    this.queueRedis = workerConnection(redisUrl);
    this.events = new QueueEvents(SCORM_QUEUE, { connection: this.eventsRedis, prefix });
    this.events.on('completed', ({ returnvalue }) => {
      let r: unknown = returnvalue;
      if (typeof r === 'string') {
        try {
          r = JSON.parse(r);
        } catch {
          r = null;
        }
      }
      // One time per enrolment derived: a derive-pending job derives every due enrolment (issue 16).
      if (r && typeof r === 'object' && 'enrolments' in r) {
        const at = Date.now();
        for (let i = 0; i < Number((r as { enrolments: unknown }).enrolments); i++) this.completed.push(at);
      }
    });
    this.events.on('failed', () => this.failed++);
    this.events.on('deduplicated', () => this.deduplicated.push(Date.now()));
    this.events.on('error', () => {});
    this.queue = new Queue(SCORM_QUEUE, { connection: this.queueRedis, prefix });
    this.queue.on('error', () => {});
  }

  async start() {
    await this.events.waitUntilReady();
    this.loop = (async () => {
      while (!this.stopped) {
        await this.poll().catch((err) => console.error(`[bench] outcome poll failed: ${String(err)}`));
        await new Promise((r) => setTimeout(r, this.periodMs));
      }
    })();
  }

  setPeriod(ms: number) {
    this.periodMs = ms;
  }

  acked(learner: number, id: number, at: number, phase: string, measured: boolean) {
    let list = this.pending.get(learner);
    if (!list) this.pending.set(learner, (list = []));
    let k = list.length;
    while (k > 0 && list[k - 1]!.id > id) k--;
    list.splice(k, 0, { id, at, phase, measured });
    this.pendingCount.set(phase, (this.pendingCount.get(phase) ?? 0) + 1);
    this.lastAnswer.set(phase, Math.max(this.lastAnswer.get(phase) ?? 0, at));
  }

  pendingOf(phase: string): number {
    return this.pendingCount.get(phase) ?? 0;
  }

  async poll() {
    const { rows } = await this.db.query<{ enrolment_id: string; hw: number; at: number }>(
      `SELECT enrolment_id, commits_high_water AS hw, extract(epoch FROM derived_at) * 1000 AS at FROM elearning_outcomes WHERE derived_at >= to_timestamp($1::float8 / 1000)`,
      [this.since],
    );
    let maxAt = 0;
    for (const r of rows) {
      const at = Number(r.at);
      maxAt = Math.max(maxAt, at);
      const idx = this.byEnrolment.get(r.enrolment_id);
      if (idx === undefined) continue;
      const list = this.pending.get(idx);
      while (list?.length && list[0]!.id <= Number(r.hw)) {
        const c = list.shift()!;
        if (c.measured) {
          let lags = this.lags.get(c.phase);
          if (!lags) this.lags.set(c.phase, (lags = []));
          lags.push(Math.max(0, at - c.at));
        }
        this.lastCover.set(c.phase, Math.max(this.lastCover.get(c.phase) ?? 0, at));
        this.pendingCount.set(c.phase, (this.pendingCount.get(c.phase) ?? 1) - 1);
      }
    }
    // A derivation's derived_at is taken before its COMMIT: look back well beyond any transaction.
    if (maxAt) this.since = Math.max(this.since, maxAt - 30_000);
    await this.refreshBackends();
  }

  /** Connections of the gateway's and the worker's pools (pg closes a connection idle for 10 s), and their CPU so far. */
  async refreshBackends() {
    const { rows } = await this.db.query<{ pid: number; app: string; started: number }>(
      `SELECT pid, application_name AS app, extract(epoch FROM backend_start) * 1000 AS started FROM pg_stat_activity WHERE application_name LIKE $1`,
      [`${APP_NAME}-%-${this.envId}`],
    );
    const now = Date.now();
    for (const r of rows) {
      const key = `${r.pid}:${r.started}`;
      let b = this.backends.get(key);
      if (!b)
        this.backends.set(
          key,
          (b = { pid: r.pid, role: r.app.startsWith(`${APP_NAME}-worker`) ? 'worker' : 'gateway', started: Number(r.started), lastCpu: 0, lastSeen: 0 }),
        );
      b.lastCpu = procCpuSeconds(r.pid);
      b.lastSeen = now;
    }
  }

  /** Postgres connections the gateway and the worker opened in [from, to] (epoch ms), as seen by the poll. */
  backendsStarted(from: number, to: number): { gateway: number; worker: number } {
    const n = { gateway: 0, worker: 0 };
    for (const b of this.backends.values()) if (b.started >= from && b.started <= to) n[b.role]++;
    return n;
  }

  /** Waits until every acknowledged commit of `phase` is covered; ms from its last answer to the last covering derivation. */
  async catchUp(phase: string, timeoutMs = 300_000): Promise<{ catchUpMs: number | null; pendingAtEnd: number }> {
    const pendingAtEnd = this.pendingOf(phase);
    this.setPeriod(250);
    const t = Date.now();
    while (this.pendingOf(phase) > 0 && Date.now() - t < timeoutMs) await new Promise((r) => setTimeout(r, 100));
    this.setPeriod(1000);
    if (this.pendingOf(phase) > 0) return { catchUpMs: null, pendingAtEnd };
    const last = this.lastAnswer.get(phase);
    const cover = this.lastCover.get(phase);
    return { catchUpMs: last && cover ? Math.max(0, cover - last) : null, pendingAtEnd };
  }

  /** Worker time, enrolments derived and wait beyond the delay of the derivation jobs finished in [from, to] (the last 1,000 kept by BullMQ). */
  async jobTimes(from: number, to: number, delayMs: number): Promise<{ n: number; runMs: Latency; enrolments: Latency; waitBeyondDelayMs: Latency }> {
    const jobs = await this.queue.getJobs(['completed'], 0, 999, false);
    const mine = jobs.filter((j) => j && j.name === 'derive-pending' && j.finishedOn && j.processedOn && j.finishedOn >= from && j.finishedOn <= to);
    return {
      n: mine.length,
      enrolments: latencyOf(
        mine.map((j) => Number(j.returnvalue?.enrolments ?? 0)),
        1,
      ),
      runMs: latencyOf(
        mine.map((j) => j.finishedOn! - j.processedOn!),
        1,
      ),
      waitBeyondDelayMs: latencyOf(
        mine.map((j) => Math.max(0, j.processedOn! - j.timestamp - delayMs)),
        1,
      ),
    };
  }

  countIn(list: readonly number[], from: number, to: number): number {
    let n = 0;
    for (const t of list) if (t >= from && t <= to) n++;
    return n;
  }

  async stop() {
    this.stopped = true;
    await this.loop;
    await this.events.close().catch(() => {});
    await this.queue.close().catch(() => {});
    this.eventsRedis.disconnect();
    this.queueRedis.disconnect();
  }
}

// -------------------------------------------------------------------------------------------------
// The learners' requests
// -------------------------------------------------------------------------------------------------

type Kind = 'launch' | 'commit' | 'beacon';
const KINDS: Kind[] = ['launch', 'commit', 'beacon'];

/** What one phase records. Times: `performance.now()` for latency, `Date.now()` for the derivation watch. */
class Recorder {
  readonly lat: Record<Kind, number[]> = { launch: [], commit: [], beacon: [] };
  readonly okInWindow: Record<Kind, number> = { launch: 0, commit: 0, beacon: 0 };
  readonly errors: Record<string, number> = {};
  readonly sendLag: number[] = [];
  /** Per bucket of the window (by scheduled time): commit latencies. */
  readonly buckets: number[][];
  overlapping = 0;
  waitedForLaunch = 0;
  /** Over the whole phase, for the store check: sent, acknowledged, unanswered (network error or timeout). */
  readonly totals = { commitsSent: 0, commitsAcked: 0, commitsLost: 0, launchesSent: 0, launchesAcked: 0, launchesLost: 0 };
  readonly ackedIds: number[] = [];
  readonly bytes: number[] = [];

  constructor(
    readonly phase: string,
    readonly windowStart: number,
    readonly windowEnd: number,
    readonly bucketMs: number,
  ) {
    this.buckets = Array.from({ length: Math.max(1, Math.ceil((windowEnd - windowStart) / bucketMs)) }, () => []);
  }

  inWindow(t: number) {
    return t >= this.windowStart && t < this.windowEnd;
  }

  err(code: string) {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }

  done(kind: Kind, scheduled: number, end: number, status: number, code?: string) {
    const ok = status >= 200 && status < 300 && !code;
    if (this.inWindow(scheduled)) {
      this.lat[kind].push(end - scheduled);
      if (kind !== 'launch') this.buckets[Math.min(this.buckets.length - 1, Math.floor((scheduled - this.windowStart) / this.bucketMs))]!.push(end - scheduled);
      if (!ok) this.err(`${kind} ${code ?? `http-${status}`}`);
    }
    if (ok && this.inWindow(end)) this.okInWindow[kind]++;
  }
}

interface Ctx {
  pool: Pool;
  opts: Options;
  templates: Template[];
  watch: DerivationWatch;
  /** Every phase's recorder, for the store check. */
  recorders: Recorder[];
}

function launch(ctx: Ctx, rec: Recorder, L: Learner, scheduled: number): LaunchRef {
  const sco = SCOS[L.sco]!;
  const ref: LaunchRef = { done: false, p: Promise.resolve(null) };
  rec.totals.launchesSent++;
  L.outstanding++;
  ref.p = ctx.pool
    .request({ method: 'POST', path: `${L.launchPath}?sco=${encodeURIComponent(sco)}`, headers: { 'user-agent': UA } })
    .then(async (res) => {
      const text = await res.body.text();
      const end = performance.now();
      if (res.statusCode !== 201) {
        rec.totals.launchesAcked++;
        rec.done('launch', scheduled, end, res.statusCode);
        return null;
      }
      const b = JSON.parse(text) as { commitUrl?: string; session?: string };
      if (!b.commitUrl || !b.session) {
        rec.done('launch', scheduled, end, res.statusCode, 'bad-answer');
        return null;
      }
      rec.totals.launchesAcked++;
      rec.done('launch', scheduled, end, res.statusCode);
      const u = new URL(b.commitUrl);
      return u.pathname + u.search;
    })
    .catch((e: Error & { code?: string }) => {
      rec.totals.launchesLost++;
      rec.done('launch', scheduled, performance.now(), 0, /timeout/i.test(`${e.code ?? ''} ${e.message}`) ? 'timeout' : (e.code ?? 'network'));
      return null;
    })
    .finally(() => {
      ref.done = true;
      L.outstanding--;
    });
  return ref;
}

async function commit(ctx: Ctx, rec: Recorder, L: Learner, scheduled: number, sco: string, j: number, session: LaunchRef): Promise<void> {
  const measured = rec.inWindow(scheduled);
  if (measured && L.outstanding > 0) rec.overlapping++;
  L.outstanding++;
  const t = templateOf(ctx.templates, sco, j);
  try {
    if (!session.done && measured) rec.waitedForLaunch++;
    const commitPath = await session.p;
    if (!commitPath) {
      // The session's launch failed: a real player has no runtime, so nothing is sent.
      if (measured) rec.err(`${t.kind} no-session (launch failed)`);
      return;
    }
    const body = bodyFor(t, L.member);
    if (measured) rec.bytes.push(Buffer.byteLength(body));
    rec.totals.commitsSent++;
    try {
      const res = await ctx.pool.request({ method: 'POST', path: commitPath, headers: { 'content-type': t.contentType, 'user-agent': UA }, body });
      const text = await res.body.text();
      const end = performance.now();
      rec.totals.commitsAcked += res.statusCode >= 200 && res.statusCode < 300 ? 1 : 0;
      if (res.statusCode === 200) {
        let id: number | undefined;
        try {
          const b = JSON.parse(text) as { result?: boolean; commitId?: number };
          if (b.result === true && typeof b.commitId === 'number') id = b.commitId;
        } catch {
          // below
        }
        if (id === undefined) return rec.done(t.kind, scheduled, end, 200, 'bad-answer');
        rec.ackedIds.push(id);
        ctx.watch.acked(L.i, id, Date.now(), rec.phase, measured);
        rec.done(t.kind, scheduled, end, 200);
      } else rec.done(t.kind, scheduled, end, res.statusCode);
    } catch (e) {
      const err = e as Error & { code?: string };
      rec.totals.commitsLost++;
      rec.done(t.kind, scheduled, performance.now(), 0, /timeout/i.test(`${err.code ?? ''} ${err.message}`) ? 'timeout' : (err.code ?? 'network'));
    }
  } finally {
    L.outstanding--;
  }
}

/**
 * One tick of learner L scheduled at `scheduled`: the first ever is the launch of its first SCO;
 * every other is a commit, the session's last one the beacon followed at once by the next launch.
 * Returns the requests' promise (open loop ignores it, closed loop awaits it).
 */
function tick(ctx: Ctx, rec: Recorder, L: Learner, scheduled: number, sequential: boolean): Promise<void> {
  if (!L.launch) {
    L.launch = launch(ctx, rec, L, scheduled);
    return L.launch.p.then(() => {});
  }
  const S = ctx.opts.session;
  const j = L.j + 1;
  const sco = SCOS[L.sco]!;
  const session = L.launch;
  L.j = j % S;
  if (j < S) return commit(ctx, rec, L, scheduled, sco, j, session);
  L.sco = (L.sco + 1) % SCOS.length;
  if (sequential) {
    // Closed loop: the beacon, then the launch, one after the other.
    return commit(ctx, rec, L, scheduled, sco, j, session).then(() => {
      L.launch = launch(ctx, rec, L, performance.now());
      return L.launch.p.then(() => {});
    });
  }
  const p = commit(ctx, rec, L, scheduled, sco, j, session);
  L.launch = launch(ctx, rec, L, scheduled);
  return Promise.all([p, L.launch.p]).then(() => {});
}

interface PhaseCpu {
  shares: CpuShare;
  others: string[];
  seconds: number;
  loadAverage: { start: number[]; end: number[] };
}

interface Backend {
  pid: number;
  role: 'gateway' | 'worker';
  /** backend_start, epoch ms. */
  started: number;
  /** CPU seconds when last seen, and when (epoch ms). */
  lastCpu: number;
  lastSeen: number;
}

/** Busy and total jiffies of the whole machine (/proc/stat): CPU of processes that exited in between counts too. */
function machineJiffies(): { busy: number; total: number } | null {
  try {
    // user nice system idle iowait irq softirq steal: busy without steal (time the hypervisor gave to others).
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - f[3]! - f[4]! - f[7]!, total };
  } catch {
    return null;
  }
}

class CpuWindow {
  private before: CpuSnapshot | null = null;
  private jiffies: { busy: number; total: number } | null = null;
  private loadStart: number[] = [];
  constructor(
    private watch: DerivationWatch,
    private pids: Record<string, number>,
  ) {}
  async start() {
    await this.watch.refreshBackends();
    this.before = snapshotCpu();
    this.jiffies = machineJiffies();
    this.loadStart = loadAvg();
  }
  async end(): Promise<PhaseCpu> {
    const after = snapshotCpu();
    const jiffies = machineJiffies();
    const loadEnd = loadAvg();
    const before = this.before!;
    const { shares, others } = cpuBetween(before, after, { ...this.pids, generator: process.pid });
    await this.watch.refreshBackends();
    const secs = (after.at - before.at) / 1000;
    // The gateway's and the worker's backends, those that exited during the window included (cpuBetween
    // counts processes alive at the end only): up to the last look at them, within a second of their end.
    const cpu = { gateway: 0, worker: 0 };
    let exited = 0;
    for (const b of this.watch.backends.values()) {
      const alive = after.procs.has(b.pid) && b.lastSeen >= after.at - 1000;
      if (b.started > after.at || (!alive && b.lastSeen < before.at)) continue;
      const end = alive ? after.procs.get(b.pid)!.cpu : b.lastCpu;
      const start = b.started < before.at ? (before.procs.get(b.pid)?.cpu ?? 0) : 0;
      const d = Math.max(0, end - start);
      cpu[b.role] += d;
      if (!alive) exited += d;
    }
    shares['postgres-gateway'] = Math.round((cpu.gateway / secs) * 100);
    shares['postgres-worker'] = Math.round((cpu.worker / secs) * 100);
    shares['postgres-exited'] = Math.round((exited / secs) * 100);
    shares.postgres = (shares.postgres ?? 0) + shares['postgres-exited'];
    if (this.jiffies && jiffies && jiffies.total > this.jiffies.total) {
      // The whole machine (% of one core) and what no column accounts for: processes that exited, interrupts.
      const cores = os.availableParallelism?.() ?? os.cpus().length;
      shares.machine = Math.round(((jiffies.busy - this.jiffies.busy) / (jiffies.total - this.jiffies.total)) * cores * 100);
      shares.unattributed = Math.max(
        0,
        shares.machine - ['gateway', 'worker', 'postgres', 'redis', 'generator', 'other'].reduce((a, k) => a + (shares[k] ?? 0), 0),
      );
    }
    return { shares, others, seconds: secs, loadAverage: { start: this.loadStart, end: loadEnd } };
  }
}

const loadAvg = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

export interface PhaseResult {
  name: string;
  mode: 'open' | 'closed';
  learners: number;
  /** Open loop: offered commits/s; closed loop: requests in flight. */
  offeredCommitsPerSecond: number | null;
  concurrency: number | null;
  windowSeconds: number;
  commitsPerSecond: number;
  launchesPerSecond: number;
  latencyMs: Record<Kind | 'commits', Latency>;
  errors: Record<string, number>;
  overlapping: number;
  /** Open loop: commits answered after the learner's next tick was due (latency > interval). */
  late: number;
  waitedForLaunch: number;
  sendLagMs: { p99: number; max: number } | null;
  bodyBytes: { mean: number; max: number };
  /** Per bucket of the window (by scheduled time): commits, p50, p99, max ms. */
  buckets: Array<{ fromS: number; n: number; p50: number; p99: number; max: number }>;
  cpu: PhaseCpu;
  cpuMsPerCommit: { gateway: number; worker: number; postgresGateway: number; postgresWorker: number; postgres: number };
  /** Postgres connections opened by the gateway's and the worker's pools during the window. */
  connectionsOpened: { gateway: number; worker: number };
  derivation: {
    perSecond: number;
    deduplicated: number;
    failed: number;
    lagMs: Latency;
    catchUpMs: number | null;
    pendingAtEnd: number;
    jobs: { n: number; runMs: Latency; enrolments: Latency; waitBeyondDelayMs: Latency };
  };
  totals: Recorder['totals'];
}

function summarise(
  rec: Recorder,
  mode: 'open' | 'closed',
  learners: number,
  offered: number | null,
  concurrency: number | null,
  cpu: PhaseCpu,
  windowWall: { from: number; to: number },
  watch: DerivationWatch,
  failedBefore: number,
  intervalMs: number,
): Omit<PhaseResult, 'derivation'> & { derivation: Omit<PhaseResult['derivation'], 'lagMs' | 'catchUpMs' | 'pendingAtEnd' | 'jobs'> } {
  const secs = (rec.windowEnd - rec.windowStart) / 1000;
  const commits = rec.okInWindow.commit + rec.okInWindow.beacon;
  const lat = {
    launch: latencyOf(rec.lat.launch, 1),
    commit: latencyOf(rec.lat.commit, 1),
    beacon: latencyOf(rec.lat.beacon, 1),
    commits: latencyOf([...rec.lat.commit, ...rec.lat.beacon], 1),
  };
  const perCommit = (pct: number | undefined) => (commits ? Math.round((((pct ?? 0) / 100) * cpu.seconds * 1000 * 100) / (commits || 1)) / 100 : NaN);
  const lagSorted = Float64Array.from(rec.sendLag).sort();
  const lq = (p: number) => (lagSorted.length ? Math.round(lagSorted[Math.min(lagSorted.length - 1, Math.ceil(p * lagSorted.length) - 1)]! * 10) / 10 : NaN);
  const bytes = rec.bytes;
  return {
    name: rec.phase,
    mode,
    learners,
    offeredCommitsPerSecond: offered,
    concurrency,
    windowSeconds: secs,
    commitsPerSecond: Math.round((commits / secs) * 10) / 10,
    launchesPerSecond: Math.round((rec.okInWindow.launch / secs) * 10) / 10,
    latencyMs: lat,
    errors: rec.errors,
    overlapping: rec.overlapping,
    late: mode === 'open' ? [...rec.lat.commit, ...rec.lat.beacon].filter((ms) => ms > intervalMs).length : 0,
    waitedForLaunch: rec.waitedForLaunch,
    sendLagMs: mode === 'open' ? { p99: lq(0.99), max: lagSorted.length ? Math.round(lagSorted[lagSorted.length - 1]! * 10) / 10 : NaN } : null,
    bodyBytes: { mean: bytes.length ? Math.round(bytes.reduce((s, b) => s + b, 0) / bytes.length) : NaN, max: bytes.length ? Math.max(...bytes) : NaN },
    buckets: rec.buckets.map((b, k) => {
      const l = latencyOf(b, 1);
      return { fromS: (k * rec.bucketMs) / 1000, n: l.n, p50: l.p50, p99: l.p99, max: l.max };
    }),
    cpu,
    cpuMsPerCommit: {
      gateway: perCommit(cpu.shares.gateway),
      worker: perCommit(cpu.shares.worker),
      postgresGateway: perCommit(cpu.shares['postgres-gateway']),
      postgresWorker: perCommit(cpu.shares['postgres-worker']),
      postgres: perCommit(cpu.shares.postgres),
    },
    connectionsOpened: watch.backendsStarted(windowWall.from, windowWall.to),
    derivation: {
      perSecond: Math.round((watch.countIn(watch.completed, windowWall.from, windowWall.to) / secs) * 10) / 10,
      deduplicated: watch.countIn(watch.deduplicated, windowWall.from, windowWall.to),
      failed: watch.failed - failedBefore,
    },
    totals: rec.totals,
  };
}

/** Open loop: tick g at t0 + g·interval/N, learner g mod N, whatever the server does. */
async function runOpen(
  ctx: Ctx,
  name: string,
  learners: Learner[],
  warmupMs: number,
  durationMs: number,
  cpuWin: CpuWindow,
  log: (s: string) => void,
): Promise<PhaseResult> {
  const n = learners.length;
  const intervalMs = ctx.opts.intervalS * 1000;
  const gap = intervalMs / n;
  const total = Math.ceil((warmupMs + durationMs) / gap);
  const t0 = performance.now() + 50;
  const rec = new Recorder(name, t0 + warmupMs, t0 + warmupMs + durationMs, Math.min(ctx.opts.bucketS * 1000, durationMs));
  ctx.recorders.push(rec);
  const wallOffset = Date.now() - performance.now();
  const inflight = new Set<Promise<void>>();
  const failedBefore = ctx.watch.failed;
  let cpu: Promise<PhaseCpu> | null = null;
  setTimeout(() => void cpuWin.start(), Math.max(0, rec.windowStart - performance.now()));
  const windowWall = { from: rec.windowStart + wallOffset, to: rec.windowEnd + wallOffset };
  let jobs: ReturnType<DerivationWatch['jobTimes']> | null = null;
  setTimeout(
    () => {
      cpu = cpuWin.end();
      // BullMQ keeps the last 1,000 completed jobs: read them now, before the catch-up pushes the window's out.
      jobs = ctx.watch.jobTimes(windowWall.from, windowWall.to, deriveDelay(ctx.opts));
    },
    Math.max(0, rec.windowEnd - performance.now()),
  );
  let g = 0;
  let progress = t0;
  await new Promise<void>((resolve) => {
    const step = () => {
      const now = performance.now();
      while (g < total && t0 + g * gap <= now) {
        const at = t0 + g * gap;
        if (rec.inWindow(at)) rec.sendLag.push(now - at);
        const p = tick(ctx, rec, learners[g % n]!, at, false);
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
        g++;
      }
      if (now - progress > 30_000) {
        progress = now;
        const done = rec.lat.commit.length + rec.lat.beacon.length;
        log(`  ${name}: ${((now - t0) / 1000).toFixed(0)} s, ${done} commits answered in the window so far, ${inflight.size} requests in flight`);
      }
      if (g < total) setTimeout(step, Math.max(1, Math.floor(t0 + g * gap - performance.now())));
      else resolve();
    };
    setTimeout(step, Math.max(0, t0 - performance.now()));
  });
  await Promise.race([Promise.allSettled([...inflight]), new Promise((r) => setTimeout(r, ctx.opts.timeoutMs + 5000))]);
  while (!cpu) await new Promise((r) => setTimeout(r, 50));
  const cpuRes = await (cpu as Promise<PhaseCpu>);
  const s = summarise(rec, 'open', n, n / ctx.opts.intervalS, null, cpuRes, windowWall, ctx.watch, failedBefore, intervalMs);
  return finishPhase(ctx, s, rec, jobs!, log);
}

/** Closed loop: `concurrency` loops, each doing the next learner's next tick as soon as its own is answered. */
async function runClosed(
  ctx: Ctx,
  learners: Learner[],
  concurrency: number,
  durationMs: number,
  cpuWin: CpuWindow,
  log: (s: string) => void,
): Promise<PhaseResult> {
  const t0 = performance.now();
  const rec = new Recorder(
    `saturation, ${concurrency} in flight`,
    t0 + SATURATION_WARMUP_MS,
    t0 + SATURATION_WARMUP_MS + durationMs,
    Math.min(10_000, durationMs),
  );
  ctx.recorders.push(rec);
  const wallOffset = Date.now() - performance.now();
  const failedBefore = ctx.watch.failed;
  let cpu: Promise<PhaseCpu> | null = null;
  setTimeout(() => void cpuWin.start(), Math.max(0, rec.windowStart - performance.now()));
  const windowWall = { from: rec.windowStart + wallOffset, to: rec.windowEnd + wallOffset };
  let jobs: ReturnType<DerivationWatch['jobTimes']> | null = null;
  setTimeout(
    () => {
      cpu = cpuWin.end();
      jobs = ctx.watch.jobTimes(windowWall.from, windowWall.to, deriveDelay(ctx.opts));
    },
    Math.max(0, rec.windowEnd - performance.now()),
  );
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < rec.windowEnd) {
        let L = learners[next++ % learners.length]!;
        for (let k = 0; k < learners.length && (L.outstanding > 0 || (L.launch && !L.launch.done)); k++) L = learners[next++ % learners.length]!;
        await tick(ctx, rec, L, performance.now(), true);
      }
    }),
  );
  while (!cpu) await new Promise((r) => setTimeout(r, 50));
  const cpuRes = await (cpu as Promise<PhaseCpu>);
  const s = summarise(rec, 'closed', learners.length, null, concurrency, cpuRes, windowWall, ctx.watch, failedBefore, ctx.opts.intervalS * 1000);
  return finishPhase(ctx, s, rec, jobs!, log);
}

async function finishPhase(
  ctx: Ctx,
  s: ReturnType<typeof summarise>,
  rec: Recorder,
  jobTimes: ReturnType<DerivationWatch['jobTimes']>,
  log: (s: string) => void,
): Promise<PhaseResult> {
  const jobs = await jobTimes;
  const { catchUpMs, pendingAtEnd } = await ctx.watch.catchUp(rec.phase);
  const r: PhaseResult = {
    ...s,
    derivation: { ...s.derivation, lagMs: latencyOf(ctx.watch.lags.get(rec.phase) ?? [], 0), catchUpMs, pendingAtEnd, jobs },
  };
  const l = r.latencyMs.commits;
  log(
    `${r.name}: ${r.commitsPerSecond} commits/s${r.offeredCommitsPerSecond ? ` (offered ${r.offeredCommitsPerSecond.toFixed(1)})` : ''}, ${r.launchesPerSecond} launches/s; commit p50 ${l.p50} p95 ${l.p95} p99 ${l.p99} max ${l.max} ms; launch p99 ${r.latencyMs.launch.p99} ms; errors ${JSON.stringify(r.errors)}; overlapping ${r.overlapping}; ` +
      `derivations ${r.derivation.perSecond}/s, lag p50 ${r.derivation.lagMs.p50} p99 ${r.derivation.lagMs.p99} ms, catch-up ${r.derivation.catchUpMs} ms (${pendingAtEnd} pending at the end); cpu ${JSON.stringify(r.cpu.shares)}; connections opened ${JSON.stringify(r.connectionsOpened)}; load ${r.cpu.loadAverage.start.join('/')} → ${r.cpu.loadAverage.end.join('/')}`,
  );
  if (r.cpu.others.length) log(`  other busy processes: ${r.cpu.others.join('; ')}`);
  return r;
}

function deriveDelay(o: Options): number {
  return o.deriveDelayMs ?? loadConfig({}).SCORM_DERIVE_DELAY_MS;
}

// -------------------------------------------------------------------------------------------------
// Derivation probe, in this process
// -------------------------------------------------------------------------------------------------

export interface ProbeRow {
  history: number;
  enrolments: number;
  /** The full re-read (`deriveEnrolment(…, { full: true })`: every commit, the aggregates rebuilt). */
  deriveMs: Latency;
  /** The incremental derivation after one new commit (the path a commit takes since issue 16). */
  incrementalMs: Latency;
  loadMs: Latency;
  /** One at a time, in this process: 1000 / median of the full re-read. */
  derivationsPerSecond: number;
  /** The same for the incremental derivation. */
  incrementalPerSecond: number;
}

/** One more commit of the enrolment, as its session's next autocommit would be stored: a copy of its last one, received now. */
async function appendCommit(db: Db, enrolmentId: string): Promise<void> {
  await db.query(
    `INSERT INTO scorm_commits (enrolment_id, sco_identifier, session_id, received_at, client_addr, user_agent, content_type, body, parsed, valid, errors)
     SELECT enrolment_id, sco_identifier, session_id, now(), client_addr, user_agent, content_type, body, parsed, valid, errors
       FROM scorm_commits WHERE enrolment_id = $1 ORDER BY id DESC LIMIT 1`,
    [enrolmentId],
  );
}

/** BENCH_TRACE=1: each statement's times in the probe's incremental derivations, by its first 60 characters. */
const TRACE = new Map<string, number[]>();
function traced(db: Db): Db {
  const wrap = (q: Db['query']): Db['query'] =>
    (async (text: string, params?: readonly unknown[]) => {
      const t = performance.now();
      try {
        return await q(text, params);
      } finally {
        const k = text.replace(/\s+/g, ' ').slice(0, 60);
        TRACE.set(k, [...(TRACE.get(k) ?? []), performance.now() - t]);
      }
    }) as Db['query'];
  return {
    ...db,
    query: wrap(db.query.bind(db)),
    transaction: (fn) =>
      db.transaction((tx) => {
        const t = performance.now();
        return fn({ query: wrap(tx.query.bind(tx)) }).finally(() => {
          const k = 'TX body';
          TRACE.set(k, [...(TRACE.get(k) ?? []), performance.now() - t]);
        });
      }),
  } as Db;
}

async function probe(
  db: Db,
  learners: Learner[],
  sizes: number[],
  samples: number,
  session: number,
  templates: Template[],
  log: (s: string) => void,
): Promise<ProbeRow[]> {
  const rows: ProbeRow[] = [];
  const per = 3;
  for (let k = 0; k < sizes.length; k++) {
    const group = learners.slice(k * per, (k + 1) * per);
    await seedHistory(db, group, sizes[k]!, session, templates);
    for (const L of group) await deriveEnrolment(db, L.enrolmentId, Date.now, { full: true }); // warm, and the aggregates built
    const derive: number[] = [];
    const incremental: number[] = [];
    const load: number[] = [];
    for (let s = 0; s < samples; s++) {
      const L = group[s % group.length]!;
      await appendCommit(db, L.enrolmentId);
      let t = performance.now();
      const inc = await deriveEnrolment(process.env.BENCH_TRACE ? traced(db) : db, L.enrolmentId);
      incremental.push(performance.now() - t);
      if (inc?.path !== 'incremental') throw new Error(`probe: the derivation after one commit was ${inc?.path} (${inc?.why})`);
      t = performance.now();
      await deriveEnrolment(db, L.enrolmentId, Date.now, { full: true });
      derive.push(performance.now() - t);
      t = performance.now();
      await db.transaction((tx) => loadEnrolmentFacts(tx, L.enrolmentId));
      load.push(performance.now() - t);
    }
    const d = latencyOf(derive, 2);
    const i = latencyOf(incremental, 2);
    if (process.env.BENCH_TRACE) {
      for (const [k, v] of TRACE) log(`trace ${latencyOf(v, 2).p50} ms x${v.length}: ${k}`);
      TRACE.clear();
    }
    rows.push({
      history: sizes[k]!,
      enrolments: group.length,
      deriveMs: d,
      incrementalMs: i,
      loadMs: latencyOf(load, 2),
      derivationsPerSecond: Math.round(1000 / d.p50),
      incrementalPerSecond: Math.round(1000 / i.p50),
    });
    log(
      `probe: ${sizes[k]} commits of history: full re-read median ${d.p50} ms (p95 ${d.p95}), incremental median ${i.p50} ms (p95 ${i.p95}), load median ${latencyOf(load, 2).p50} ms`,
    );
  }
  return rows;
}

// -------------------------------------------------------------------------------------------------
// Store checks
// -------------------------------------------------------------------------------------------------

export interface StoreCheck {
  ok: boolean;
  commitsAcked: number;
  commitsSent: number;
  commitsStored: number;
  ackedIdsFound: number;
  launchesAcked: number;
  launchesSent: number;
  launchesStored: number;
  enrolmentsBehind: number;
}

async function checkStore(db: Db, learners: Learner[], phases: Recorder[]): Promise<StoreCheck> {
  const ids = learners.map((l) => l.enrolmentId);
  const sum = (f: (r: Recorder) => number) => phases.reduce((s, r) => s + f(r), 0);
  const acked = phases.flatMap((r) => r.ackedIds);
  const { rows: c } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM scorm_commits WHERE enrolment_id = ANY($1::uuid[]) AND (session_id IS NULL OR session_id NOT LIKE 'hist:%')`,
    [ids],
  );
  const { rows: f } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM scorm_commits WHERE id = ANY($1::bigint[])', [acked]);
  const { rows: l } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM scorm_launches WHERE enrolment_id = ANY($1::uuid[]) AND session_id NOT LIKE 'hist:%'`,
    [ids],
  );
  const { rows: b } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT enrolment_id, max(id) AS m FROM scorm_commits WHERE enrolment_id = ANY($1::uuid[]) GROUP BY 1) c
       LEFT JOIN elearning_outcomes o USING (enrolment_id) WHERE o.commits_high_water IS NULL OR o.commits_high_water < c.m`,
    [ids],
  );
  const r: StoreCheck = {
    ok: false,
    commitsAcked: sum((x) => x.totals.commitsAcked),
    commitsSent: sum((x) => x.totals.commitsSent),
    commitsStored: c[0]!.n,
    ackedIdsFound: f[0]!.n,
    launchesAcked: sum((x) => x.totals.launchesAcked),
    launchesSent: sum((x) => x.totals.launchesSent),
    launchesStored: l[0]!.n,
    enrolmentsBehind: b[0]!.n,
  };
  r.ok =
    r.ackedIdsFound === acked.length &&
    r.commitsStored >= r.commitsAcked &&
    r.commitsStored <= r.commitsSent &&
    r.launchesStored <= r.launchesSent &&
    r.enrolmentsBehind === 0;
  return r;
}

// -------------------------------------------------------------------------------------------------
// Main
// -------------------------------------------------------------------------------------------------

export interface ScormReport {
  kind: 'scorm';
  machine: Machine;
  loadAverageAtEnd: number[];
  code: string;
  options: Options;
  deriveDelayMs: number;
  workerConcurrency: number;
  setup: { ms: number; learners: number; enrolments: number; historyCommits: number };
  templates: Array<{ sco: string; j: number; kind: string; bytes: number }>;
  phases: PhaseResult[];
  probe: ProbeRow[];
  check: StoreCheck;
}

async function main() {
  const opts = parseOptions(process.argv.slice(2));
  const log = (s: string) => console.log(`[bench] ${s}`);
  log(`scorm: ${JSON.stringify(opts)}`);
  const env = await createBenchEnv('scorm', { keep: opts.keep });
  log(`schema ${env.schema} on ${BENCH_DATABASE_URL.replace(/\/\/[^@]*@/, '//')}, Redis prefix ${env.queuePrefix}`);
  const services: Service[] = [];
  let watch: DerivationWatch | null = null;
  let pool: Pool | null = null;
  try {
    const machine = await describeMachine(env.db, env.redisUrl);
    log(`machine: ${machine.cpus} CPUs, load average ${machine.loadAverage.join(' / ')}, Node ${machine.node}, ${machine.postgres}, Redis ${machine.redis}`);
    const config = loadConfig({});
    const childEnv = (role: string) => {
      const url = new URL(env.databaseUrl);
      url.searchParams.set('application_name', `${APP_NAME}-${role}-${env.id}`);
      return {
        DATABASE_URL: url.toString(),
        REDIS_URL: env.redisUrl,
        QUEUE_PREFIX: env.queuePrefix,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        ...(opts.deriveDelayMs !== null ? { SCORM_DERIVE_DELAY_MS: String(opts.deriveDelayMs) } : {}),
        SCORM_DERIVATION: opts.derivation,
      };
    };
    const gateway = await startService('gateway', 'src/main.ts', ['gateway'], childEnv('gateway'), undefined, GATEWAY_ROOT);
    services.push(gateway);
    const worker = await startService('worker', 'src/main.ts', ['worker'], childEnv('worker'), (l) => l.msg === 'started', GATEWAY_ROOT);
    services.push(worker);
    log(`gateway pid ${gateway.pid} at ${gateway.url}, worker pid ${worker.pid}`);

    // Set-up, not measured.
    const t0 = performance.now();
    const a = apiClient(gateway.url);
    const org = await createOrganiser(env.db, a, 'MI');
    const course = await createCourse(a, gateway.url, org);
    const maxLearners = opts.learners * opts.scale;
    const probeCount = opts.probe.length * 3;
    const members = await seedMembers(env.db, maxLearners + probeCount);
    const all = await enrolAndLaunch(a, course, members, opts.session, log);
    const learners = all.slice(0, maxLearners);
    const probeLearners = all.slice(maxLearners);
    const templates = await recordTemplates(opts.session);
    log(`scorm-again bodies: ${templates.map((t) => `${t.sco}#${t.j} ${t.kind} ${t.body.length} B`).join(', ')}`);
    if (opts.history > 0) {
      const t = performance.now();
      await seedHistory(env.db, learners, opts.history, opts.session, templates);
      log(`seeded ${opts.history} commits of history for each of ${learners.length} learners in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    await env.db.query('ANALYZE');
    const setupMs = Math.round(performance.now() - t0);
    log(`set-up done in ${(setupMs / 1000).toFixed(1)} s`);

    const byEnrolment = new Map(all.map((l) => [l.enrolmentId, l.i]));
    watch = new DerivationWatch(env.db, byEnrolment, env.redisUrl, env.queuePrefix, env.id);
    await watch.start();
    pool = new Pool(gateway.url, {
      connections: opts.connections,
      pipelining: 1,
      keepAliveTimeout: 60_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
    });
    const ctx: Ctx = { pool, opts, templates, watch, recorders: [] };
    const pids = { gateway: gateway.pid, worker: worker.pid };
    const cpuWin = () => new CpuWindow(watch!, pids);
    const phases: PhaseResult[] = [];

    // 1. Sustained, open loop.
    const base = learners.slice(0, opts.learners);
    log(
      `sustained: ${base.length} learners, a commit each every ${opts.intervalS} s (${(base.length / opts.intervalS).toFixed(1)}/s), ${opts.warmupS} s warm-up + ${opts.durationS} s measured`,
    );
    phases.push(await runOpen(ctx, `${base.length.toLocaleString('en-US')} learners`, base, opts.warmupS * 1000, opts.durationS * 1000, cpuWin(), log));

    // 2. Twice (or --scale times) the learners.
    if (opts.scale > 1 && opts.scaleDurationS > 0) {
      log(
        `scaled: ${learners.length} learners (${(learners.length / opts.intervalS).toFixed(1)} commits/s), ${opts.warmupS} s warm-up + ${opts.scaleDurationS} s measured`,
      );
      phases.push(
        await runOpen(ctx, `${learners.length.toLocaleString('en-US')} learners`, learners, opts.warmupS * 1000, opts.scaleDurationS * 1000, cpuWin(), log),
      );
    }

    // 3. Saturation, closed loop.
    for (const c of opts.saturation) {
      if (opts.saturationDurationS <= 0) break;
      log(`saturation: ${c} in flight, ${SATURATION_WARMUP_MS / 1000} s warm-up + ${opts.saturationDurationS} s measured`);
      phases.push(await runClosed(ctx, learners, c, opts.saturationDurationS * 1000, cpuWin(), log));
    }

    // 4. Derivation probe, the system idle.
    const probeRows = opts.probe.length ? await probe(env.db, probeLearners, opts.probe, opts.probeSamples, opts.session, templates, log) : [];

    await watch.stop();
    watch = null;
    const check = await checkStore(env.db, learners, ctx.recorders);
    log(`store check: ${check.ok ? 'ok' : 'FAILED'} ${JSON.stringify(check)}`);

    const report: ScormReport = {
      kind: 'scorm',
      machine,
      loadAverageAtEnd: loadAvg(),
      code: codeUnderTest(),
      options: opts,
      deriveDelayMs: deriveDelay(opts),
      workerConcurrency: config.WORKER_CONCURRENCY,
      setup: { ms: setupMs, learners: learners.length, enrolments: all.length, historyCommits: opts.history },
      templates: templates.map((t) => ({ sco: t.sco, j: t.j, kind: t.kind, bytes: Buffer.byteLength(t.body) })),
      phases,
      probe: probeRows,
      check,
    };
    const outDir = path.join(HERE, 'out');
    fs.mkdirSync(outDir, { recursive: true });
    const outFile = path.join(outDir, `${machine.date.replace(/[:.]/g, '-')}-scorm.json`);
    fs.writeFileSync(outFile, JSON.stringify(report, null, 2));
    console.log(`\n${scormMarkdown(report)}\n`);
    console.log(`[bench] report: ${path.relative(ROOT, outFile)}`);
    if (!check.ok) {
      console.error('[bench] store check FAILED (see above)');
      process.exitCode = 1;
    }
  } finally {
    await watch?.stop().catch(() => {});
    await pool?.close().catch(() => {});
    for (const s of services.reverse()) await s.stop().catch(() => {});
    await env.close();
  }
}

// -------------------------------------------------------------------------------------------------
// Markdown
// -------------------------------------------------------------------------------------------------

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const errs = (e: Record<string, number>) => {
  const x = Object.entries(e);
  return x.length ? x.map(([k, v]) => `${k}: ${v}`).join(', ') : '0';
};

export function scormMarkdown(r: ScormReport): string {
  const m = r.machine;
  const o = r.options;
  const open = r.phases.filter((p) => p.mode === 'open');
  const closed = r.phases.filter((p) => p.mode === 'closed');
  const offered = open[0]?.offeredCommitsPerSecond ?? NaN;
  const out: string[] = [
    `- Date: ${m.date}`,
    `- CPU: ${m.cpus} × ${m.cpuModel}; RAM ${m.memoryGiB} GiB; ${m.kernel}; load average at start ${m.loadAverage.join(' / ')}, at the end ${r.loadAverageAtEnd.join(' / ')}`,
    `- Node ${m.node}; ${m.postgres} (${Object.entries(m.postgresSettings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}); Redis ${m.redis}`,
    `- Under test: \`src/main.ts gateway\` and \`src/main.ts worker\` (${r.code}); SCORM_DERIVE_DELAY_MS=${r.deriveDelayMs}, SCORM_DERIVATION=${o.derivation ?? 'incremental'}, WORKER_CONCURRENCY=${r.workerConcurrency}; the load generator (this process) on the same machine, ${o.connections} keep-alive connections.`,
    `- Learners: a commit every ${o.intervalS} s, sessions of ${o.session} commits (the last the Terminate beacon, then the next SCO's launch); bodies recorded from scorm-again, ${f0(Math.min(...r.templates.map((t) => t.bytes)))}–${f0(Math.max(...r.templates.map((t) => t.bytes)))} bytes; ${r.setup.historyCommits ? `${f0(r.setup.historyCommits)} commits of history each` : 'no history before the run'}. Set-up ${f1(r.setup.ms / 1000)} s (not measured).`,
    '',
    `Open loop: latency from the scheduled time, ms; requests scheduled in the measured window. Closed loop: from the send. "commits" are the XHR commits and the beacons together. Overlapping: commits sent while the learner's previous request was unanswered; late: commits answered after the learner's next one was due (> ${o.intervalS} s).`,
    '',
    '| phase | offered commits/s | commits/s | launches/s | commit p50 | p95 | p99 | max | beacon p99 | launch p50 | launch p99 | errors | overlapping / late | generator lag p99 / max | load average start → end |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|',
  ];
  for (const p of r.phases) {
    const c = p.latencyMs.commits;
    out.push(
      `| ${p.name} | ${p.offeredCommitsPerSecond === null ? '(closed loop)' : f1(p.offeredCommitsPerSecond)} | ${f1(p.commitsPerSecond)} | ${f1(p.launchesPerSecond)} | ${f1(c.p50)} | ${f1(c.p95)} | ${f1(c.p99)} | ${f0(c.max)} | ${f1(p.latencyMs.beacon.p99)} | ${f1(p.latencyMs.launch.p50)} | ${f1(p.latencyMs.launch.p99)} | ${errs(p.errors)} | ${p.mode === 'open' ? `${f0(p.overlapping)} / ${f0(p.late)}` : '–'} | ${p.sendLagMs ? `${f1(p.sendLagMs.p99)} / ${f0(p.sendLagMs.max)}` : '–'} | ${p.cpu.loadAverage.start[0]} → ${p.cpu.loadAverage.end[0]} |`,
    );
  }
  if (open.length >= 2) {
    const [a, b] = open as [PhaseResult, PhaseResult];
    out.push(
      '',
      `Ratio ${b.name} ÷ ${a.name} (same rate per learner, ${f1(b.offeredCommitsPerSecond! / a.offeredCommitsPerSecond!)}× the offered load): commits/s ${f2(b.commitsPerSecond / a.commitsPerSecond)}, commit p50 ${f2(b.latencyMs.commits.p50 / a.latencyMs.commits.p50)}, p99 ${f2(b.latencyMs.commits.p99 / a.latencyMs.commits.p99)}; CPU per commit: gateway ${f2(b.cpuMsPerCommit.gateway / a.cpuMsPerCommit.gateway)}, Postgres ${f2(b.cpuMsPerCommit.postgres / a.cpuMsPerCommit.postgres)}.`,
    );
  }
  if (closed.length) {
    const best = closed.reduce((x, y) => (y.commitsPerSecond > x.commitsPerSecond ? y : x));
    out.push(
      '',
      `**Headroom** = most commits/s served (closed loop, same mix) ÷ offered by ${f0(open[0]?.learners ?? NaN)} learners = ${f1(best.commitsPerSecond)} ÷ ${f1(offered)} = **${f1(best.commitsPerSecond / offered)}×** (${best.name}).`,
    );
  }
  out.push(
    '',
    `Derivation (BullMQ queue \`scorm\`): jobs completed per second in the window; "answered → derived": from the commit's answer to \`derived_at\` of the first outcome that read it (includes the ${r.deriveDelayMs} ms delay), ms; catch-up: from the phase's last answered commit to the outcome that read it, ms; worker time per job and wait beyond the delay from the last ≤ 1,000 jobs of the window (BullMQ keeps 1,000).`,
    '',
    '| phase | derivations/s | requests deduplicated | answered → derived p50 | p99 | max | catch-up after the last commit | pending at the end | worker ms/job p50 / p99 (n) | enrolments/job p50 / max | wait beyond delay p50 / p99 | failed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|',
  );
  for (const p of r.phases) {
    const d = p.derivation;
    out.push(
      `| ${p.name} | ${f1(d.perSecond)} | ${f0(d.deduplicated)} | ${f0(d.lagMs.p50)} | ${f0(d.lagMs.p99)} | ${f0(d.lagMs.max)} | ${d.catchUpMs === null ? 'not within 300 s' : f0(d.catchUpMs)} | ${f0(d.pendingAtEnd)} | ${f1(d.jobs.runMs.p50)} / ${f1(d.jobs.runMs.p99)} (${d.jobs.n}) | ${f0(d.jobs.enrolments.p50)} / ${f0(d.jobs.enrolments.max)} | ${f0(d.jobs.waitBeyondDelayMs.p50)} / ${f0(d.jobs.waitBeyondDelayMs.p99)} | ${d.failed} |`,
    );
  }
  out.push(
    '',
    'CPU in % of one core over the measured window, from /proc: "Postgres" is every Postgres process alive at the end of the window plus the backends of the gateway and of the worker that closed during it (read every second), in brackets those backends of the gateway and of the worker; "other processes" those alive at the end, in brackets what the whole machine used (/proc/stat, without steal) beyond every column (processes that exited, interrupts). CPU ms per commit served; Postgres connections the two pools opened during the window:',
    '',
    `| phase | gateway | worker | Postgres (gateway's / worker's backends) | Redis | generator | other processes (unattributed) | whole machine (of ${m.cpus * 100}) | ms/commit: gateway / worker / Postgres (gateway's / worker's) | Postgres connections opened: gateway / worker |`,
    '|---|---:|---:|---|---:|---:|---|---:|---|---|',
  );
  for (const p of r.phases) {
    const s = p.cpu.shares;
    const c = p.cpuMsPerCommit;
    out.push(
      `| ${p.name} | ${s.gateway ?? '–'} | ${s.worker ?? '–'} | ${s.postgres ?? '–'} (${s['postgres-gateway'] ?? '–'} / ${s['postgres-worker'] ?? '–'}) | ${s.redis ?? '–'} | ${s.generator ?? '–'} | ${s.other ?? '–'} (${s.unattributed ?? '–'}) | ${s.machine ?? '–'} | ${f2(c.gateway)} / ${f2(c.worker)} / ${f2(c.postgres)} (${f2(c.postgresGateway)} / ${f2(c.postgresWorker)}) | ${p.connectionsOpened.gateway} / ${p.connectionsOpened.worker} |`,
    );
  }
  const first = open[0];
  if (first && first.buckets.length > 1) {
    out.push('', `${first.name}, by ${f0(first.buckets[1]!.fromS)} s of the window (scheduled time): commits, p50, p99, max ms:`, '');
    out.push(`| from s | ${first.buckets.map((b) => f0(b.fromS)).join(' | ')} |`, `|---|${first.buckets.map(() => '---:').join('|')}|`);
    out.push(`| commits | ${first.buckets.map((b) => f0(b.n)).join(' | ')} |`);
    out.push(`| p50 | ${first.buckets.map((b) => f1(b.p50)).join(' | ')} |`);
    out.push(`| p99 | ${first.buckets.map((b) => f1(b.p99)).join(' | ')} |`);
    out.push(`| max | ${first.buckets.map((b) => f0(b.max)).join(' | ')} |`);
  }
  if (r.probe.length) {
    out.push(
      '',
      `One derivation (\`deriveEnrolment\`, src/services/elearning/derive.ts) against the enrolment's history, in the bench process, one at a time, the system idle (${r.options.probeSamples} samples over ${r.probe[0]!.enrolments} enrolments per row): the full re-read (\`{ full: true }\`: every commit read, the aggregates rebuilt; the only path before issue 16) and the incremental derivation after one new commit; "load" is \`loadEnrolmentFacts\` alone; "needed" is one derivation per commit at the offered rate:`,
      '',
      '| commits of history | full re-read p50 ms | p95 | incremental p50 ms | p95 | load p50 ms | derivations/s one at a time: full / incremental | needed at the offered rate | ratio: full / incremental |',
      '|---:|---:|---:|---:|---:|---:|---|---:|---|',
    );
    for (const p of r.probe)
      out.push(
        `| ${f0(p.history)} | ${f2(p.deriveMs.p50)} | ${f2(p.deriveMs.p95)} | ${f2(p.incrementalMs?.p50 ?? NaN)} | ${f2(p.incrementalMs?.p95 ?? NaN)} | ${f2(p.loadMs.p50)} | ${f0(p.derivationsPerSecond)} / ${f0(p.incrementalPerSecond ?? NaN)} | ${f1(offered)} | ${f1(p.derivationsPerSecond / offered)}× / ${f1((p.incrementalPerSecond ?? NaN) / offered)}× |`,
      );
  }
  const c = r.check;
  out.push(
    '',
    `Store check: ${c.ok ? 'ok' : '**FAILED**'}: ${f0(c.commitsAcked)} commits acknowledged, ${f0(c.commitsStored)} stored (${f0(c.commitsSent)} sent), every acknowledged id found (${f0(c.ackedIdsFound)}); ${f0(c.launchesAcked)} launches answered, ${f0(c.launchesStored)} stored (${f0(c.launchesSent)} sent); enrolments whose outcome has not read their last commit: ${f0(c.enrolmentsBehind)}.`,
  );
  return out.join('\n');
}

runMain(main);
