/**
 * Issue 15, the verification at scale, through HTTP on a real database and Redis:
 * - R-VER-10: the API's export, CSV and xlsx (read back with exceljs), has one row per member with
 *   the status in Italian words, the same columns in both;
 * - R-VER-11: in the console, a province over VERIFICATION_SYNC_MAX_MEMBERS runs as a job and its
 *   export is prepared as one: the person is sent to a progress page that reloads itself without
 *   script ("250 di 1.200 iscritti", seen during the worker's fault-injection pause), then reads
 *   the result and downloads the file;
 * - R-VER-12: the file is the person's only (another officer of the province, and another
 *   province's, get 404), and expires: after VERIFICATION_EXPORT_TTL_HOURS (2 here) the page says
 *   so and the sweep deletes its chunks;
 * - R-VER-13: a job the queue never got (Redis down when it was asked for) is queued by the sweep.
 * The crash of a worker mid-job is in verification-worker-crash.test.ts (separate processes).
 */
import { DateTime } from 'luxon';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERIFICATION_STATUS_TEXT, VERIFICATION_EXPORT_COLUMNS } from '../../src/domain/verification-export.ts';
import { requestVerificationRun, verificationJob } from '../../src/services/council/verification-jobs.ts';
import { backendsOf } from '../support/backends.ts';
import { signedInStaff, textOf, type StaffPerson } from '../support/console-client.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { seedVerificationProvince, type SeededProvince } from '../support/verification-province.ts';
import { exceljsSheets } from '../support/xlsx.ts';

const MEMBERS = 1200;
const HEADERS = VERIFICATION_EXPORT_COLUMNS.map((c) => c.header);

for (const backend of backendsOf(import.meta.url)) {
  describe(`the verification's exports and background jobs on ${backend}`, () => {
    let h: Harness;
    let seeded: SeededProvince;
    let officer: StaffPerson;
    // After 30 June 2027: both phases of biennium 2025–26 may run. Moved forward to expire files.
    let clock = DateTime.fromISO('2027-07-05T10:00', { zone: 'Europe/Rome' }).toMillis();

    beforeAll(async () => {
      h = await startHarness(backend, {
        worker: true,
        now: () => clock,
        env: {
          VERIFICATION_SYNC_MAX_MEMBERS: '1000',
          VERIFICATION_JOB_PAUSE_MS: '1500',
          VERIFICATION_EXPORT_TTL_HOURS: '2',
          SWEEP_INTERVAL_MS: '1000',
          // The session outlasts the 3 hours the test moves the clock by, past the file's 2.
          SESSION_IDLE_MINUTES: '240',
        },
      });
      seeded = await seedVerificationProvince(h, { province: 'MI', biennium: 2025, count: MEMBERS, offset: 7000 });
      officer = await signedInStaff(h, 'cpo', 'MI', { now: () => clock });
    }, 120_000);
    afterAll(async () => h?.close());

    const expectedRows = () => seeded.members.map((m) => [m.codiceFiscale, m.surname, m.givenName, VERIFICATION_STATUS_TEXT[m.february]]);
    const byCf = (rows: Array<Array<string | number | null>>) => rows.map((r) => r.slice(0, 4)).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    const sortedExpected = () => byCf(expectedRows());

    it('the API exports every member of a version as xlsx and CSV, with the statuses in words (R-VER-10)', async () => {
      const run = await h.api('POST', '/v1/provinces/MI/verifications', { key: seeded.keys.cpo, body: { biennium: 2025, phase: 'february' } });
      expect(run.status, run.text).toBe(200);
      expect(run.body.snapshot).toMatchObject({ version: 1, memberCount: MEMBERS });

      const res = await fetch(`${h.url}/v1/provinces/MI/verifications/2025/export?format=xlsx`, { headers: { authorization: `Bearer ${seeded.keys.cn}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="verifica_MI_2025-2026_febbraio_v1.xlsx"');
      const sheets = await exceljsSheets(Buffer.from(await res.arrayBuffer()));
      const list = sheets.get('Verifica')!;
      expect(list[0]).toEqual(HEADERS);
      expect(list).toHaveLength(MEMBERS + 1);
      expect(byCf(list.slice(1))).toEqual(sortedExpected());
      // Numbers are numbers: the short member with 40 of 50 credits.
      const short = list.find((r) => r[0] === seeded.members[1]!.codiceFiscale)!;
      expect(short.slice(4)).toEqual([40, 2, 50, 10, 4]);
      expect(sheets.get('Versione')).toContainEqual(['Versione', 1]);
      expect(sheets.get('Versione')).toContainEqual(['Impronta della versione (SHA-256)', run.body.snapshot.digest]);

      const csv = await h.api('GET', '/v1/provinces/MI/verifications/2025/export?format=csv&version=1', { key: seeded.keys.cpo });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const lines = parse(csv.text, { delimiter: ';', bom: true }) as string[][];
      expect(lines[0]).toEqual(HEADERS);
      expect(lines.slice(1).map((l) => l.slice(0, 4))).toEqual(list.slice(1).map((r) => r.slice(0, 4)));

      const rome = await h.key('cpo', 'RM');
      expect((await h.api('GET', '/v1/provinces/MI/verifications/2025/export?format=xlsx', { key: rome })).status).toBe(403);
      expect((await h.api('GET', '/v1/provinces/MI/verifications/2025/export?format=pdf', { key: seeded.keys.cn })).status).toBe(400);
      expect((await h.api('GET', '/v1/provinces/MI/verifications/2025/export?format=csv&phase=june', { key: seeded.keys.cn })).body.code).toBe(
        'verification-not-found',
      );
    });

    it('a large province runs as a job: the progress page between, then the new version, as the officer (R-VER-11)', async () => {
      await seeded.credit(seeded.members[1]!.id, '2026-09-10', 20, 4); // the short member becomes compliant
      const asked = await officer.client.post('/console/verifiche?biennio=2025&fase=february');
      expect(asked.status).toBe(303);
      const jobUrl = asked.location!;
      expect(jobUrl).toMatch(/^\/console\/verifiche\/lavori\/[0-9a-f-]{36}$/);
      // The worker pauses after its first batch of 250 members (fault injection): the page shows it.
      const during = await eventually(
        async () => {
          const p = await officer.client.get(jobUrl);
          return textOf(p.html).includes('250 di 1.200 iscritti') ? p : null;
        },
        20_000,
        50,
      );
      expect(during.html).toMatch(/<meta http-equiv="refresh" content="3"\s*\/?>/);
      expect(textOf(during.html)).toContain('Calcolo della situazione di ogni iscritto');
      const done = await eventually(async () => {
        const p = await officer.client.get(jobUrl);
        return textOf(p.html).includes('Verifica completata') ? p : null;
      }, 30_000);
      expect(done.html).not.toContain('http-equiv="refresh"');
      expect(textOf(done.html)).toContain('Nuova versione 2: 1 iscritti cambiati dalla versione 1.');
      const v2 = await h.api('GET', '/v1/provinces/MI/verifications/2025?limit=1', { key: seeded.keys.cn });
      expect(v2.body.snapshot).toMatchObject({ version: 2, createdBy: `cpo:user:${officer.userId}`, memberCount: MEMBERS });
      // The verification page lists the person's request.
      expect(textOf((await officer.client.get('/console/verifiche?biennio=2025&fase=february')).html)).toContain('Esecuzione della verifica al 28 febbraio');
    });

    it('prepares the xlsx as a job, downloadable by the person who asked only, until it expires (R-VER-11, R-VER-12)', async () => {
      const page = await officer.client.get('/console/verifiche?biennio=2025&fase=february');
      expect(textOf(page.html)).toContain('Prepara l’elenco (Excel)');
      expect(page.html).not.toContain('/console/verifiche/esporta.xlsx');
      const asked = await officer.client.post('/console/verifiche/esportazioni?biennio=2025&fase=february&versione=2', { formato: 'xlsx' });
      expect(asked.status).toBe(303);
      const jobUrl = asked.location!;
      const during = await eventually(
        async () => {
          const p = await officer.client.get(jobUrl);
          return textOf(p.html).includes('1.000 di 1.200 righe') ? p : null;
        },
        20_000,
        50,
      );
      expect(textOf(during.html)).toContain('Scrittura dell’elenco');
      expect(during.html).toContain('http-equiv="refresh"');
      // Asking again while it is written gives the same job.
      expect((await officer.client.post('/console/verifiche/esportazioni?biennio=2025&fase=february&versione=2', { formato: 'xlsx' })).location).toBe(jobUrl);

      const ready = await eventually(async () => {
        const p = await officer.client.get(jobUrl);
        return textOf(p.html).includes('L’elenco è pronto') ? p : null;
      }, 30_000);
      expect(textOf(ready.html)).toContain('1.200 iscritti, versione 2');
      const href = /href="(\/console\/verifiche\/lavori\/[0-9a-f-]{36}\/file)"/.exec(ready.html)![1]!;
      const file = await officer.client.download(href);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toBe('attachment; filename="verifica_MI_2025-2026_febbraio_v2.xlsx"');
      const list = (await exceljsSheets(file.bytes)).get('Verifica')!;
      expect(list).toHaveLength(MEMBERS + 1);
      const expected = sortedExpected().map((r) => (r[0] === seeded.members[1]!.codiceFiscale ? [...r.slice(0, 3), 'In regola'] : r));
      expect(byCf(list.slice(1))).toEqual(expected);
      const jobId = jobUrl.split('/').pop()!;
      const { rows: audit } = await h.rt.db.query<{ requested_by: string; status: string }>(
        'SELECT requested_by, status FROM verification_jobs WHERE id = $1',
        [jobId],
      );
      expect(audit).toEqual([{ requested_by: `cpo:user:${officer.userId}`, status: 'done' }]);

      // Nobody else: another officer of Milan, or Rome's.
      for (const other of [await signedInStaff(h, 'cpo', 'MI', { now: () => clock }), await signedInStaff(h, 'cpo', 'RM', { now: () => clock })]) {
        expect((await other.client.get(jobUrl)).status).toBe(404);
        expect((await other.client.download(href)).status).toBe(404);
      }

      // After its hours the file is gone: the page says so, and the sweep deletes the chunks.
      clock += 3 * 3600_000;
      const gone = await officer.client.download(href);
      expect([gone.status, gone.location]).toEqual([303, jobUrl]);
      expect(textOf((await officer.client.get(jobUrl)).html)).toContain('Il file è scaduto');
      await eventually(async () => {
        const { rows } = await h.rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM verification_export_chunks WHERE job_id = $1', [jobId]);
        return rows[0]!.n === 0;
      }, 10_000);
      clock -= 3 * 3600_000;
    });

    it('a job Redis never got is queued by the sweep and done (R-VER-13)', async () => {
      const actor = { role: 'cpo' as const, subject: 'MI', userId: officer.userId };
      const { job } = await requestVerificationRun({ ...h.rt.deps, verification: undefined }, actor, { province: 'MI', biennium: 2025, phase: 'june' });
      expect(await h.rt.verification.jobState(job.id)).toBe('missing');
      const done = await eventually(async () => {
        const j = await verificationJob(h.rt.deps, actor, job.id);
        return j.status === 'done' ? j : null;
      }, 30_000);
      expect(done.result).toMatchObject({ version: 1, changed: true, members: 2 });
    });
  });
}
