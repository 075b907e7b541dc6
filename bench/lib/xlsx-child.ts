/**
 * @module The measured process of bench/xlsx.ts: one variant of the attendance workbook export in
 * a fresh Node process, so that its peak RSS is its own. Started by the parent with an IPC
 * channel; nothing here is meant to be run by hand.
 *
 *   --variant route            the gateway's route (createApp on @hono/node-server, a real port):
 *                              the parent is the HTTP client and asks for each run over IPC
 *   --variant exceljs-db       the project's writer (exceljs streaming) fed by the store's pages
 *                              (as the route does), to a file
 *   --variant sheetjs-db       the same pages written with SheetJS, to a file
 *   --variant exceljs-memory   the project's writer on rows generated in memory (no database)
 *   --variant sheetjs-memory   SheetJS on the same rows
 *
 * Static imports are Node's only; everything else is imported after the first RSS reading, so the
 * report can say what the modules cost. The writer variants import both writers and the store
 * (db variants) whichever library they use, so that exceljs and SheetJS runs start from the same
 * modules and differ only by what writing costs. Before each run: a full GC (`--expose-gc`) and
 * the peak RSS reset to the current RSS, so each run has its own peak.
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { finished } from 'node:stream/promises';
import { fullGc, peakRssBytes, resetPeakRss, rssBytes, startMemorySampler, type MemoryBreakdown } from './measure.ts';

const rssAtStart = rssBytes();

/** `gateway` (the real gateway process, `src/main.ts gateway`) is run by the parent, not here. */
export type Variant = 'gateway' | 'route' | 'exceljs-db' | 'sheetjs-db' | 'exceljs-memory' | 'sheetjs-memory';

export interface ChildRun {
  ms: number;
  /** Peak RSS of this run (from the RSS at its start, after a full GC). */
  peakRssBytes: number;
  /** RSS at the start of the run. */
  rssAtRunStartBytes: number;
  /** `process.memoryUsage()` at the highest sampled RSS of the run (null for the gateway process, measured from outside). */
  atPeak: MemoryBreakdown | null;
  bytes: number;
  rows: { presence: number; outcomes: number; unmatched: number } | null;
}

export interface ChildReady {
  type: 'ready';
  /** Node, the tsx loader and this module, before any import of the project or a library (null: not known). */
  rssAtStartBytes: number | null;
  /** After importing what the variant uses (null: not known). */
  rssLoadedBytes: number | null;
  /** Right before the first run: database pool open (server listening for the route), after a full GC. */
  rssBeforeBytes: number;
  /** Peak RSS up to then (module loading, set-up). */
  peakBeforeBytes: number;
  /** `process.memoryUsage()` at that point (null for the gateway process). */
  atBefore: MemoryBreakdown | null;
  peakResettable: boolean;
  port?: number;
}

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) throw new Error(`--${name} missing`);
  return v;
}

const send = (m: object) => new Promise<void>((resolve, reject) => process.send!(m, undefined, {}, (err) => (err ? reject(err) : resolve())));

const variant = arg('variant') as Variant;
const schema = process.argv.includes('--schema') ? arg('schema') : '';
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

if (variant === 'route') await route();
else await writer();

function breakdown(): MemoryBreakdown {
  const m = process.memoryUsage();
  return { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

/** Starts a measured run: GC, peak reset, sampler. */
function beginRun() {
  fullGc();
  const resettable = resetPeakRss();
  const rssAtRunStart = rssBytes();
  const sampler = startMemorySampler();
  return { resettable, rssAtRunStart, sampler };
}

async function route() {
  const { serve } = await import('@hono/node-server');
  const { gatewayApp: createApp } = await import('../../src/runtime.ts');
  const { loadConfig } = await import('../../src/config.ts');
  const { createLogger } = await import('../../src/log.ts');
  const { openDb } = await import('../../src/store/db.ts');
  const rssLoaded = rssBytes();
  const db = await openDb({ url: databaseUrl, schema });
  // Only what the export route uses is real; the rest are stubs (cast, so that a dependency added
  // to Deps for another route does not stop this bench from compiling).
  const deps = {
    db,
    attendance: {} as never, // the export route queues nothing
    links: {} as never,
    redisReady: () => true,
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    log: createLogger('silent'),
    now: Date.now,
    resolveKey: async () => ({ keyId: 'bench', role: 'cn', subject: null }),
  };
  const app = createApp(deps as unknown as Parameters<typeof createApp>[0]);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  // One query, so the pool holds a connection as it would in a running gateway.
  await db.query('SELECT 1');
  fullGc();
  const ready: ChildReady = {
    type: 'ready',
    rssAtStartBytes: rssAtStart,
    rssLoadedBytes: rssLoaded,
    rssBeforeBytes: rssBytes(),
    peakBeforeBytes: peakRssBytes(),
    atBefore: breakdown(),
    peakResettable: false,
    port,
  };
  let run: ReturnType<typeof beginRun> | null = null;
  process.on('message', (m: { type: string }) => {
    void (async () => {
      if (m.type === 'begin') {
        run = beginRun();
        await send({ type: 'begun', rssAtRunStartBytes: run.rssAtRunStart });
      } else if (m.type === 'end') {
        const atPeak = run!.sampler.stop();
        await send({ type: 'ended', peakRssBytes: peakRssBytes(), atPeak });
      } else if (m.type === 'exit') {
        server.close();
        await db.close();
        process.exit(0);
      }
    })();
  });
  ready.peakResettable = resetPeakRss();
  ready.peakBeforeBytes = Math.max(ready.peakBeforeBytes, peakRssBytes());
  await send(ready);
}

async function writer() {
  const participants = Number(arg('participants'));
  const runs = Number(arg('runs'));
  const file = arg('file');
  const eventStart = Number(arg('start'));
  const { writeAttendanceWorkbook } = await import('../../adapters/xlsx/attendance-workbook.ts');
  const { writeAttendanceWorkbookSheetJS } = await import('./sheetjs-workbook.ts');
  const { memoryWorkbookInput } = await import('./attendance-data.ts');
  const store = await import('../../src/store/attendance-export.ts');
  const fromDb = variant.endsWith('-db');
  const { openDb } = fromDb ? await import('../../src/store/db.ts') : { openDb: null };
  const rssLoaded = rssBytes();
  const db = openDb ? await openDb({ url: databaseUrl, schema }) : null;
  if (db) await db.query('SELECT 1');
  const eventId = fromDb ? arg('event') : '';
  fullGc();
  const ready: ChildReady = {
    type: 'ready',
    rssAtStartBytes: rssAtStart,
    rssLoadedBytes: rssLoaded,
    rssBeforeBytes: rssBytes(),
    peakBeforeBytes: peakRssBytes(),
    atBefore: breakdown(),
    peakResettable: false,
  };
  const results: ChildRun[] = [];
  for (let i = 0; i < runs; i++) {
    const r = beginRun();
    ready.peakResettable = r.resettable;
    const t0 = performance.now();
    let input;
    if (db) {
      // As the route does: the event, then its pages, read while the file is written.
      const event = await store.loadExportEvent(db, eventId);
      if (!event) throw new Error(`event ${eventId} not found`);
      input = {
        eventStart: event.start,
        layout: 'intervals' as const,
        blank: false,
        presence: () => store.presencePages(db, event),
        outcomes: () => store.outcomePages(db, eventId),
        unmatched: () => store.unmatchedPages(db, eventId),
      };
    } else {
      input = memoryWorkbookInput(participants, { eventStart, pageSize: store.EXPORT_PAGE_SIZE });
    }
    let summary;
    if (variant.startsWith('exceljs')) {
      const out = fs.createWriteStream(file);
      summary = await writeAttendanceWorkbook(out, input);
      await finished(out);
    } else {
      summary = await writeAttendanceWorkbookSheetJS(file, input);
    }
    const ms = performance.now() - t0;
    const atPeak = r.sampler.stop();
    results.push({
      ms,
      peakRssBytes: peakRssBytes(),
      rssAtRunStartBytes: r.rssAtRunStart,
      atPeak,
      bytes: fs.statSync(file).size,
      rows: { presence: summary.presenceRows, outcomes: summary.outcomeRows, unmatched: summary.unmatchedRows },
    });
  }
  await db?.close();
  await send({ ...ready, type: 'done', runs: results });
  process.exit(0);
}
