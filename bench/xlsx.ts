/**
 * @module bench/xlsx: the attendance workbook export (issue 3, "Proof": `bench/xlsx`): time and
 * peak RSS for 1,000 and 10,000 participants, through the gateway's HTTP route and through the
 * writer alone, and the same workbook written with the other candidate library, SheetJS, in the
 * same run, as ratios exceljs ÷ SheetJS. Target: 10,000 participants in ≤ 2 s and ≤ 300 MB peak
 * RSS.
 *
 *   npm run bench:xlsx [-- --sizes=1000,10000 --runs=3 --gateway-runs=9 --variants=gateway,route,... --keep]
 *
 * Set-up (not measured): a private Postgres schema (BENCH_DATABASE_URL), the members, and one
 * closed webinar per size seeded straight into the tables and derived (bench/lib/attendance-data.ts).
 * Then, per size, each variant runs in a fresh process: a cold run and `--runs` warm runs, with
 * the peak RSS reset before each run:
 *
 * - `gateway`: the gateway as production runs it (`node --import tsx src/main.ts gateway`, with
 *   Redis), `--gateway-runs` warm runs, no GC forced; `GET /v1/events/{id}/attendance.xlsx`
 *   (filled, intervals layout) with a CN key; this process is the client, times to the last
 *   byte and reads the gateway's RSS from /proc;
 * - `route`: the same request to the gateway's app alone on a real port, in a bench process
 *   (bench/lib/xlsx-child.ts, as are the four below, each with a full GC before each run);
 * - `exceljs-db` / `sheetjs-db`: the store's pages (what the route reads) written to a file by the
 *   project's writer (exceljs WorkbookWriter, streaming) / by SheetJS (`xlsx` 0.18.5, in memory);
 * - `exceljs-memory` / `sheetjs-memory`: the same, on rows generated in memory (no database).
 *
 * Every file is read back here with SheetJS (our own files: reading them is safe) and checked:
 * the row counts of the three sheets, and that the files of the same data hold the same cells.
 * Markdown tables (the shape of bench/RESULTS.md) go to stdout, the raw figures to bench/out/.
 * Extra Node flags for the measured processes: BENCH_NODE_ARGS (e.g. `--max-semi-space-size=4`).
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import XLSX from 'xlsx';
import { createLogger } from '../src/log.ts';
import { deriveEvent } from '../src/services/attendance/derive.ts';
import { key } from './lib/api.ts';
import { benchEventStart, seedEvent, seedMembers, type SeededEvent } from './lib/attendance-data.ts';
import { createBenchEnv, type BenchEnv, parseFlags } from './lib/env.ts';
import { cpuBetween, describeMachine, snapshotCpu, type Machine } from './lib/machine.ts';
import { mib, peakRssBytes, resetPeakRss, rssBytes, withChild } from './lib/measure.ts';
import { codeUnderTest, GATEWAY_ROOT, ROOT, startService } from './lib/process.ts';
import type { ChildReady, ChildRun, Variant } from './lib/xlsx-child.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(HERE, 'lib', 'xlsx-child.ts');
const VARIANTS: readonly Variant[] = ['gateway', 'route', 'exceljs-db', 'sheetjs-db', 'exceljs-memory', 'sheetjs-memory'];
/** Issue 3: 10,000 participants in ≤ 2 s and ≤ 300 MB peak RSS. */
export const XLSX_TARGET = { participants: 10_000, ms: 2000, peakRssBytes: 300e6 };

interface Options {
  sizes: number[];
  /** Warm runs after the cold one, per process. */
  runs: number;
  /** Warm runs for the gateway process: more, to see whether its peak RSS settles over repeated exports. */
  gatewayRuns: number;
  variants: Variant[];
  keep: boolean;
  nodeArgs: string[];
}

function parseOptions(argv: string[]): Options {
  const flags = parseFlags(argv);
  const variants = (flags.get('variants') ?? VARIANTS.join(',')).split(',') as Variant[];
  for (const v of variants) if (!VARIANTS.includes(v)) throw new Error(`unknown variant ${v}: ${VARIANTS.join(', ')}`);
  return {
    sizes: (flags.get('sizes') ?? '1000,10000').split(',').map(Number),
    runs: Number(flags.get('runs') ?? 3),
    gatewayRuns: Number(flags.get('gateway-runs') ?? 9),
    variants,
    keep: flags.has('keep') || process.env.BENCH_KEEP === '1',
    nodeArgs: (process.env.BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  };
}

export interface VariantResult extends Omit<ChildReady, 'type' | 'port'> {
  variant: Variant;
  participants: number;
  /** The first run is the cold one (first use of the code in the process). */
  runs: ChildRun[];
  /** Peak RSS over the process's life: set-up and every run. */
  processPeakRssBytes: number;
  /** CPU over the child's life, % of one core: the child, Postgres, everything else on the machine. */
  cpu: { child: number; postgres: number; other: number };
  file: string;
}

export interface XlsxReport {
  kind: 'xlsx';
  machine: Machine;
  code: string;
  options: Options;
  nodeArgs: string[];
  seeded: Array<SeededEvent & { deriveMs: number }>;
  results: VariantResult[];
  checks: Array<{ participants: number; variant: Variant; bytes: number; presence: number; outcomes: number; unmatched: number; ok: boolean }>;
  sameCells: Array<{ participants: number; a: Variant; b: Variant; sheets: string[]; same: boolean; detail?: string }>;
}

async function main() {
  const opts = parseOptions(process.argv.slice(2).filter((a) => a !== '--'));
  // Redis only for the gateway process (its queue producer); the other variants use none.
  const env = await createBenchEnv('xlsx', { keep: opts.keep, redis: opts.variants.includes('gateway') });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-xlsx-'));
  try {
    const machine = await describeMachine(env.db, opts.variants.includes('gateway') ? env.redisUrl : null);
    const start = benchEventStart();
    const t0 = performance.now();
    const members = await seedMembers(env.db, Math.max(...opts.sizes));
    const seeded: XlsxReport['seeded'] = [];
    for (const n of opts.sizes) {
      const s = await seedEvent(env.db, members.slice(0, n), start);
      const t1 = performance.now();
      await deriveEvent(env.db, s.eventId, createLogger('silent'));
      seeded.push({ ...s, deriveMs: Math.round(performance.now() - t1) });
    }
    console.log(
      `[bench] seeded ${opts.sizes.join(' and ')} participants (${seeded.map((s) => s.records).join(' and ')} records) and derived, in ${((performance.now() - t0) / 1000).toFixed(1)} s; schema ${env.schema}`,
    );

    // Measured processes: the project's way of running (node --import tsx), a GC to call between runs.
    const nodeArgs = ['--import', 'tsx', '--expose-gc', ...opts.nodeArgs];
    const cnKey = await key(env.db, 'cn');
    const results: VariantResult[] = [];
    for (const s of seeded) {
      for (const variant of opts.variants) {
        const file = path.join(tmp, `${s.participants}-${variant}.xlsx`);
        const r =
          variant === 'gateway'
            ? await runGateway(env, cnKey, s, opts.gatewayRuns, file)
            : variant === 'route'
              ? await runRoute(nodeArgs, env.schema, s, opts.runs, file)
              : await runWriter(nodeArgs, variant, env.schema, s, start, opts.runs, file);
        results.push(r);
        const warm = r.runs.slice(1).map((x) => Math.round(x.ms));
        console.log(
          `[bench] ${String(s.participants).padStart(5)} ${variant.padEnd(15)} cold ${Math.round(r.runs[0]!.ms)} ms, warm ${warm.join('/')} ms; RSS before ${mib(r.rssBeforeBytes).toFixed(0)} MiB, process peak ${mib(r.processPeakRssBytes).toFixed(0)} MiB`,
        );
      }
    }

    const { checks, sameCells } = checkFiles(seeded, results);
    const report: XlsxReport = {
      kind: 'xlsx',
      machine,
      code: codeUnderTest(['src', 'workers', 'adapters']),
      options: opts,
      nodeArgs,
      seeded,
      results,
      checks,
      sameCells,
    };
    const outDir = path.join(HERE, 'out');
    fs.mkdirSync(outDir, { recursive: true });
    const outFile = path.join(outDir, `${machine.date.replace(/[:.]/g, '-')}-xlsx.json`);
    fs.writeFileSync(outFile, JSON.stringify(report, null, 2));
    console.log(`\n${xlsxMarkdown(report)}\n`);
    console.log(`[bench] report: ${path.relative(process.cwd(), outFile)}`);
    const bad = checks.filter((c) => !c.ok).length + sameCells.filter((c) => !c.same).length;
    if (bad) {
      console.error(`[bench] ${bad} file check(s) FAILED (see above)`);
      process.exitCode = 1;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
    await env.close();
  }
}

/**
 * The gateway as it runs in production (`node --import tsx src/main.ts gateway`: Postgres pool,
 * Redis queue producer, JSON logs), with a CN key; this process is the client and reads the
 * gateway's RSS from /proc. Nothing is forced: no GC between runs (BENCH_NODE_ARGS can add flags).
 */
async function runGateway(env: BenchEnv, cnKey: string, s: SeededEvent, warmRuns: number, file: string): Promise<VariantResult> {
  const before = snapshotCpu();
  const gw = await startService(
    'gateway',
    'src/main.ts',
    ['gateway'],
    { DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, QUEUE_PREFIX: env.queuePrefix, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    undefined,
    GATEWAY_ROOT,
  );
  try {
    const rssBefore = rssBytes(gw.pid);
    const peakBefore = peakRssBytes(gw.pid);
    const agent = new http.Agent({ keepAlive: true });
    const runs: ChildRun[] = [];
    let resettable = false;
    for (let i = 0; i <= warmRuns; i++) {
      resettable = resetPeakRss(gw.pid);
      const rssAtRunStart = rssBytes(gw.pid);
      const t0 = performance.now();
      const bytes = await download(agent, `${gw.url}/v1/events/${s.eventId}/attendance.xlsx?layout=intervals`, i === 0 ? file : null, cnKey);
      const ms = performance.now() - t0;
      runs.push({ ms, peakRssBytes: peakRssBytes(gw.pid), rssAtRunStartBytes: rssAtRunStart, atPeak: null, bytes, rows: null });
    }
    agent.destroy();
    const ready: ChildReady = {
      type: 'ready',
      rssAtStartBytes: null,
      rssLoadedBytes: null,
      rssBeforeBytes: rssBefore,
      peakBeforeBytes: peakBefore,
      atBefore: null,
      peakResettable: resettable,
    };
    return result('gateway', s.participants, ready, runs, file, cpuOf(before, gw.pid));
  } finally {
    await gw.stop();
  }
}

function cpuOf(before: ReturnType<typeof snapshotCpu>, pid: number): VariantResult['cpu'] {
  const { shares } = cpuBetween(before, snapshotCpu(), { child: pid, bench: process.pid });
  return { child: shares.child ?? 0, postgres: shares.postgres ?? 0, other: shares.other ?? 0 };
}

/** The route in its own process; this process is the client. */
function runRoute(nodeArgs: string[], schema: string, s: SeededEvent, warmRuns: number, file: string): Promise<VariantResult> {
  const before = snapshotCpu();
  return withChild(nodeArgs, CHILD, ['--variant', 'route', '--schema', schema], { cwd: ROOT }, async (child, next) => {
    const ready = (await next()) as unknown as ChildReady;
    const agent = new http.Agent({ keepAlive: true });
    const runs: ChildRun[] = [];
    for (let i = 0; i <= warmRuns; i++) {
      child.send({ type: 'begin' });
      const begun = await next();
      const t0 = performance.now();
      const bytes = await download(agent, `http://127.0.0.1:${ready.port}/v1/events/${s.eventId}/attendance.xlsx?layout=intervals`, i === 0 ? file : null);
      const ms = performance.now() - t0;
      child.send({ type: 'end' });
      const ended = await next();
      runs.push({
        ms,
        peakRssBytes: ended.peakRssBytes as number,
        rssAtRunStartBytes: begun.rssAtRunStartBytes as number,
        atPeak: ended.atPeak as ChildRun['atPeak'],
        bytes,
        rows: null,
      });
    }
    agent.destroy();
    const cpu = cpuOf(before, child.pid!);
    child.send({ type: 'exit' });
    return result('route', s.participants, ready, runs, file, cpu);
  });
}

function runWriter(
  nodeArgs: string[],
  variant: Variant,
  schema: string,
  s: SeededEvent,
  start: number,
  warmRuns: number,
  file: string,
): Promise<VariantResult> {
  const args = [
    '--variant',
    variant,
    '--schema',
    schema,
    '--event',
    s.eventId,
    '--participants',
    String(s.participants),
    '--start',
    String(start),
    '--runs',
    String(warmRuns + 1),
    '--file',
    file,
  ];
  const before = snapshotCpu();
  return withChild(nodeArgs, CHILD, args, { cwd: ROOT }, async (child, next) => {
    const done = (await next()) as unknown as ChildReady & { runs: ChildRun[] };
    return result(variant, s.participants, done, done.runs, file, cpuOf(before, child.pid!));
  });
}

function result(variant: Variant, participants: number, ready: ChildReady, runs: ChildRun[], file: string, cpu: VariantResult['cpu']): VariantResult {
  const { type: _t, port: _p, ...stages } = ready;
  return { variant, participants, ...stages, runs, processPeakRssBytes: Math.max(ready.peakBeforeBytes, ...runs.map((r) => r.peakRssBytes)), cpu, file };
}

/** GETs `url`, counting the bytes as they arrive (and saving them to `file` if given). */
function download(agent: http.Agent, url: string, file: string | null, apiKey = 'bench'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers: { authorization: `Bearer ${apiKey}` } }, (res) => {
      if (res.statusCode !== 200) {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => reject(new Error(`${url}: ${res.statusCode} ${body}`)));
        return;
      }
      const save = file ? fs.createWriteStream(file) : null;
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        save?.write(c);
      });
      res.on('error', reject);
      res.on('end', () => (save ? save.end(() => resolve(bytes)) : resolve(bytes)));
    });
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Checks: every file read back with SheetJS
// ---------------------------------------------------------------------------------------------

type Rows = unknown[][];

function readSheets(file: string): Map<string, Rows> {
  const wb = XLSX.read(fs.readFileSync(file), { dense: true } as XLSX.ParsingOptions);
  const out = new Map<string, Rows>();
  for (const name of wb.SheetNames) {
    const rows = XLSX.utils.sheet_to_json<unknown[]>(wb.Sheets[name]!, { header: 1, raw: true, defval: null });
    // exceljs writes the empty (styled) exit cell of an open interval, SheetJS writes nothing: same value.
    for (const r of rows) while (r.length && r[r.length - 1] === null) r.pop();
    out.set(name, rows);
  }
  return out;
}

function checkFiles(seeded: XlsxReport['seeded'], results: VariantResult[]) {
  const checks: XlsxReport['checks'] = [];
  const sameCells: XlsxReport['sameCells'] = [];
  for (const s of seeded) {
    const sheets = new Map<Variant, Map<string, Rows>>();
    for (const r of results.filter((x) => x.participants === s.participants)) {
      const wb = readSheets(r.file);
      sheets.set(r.variant, wb);
      const count = (name: string) => (wb.get(name)?.length ?? 1) - 1;
      const c = { presence: count('Presenze'), outcomes: count('Esito'), unmatched: count('Non abbinati') };
      const ok = c.presence === s.expectedIntervalRows && c.outcomes === s.participants && c.unmatched === s.guests;
      checks.push({ participants: s.participants, variant: r.variant, bytes: fs.statSync(r.file).size, ...c, ok });
    }
    // Files of the same data must hold the same cells: the route, and both libraries on the
    // store's pages; both libraries on the in-memory rows; and Presenze across all of them (the
    // in-memory rows are the seeded ones; their Esito is computed more simply than the derivation).
    const compare = (a: Variant, b: Variant, names: string[]) => {
      const x = sheets.get(a);
      const y = sheets.get(b);
      if (!x || !y) return;
      const diff = names.map((n) => firstDifference(x.get(n) ?? [], y.get(n) ?? [], n)).find((d) => d !== null);
      sameCells.push({ participants: s.participants, a, b, sheets: names, same: !diff, ...(diff ? { detail: diff } : {}) });
    };
    const all = ['Presenze', 'Esito', 'Non abbinati'];
    compare('gateway', 'exceljs-db', all);
    compare('route', 'exceljs-db', all);
    compare('exceljs-db', 'sheetjs-db', all);
    compare('exceljs-memory', 'sheetjs-memory', all);
    compare('exceljs-db', 'exceljs-memory', ['Presenze']);
  }
  return { checks, sameCells };
}

function firstDifference(a: Rows, b: Rows, sheet: string): string | null {
  if (a.length !== b.length) return `${sheet}: ${a.length} rows vs ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    const x = JSON.stringify(a[i]);
    const y = JSON.stringify(b[i]);
    if (x !== y) return `${sheet} row ${i + 1}: ${x} vs ${y}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const m0 = (bytes: number) => f0(mib(bytes));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};
const warmMs = (r: VariantResult) => r.runs.slice(1).map((x) => x.ms);
const range = (xs: number[]) =>
  xs.length ? (Math.round(Math.min(...xs)) === Math.round(Math.max(...xs)) ? f0(xs[0]!) : `${f0(Math.min(...xs))}–${f0(Math.max(...xs))}`) : '–';

const LABEL: Record<Variant, string> = {
  gateway: 'gateway process (`src/main.ts gateway`), HTTP',
  route: 'route in a bench process, HTTP',
  'exceljs-db': 'exceljs, store pages → file',
  'sheetjs-db': 'SheetJS, store pages → file',
  'exceljs-memory': 'exceljs, rows in memory → file',
  'sheetjs-memory': 'SheetJS, rows in memory → file',
};

export function xlsxMarkdown(r: XlsxReport): string {
  const m = r.machine;
  const out: string[] = [
    `- Date: ${m.date}`,
    `- CPU: ${m.cpus} × ${m.cpuModel}; RAM ${m.memoryGiB} GiB; ${m.kernel}; load average at start ${m.loadAverage.join(' / ')}`,
    `- Node ${m.node}; ${m.postgres}; Redis ${m.redis}; bench processes: \`node ${r.nodeArgs.join(' ')}\`; code: ${r.code}`,
    '',
    `Time: the cold run (first in its process), then the warm runs (${r.options.runs}, the gateway ${r.options.gatewayRuns}; median and range). Peak RSS: the process's high-water mark over its life (VmHWM), RSS before: right before the first run (modules loaded, pool open, server listening for the route, after a full GC); increment: peak − before. MiB.`,
    '',
    '| participants | variant | cold ms | warm ms, median (range) | RSS at start | RSS before | process peak RSS | increment | file KiB | CPU % child / Postgres / other |',
    '|---:|---|---:|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const x of r.results) {
    const w = warmMs(x);
    out.push(
      `| ${f0(x.participants)} | ${LABEL[x.variant]} | ${f0(x.runs[0]!.ms)} | ${f0(median(w))} (${range(w)}) | ${x.rssAtStartBytes === null ? '–' : m0(x.rssAtStartBytes)} | ${m0(x.rssBeforeBytes)} | ${m0(x.processPeakRssBytes)} | ${m0(x.processPeakRssBytes - x.rssBeforeBytes)} | ${f0(x.runs[0]!.bytes / 1024)} | ${x.cpu.child} / ${x.cpu.postgres} / ${x.cpu.other} |`,
    );
  }
  out.push('', 'Ratios exceljs ÷ SheetJS (same rows, same process set-up; below 1: exceljs is faster or smaller):', '');
  out.push('| participants | rows from | time, warm median | time, cold | process peak RSS | increment (peak − before) |', '|---:|---|---:|---:|---:|---:|');
  for (const n of r.options.sizes) {
    for (const src of ['db', 'memory'] as const) {
      const a = r.results.find((x) => x.participants === n && x.variant === `exceljs-${src}`);
      const b = r.results.find((x) => x.participants === n && x.variant === `sheetjs-${src}`);
      if (!a || !b) continue;
      const ratio = (p: number, q: number) => (p / q).toFixed(2);
      out.push(
        `| ${f0(n)} | ${src === 'db' ? 'store (Postgres)' : 'memory'} | ${ratio(median(warmMs(a)), median(warmMs(b)))} | ${ratio(a.runs[0]!.ms, b.runs[0]!.ms)} | ${ratio(a.processPeakRssBytes, b.processPeakRssBytes)} | ${ratio(a.processPeakRssBytes - a.rssBeforeBytes, b.processPeakRssBytes - b.rssBeforeBytes)} |`,
      );
    }
  }
  out.push(
    '',
    'Memory near the peak of the cold run (the sample with the highest RSS, every 5 ms; timers do not fire inside synchronous work, so it can miss the peak), MiB:',
    '',
  );
  out.push(
    '| participants | variant | before: RSS | heap total | heap used | run peak RSS | sampled RSS | heap total | heap used | external | array buffers |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const x of r.results) {
    const c = x.runs[0]!;
    const b = x.atBefore;
    if (!c.atPeak || !b) continue;
    out.push(
      `| ${f0(x.participants)} | ${x.variant} | ${m0(b.rss)} | ${m0(b.heapTotal)} | ${m0(b.heapUsed)} | ${m0(c.peakRssBytes)} | ${m0(c.atPeak.rss)} | ${m0(c.atPeak.heapTotal)} | ${m0(c.atPeak.heapUsed)} | ${m0(c.atPeak.external)} | ${m0(c.atPeak.arrayBuffers)} |`,
    );
  }
  for (const x of r.results.filter((y) => y.variant === 'gateway')) {
    out.push(
      '',
      `Gateway process, ${f0(x.participants)} participants: RSS before ${m0(x.rssBeforeBytes)}; peak RSS of each export in turn (no GC forced; each from the RSS the previous one left): ${x.runs.map((y) => m0(y.peakRssBytes)).join(', ')}; RSS at the start of each: ${x.runs.map((y) => m0(y.rssAtRunStartBytes)).join(', ')}.`,
    );
  }
  const route =
    r.results.find((x) => x.variant === 'gateway' && x.participants === XLSX_TARGET.participants) ??
    r.results.find((x) => x.variant === 'route' && x.participants === XLSX_TARGET.participants);
  if (route) {
    const worst = Math.max(...route.runs.map((x) => x.ms));
    out.push(
      '',
      `Target (${f0(XLSX_TARGET.participants)} participants, ${route.variant}: ≤ ${f0(XLSX_TARGET.ms)} ms, ≤ 300 MB = ${mib(XLSX_TARGET.peakRssBytes).toFixed(1)} MiB peak RSS): ` +
        `time ${worst <= XLSX_TARGET.ms ? 'met' : 'NOT met'} (slowest run ${f0(worst)} ms); ` +
        `peak RSS ${route.processPeakRssBytes <= XLSX_TARGET.peakRssBytes ? 'met' : 'NOT met'} (${m0(route.processPeakRssBytes)} MiB = ${(route.processPeakRssBytes / 1e6).toFixed(0)} MB).`,
    );
  }
  out.push('', 'Files read back with SheetJS:', '');
  for (const c of r.checks)
    out.push(
      `- ${f0(c.participants)} ${c.variant}: Presenze ${f0(c.presence)}, Esito ${f0(c.outcomes)}, Non abbinati ${f0(c.unmatched)} rows, ${f0(c.bytes)} bytes: ${c.ok ? 'as seeded' : 'WRONG'}`,
    );
  for (const c of r.sameCells)
    out.push(`- ${f0(c.participants)} ${c.a} and ${c.b}, ${c.sheets.join(', ')}: ${c.same ? 'same cells' : `DIFFERENT: ${c.detail}`}`);
  return out.join('\n');
}

await main();
