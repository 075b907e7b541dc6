/**
 * @module Open-loop HTTP load generator.
 *
 * Requests are sent on a fixed schedule (request i at t0 + i/rate) whatever the server does, and
 * each latency is measured from the request's *scheduled* time, not from when it was actually
 * written: a server (or a generator) that falls behind is charged for the whole wait, so there is
 * no coordinated omission. Connections are kept alive (undici Pool); requests beyond the open
 * connections queue in the client and that wait counts too.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface LoadSpec {
  /** Origin, e.g. http://127.0.0.1:8080 */
  origin: string;
  path: string;
  headers: Record<string, string>;
  /** Offered requests per second. */
  ratePerSecond: number;
  warmupMs: number;
  durationMs: number;
  /** The body of request `seq` (0-based over warm-up and measurement). */
  body(seq: number): string;
  /** Records in each request (for records/s). */
  recordsPerRequest: number;
  connections: number;
  /** A request not answered within this is an error (`timeout`). */
  timeoutMs: number;
  /** Requests outstanding beyond this are not sent and count as `client-backlog` errors. */
  maxOutstanding: number;
}

export interface LoadResult {
  offeredRequestsPerSecond: number;
  offeredRecordsPerSecond: number;
  /** Requests scheduled in the measured window. */
  scheduled: number;
  /** 2xx answers to requests scheduled in the measured window. */
  ok: number;
  errors: Record<string, number>;
  /** Records acknowledged (2xx) per second, counting answers that arrived within the window. */
  acceptedRecordsPerSecond: number;
  /** `accepted` and `duplicates` as the server reported them (2xx bodies), measured window. */
  serverAccepted: number;
  serverDuplicates: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  /** Over warm-up and measurement: requests sent, 2xx answers, records the server said it stored or already had. */
  totals: { sent: number; ok: number; accepted: number; duplicates: number; failed: number };
  /** How late the generator itself sent requests (its own event loop), ms: p99 and max. */
  sendLagMs: { p99: number; max: number };
  /** Per second of the measured window (by scheduled time): requests, p50, p99 and max latency, ms. */
  perSecond: Array<{ n: number; p50: number; p99: number; max: number }>;
  /** Every request's sequence number with its status and body (only when `keepAnswers`). */
  answers?: Array<{ seq: number; status: number; body: string }>;
}

/**
 * Runs one step: warm-up then measurement at a fixed rate, then waits for the stragglers.
 *
 * @example
 * const r = await runOpenLoop({ origin, path: '/v1/ingest/webinar/' + id, ratePerSecond: 500, ... });
 */
export async function runOpenLoop(spec: LoadSpec, opts: { keepAnswers?: boolean } = {}): Promise<LoadResult> {
  const pool = new Pool(spec.origin, {
    connections: spec.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: spec.timeoutMs,
    bodyTimeout: spec.timeoutMs,
  });
  const interval = 1000 / spec.ratePerSecond;
  const total = Math.ceil(((spec.warmupMs + spec.durationMs) / 1000) * spec.ratePerSecond);
  const firstMeasured = Math.ceil((spec.warmupMs / 1000) * spec.ratePerSecond);
  const measuredCount = total - firstMeasured;
  const latencies = new Float64Array(measuredCount);
  const lags = new Float64Array(total);
  const bySeq = new Float64Array(total).fill(NaN);
  let nLat = 0;
  let ok = 0;
  let serverAccepted = 0;
  let serverDuplicates = 0;
  let ackedRecordsInWindow = 0;
  const errors: Record<string, number> = {};
  const totals = { sent: 0, ok: 0, accepted: 0, duplicates: 0, failed: 0 };
  const answers: Array<{ seq: number; status: number; body: string }> = [];
  const inFlight = new Map<number, number>(); // seq → scheduled time
  let outstanding = 0;
  let closed = false;
  let next = 0;
  const t0 = performance.now() + 20;
  const windowStart = t0 + spec.warmupMs;
  const windowEnd = windowStart + spec.durationMs;
  let allSent!: () => void;
  const sentAll = new Promise<void>((r) => (allSent = r));
  let drained!: () => void;
  const drainedAll = new Promise<void>((r) => (drained = r));

  const err = (k: string) => (errors[k] = (errors[k] ?? 0) + 1);
  const finish = (seq: number, scheduled: number, status: number, body: string, code?: string) => {
    if (closed) return;
    inFlight.delete(seq);
    const end = performance.now();
    const measured = seq >= firstMeasured;
    if (status >= 200 && status < 300) {
      totals.ok++;
      try {
        const b = JSON.parse(body) as { accepted?: number; duplicates?: number };
        totals.accepted += b.accepted ?? 0;
        totals.duplicates += b.duplicates ?? 0;
      } catch {
        // counted below
      }
    } else totals.failed++;
    if (measured) {
      latencies[nLat++] = end - scheduled;
      bySeq[seq] = end - scheduled;
      if (status >= 200 && status < 300) {
        ok++;
        try {
          const b = JSON.parse(body) as { accepted?: number; duplicates?: number };
          serverAccepted += b.accepted ?? 0;
          serverDuplicates += b.duplicates ?? 0;
        } catch {
          err('bad-2xx-body');
        }
      } else err(code ?? `http-${status}`);
    }
    if (status >= 200 && status < 300 && end >= windowStart && end < windowEnd) ackedRecordsInWindow += spec.recordsPerRequest;
    if (opts.keepAnswers) answers.push({ seq, status, body });
  };

  const fire = (seq: number, scheduled: number) => {
    lags[seq] = performance.now() - scheduled;
    if (outstanding >= spec.maxOutstanding) {
      if (seq >= firstMeasured) {
        latencies[nLat++] = spec.timeoutMs;
        err('client-backlog');
      }
      return;
    }
    outstanding++;
    totals.sent++;
    inFlight.set(seq, scheduled);
    pool
      .request({ method: 'POST', path: spec.path, headers: spec.headers, body: spec.body(seq) })
      .then(async (res) => {
        const text = await res.body.text();
        finish(seq, scheduled, res.statusCode, text);
      })
      .catch((e: Error & { code?: string }) => {
        const timeout = /timeout/i.test(e.code ?? '') || /timeout/i.test(e.message);
        finish(seq, scheduled, 0, '', timeout ? 'timeout' : (e.code ?? e.name ?? 'network'));
      })
      .finally(() => {
        outstanding--;
        if (next >= total && outstanding === 0) drained();
      });
  };

  const tick = () => {
    const now = performance.now();
    while (next < total && t0 + next * interval <= now) {
      fire(next, t0 + next * interval);
      next++;
    }
    if (next < total) {
      const wait = Math.max(0, t0 + next * interval - performance.now());
      setTimeout(tick, wait > 1 ? Math.floor(wait) : 1);
    } else {
      allSent();
      if (outstanding === 0) drained();
    }
  };
  setTimeout(tick, Math.max(0, t0 - performance.now()));
  await sentAll;
  await Promise.race([drainedAll, new Promise((r) => setTimeout(r, spec.timeoutMs + 5000))]);
  closed = true;
  for (const [seq] of inFlight) {
    totals.failed++;
    if (seq < firstMeasured) continue;
    latencies[nLat++] = spec.timeoutMs + 5000;
    bySeq[seq] = spec.timeoutMs + 5000;
    err('unanswered');
  }
  await pool.destroy().catch(() => {});

  const lat = latencies.subarray(0, nLat).sort();
  const q = (p: number) => (lat.length ? lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)]! : NaN);
  const lagSorted = lags.slice().sort();
  const lq = (p: number) => lagSorted[Math.min(lagSorted.length - 1, Math.ceil(p * lagSorted.length) - 1)] ?? NaN;
  let sum = 0;
  for (const v of lat) sum += v;
  const perSecond: LoadResult['perSecond'] = [];
  const perSec = Math.max(1, Math.round(spec.ratePerSecond));
  for (let from = firstMeasured; from < total; from += perSec) {
    const v = Array.from(bySeq.subarray(from, Math.min(total, from + perSec)))
      .filter((x) => !Number.isNaN(x))
      .sort((a, b) => a - b);
    const pq = (p: number) => (v.length ? Math.round(v[Math.min(v.length - 1, Math.ceil(p * v.length) - 1)]! * 10) / 10 : NaN);
    perSecond.push({ n: v.length, p50: pq(0.5), p99: pq(0.99), max: v.length ? Math.round(v[v.length - 1]! * 10) / 10 : NaN });
  }
  return {
    offeredRequestsPerSecond: spec.ratePerSecond,
    offeredRecordsPerSecond: spec.ratePerSecond * spec.recordsPerRequest,
    scheduled: measuredCount,
    ok,
    errors,
    acceptedRecordsPerSecond: ackedRecordsInWindow / (spec.durationMs / 1000),
    serverAccepted,
    serverDuplicates,
    latencyMs: {
      p50: q(0.5),
      p90: q(0.9),
      p99: q(0.99),
      p999: q(0.999),
      max: lat.length ? lat[lat.length - 1]! : NaN,
      mean: lat.length ? sum / lat.length : NaN,
    },
    totals,
    perSecond,
    sendLagMs: { p99: lq(0.99), max: lagSorted[lagSorted.length - 1] ?? NaN },
    ...(opts.keepAnswers ? { answers } : {}),
  };
}
