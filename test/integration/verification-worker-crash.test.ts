/**
 * Issue 15, R-VER-13: a verification job whose worker is killed mid-way is not lost. The gateway
 * runs in this process (harness, `worker: false`, every province's run and export a job); each
 * worker is its own OS process, `node --import tsx src/main.ts worker`, on the same Postgres
 * schema and BullMQ prefix, as worker-crash.test.ts does for derivations. Postgres only: PGlite
 * is single-process. The product's clock is the real one, so the biennium is 2023–24 (its
 * campaign is open).
 *
 * 1. A run: the worker pauses after its first 250 members (VERIFICATION_JOB_PAUSE_MS, fault
 *    injection), the progress page shows "250 di 1.200 iscritti", the worker is SIGKILLed
 *    there; a new worker takes the stalled job over (short WORKER_LOCK_MS), starts it again from
 *    the beginning and stores version 1 as the officer; the page shows it, the job counts two
 *    starts.
 * 2. An export killed the same way, taken over by a worker allowed one start per job
 *    (VERIFICATION_JOB_ATTEMPTS=1): shown as failed with the Italian message, its partial file
 *    deleted; "Riprova" asks again, and the new job's file downloads whole.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_URL, REDIS_URL } from '../support/backends.ts';
import { signedInStaff, textOf, type StaffPerson } from '../support/console-client.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { seedVerificationProvince, type SeededProvince } from '../support/verification-province.ts';
import { exceljsSheets } from '../support/xlsx.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MEMBERS = 1200;

interface WorkerProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  exited: Promise<unknown>;
  waitFor(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

const children: WorkerProcess[] = [];

function startWorker(h: Harness, name: string, env: Record<string, string> = {}): WorkerProcess {
  const db = new URL(POSTGRES_URL);
  db.searchParams.set('options', `-c search_path=${h.schema}`);
  db.searchParams.set('application_name', name);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'worker'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.toString(), REDIS_URL, QUEUE_PREFIX: h.config.QUEUE_PREFIX, LOG_LEVEL: 'info', WORKER_LOCK_MS: '2000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  readline.createInterface({ input: child.stdout! }).on('line', (text) => {
    try {
      lines.push(JSON.parse(text) as Record<string, unknown>);
    } catch {
      lines.push({ msg: text });
    }
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const w: WorkerProcess = {
    child,
    lines,
    exited,
    waitFor: (msg, timeoutMs = 40_000) =>
      eventually(
        async () => {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited: ${stderr.slice(-2000)}`);
          return lines.find((l) => l.msg === msg) ?? null;
        },
        timeoutMs,
        50,
      ),
  };
  children.push(w);
  return w;
}

async function kill(w: WorkerProcess, signal: NodeJS.Signals) {
  if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill(signal);
  await w.exited;
}

describe.skipIf(!POSTGRES_URL)(
  POSTGRES_URL ? 'verification worker killed mid-job (Postgres)' : 'verification worker killed mid-job: skipped, needs Postgres; PGlite is single-process',
  () => {
    let h: Harness;
    let seeded: SeededProvince;
    let officer: StaffPerson;

    beforeAll(async () => {
      h = await startHarness('postgres', { worker: false, env: { VERIFICATION_SYNC_MAX_MEMBERS: '0' } });
      seeded = await seedVerificationProvince(h, { province: 'MI', biennium: 2023, count: MEMBERS, offset: 12000 });
      officer = await signedInStaff(h, 'cpo', 'MI');
    }, 120_000);
    afterAll(async () => {
      for (const w of children) await kill(w, 'SIGKILL');
      await h?.close();
    });

    const page = async (url: string) => textOf((await officer.client.get(url)).html);
    const job = async (id: string) =>
      (
        await h.rt.db.query<{ status: string; attempts: number; error: { code: string } | null }>(
          'SELECT status, attempts, error FROM verification_jobs WHERE id = $1',
          [id],
        )
      ).rows[0]!;

    it('a run killed after 250 members is taken over, started again and stored as the officer', async () => {
      const asked = await officer.client.post('/console/verifiche?biennio=2023&fase=february');
      expect(asked.status).toBe(303);
      const url = asked.location!;
      const id = url.split('/').pop()!;
      expect(await page(url)).toContain('In attesa di essere avviato');

      const b = startWorker(h, 'vcrash-b', { VERIFICATION_JOB_PAUSE_MS: '600000' });
      await b.waitFor('verification job paused (fault injection)');
      expect(await page(url)).toContain('250 di 1.200 iscritti');
      await kill(b, 'SIGKILL');
      // Nothing stored, nothing lost: the job still runs as far as anyone can tell.
      expect((await h.api('GET', '/v1/provinces/MI/verifications/2023', { key: seeded.keys.cn })).body.code).toBe('verification-not-found');
      expect(await job(id)).toMatchObject({ status: 'running', attempts: 1 });

      const c = startWorker(h, 'vcrash-c');
      const done = await eventually(async () => {
        const text = await page(url);
        return text.includes('Verifica completata') ? text : null;
      }, 40_000);
      expect(done).toContain('Nuova versione 1.');
      expect(await job(id)).toMatchObject({ status: 'done', attempts: 2 });
      const v1 = await h.api('GET', '/v1/provinces/MI/verifications/2023?limit=1', { key: seeded.keys.cn });
      expect(v1.body.snapshot).toMatchObject({ version: 1, memberCount: MEMBERS, createdBy: `cpo:user:${officer.userId}` });
      const queued = await h.rt.verification.queue.getJob(id);
      expect(await queued?.getState()).toBe('completed');
      expect(queued!.stalledCounter).toBeGreaterThanOrEqual(1);
      await kill(c, 'SIGTERM');
    });

    it('an export killed mid-way, out of starts, is shown as failed in Italian; "Riprova" gives the whole file', async () => {
      const asked = await officer.client.post('/console/verifiche/esportazioni?biennio=2023&fase=february&versione=1', { formato: 'xlsx' });
      const url = asked.location!;
      const id = url.split('/').pop()!;
      const d = startWorker(h, 'vcrash-d', { VERIFICATION_JOB_PAUSE_MS: '600000' });
      await d.waitFor('verification job paused (fault injection)');
      expect(await page(url)).toContain('1.000 di 1.200 righe');
      await kill(d, 'SIGKILL');

      const e = startWorker(h, 'vcrash-e', { VERIFICATION_JOB_ATTEMPTS: '1' });
      const failed = await eventually(async () => {
        const text = await page(url);
        return text.includes('Il lavoro non è riuscito') ? text : null;
      }, 40_000);
      expect(failed).toContain('Il lavoro si è interrotto più volte prima di finire');
      expect(failed).toContain('Nessun dato è andato perso');
      expect(await job(id)).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'job-interrupted' } });
      const { rows } = await h.rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM verification_export_chunks WHERE job_id = $1', [id]);
      expect(rows[0]!.n).toBe(0);
      expect((await officer.client.download(`${url}/file`)).location).toBe(url);

      const form = /<form method="post" action="([^"]+)">\s*<p>\s*<button type="submit" name="formato" value="xlsx">\s*Riprova/.exec(
        (await officer.client.get(url)).html,
      );
      expect(form).not.toBeNull();
      const again = await officer.client.post(form![1]!.replace(/&amp;/g, '&'), { formato: 'xlsx' });
      expect(again.location).not.toBe(url);
      await eventually(async () => ((await page(again.location!)).includes('L’elenco è pronto') ? true : null), 40_000);
      const file = await officer.client.download(`${again.location}/file`);
      expect(file.status).toBe(200);
      const list = (await exceljsSheets(file.bytes)).get('Verifica')!;
      expect(list).toHaveLength(MEMBERS + 1);
      expect(new Set(list.slice(1).map((r) => r[0]))).toEqual(new Set(seeded.members.map((m) => m.codiceFiscale)));
      await kill(e, 'SIGTERM');
    });
  },
);
