/**
 * @module bench/balance: member balances at the size of a large register (issue 5). How long it
 * takes to derive every member's balance of a biennium (a CN or CPO overview, an export), and how
 * fast one member's balance is answered over HTTP, with the share of the time spent in SQL and in
 * the pure derivation.
 *
 *   npm run bench:balance [-- --members=30000 --records=40 --batches=500,1000,2000 --rounds=1 --breakdown=1000
 *                             --page=1000 --concurrency=1,10,50 --duration=15 --warmup=5 --samples=500 --checks=50 --keep]
 *
 * Every option is also an environment variable BENCH_B_<NAME> (BENCH_B_MEMBERS=5000, ...).
 * Postgres: BENCH_DATABASE_URL (a private schema `bench_balance_<id>`, dropped at the end unless
 * `--keep`); Redis: BENCH_REDIS_URL (the gateway process needs it at start; nothing is queued).
 * BENCH_GATEWAY_ROOT, BENCH_NODE_ARGS and BENCH_PROFILE work as for the other benches.
 *
 * Set-up (timed and printed, not measured): seeded straight into the tables with multi-row SQL
 * (unnest of arrays, generate_series), not through the API:
 *   - `--members` members over every province, a few large ones (Milan, Rome, Naples, Turin) and
 *     a long tail; 12 % registered in 2025 or 2026 (pro-rated obligation);
 *   - a few hundred approved events (a prime number, ≥ 397) from January 2025 to June 2027
 *     (45 % 2025, 45 % 2026, 10 % 2027): in person 30 %, webinar 30 %, e-learning 20 %,
 *     videoconference 15 %, podcast 5 %; 1–8 credits, one in five with deontology credits;
 *   - about `--records` credit records per member (¾ to 1¼ of it), each a different event, so
 *     every event is shared by thousands of members; webinar credits sometimes still pending;
 *   - art. 9 declarations of 5 % of the members (1–2 each, with their member_documents row):
 *     80 % validated, 15 % submitted, 5 % rejected;
 *   - distance grants: one per member for 1 % of the members (parenthood, 60 %) and one province
 *     grant (Naples, 80 %); transfers between provinces of 0.5 %; accepted debts of the 2023
 *     biennium of 3 % (settled by 2025 credits) and some rejected ones; approved reductions of
 *     the 2025 biennium of 0.5 %;
 *   - then VACUUM ANALYZE (hint bits and statistics as autovacuum would leave them).
 *
 * Measured, side by side in one run (biennium 2025, as of today's Rome date):
 *   1. derive all, in this process: every member's balance through `balancesOf` (the function the
 *      routes call), in batches of each `--batches` size, members in id order; a warm pass first
 *      (reported, left out of the ratios), then `--rounds` rounds in ABBA order; then a pass per
 *      `--breakdown` size split into `loadMemberFacts` (each statement timed, and the time with
 *      one in flight against the loader's own JavaScript), `memberBalance` (the pure derivation)
 *      and `JSON.stringify` of each balance (what the single-member route answers); then the
 *      Rome-calendar conversions alone on the same rows (`calendarShare`);
 *   2. derive all over HTTP: `GET /v1/balances?biennium=2025&province=XX&limit=1000` with a CN key,
 *      every province in turn, following `next`; and the same without `province` (all members);
 *   3. one member over HTTP: `GET /v1/members/{id}/balance?biennium=2025`, a random member each
 *      time, closed loop at each `--concurrency` (requests in flight) for `--duration` seconds,
 *      after `--warmup` seconds at 10 in flight; with a CN key, and with a CPO key (Milan) on its
 *      members at 10; beside it, `balancesOf` for one member in this process (`--samples`).
 * The gateway is `src/main.ts gateway` in its own process (pool of 10 connections). Latency is
 * from the request to the last byte. CPU of the gateway, Postgres, this process and the rest of
 * the machine is read from /proc around each step; the load average before each step is printed.
 *
 * Checks (no timing assertions anywhere): the HTTP body of sampled members equals this process's
 * derivation; the listing names every member once and its counted credits add up to the
 * in-process pass; every pass derives the same totals.
 *
 * Markdown tables (the shape of bench/RESULTS.md) go to stdout, the raw figures to bench/out/.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { DateTime } from 'luxon';
import { Pool } from 'undici';
import { romeDate, yearOf } from '../src/domain/calendar.ts';
import { memberBalance, type MemberBalance } from '../src/domain/member-balance.ts';
import { PROVINCES } from '../src/domain/provinces.ts';
import { balancesOf } from '../src/services/balance/balances.ts';
import { issueOperatorKey } from '../src/services/keys.ts';
import { loadMemberFacts } from '../src/store/balance.ts';
import { openDb, type Db, type Queryable } from '../src/store/db.ts';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, createBenchEnv, parseFlags } from './lib/env.ts';
import { cpuBetween, describeMachine, snapshotCpu, type CpuShare, type Machine } from './lib/machine.ts';
import { codeUnderTest, GATEWAY_ROOT, ROOT, startService, type Service, runMain } from './lib/process.ts';
import { latencyOf, type Latency } from './lib/measure.ts';
import { seededRandom } from '../test/support/seeded-random.ts';

const BIENNIUM = 2025;
const GATEWAY_APP_NAME = 'bench-balance';

// -------------------------------------------------------------------------------------------------
// Options
// -------------------------------------------------------------------------------------------------

interface Options {
  members: number;
  /** Mean credit records per member. */
  records: number;
  /** Batch sizes of the in-process derive-all passes. */
  batches: number[];
  /** Rounds of the in-process passes (each round runs every batch size once, ABBA order). */
  rounds: number;
  /** Batch sizes of the split passes (load, derivation, JSON timed apart). */
  breakdown: number[];
  /** Requests in flight, single-member scenarios. */
  concurrency: number[];
  /** Seconds per single-member scenario. */
  durationS: number;
  /** Seconds of unreported warm-up before the single-member scenarios. */
  warmupS: number;
  /** `limit` of the HTTP listing. */
  page: number;
  /** In-process single-member samples. */
  samples: number;
  /** Members whose HTTP balance is compared with the in-process derivation. */
  checks: number;
  keep: boolean;
}

function parseOptions(argv: string[]): Options {
  const flags = parseFlags(argv);
  const get = (name: string) => flags.get(name) ?? process.env[`BENCH_B_${name.toUpperCase().replace(/-/g, '_')}`];
  const num = (name: string, dflt: number) => Number(get(name) ?? dflt);
  const nums = (name: string, dflt: string) =>
    (get(name) ?? dflt)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number);
  const o: Options = {
    members: num('members', 30_000),
    records: num('records', 40),
    batches: nums('batches', '500,1000,2000'),
    rounds: num('rounds', 1),
    breakdown: nums('breakdown', '1000'),
    concurrency: nums('concurrency', '1,10,50'),
    durationS: num('duration', 15),
    warmupS: num('warmup', 5),
    page: num('page', 1000),
    samples: num('samples', 500),
    checks: num('checks', 50),
    keep: flags.has('keep') || process.env.BENCH_KEEP === '1',
  };
  for (const n of [o.members, o.records, o.rounds, o.durationS, o.page, ...o.batches, ...o.breakdown, ...o.concurrency]) {
    if (!Number.isSafeInteger(n) || n <= 0) throw new Error(`bad number in options: ${JSON.stringify(o)}`);
  }
  if (o.page > 1000) throw new Error('--page: the route allows at most 1000');
  return o;
}

// -------------------------------------------------------------------------------------------------
// Seed
// -------------------------------------------------------------------------------------------------

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

const iso = (ms: number) => new Date(ms).toISOString();
const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const dateOnly = (ms: number) => iso(ms).slice(0, 10);

export interface SeedResult {
  ms: number;
  steps: Array<{ step: string; rows: number; ms: number }>;
  members: number;
  events: number;
  creditRecords: number;
  tableSizes: Array<{ table: string; mib: number }>;
  /** Members per province, the largest first (for the paging report). */
  provinces: Array<{ province: string; members: number }>;
}

/** The province of each member: the four largest, then a long tail over every other province. */
function provinceWeights(): Array<{ code: string; w: number }> {
  const big: Record<string, number> = { MI: 9, RM: 9, NA: 7, TO: 4, BA: 3, PA: 3, BO: 2.5, FI: 2.5, GE: 2, VE: 2, SA: 2, CT: 2, BS: 2, BG: 2, PD: 2, VR: 2 };
  return PROVINCES.map((p) => ({ code: p.code, w: big[p.code] ?? 0.55 }));
}

async function seed(db: Db, o: Options, log: (s: string) => void): Promise<SeedResult> {
  const t0 = performance.now();
  const steps: SeedResult['steps'] = [];
  const timed = async (step: string, fn: () => Promise<number>) => {
    const t = performance.now();
    const rows = await fn();
    steps.push({ step, rows, ms: Math.round(performance.now() - t) });
    log(`seed: ${step}: ${rows.toLocaleString('en-US')} rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  };
  const rnd = seededRandom(20251);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;

  // Members.
  const weights = provinceWeights();
  const wsum = weights.reduce((s, x) => s + x.w, 0);
  const provinceOf = () => {
    let r = rnd() * wsum;
    for (const x of weights) if ((r -= x.w) < 0) return x.code;
    return weights[weights.length - 1]!.code;
  };
  const members = Array.from({ length: o.members }, (_, i) => {
    const r = rnd();
    // 88 % registered before 2025, 6 % during 2025, 6 % during 2026 (pro-rated obligation, R-OBL-3).
    const reg =
      r < 0.88
        ? day(1985 + Math.floor(rnd() * 40), 1 + Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28))
        : r < 0.94
          ? day(2025, 1 + Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28))
          : day(2026, 1 + Math.floor(rnd() * 10), 1 + Math.floor(rnd() * 28));
    return {
      id: crypto.randomUUID(),
      i,
      province: provinceOf(),
      birth: dateOnly(day(1950 + Math.floor(rnd() * 48), 1 + Math.floor(rnd() * 12), 1 + Math.floor(rnd() * 28))),
      reg: dateOnly(reg),
    };
  });
  await timed('members', async () => {
    for (let a = 0; a < members.length; a += 10_000) {
      const part = members.slice(a, a + 10_000);
      await db.query(
        `INSERT INTO members (id, codice_fiscale, surname, given_name, province, register_number, birth_date, registration_date, email)
         SELECT x.id, 'BNCMBR' || lpad(x.i::text, 9, '0') || 'Z', 'Cognome' || lpad(x.i::text, 6, '0'), 'Nome' || x.i, x.prov, (100000 + x.i)::text,
                x.birth, x.reg, 'member' || x.i || '@studio.example.it'
         FROM unnest($1::uuid[], $2::int[], $3::text[], $4::date[], $5::date[]) AS x(id, i, prov, birth, reg)`,
        [part.map((m) => m.id), part.map((m) => m.i), part.map((m) => m.province), part.map((m) => m.birth), part.map((m) => m.reg)],
      );
    }
    return members.length;
  });

  // Organisers and events: a few hundred (a prime count, so that member i's events i·a + j·b mod E are distinct).
  let E = Math.max(397, 2 * o.records + 1);
  while (!isPrime(E)) E++;
  const organisers: string[] = [];
  await timed('organisers', async () => {
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO organisers (id, name, kind, authorisation_number, authorised_from, authorised_until, allowed_modes)
       SELECT gen_random_uuid(), 'Ente di formazione bench ' || g, 'e', 'CN-BENCH-' || g, '2024-01-01', '2028-12-31',
              '{in-person,webinar,e-learning,podcast,videoconference}'
       FROM generate_series(1, 12) AS g RETURNING id`,
    );
    organisers.push(...rows.map((r) => r.id));
    return rows.length;
  });
  const MODES: Array<{ mode: string; share: number; credits: number[] }> = [
    { mode: 'in-person', share: 0.3, credits: [2, 3, 4, 4, 6, 8] },
    { mode: 'webinar', share: 0.3, credits: [2, 2, 3, 3, 4] },
    { mode: 'e-learning', share: 0.2, credits: [1, 2, 3, 4, 5] },
    { mode: 'videoconference', share: 0.15, credits: [2, 3, 4] },
    { mode: 'podcast', share: 0.05, credits: [1, 1, 2] },
  ];
  const events = Array.from({ length: E }, (_, k) => {
    const r = rnd();
    // 45 % in 2025, 45 % in 2026 (until mid-November), 10 % in the first half of 2027.
    const start =
      r < 0.45
        ? day(2025, 1, 8) + Math.floor(rnd() * 350) * 86_400_000
        : r < 0.9
          ? day(2026, 1, 8) + Math.floor(rnd() * 310) * 86_400_000
          : day(2027, 1, 8) + Math.floor(rnd() * 170) * 86_400_000;
    let m = rnd();
    const mode = MODES.find((x) => (m -= x.share) < 0) ?? MODES[0]!;
    const credits = pick(mode.credits);
    const deontology = rnd() < 0.2 ? Math.min(credits, 1 + Math.floor(rnd() * 2)) : 0;
    const at = start + (9 + Math.floor(rnd() * 6)) * 3_600_000 - 3_600_000; // 8:00–13:00 UTC
    return {
      id: crypto.randomUUID(),
      organiser: organisers[k % organisers.length]!,
      province: pick(['MI', 'RM', 'NA', 'TO', 'BO', 'FI', 'BA', 'PA', 'VE', 'GE']),
      title: `${mode.mode === 'in-person' ? 'Convegno' : mode.mode === 'podcast' ? 'Podcast' : 'Corso'} ${k + 1}: novità in materia di lavoro e previdenza`,
      mode: mode.mode,
      start: iso(at),
      end: iso(at + credits * 3_600_000),
      credits,
      deontology,
      year: new Date(at).getUTCFullYear(),
    };
  });
  await timed('events', async () => {
    await db.query(
      `INSERT INTO events (id, organiser_id, cpo_province, title, mode, topics, start_at, end_at, credits, tolerance_minutes,
         accreditation_status, accreditation_requested_at, accreditation_decided_at, closed_at)
       SELECT x.id, x.org, x.prov, x.title, x.mode,
              jsonb_build_array(jsonb_build_object('title', x.title, 'start', x.s, 'end', x.e, 'deontology', x.dc > 0)),
              x.s, x.e, x.credits, 30, 'approved', x.s - interval '40 days', x.s - interval '30 days', x.e + interval '1 day'
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::int[], $9::int[])
            AS x(id, org, prov, title, mode, s, e, credits, dc)`,
      [
        events.map((e) => e.id),
        events.map((e) => e.organiser),
        events.map((e) => e.province),
        events.map((e) => e.title),
        events.map((e) => e.mode),
        events.map((e) => e.start),
        events.map((e) => e.end),
        events.map((e) => e.credits),
        events.map((e) => e.deontology),
      ],
    );
    return events.length;
  });

  // Credit records: member i has recMin + (i mod spread) events, event index (7919·i + j·step_i) mod E.
  // Generated member by member into an unlogged staging table, then stored in the order of the
  // events, as the derivations write them (one event at a time): a member's records are spread
  // over the table as in production, not side by side.
  const quarter = Math.floor(o.records / 4);
  const recMin = o.records - quarter;
  const spread = 2 * quarter + 1;
  let creditRecords = 0;
  await timed('credit_records', async () => {
    await db.query(`CREATE UNLOGGED TABLE seed_credit_records (LIKE credit_records)`);
    const CHUNK = 5000;
    for (let a = 0; a < members.length; a += CHUNK) {
      const part = members.slice(a, a + CHUNK);
      await db.query(
        `INSERT INTO seed_credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
         SELECT m.id, e.id, 0, e.credits, e.dc, e.mode, e.year,
                CASE WHEN e.mode = 'webinar' AND (m.i + j) % 13 = 0 THEN 'pending' ELSE 'granted' END,
                e.ends + interval '2 hours'
         FROM unnest($1::uuid[], $2::int[]) AS m(id, i)
         CROSS JOIN LATERAL generate_series(0, $3::int + m.i % $4::int - 1) AS j
         JOIN unnest($5::uuid[], $6::int[], $7::int[], $8::text[], $9::int[], $10::timestamptz[]) WITH ORDINALITY AS e(id, credits, dc, mode, year, ends, o)
           ON e.o - 1 = (m.i::bigint * 7919 + j::bigint * (1 + (m.i * 31) % ($11::int - 1))) % $11::int`,
        [
          part.map((m) => m.id),
          part.map((m) => m.i),
          recMin,
          spread,
          events.map((e) => e.id),
          events.map((e) => e.credits),
          events.map((e) => e.deontology),
          events.map((e) => e.mode),
          events.map((e) => e.year),
          events.map((e) => e.end),
          E,
        ],
      );
    }
    const r = await db.query(`INSERT INTO credit_records SELECT * FROM seed_credit_records ORDER BY derived_at, event_id, member_id`);
    await db.query(`DROP TABLE seed_credit_records`);
    creditRecords = r.rowCount;
    return creditRecords;
  });

  // Art. 9 declarations (with the attested document each), 5 % of the members.
  const ART9 = [
    { activity: 'a', quantity: [2, 3, 4], text: 'Relazione al convegno provinciale sul lavoro agile' },
    { activity: 'e', quantity: [1, 2], text: 'Articolo su rivista specializzata in materia previdenziale' },
    { activity: 'l-discipline', quantity: [2, 3, 4], text: 'Sedute del consiglio di disciplina territoriale' },
    { activity: 'f-dominus', quantity: [1, 2], text: 'Semestri di tirocinio del praticante completati' },
    { activity: 'i', quantity: [2, 4, 6], text: 'Commissione di studio del CPO' },
    { activity: 'b', quantity: [3, 6], text: 'Docenza al corso per praticanti' },
  ];
  const docs: Array<{ id: string; member: string; uploaded: string }> = [];
  const decls: Array<{
    id: string;
    member: string;
    province: string;
    activity: string;
    quantity: number;
    date: string;
    text: string;
    doc: string;
    status: string;
  }> = [];
  for (const m of members) {
    if (rnd() >= 0.05) continue;
    for (let k = 0, n = rnd() < 0.7 ? 1 : 2; k < n; k++) {
      const a = pick(ART9);
      const date = day(2025, 1, 10) + Math.floor(rnd() * 640) * 86_400_000;
      const s = rnd();
      const doc = crypto.randomUUID();
      docs.push({ id: doc, member: m.id, uploaded: iso(date + 20 * 86_400_000) });
      decls.push({
        id: crypto.randomUUID(),
        member: m.id,
        province: m.province,
        activity: a.activity,
        quantity: pick(a.quantity),
        date: dateOnly(date),
        text: a.text,
        doc,
        status: s < 0.8 ? 'validated' : s < 0.95 ? 'submitted' : 'rejected',
      });
    }
  }
  await timed('member_documents + art9_declarations', async () => {
    await db.query(
      `INSERT INTO member_documents (id, member_id, name, content_type, size, sha256, body, uploaded_at)
       SELECT x.id, x.member, 'attestazione.pdf', 'application/pdf', 2048, encode(sha256(decode(repeat('25', 2048), 'hex')), 'hex'),
              decode(repeat('25', 2048), 'hex'), x.at
       FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[]) AS x(id, member, at)`,
      [docs.map((d) => d.id), docs.map((d) => d.member), docs.map((d) => d.uploaded)],
    );
    await db.query(
      `INSERT INTO art9_declarations (id, member_id, province, activity, quantity, activity_date, description, document_id, filed_at, status, decided_at, decided_by)
       SELECT x.id, x.member, x.prov, x.activity, x.quantity, x.d, x.txt, x.doc, x.d + interval '20 days', x.status,
              CASE WHEN x.status = 'submitted' THEN NULL ELSE x.d + interval '40 days' END,
              CASE WHEN x.status = 'submitted' THEN NULL ELSE 'cpo:bench' END
       FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::int[], $6::date[], $7::text[], $8::uuid[], $9::text[])
            AS x(id, member, prov, activity, quantity, d, txt, doc, status)`,
      [
        decls.map((d) => d.id),
        decls.map((d) => d.member),
        decls.map((d) => d.province),
        decls.map((d) => d.activity),
        decls.map((d) => d.quantity),
        decls.map((d) => d.date),
        decls.map((d) => d.text),
        decls.map((d) => d.doc),
        decls.map((d) => d.status),
      ],
    );
    return docs.length + decls.length;
  });

  // Distance grants: one per member for 1 % (parenthood, 60 %), one province grant (Naples, 80 %).
  const granted = members.filter(() => rnd() < 0.01);
  await timed('distance_grants + distance_grant_members', async () => {
    const ids = granted.map(() => crypto.randomUUID());
    await db.query(
      `INSERT INTO distance_grants (id, scope, province, ground, pct, deliberation, valid_from, valid_until, granted_by, granted_at)
       SELECT x.id, 'member', x.prov, 'parenthood', 60, 'Delibera CPO n. ' || x.n || '/2025', '2025-03-01', '2026-12-31', 'cpo:bench', '2025-02-20T10:00:00Z'
       FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS x(id, prov, n)`,
      [ids, granted.map((m) => m.province)],
    );
    await db.query(`INSERT INTO distance_grant_members (grant_id, member_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])`, [ids, granted.map((m) => m.id)]);
    await db.query(
      `INSERT INTO distance_grants (id, scope, province, ground, pct, deliberation, cn_opinion, valid_from, valid_until, granted_by, granted_at)
       VALUES ($1, 'province', 'NA', 'province', 80, 'Delibera CPO Napoli n. 7/2025', 'Parere CN favorevole 3/2025', '2025-01-01', '2026-12-31', 'cpo:bench', '2025-01-15T10:00:00Z')`,
      [crypto.randomUUID()],
    );
    return 2 * granted.length + 1;
  });

  // Transfers (0.5 %), debts of 2023 (3 % accepted, 0.5 % rejected), reductions of 2025 (0.5 % approved).
  const transferred = members.filter(() => rnd() < 0.005);
  const debts = members.flatMap((m) => {
    const r = rnd();
    if (r >= 0.035) return [];
    const total = 1 + Math.floor(rnd() * 9);
    return [{ member: m.id, province: m.province, total, deontology: Math.min(total, Math.floor(rnd() * 3)), status: r < 0.03 ? 'accepted' : 'rejected' }];
  });
  const reductions = members.filter(() => rnd() < 0.005);
  await timed('member_transfers + debt_requests + reduction_requests', async () => {
    await db.query(
      `INSERT INTO member_transfers (member_id, from_province, to_province, transferred_on, recorded_by)
       SELECT x.id, CASE WHEN x.prov = 'MI' THEN 'RM' ELSE 'MI' END, x.prov, '2026-03-01', 'cn:bench'
       FROM unnest($1::uuid[], $2::text[]) AS x(id, prov)`,
      [transferred.map((m) => m.id), transferred.map((m) => m.province)],
    );
    await db.query(
      `INSERT INTO debt_requests (id, member_id, province, biennium, total, deontology, filed_on, filed_at, status, decided_at, decided_by)
       SELECT gen_random_uuid(), x.member, x.prov, 2023, x.total, x.deon, '2025-02-10', '2025-02-10T09:00:00Z', x.status, '2025-02-25T09:00:00Z', 'cpo:bench'
       FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::text[]) AS x(member, prov, total, deon, status)`,
      [debts.map((d) => d.member), debts.map((d) => d.province), debts.map((d) => d.total), debts.map((d) => d.deontology), debts.map((d) => d.status)],
    );
    await db.query(
      `INSERT INTO reduction_requests (id, member_id, province, biennium, cause, input, computed, filed_on, filed_at, filing, status, decision, decided_at, decided_by, updated_at)
       SELECT gen_random_uuid(), x.member, x.prov, 2025, 'illness',
              jsonb_build_object('from', '2025-04-01', 'to', '2025-09-30'),
              jsonb_build_object('ok', true, 'reduction', 12, 'deontology', 1, 'ordinary', 11),
              '2025-10-15', '2025-10-15T09:00:00Z', jsonb_build_object('inWindow', true), 'approved',
              jsonb_build_object('outcome', 'approved', 'reduction', 12, 'deontology', 1, 'ordinary', 11, 'validity', 'biennium', 'validUntil', null),
              '2025-11-20T09:00:00Z', 'cpo:bench', '2025-11-20T09:00:00Z'
       FROM unnest($1::uuid[], $2::text[]) AS x(member, prov)`,
      [reductions.map((m) => m.id), reductions.map((m) => m.province)],
    );
    return transferred.length + debts.length + reductions.length;
  });

  await timed('VACUUM ANALYZE', async () => {
    for (const t of [
      'members',
      'events',
      'credit_records',
      'art9_declarations',
      'member_documents',
      'distance_grants',
      'distance_grant_members',
      'member_transfers',
      'debt_requests',
      'reduction_requests',
      'cpo_policies',
    ]) {
      await db.query(`VACUUM ANALYZE ${t}`);
    }
    return 0;
  });

  const sizes = await db.query<{ table: string; bytes: number }>(
    `SELECT c.relname AS table, pg_total_relation_size(c.oid)::float8 AS bytes FROM pg_class c
     WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname = ANY($1::text[]) ORDER BY 2 DESC`,
    [['members', 'events', 'credit_records', 'art9_declarations', 'member_documents']],
  );
  const byProvince = new Map<string, number>();
  for (const m of members) byProvince.set(m.province, (byProvince.get(m.province) ?? 0) + 1);
  return {
    ms: Math.round(performance.now() - t0),
    steps,
    members: members.length,
    events: events.length,
    creditRecords,
    tableSizes: sizes.rows.map((r) => ({ table: r.table, mib: Math.round((r.bytes / 2 ** 20) * 10) / 10 })),
    provinces: [...byProvince].map(([province, n]) => ({ province, members: n })).sort((a, b) => b.members - a.members),
  };
}

// -------------------------------------------------------------------------------------------------
// Derive all, in this process
// -------------------------------------------------------------------------------------------------

/** What a pass derived, to compare passes with each other and with the HTTP listing. */
interface Totals {
  members: number;
  counted: number;
  recorded: number;
  items: number;
  byStatus: Record<string, number>;
  distanceCapped: number;
  withDebt: number;
  withGrant: number;
}

function emptyTotals(): Totals {
  return { members: 0, counted: 0, recorded: 0, items: 0, byStatus: {}, distanceCapped: 0, withDebt: 0, withGrant: 0 };
}

function addTotals(t: Totals, b: MemberBalance) {
  t.members++;
  t.counted += b.balance.counted.total;
  t.recorded += b.balance.recorded.total;
  t.items += b.balance.items.length;
  t.byStatus[b.balance.status] = (t.byStatus[b.balance.status] ?? 0) + 1;
  if (b.balance.caps.distance.recorded > b.balance.caps.distance.counted) t.distanceCapped++;
  if (b.balance.settlesPrevious.length > 0) t.withDebt++;
  if (b.distance.grant) t.withGrant++;
}

const sameTotals = (a: Totals, b: Totals) => a.members === b.members && a.counted === b.counted && a.recorded === b.recorded && a.items === b.items;

interface Cpu {
  shares: CpuShare;
  others: string[];
}

export interface DerivePass {
  batch: number;
  round: number | 'warm';
  seconds: number;
  membersPerSecond: number;
  batchMs: { median: number; max: number };
  cpu: CpuShare;
  loadAverage: number;
  totals: Totals;
}

async function derivePass(db: Queryable, ids: readonly string[], batch: number, round: DerivePass['round'], now: number): Promise<DerivePass> {
  const load = os.loadavg()[0]!;
  const before = snapshotCpu();
  const totals = emptyTotals();
  const batchMs: number[] = [];
  const t0 = performance.now();
  for (let a = 0; a < ids.length; a += batch) {
    const t = performance.now();
    const got = await balancesOf(db, ids.slice(a, a + batch), BIENNIUM, now);
    batchMs.push(performance.now() - t);
    for (const b of got.values()) addTotals(totals, b);
  }
  const ms = performance.now() - t0;
  const cpu = cpuBetween(before, snapshotCpu(), { bench: process.pid });
  const sorted = batchMs.sort((x, y) => x - y);
  return {
    batch,
    round,
    seconds: ms / 1000,
    membersPerSecond: totals.members / (ms / 1000),
    batchMs: { median: sorted[Math.floor(sorted.length / 2)]!, max: sorted[sorted.length - 1]! },
    cpu: cpu.shares,
    loadAverage: load,
    totals,
  };
}

/** Labels of the statements `loadMemberFacts` sends, by what they read. */
const STATEMENTS: Array<[RegExp, string]> = [
  [/FROM members WHERE id = ANY/, 'members'],
  [/FROM credit_records c JOIN events/, 'credit_records ⋈ events'],
  [/FROM art9_declarations/, 'art9_declarations'],
  [/FROM member_transfers/, 'member_transfers'],
  [/FROM reduction_requests/, 'reduction_requests'],
  [/FROM debt_requests/, 'debt_requests'],
  [/FROM distance_grants/, 'distance_grants'],
  [/FROM cpo_policies/, 'cpo_policies'],
];

/**
 * Times every statement sent through `db` (they overlap: loadMemberFacts sends five at once), and
 * the time during which at least one was in flight (`inFlightMs()`, since the last call).
 */
function timingDb(db: Queryable): { db: Queryable; stats: Map<string, { n: number; ms: number; rows: number }>; inFlightMs(): number } {
  const stats = new Map<string, { n: number; ms: number; rows: number }>();
  let spans: Array<[number, number]> = [];
  return {
    stats,
    inFlightMs() {
      spans.sort((x, y) => x[0] - y[0]);
      let total = 0;
      let end = -Infinity;
      for (const [a, b] of spans) {
        if (b <= end) continue;
        total += b - Math.max(a, end);
        end = b;
      }
      spans = [];
      return total;
    },
    db: {
      async query<R>(text: string, params?: readonly unknown[]) {
        const t = performance.now();
        const r = await db.query<R>(text, params);
        const done = performance.now();
        spans.push([t, done]);
        const label = STATEMENTS.find(([re]) => re.test(text))?.[1] ?? text.replace(/\s+/g, ' ').slice(0, 40);
        let s = stats.get(label);
        if (!s) stats.set(label, (s = { n: 0, ms: 0, rows: 0 }));
        s.n++;
        s.ms += done - t;
        s.rows += r.rows.length;
        return r;
      },
    },
  };
}

export interface Breakdown {
  batch: number;
  members: number;
  /** `loadMemberFacts`, wall time summed over the batches. */
  loadMs: number;
  /** Of `loadMs`: time with a statement in flight (Postgres, the wire, pg's row parsing); the rest is the loader's own JavaScript. */
  sqlMs: number;
  /** `memberBalance` over every member's loaded facts. */
  domainMs: number;
  /** `JSON.stringify` of each balance (what the single-member route sends). */
  jsonMs: number;
  jsonBytes: number;
  /** Per statement: count, summed time (statements of one batch overlap), rows. */
  statements: Array<{ label: string; n: number; ms: number; rows: number }>;
  totals: Totals;
}

async function breakdownPass(db: Queryable, ids: readonly string[], batch: number, now: number): Promise<Breakdown> {
  const { db: timed, stats, inFlightMs } = timingDb(db);
  const asOf = romeDate(now);
  const totals = emptyTotals();
  let loadMs = 0;
  let sqlMs = 0;
  let domainMs = 0;
  let jsonMs = 0;
  let jsonBytes = 0;
  for (let a = 0; a < ids.length; a += batch) {
    let t = performance.now();
    const facts = await loadMemberFacts(timed, ids.slice(a, a + batch));
    loadMs += performance.now() - t;
    sqlMs += inFlightMs();
    t = performance.now();
    const derived: MemberBalance[] = [];
    for (const f of facts.values()) derived.push(memberBalance(f, BIENNIUM, asOf));
    domainMs += performance.now() - t;
    t = performance.now();
    for (const b of derived) jsonBytes += JSON.stringify(b).length;
    jsonMs += performance.now() - t;
    for (const b of derived) addTotals(totals, b);
  }
  return {
    batch,
    members: totals.members,
    loadMs,
    sqlMs,
    domainMs,
    jsonMs,
    jsonBytes,
    statements: [...stats].map(([label, s]) => ({ label, ...s })).sort((x, y) => y.ms - x.ms),
    totals,
  };
}

/**
 * What the Rome-calendar conversions cost alone, with the same inputs as a derive-all pass:
 * `yearOf` and `romeDate` of the event start, which `loadMemberFacts` calls for every credit row,
 * and luxon's `DateTime.fromISO(date, { zone: 'utc' })`, which `deriveBalance` calls (its
 * `isIsoDate`) to validate every item's date. Attributes part of the loader's and of the
 * derivation's time to them.
 */
export interface CalendarShare {
  creditRows: number;
  /** yearOf + romeDate for each credit row, ms. */
  romeMs: number;
  /** DateTime.fromISO for each credit row's date, ms. */
  fromIsoMs: number;
}

async function calendarShare(db: Queryable): Promise<CalendarShare> {
  const { rows } = await db.query<{ ms: number; n: number }>(
    `SELECT (extract(epoch FROM e.start_at) * 1000)::float8 AS ms, count(*)::int AS n FROM credit_records c JOIN events e ON e.id = c.event_id GROUP BY e.start_at`,
  );
  let creditRows = 0;
  let sink = 0;
  let t = performance.now();
  for (const r of rows) {
    for (let k = 0; k < r.n; k++) {
      if (yearOf(r.ms) === 0) sink++;
      sink += romeDate(r.ms).length;
    }
    creditRows += r.n;
  }
  const romeMs = performance.now() - t;
  const dates = rows.map((r) => romeDate(r.ms));
  t = performance.now();
  rows.forEach((r, i) => {
    for (let k = 0; k < r.n; k++) if (DateTime.fromISO(dates[i]!, { zone: 'utc' }).isValid) sink++;
  });
  const fromIsoMs = performance.now() - t;
  if (sink === -1) console.log(sink); // keep the loops
  return { creditRows, romeMs, fromIsoMs };
}

export interface InProcessSingle {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

// -------------------------------------------------------------------------------------------------
// HTTP
// -------------------------------------------------------------------------------------------------

export interface ListingPass {
  name: string;
  seconds: number;
  requests: number;
  members: number;
  membersPerSecond: number;
  bytes: number;
  requestMs: Latency;
  cpu: CpuShare;
  loadAverage: number;
  /** Members named more than once, and the sum of their counted credits. */
  duplicates: number;
  counted: number;
  errors: Record<string, number>;
}

interface ListedSummary {
  memberId: string;
  counted: { total: number };
  status: string;
}

/** Pages through GET /v1/balances: per province (each of `provinces` in turn) or all at once. */
async function listingPass(
  origin: string,
  key: string,
  provinces: readonly (string | null)[],
  limit: number,
  name: string,
  pids: Record<string, number>,
): Promise<{ pass: ListingPass; ids: Set<string> }> {
  const pool = new Pool(origin, { connections: 1, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const load = os.loadavg()[0]!;
  const before = snapshotCpu();
  const seen = new Set<string>();
  const errors: Record<string, number> = {};
  const times: number[] = [];
  let duplicates = 0;
  let counted = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (const province of provinces) {
    let after: string | null = null;
    for (;;) {
      const q = new URLSearchParams({ biennium: String(BIENNIUM), limit: String(limit) });
      if (province) q.set('province', province);
      if (after) q.set('after', after);
      const t = performance.now();
      const res = await pool.request({ method: 'GET', path: `/v1/balances?${q}`, headers: { authorization: `Bearer ${key}` } });
      const text = await res.body.text();
      times.push(performance.now() - t);
      bytes += text.length;
      if (res.statusCode !== 200) {
        errors[`http-${res.statusCode}`] = (errors[`http-${res.statusCode}`] ?? 0) + 1;
        break;
      }
      const body = JSON.parse(text) as { balances: ListedSummary[]; next: string | null };
      for (const b of body.balances) {
        if (seen.has(b.memberId)) duplicates++;
        seen.add(b.memberId);
        counted += b.counted.total;
      }
      if (!body.next) break;
      after = body.next;
    }
  }
  const ms = performance.now() - t0;
  const cpu = cpuBetween(before, snapshotCpu(), { ...pids, bench: process.pid });
  await pool.close();
  return {
    ids: seen,
    pass: {
      name,
      seconds: ms / 1000,
      requests: times.length,
      members: seen.size,
      membersPerSecond: seen.size / (ms / 1000),
      bytes,
      requestMs: latencyOf(times, 2),
      cpu: cpu.shares,
      loadAverage: load,
      duplicates,
      counted,
      errors,
    },
  };
}

export interface SingleLevel {
  name: string;
  key: 'cn' | 'cpo';
  concurrency: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  latencyMs: Latency;
  meanBytes: number;
  errors: Record<string, number>;
  cpu: CpuShare;
  others: string[];
  loadAverage: number;
  /** CPU ms per request: gateway, Postgres (all), this process. */
  cpuMsPerRequest: { gateway: number; postgres: number; bench: number };
}

/** Closed loop: `concurrency` requests in flight, a random member each, for `durationMs`. */
async function singleLevel(
  origin: string,
  key: string,
  keyRole: 'cn' | 'cpo',
  ids: readonly string[],
  concurrency: number,
  durationMs: number,
  pids: Record<string, number>,
  name: string,
): Promise<SingleLevel> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
  const samples: number[] = [];
  const errors: Record<string, number> = {};
  let bytes = 0;
  const load = os.loadavg()[0]!;
  const before = snapshotCpu();
  const t0 = performance.now();
  const end = t0 + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        const t = performance.now();
        try {
          const res = await pool.request({
            method: 'GET',
            path: `/v1/members/${id}/balance?biennium=${BIENNIUM}`,
            headers: { authorization: `Bearer ${key}` },
          });
          const buf = await res.body.arrayBuffer();
          if (res.statusCode === 200) {
            samples.push(performance.now() - t);
            bytes += buf.byteLength;
          } else errors[`http-${res.statusCode}`] = (errors[`http-${res.statusCode}`] ?? 0) + 1;
        } catch (e) {
          const k = (e as { code?: string }).code ?? 'network';
          errors[k] = (errors[k] ?? 0) + 1;
        }
      }
    }),
  );
  const ms = performance.now() - t0;
  const after = snapshotCpu();
  await pool.close();
  const { shares, others } = cpuBetween(before, after, { ...pids, bench: process.pid });
  const perReq = (pct: number | undefined) => Math.round((((pct ?? 0) / 100) * ms * 100) / Math.max(1, samples.length)) / 100;
  return {
    name,
    key: keyRole,
    concurrency,
    seconds: ms / 1000,
    requests: samples.length,
    requestsPerSecond: samples.length / (ms / 1000),
    latencyMs: latencyOf(samples, 2),
    meanBytes: samples.length ? bytes / samples.length : 0,
    errors,
    cpu: shares,
    others,
    loadAverage: load,
    cpuMsPerRequest: { gateway: perReq(shares.gateway), postgres: perReq(shares.postgres), bench: perReq(shares.bench) },
  };
}

// -------------------------------------------------------------------------------------------------
// Main
// -------------------------------------------------------------------------------------------------

export interface BalanceReport {
  kind: 'balance';
  command: string;
  code: string;
  machine: Machine;
  loadAverageAtEnd: number[];
  options: Options;
  seed: SeedResult;
  derive: DerivePass[];
  breakdown: Breakdown[];
  calendar: CalendarShare;
  inProcessSingle: InProcessSingle;
  listing: ListingPass[];
  single: SingleLevel[];
  checks: { httpEqualsInProcess: { compared: number; equal: number; examples: string[] }; listing: string[]; passes: string[]; ok: boolean };
}

async function main() {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const opts = parseOptions(argv);
  const command = `npx tsx bench/balance.ts ${argv.join(' ')}`.trim();
  const log = (s: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);
  log(`balance: ${JSON.stringify(opts)}`);
  const env = await createBenchEnv('balance', { keep: opts.keep });
  log(`schema ${env.schema} on ${BENCH_DATABASE_URL.replace(/\/\/[^@]*@/, '//')}`);
  const services: Service[] = [];
  // The measured handle: a pool of 10, as the gateway's.
  const db = await openDb({ url: BENCH_DATABASE_URL, schema: env.schema, poolSize: 10 });
  try {
    const machine = await describeMachine(env.db, BENCH_REDIS_URL);
    log(`machine: ${machine.cpus} CPUs, load average ${machine.loadAverage.join(' / ')}, Node ${machine.node}, ${machine.postgres}`);

    const seeded = await seed(env.db, opts, log);
    log(
      `seeded ${seeded.members.toLocaleString('en-US')} members, ${seeded.events} events, ${seeded.creditRecords.toLocaleString('en-US')} credit records in ${(seeded.ms / 1000).toFixed(1)} s`,
    );
    const ids = (await env.db.query<{ id: string }>('SELECT id FROM members ORDER BY id')).rows.map((r) => r.id);
    const now = Date.now();

    // 1. Derive all in this process: a warm pass, then ABBA rounds over the batch sizes.
    const derive: DerivePass[] = [];
    const show = (p: DerivePass) =>
      log(
        `derive all, batch ${p.batch} (${p.round}): ${p.seconds.toFixed(2)} s, ${Math.round(p.membersPerSecond).toLocaleString('en-US')} members/s, batch median ${p.batchMs.median.toFixed(0)} ms, cpu ${JSON.stringify(p.cpu)}`,
      );
    const warm = await derivePass(db, ids, Math.max(...opts.batches), 'warm', now);
    show(warm);
    derive.push(warm);
    for (let r = 1; r <= opts.rounds; r++) {
      const order = r % 2 === 1 ? opts.batches : [...opts.batches].reverse();
      for (const b of order) {
        const p = await derivePass(db, ids, b, r, now);
        show(p);
        derive.push(p);
      }
    }
    const breakdown: Breakdown[] = [];
    for (const b of opts.breakdown) {
      const x = await breakdownPass(db, ids, b, now);
      log(
        `breakdown, batch ${b}: load ${(x.loadMs / 1000).toFixed(2)} s (statements in flight ${(x.sqlMs / 1000).toFixed(2)} s), memberBalance ${(x.domainMs / 1000).toFixed(2)} s (${(x.domainMs / x.loadMs).toFixed(2)} × load), JSON ${(x.jsonMs / 1000).toFixed(2)} s`,
      );
      breakdown.push(x);
    }
    const calendar = await calendarShare(db);
    log(
      `calendar alone, ${calendar.creditRows} credit rows: yearOf + romeDate ${(calendar.romeMs / 1000).toFixed(2)} s, DateTime.fromISO ${(calendar.fromIsoMs / 1000).toFixed(2)} s`,
    );
    // One member at a time in this process: what a request costs without HTTP.
    const single: number[] = [];
    for (let i = 0; i < opts.samples + 20; i++) {
      const id = ids[Math.floor(Math.random() * ids.length)]!;
      const t = performance.now();
      await balancesOf(db, [id], BIENNIUM, now);
      if (i >= 20) single.push(performance.now() - t);
    }
    const inProcessSingle = latencyOf(single, 2);
    log(`balancesOf one member in this process: p50 ${inProcessSingle.p50} p95 ${inProcessSingle.p95} p99 ${inProcessSingle.p99} ms`);

    // 2 and 3: the gateway process.
    const url = new URL(env.databaseUrl);
    url.searchParams.set('application_name', `${GATEWAY_APP_NAME}-${env.id}`);
    const gateway = await startService(
      'gateway',
      'src/main.ts',
      ['gateway'],
      { DATABASE_URL: url.toString(), REDIS_URL: BENCH_REDIS_URL, QUEUE_PREFIX: env.queuePrefix, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      undefined,
      GATEWAY_ROOT,
    );
    services.push(gateway);
    const pids = { gateway: gateway.pid };
    log(`gateway: src/main.ts gateway (pid ${gateway.pid}) at ${gateway.url}`);
    const cn = (await issueOperatorKey(env.db, { role: 'cn', label: 'bench cn' })).key;
    const cpo = (await issueOperatorKey(env.db, { role: 'cpo', subject: 'MI', label: 'bench cpo MI' })).key;

    const listing: ListingPass[] = [];
    const byProvince = await listingPass(
      gateway.url,
      cn,
      PROVINCES.map((p) => p.code),
      opts.page,
      `per province (${PROVINCES.length}), limit ${opts.page}`,
      pids,
    );
    listing.push(byProvince.pass);
    const all = await listingPass(gateway.url, cn, [null], opts.page, `all members (no province), limit ${opts.page}`, pids);
    listing.push(all.pass);
    for (const l of listing)
      log(
        `listing ${l.name}: ${l.seconds.toFixed(2)} s, ${l.requests} requests, ${l.members} members, ${Math.round(l.membersPerSecond)} members/s, request p50 ${l.requestMs.p50} ms, errors ${JSON.stringify(l.errors)}`,
      );

    const warmup = await singleLevel(gateway.url, cn, 'cn', ids, 10, opts.warmupS * 1000, pids, 'warm-up');
    log(`warm-up: ${warmup.requests} requests, errors ${JSON.stringify(warmup.errors)}`);
    const levels: SingleLevel[] = [];
    for (const c of opts.concurrency) {
      await new Promise((r) => setTimeout(r, 1000));
      levels.push(await singleLevel(gateway.url, cn, 'cn', ids, c, opts.durationS * 1000, pids, `CN key, ${c} in flight`));
    }
    const milan = (await env.db.query<{ id: string }>(`SELECT id FROM members WHERE province = 'MI'`)).rows.map((r) => r.id);
    await new Promise((r) => setTimeout(r, 1000));
    levels.push(await singleLevel(gateway.url, cpo, 'cpo', milan, 10, opts.durationS * 1000, pids, 'CPO key (MI, its members), 10 in flight'));
    for (const l of levels) {
      log(
        `${l.name}: ${l.requests} requests, ${Math.round(l.requestsPerSecond)} req/s, p50 ${l.latencyMs.p50} p95 ${l.latencyMs.p95} p99 ${l.latencyMs.p99} max ${l.latencyMs.max} ms, errors ${JSON.stringify(l.errors)}, cpu ${JSON.stringify(l.cpu)}`,
      );
      if (l.others.length) log(`  other busy processes: ${l.others.join('; ')}`);
    }

    // Checks: HTTP bodies against this process's derivation; the listing against the passes.
    const examples: string[] = [];
    let equal = 0;
    const sample = Array.from({ length: Math.min(opts.checks, ids.length) }, () => ids[Math.floor(Math.random() * ids.length)]!);
    for (const id of sample) {
      const res = await fetch(`${gateway.url}/v1/members/${id}/balance?biennium=${BIENNIUM}`, { headers: { authorization: `Bearer ${cn}` } });
      const body: unknown = await res.json();
      const local = (await balancesOf(env.db, [id], BIENNIUM, Date.now())).get(id);
      const { identity: _identity, ...expected } = local!;
      if (res.status === 200 && isDeepStrictEqual(body, JSON.parse(JSON.stringify(expected)))) equal++;
      else if (examples.length < 5) examples.push(`${id}: HTTP ${res.status}`);
    }
    const reference = derive.find((p) => p.round !== 'warm') ?? warm;
    const passes = [
      ...derive.map((p) => ({ what: `batch ${p.batch} (${p.round})`, t: p.totals })),
      ...breakdown.map((b) => ({ what: `breakdown ${b.batch}`, t: b.totals })),
    ]
      .filter((x) => !sameTotals(x.t, reference.totals))
      .map((x) => `${x.what} derived other totals: ${JSON.stringify(x.t)}`);
    const listingProblems: string[] = [];
    for (const l of listing) {
      if (l.members !== ids.length) listingProblems.push(`${l.name}: ${l.members} members listed of ${ids.length}`);
      if (l.duplicates) listingProblems.push(`${l.name}: ${l.duplicates} listed twice`);
      if (l.counted !== reference.totals.counted) listingProblems.push(`${l.name}: counted credits ${l.counted}, in-process ${reference.totals.counted}`);
      if (Object.keys(l.errors).length) listingProblems.push(`${l.name}: errors ${JSON.stringify(l.errors)}`);
    }
    for (const s of levels) if (Object.keys(s.errors).length) listingProblems.push(`${s.name}: errors ${JSON.stringify(s.errors)}`);
    const checks = {
      httpEqualsInProcess: { compared: sample.length, equal, examples },
      listing: listingProblems,
      passes,
      ok: equal === sample.length && listingProblems.length === 0 && passes.length === 0,
    };

    for (const s of services.splice(0).reverse()) await s.stop();
    const report: BalanceReport = {
      kind: 'balance',
      command,
      code: codeUnderTest(),
      machine,
      loadAverageAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
      options: opts,
      seed: seeded,
      derive,
      breakdown,
      calendar,
      inProcessSingle,
      listing,
      single: levels,
      checks,
    };
    const outDir = path.join(ROOT, 'bench', 'out');
    fs.mkdirSync(outDir, { recursive: true });
    const outFile = path.join(outDir, `${machine.date.replace(/[:.]/g, '-')}-balance.json`);
    fs.writeFileSync(outFile, JSON.stringify(report, null, 2));
    console.log(`\n${balanceMarkdown(report)}\n`);
    console.log(`[bench] report: ${path.relative(ROOT, outFile)}`);
    if (!checks.ok) {
      console.error(`[bench] checks FAILED: ${JSON.stringify(checks)}`);
      process.exitCode = 1;
    }
  } finally {
    for (const s of services.reverse()) await s.stop().catch(() => {});
    await db.close().catch(() => {});
    await env.close();
  }
}

// -------------------------------------------------------------------------------------------------
// Markdown
// -------------------------------------------------------------------------------------------------

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '–');

export function balanceMarkdown(r: BalanceReport): string {
  const m = r.machine;
  const t = r.derive.find((p) => p.round !== 'warm')?.totals ?? r.derive[0]!.totals;
  const out: string[] = [
    `- Command: \`${r.command}\``,
    `- Date: ${m.date}; code under test: ${r.code}`,
    `- CPU: ${m.cpus} × ${m.cpuModel}; RAM ${m.memoryGiB} GiB; ${m.kernel}; load average at start ${m.loadAverage.join(' / ')}, at the end ${r.loadAverageAtEnd.join(' / ')}`,
    `- Node ${m.node}; ${m.postgres} (${Object.entries(m.postgresSettings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}); Redis ${m.redis}`,
    `- Everything on this one machine: Postgres, the gateway process and this process (the client, and the in-process derivation).`,
    '',
    `**Seed** (not measured): ${f0(r.seed.members)} members, ${f0(r.seed.events)} events, ${f0(r.seed.creditRecords)} credit records in ${f1(r.seed.ms / 1000)} s (${r.seed.steps.map((s) => `${s.step} ${f1(s.ms / 1000)} s`).join('; ')}). Sizes with indexes: ${r.seed.tableSizes.map((s) => `${s.table} ${f1(s.mib)} MiB`).join(', ')}. Largest provinces: ${r.seed.provinces
      .slice(0, 4)
      .map((p) => `${p.province} ${f0(p.members)}`)
      .join(', ')}; smallest ${r.seed.provinces[r.seed.provinces.length - 1]?.members ?? 0}.`,
    '',
    `**The balances derived** (biennium ${BIENNIUM}, as of ${romeDate(Date.parse(m.date))}): ${Object.entries(t.byStatus)
      .map(([k, v]) => `${k} ${f0(v)}`)
      .join(
        ', ',
      )}; ${f1(t.items / t.members)} items per balance; ${f0(t.distanceCapped)} with distance credits over the cap; ${f0(t.withGrant)} with a distance grant in force; ${f0(t.withDebt)} settling a 2023 debt with 2025 credits.`,
    '',
    `### Derive all (${f0(r.seed.members)} members)`,
    '',
    'In this process, `balancesOf` batch after batch (members in id order), a pool of 10 connections. CPU in % of one core over the pass.',
    '',
    '| batch | round | seconds | members/s | ms per batch: median / max | this process CPU % | Postgres CPU % | other CPU % | load avg before |',
    '|---:|---|---:|---:|---|---:|---:|---:|---:|',
  ];
  for (const p of r.derive) {
    out.push(
      `| ${f0(p.batch)} | ${p.round === 'warm' ? 'warm (first pass)' : p.round} | ${f2(p.seconds)} | ${f0(p.membersPerSecond)} | ${f0(p.batchMs.median)} / ${f0(p.batchMs.max)} | ${p.cpu.bench ?? '–'} | ${p.cpu.postgres ?? '–'} | ${p.cpu.other ?? '–'} | ${f2(p.loadAverage)} |`,
    );
  }
  const measured = r.derive.filter((p) => p.round !== 'warm');
  const best = (b: number) => Math.min(...measured.filter((p) => p.batch === b).map((p) => p.seconds));
  const base = r.options.batches[0]!;
  out.push(
    '',
    `Ratios (best round of each, time ÷ time at batch ${base}): ${r.options.batches.map((b) => `batch ${b} ${f2(best(b) / best(base))}`).join(', ')}.`,
  );
  out.push(
    '',
    'Over HTTP, one client, `GET /v1/balances?biennium=2025&limit=…` with a CN key, following `next` (each page: one `SELECT id` and `balancesOf` for the page):',
    '',
    '| listing | seconds | requests | members | members/s | request p50 / p95 / max ms | MiB received | gateway CPU % | Postgres CPU % | load avg before | vs in-process at batch 1000 |',
    '|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|',
  );
  const inproc1000 = r.options.batches.includes(1000) ? best(1000) : NaN;
  for (const l of r.listing) {
    out.push(
      `| ${l.name} | ${f2(l.seconds)} | ${f0(l.requests)} | ${f0(l.members)} | ${f0(l.membersPerSecond)} | ${f0(l.requestMs.p50)} / ${f0(l.requestMs.p95)} / ${f0(l.requestMs.max)} | ${f1(l.bytes / 2 ** 20)} | ${l.cpu.gateway ?? '–'} | ${l.cpu.postgres ?? '–'} | ${f2(l.loadAverage)} | ${f2(l.seconds / inproc1000)}× |`,
    );
  }
  out.push(
    '',
    '### Where the time goes: SQL (`loadMemberFacts`) against the derivation (`memberBalance`)',
    '',
    "A pass split in three: `loadMemberFacts` of each batch (of which: time with a statement in flight — Postgres, the wire and pg parsing the rows — and the rest, the loader's own JavaScript), then `memberBalance` over the batch's facts, then `JSON.stringify` of each balance (what the single-member route sends; the listing sends a summary).",
    '',
    '| batch | load s | of which statements in flight s | of which loader JS s | memberBalance s | memberBalance ÷ load | JSON s | µs per member: load / derive / JSON | mean JSON bytes |',
    '|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  );
  for (const b of r.breakdown) {
    out.push(
      `| ${f0(b.batch)} | ${f2(b.loadMs / 1000)} | ${f2(b.sqlMs / 1000)} | ${f2((b.loadMs - b.sqlMs) / 1000)} | ${f2(b.domainMs / 1000)} | ${f2(b.domainMs / b.loadMs)} | ${f2(b.jsonMs / 1000)} | ${f0((b.loadMs * 1000) / b.members)} / ${f0((b.domainMs * 1000) / b.members)} / ${f0((b.jsonMs * 1000) / b.members)} | ${f0(b.jsonBytes / b.members)} |`,
    );
  }
  const cal = r.calendar;
  out.push(
    '',
    `The Rome-calendar conversions alone, on the same ${f0(cal.creditRows)} credit rows: \`yearOf\` + \`romeDate\` of each row's event start (what \`loadMemberFacts\` does per row) ${f2(cal.romeMs / 1000)} s; luxon \`DateTime.fromISO(date, { zone: 'utc' })\` of each row's date (what \`deriveBalance\` does per item to validate it) ${f2(cal.fromIsoMs / 1000)} s.`,
  );
  const big = r.breakdown[r.breakdown.length - 1];
  if (big) {
    out.push(
      '',
      `Statements of \`loadMemberFacts\` at batch ${big.batch} (five run at once, so their times overlap and add up to more than the load's wall time):`,
      '',
      '| statement | count | total ms | ms each | rows |',
      '|---|---:|---:|---:|---:|',
    );
    for (const s of big.statements) out.push(`| ${s.label} | ${f0(s.n)} | ${f0(s.ms)} | ${f1(s.ms / s.n)} | ${f0(s.rows)} |`);
  }
  const s1 = r.inProcessSingle;
  out.push(
    '',
    '### One member over HTTP',
    '',
    `\`GET /v1/members/{id}/balance?biennium=2025\`, a random member each time, closed loop (each of the N clients sends its next request when the last one is answered), ${r.options.durationS} s per row after ${r.options.warmupS} s of warm-up. Latency in ms to the last byte. In this process, \`balancesOf\` for one member, one at a time (${f0(s1.n)} samples): p50 ${f2(s1.p50)}, p95 ${f2(s1.p95)}, p99 ${f2(s1.p99)} ms.`,
    '',
    '| key, in flight | requests | req/s | p50 | p95 | p99 | max | p50 ÷ in-process p50 | errors | KiB per answer | gateway CPU % | Postgres CPU % | client CPU % | other CPU % | CPU ms/request: gateway / Postgres | load avg before |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|---:|',
  );
  for (const l of r.single) {
    const e = Object.entries(l.errors);
    out.push(
      `| ${l.name} | ${f0(l.requests)} | ${f0(l.requestsPerSecond)} | ${f2(l.latencyMs.p50)} | ${f2(l.latencyMs.p95)} | ${f2(l.latencyMs.p99)} | ${f1(l.latencyMs.max)} | ${f1(l.latencyMs.p50 / s1.p50)} | ${e.length ? e.map(([k, v]) => `${k}: ${v}`).join(', ') : '0'} | ${f1(l.meanBytes / 1024)} | ${l.cpu.gateway ?? '–'} | ${l.cpu.postgres ?? '–'} | ${l.cpu.bench ?? '–'} | ${l.cpu.other ?? '–'} | ${l.cpuMsPerRequest.gateway} / ${l.cpuMsPerRequest.postgres} | ${f2(l.loadAverage)} |`,
    );
  }
  const c = r.checks;
  out.push(
    '',
    `**Checks:** ${c.ok ? 'ok' : '**FAILED**'}: ${c.httpEqualsInProcess.equal} of ${c.httpEqualsInProcess.compared} sampled HTTP balances equal this process's derivation${c.httpEqualsInProcess.examples.length ? ` (differ: ${c.httpEqualsInProcess.examples.join(', ')})` : ''}; ${c.listing.length ? c.listing.join('; ') : 'both listings named every member once, with the counted credits of the in-process passes'}; ${c.passes.length ? c.passes.join('; ') : 'every pass derived the same totals'}.`,
  );
  return out.join('\n');
}

runMain(main);
