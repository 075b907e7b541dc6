/**
 * @module bench/verification: the council's verification at the size of a large province (issue
 * 15): 30,000 members of one province, the February verification run and the xlsx export, each
 * as the background job the console hands to the verification worker (R-VER-11), measured in one
 * run: wall time (from asking to the job's row saying `done`) and the worker process's peak RSS.
 *
 *   npm run bench:verification [-- --members=30000 --records=30 --api --keep]
 *
 * Every option is also an environment variable BENCH_V_<NAME> (BENCH_V_MEMBERS=5000, ...).
 * Postgres: BENCH_DATABASE_URL (a private schema `bench_verification_<id>`, dropped at the end
 * unless `--keep`); Redis: BENCH_REDIS_URL (a private BullMQ prefix). BENCH_GATEWAY_ROOT,
 * BENCH_NODE_ARGS and BENCH_PROFILE work as for the other benches.
 *
 * The biennium is 2023–24, its February phase as of 28 February 2025: the worker runs on the real
 * clock, and that campaign is open (a later biennium's would refuse until its 1 January).
 *
 * Set-up (timed and printed, not measured), seeded straight into the tables with multi-row SQL:
 *   - `--members` members of Milan: 86 % registered before the biennium, 6 % during 2023 and 6 %
 *     in 2024 before December (pro-rated obligation: `new-member`), 2 % from December 2024 on
 *     (`not-due`);
 *   - 397 approved events from January 2023 to June 2025 (45 % 2023, 45 % 2024, 10 % 2025): in
 *     person 30 %, webinar 30 %, e-learning 20 %, videoconference 15 %, podcast 5 %; 1–8 credits,
 *     one in five with deontology credits;
 *   - credit histories by profile: 80 % regular (¾ to 1¼ of `--records` events of the biennium),
 *     12 % short (2–12), 3 % with an accepted debt of the biennium (few events, and credits of 2025
 *     that settle it: by February for half of them, from March for the others), 1 % with an
 *     approved reduction (a bit less than the full obligation); some webinar credits still pending;
 *   - then VACUUM ANALYZE.
 *
 * Measured, one after the other, each from the bench process asking through the service the
 * console calls (`requestVerificationRun`, `requestVerificationExport`) to the job's row `done`,
 * polled every 25 ms; the worker is `src/main.ts worker` in its own process (every worker, as in
 * production, with the Node flags `npm run start:worker` gives it; the ledger's start-up pass over
 * every member is let finish first). Its peak RSS is
 * the kernel's high-water mark (`VmHWM`), reset to the current RSS before each step:
 *   1. run: the February phase, the first version (30,000 balances through `balancesOf`, the
 *      digest, 30,000 rows stored); split into deriving (until the job reports stage `store`)
 *      and comparing and storing;
 *   2. run again: nothing new, so the same digest and nothing stored;
 *   3. xlsx export: the version written with exceljs's streaming writer into Postgres in chunks;
 *   4. CSV export: the same rows as CSV;
 *   5. with `--api` (default on): the API's `GET /v1/provinces/MI/verifications/2023/export?format=xlsx`
 *      through `src/main.ts gateway`, streamed to the bench, with the gateway's peak RSS.
 *
 * Checks (no timing assertions): the version has every member; the second run stores nothing; each
 * file read back (exceljs, csv-parse) has one row per member, every status in the snapshot's
 * aggregates' numbers; the API's file has the same cells as the job's.
 *
 * Markdown tables (the shape of bench/RESULTS.md) go to stdout, the raw figures to bench/out/.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.ts';
import { VERIFICATION_STATUS_TEXT } from '../src/domain/verification-export.ts';
import type { VerificationStatus } from '../src/domain/verification.ts';
import { createLogger } from '../src/log.ts';
import { createVerificationProducer } from '../src/queue/verification.ts';
import type { PersonActor } from '../src/services/actor.ts';
import { requestVerificationExport, requestVerificationRun, verificationJobFile } from '../src/services/council/verification-jobs.ts';
import { issueOperatorKey } from '../src/services/keys.ts';
import type { Db } from '../src/store/db.ts';
import { BENCH_REDIS_URL, createBenchEnv, parseFlags } from './lib/env.ts';
import { cpuBetween, describeMachine, snapshotCpu, type Machine } from './lib/machine.ts';
import { mib, peakRssBytes, resetPeakRss, rssBytes } from './lib/measure.ts';
import { codeUnderTest, GATEWAY_ROOT, ROOT, runMain, startService, type Service } from './lib/process.ts';
import { seededRandom } from '../test/support/seeded-random.ts';

const BIENNIUM = 2023;
const PROVINCE = 'MI';
/** What scripts/start.mjs starts a worker-only and a gateway-only process with. */
const PRODUCTION_NODE_ARGS = { worker: '--max-old-space-size=1024 --max-semi-space-size=8', gateway: '--max-old-space-size=1024' };
/** BENCH_NODE_ARGS as given (empty: no flags), else the production flags of each role. */
const USER_NODE_ARGS = process.env.BENCH_NODE_ARGS;
function nodeArgsFor(role: 'worker' | 'gateway'): string {
  process.env.BENCH_NODE_ARGS = USER_NODE_ARGS ?? PRODUCTION_NODE_ARGS[role];
  return process.env.BENCH_NODE_ARGS || 'none';
}
/** The targets of issue 15 for 30,000 members, run and xlsx export each. */
const TARGET = { seconds: 30, rssMiB: 300 };

interface Options {
  members: number;
  records: number;
  api: boolean;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const flags = parseFlags(argv);
  const get = (name: string) => flags.get(name) ?? process.env[`BENCH_V_${name.toUpperCase()}`];
  const o: Options = {
    members: Number(get('members') ?? 30_000),
    records: Number(get('records') ?? 30),
    api: (get('api') ?? 'true') !== 'false',
    keep: flags.has('keep') || process.env.BENCH_KEEP === '1',
  };
  if (!Number.isSafeInteger(o.members) || o.members < 100 || !Number.isSafeInteger(o.records) || o.records < 4)
    throw new Error(`bad options ${JSON.stringify(o)}`);
  return o;
}

// -------------------------------------------------------------------------------------------------
// Seed
// -------------------------------------------------------------------------------------------------

const iso = (ms: number) => new Date(ms).toISOString();
const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const dateOnly = (ms: number) => iso(ms).slice(0, 10);

interface SeedResult {
  ms: number;
  members: number;
  events: number;
  creditRecords: number;
  profiles: Record<string, number>;
}

async function seed(db: Db, o: Options, log: (s: string) => void): Promise<SeedResult> {
  const t0 = performance.now();
  const rnd = seededRandom(2023_15);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const between = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));

  // Members.
  const members = Array.from({ length: o.members }, (_, i) => {
    const r = rnd();
    const reg =
      r < 0.86
        ? day(1985 + Math.floor(rnd() * 37), 1 + Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28))
        : r < 0.92
          ? day(2023, 1 + Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28))
          : r < 0.98
            ? day(2024, 1 + Math.floor(rnd() * 11), 1 + Math.floor(rnd() * 28))
            : day(2024, 12, 1) + Math.floor(rnd() * 55) * 86_400_000;
    const p = rnd();
    const profile = p < 0.8 ? 'regular' : p < 0.92 ? 'short' : p < 0.95 ? 'debt' : p < 0.96 ? 'reduced' : 'regular';
    return { id: crypto.randomUUID(), i, reg: dateOnly(reg), profile };
  });
  for (let a = 0; a < members.length; a += 10_000) {
    const part = members.slice(a, a + 10_000);
    await db.query(
      `INSERT INTO members (id, codice_fiscale, surname, given_name, province, register_number, birth_date, registration_date, email)
       SELECT x.id, 'VRFMBR' || lpad(x.i::text, 9, '0') || 'Z', 'Cognome' || lpad(x.i::text, 6, '0'), 'Nome' || x.i, $3, (200000 + x.i)::text,
              '1975-05-05', x.reg, 'verifica' || x.i || '@studio.example.it'
       FROM unnest($1::uuid[], $2::int[], $4::date[]) AS x(id, i, reg)`,
      [part.map((m) => m.id), part.map((m) => m.i), PROVINCE, part.map((m) => m.reg)],
    );
  }
  log(`seed: ${members.length.toLocaleString('en-US')} members`);

  // Organisers and events.
  const { rows: orgs } = await db.query<{ id: string }>(
    `INSERT INTO organisers (id, name, kind, authorisation_number, authorised_from, authorised_until, allowed_modes)
     SELECT gen_random_uuid(), 'Ente di formazione bench ' || g, 'e', 'CN-BENCH-' || g, '2022-01-01', '2027-12-31',
            '{in-person,webinar,e-learning,podcast,videoconference}'
     FROM generate_series(1, 12) AS g RETURNING id`,
  );
  const MODES = [
    { mode: 'in-person', share: 0.3, credits: [2, 3, 4, 4, 6, 8] },
    { mode: 'webinar', share: 0.3, credits: [2, 2, 3, 3, 4] },
    { mode: 'e-learning', share: 0.2, credits: [1, 2, 3, 4, 5] },
    { mode: 'videoconference', share: 0.15, credits: [2, 3, 4] },
    { mode: 'podcast', share: 0.05, credits: [1, 1, 2] },
  ];
  const events = Array.from({ length: 397 }, (_, k) => {
    const r = rnd();
    const start =
      r < 0.45
        ? day(2023, 1, 8) + Math.floor(rnd() * 350) * 86_400_000
        : r < 0.9
          ? day(2024, 1, 8) + Math.floor(rnd() * 320) * 86_400_000
          : day(2025, 1, 8) + Math.floor(rnd() * 170) * 86_400_000;
    let m = rnd();
    const mode = MODES.find((x) => (m -= x.share) < 0) ?? MODES[0]!;
    const credits = pick(mode.credits);
    const deontology = rnd() < 0.2 ? Math.min(credits, 1 + Math.floor(rnd() * 2)) : 0;
    const at = start + (8 + Math.floor(rnd() * 6)) * 3_600_000;
    return { id: crypto.randomUUID(), k, org: orgs[k % orgs.length]!.id, mode: mode.mode, start: at, credits, deontology, year: new Date(at).getUTCFullYear() };
  });
  await db.query(
    `INSERT INTO events (id, organiser_id, cpo_province, title, mode, topics, start_at, end_at, credits, tolerance_minutes,
       accreditation_status, accreditation_requested_at, accreditation_decided_at, closed_at)
     SELECT x.id, x.org, $9, 'Corso ' || x.k || ': novità in materia di lavoro', x.mode,
            jsonb_build_array(jsonb_build_object('title', 'Corso ' || x.k, 'start', x.s, 'end', x.s + make_interval(hours => x.credits), 'deontology', x.dc > 0)),
            x.s, x.s + make_interval(hours => x.credits), x.credits, 30, 'approved', x.s - interval '40 days', x.s - interval '30 days',
            x.s + make_interval(hours => x.credits) + interval '1 day'
     FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::timestamptz[], $6::int[], $7::int[], $8::int[]) AS x(id, org, k, mode, s, credits, dc, y)`,
    [
      events.map((e) => e.id),
      events.map((e) => e.org),
      events.map((e) => e.k),
      events.map((e) => e.mode),
      events.map((e) => iso(e.start)),
      events.map((e) => e.credits),
      events.map((e) => e.deontology),
      events.map((e) => e.year),
      PROVINCE,
    ],
  );
  const inBiennium = events.filter((e) => e.year <= 2024);
  const byFeb = events.filter((e) => e.year === 2025 && e.start < day(2025, 3, 1));
  const afterFeb = events.filter((e) => e.year === 2025 && e.start >= day(2025, 3, 1));
  log(`seed: ${events.length} events (${inBiennium.length} in 2023–24, ${byFeb.length} in January–February 2025, ${afterFeb.length} later)`);

  // Credit records, debts, reductions.
  const rec = {
    member: [] as string[],
    event: [] as string[],
    credits: [] as number[],
    deo: [] as number[],
    mode: [] as string[],
    year: [] as number[],
    status: [] as string[],
    at: [] as string[],
  };
  const add = (member: string, pool: typeof events, n: number, seen = new Set<number>()) => {
    for (let t = 0; seen.size < n && t < n * 10; t++) {
      const e = pick(pool);
      if (seen.has(e.k)) continue;
      seen.add(e.k);
      rec.member.push(member);
      rec.event.push(e.id);
      rec.credits.push(e.credits);
      rec.deo.push(e.deontology);
      rec.mode.push(e.mode);
      rec.year.push(e.year);
      rec.status.push(e.mode === 'webinar' && rnd() < 0.05 ? 'pending' : 'granted');
      rec.at.push(iso(e.start + 86_400_000));
    }
    return seen;
  };
  const debts: Array<{ member: string; total: number }> = [];
  const reductions: string[] = [];
  const profiles: Record<string, number> = {};
  const quarter = Math.floor(o.records / 4);
  for (const m of members) {
    profiles[m.profile] = (profiles[m.profile] ?? 0) + 1;
    if (m.profile === 'regular') add(m.id, inBiennium, between(o.records - quarter, o.records + quarter));
    else if (m.profile === 'short') add(m.id, inBiennium, between(2, 12));
    else if (m.profile === 'reduced') {
      add(m.id, inBiennium, between(Math.floor(o.records / 2), o.records));
      reductions.push(m.id);
    } else {
      const seen = add(m.id, inBiennium, between(4, 10));
      debts.push({ member: m.id, total: between(5, 15) });
      add(m.id, rnd() < 0.5 ? byFeb : afterFeb, between(4, 8), seen);
    }
    // Regular members also go on in the next biennium (not counted for 2023–24).
    if (m.profile === 'regular' && rnd() < 0.3) add(m.id, [...byFeb, ...afterFeb], between(1, 3));
  }
  const CHUNK = 20_000;
  for (let a = 0; a < rec.member.length; a += CHUNK) {
    const s = <T>(xs: T[]) => xs.slice(a, a + CHUNK);
    await db.query(
      `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], array_fill(0, ARRAY[cardinality($1::uuid[])]), $3::int[], $4::int[], $5::text[], $6::int[], $7::text[], $8::timestamptz[])
       ON CONFLICT DO NOTHING`,
      [s(rec.member), s(rec.event), s(rec.credits), s(rec.deo), s(rec.mode), s(rec.year), s(rec.status), s(rec.at)],
    );
  }
  log(`seed: ${rec.member.length.toLocaleString('en-US')} credit records`);
  await db.query(
    `INSERT INTO debt_requests (id, member_id, province, biennium, total, deontology, filed_on, filed_at, status, decided_at, decided_by)
     SELECT gen_random_uuid(), x.member, $3, $4, x.total, least(2, x.total), '2025-01-20', '2025-01-20T09:00:00Z', 'accepted', '2025-02-05T09:00:00Z', 'cpo:bench'
     FROM unnest($1::uuid[], $2::int[]) AS x(member, total)`,
    [debts.map((d) => d.member), debts.map((d) => d.total), PROVINCE, BIENNIUM],
  );
  await db.query(
    `INSERT INTO reduction_requests (id, member_id, province, biennium, cause, input, computed, filed_on, filed_at, filing, status, decision, decided_at, decided_by, updated_at)
     SELECT gen_random_uuid(), x.member, $2, $3, 'illness', jsonb_build_object('from', '2024-01-01', 'to', '2024-06-30'),
            jsonb_build_object('ok', true, 'reduction', 12, 'deontology', 1, 'ordinary', 11), '2024-07-15', '2024-07-15T09:00:00Z',
            jsonb_build_object('inWindow', true), 'approved',
            jsonb_build_object('outcome', 'approved', 'reduction', 12, 'deontology', 1, 'ordinary', 11, 'validity', 'biennium', 'validUntil', null),
            '2024-09-20T09:00:00Z', 'cpo:bench', '2024-09-20T09:00:00Z'
     FROM unnest($1::uuid[]) AS x(member)`,
    [reductions, PROVINCE, BIENNIUM],
  );
  for (const t of ['members', 'events', 'credit_records', 'debt_requests', 'reduction_requests']) await db.query(`VACUUM ANALYZE ${t}`);
  return { ms: Math.round(performance.now() - t0), members: members.length, events: events.length, creditRecords: rec.member.length, profiles };
}

// -------------------------------------------------------------------------------------------------
// Steps
// -------------------------------------------------------------------------------------------------

interface Step {
  step: string;
  wallS: number;
  /** started_at → finished_at of the job (the worker's own time). */
  workerS: number | null;
  /** For a run: until the job reported stage `store` (all balances derived), and the rest. */
  deriveS?: number;
  storeS?: number;
  peakRssMiB: number;
  rssBeforeMiB: number;
  cpu: Record<string, number>;
  loadAverage: number[];
  detail: Record<string, unknown>;
}

async function waitForJob(db: Db, id: string): Promise<{ row: Record<string, unknown>; storeAt: number | null }> {
  let storeAt: number | null = null;
  for (;;) {
    const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM verification_jobs WHERE id = $1', [id]);
    const r = rows[0]!;
    if (storeAt === null && r.stage === 'store') storeAt = performance.now();
    if (r.status === 'done') return { row: r, storeAt };
    if (r.status === 'failed') throw new Error(`job ${id} failed: ${JSON.stringify(r.error)}`);
    await new Promise((res) => setTimeout(res, 25));
  }
}

async function measured(
  name: string,
  proc: Service,
  others: Record<string, number>,
  fn: () => Promise<{ detail: Record<string, unknown>; workerS?: number | null; derivedAt?: number | null }>,
): Promise<Step> {
  const loadAverage = (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100);
  const rssBefore = rssBytes(proc.pid);
  if (!resetPeakRss(proc.pid)) console.warn('[bench] cannot reset the peak RSS: figures are lifetime peaks');
  const cpu0 = snapshotCpu();
  const t0 = performance.now();
  const r = await fn();
  const wall = performance.now() - t0;
  const cpu1 = snapshotCpu();
  const step: Step = {
    step: name,
    wallS: Math.round(wall) / 1000,
    workerS: r.workerS ?? null,
    peakRssMiB: Math.round(mib(peakRssBytes(proc.pid))),
    rssBeforeMiB: Math.round(mib(rssBefore)),
    cpu: cpuBetween(cpu0, cpu1, { [proc.name]: proc.pid, bench: process.pid, ...others }).shares,
    loadAverage,
    detail: r.detail,
  };
  if (r.derivedAt != null) {
    step.deriveS = Math.round(r.derivedAt - t0) / 1000;
    step.storeS = Math.round(wall - (r.derivedAt - t0)) / 1000;
  }
  return step;
}

const jobSeconds = (row: Record<string, unknown>) => (Date.parse(String(row.finished_at)) - Date.parse(String(row.started_at))) / 1000;

async function readXlsx(buf: Buffer): Promise<string[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const rows: string[][] = [];
  wb.getWorksheet('Verifica')!.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v))));
  return rows;
}

function checkList(rows: string[][], byStatus: Record<string, number>, members: number, what: string, failures: string[]) {
  if (rows.length !== members + 1) failures.push(`${what}: ${rows.length - 1} rows, expected ${members}`);
  const words = new Map(Object.entries(VERIFICATION_STATUS_TEXT).map(([k, v]) => [v, k as VerificationStatus]));
  const counted: Record<string, number> = {};
  for (const r of rows.slice(1)) {
    const s = words.get(r[3]!) ?? `?${r[3]}`;
    counted[s] = (counted[s] ?? 0) + 1;
  }
  const expected = Object.fromEntries(Object.entries(byStatus).filter(([, n]) => n > 0));
  if (JSON.stringify(Object.entries(counted).sort()) !== JSON.stringify(Object.entries(expected).sort()))
    failures.push(`${what}: statuses ${JSON.stringify(counted)} differ from the aggregates ${JSON.stringify(expected)}`);
}

async function streamToBuffer(body: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of body as AsyncIterable<Buffer>) parts.push(p);
  return Buffer.concat(parts);
}

// -------------------------------------------------------------------------------------------------

async function main() {
  const o = parseOptions(process.argv.slice(2));
  const env = await createBenchEnv('verification', { keep: o.keep });
  const log = (s: string) => console.log(`[bench] ${s}`);
  const services: Service[] = [];
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: 1 });
  const producer = createVerificationProducer(redis, env.queuePrefix, 3);
  const failures: string[] = [];
  try {
    const machine: Machine = await describeMachine(env.db, BENCH_REDIS_URL);
    log(`code under test: ${codeUnderTest(['src', 'workers', 'adapters'])}; ${GATEWAY_ROOT === ROOT ? 'this checkout' : GATEWAY_ROOT}`);
    const seeded = await seed(env.db, o, log);
    log(`seed: ${(seeded.ms / 1000).toFixed(1)} s`);

    // SWEEP_INTERVAL_MS of an hour: the ledger's daily pass over every member (queued by its first
    // interval sweep) would otherwise run in the worker in the middle of the measurements.
    const childEnv = {
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      QUEUE_PREFIX: env.queuePrefix,
      LOG_LEVEL: 'info',
      PORT: '0',
      SWEEP_INTERVAL_MS: '3600000',
    };
    // The worker and the gateway get the Node flags `npm run start:worker` / `start:gateway` give
    // them (scripts/start.mjs), unless BENCH_NODE_ARGS says otherwise (BENCH_NODE_ARGS= for none).
    log(`Node flags of the worker: ${nodeArgsFor('worker')}`);
    const worker = await startService('worker', 'src/main.ts', ['worker'], childEnv, (l) => l.msg === 'started', GATEWAY_ROOT);
    services.push(worker);
    // The ledger's start-up pass over every member runs first in a fresh worker: let it finish.
    const ledger = new Queue('ledger', { connection: redis, prefix: env.queuePrefix });
    const t = performance.now();
    // (`delayed` always holds the sweep scheduler's next job: not counted.)
    for (let idle = 0; idle < 8; ) {
      const c = await ledger.getJobCounts('waiting', 'active', 'prioritized');
      idle = Object.values(c).reduce((s, n) => s + n, 0) === 0 ? idle + 1 : 0;
      if (performance.now() - t > 15 * 60_000) throw new Error(`the ledger queue did not drain: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    await ledger.close();
    log(`worker idle after its start-up passes (${((performance.now() - t) / 1000).toFixed(0)} s)`);

    const config = loadConfig({ ...childEnv });
    const ctx = { db: env.db, now: Date.now, log: createLogger('silent'), config, verification: producer };
    const actor: PersonActor = { role: 'cpo', subject: PROVINCE, userId: crypto.randomUUID() };
    const input = { province: PROVINCE, biennium: BIENNIUM, phase: 'february' as const };
    const steps: Step[] = [];

    const run = async (label: string) =>
      measured(label, worker, {}, async () => {
        const { job } = await requestVerificationRun(ctx, actor, input);
        const { row, storeAt } = await waitForJob(env.db, job.id);
        return { detail: row.result as Record<string, unknown>, workerS: jobSeconds(row), derivedAt: storeAt };
      });
    steps.push(await run('run (February), first version'));
    const first = steps[0]!.detail as { version: number; changed: boolean; members: number };
    if (!first.changed || first.members !== o.members) failures.push(`first run: ${JSON.stringify(first)}`);
    steps.push(await run('run again, nothing new'));
    if ((steps[1]!.detail as { changed: boolean }).changed) failures.push('second run stored a version');

    const { rows: snap } = await env.db.query<{ aggregates: { byStatus: Record<string, number> }; digest: string }>(
      `SELECT aggregates, digest FROM verification_snapshots WHERE province = $1 AND biennium = $2 AND phase = 'february' AND version = 1`,
      [PROVINCE, BIENNIUM],
    );
    const byStatus = snap[0]!.aggregates.byStatus;

    const files: Record<string, Buffer> = {};
    for (const format of ['xlsx', 'csv'] as const) {
      steps.push(
        await measured(`${format} export`, worker, {}, async () => {
          const { job } = await requestVerificationExport(ctx, actor, { ...input, version: 1, format });
          const { row } = await waitForJob(env.db, job.id);
          return { detail: row.result as Record<string, unknown>, workerS: jobSeconds(row) };
        }),
      );
      const jobId = (
        await env.db.query<{ id: string }>("SELECT id FROM verification_jobs WHERE kind = 'export' AND format = $1 ORDER BY requested_at DESC LIMIT 1", [
          format,
        ])
      ).rows[0]!.id;
      files[format] = await streamToBuffer((await verificationJobFile(ctx, actor, jobId)).body);
    }
    const xlsxRows = await readXlsx(files.xlsx!);
    checkList(xlsxRows, byStatus, o.members, 'xlsx export', failures);
    const csvRows = parse(files.csv!, { delimiter: ';', bom: true }) as string[][];
    checkList(csvRows, byStatus, o.members, 'CSV export', failures);
    if (JSON.stringify(csvRows.slice(1, 50)) !== JSON.stringify(xlsxRows.slice(1, 50))) failures.push('CSV and xlsx rows differ');

    if (o.api) {
      log(`Node flags of the gateway: ${nodeArgsFor('gateway')}`);
      const gateway = await startService('gateway', 'src/main.ts', ['gateway'], childEnv, undefined, GATEWAY_ROOT);
      services.push(gateway);
      const key = (await issueOperatorKey(env.db, { role: 'cpo', subject: PROVINCE, label: 'bench' })).key;
      let apiFile = Buffer.alloc(0);
      steps.push(
        await measured('xlsx export over the API (gateway)', gateway, { worker: worker.pid }, async () => {
          const res = await fetch(`${gateway.url}/v1/provinces/${PROVINCE}/verifications/${BIENNIUM}/export?format=xlsx&version=1`, {
            headers: { authorization: `Bearer ${key}` },
          });
          if (res.status !== 200) throw new Error(`API export ${res.status}: ${await res.text()}`);
          apiFile = Buffer.from(await res.arrayBuffer());
          return { detail: { bytes: apiFile.length } };
        }),
      );
      const apiRows = await readXlsx(apiFile);
      if (JSON.stringify(apiRows) !== JSON.stringify(xlsxRows)) failures.push('the API file differs from the job file');
    }

    // Report.
    const lines = [
      `## Verification of ${o.members.toLocaleString('en-US')} members (issue 15)`,
      '',
      `- Seed: ${seeded.creditRecords.toLocaleString('en-US')} credit records over ${seeded.events} events, profiles ${JSON.stringify(seeded.profiles)}, ${(seeded.ms / 1000).toFixed(0)} s`,
      `- February statuses: ${Object.entries(byStatus)
        .filter(([, n]) => n)
        .map(([k, n]) => `${k} ${n.toLocaleString('en-US')}`)
        .join(', ')}`,
      `- Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.kernel}; Node ${machine.node}; ${machine.postgres}; Redis ${machine.redis}; load average at start ${machine.loadAverage.join(' / ')}`,
      '',
      `| step | wall s | worker's own s | derive s | compare + store s | peak RSS MiB (RSS before) | CPU %: measured process / Postgres / other | result |`,
      '|---|---:|---:|---:|---:|---:|---|---|',
      ...steps.map(
        (s) =>
          `| ${s.step} | ${s.wallS.toFixed(1)} | ${s.workerS?.toFixed(1) ?? '–'} | ${s.deriveS?.toFixed(1) ?? '–'} | ${s.storeS?.toFixed(1) ?? '–'} | ${s.peakRssMiB} (${s.rssBeforeMiB}) | ${
            s.cpu[s.step.includes('API') ? 'gateway' : 'worker']
          } / ${s.cpu.postgres} / ${s.cpu.other} | ${JSON.stringify(s.detail).slice(0, 120)} |`,
      ),
      '',
      `Targets (${o.members.toLocaleString('en-US')} members): ≤ ${TARGET.seconds} s and ≤ ${TARGET.rssMiB} MB RSS for the run and for the xlsx export.`,
      `Checks: ${failures.length ? `FAILED: ${failures.join('; ')}` : 'all passed'}`,
    ];
    console.log(`\n${lines.join('\n')}\n`);
    const outDir = path.join(ROOT, 'bench', 'out');
    fs.mkdirSync(outDir, { recursive: true });
    const outFile = path.join(outDir, `${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}-verification.json`);
    fs.writeFileSync(outFile, JSON.stringify({ options: o, machine, seed: seeded, byStatus, steps, failures }, null, 2));
    log(`raw figures: ${path.relative(ROOT, outFile)}`);
    if (failures.length) process.exitCode = 1;
  } finally {
    for (const s of services) await s.stop();
    await producer.close();
    redis.disconnect();
    await env.close();
  }
}

runMain(main);
