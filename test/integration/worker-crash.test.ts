/**
 * Issue 2 proof: the attendance worker is killed (SIGKILL) in the middle of a derivation, and a
 * restarted worker gives the same credits, with nothing lost or double-counted.
 *
 * The gateway runs in this process (harness, `worker: false`); every worker is a separate OS
 * process, `node --import tsx src/main.ts worker`, on the same Postgres schema and BullMQ prefix.
 * Postgres only: PGlite is single-process, and a worker in another process is the point here.
 *
 * 1. A clean worker derives the evidence of the first phase (the "previous complete set").
 * 2. More evidence arrives and the course is closed with no worker running; a second worker
 *    starts with `DERIVE_PAUSE_MS`, writes every row of the new derivation, pauses before COMMIT
 *    and is SIGKILLed there. Readers see exactly the previous complete set before and after.
 * 3. A third worker picks up the stalled job (short `WORKER_LOCK_MS`) and derives; credits match
 *    an independent minute-by-minute computation, one credit record per member per fraction,
 *    every ingested record is still stored, and the derivations table shows the completed run.
 *
 * Why a fault-injection pause and not a big event and a well-timed kill: a race against the
 * clock either misses (the derivation commits first, or has not written yet) or needs an event
 * so big that the test is slow, and it could not prove *where* the process died. The pause is
 * taken after every row is written, inside the transaction, so the kill lands at the worst
 * point: all of the new derivation's deletes, inserts and upserts done, none committed. The test
 * also checks in `pg_stat_activity` that the killed worker's session really held an open
 * transaction with writes (an assigned xid) when it died.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, REDIS_URL } from '../support/backends.ts';
import { codiceFiscale, createCpoOrganiser, pastWebinar, romeAfternoon } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MIN = 60_000;
const EVENT_MINUTES = 180;
const MEMBERS = 1200;
/** Members whose evidence arrives in phase 1 (the rest, and every second connection, in phase 2). */
const PHASE1_MEMBERS = 700;
/** R-ATT-5: 30 minutes over 3 hours, pro-rated to a 1-hour fraction, rounded down. */
const FRACTION_TOLERANCE = 10;

/** Deterministic PRNG so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Connection {
  join: number;
  leave: number;
  /** The phase in which its join and leave records are delivered. */
  phase: 1 | 2;
}

interface Planned {
  index: number;
  codiceFiscale: string;
  memberId: string;
  connections: Connection[];
}

/**
 * Independent reference (not the domain code): a minute bitmap per member, and for each 1-hour
 * fraction the uncovered minutes against the pro-rated tolerance (R-ATT-3, R-ATT-5). Returns the
 * credit records the member must have: 1 credit per qualifying fraction, the first hour being
 * deontology (R-CAL-6).
 */
function referenceCredits(connections: Connection[], year: number) {
  const covered = new Array<boolean>(EVENT_MINUTES).fill(false);
  for (const c of connections) for (let m = Math.max(0, c.join); m < Math.min(EVENT_MINUTES, c.leave); m++) covered[m] = true;
  const out: CreditRow[] = [];
  for (let f = 1; f <= 3; f++) {
    const absent = covered.slice((f - 1) * 60, f * 60).filter((x) => !x).length;
    if (absent <= FRACTION_TOLERANCE) out.push({ fraction: f, credits: 1, deontology_credits: f === 1 ? 1 : 0, mode: 'webinar', year, status: 'granted' });
  }
  return out;
}

interface CreditRow {
  fraction: number;
  credits: number;
  deontology_credits: number;
  mode: string;
  year: number;
  status: string;
}

// ---------------------------------------------------------------------------------------------
// Worker processes
// ---------------------------------------------------------------------------------------------

interface LogLine {
  msg?: string;
  level?: number;
  eventId?: string;
  [k: string]: unknown;
}

interface WorkerProcess {
  name: string;
  child: ChildProcess;
  lines: LogLine[];
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first log line (already seen or to come) that satisfies `pred`. */
  waitFor(pred: (l: LogLine) => boolean, what: string, timeoutMs?: number): Promise<LogLine>;
}

const children: WorkerProcess[] = [];

function startWorker(h: Harness, name: string, env: Record<string, string> = {}): WorkerProcess {
  // The harness isolates itself in a schema through the connection's search_path
  // (`-c search_path=…`, see openDb); the child gets the same through the URL's `options`, and an
  // application_name to find its sessions in pg_stat_activity.
  const db = new URL(POSTGRES_URL);
  db.searchParams.set('options', `-c search_path=${h.schema}`);
  db.searchParams.set('application_name', name);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: db.toString(),
      REDIS_URL,
      QUEUE_PREFIX: h.config.QUEUE_PREFIX,
      LOG_LEVEL: 'info',
      // A killed worker's job is taken over after about this long (stalled-job check).
      WORKER_LOCK_MS: '2000',
      DERIVE_DELAY_MS: '50',
      WORKER_CONCURRENCY: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  const listeners = new Set<() => void>();
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  readline.createInterface({ input: child.stdout! }).on('line', (text) => {
    let parsed: LogLine;
    try {
      parsed = JSON.parse(text) as LogLine;
    } catch {
      parsed = { msg: text };
    }
    lines.push(parsed);
    for (const l of listeners) l();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      for (const l of listeners) l();
    });
  });
  const tail = () =>
    `\n--- ${name} stdout (last 20) ---\n${lines
      .slice(-20)
      .map((l) => JSON.stringify(l))
      .join('\n')}\n--- stderr ---\n${stderr.slice(-2000)}`;
  const proc: WorkerProcess = {
    name,
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitFor(pred, what, timeoutMs = 30_000) {
      return new Promise<LogLine>((resolve, reject) => {
        const check = () => {
          const hit = lines.find(pred);
          if (hit) return done(() => resolve(hit));
          if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`${name} exited before logging ${what}${tail()}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`${name} did not log ${what} within ${timeoutMs} ms${tail()}`))), timeoutMs);
        const done = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });
    },
  };
  children.push(proc);
  return proc;
}

async function stopWorker(w: WorkerProcess, signal: NodeJS.Signals) {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill(signal);
  return w.exited;
}

// ---------------------------------------------------------------------------------------------

describe.skipIf(!POSTGRES_URL)(
  POSTGRES_URL
    ? 'worker killed mid-derivation (Postgres)'
    : 'worker killed mid-derivation: skipped, needs Postgres (TEST_DATABASE_URL); PGlite is single-process',
  () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let eventId: string;
    const plan: Planned[] = [];
    const start = romeAfternoon(3);
    const year = DateTime.fromMillis(start, { zone: 'Europe/Rome' }).year; // R-CAL-2
    let ingested = 0;
    let previous: Snapshot;
    let killedJobId: string;

    beforeAll(async () => {
      h = await startHarness('postgres', { worker: false });
      keys = await createCpoOrganiser(h, 'MI');
      const header = 'codice_fiscale;cognome;nome;provincia;numero_iscrizione;data_nascita;data_iscrizione;email';
      const rows = Array.from(
        { length: MEMBERS },
        (_, n) => `${codiceFiscale(n + 1)};Cognome${n};Nome${n};MI;W${n};1980-01-01;2010-01-01;crash${n}@studio.example.it`,
      );
      const imp = await h.api('POST', '/v1/members/import', { key: keys.cn, raw: [header, ...rows].join('\n'), headers: { 'content-type': 'text/csv' } });
      expect(imp.status, imp.text).toBe(200);
      expect(imp.body).toMatchObject({ created: MEMBERS, rejected: [] });

      // A fractionable 3-hour webinar: three 1-hour fractions of 1 credit (R-ATT-5), tolerance 30.
      const fractions = [0, 1, 2].map((k) => ({
        start: new Date(start + k * 60 * MIN).toISOString(),
        end: new Date(start + (k + 1) * 60 * MIN).toISOString(),
        credits: 1,
      }));
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(start, 3, { fractionable: true, fractions }) });
      expect(ev.status, ev.text).toBe(201);
      eventId = ev.body.id;
      const regs = rows.map((_, n) => ({ codiceFiscale: codiceFiscale(n + 1), registrantId: `reg-${n}` }));
      const r = await h.api('POST', `/v1/events/${eventId}/registrations`, { key: keys.organiser, body: { registrations: regs } });
      expect(r.status, r.text).toBe(200);
      expect(r.body.registered).toBe(MEMBERS);
      const listed = await h.api('GET', `/v1/events/${eventId}/registrations`, { key: keys.organiser });
      const idByCf = new Map<string, string>(listed.body.items.map((i: { codiceFiscale: string; memberId: string }) => [i.codiceFiscale, i.memberId]));

      const rand = rng(2026);
      for (let n = 0; n < MEMBERS; n++) {
        const phase = n < PHASE1_MEMBERS ? 1 : 2;
        const late = Math.floor(rand() * 16);
        const early = Math.floor(rand() * 16);
        const gap = Math.floor(rand() * 16);
        let c: Array<[number, number]>;
        switch (n % 7) {
          case 0:
            c = [[0, 180]];
            break;
          case 1:
            c = [
              [late, 70],
              [70 + gap, 180],
            ];
            break; // a reconnect in fraction 2
          case 2:
            c = [[0, 60]];
            break; // first hour only
          case 3:
            c = [[late, 180 - early]];
            break;
          case 4:
            c = [
              [0, 100],
              [90, 180],
            ];
            break; // two devices
          case 5:
            c = rand() < 0.5 ? [] : [[100, 110]];
            break; // absent, or nearly
          default:
            c = [
              [-15, 65],
              [65, 200],
            ]; // clipped to the window, touching
        }
        const cf = codiceFiscale(n + 1);
        // Every second connection arrives in phase 2, so phase 2 changes phase-1 members too.
        const connections = c.map(([join, leave], k) => ({ join, leave, phase: (k > 0 ? 2 : phase) as 1 | 2 }));
        plan.push({ index: n, codiceFiscale: cf, memberId: idByCf.get(cf)!, connections });
      }
      expect(plan.every((p) => p.memberId)).toBe(true);
    });

    afterAll(async () => {
      // Never leave a worker behind, whatever happened above.
      for (const w of children) await stopWorker(w, 'SIGKILL');
      await h?.close();
    });

    it('phase 1: a clean worker process derives the first evidence (the previous complete set)', async () => {
      await ingest(1);
      const a = startWorker(h, 'crash-test-a');
      await a.waitFor((l) => l.msg === 'started', '"started"');
      await waitDerived((d) => d.inputs.records === ingested);
      expect(await stopWorker(a, 'SIGTERM')).toEqual({ code: 0, signal: null });
      previous = await snapshot();
      expect(previous.derivations.length).toBeGreaterThan(0);
      expect(previous.credits).toEqual(expectedCredits(1));
    });

    it('phase 2: a worker SIGKILLed before COMMIT leaves the previous complete set, and the job, intact', async () => {
      await ingest(2);
      const closed = await h.api('POST', `/v1/events/${eventId}/close`, { key: keys.organiser });
      expect(closed.status, closed.text).toBe(200);
      // No worker runs: the job waits in Redis.
      expect(await pendingDeriveJobs()).toBeGreaterThan(0);

      const b = startWorker(h, 'crash-test-b', { DERIVE_PAUSE_MS: '600000' });
      await b.waitFor((l) => l.msg === 'derivation started' && l.eventId === eventId, '"derivation started"');
      const paused = await b.waitFor((l) => l.msg === 'derivation paused before commit (fault injection)' && l.eventId === eventId, 'the pause before COMMIT');
      expect(paused.pauseMs).toBe(600000);
      // The worker's session holds an open transaction that has written (it has an xid).
      const open = await h.rt.db.query<{ pid: number; state: string; xid: string | null }>(
        `SELECT pid, state, backend_xid::text AS xid FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction' AND backend_xid IS NOT NULL`,
        ['crash-test-b'],
      );
      expect(open.rows).toHaveLength(1);
      // Readers see the previous complete set, not the rows written by the open transaction.
      expect(await snapshot()).toEqual(previous);

      expect(await stopWorker(b, 'SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
      expect(b.lines.some((l) => l.msg === 'derivation finished')).toBe(false);
      // Postgres ends the dead worker's session and rolls its transaction back.
      await eventually(async () => {
        const r = await h.rt.db.query('SELECT 1 FROM pg_stat_activity WHERE application_name = $1', ['crash-test-b']);
        return r.rowCount === 0;
      }, 10_000);
      expect(await snapshot()).toEqual(previous);
      // Nothing lost on the queue side either: the job is still there, active under a dead lock.
      const active = await h.rt.deps.attendance.queue.getJobs(['active']);
      const killed = active.find((j) => j?.name === 'derive' && j.data.eventId === eventId);
      expect(killed, 'the killed derivation job is still active').toBeDefined();
      killedJobId = killed!.id!;
    });

    it('phase 3: a restarted worker derives the same credits as an independent computation, once each', async () => {
      const c = startWorker(h, 'crash-test-c');
      // A few seconds: the killed job's lock (WORKER_LOCK_MS = 2 s) must expire before the
      // stalled-job check hands it to this worker.
      await c.waitFor((l) => l.msg === 'derivation finished' && l.eventId === eventId, '"derivation finished"', 30_000);
      await waitDerived((d) => d.inputs.records === ingested && d.inputs.closed);
      const after = await snapshot();

      // Every ingested record is still stored, once.
      const stored = await h.rt.db.query<{ n: number; distinct_ids: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT (source, source_record_id))::int AS distinct_ids FROM tracking_records WHERE event_id = $1`,
        [eventId],
      );
      expect(stored.rows[0]).toEqual({ n: ingested, distinct_ids: ingested });

      // Credits equal the independent computation over all the evidence: nothing lost, one
      // record per member per fraction, no doubles.
      const expected = expectedCredits(2);
      expect(after.credits).toEqual(expected);
      expect(new Set(after.credits.map((c) => `${c.member_id}/${c.fraction}`)).size).toBe(after.credits.length);
      expect(expected.length).toBeGreaterThan(previous.credits.length); // phase 2 really changed the credits
      const perFraction = [1, 2, 3].map((f) => expected.filter((c) => c.fraction === f).length);
      expect(Math.min(...perFraction)).toBeGreaterThan(100);
      // Outcomes: one per registered member, credited exactly when it has credit records.
      expect(after.outcomes).toHaveLength(MEMBERS);
      const creditedMembers = new Set(expected.map((c) => c.member_id));
      for (const o of after.outcomes) {
        expect(o.status).toBe(creditedMembers.has(o.member_id!) ? 'credited' : 'not-qualified');
        expect(o.credits).toBe(expected.filter((c) => c.member_id === o.member_id).length);
      }
      // The member read API agrees (spot check).
      const p1 = plan.find((p) => p.index % 7 === 1 && referenceCredits(p.connections, year).length === 3)!;
      const cr = await h.api('GET', `/v1/members/${p1.memberId}/credits`, { key: keys.cn });
      expect(cr.status).toBe(200);
      expect(
        cr.body.credits.map((x: { fraction: number; credits: number; deontologyCredits: number }) => [x.fraction, x.credits, x.deontologyCredits]),
      ).toEqual([
        [1, 1, 1],
        [2, 1, 0],
        [3, 1, 0],
      ]);

      // The derivations table: the earlier rows untouched, then completed derivations only; the
      // first one after the crash is computed against the phase-1 set, so the killed attempt left
      // no trace; the last covers all the evidence of the closed course.
      expect(after.derivations.slice(0, previous.derivations.length)).toEqual(previous.derivations);
      const fresh = after.derivations.slice(previous.derivations.length);
      expect(fresh.length).toBeGreaterThan(0);
      expect(fresh[0]!.cause).toMatch(/new tracking record\(s\).*course closed/);
      for (const d of fresh) {
        expect(d.finished_at).not.toBeNull();
        expect(d.participants).toBe(MEMBERS);
      }
      const last = fresh[fresh.length - 1]!;
      expect(last.inputs).toMatchObject({ records: ingested, closed: true, corrections: 0, registrations: MEMBERS });
      // The audit: each member's outcome changed by the crash-recovered derivation is logged once.
      const audit = await h.rt.db.query<{ n: number; distinct_keys: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT participant_key)::int AS distinct_keys FROM outcome_audit WHERE event_id = $1 AND derivation_id = $2`,
        [eventId, fresh[0]!.id],
      );
      expect(audit.rows[0]!.n).toBe(audit.rows[0]!.distinct_keys);
      expect(audit.rows[0]!.n).toBeGreaterThan(0);
      expect(await pendingDeriveJobs()).toBe(0);
      // The killed job itself was taken over as stalled (lock expired) and completed.
      const job = await h.rt.deps.attendance.queue.getJob(killedJobId);
      expect(await job?.getState()).toBe('completed');
      expect(job!.stalledCounter).toBeGreaterThanOrEqual(1);
    });

    // -----------------------------------------------------------------------------------------

    async function ingest(phase: 1 | 2) {
      const records: unknown[] = [];
      for (const p of plan) {
        p.connections.forEach((c, k) => {
          if (c.phase !== phase) return;
          const participant = { registrantId: `reg-${p.index}`, connectionId: `m${p.index}-c${k}` };
          records.push({ id: `m${p.index}-c${k}-j`, type: 'join', at: new Date(start + c.join * MIN).toISOString(), participant });
          records.push({ id: `m${p.index}-c${k}-l`, type: 'leave', at: new Date(start + c.leave * MIN).toISOString(), participant });
        });
      }
      for (let i = 0; i < records.length; i += 1000) {
        const res = await h.api('POST', `/v1/ingest/webinar/${eventId}`, { key: keys.platform, body: { records: records.slice(i, i + 1000) } });
        expect(res.status, res.text).toBe(202);
        expect(res.body.duplicates).toBe(0);
        ingested += res.body.accepted;
      }
      expect(records.length).toBeGreaterThan(500);
    }

    /** Credit rows the reference gives for the evidence delivered up to `phase`, sorted like `snapshot`. */
    function expectedCredits(phase: 1 | 2) {
      const rows = plan.flatMap((p) =>
        referenceCredits(
          p.connections.filter((c) => c.phase <= phase),
          year,
        ).map((c) => ({ member_id: p.memberId, ...c })),
      );
      return rows.sort((a, b) => cmp(a.member_id, b.member_id) || a.fraction - b.fraction);
    }

    interface Snapshot {
      credits: Array<CreditRow & { member_id: string }>;
      creditsDerivedAt: string[];
      outcomes: Array<{ participant_key: string; member_id: string | null; status: string; credits: number; absent_minutes: number; derived_at: string }>;
      derivations: Array<{ id: number; cause: string; inputs: any; participants: number; finished_at: string | null }>;
      audit: number;
    }

    /** What any reader sees now, from the harness's own connection (outside the worker). */
    async function snapshot(): Promise<Snapshot> {
      const credits = await h.rt.db.query<CreditRow & { member_id: string; derived_at: Date }>(
        `SELECT member_id, fraction, credits, deontology_credits, mode, year, status, derived_at FROM credit_records WHERE event_id = $1`,
        [eventId],
      );
      const sorted = credits.rows.sort((a, b) => cmp(a.member_id, b.member_id) || a.fraction - b.fraction);
      const outcomes = await h.rt.db.query<Snapshot['outcomes'][number] & { derived_at: Date }>(
        `SELECT participant_key, member_id, status, credits, absent_minutes, derived_at FROM attendance_outcomes WHERE event_id = $1`,
        [eventId],
      );
      const derivations = await h.rt.db.query<Snapshot['derivations'][number] & { finished_at: Date | null }>(
        'SELECT id, cause, inputs, participants, finished_at FROM derivations WHERE event_id = $1 ORDER BY id',
        [eventId],
      );
      const audit = await h.rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outcome_audit WHERE event_id = $1', [eventId]);
      return {
        credits: sorted.map(({ derived_at: _d, ...c }) => c),
        creditsDerivedAt: sorted.map((c) => c.derived_at.toISOString()),
        outcomes: outcomes.rows
          .sort((a, b) => cmp(a.participant_key, b.participant_key))
          .map((o) => ({ ...o, derived_at: (o.derived_at as unknown as Date).toISOString() })),
        derivations: derivations.rows.map((d) => ({ ...d, finished_at: d.finished_at ? (d.finished_at as unknown as Date).toISOString() : null })),
        audit: audit.rows[0]!.n,
      };
    }

    async function pendingDeriveJobs() {
      const jobs = await h.rt.deps.attendance.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
      return jobs.filter((j) => j?.name === 'derive').length;
    }

    /** Waits until the latest derivation satisfies `until` and no derive job is pending. */
    async function waitDerived(until: (d: Snapshot['derivations'][number]) => boolean) {
      await eventually(async () => {
        const { rows } = await h.rt.db.query<Snapshot['derivations'][number]>(
          'SELECT id, cause, inputs, participants, finished_at FROM derivations WHERE event_id = $1 ORDER BY id DESC LIMIT 1',
          [eventId],
        );
        if (!rows[0] || !until(rows[0])) return false;
        return (await pendingDeriveJobs()) === 0;
      }, 30_000);
    }
  },
);

function cmp(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}
