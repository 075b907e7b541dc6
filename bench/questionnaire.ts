/**
 * @module bench/questionnaire: the post-webinar questionnaire under load (issue 4, "Proof":
 * `bench/questionnaire`): 1,000 members opening their link and submitting at the same time, p50/p99
 * latency of the start (GET /q/{token}) and of the submission (POST /q/{token}), throughput, and
 * the CPU of the gateway and of Postgres. Target: p99 ≤ 100 ms on this machine.
 *
 *   npm run bench:questionnaire [-- --members=1000 --concurrency=10,100,1000 --rates=25,50,100 --retry=true
 *                                   --worker --think=0 --timeout=30000 --warmup=200 --phases=200 --db=postgres|pglite --keep]
 *
 * Every option is also an environment variable BENCH_Q_<NAME> (BENCH_Q_CONCURRENCY=100, ...).
 * Diagnostics: `--pg-options="-c synchronous_commit=off"` adds settings to the gateway's Postgres
 * connections (to see what the commits' flush costs; not a production setting).
 *
 * Set-up (not measured), one event per scenario, seeded straight into a private schema
 * (BENCH_DATABASE_URL; `--db=pglite`: an embedded PGlite directory): the members of the register, a
 * kind-e organiser's approved, closed 3-hour webinar with its pool of 30 questions, every member
 * registered and present throughout; then the real derivation (`deriveEvent`: 1,000 outcomes
 * `credited`, credits pending) and the real dispatch (`dispatchQuestionnaires`: one questionnaire
 * per member and its signed link, written to the `outbox`); then, for each mail, what the mail
 * worker does once it is sent (`markSent`, `startClock`: the member's 10 days start). The links are
 * read back from `outbox.body_text`.
 *
 * Then the gateway runs as its own process (`src/main.ts gateway` on Postgres, with `--worker` a
 * `src/main.ts worker` next to it; `src/main.ts all` on PGlite, which is single-process) and this
 * process plays the members over keep-alive connections (undici), each as a browser would:
 *
 *   start      GET  /q/{token}          the first attempt is drawn and stored; the page is parsed
 *   submit     POST /q/{token}          quality answers 1–10 and the 5 answers (a0..a4, positions shown)
 *   retry      POST /q/{token}/retry    (only after a failed first attempt, `--retry`) → 303
 *   start-2    GET  /q/{token}          the second draw
 *   submit-2   POST /q/{token}          the second attempt
 *
 * Member i answers 5, 4, 5, 4, 5, 4, 3, 3, 3, 2 right (i mod 10) on the first attempt: 60 % pass;
 * of the 40 % who fail, three in four pass the retry. Scenarios, each on its own 1,000 fresh
 * questionnaires: `--concurrency` (closed loop: that many members at a time, each starting the
 * next member as soon as it is done, no think time; 1,000 = all start at once) and `--rates`
 * (open loop: a new member every 1/rate s whatever the server does; the start is timed from its
 * scheduled time). Latency is from the request to the last byte of the answer, over one
 * keep-alive connection per member in flight (as many browsers).
 *
 * Afterwards the store is checked against what the members were shown and sent: one first attempt
 * per member, 5 distinct pool questions each, the option orders permutations, the page showing
 * exactly the stored draw, the answers and quality votes stored as posted, the score recomputed
 * from the key equal to the stored one and to the one the page said, the retry on 5 unseen
 * questions, no member with more than 2 attempts, the questionnaire status as expected.
 *
 * `--phases=N`: before the load, N starts and submissions are repeated one at a time in this
 * process, step by step as src/gateway/questionnaire-member.ts does them (median and p99 per step,
 * statements sent to Postgres per step): where the time of one request goes without contention.
 * They mirror the handler by hand: keep them in step with it. BENCH_PROFILE=1 gives
 * a V8 CPU profile of the gateway under load (bench/out/prof/).
 *
 * Markdown tables (the shape of bench/RESULTS.md) go to stdout, the raw figures to bench/out/.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { Pool } from 'undici';
import { loadConfig } from '../src/config.ts';
import {
  drawQuestions,
  QUALITY_QUESTIONS,
  QUESTIONNAIRE_RULES,
  questionnaireState,
  scoreAttempt,
  type PoolQuestionDraft,
} from '../src/domain/questionnaire.ts';
import { createLogger } from '../src/log.ts';
import { linkSecret, memberLinks, type MemberLinks } from '../src/member-links.ts';
import { italianDate, italianDateTime } from '../src/pages/format.ts';
import { attemptPage, resultPage } from '../src/pages/questionnaire.tsx';
import { createAttendanceProducer, type AttendanceProducer } from '../src/queue/attendance.ts';
import { createQuestionnaireProducer } from '../src/queue/questionnaire.ts';
import { producerConnection, waitReady } from '../src/queue/redis.ts';
import { openDb, type Db, type Queryable } from '../src/store/db.ts';
import { markSent } from '../src/store/outbox.ts';
import { migrate } from '../src/store/migrate.ts';
import {
  decideQuestionnaire,
  getPool,
  getQuestionnaire,
  lockOpenQuestionnaire,
  replacePool,
  saveQualityAnswers,
  servedQuestions,
  startAttempt,
  submitAttempt,
} from '../src/store/questionnaire.ts';
import { deriveEvent } from '../src/services/attendance/derive.ts';
import {
  dispatchQuestionnaires,
  QUESTIONNAIRE_LINK_MAIL,
  startClock,
  type QuestionnaireDispatchDeps as QuestionnaireWorkerDeps,
} from '../src/services/questionnaire/dispatch.ts';
import { answerForm, parsePage, type QuestionnairePage } from '../test/support/questionnaire.ts';
import { romeAfternoon } from '../test/support/fixtures.ts';
import { seedMembers, type SeededMember } from './lib/attendance-data.ts';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, createBenchEnv, parseFlags } from './lib/env.ts';
import { cpuBetween, describeMachine, snapshotCpu, type CpuShare, type Machine } from './lib/machine.ts';
import { GATEWAY_ROOT, ROOT, startService, type Service, runMain } from './lib/process.ts';
import { latencyOf, type Latency } from './lib/measure.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** Issue 4: p99 ≤ 100 ms for starting and submitting. */
export const QUESTIONNAIRE_TARGET = { p99Ms: 100 };
const MIN = 60_000;
/** `application_name` of the connections of the processes under test (their backends' CPU is reported apart). */
const GATEWAY_APP_NAME = 'bench-questionnaire';
const EVENT_MINUTES = 180;

// -------------------------------------------------------------------------------------------------
// Options
// -------------------------------------------------------------------------------------------------

interface Options {
  /** Members (questionnaires) per scenario. */
  members: number;
  /** Closed-loop scenarios: members in flight at a time. */
  concurrency: number[];
  /** Open-loop scenarios: members arriving per second. */
  rates: number[];
  /** Members who fail the first attempt retry. */
  retry: boolean;
  /** Think time between the page and its submission, ms (0: submit as soon as the page is read). */
  thinkMs: number;
  /** A request not answered within this is an error (the member stops), ms. */
  timeoutMs: number;
  /** Also run a worker process (derivations that decisions trigger), Postgres only. */
  worker: boolean;
  /** Members of the unreported warm-up run (concurrency 20) before the scenarios. */
  warmupMembers: number;
  /** Starts and submissions timed step by step in this process (0: none). */
  phaseSamples: number;
  db: 'postgres' | 'pglite';
  /** Diagnostics: extra Postgres settings for the gateway's connections, e.g. `-c synchronous_commit=off`. */
  pgOptions: string;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const flags = parseFlags(argv);
  const env = (name: string) => process.env[`BENCH_Q_${name.toUpperCase().replace(/-/g, '_')}`];
  const get = (name: string) => flags.get(name) ?? env(name);
  const nums = (name: string, dflt: string) =>
    (get(name) ?? dflt)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number);
  const bool = (name: string, dflt: boolean) => {
    const v = get(name);
    return v === undefined ? dflt : !['false', '0', 'no'].includes(v);
  };
  const db = get('db') ?? 'postgres';
  if (db !== 'postgres' && db !== 'pglite') throw new Error(`--db=${db}: use postgres or pglite`);
  const o: Options = {
    members: Number(get('members') ?? 1000),
    concurrency: nums('concurrency', '10,100,1000'),
    rates: nums('rates', '25,50,100'),
    retry: bool('retry', true),
    thinkMs: Number(get('think') ?? 0),
    timeoutMs: Number(get('timeout') ?? 30_000),
    worker: bool('worker', false),
    warmupMembers: Number(get('warmup') ?? 200),
    phaseSamples: Number(get('phases') ?? 200),
    db,
    pgOptions: get('pg-options') ?? '',
    keep: flags.has('keep') || process.env.BENCH_KEEP === '1',
  };
  for (const n of [...o.concurrency, ...o.rates, o.members]) if (!Number.isFinite(n) || n <= 0) throw new Error(`bad number in options: ${JSON.stringify(o)}`);
  return o;
}

// -------------------------------------------------------------------------------------------------
// Set-up: a kind-e webinar with its pool, members present throughout, derived and dispatched
// -------------------------------------------------------------------------------------------------

interface PoolRow {
  id: string;
  text: string;
  options: string[];
  correct: number;
}

interface SeededQuestionnaires {
  tag: string;
  eventId: string;
  pool: PoolRow[];
  /** Per member, in the order of `members`: the link token and the questionnaire id. */
  links: Array<{ memberId: string; questionnaireId: string; token: string }>;
  seedMs: number;
}

/** 30 questions of realistic length, 3–5 options each, one right; distinct per event (`tag`). */
function benchPool(tag: string): PoolQuestionDraft[] {
  const topics = ['contratto a termine', 'lavoro agile', 'apprendistato', 'licenziamento per giustificato motivo', 'somministrazione', 'orario di lavoro'];
  return Array.from({ length: 30 }, (_, i) => {
    const count = 3 + (i % 3);
    const topic = topics[i % topics.length]!;
    return {
      text: `${tag}-${String(i + 1).padStart(2, '0')}. In materia di ${topic}, quale delle seguenti affermazioni è corretta secondo la disciplina vigente e la prassi amministrativa più recente (caso ${i + 1})?`,
      options: Array.from(
        { length: count },
        (_, j) =>
          `Risposta ${String.fromCharCode(65 + j)} al caso ${i + 1}: il datore di lavoro deve ${['comunicare', 'verificare', 'documentare', 'attendere', 'rinnovare'][j]} entro i termini previsti`,
      ),
      correct: (i * 7) % count,
    };
  });
}

/**
 * One past, closed, approved 3-hour webinar of a kind-e organiser with its pool of 30, every
 * member registered and present from start to end; then the real derivation and the real
 * dispatch. Returns the links read back from the outbox.
 */
async function seedQuestionnaires(db: Db, deps: QuestionnaireWorkerDeps, members: readonly SeededMember[], tag: string): Promise<SeededQuestionnaires> {
  const t0 = performance.now();
  const start = romeAfternoon(2);
  const end = start + EVENT_MINUTES * MIN;
  const iso = (ms: number) => new Date(ms).toISOString();
  const today = new Date();
  const organiserId = crypto.randomUUID();
  await db.query(
    `INSERT INTO organisers (id, name, kind, authorisation_number, authorised_from, authorised_until, allowed_modes)
     VALUES ($1, $2, 'e', 'CN-2026-B', $3, $4, '{webinar,in-person}')`,
    [organiserId, `Formazione Lavoro Srl (${tag})`, `${today.getUTCFullYear() - 1}-01-01`, `${today.getUTCFullYear() + 1}-12-31`],
  );
  const eventId = crypto.randomUUID();
  await db.query(
    `INSERT INTO events (id, organiser_id, cpo_province, title, mode, topics, start_at, end_at, credits, tolerance_minutes,
       accreditation_status, accreditation_requested_at, accreditation_decided_at, closed_at)
     VALUES ($1, $2, 'MI', $3, 'webinar', $4::jsonb, $5, $6, 3, 30, 'approved', $5, $5, $6)`,
    [
      eventId,
      organiserId,
      `Novità in materia di lavoro 2026 (${tag})`,
      JSON.stringify([{ title: 'Lavoro', start: iso(start), end: iso(end), deontology: false }]),
      iso(start),
      iso(end),
    ],
  );
  const stored = await replacePool(db, eventId, benchPool(tag));
  const CHUNK = 5000;
  for (let i = 0; i < members.length; i += CHUNK) {
    const part = members.slice(i, i + CHUNK);
    await db.query(
      `INSERT INTO registrations (id, event_id, member_id, registrant_id)
       SELECT gen_random_uuid(), $1, x.id, x.registrant_id FROM jsonb_to_recordset($2::jsonb) AS x(id uuid, registrant_id text)`,
      [eventId, JSON.stringify(part.map((m) => ({ id: m.id, registrant_id: `reg-${m.id}` })))],
    );
    const records = part.flatMap((m) => [
      { source_record_id: `${m.id}-j`, kind: 'join', occurred_at: iso(start), registrant_id: `reg-${m.id}`, connection_id: `c-${m.id}` },
      { source_record_id: `${m.id}-l`, kind: 'leave', occurred_at: iso(end), registrant_id: `reg-${m.id}`, connection_id: `c-${m.id}` },
    ]);
    await db.query(
      `INSERT INTO tracking_records (event_id, source, source_record_id, kind, occurred_at, registrant_id, connection_id, raw, received_at)
       SELECT $1, 'api:bench', x.source_record_id, x.kind, x.occurred_at, x.registrant_id, x.connection_id, '{}'::jsonb, now()
       FROM jsonb_to_recordset($2::jsonb) AS x(source_record_id text, kind text, occurred_at timestamptz, registrant_id text, connection_id text)`,
      [eventId, JSON.stringify(records)],
    );
  }
  const derived = await deriveEvent(db, eventId, deps.log);
  if (derived?.credited !== members.length) throw new Error(`seed ${tag}: ${derived?.credited} credited of ${members.length}`);
  const sent = await dispatchQuestionnaires(deps, eventId);
  if (sent.sent !== members.length) throw new Error(`seed ${tag}: dispatch sent ${sent.sent} of ${members.length} (${sent.skipped ?? ''})`);
  const { rows } = await db.query<{ member_id: string; questionnaire_id: string; outbox_id: number; body_text: string }>(
    `SELECT q.member_id, q.id AS questionnaire_id, o.id AS outbox_id, o.body_text
     FROM questionnaires q JOIN outbox o ON o.dedup_key = $2 || ':' || q.id WHERE q.event_id = $1`,
    [eventId, QUESTIONNAIRE_LINK_MAIL],
  );
  // The link mails went out (what the mail worker does after sending): each questionnaire's 10 days
  // start and its expiry is scheduled, so members open links whose clock runs, as in production.
  const sentAt = new Date(deps.now());
  for (const r of rows) {
    await markSent(db, r.outbox_id, sentAt);
    await startClock(deps, r.questionnaire_id, sentAt);
  }
  const byMember = new Map(rows.map((r) => [r.member_id, r]));
  const links = members.map((m) => {
    const r = byMember.get(m.id);
    const token = r && /\/q\/([A-Za-z0-9._-]+)/.exec(r.body_text)?.[1];
    if (!r || !token) throw new Error(`seed ${tag}: no link in the outbox for member ${m.id}`);
    return { memberId: m.id, questionnaireId: r.questionnaire_id, token };
  });
  return {
    tag,
    eventId,
    pool: stored.map((q) => ({ id: q.id, text: q.text, options: q.options, correct: q.correct })),
    links,
    seedMs: Math.round(performance.now() - t0),
  };
}

// -------------------------------------------------------------------------------------------------
// The members: what each one answers, and the load
// -------------------------------------------------------------------------------------------------

const KINDS = ['start', 'submit', 'retry', 'start-2', 'submit-2'] as const;
type Kind = (typeof KINDS)[number];

interface Plan {
  /** Right answers on the first attempt, and on the retry (null: passes the first). */
  first: number;
  second: number | null;
  quality: Record<string, string>;
}

/** Member i: 5, 4, 5, 4, 5, 4, 3, 3, 3, 2 right (i mod 10); on the retry 4, 5, 4 and 3 (fails again). */
function planOf(i: number): Plan {
  const r = i % 10;
  const first = [5, 4, 5, 4, 5, 4, 3, 3, 3, 2][r]!;
  const second = r < 6 ? null : [4, 5, 4, 3][r - 6]!;
  const quality: Record<string, string> = {};
  QUALITY_QUESTIONS.forEach((q, j) => (quality[q.id] = String(1 + ((i * 7 + j * 3) % 10))));
  return { first, second, quality };
}

/** What one member was shown and sent, per attempt, for the store check. */
interface MemberTrace {
  /** Attempt numbers whose form page the member received. */
  pagesSeen: number[];
  attempts: Array<{
    number: number;
    page: Pick<QuestionnairePage, 'questions'>;
    answers: number[];
    intended: number;
    shownScore: number | null;
    shownPassed: boolean | null;
  }>;
  quality: Record<string, string> | null;
  completed: boolean;
  error: string | null;
}

interface Sample {
  kind: Kind;
  ms: number;
  ok: boolean;
}

export interface ScenarioResult {
  name: string;
  mode: 'concurrency' | 'rate';
  /** Members in flight (concurrency) or arriving per second (rate). */
  level: number;
  members: number;
  eventId: string;
  wallMs: number;
  requests: number;
  requestsPerSecond: number;
  membersCompleted: number;
  membersPerSecond: number;
  latencyMs: Record<Kind, Latency> & { 'start+submit': Latency; all: Latency };
  errors: Record<string, number>;
  /** % of one core over the scenario. */
  cpu: CpuShare;
  others: string[];
  /** CPU ms per request: gateway process, Postgres, generator. */
  /** CPU ms per request: gateway process, Postgres (all its processes; the gateway's own backends), generator. */
  cpuMsPerRequest: { gateway: number; postgres: number; postgresOwn: number | null; generator: number };
  /** With `--worker` (and on PGlite, whose process derives too): the derivations the decisions caused during the scenario (each re-derives the whole event). */
  derivations?: { count: number; medianMs: number; maxMs: number };
  check?: StoreCheck;
}

const shownResult = (html: string) => {
  const m = /Risposte esatte: <strong>(\d+)<\/strong> su (\d+)/.exec(html);
  return { score: m ? Number(m[1]) : null, passed: html.includes('Questionario superato') ? true : html.includes('Questionario non superato') ? false : null };
};

/**
 * Plays the members of `seed` against the gateway: closed loop at `level` members at a time, or
 * open loop at `level` members per second. Returns the samples and each member's trace.
 */
async function playMembers(
  origin: string,
  seed: SeededQuestionnaires,
  mode: 'concurrency' | 'rate',
  level: number,
  opts: { retry: boolean; thinkMs: number; timeoutMs: number },
): Promise<{ samples: Sample[]; traces: MemberTrace[]; errors: Record<string, number>; wallMs: number }> {
  const pool = new Pool(origin, {
    connections: null,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });
  const samples: Sample[] = [];
  const errors: Record<string, number> = {};
  const traces: MemberTrace[] = seed.links.map(() => ({ pagesSeen: [], attempts: [], quality: null, completed: false, error: null }));
  const err = (k: string) => (errors[k] = (errors[k] ?? 0) + 1);
  const think = () => (opts.thinkMs > 0 ? new Promise((r) => setTimeout(r, opts.thinkMs)) : Promise.resolve());

  /** One request, timed from `from` (default: now) to the last byte. */
  async function call(
    kind: Kind,
    method: 'GET' | 'POST',
    p: string,
    body: string | null,
    expect: number,
    from?: number,
  ): Promise<{ status: number; text: string }> {
    const t = from ?? performance.now();
    try {
      const res = await pool.request({
        method,
        path: p,
        headers:
          body !== null
            ? { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'bench-questionnaire' }
            : { 'user-agent': 'bench-questionnaire' },
        body: body ?? undefined,
      });
      const text = await res.body.text();
      const ok = res.statusCode === expect;
      samples.push({ kind, ms: performance.now() - t, ok });
      if (!ok) {
        err(`${kind}: http-${res.statusCode}`);
        throw new Error(`${kind}: HTTP ${res.statusCode} ${text.slice(0, 200)}`);
      }
      return { status: res.statusCode, text };
    } catch (e) {
      const x = e as Error & { code?: string };
      if (!/^[a-z0-9-]+: HTTP /.test(x.message)) {
        samples.push({ kind, ms: performance.now() - t, ok: false });
        err(`${kind}: ${x.code ?? x.name ?? 'network'}`);
      }
      throw e;
    }
  }

  async function member(i: number, scheduled: number): Promise<void> {
    const link = seed.links[i]!;
    const plan = planOf(i);
    const trace = traces[i]!;
    const base = `/q/${link.token}`;
    try {
      const attempt = async (number: number, kind: 'start' | 'start-2', sub: 'submit' | 'submit-2', right: number, from?: number) => {
        const r = await call(kind, 'GET', base, null, 200, from);
        const page = parsePage(r.status, r.text);
        if (page.attempt !== number || page.questions.length !== 5 || page.askQuality !== (number === 1)) {
          err(`${kind}: unexpected page`);
          throw new Error(`${kind}: unexpected page (attempt ${page.attempt}, ${page.questions.length} questions)`);
        }
        trace.pagesSeen.push(number);
        await think();
        // The same form a test posts (test/support/questionnaire.ts); the answers by question, for the trace.
        const form = answerForm(page, seed.pool, right, plan.quality);
        const answers: number[] = [];
        for (const q of page.questions) answers[q.k] = Number(form.get(`a${q.k}`));
        const body = form.toString();
        const s = await call(sub, 'POST', base, body, 200);
        if (page.askQuality) trace.quality = plan.quality;
        const shown = shownResult(s.text);
        trace.attempts.push({ number, page: { questions: page.questions }, answers, intended: right, shownScore: shown.score, shownPassed: shown.passed });
        return shown;
      };
      const first = await attempt(1, 'start', 'submit', plan.first, scheduled);
      if (first.passed === false && opts.retry && plan.second !== null) {
        await think();
        await call('retry', 'POST', `${base}/retry`, '', 303);
        await attempt(2, 'start-2', 'submit-2', plan.second);
      }
      trace.completed = true;
    } catch (e) {
      trace.error = (e as Error).message.slice(0, 300);
    }
  }

  const n = seed.links.length;
  const t0 = performance.now() + 20;
  if (mode === 'concurrency') {
    await new Promise((r) => setTimeout(r, 20));
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(level, n) }, async () => {
        for (let i = next++; i < n; i = next++) await member(i, performance.now());
      }),
    );
  } else {
    // Open loop: member i at t0 + i/rate, whatever the server does; its start is timed from then.
    const interval = 1000 / level;
    const running: Array<Promise<void>> = [];
    await new Promise<void>((resolve) => {
      let next = 0;
      const tick = () => {
        const now = performance.now();
        while (next < n && t0 + next * interval <= now) {
          running.push(member(next, t0 + next * interval));
          next++;
        }
        if (next < n) setTimeout(tick, Math.max(1, Math.floor(t0 + next * interval - performance.now())));
        else resolve();
      };
      setTimeout(tick, Math.max(0, t0 - performance.now()));
    });
    await Promise.all(running);
  }
  const wallMs = performance.now() - t0;
  await pool.close();
  return { samples, traces, errors, wallMs };
}

async function runScenario(
  origin: string,
  seed: SeededQuestionnaires,
  mode: 'concurrency' | 'rate',
  level: number,
  opts: Options,
  pids: Record<string, number>,
  backends: () => Promise<number[]>,
  worker: Service | null,
): Promise<{ result: ScenarioResult; traces: MemberTrace[] }> {
  const derived = () => (worker ?? null)?.lines.filter((l) => l.msg === 'derivation finished') ?? [];
  const derivedBefore = derived().length;
  const before = snapshotCpu();
  const { samples, traces, errors, wallMs } = await playMembers(origin, seed, mode, level, {
    retry: opts.retry,
    thinkMs: opts.thinkMs,
    timeoutMs: opts.timeoutMs,
  });
  const after = snapshotCpu();
  const { shares, others } = cpuBetween(before, after, { ...pids, generator: process.pid });
  // The Postgres backends serving the processes under test (pool connections alive at the end).
  const derivations = derived()
    .slice(derivedBefore)
    .map((l) => Number(l.ms));
  const own = await backends();
  if (own.length) {
    let cpu = 0;
    for (const pid of own) cpu += (after.procs.get(pid)?.cpu ?? 0) - (before.procs.get(pid)?.cpu ?? 0);
    shares['postgres-own'] = Math.round((cpu / ((after.at - before.at) / 1000)) * 100);
  }
  const lat = {} as ScenarioResult['latencyMs'];
  for (const k of KINDS)
    lat[k] = latencyOf(
      samples.filter((s) => s.kind === k).map((s) => s.ms),
      1,
    );
  lat['start+submit'] = latencyOf(
    samples.filter((s) => s.kind === 'start' || s.kind === 'submit').map((s) => s.ms),
    1,
  );
  lat.all = latencyOf(
    samples.map((s) => s.ms),
    1,
  );
  const secs = (after.at - before.at) / 1000;
  const completed = traces.filter((t) => t.completed).length;
  const perReq = (pct: number | undefined) => Math.round((((pct ?? 0) / 100) * secs * 1000 * 100) / samples.length) / 100;
  return {
    result: {
      name: mode === 'concurrency' ? (level >= seed.links.length ? `all ${seed.links.length} at once` : `${level} at a time`) : `${level} members/s`,
      mode,
      level,
      members: seed.links.length,
      eventId: seed.eventId,
      wallMs: Math.round(wallMs),
      requests: samples.length,
      requestsPerSecond: Math.round(samples.length / (wallMs / 1000)),
      membersCompleted: completed,
      membersPerSecond: Math.round(completed / (wallMs / 1000)),
      latencyMs: lat,
      errors,
      cpu: shares,
      others,
      ...(worker ? { derivations: { count: derivations.length, medianMs: latencyOf(derivations, 1).p50, maxMs: latencyOf(derivations, 1).max } } : {}),
      cpuMsPerRequest: {
        gateway: perReq(shares.gateway),
        postgres: perReq(shares.postgres),
        postgresOwn: shares['postgres-own'] === undefined ? null : perReq(shares['postgres-own']),
        generator: perReq(shares.generator),
      },
    },
    traces,
  };
}

// -------------------------------------------------------------------------------------------------
// The store check
// -------------------------------------------------------------------------------------------------

export interface StoreCheck {
  questionnaires: number;
  firstAttempts: number;
  secondAttempts: number;
  expectedSecondAttempts: number;
  maxAttemptsPerMember: number;
  /**
   * Members whose run stopped on a load error (timeout, 5xx): what the server did with the
   * request that got no answer is allowed either way (stored or not), and their final status is
   * not compared; every other invariant is still checked for them.
   */
  membersWithErrors: number;
  /** Of those, attempts stored (started or submitted) whose answer the member never got. */
  storedWithoutAnswer: number;
  passed: number;
  failed: number;
  open: number;
  /** Violations by kind (0 everywhere when ok). */
  violations: Record<string, number>;
  examples: string[];
  ok: boolean;
}

async function checkStore(db: Queryable, seed: SeededQuestionnaires, traces: readonly MemberTrace[], retry: boolean): Promise<StoreCheck> {
  const { rows } = await db.query<{
    id: string;
    member_id: string;
    status: string;
    quality_answers: Record<string, number> | null;
    number: number | null;
    question_ids: string[] | null;
    option_orders: number[][] | null;
    answers: Array<number | null> | null;
    score: number | null;
    passed: boolean | null;
    submitted_at: Date | null;
  }>(
    `SELECT q.id, q.member_id, q.status, q.quality_answers, a.number, a.question_ids, a.option_orders, a.answers, a.score, a.passed, a.submitted_at
     FROM questionnaires q LEFT JOIN questionnaire_attempts a ON a.questionnaire_id = q.id
     WHERE q.event_id = $1 ORDER BY q.id, a.number`,
    [seed.eventId],
  );
  const violations: Record<string, number> = {};
  const examples: string[] = [];
  const bad = (k: string, detail: string) => {
    violations[k] = (violations[k] ?? 0) + 1;
    if (examples.length < 10) examples.push(`${k}: ${detail}`);
  };
  const poolById = new Map(seed.pool.map((p) => [p.id, p]));
  const key = new Map(seed.pool.map((p) => [p.id, p.correct]));
  const byQ = new Map<string, typeof rows>();
  for (const r of rows) {
    let list = byQ.get(r.id);
    if (!list) byQ.set(r.id, (list = []));
    if (r.number !== null) list.push(r);
  }
  const index = new Map(seed.links.map((l, i) => [l.questionnaireId, i]));
  let firstAttempts = 0;
  let secondAttempts = 0;
  let expectedSecond = 0;
  let maxAttempts = 0;
  let membersWithErrors = 0;
  let storedWithoutAnswer = 0;
  const status = { passed: 0, failed: 0, open: 0 };
  for (const [qid, attempts] of byQ) {
    const i = index.get(qid);
    if (i === undefined) {
      bad('unknown-questionnaire', qid);
      continue;
    }
    const trace = traces[i]!;
    const plan = planOf(i);
    const st = rows.find((r) => r.id === qid)!;
    if (st.status === 'passed' || st.status === 'failed' || st.status === 'open') status[st.status]++;
    maxAttempts = Math.max(maxAttempts, attempts.length);
    if (attempts.length > 2) bad('more-than-2-attempts', qid);
    firstAttempts += attempts.filter((a) => a.number === 1).length;
    secondAttempts += attempts.filter((a) => a.number === 2).length;
    const expectRetry = retry && plan.second !== null;
    if (expectRetry) expectedSecond++;
    if (trace.error) membersWithErrors++;
    // Every page a member was shown is stored; without a load error, nothing else is.
    const stored = attempts.map((a) => a.number);
    for (const n of trace.pagesSeen) if (!stored.includes(n)) bad('shown-attempt-not-stored', `${qid}#${n}`);
    if (!trace.error && JSON.stringify(stored) !== JSON.stringify(trace.pagesSeen))
      bad('attempts-not-as-played', `member ${i}: stored ${stored.join(',')}, shown ${trace.pagesSeen.join(',')}`);
    // The questionnaire's outcome follows what the member answered.
    const expectedStatus = plan.first >= 4 ? 'passed' : !expectRetry ? 'open' : plan.second! >= 4 ? 'passed' : 'failed';
    if (!trace.error && st.status !== expectedStatus) bad('status', `member ${i}: ${st.status}, expected ${expectedStatus}`);
    // Quality votes are kept as sent.
    if (trace.quality) {
      const want = Object.fromEntries(Object.entries(trace.quality).map(([k, v]) => [k, Number(v)]));
      if (JSON.stringify(st.quality_answers) !== JSON.stringify(want)) bad('quality-answers', `member ${i}: ${JSON.stringify(st.quality_answers)}`);
    }
    const seen = new Set<string>();
    for (const a of attempts) {
      const ids = a.question_ids ?? [];
      if (ids.length !== 5 || new Set(ids).size !== 5) bad('not-5-distinct-questions', `${qid}#${a.number}: ${ids.length}`);
      if (!ids.every((id) => poolById.has(id))) bad('question-outside-pool', `${qid}#${a.number}`);
      (a.option_orders ?? []).forEach((order, k) => {
        const n = poolById.get(ids[k]!)?.options.length ?? -1;
        if (order.length !== n || [...order].sort((x, y) => x - y).some((v, j) => v !== j)) bad('option-order-not-a-permutation', `${qid}#${a.number} q${k}`);
      });
      if (a.number === 2 && ids.some((id) => seen.has(id))) bad('retry-repeats-a-question', qid);
      for (const id of ids) seen.add(id);
      const sent = trace.attempts.find((t) => t.number === a.number);
      if (!sent) {
        // Shown but not submitted, or its answer lost (a load error): allowed only after an error.
        if (a.submitted_at !== null || !trace.pagesSeen.includes(a.number!)) {
          if (trace.error) storedWithoutAnswer++;
          else bad('submitted-without-an-answer', `${qid}#${a.number}`);
        }
        if (a.submitted_at !== null && a.score !== scoreAttempt({ questionIds: ids, optionOrder: a.option_orders ?? [] }, a.answers ?? [], key).score)
          bad('stored-score-not-the-key', `${qid}#${a.number}`);
        continue;
      }
      // The page showed exactly the stored draw: the questions in order, their options in the stored order.
      sent.page.questions.forEach((q, k) => {
        const p = poolById.get(ids[k]!);
        const order = a.option_orders?.[k] ?? [];
        if (!p || p.text !== q.text) return bad('page-differs-from-stored-draw', `${qid}#${a.number} q${k}: question`);
        if (q.options.length !== order.length || q.options.some((o, pos) => o.value !== String(pos) || o.text !== p.options[order[pos]!]))
          bad('page-differs-from-stored-draw', `${qid}#${a.number} q${k}: options`);
      });
      if (JSON.stringify(a.answers) !== JSON.stringify(sent.answers))
        bad('answers-not-as-sent', `${qid}#${a.number}: ${JSON.stringify(a.answers)} vs ${JSON.stringify(sent.answers)}`);
      const recomputed = scoreAttempt({ questionIds: ids, optionOrder: a.option_orders ?? [] }, a.answers ?? [], key).score;
      if (a.score !== recomputed) bad('stored-score-not-the-key', `${qid}#${a.number}: stored ${a.score}, key ${recomputed}`);
      if (a.score !== sent.intended) bad('score-not-as-answered', `${qid}#${a.number}: stored ${a.score}, answered ${sent.intended} right`);
      if (sent.shownScore !== a.score || sent.shownPassed !== a.passed)
        bad('page-result-differs', `${qid}#${a.number}: shown ${sent.shownScore}/${sent.shownPassed}, stored ${a.score}/${a.passed}`);
      if (a.passed !== recomputed >= 4) bad('passed-flag', `${qid}#${a.number}`);
    }
  }
  if (byQ.size !== seed.links.length) bad('questionnaire-count', `${byQ.size} of ${seed.links.length}`);
  if (!membersWithErrors && firstAttempts !== seed.links.length) bad('first-attempt-count', `${firstAttempts} of ${seed.links.length}`);
  if (!membersWithErrors && secondAttempts !== expectedSecond) bad('second-attempt-count', `${secondAttempts}, expected ${expectedSecond}`);
  return {
    questionnaires: byQ.size,
    firstAttempts,
    secondAttempts,
    expectedSecondAttempts: expectedSecond,
    maxAttemptsPerMember: maxAttempts,
    membersWithErrors,
    storedWithoutAnswer,
    ...status,
    violations,
    examples,
    ok: Object.keys(violations).length === 0,
  };
}

// -------------------------------------------------------------------------------------------------
// Phases: one start and one submission at a time, step by step, in this process
// -------------------------------------------------------------------------------------------------

export interface PhaseStat {
  step: string;
  queries: number;
  medianMs: number;
  p99Ms: number;
}

/** Counts the statements sent through `db` (BEGIN and COMMIT of a transaction included). */
function countingDb(db: Db): { db: Db; count(): number } {
  let n = 0;
  const wrap = (q: Queryable): Queryable => ({
    query: (text, params) => {
      n++;
      return q.query(text, params);
    },
  });
  const counted: Db = {
    kind: db.kind,
    query: wrap(db).query,
    transaction: (fn) => {
      n += 2;
      return db.transaction((tx) => fn(wrap(tx)));
    },
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
  };
  return { db: counted, count: () => n };
}

/** As the member page words the deadline. */
const deadlineText = (d: Date | null) => (d ? italianDateTime(d) : `${QUESTIONNAIRE_RULES.deadlineDays} giorni dal ricevimento del link`);

async function render(el: unknown): Promise<string> {
  const out = (el as { toString(): string | Promise<string> }).toString();
  return typeof out === 'string' ? out : await out;
}

/**
 * Repeats, for each questionnaire of `seed`, what GET /q/{token} (first view) and then POST
 * /q/{token} (a passing submission) do, step by step as src/gateway/questionnaire-member.ts does
 * them, timing each step. No HTTP, no contention: the cost of one request's parts.
 */
async function measurePhases(
  raw: Db,
  links: MemberLinks,
  attendance: AttendanceProducer,
  seed: SeededQuestionnaires,
): Promise<{ start: PhaseStat[]; submit: PhaseStat[]; pageBytes: { start: number; result: number } }> {
  const { db, count } = countingDb(raw);
  const times = new Map<string, { queries: number; ms: number[] }>();
  const pageBytes = { start: 0, result: 0 };
  const warm = Math.min(20, Math.floor(seed.links.length / 5));
  const step = async <T>(name: string, i: number, fn: () => Promise<T> | T): Promise<T> => {
    const q0 = count();
    const t = performance.now();
    const out = await fn();
    const ms = performance.now() - t;
    if (i >= warm) {
      let s = times.get(name);
      if (!s) times.set(name, (s = { queries: 0, ms: [] }));
      s.ms.push(ms);
      s.queries = count() - q0;
    }
    return out;
  };
  const total = (name: string, i: number, ms: number) => {
    if (i < warm) return;
    let s = times.get(name);
    if (!s) times.set(name, (s = { queries: 0, ms: [] }));
    s.ms.push(ms);
  };
  const heading = (q: NonNullable<Awaited<ReturnType<typeof getQuestionnaire>>>) => ({
    title: q.eventTitle,
    organiser: q.organiserName,
    date: italianDate(q.eventStart),
  });
  for (let i = 0; i < seed.links.length; i++) {
    const { token } = seed.links[i]!;
    const t0 = performance.now();
    // GET /q/{token}: open, start (draw, store), form.
    const check = await step('start: verify link (jose HS256)', i, () => links.verify('questionnaire', token, Date.now()));
    if (!check.ok) throw new Error('phases: link does not verify');
    const q = (await step('start: getQuestionnaire (questionnaire + attempts)', i, () => getQuestionnaire(db, check.subject)))!;
    const state = questionnaireState(
      q.attempts.map((a) => ({ number: a.number, submitted: a.submittedAt !== null, passed: a.passed })),
      q.deadline,
      Date.now(),
    );
    if (state.status !== 'open') throw new Error(`phases: questionnaire ${q.id} is ${state.status}`);
    const pool = await step('start: getPool (30 questions)', i, () => getPool(db, q.eventId));
    const draw = await step('start: draw', i, () =>
      drawQuestions(
        pool.map((p) => ({ id: p.id, optionCount: p.options.length })),
        [],
        crypto.randomInt,
      ),
    );
    const attempt = await step('start: startAttempt (insert + read attempts)', i, () =>
      startAttempt(db, q.id, 1, draw, new Date(), { addr: '127.0.0.1', userAgent: 'bench' }),
    );
    const served = await step('start: servedQuestions', i, () => servedQuestions(db, attempt.draw.questionIds));
    const html = await step('start: render form (hono/jsx)', i, () =>
      render(
        attemptPage({
          event: heading(q),
          memberName: q.memberName,
          attempt: attempt.number,
          deadline: deadlineText(q.deadline),
          askQuality: q.qualityAnswers === null,
          questions: attempt.draw.questionIds.map((id, k) => ({
            text: served.get(id)!.text,
            options: attempt.draw.optionOrder[k]!.map((o) => served.get(id)!.options[o]!),
          })),
          action: `/q/${token}`,
          reportAction: `/q/${token}/report`,
        }),
      ),
    );
    pageBytes.start = Buffer.byteLength(html);
    total('start: total', i, performance.now() - t0);

    // POST /q/{token}: open, score, store in one transaction, re-derive, reload, result.
    const t1 = performance.now();
    const check2 = await step('submit: verify link (jose HS256)', i, () => links.verify('questionnaire', token, Date.now()));
    if (!check2.ok) throw new Error('phases: link does not verify');
    const q2 = (await step('submit: getQuestionnaire (questionnaire + attempts)', i, () => getQuestionnaire(db, check2.subject)))!;
    const a2 = q2.attempts.find((a) => a.number === 1)!;
    const served2 = await step('submit: servedQuestions (the key)', i, () => servedQuestions(db, a2.draw.questionIds));
    const key = new Map([...served2].map(([id, s]) => [id, s.correct]));
    const chosen = a2.draw.questionIds.map((id, k) => a2.draw.optionOrder[k]!.indexOf(key.get(id)!));
    const score = scoreAttempt(a2.draw, chosen, key);
    const at = new Date();
    const decided = await step('submit: transaction (lock, submit, quality, decide)', i, () =>
      db.transaction(async (tx) => {
        if (!(await lockOpenQuestionnaire(tx, q2.id, at))) return false;
        if (!(await submitAttempt(tx, q2.id, 1, { answers: chosen, score: score.score, passed: score.passed, at }))) return false;
        await saveQualityAnswers(tx, q2.id, { q1: 8, q2: 7, q3: 6, q4: 9, q5: 8 }, at);
        return decideQuestionnaire(tx, q2.id, 'passed', at);
      }),
    );
    if (decided) await step('submit: request derivation (Redis)', i, () => attendance.requestDerivation(q2.eventId, 'questionnaire'));
    const stored = (await step('submit: getQuestionnaire again (the result)', i, () => getQuestionnaire(db, q2.id)))!;
    const html2 = await step('submit: render result (hono/jsx)', i, () =>
      render(
        resultPage({
          event: heading(stored),
          memberName: stored.memberName,
          attempt: 1,
          score: score.score,
          outOf: 5,
          passed: score.passed,
          retryAvailable: false,
          deadline: deadlineText(stored.deadline),
          retryAction: `/q/${token}/retry`,
          reportAction: `/q/${token}/report`,
        }),
      ),
    );
    pageBytes.result = Buffer.byteLength(html2);
    total('submit: total', i, performance.now() - t1);
  }
  const stats = (prefix: string): PhaseStat[] => {
    const steps = [...times.entries()].filter(([k]) => k.startsWith(prefix) && !k.endsWith('total'));
    return [...steps, [`${prefix}total`, times.get(`${prefix}total`)!] as const].map(([k, v]) => {
      const sorted = Float64Array.from(v.ms).sort();
      return {
        step: k.slice(prefix.length),
        queries: k.endsWith('total') ? steps.reduce((sum, [, x]) => sum + x.queries, 0) : v.queries,
        medianMs: Math.round(sorted[Math.floor(sorted.length / 2)]! * 1000) / 1000,
        p99Ms: latencyOf(v.ms, 1).p99,
      };
    });
  };
  return { start: stats('start: '), submit: stats('submit: '), pageBytes };
}

// -------------------------------------------------------------------------------------------------
// Main
// -------------------------------------------------------------------------------------------------

export interface QuestionnaireReport {
  kind: 'questionnaire';
  machine: Machine;
  options: Options;
  db: 'postgres' | 'pglite';
  processes: string;
  seeding: Array<{ tag: string; members: number; ms: number }>;
  phases: Awaited<ReturnType<typeof measurePhases>> | null;
  warmup: Pick<ScenarioResult, 'requests' | 'wallMs' | 'errors'> | null;
  scenarios: ScenarioResult[];
  /** With `--worker`: the credits of passed members granted after the run (R-QST-8). */
  credits: Array<{ eventId: string; granted: number; expected: number; settledMs: number | null }>;
}

/** Deletes a BullMQ prefix's keys (PGlite runs have no bench env to do it). */
async function deleteRedisPrefix(r: Redis, prefix: string) {
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
}

async function main() {
  const opts = parseOptions(process.argv.slice(2).filter((a) => a !== '--'));
  const log = (s: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);
  log(`questionnaire: ${JSON.stringify(opts)}`);

  // The database: a private Postgres schema (the bench env), or a PGlite directory of our own.
  let db: Db;
  let queuePrefix: string;
  let closeEnv: () => Promise<void>;
  let childEnv: Record<string, string>;
  let pgliteDir: string | null = null;
  let appName: string | null = null;
  if (opts.db === 'postgres') {
    const env = await createBenchEnv('questionnaire', { keep: opts.keep });
    db = env.db;
    queuePrefix = env.queuePrefix;
    closeEnv = () => env.close();
    const url = new URL(env.databaseUrl);
    if (opts.pgOptions) url.searchParams.set('options', `${url.searchParams.get('options') ?? ''} ${opts.pgOptions}`.trim());
    // Named connections: the CPU of the Postgres backends of the processes under test (gateway, worker) is told apart from other clients'.
    url.searchParams.set('application_name', `${GATEWAY_APP_NAME}-${env.id}`);
    appName = `${GATEWAY_APP_NAME}-${env.id}`;
    childEnv = { DATABASE_URL: url.toString() };
    log(`schema ${env.schema} on ${BENCH_DATABASE_URL.replace(/\/\/[^@]*@/, '//')}`);
  } else {
    const id = crypto.randomBytes(3).toString('hex');
    pgliteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-questionnaire-'));
    queuePrefix = `bench-questionnaire-${id}`;
    db = await openDb({ dataDir: path.join(pgliteDir, 'pglite') });
    await migrate(db);
    const dir = pgliteDir;
    closeEnv = async () => {
      await db.close().catch(() => {});
      const r = producerConnection(BENCH_REDIS_URL);
      await waitReady(r, 5000);
      if (opts.keep) console.log(`[bench] kept PGlite ${dir} and Redis prefix ${queuePrefix}`);
      else {
        await deleteRedisPrefix(r, queuePrefix);
        fs.rmSync(dir, { recursive: true, force: true });
      }
      r.disconnect();
    };
    // An empty DATABASE_URL: the runtime takes PGlite in DATA_DIR whatever this shell exports.
    childEnv = { DATABASE_URL: '', DATA_DIR: pgliteDir };
    log(`PGlite in ${pgliteDir}`);
  }

  const redis = producerConnection(BENCH_REDIS_URL);
  const services: Service[] = [];
  try {
    await waitReady(redis, 5000);
    const machine = await describeMachine(db, BENCH_REDIS_URL);
    const config = loadConfig({ QUEUE_PREFIX: queuePrefix, LOG_LEVEL: 'silent' });
    const attendance = createAttendanceProducer(redis, queuePrefix, config.DERIVE_DELAY_MS);
    const questionnaire = createQuestionnaireProducer(redis, queuePrefix);
    // The link secret the gateway will find in the database (LINK_SECRET unset, as by default).
    const links = memberLinks(await linkSecret(db, undefined));
    const deps: QuestionnaireWorkerDeps = {
      db,
      config,
      log: createLogger('silent'),
      now: Date.now,
      producer: questionnaire,
      attendance,
      mail: null,
      links,
      publicUrl: () => 'https://crediti.bench.invalid',
    };

    // Set-up, not measured: the members, then one event and 1,000 questionnaires per scenario.
    const t0 = performance.now();
    const members = await seedMembers(db, Math.max(opts.members, opts.warmupMembers, opts.phaseSamples));
    const scenarios: Array<{ mode: 'concurrency' | 'rate'; level: number }> = [
      ...opts.concurrency.map((level) => ({ mode: 'concurrency' as const, level })),
      ...opts.rates.map((level) => ({ mode: 'rate' as const, level })),
    ];
    const seeds: SeededQuestionnaires[] = [];
    for (const s of scenarios)
      seeds.push(await seedQuestionnaires(db, deps, members.slice(0, opts.members), `${s.mode === 'concurrency' ? 'C' : 'R'}${s.level}`));
    const warmSeed = opts.warmupMembers > 0 ? await seedQuestionnaires(db, deps, members.slice(0, opts.warmupMembers), 'W') : null;
    const phaseSeed = opts.phaseSamples > 0 ? await seedQuestionnaires(db, deps, members.slice(0, opts.phaseSamples), 'P') : null;
    await db.query('ANALYZE');
    log(
      `seeded ${members.length} members, ${seeds.length + (warmSeed ? 1 : 0) + (phaseSeed ? 1 : 0)} events with their questionnaires (real derivation and dispatch) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    // Phases, before anything else runs: one request at a time, in this process.
    let phases: QuestionnaireReport['phases'] = null;
    if (phaseSeed) {
      phases = await measurePhases(db, links, attendance, phaseSeed);
      log(
        `phases (median ms): start ${phases.start.find((p) => p.step === 'total')?.medianMs}, submit ${phases.submit.find((p) => p.step === 'total')?.medianMs}`,
      );
    }

    // The system under test.
    const common = { ...childEnv, REDIS_URL: BENCH_REDIS_URL, QUEUE_PREFIX: queuePrefix, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
    if (opts.db === 'pglite') await db.close(); // PGlite is single-process: the gateway takes it over
    const role = opts.db === 'pglite' ? 'all' : 'gateway';
    const gateway = await startService('gateway', 'src/main.ts', [role], common, undefined, GATEWAY_ROOT);
    services.push(gateway);
    const pids: Record<string, number> = { gateway: gateway.pid };
    let workerService: Service | null = null;
    let processes = `\`src/main.ts ${role}\` (pid ${gateway.pid})`;
    if (opts.worker && opts.db === 'postgres') {
      const worker = await startService('worker', 'src/main.ts', ['worker'], common, (l) => l.msg === 'started', GATEWAY_ROOT);
      services.push(worker);
      workerService = worker;
      pids.worker = worker.pid;
      processes += ` and \`src/main.ts worker\` (pid ${worker.pid})`;
    }
    log(`gateway: ${processes} at ${gateway.url}`);

    const backends = async () =>
      appName ? (await db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', [appName])).rows.map((r) => r.pid) : [];
    let warmup: QuestionnaireReport['warmup'] = null;
    if (warmSeed) {
      const w = await playMembers(gateway.url, warmSeed, 'concurrency', 20, { retry: opts.retry, thinkMs: 0, timeoutMs: opts.timeoutMs });
      warmup = { requests: w.samples.length, wallMs: Math.round(w.wallMs), errors: w.errors };
      log(`warm-up: ${w.samples.length} requests in ${Math.round(w.wallMs)} ms, errors ${JSON.stringify(w.errors)}`);
    }

    const results: Array<{ result: ScenarioResult; traces: MemberTrace[]; seed: SeededQuestionnaires }> = [];
    for (let k = 0; k < scenarios.length; k++) {
      const s = scenarios[k]!;
      await new Promise((r) => setTimeout(r, 1500)); // let the previous scenario's tail settle
      const r = await runScenario(gateway.url, seeds[k]!, s.mode, s.level, opts, pids, backends, opts.db === 'pglite' ? gateway : workerService);
      results.push({ ...r, seed: seeds[k]! });
      const l = r.result.latencyMs;
      log(
        `${r.result.name.padEnd(16)} ${r.result.requests} requests in ${r.result.wallMs} ms (${r.result.requestsPerSecond} req/s, ${r.result.membersPerSecond} members/s)  ` +
          `start p50 ${l.start.p50} p99 ${l.start.p99} max ${l.start.max}  submit p50 ${l.submit.p50} p99 ${l.submit.p99} max ${l.submit.max} ms  errors ${JSON.stringify(r.result.errors)}  cpu ${JSON.stringify(r.result.cpu)}`,
      );
      if (r.result.others.length) log(`  other busy processes: ${r.result.others.join('; ')}`);
    }

    // With a worker, the decisions re-derive the events: the passed members' credits turn granted.
    const credits: QuestionnaireReport['credits'] = [];
    if (opts.worker && opts.db === 'postgres') {
      for (const { seed } of results) {
        const expected = seed.links.filter((_, i) => planOf(i).first >= 4 || (opts.retry && (planOf(i).second ?? 0) >= 4)).length;
        const t = performance.now();
        let granted = 0;
        let settledMs: number | null = null;
        while (performance.now() - t < 60_000) {
          const { rows } = await db.query<{ n: number }>(
            "SELECT count(DISTINCT member_id)::int AS n FROM credit_records WHERE event_id = $1 AND status = 'granted'",
            [seed.eventId],
          );
          granted = rows[0]!.n;
          if (granted >= expected) {
            settledMs = Math.round(performance.now() - t);
            break;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
        credits.push({ eventId: seed.eventId, granted, expected, settledMs });
      }
    }

    for (const s of services.splice(0).reverse()) await s.stop();
    if (opts.db === 'pglite') {
      db = await openDb({ dataDir: path.join(pgliteDir!, 'pglite') });
    }
    for (const r of results) {
      r.result.check = await checkStore(db, r.seed, r.traces, opts.retry);
      if (!r.result.check.ok) log(`${r.result.name}: store check FAILED: ${JSON.stringify(r.result.check.violations)} ${r.result.check.examples.join(' | ')}`);
    }

    const report: QuestionnaireReport = {
      kind: 'questionnaire',
      machine,
      options: opts,
      db: opts.db,
      processes,
      seeding: [...seeds, ...(warmSeed ? [warmSeed] : []), ...(phaseSeed ? [phaseSeed] : [])].map((s) => ({
        tag: s.tag,
        members: s.links.length,
        ms: s.seedMs,
      })),
      phases,
      warmup,
      scenarios: results.map((r) => r.result),
      credits,
    };
    const outDir = path.join(HERE, 'out');
    fs.mkdirSync(outDir, { recursive: true });
    const outFile = path.join(outDir, `${machine.date.replace(/[:.]/g, '-')}-questionnaire${opts.db === 'pglite' ? '-pglite' : ''}.json`);
    fs.writeFileSync(outFile, JSON.stringify(report, null, 2));
    console.log(`\n${questionnaireMarkdown(report)}\n`);
    console.log(`[bench] report: ${path.relative(ROOT, outFile)}`);
    const failed = results.filter((r) => !r.result.check?.ok).length + credits.filter((c) => c.granted < c.expected).length;
    if (failed) {
      console.error(`[bench] ${failed} check(s) FAILED (see above)`);
      process.exitCode = 1;
    }
  } finally {
    for (const s of services.reverse()) await s.stop().catch(() => {});
    redis.disconnect();
    await closeEnv();
  }
}

// -------------------------------------------------------------------------------------------------
// Markdown
// -------------------------------------------------------------------------------------------------

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');

export function questionnaireMarkdown(r: QuestionnaireReport): string {
  const m = r.machine;
  const out: string[] = [
    `- Date: ${m.date}`,
    `- CPU: ${m.cpus} × ${m.cpuModel}; RAM ${m.memoryGiB} GiB; ${m.kernel}; load average at start ${m.loadAverage.join(' / ')}`,
    `- Node ${m.node}; ${
      r.db === 'pglite'
        ? 'PGlite (embedded, in the gateway process)'
        : `${m.postgres} (${Object.entries(m.postgresSettings)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')})`
    }; Redis ${m.redis}`,
    `- Under test: ${r.processes}; ${r.options.members.toLocaleString('en-US')} members per scenario, retry ${r.options.retry ? 'on' : 'off'}, think time ${r.options.thinkMs} ms, client timeout ${r.options.timeoutMs / 1000} s; the load generator (this process) on the same machine.${r.options.pgOptions ? ` Diagnostic Postgres options of the gateway: \`${r.options.pgOptions}\`.` : ''}`,
    '',
    `Latency in ms, from the request to the last byte of the page (open-loop starts from their scheduled time). CPU in % of one core over the scenario, and CPU ms per request.`,
    '',
    '| scenario | request | n | p50 | p90 | p99 | max | p99 ≤ 100 ms |',
    '|---|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const s of r.scenarios) {
    for (const k of ['start', 'submit', 'retry', 'start-2', 'submit-2'] as const) {
      const l = s.latencyMs[k];
      if (!l.n) continue;
      const target = k === 'start' || k === 'submit' ? (l.p99 <= QUESTIONNAIRE_TARGET.p99Ms ? 'yes' : '**no**') : '–';
      out.push(`| ${s.name} | ${k} | ${f0(l.n)} | ${f1(l.p50)} | ${f1(l.p90)} | ${f1(l.p99)} | ${f0(l.max)} | ${target} |`);
    }
  }
  out.push(
    '',
    '| scenario | wall s | requests | req/s | members/s | errors | gateway CPU % | Postgres CPU %: all (backends of the processes under test) | generator CPU % | other CPU % | CPU ms/request: gateway / Postgres (backends of the processes under test) / generator | store check |',
    '|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---|',
  );
  for (const s of r.scenarios) {
    const e = Object.entries(s.errors);
    const c = s.check;
    const check = !c
      ? '–'
      : c.ok
        ? `ok: ${f0(c.questionnaires)} questionnaires, ${f0(c.firstAttempts)} first + ${f0(c.secondAttempts)} second attempts, ≤ ${c.maxAttemptsPerMember} per member; ${f0(c.passed)} passed, ${f0(c.failed)} failed, ${f0(c.open)} open${c.membersWithErrors ? `; ${f0(c.membersWithErrors)} members stopped by a load error (${f0(c.storedWithoutAnswer)} attempts stored whose answer was lost)` : ''}`
        : `**FAILED**: ${Object.entries(c.violations)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}`;
    out.push(
      `| ${s.name} | ${(s.wallMs / 1000).toFixed(2)} | ${f0(s.requests)} | ${f0(s.requestsPerSecond)} | ${f0(s.membersPerSecond)} | ${e.length ? e.map(([k, v]) => `${k}: ${v}`).join(', ') : '0'} | ${s.cpu.gateway ?? '–'}${s.cpu.worker !== undefined ? ` (+ worker ${s.cpu.worker})` : ''} | ${r.db === 'pglite' ? 'in gateway' : `${s.cpu.postgres ?? '–'} (${s.cpu['postgres-own'] ?? '–'})`} | ${s.cpu.generator ?? '–'} | ${s.cpu.other ?? '–'} | ${s.cpuMsPerRequest.gateway} / ${r.db === 'pglite' ? '–' : `${s.cpuMsPerRequest.postgres} (${s.cpuMsPerRequest.postgresOwn ?? '–'})`} / ${s.cpuMsPerRequest.generator} | ${check} |`,
    );
  }
  const d = r.scenarios.filter((s) => s.derivations);
  if (d.length)
    out.push(
      '',
      `Derivations by the ${r.db === 'pglite' ? 'gateway process (role all)' : 'worker'} during the scenarios (each re-derives the whole event): ${d.map((s) => `${s.name}: ${s.derivations!.count}, median ${f0(s.derivations!.medianMs)} ms, max ${f0(s.derivations!.maxMs)} ms`).join('; ')}.`,
    );
  if (r.credits.length) {
    out.push(
      '',
      `Credits granted after the run (worker): ${r.credits.map((c) => `${c.granted}/${c.expected}${c.settledMs !== null ? ` in ${c.settledMs} ms` : ' (not settled in 60 s)'}`).join('; ')}.`,
    );
  }
  if (r.phases) {
    out.push(
      '',
      `One request at a time, step by step in the bench process (median and p99 of ${r.options.phaseSamples - Math.min(20, Math.floor(r.options.phaseSamples / 5))}, no HTTP; pages ${f0(r.phases.pageBytes.start)} and ${f0(r.phases.pageBytes.result)} bytes):`,
      '',
      '| request | step | statements | median ms | p99 ms |',
      '|---|---|---:|---:|---:|',
    );
    for (const [name, list] of [
      ['start (GET)', r.phases.start],
      ['submit (POST)', r.phases.submit],
    ] as const) {
      for (const p of list) out.push(`| ${name} | ${p.step === 'total' ? '**total**' : p.step} | ${p.queries} | ${p.medianMs.toFixed(3)} | ${f1(p.p99Ms)} |`);
    }
  }
  return out.join('\n');
}

runMain(main);
