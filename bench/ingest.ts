/**
 * @module bench/ingest: sustained ingest through `POST /v1/ingest/webinar/{eventId}` on Postgres,
 * at increasing offered load, in batches and as single records, side by side with a bare Hono
 * endpoint (the ratio's denominator) driven by the same open-loop generator at the same loads.
 *
 * The gateway runs as its own process (`src/main.ts gateway` by default, `all` with
 * BENCH_GATEWAY_ROLE=all) on a private schema and BullMQ prefix. After every gateway step the
 * store is checked: every record acknowledged is stored, none twice; and a redelivery of an
 * acknowledged request is answered as duplicates.
 */
import { api, createOrganiser, createPastWebinar, expectStatus } from './lib/api.ts';
import { createBenchEnv } from './lib/env.ts';
import { runOpenLoop, type LoadResult } from './lib/loadgen.ts';
import { cpuBetween, describeMachine, snapshotCpu, type CpuShare, type Machine } from './lib/machine.ts';
import { GATEWAY_ROOT, startService, type Service } from './lib/process.ts';

export type Mode = 'batch' | 'single';

export interface IngestOptions {
  /** Offered loads, records per second. */
  rates: number[];
  modes: Mode[];
  batchSize: number;
  warmupMs: number;
  durationMs: number;
  connections: number;
  role: 'gateway' | 'all';
  keep: boolean;
}

export interface IngestStep {
  mode: Mode;
  recordsPerRequest: number;
  offeredRecordsPerSecond: number;
  bare: StepRun;
  gateway: StepRun & { check: StoreCheck };
}

export interface StepRun {
  result: LoadResult;
  cpu: CpuShare;
  others: string[];
}

export interface StoreCheck {
  /** Records of this step in tracking_records. */
  stored: number;
  /** Records the gateway said it stored (2xx `accepted`), warm-up included. */
  acknowledged: number;
  /** Records of this step in requests that got no 2xx (may or may not be stored). */
  unacknowledged: number;
  /** The stored count is what the answers imply. */
  ok: boolean;
  /** A redelivery of one acknowledged request: its answer. */
  redelivery: { status: number; accepted: number; duplicates: number; expectedDuplicates: number; ok: boolean } | null;
}

export interface IngestReport {
  kind: 'ingest';
  machine: Machine;
  options: IngestOptions;
  steps: IngestStep[];
  notes: string[];
}

export const DEFAULT_INGEST: IngestOptions = {
  rates: [1000, 5000, 10000],
  modes: ['batch', 'single'],
  batchSize: 100,
  warmupMs: 3000,
  durationMs: 12000,
  connections: 64,
  role: 'gateway',
  keep: false,
};

/** Deterministic, realistic records: joins and leaves of 10,000 people with reconnects. */
function makeRecord(tag: string, seq: number, start: number, end: number) {
  const person = (seq * 7919) % 10_000;
  const span = end - start;
  const at = start + ((seq * 104_729) % span);
  return {
    id: `${tag}-${seq}`,
    type: seq % 2 === 0 ? 'join' : 'leave',
    at: new Date(at).toISOString(),
    participant: {
      registrantId: `reg-${person}`,
      email: `partecipante${person}@studio.example.it`,
      name: `Partecipante ${person}`,
      connectionId: `conn-${Math.floor(seq / 2)}`,
    },
  };
}

export async function runIngestBench(opts: IngestOptions, log: (s: string) => void): Promise<IngestReport> {
  const env = await createBenchEnv('ingest', { keep: opts.keep });
  const services: Service[] = [];
  const notes: string[] = [];
  try {
    const machine = await describeMachine(env.db, env.redisUrl);
    const gateway = await startService(
      'gateway',
      'src/main.ts',
      [opts.role],
      {
        DATABASE_URL: env.databaseUrl,
        REDIS_URL: env.redisUrl,
        QUEUE_PREFIX: env.queuePrefix,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
      undefined,
      GATEWAY_ROOT,
    );
    services.push(gateway);
    const bare = await startService('bare-hono', 'bench/lib/bare-hono.ts', [], { PORT: '0' });
    services.push(bare);
    log(`gateway (${opts.role}) pid ${gateway.pid} at ${gateway.url}; bare Hono pid ${bare.pid} at ${bare.url}; schema ${env.schema}`);

    const a = api(gateway.url);
    const org = await createOrganiser(env.db, a);
    const event = await createPastWebinar(a, org, 2, 'Bench ingest');
    const path = `/v1/ingest/webinar/${event.id}`;
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${org.platform}` };

    // A short warm-up of both servers (JIT, connection pools) before the first measured step.
    for (const target of [bare, gateway]) {
      await runOpenLoop({
        origin: target.url,
        path,
        headers,
        ratePerSecond: 200,
        warmupMs: 0,
        durationMs: 2000,
        body: (seq) => JSON.stringify({ records: [makeRecord(`warm-${target.name}`, seq, event.start, event.end)] }),
        recordsPerRequest: 1,
        connections: opts.connections,
        timeoutMs: 10_000,
        maxOutstanding: 20_000,
      });
    }

    const steps: IngestStep[] = [];
    for (const mode of opts.modes) {
      const perRequest = mode === 'batch' ? opts.batchSize : 1;
      for (const rate of opts.rates) {
        const reqRate = rate / perRequest;
        const runs: Partial<Record<'bare' | 'gateway', StepRun>> = {};
        let check: StoreCheck | null = null;
        for (const target of [bare, gateway]) {
          const tag = `${mode}-${rate}-${target.name}`;
          const bodyOf = (seq: number) => {
            const records = [];
            for (let k = 0; k < perRequest; k++) records.push(makeRecord(tag, seq * perRequest + k, event.start, event.end));
            return JSON.stringify({ records });
          };
          await new Promise((r) => setTimeout(r, 1500)); // let the previous step's tail settle
          const before = snapshotCpu();
          const result = await runOpenLoop({
            origin: target.url,
            path,
            headers,
            ratePerSecond: reqRate,
            warmupMs: opts.warmupMs,
            durationMs: opts.durationMs,
            body: bodyOf,
            recordsPerRequest: perRequest,
            connections: opts.connections,
            timeoutMs: 10_000,
            maxOutstanding: 50_000,
          });
          const after = snapshotCpu();
          const { shares, others } = cpuBetween(before, after, { server: target.pid, generator: process.pid });
          runs[target.name === 'gateway' ? 'gateway' : 'bare'] = { result, cpu: shares, others };
          const l = result.latencyMs;
          log(
            `${mode.padEnd(6)} ${String(rate).padStart(6)} rec/s  ${target.name.padEnd(9)} accepted ${Math.round(result.acceptedRecordsPerSecond)} rec/s  ` +
              `p50 ${l.p50.toFixed(1)} p99 ${l.p99.toFixed(1)} max ${l.max.toFixed(0)} ms  errors ${JSON.stringify(result.errors)}  cpu ${JSON.stringify(shares)}`,
          );
          if (others.length) log(`  other busy processes: ${others.join('; ')}`);
          log(`  p99 per second, ms: ${result.perSecond.map((x) => Math.round(x.p99)).join(' ')}`);
          if (target === gateway) check = await checkStore(env.db, a, path, headers, tag, result, bodyOf);
        }
        if (check && !check.ok) notes.push(`${mode} ${rate}: store check failed: ${JSON.stringify(check)}`);
        if (check?.redelivery && !check.redelivery.ok)
          notes.push(`${mode} ${rate}: redelivery not answered as duplicates: ${JSON.stringify(check.redelivery)}`);
        steps.push({ mode, recordsPerRequest: perRequest, offeredRecordsPerSecond: rate, bare: runs.bare!, gateway: { ...runs.gateway!, check: check! } });
      }
    }
    return { kind: 'ingest', machine, options: opts, steps, notes };
  } finally {
    for (const s of services.reverse()) await s.stop().catch(() => {});
    await env.close();
  }
}

/**
 * Nothing acknowledged is lost and nothing is stored twice: the records of the step in the store
 * number at least what the 2xx answers said were stored, and at most that plus the records of
 * requests that got no answer (a timed-out request may have committed). Then one acknowledged
 * request is delivered again and must come back 2xx with every record a duplicate.
 */
async function checkStore(
  db: import('../src/store/db.ts').Db,
  a: ReturnType<typeof api>,
  path: string,
  headers: Record<string, string>,
  tag: string,
  r: LoadResult,
  bodyOf: (seq: number) => string,
): Promise<StoreCheck> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM tracking_records WHERE source_record_id LIKE $1`, [`${tag}-%`]);
  const stored = rows[0]!.n;
  const perRequest = r.offeredRecordsPerSecond / r.offeredRequestsPerSecond;
  const unacknowledged = (r.totals.sent - r.totals.ok) * perRequest;
  const acknowledged = r.totals.accepted;
  const ok = stored >= acknowledged && stored <= acknowledged + unacknowledged && r.totals.duplicates === 0;
  let redelivery: StoreCheck['redelivery'] = null;
  if (r.totals.ok > 0) {
    // Request 0 of the warm-up; if it got no 2xx its records may be absent and the check says so.
    const body = bodyOf(0);
    const expected = JSON.parse(body).records.length as number;
    const rr = await a.call('POST', path, { key: headers.authorization!.slice('Bearer '.length), raw: body, contentType: 'application/json' });
    expectStatus(rr, 202, 'redelivery');
    redelivery = {
      status: rr.status,
      accepted: rr.body.accepted,
      duplicates: rr.body.duplicates,
      expectedDuplicates: expected,
      ok: rr.body.accepted === 0 && rr.body.duplicates === expected,
    };
  }
  return { stored, acknowledged, unacknowledged, ok, redelivery };
}
