/** @module Markdown tables of the results, as pasted into bench/RESULTS.md. */
import type { DeriveReport } from '../derive.ts';
import type { IngestReport } from '../ingest.ts';
import type { Machine } from './machine.ts';

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '–');
const errs = (e: Record<string, number>) => {
  const entries = Object.entries(e);
  return entries.length ? entries.map(([k, v]) => `${k}: ${v}`).join(', ') : '0';
};

export function machineMarkdown(m: Machine): string {
  return [
    `- Date: ${m.date}`,
    `- CPU: ${m.cpus} × ${m.cpuModel}; RAM ${m.memoryGiB} GiB; ${m.kernel}; load average at start ${m.loadAverage.join(' / ')}`,
    `- Node ${m.node}; ${m.postgres} (${Object.entries(m.postgresSettings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}); Redis ${m.redis}`,
    '- Everything on this one machine: Postgres, Redis, the gateway process, the bare Hono process and the load generator share the CPUs.',
  ].join('\n');
}

/** Ingest targets (issue 2): ≥ 5,000 records/s accepted with p99 ≤ 50 ms. */
export const INGEST_TARGET = { recordsPerSecond: 5000, p99Ms: 50 };
/** Derivation target: close → all credits stored ≤ 5 s. */
export const DERIVE_TARGET_MS = 5000;

export function ingestMarkdown(r: IngestReport): string {
  const out: string[] = [];
  out.push(
    `Gateway role \`${r.options.role}\`; ${r.options.connections} keep-alive connections; each step ${r.options.warmupMs / 1000} s warm-up + ${r.options.durationMs / 1000} s measured; latency from the scheduled send time (open loop). CPU in % of one core over the step; "other processes" is everything else on the machine (Postgres backends of other clients count under Postgres).`,
    '',
    '| mode | offered rec/s | target | req/s | accepted rec/s | p50 ms | p99 ms | max ms | errors | server CPU % | Postgres CPU % | generator CPU % | other processes CPU % |',
    '|---|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|',
  );
  for (const s of r.steps) {
    for (const [name, run] of [
      ['bare Hono', s.bare],
      ['gateway', s.gateway],
    ] as const) {
      const l = run.result.latencyMs;
      out.push(
        `| ${s.mode === 'batch' ? `batch ${s.recordsPerRequest}` : 'single'} | ${f0(s.offeredRecordsPerSecond)} | ${name} | ${f0(run.result.offeredRequestsPerSecond)} | ${f0(run.result.acceptedRecordsPerSecond)} | ${f1(l.p50)} | ${f1(l.p99)} | ${f0(l.max)} | ${errs(run.result.errors)} | ${run.cpu.server ?? '–'} | ${run.cpu.postgres ?? '–'} | ${run.cpu.generator ?? '–'} | ${run.cpu.other ?? '–'} |`,
      );
    }
  }
  out.push('', 'Ratios (gateway ÷ bare Hono, same offered load) and targets (≥ 5,000 rec/s accepted at p99 ≤ 50 ms):', '');
  out.push('| mode | offered rec/s | throughput ratio | p50 ratio | p99 ratio | target met | store check |', '|---|---:|---:|---:|---:|---|---|');
  for (const s of r.steps) {
    const g = s.gateway.result;
    const b = s.bare.result;
    const met =
      g.acceptedRecordsPerSecond >= INGEST_TARGET.recordsPerSecond * 0.98 && g.latencyMs.p99 <= INGEST_TARGET.p99Ms && Object.keys(g.errors).length === 0;
    const relevant = s.offeredRecordsPerSecond >= INGEST_TARGET.recordsPerSecond;
    const c = s.gateway.check;
    out.push(
      `| ${s.mode === 'batch' ? `batch ${s.recordsPerRequest}` : 'single'} | ${f0(s.offeredRecordsPerSecond)} | ${(g.acceptedRecordsPerSecond / b.acceptedRecordsPerSecond).toFixed(2)} | ${(g.latencyMs.p50 / b.latencyMs.p50).toFixed(1)}× | ${(g.latencyMs.p99 / b.latencyMs.p99).toFixed(1)}× | ${relevant ? (met ? 'yes' : 'no') : 'n/a (below 5k)'} | ${c.ok ? 'ok' : 'FAILED'}: ${f0(c.stored)} stored, ${f0(c.acknowledged)} acknowledged${c.redelivery ? `; redelivery ${c.redelivery.ok ? 'all duplicates' : 'WRONG'}` : ''} |`,
    );
  }
  if (r.notes.length) out.push('', ...r.notes.map((n) => `- ${n}`));
  return out.join('\n');
}

export function deriveMarkdown(r: DeriveReport): string {
  const out: string[] = [];
  out.push(
    `${f0(r.participants)} registered participants (1 in 20 outside the audience), ${f0(r.records)} records, a ${r.options.hours}-hour webinar${r.options.fractionable ? ` in ${r.options.hours} fractions` : ''}; DERIVE_DELAY_MS=${r.deriveDelayMs} (the coalescing delay of evidence-triggered jobs); ${r.role}.`,
    '',
    '| event | change | request → derivation stored, ms | of which queue + pickup, ms | worker derivation, ms | outcomes rewritten | credited | credit records (check) | target ≤ 5 s |',
    '|---|---|---:|---:|---:|---:|---:|---|---|',
  );
  r.runs.forEach((x, i) => {
    for (const [what, c] of [
      ['close', x.close],
      ['tolerance 30 → 60', x.tolerance],
    ] as const) {
      out.push(
        `| ${i + 1} | ${what} | ${f0(c.requestToStoredMs)} | ${c.pickupMs === null ? '–' : f0(c.pickupMs)} | ${c.workerMs === null ? '–' : f0(c.workerMs)} | ${f0(c.rewritten)} of ${f0(c.outcomes)} | ${f0(c.credited)} | ${f0(c.credits)} (${c.credits === c.expectedCredits ? 'ok' : `WRONG, expected ${f0(c.expectedCredits)}`}) | ${what === 'close' ? (c.requestToStoredMs <= DERIVE_TARGET_MS ? 'yes' : 'no') : 'n/a'} |`,
      );
    }
  });
  out.push('', `Phases of one (unchanged) re-derivation of the last event, in the bench process (median of ${r.phaseSamples.length}):`, '');
  out.push('| phase | ms |', '|---|---:|');
  for (const [k, v] of Object.entries(r.phases)) out.push(`| ${k} | ${f0(v)} |`);
  if (r.notes.length) out.push('', ...r.notes.map((n) => `- ${n}`));
  return out.join('\n');
}
