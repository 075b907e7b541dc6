/**
 * @module bench/export: the attendance workbook of a 10,000-participant webinar (issue 3, "Scale"):
 * time to the last byte and peak memory of `GET /v1/events/{id}/attendance.xlsx`, in each layout
 * and blank.
 *
 *   npx tsx bench/export.ts [--participants 10000] [--db postgres|pglite] [--runs 3] [--keep]
 *
 * Set-up (not measured) seeds the event straight into a private database (a Postgres schema at
 * BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test, or a PGlite directory):
 * the members, their registrations (half by registrant id, half by e-mail), four records each
 * (join, leave, rejoin, leave), 1 % who never join, 100 unmatched guests, then one derivation.
 * The export then runs in a fresh child process, so its peak RSS is the export's own: the
 * gateway's real route on a real port (createApp, node-server), read by a client that counts the
 * bytes as they arrive (nothing buffered). The first request is the cold one (modules load on
 * first use); the others are warm. The child also times the writer alone on rows held in memory,
 * to split database reads from spreadsheet writing. One file is then read back in the parent with
 * SheetJS to check its row counts. A JSON report goes to bench/out/.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import XLSX from 'xlsx';
import { writeAttendanceWorkbook, type MemberPresence } from '../adapters/xlsx/attendance-workbook.ts';
import { openDb, type Db } from '../src/store/db.ts';
import { migrate } from '../src/store/migrate.ts';
import { codiceFiscale, romeAfternoon } from '../test/support/fixtures.ts';
import { seedAttendance } from './lib/attendance-data.ts';

const SELF = fileURLToPath(import.meta.url);
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MIN = 60_000;

interface Options {
  participants: number;
  db: 'postgres' | 'pglite';
  runs: number;
  keep: boolean;
  /** Caps the export process's V8 heap (`--max-old-space-size`): it must still finish. */
  heapMiB: number | null;
}

function parseArgs(argv: string[]): Options & { child: boolean; target: string; eventId: string; file: string } {
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    participants: Number(get('participants') ?? 10_000),
    db: (get('db') ?? 'postgres') as Options['db'],
    runs: Number(get('runs') ?? 3),
    keep: argv.includes('--keep'),
    heapMiB: get('heap') ? Number(get('heap')) : null,
    child: argv.includes('--child'),
    target: get('target') ?? '',
    eventId: get('event') ?? '',
    file: get('file') ?? '',
  };
}

// ---------------------------------------------------------------------------------------------
// Parent: seed, derive, spawn the measured child, check, report
// ---------------------------------------------------------------------------------------------

async function parent(opts: Options) {
  const id = crypto.randomBytes(3).toString('hex');
  let db: Db;
  let target: string;
  let cleanup: () => Promise<void>;
  if (opts.db === 'postgres') {
    const schema = `bench_export_${id}`;
    const admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    db = await openDb({ url: DATABASE_URL, schema, poolSize: 4 });
    target = `postgres:${schema}`;
    cleanup = async () => {
      if (opts.keep) return console.log(`[bench] kept schema ${schema}`);
      const c = new pg.Client({ connectionString: DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-export-'));
    db = await openDb({ dataDir: path.join(dir, 'pglite') });
    target = `pglite:${path.join(dir, 'pglite')}`;
    cleanup = async () => {
      if (opts.keep) return console.log(`[bench] kept ${dir}`);
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  try {
    await migrate(db);
    const t0 = performance.now();
    const seeded = await seedAttendance(db, opts.participants);
    const seedMs = performance.now() - t0;
    const { deriveEvent } = await import('../src/services/attendance/derive.ts');
    const { createLogger } = await import('../src/log.ts');
    const t1 = performance.now();
    await deriveEvent(db, seeded.eventId, createLogger('silent'));
    const deriveMs = performance.now() - t1;
    const counts = (
      await db.query<{ status: string; n: number }>(
        'SELECT status, count(*)::int AS n FROM attendance_outcomes WHERE event_id = $1 GROUP BY status ORDER BY status',
        [seeded.eventId],
      )
    ).rows;
    console.log(
      `[bench] ${opts.db}: seeded ${opts.participants} participants, ${seeded.records} records in ${(seedMs / 1000).toFixed(1)} s; derived in ${(deriveMs / 1000).toFixed(1)} s: ${counts.map((c) => `${c.status} ${c.n}`).join(', ')}`,
    );
    if (opts.db === 'pglite') await db.close(); // one process at a time on a PGlite directory

    const file = path.join(os.tmpdir(), `bench-export-${id}.xlsx`);
    const heap = opts.heapMiB ? [`--max-old-space-size=${opts.heapMiB}`] : [];
    const child = await runChild([
      ...heap,
      ...process.execArgv,
      SELF,
      '--child',
      '--target',
      target,
      '--event',
      seeded.eventId,
      '--runs',
      String(opts.runs),
      '--file',
      file,
      '--participants',
      String(opts.participants),
    ]);

    // Read one file back (outside the measured process) and check what it holds.
    const wb = XLSX.read(fs.readFileSync(file), { cellDates: true, dense: true } as XLSX.ParsingOptions);
    const rowsOf = (name: string) => XLSX.utils.sheet_to_json(wb.Sheets[name]!, { header: 1 }).length - 1;
    const check = { presenze: rowsOf('Presenze'), esito: rowsOf('Esito'), nonAbbinati: rowsOf('Non abbinati'), bytes: fs.statSync(file).size };
    fs.rmSync(file, { force: true });
    if (check.presenze !== seeded.expectedIntervalRows || check.esito !== opts.participants || check.nonAbbinati !== seeded.guests) {
      throw new Error(`unexpected file contents: ${JSON.stringify(check)} vs ${JSON.stringify(seeded)}`);
    }

    const report = {
      kind: 'export',
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        loadAverage: os.loadavg(),
        node: process.version,
      },
      options: opts,
      seeded: { ...seeded, seedMs: Math.round(seedMs), deriveMs: Math.round(deriveMs) },
      check,
      ...child,
    };
    const outDir = path.join(path.dirname(SELF), 'out');
    fs.mkdirSync(outDir, { recursive: true });
    const outFile = path.join(outDir, `${report.date.replace(/[:.]/g, '-')}-export-${opts.db}.json`);
    fs.writeFileSync(outFile, JSON.stringify(report, null, 2));
    printSummary(report);
    console.log(`[bench] report: ${path.relative(process.cwd(), outFile)}`);
  } finally {
    if (opts.db === 'postgres') await db.close();
    await cleanup();
  }
}

function runChild(args: string[]): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.on('error', reject);
    p.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) return reject(new Error(`child exited ${code}: ${out}`));
      resolve(JSON.parse(line) as ChildReport);
    });
  });
}

function printSummary(r: { options: Options; seeded: { participants: number }; check: { bytes: number } } & ChildReport) {
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(b < 10 * 2 ** 20 ? 1 : 0)} MiB`;
  console.log(`\nexport of ${r.seeded.participants} participants on ${r.options.db} (${mb(r.check.bytes)} file):`);
  console.log(
    `  RSS before the first request ${mb(r.rssBeforeBytes)}; peak RSS of the export process ${mb(r.peakRssBytes)} (sampled peak during requests ${mb(r.sampledPeakRssBytes)})`,
  );
  for (const x of r.requests)
    console.log(`  ${x.query.padEnd(28)} ${x.cold ? 'cold' : 'warm'}  ${String(x.ms).padStart(6)} ms  ${mb(x.bytes)}  first byte ${x.firstByteMs} ms`);
  console.log(`  writer alone (rows in memory, ${r.writerAlone.rows} rows): ${r.writerAlone.ms.join(', ')} ms`);
}

// ---------------------------------------------------------------------------------------------
// Child: the gateway's route on a real port, a counting client, RSS
// ---------------------------------------------------------------------------------------------

interface ChildReport {
  rssBeforeBytes: number;
  peakRssBytes: number;
  sampledPeakRssBytes: number;
  requests: Array<{ query: string; cold: boolean; ms: number; firstByteMs: number; bytes: number }>;
  writerAlone: { rows: number; ms: number[] };
}

async function child(opts: ReturnType<typeof parseArgs>) {
  const { serve } = await import('@hono/node-server');
  const { gatewayApp: createApp } = await import('../src/runtime.ts');
  const { loadConfig } = await import('../src/config.ts');
  const { createLogger } = await import('../src/log.ts');
  const [kind, where] = [opts.target.slice(0, opts.target.indexOf(':')), opts.target.slice(opts.target.indexOf(':') + 1)];
  const db = kind === 'postgres' ? await openDb({ url: DATABASE_URL, schema: where, poolSize: 4 }) : await openDb({ dataDir: where });
  const config = loadConfig({ LOG_LEVEL: 'silent' });
  // Only what the export route uses is real; the rest are stubs (cast: see bench/lib/xlsx-child.ts).
  const deps = {
    db,
    attendance: {} as never, // the export route queues nothing
    links: {} as never,
    redisReady: () => true,
    config,
    log: createLogger('silent'),
    now: Date.now,
    resolveKey: async () => ({ keyId: 'bench', role: 'cn', subject: null }),
  };
  const app = createApp(deps as unknown as Parameters<typeof createApp>[0]);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as { port: number };

  let sampledPeak = 0;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, process.memoryUsage.rss())), 5);
  const rssBefore = process.memoryUsage.rss();
  const requests: ChildReport['requests'] = [];
  const queries = ['layout=intervals', 'layout=participants', 'blank=true'];
  let first = true;
  for (let run = 0; run < opts.runs; run++) {
    for (const query of queries) {
      const t0 = performance.now();
      const res = await fetch(`http://127.0.0.1:${port}/v1/events/${opts.eventId}/attendance.xlsx?${query}`, { headers: { authorization: 'Bearer bench' } });
      if (res.status !== 200) throw new Error(`${query}: ${res.status} ${await res.text()}`);
      const save = first ? fs.createWriteStream(opts.file) : null;
      let bytes = 0;
      let firstByteMs = -1;
      const reader = res.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (firstByteMs < 0) firstByteMs = Math.round(performance.now() - t0);
        bytes += value.byteLength;
        if (save && !save.write(value)) await new Promise<void>((r) => save.once('drain', () => r()));
      }
      if (save) await new Promise<void>((r) => save.end(() => r()));
      requests.push({ query, cold: first, ms: Math.round(performance.now() - t0), firstByteMs, bytes });
      first = false;
    }
  }

  clearInterval(sampler);
  const peakRss = process.resourceUsage().maxRSS * 1024;

  // The writer alone, on rows already in memory (no database), to a sink that drops the bytes.
  const start = romeAfternoon(3);
  const pageOf = (p: number): MemberPresence[] =>
    Array.from({ length: 1000 }, (_, i) => ({
      surname: `Cognome${p}${i}`,
      givenName: `Nome${i}`,
      codiceFiscale: codiceFiscale(p * 1000 + i + 1),
      registerNumber: String(p * 1000 + i),
      province: 'MI',
      spans: [
        { entry: start + (i % 15) * MIN, exit: start + 85 * MIN },
        { entry: start + 95 * MIN, exit: start + 180 * MIN },
      ],
    }));
  const writerMs: number[] = [];
  let rows = 0;
  for (let run = 0; run < opts.runs; run++) {
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const t0 = performance.now();
    const s = await writeAttendanceWorkbook(sink, {
      eventStart: start,
      layout: 'intervals',
      blank: false,
      presence: async function* () {
        for (let p = 0; p < opts.participants / 1000; p++) yield pageOf(p);
      },
    });
    writerMs.push(Math.round(performance.now() - t0));
    rows = s.presenceRows;
  }
  const report: ChildReport = {
    rssBeforeBytes: rssBefore,
    peakRssBytes: peakRss,
    sampledPeakRssBytes: sampledPeak,
    requests,
    writerAlone: { rows, ms: writerMs },
  };
  server.close();
  await db.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const opts = parseArgs(process.argv.slice(2));
if (opts.child) await child(opts);
else await parent(opts);
