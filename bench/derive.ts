/**
 * @module bench/derive: a 10,000-participant webinar with 30,000 records; the time from the
 * organiser's close request (R-EVT-7) to that derivation stored with all its credit records.
 *
 * Gateway and worker run as two processes (`src/main.ts gateway`, `src/main.ts worker`) on a
 * private schema and BullMQ prefix. Set-up goes through the API and is not measured: members by
 * CSV import, registrations in batches of 5,000, the records in batches of 1,000; the
 * derivations those trigger are left to settle before the close. After the close, the CPO raises
 * the tolerance (R-ATT-2), which changes every outcome: the heavy re-derivation, measured the
 * same way. Then, in the bench process, a derivation of the last event is repeated phase by
 * phase (load, pure computation, store + commit).
 */
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { codiceFiscale, romeAfternoon } from '../test/support/fixtures.ts';
import { computeOutcomes, describeCause } from '../src/domain/outcomes.ts';
import { ATTENDANCE_QUEUE } from '../src/queue/attendance.ts';
import { loadDerivationInput, lockEvent, previousInputs, saveDerivation, type DerivationInputs } from '../src/store/attendance.ts';
import type { Db } from '../src/store/db.ts';
import { api, createOrganiser, createPastWebinar, expectStatus, type Api, type Organiser } from './lib/api.ts';
import { createBenchEnv } from './lib/env.ts';
import { describeMachine, type Machine } from './lib/machine.ts';
import { GATEWAY_ROOT, startService, type LogLine, type Service } from './lib/process.ts';

export interface DeriveOptions {
  participants: number;
  /** Records per participant: join, leave, rejoin (the meeting-end closes the last interval). */
  recordsPerParticipant: 3;
  hours: number;
  fractionable: boolean;
  runs: number;
  phaseRepeats: number;
  deriveDelayMs: number;
  role: 'separate' | 'all';
  keep: boolean;
}

export const DEFAULT_DERIVE: DeriveOptions = {
  participants: 10_000,
  recordsPerParticipant: 3,
  hours: 3,
  fractionable: true,
  runs: 3,
  phaseRepeats: 3,
  deriveDelayMs: 1000,
  role: 'separate',
  keep: false,
};

export interface ChangeRun {
  /** Client-observed: request sent → the derivation it caused visible (polled every 10 ms). */
  requestToStoredMs: number;
  /** Request sent → the worker logged "derivation started" for it (queue and pickup). */
  pickupMs: number | null;
  /** The worker's own measure of that derivation (load + compute + store + commit). */
  workerMs: number | null;
  outcomes: number;
  credited: number;
  credits: number;
  /** Credit records implied by the stored outcomes' explanations; must equal `credits`. */
  expectedCredits: number;
  /** Outcome rows that derivation wrote (the others were unchanged). */
  rewritten: number;
}

export interface DeriveRun {
  eventId: string;
  close: ChangeRun;
  tolerance: ChangeRun;
  setupMs: { registrations: number; ingest: number; settle: number };
}

export interface DeriveReport {
  kind: 'derive';
  machine: Machine;
  options: DeriveOptions;
  participants: number;
  records: number;
  storedRecords: number;
  deriveDelayMs: number;
  role: string;
  runs: DeriveRun[];
  phases: Record<string, number>;
  phaseSamples: Array<Record<string, number>>;
  notes: string[];
}

const LOMBARDY = ['MI', 'BG', 'BS', 'CO', 'CR', 'LC', 'LO', 'MN', 'MB', 'PV', 'SO', 'VA'];

/** Province of member i: 1 in 20 in Rome (outside a Lombardy region-wide webinar's audience). */
const provinceOf = (i: number) => (i % 20 === 18 ? 'RM' : LOMBARDY[i % LOMBARDY.length]!);

function membersCsv(n: number): string {
  const lines = ['codice_fiscale;cognome;nome;provincia;numero_iscrizione;data_nascita;data_iscrizione;email'];
  for (let i = 0; i < n; i++) {
    lines.push(`${codiceFiscale(i + 1)};Cognome${i};Nome${i};${provinceOf(i)};${100_000 + i};1980-01-01;2010-01-01;member${i}@studio.example.it`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Three records per participant: a join, a leave (a dropped connection) and a rejoin, closed by
 * the meeting-end signal. Patterns by i mod 20: most stay throughout with a short gap; some join
 * late, some leave for long (fractions lost), one in 20 is outside the audience.
 */
function recordsOf(i: number, runTag: string, start: number, end: number) {
  const m = 60_000;
  const jitter = (k: number) => ((i * 7919 + k * 104_729) % 600) * 1000; // 0–10 min, deterministic
  const c = i % 20;
  let join: number;
  let leave: number;
  let rejoin: number;
  if (c <= 13 || c === 18) {
    join = start - 3 * m + jitter(1) / 2;
    leave = start + 40 * m + ((i * 31) % 100) * m;
    rejoin = leave + m + jitter(2) / 2;
  } else if (c <= 16) {
    join = start + 25 * m + jitter(1);
    leave = start + 70 * m;
    rejoin = start + 75 * m + jitter(2);
  } else {
    join = start + jitter(1) / 4;
    leave = start + 60 * m;
    rejoin = end - 10 * m;
  }
  const participant = { registrantId: `reg-${i}`, name: `Partecipante ${i}`, ...(i % 2 ? { email: `member${i}@studio.example.it` } : {}) };
  const iso = (t: number) => new Date(t).toISOString();
  return [
    { id: `${runTag}-${i}-1`, type: 'join', at: iso(join), participant: { ...participant, connectionId: `c-${i}-1` } },
    { id: `${runTag}-${i}-2`, type: 'leave', at: iso(leave), participant: { ...participant, connectionId: `c-${i}-1` } },
    { id: `${runTag}-${i}-3`, type: 'join', at: iso(rejoin), participant: { ...participant, connectionId: `c-${i}-2` } },
  ];
}

export async function runDeriveBench(opts: DeriveOptions, log: (s: string) => void): Promise<DeriveReport> {
  const env = await createBenchEnv('derive', { keep: opts.keep });
  const services: Service[] = [];
  const notes: string[] = [];
  const redis = new Redis(env.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(ATTENDANCE_QUEUE, { connection: redis, prefix: env.queuePrefix });
  try {
    const machine = await describeMachine(env.db, env.redisUrl);
    const common = {
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      QUEUE_PREFIX: env.queuePrefix,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DERIVE_DELAY_MS: String(opts.deriveDelayMs),
    };
    const gateway = await startService('gateway', 'src/main.ts', [opts.role === 'all' ? 'all' : 'gateway'], common, undefined, GATEWAY_ROOT);
    services.push(gateway);
    const worker = opts.role === 'all' ? gateway : await startService('worker', 'src/main.ts', ['worker'], common, (l) => l.msg === 'started', GATEWAY_ROOT);
    if (worker !== gateway) services.push(worker);
    log(`gateway pid ${gateway.pid} at ${gateway.url}; worker pid ${worker.pid}; schema ${env.schema}`);

    const a = api(gateway.url);
    const org = await createOrganiser(env.db, a);
    let t = performance.now();
    const imp = await a.call('POST', '/v1/members/import', { key: org.cn, raw: membersCsv(opts.participants), contentType: 'text/csv' });
    expectStatus(imp, 200, 'members import');
    if (imp.body.created !== opts.participants) throw new Error(`members import: ${imp.text.slice(0, 500)}`);
    log(`${opts.participants} members imported in ${Math.round(performance.now() - t)} ms`);

    const runs: DeriveRun[] = [];
    let lastEvent = '';
    for (let run = 0; run < opts.runs; run++) {
      // Yesterday afternoon (Rome): closable now, and its tolerance may be changed (R-ATT-2: from the day after).
      const event = await createPastWebinar(a, org, opts.hours, `Bench derive ${run + 1}`, opts.fractionable, romeAfternoon(1, 14));
      lastEvent = event.id;
      const setupMs = { registrations: 0, ingest: 0, settle: 0 };
      t = performance.now();
      for (let from = 0; from < opts.participants; from += 5000) {
        const registrations = [];
        for (let i = from; i < Math.min(opts.participants, from + 5000); i++) {
          registrations.push({ codiceFiscale: codiceFiscale(i + 1), registrantId: `reg-${i}`, email: `member${i}@studio.example.it` });
        }
        const r = await a.call('POST', `/v1/events/${event.id}/registrations`, { key: org.organiser, body: { registrations } });
        expectStatus(r, 200, 'registrations');
        if (r.body.registered !== registrations.length) throw new Error(`registrations: ${r.text.slice(0, 500)}`);
      }
      setupMs.registrations = Math.round(performance.now() - t);

      t = performance.now();
      const records = [];
      for (let i = 0; i < opts.participants; i++) records.push(...recordsOf(i, `r${run}`, event.start, event.end));
      records.push({ id: `r${run}-meeting-end`, type: 'meeting-end', at: new Date(event.end + 2 * 60_000).toISOString() });
      await ingestAll(a, org, event.id, records);
      setupMs.ingest = Math.round(performance.now() - t);

      t = performance.now();
      const stored = await settle(env.db, queue, event.id);
      setupMs.settle = Math.round(performance.now() - t);
      log(`event ${run + 1}: ${records.length} records (${stored} stored) ingested in ${setupMs.ingest} ms, derivations settled in ${setupMs.settle} ms`);

      const close = await measureChange(
        env.db,
        worker,
        event.id,
        'close',
        () => a.call('POST', `/v1/events/${event.id}/close`, { key: org.organiser }),
        `(inputs->>'closed')::boolean`,
        'course closed',
      );
      log(
        `event ${run + 1}: close → stored ${close.requestToStoredMs} ms (pickup ${close.pickupMs} ms, worker ${close.workerMs} ms); ${close.outcomes} outcomes, ${close.credited} credited, ${close.credits} credit records (expected ${close.expectedCredits}); ${close.rewritten} outcomes rewritten`,
      );
      // The CPO raises the tolerance (R-ATT-2): every outcome's figures change, so every outcome is rewritten.
      const tolerance = await measureChange(
        env.db,
        worker,
        event.id,
        'tolerance',
        () => a.call('PUT', `/v1/events/${event.id}/tolerance`, { key: org.cpo, body: { minutes: 60, reason: 'Problemi di connessione segnalati (bench)' } }),
        `(inputs->>'toleranceMinutes')::int = 60`,
        'tolerance',
      );
      log(
        `event ${run + 1}: tolerance 30 → 60 → stored ${tolerance.requestToStoredMs} ms (pickup ${tolerance.pickupMs} ms, worker ${tolerance.workerMs} ms); ${tolerance.credited} credited, ${tolerance.credits} credit records (expected ${tolerance.expectedCredits}); ${tolerance.rewritten} outcomes rewritten`,
      );
      runs.push({ eventId: event.id, close, tolerance, setupMs });
      for (const [what, r] of [
        ['close', close],
        ['tolerance', tolerance],
      ] as const) {
        if (r.credits !== r.expectedCredits) notes.push(`event ${run + 1}, ${what}: ${r.credits} credit records, the outcomes imply ${r.expectedCredits}`);
      }
    }

    // Phase by phase, in the bench process, on the last event (each a real, committed re-derivation).
    const phaseSamples: Array<Record<string, number>> = [];
    for (let k = 0; k < opts.phaseRepeats; k++) phaseSamples.push(await timedDerivation(env.db, lastEvent));
    const phases: Record<string, number> = {};
    for (const key of Object.keys(phaseSamples[0] ?? {})) {
      const v = phaseSamples.map((s) => s[key]!).sort((x, y) => x - y);
      phases[key] = v[Math.floor(v.length / 2)]!;
    }
    log(`phases (median of ${opts.phaseRepeats}): ${JSON.stringify(phases)}`);
    const storedRecords = (await env.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tracking_records WHERE event_id = $1', [lastEvent])).rows[0]!.n;
    return {
      kind: 'derive',
      machine,
      options: opts,
      participants: opts.participants,
      records: opts.participants * opts.recordsPerParticipant + 1,
      storedRecords,
      deriveDelayMs: opts.deriveDelayMs,
      role: opts.role === 'all' ? 'all' : 'gateway + worker',
      runs,
      phases,
      phaseSamples,
      notes,
    };
  } finally {
    await queue.close().catch(() => {});
    redis.disconnect();
    for (const s of services.reverse()) await s.stop().catch(() => {});
    await env.close();
  }
}

async function ingestAll(a: Api, org: Organiser, eventId: string, records: unknown[]) {
  const batches: unknown[][] = [];
  for (let i = 0; i < records.length; i += 1000) batches.push(records.slice(i, i + 1000));
  let next = 0;
  const lane = async () => {
    while (next < batches.length) {
      const b = batches[next++]!;
      const r = await a.call('POST', `/v1/ingest/webinar/${eventId}`, { key: org.platform, body: { records: b } });
      expectStatus(r, 202, 'ingest');
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
}

/** Waits until the last derivation covers every stored record and no derive job is pending. */
async function settle(db: Db, queue: Queue, eventId: string): Promise<number> {
  const until = Date.now() + 300_000;
  for (;;) {
    const { rows } = await db.query<{ n: number; hw: number | null; last: number | null }>(
      `SELECT (SELECT count(*)::int FROM tracking_records WHERE event_id = $1) AS n,
              (SELECT max(id) FROM tracking_records WHERE event_id = $1) AS hw,
              (SELECT evidence_high_water FROM derivations WHERE event_id = $1 ORDER BY id DESC LIMIT 1) AS last`,
      [eventId],
    );
    const r = rows[0]!;
    if (r.hw !== null && r.last === r.hw) {
      const jobs = await queue.getJobs(['active', 'waiting', 'delayed', 'prioritized']);
      if (!jobs.some((j) => j?.name === 'derive' && (j.data as { eventId?: string }).eventId === eventId)) return r.n;
    }
    if (Date.now() > until) throw new Error(`derivations did not settle within 300 s: ${JSON.stringify(r)}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/**
 * Sends `request` (close, tolerance) and polls every 10 ms until a derivation satisfying `done`
 * (SQL over `inputs`) is stored: it is written in one transaction with its outcomes and credit
 * records, so when it is visible they all are. Then counts what was stored and checks the credit
 * records against what the stored outcomes' explanations imply.
 */
async function measureChange(
  db: Db,
  worker: Service,
  eventId: string,
  what: string,
  request: () => Promise<{ status: number; text: string }>,
  done: string,
  cause: string,
): Promise<ChangeRun> {
  const seen = worker.lines.length;
  const before = (await db.query<{ id: number | null }>('SELECT max(id) AS id FROM derivations WHERE event_id = $1', [eventId])).rows[0]!.id ?? 0;
  const sentAt = Date.now();
  const t0 = performance.now();
  const res = await request();
  if (res.status >= 300) throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  let requestToStoredMs = 0;
  let derivationId = 0;
  for (;;) {
    const { rows } = await db.query<{ id: number }>(`SELECT id FROM derivations WHERE event_id = $1 AND id > $2 AND ${done} ORDER BY id DESC LIMIT 1`, [
      eventId,
      before,
    ]);
    if (rows.length) {
      requestToStoredMs = Math.round(performance.now() - t0);
      derivationId = rows[0]!.id;
      break;
    }
    if (performance.now() - t0 > 120_000) throw new Error(`${what}: the derivation was not stored within 120 s`);
    await new Promise((r) => setTimeout(r, 10));
  }
  const finished = await worker
    .waitFor(
      (l) => worker.lines.indexOf(l) >= seen && l.msg === 'derivation finished' && l.eventId === eventId && String(l.cause).includes(cause),
      `${what} derivation`,
      10_000,
    )
    .catch(() => null);
  const started = worker.lines.slice(seen).find((l) => l.msg === 'derivation started' && l.eventId === eventId);
  const counts = await db.query<{ outcomes: number; credited: number; credits: number; expectedCredits: number; rewritten: number }>(
    `SELECT (SELECT count(*)::int FROM attendance_outcomes WHERE event_id = $1) AS outcomes,
            (SELECT count(*)::int FROM attendance_outcomes WHERE event_id = $1 AND status = 'credited') AS credited,
            (SELECT count(*)::int FROM credit_records WHERE event_id = $1) AS credits,
            (SELECT coalesce(sum(CASE WHEN jsonb_typeof(explanation->'attendance'->'fractions') = 'array'
                    THEN (SELECT count(*) FROM jsonb_array_elements(explanation->'attendance'->'fractions') f WHERE (f->>'credits')::int > 0)
                    ELSE 1 END), 0)::int
               FROM attendance_outcomes WHERE event_id = $1 AND status = 'credited') AS "expectedCredits",
            (SELECT count(*)::int FROM attendance_outcomes o JOIN derivations d ON d.id = $2
               WHERE o.event_id = $1 AND o.derived_at = d.finished_at) AS rewritten`,
    [eventId, derivationId],
  );
  const c = counts.rows[0]!;
  return {
    requestToStoredMs,
    pickupMs: started && typeof started.time === 'number' ? started.time - sentAt : null,
    workerMs: finished && typeof finished.ms === 'number' ? finished.ms : null,
    ...c,
  };
}

/** One derivation of `eventId`, as the worker does it, timed phase by phase (ms). */
async function timedDerivation(db: Db, eventId: string): Promise<Record<string, number>> {
  const ms: Record<string, number> = {};
  const t0 = performance.now();
  let t = t0;
  const lap = (k: string) => {
    const now = performance.now();
    ms[k] = Math.round(now - t);
    t = now;
  };
  await db.transaction(async (tx) => {
    await lockEvent(tx, eventId);
    const input = await loadDerivationInput(tx, eventId);
    if (!input) throw new Error('event vanished');
    lap('load (3 queries)');
    const { outcomes, credits } = computeOutcomes(input);
    lap('compute (pure)');
    const inputs: DerivationInputs = {
      toleranceMinutes: input.event.toleranceMinutes,
      records: input.recordCount,
      highWater: input.highWater,
      corrections: input.corrections,
      closed: input.event.closedAt !== null,
      registrations: input.registrations.length,
      accreditation: input.event.accreditationStatus,
    };
    const cause = describeCause(await previousInputs(tx, eventId), inputs);
    await saveDerivation(tx, { eventId, outcomes, credits, cause, inputs, startedAt: new Date() });
    lap('store (outcomes, credits, audit)');
  });
  lap('commit');
  ms.total = Math.round(performance.now() - t0);
  return ms;
}
