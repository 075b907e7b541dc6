/**
 * @module Bench entry: `npm run bench -- [ingest|derive|all] [--key=value ...]` (default: all).
 *
 * Prints the figures as Markdown tables (the shape of bench/RESULTS.md) and writes the raw
 * results to bench/out/<timestamp>-<kind>.json. Options (flag or environment variable):
 *
 *   --rates=1000,5000,10000   BENCH_RATES        ingest: offered loads, records/s
 *   --modes=batch,single      BENCH_MODES        ingest: batches and/or single-record requests
 *   --batch=100               BENCH_BATCH        ingest: records per batch request
 *   --warmup=3 --duration=12  BENCH_WARMUP_S, BENCH_DURATION_S   ingest: seconds per step
 *   --connections=64          BENCH_CONNECTIONS  ingest: keep-alive connections per target
 *   --role=gateway            BENCH_GATEWAY_ROLE ingest: `gateway` (no worker) or `all`
 *   --participants=10000      BENCH_PARTICIPANTS derive: registered participants (3 records each)
 *   --runs=3                  BENCH_DERIVE_RUNS  derive: events closed and measured
 *   --delay=1000              BENCH_DERIVE_DELAY_MS  derive: the worker's DERIVE_DELAY_MS
 *   --keep                    BENCH_KEEP=1       keep the schema and Redis keys afterwards
 *
 * Postgres: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test);
 * Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379). Diagnostics: BENCH_PROFILE=1,
 * BENCH_GATEWAY_ROOT, BENCH_NODE_ARGS, BENCH_LOG_DIR (see bench/README.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_DERIVE, runDeriveBench } from './derive.ts';
import { DEFAULT_INGEST, runIngestBench, type Mode } from './ingest.ts';
import { deriveMarkdown, ingestMarkdown, machineMarkdown } from './lib/report.ts';
import { codeUnderTest, ROOT, runMain } from './lib/process.ts';

const args = process.argv.slice(2).filter((a) => a !== '--');
const which = args.find((a) => !a.startsWith('--')) ?? 'all';
if (!['ingest', 'derive', 'all'].includes(which)) {
  console.error(`Unknown benchmark "${which}": use ingest, derive or all`);
  process.exit(2);
}
const flags = new Map(
  args
    .filter((a) => a.startsWith('--'))
    .map((a) => {
      const [k, v] = a.slice(2).split('=');
      return [k!, v ?? 'true'] as const;
    }),
);
const opt = (flag: string, envName: string): string | undefined => flags.get(flag) ?? process.env[envName];
const num = (flag: string, envName: string, dflt: number) => {
  const v = opt(flag, envName);
  return v === undefined ? dflt : Number(v);
};
const list = (flag: string, envName: string) =>
  opt(flag, envName)
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const keep = flags.has('keep') || process.env.BENCH_KEEP === '1';

const log = (s: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}`);
const outDir = path.join(ROOT, 'bench', 'out');
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const save = (kind: string, data: unknown) => {
  fs.mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, `${stamp}-${kind}.json`);
  fs.writeFileSync(file, JSON.stringify(data, null, 2));
  return path.relative(ROOT, file);
};

async function main() {
  const command = `npm run bench -- ${process.argv
    .slice(2)
    .filter((a) => a !== '--')
    .join(' ')}`.trim();
  const sections: string[] = [];
  if (which === 'ingest' || which === 'all') {
    const o = {
      ...DEFAULT_INGEST,
      rates: list('rates', 'BENCH_RATES')?.map(Number) ?? DEFAULT_INGEST.rates,
      modes: (list('modes', 'BENCH_MODES') as Mode[] | undefined) ?? DEFAULT_INGEST.modes,
      batchSize: num('batch', 'BENCH_BATCH', DEFAULT_INGEST.batchSize),
      warmupMs: num('warmup', 'BENCH_WARMUP_S', DEFAULT_INGEST.warmupMs / 1000) * 1000,
      durationMs: num('duration', 'BENCH_DURATION_S', DEFAULT_INGEST.durationMs / 1000) * 1000,
      connections: num('connections', 'BENCH_CONNECTIONS', DEFAULT_INGEST.connections),
      role: (opt('role', 'BENCH_GATEWAY_ROLE') as 'gateway' | 'all' | undefined) ?? DEFAULT_INGEST.role,
      keep,
    };
    log(`ingest: ${JSON.stringify(o)}`);
    const r = await runIngestBench(o, log);
    const file = save('ingest', r);
    sections.push(`## Ingest\n\n${machineMarkdown(r.machine)}\n\n${ingestMarkdown(r)}\n\nRaw: \`${file}\``);
  }
  if (which === 'derive' || which === 'all') {
    const o = {
      ...DEFAULT_DERIVE,
      participants: num('participants', 'BENCH_PARTICIPANTS', DEFAULT_DERIVE.participants),
      runs: num('runs', 'BENCH_DERIVE_RUNS', DEFAULT_DERIVE.runs),
      deriveDelayMs: num('delay', 'BENCH_DERIVE_DELAY_MS', DEFAULT_DERIVE.deriveDelayMs),
      keep,
    };
    log(`derive: ${JSON.stringify(o)}`);
    const r = await runDeriveBench(o, log);
    const file = save('derive', r);
    sections.push(`## Derive\n\n${machineMarkdown(r.machine)}\n\n${deriveMarkdown(r)}\n\nRaw: \`${file}\``);
  }
  console.log(`\n# Results of \`${command}\`\n\nCode under test: ${codeUnderTest()}.\n\n${sections.join('\n\n')}\n`);
}

runMain(main);
