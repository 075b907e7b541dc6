/**
 * Issue 3 proof (template download, R-TPL-1/2/4): a tracked webinar end to end through HTTP, real
 * Redis and a real database; the workbook is downloaded in both layouts and blank, read back with
 * an independent parser (SheetJS `xlsx`, and the raw zip), and compared with the outcomes and
 * presence intervals the read API gives, to the second, on the Rome wall clock. A second event
 * sits on the night the clocks go back (R-CAL-2).
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkbook } from '../../adapters/xlsx/read-workbook.ts';
import { parseAttendanceSheet } from '../../src/domain/attendance-file.ts';
import { romeLocalToUtc } from '../../src/domain/calendar.ts';
import { backendsOf } from '../support/backends.ts';
import { codiceFiscale, createCpoOrganiser, createMembers, pastWebinar, romeAfternoon, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { parseWorkbook, sheetCells, wallClock, zipEntries } from '../support/xlsx.ts';

const MIN = 60_000;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
// Written out here, not imported: a change of the file's columns must be a deliberate change here.
const PRESENZE = ['Data evento', 'Cognome', 'Nome', 'Codice fiscale', 'Numero di iscrizione', 'Ordine provinciale', 'Ora di ingresso', 'Ora di uscita'];
const ESITO = [
  'Cognome',
  'Nome',
  'Codice fiscale',
  'Numero di iscrizione',
  'Ordine provinciale',
  'Minuti di presenza',
  'Minuti di assenza',
  'Tolleranza (minuti)',
  'Crediti',
  'Esito',
  'Motivazione',
  'Regola',
];
const NON_ABBINATI = ['Nome sulla piattaforma', 'Identificativo sulla piattaforma', 'Minuti di presenza', 'Esito', 'Motivazione'];
const STATUS_IT: Record<string, string> = {
  credited: 'Crediti riconosciuti',
  'not-qualified': 'Crediti non riconosciuti',
  incomplete: 'Presenza incompleta',
  unmatched: 'Non abbinato',
  'identity-conflict': 'Identità in conflitto',
};

const rome = (ms: number | string) =>
  (typeof ms === 'number' ? DateTime.fromMillis(ms) : DateTime.fromISO(ms)).setZone('Europe/Rome').toFormat('yyyy-LL-dd HH:mm:ss');

interface Connection {
  join: number;
  leave: number | null;
  identity: Record<string, string | undefined>;
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`attendance workbook on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let eventId: string;
    let members: CreatedMember[];
    let hostile: CreatedMember;
    let registered: CreatedMember[];
    const start = romeAfternoon(3); // 14:00 Rome, three days ago
    const plan = new Map<string, Connection[]>(); // member id → connections (ms)
    let outcomes: any[];

    beforeAll(async () => {
      h = await startHarness(backend);
      keys = await createCpoOrganiser(h, 'MI');
      members = await createMembers(h, keys.cn, Array(11).fill('MI'), 700);
      // A register entry whose name would be a formula in a spreadsheet (R-TPL-4).
      const cf = codiceFiscale(9_999);
      const res = await h.api('POST', '/v1/members', {
        key: keys.cn,
        body: {
          codiceFiscale: cf,
          surname: '=HYPERLINK("http://x","y")',
          givenName: '+39 333 1234567',
          province: 'MI',
          registerNumber: '-42',
          birthDate: '1980-01-01',
          registrationDate: '2010-01-01',
        },
      });
      expect(res.status, res.text).toBe(201);
      hostile = { id: res.body.id, codiceFiscale: cf, province: 'MI', email: '' };

      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(start, 3) });
      expect(ev.status, ev.text).toBe(201);
      eventId = ev.body.id;
      // All register but m8 (it joins anyway: unmatched).
      registered = [...members.filter((_, i) => i !== 8), hostile];
      const regs = members
        .map((m, i) => (i % 2 === 0 ? { memberId: m.id, registrantId: `reg-${i}` } : { memberId: m.id, email: m.email }))
        .filter((_, i) => i !== 8)
        .concat({ memberId: hostile.id, registrantId: 'reg-h' });
      const r = await h.api('POST', `/v1/events/${eventId}/registrations`, { key: keys.organiser, body: { registrations: regs } });
      expect(r.status, r.text).toBe(200);

      const id = (i: number) => (i % 2 === 0 ? { registrantId: `reg-${i}` } : { email: members[i]!.email });
      const at = (minutes: number) => start + minutes * MIN;
      const m = members;
      plan.set(m[0]!.id, [{ join: at(0), leave: at(180), identity: id(0) }]);
      // Left in the middle and came back: two rows in the interval layout, one in the other.
      plan.set(m[1]!.id, [
        { join: at(0), leave: at(70), identity: id(1) },
        { join: at(85), leave: at(180), identity: id(1) },
      ]);
      // Two devices overlapping: one presence interval.
      plan.set(m[2]!.id, [
        { join: at(5), leave: at(120), identity: id(2) },
        { join: at(100), leave: at(178), identity: id(2) },
      ]);
      // Joined before the start: presence counts from the start (R-ATT-3).
      plan.set(m[3]!.id, [{ join: at(-10), leave: at(160), identity: id(3) }]);
      // Never left, no meeting end: incomplete (R-ATT-6), an entry with an empty exit.
      plan.set(m[4]!.id, [{ join: at(2), leave: null, identity: id(4) }]);
      // m5 never joins.
      // The rejoin carries only the platform's user id: tied to the member through the first connection.
      plan.set(m[6]!.id, [
        { join: at(0), leave: at(60), identity: { ...id(6), participantUserId: 'u-6' } },
        { join: at(65), leave: at(180), identity: { participantUserId: 'u-6' } },
      ]);
      // Seconds are kept: 14:00:30 → 16:59:45.
      plan.set(m[7]!.id, [{ join: at(0.5), leave: at(179.75), identity: id(7) }]);
      plan.set(hostile.id, [{ join: at(0), leave: at(180), identity: { registrantId: 'reg-h', name: "-cmd|' /C calc'!A0" } }]);
      const guests: Connection[] = [
        { join: at(0), leave: at(180), identity: { email: m[8]!.email, name: 'Non iscritto' } },
        { join: at(0), leave: at(90), identity: { email: 'guest1@other.example.com', name: '@SUM(1+1)' } },
        { join: at(10), leave: at(100), identity: { email: 'guest2@other.example.com', name: '=HYPERLINK("http://evil.example","clic")' } },
        // One connection naming m10's registrant id and m9's e-mail: an identity conflict (R-ATT-7),
        // nobody's presence.
        { join: at(0), leave: at(180), identity: { registrantId: 'reg-10', email: m[9]!.email, name: 'Chi?' } },
      ];
      await ingest(h, keys.platform, eventId, [...[...plan.values()].flat(), ...guests]);
      const closed = await h.api('POST', `/v1/events/${eventId}/close`, { key: keys.organiser });
      expect(closed.status, closed.text).toBe(200);
      // The derivation that saw the course closed (the first one may already have: jobs coalesce).
      outcomes = await waitForDerivation(h, keys.organiser, eventId, (d) => d.closed);
    });

    afterAll(async () => {
      await h?.close();
    });

    it('answers with a streamed .xlsx, to the organiser, its CPO and the CN only', async () => {
      const res = await fetch(`${h.url}/v1/events/${eventId}/attendance.xlsx`, { headers: { authorization: `Bearer ${keys.organiser}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(XLSX_TYPE);
      expect(res.headers.get('content-disposition')).toBe(
        `attachment; filename="presenze_${DateTime.fromMillis(start).setZone('Europe/Rome').toISODate()}_${eventId}.xlsx"`,
      );
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('content-length')).toBeNull(); // streamed, not buffered
      const buf = Buffer.from(await res.arrayBuffer());
      expect(buf.subarray(0, 2).toString()).toBe('PK');

      expect((await download(h, keys.cpo, eventId)).status).toBe(200);
      expect((await download(h, keys.cn, eventId)).status).toBe(200);
      expect((await download(h, keys.platform, eventId)).status).toBe(403);
      expect((await download(h, await h.key('cpo', 'RM'), eventId)).status).toBe(404);
      const other = await createCpoOrganiser(h, 'BG');
      expect((await download(h, other.organiser, eventId)).status).toBe(404);
      expect((await download(h, keys.organiser, eventId, 'layout=rows')).status).toBe(400);
      expect((await download(h, keys.organiser, '00000000-0000-4000-8000-000000000000')).status).toBe(404);

      const doc = await h.api('GET', '/openapi.json');
      const op = doc.body.paths['/v1/events/{id}/attendance.xlsx'].get;
      expect(Object.keys(op.responses['200'].content)).toEqual([XLSX_TYPE]);
    });

    it('Presenze has one row per presence interval, at the exact Rome times of the outcomes', async () => {
      const res = await download(h, keys.organiser, eventId, 'layout=intervals');
      const wb = parseWorkbook(res.buf);
      expect(wb.SheetNames).toEqual(['Presenze', 'Esito', 'Non abbinati']);
      const rows = sheetCells(wb, 'Presenze');
      expect(rows[0]!.map((c) => c?.v)).toEqual(PRESENZE);
      const got = rowsByCf(rows.slice(1));

      const eventDate = DateTime.fromMillis(start).setZone('Europe/Rome').toFormat('dd/LL/yyyy');
      for (const r of rows.slice(1)) {
        expect(r[0]).toMatchObject({ t: 'd', z: 'dd/mm/yyyy', w: eventDate });
        expect(r[6]).toMatchObject({ t: 'd', z: 'hh:mm' });
        expect(r[5]?.v).toBe('MI');
      }

      // Against the API: every registered member's presence (R-ATT-9 explanation), plus the open
      // entry of the incomplete member; nobody else.
      const expected = new Map<string, Array<[string, string | null]>>();
      for (const m of registered) {
        const o = outcomes.find((x) => x.memberId === m.id);
        expect(o, `outcome of ${m.id}`).toBeDefined();
        const spans: Array<[string, string | null]> = o.explanation.presence.map((p: any) => [rome(p.start), rome(p.end)]);
        if (o.status === 'incomplete') spans.push([rome(plan.get(m.id)![0]!.join), null]);
        if (spans.length) expected.set(m.codiceFiscale, spans);
      }
      expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));

      // And against the plan itself, independently of the derivation.
      const t = (min: number) => rome(start + min * MIN);
      const m = members;
      expect(got.get(m[0]!.codiceFiscale)).toEqual([[t(0), t(180)]]);
      expect(got.get(m[1]!.codiceFiscale)).toEqual([
        [t(0), t(70)],
        [t(85), t(180)],
      ]);
      expect(got.get(m[2]!.codiceFiscale)).toEqual([[t(5), t(178)]]);
      expect(got.get(m[3]!.codiceFiscale)).toEqual([[t(0), t(160)]]);
      expect(got.get(m[4]!.codiceFiscale)).toEqual([[t(2), null]]);
      expect(got.has(m[5]!.codiceFiscale)).toBe(false);
      expect(got.get(m[6]!.codiceFiscale)).toEqual([
        [t(0), t(60)],
        [t(65), t(180)],
      ]);
      expect(got.get(m[7]!.codiceFiscale)).toEqual([[t(0.5), t(179.75)]]);
      expect(got.has(m[8]!.codiceFiscale)).toBe(false); // not registered
      expect(got.has(m[9]!.codiceFiscale)).toBe(false); // identity conflict
      expect(got.has(m[10]!.codiceFiscale)).toBe(false);
      expect(rows.slice(1).find((r) => r[3]?.v === m[1]!.codiceFiscale)![6]!.w).toBe(DateTime.fromMillis(start).setZone('Europe/Rome').toFormat('HH:mm'));

      // The members' register data, in the file's order (surname, name, codice fiscale).
      const m1 = rows.slice(1).find((r) => r[3]?.v === m[1]!.codiceFiscale)!;
      expect(m1.slice(1, 5).map((c) => c?.v)).toEqual(['Cognome701', 'Nome701', m[1]!.codiceFiscale, '1701']);
      const surnames = rows
        .slice(1)
        .map((r) => String(r[1]?.v))
        .filter((s) => s.startsWith('Cognome'));
      expect(surnames).toEqual([...surnames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    });

    it("the project's own upload reader reads the file back to the same instants (round trip, R-TPL-3)", async () => {
      const { buf } = await download(h, keys.organiser, eventId);
      // (a) adapters/xlsx/read-workbook.ts (the guarded reader of uploads) and the upload check of
      // src/domain/attendance-file.ts: every closed interval comes back as the exact instants of
      // the API's presence; the open one is refused until its exit is filled in (R-ATT-6).
      const wb = await readWorkbook(buf, { sheet: 'Presenze' });
      expect(wb.sheet.name).toBe('Presenze');
      expect(wb.sheet.rows[0]!.cells).toEqual(PRESENZE);
      const parsed = parseAttendanceSheet(wb.sheet.rows, { eventStart: start, eventEnd: start + 180 * MIN, latest: Date.now() + MIN, date1904: wb.date1904 });
      if (!parsed.ok) throw new Error(parsed.message);
      const back = new Map<string, Array<[number, number]>>();
      for (const r of parsed.rows) {
        if (!back.has(r.codiceFiscale)) back.set(r.codiceFiscale, []);
        back.get(r.codiceFiscale)!.push([r.entry, r.exit]);
      }
      const expected = new Map<string, Array<[number, number]>>();
      for (const m of registered) {
        const o = outcomes.find((x) => x.memberId === m.id);
        const spans = o.explanation.presence.map((p: any) => [Date.parse(p.start), Date.parse(p.end)] as [number, number]);
        if (spans.length) expected.set(m.codiceFiscale, spans);
      }
      expect(Object.fromEntries(back)).toEqual(Object.fromEntries(expected));
      expect(parsed.rejected.map((r) => r.code)).toEqual(['missing-field']); // m4: entry, no exit yet
      expect(parsed.empty).toBe(0);

      const esito = await readWorkbook(buf, { sheet: 'Esito' });
      expect(esito.sheet.rows[0]!.cells).toEqual(ESITO);
      for (const { cells } of esito.sheet.rows.slice(1)) {
        const m = registered.find((x) => x.codiceFiscale === cells[2])!;
        const o = outcomes.find((x) => x.memberId === m.id);
        expect(cells.slice(5, 9)).toEqual([o.coveredMinutes, o.absentMinutes, o.toleranceMinutes, o.credits]);
      }

      // The blank template reads as every registered member with nothing to record yet.
      const blank = await readWorkbook((await download(h, keys.organiser, eventId, 'blank=true')).buf, { sheet: 'Presenze' });
      const blankParsed = parseAttendanceSheet(blank.sheet.rows, { eventStart: start, eventEnd: start + 180 * MIN, latest: Date.now() + MIN });
      expect(blankParsed).toMatchObject({ ok: true, rows: [], rejected: [], empty: registered.length });
    });

    it('the participants layout has one row each: first entry, last exit, and the minutes present and absent of the outcome', async () => {
      const res = await download(h, keys.cpo, eventId, 'layout=participants');
      expect(res.headers.get('content-disposition')).toMatch(/filename="presenze-partecipanti_\d{4}-\d{2}-\d{2}_[0-9a-f-]{36}\.xlsx"/);
      const rows = sheetCells(parseWorkbook(res.buf), 'Presenze');
      expect(rows[0]!.map((c) => c?.v)).toEqual([...PRESENZE, 'Minuti di presenza', 'Minuti di assenza']);
      // First entry and last exit hide an absence in between: the minutes within the scheduled
      // time say it, as the outcome counts them (R-ATT-3).
      const minutes = new Map(rows.slice(1).map((r) => [String(r[3]?.v), [r[8]?.v, r[9]?.v]]));
      for (const m of registered) {
        if (!minutes.has(m.codiceFiscale)) continue;
        const o = outcomes.find((x) => x.memberId === m.id);
        expect(minutes.get(m.codiceFiscale), m.codiceFiscale).toEqual([o.coveredMinutes, o.absentMinutes]);
      }
      // And against the plan: member 1 was away 70–85, member 6 60–65, member 3 left at 160.
      expect(minutes.get(members[1]!.codiceFiscale)).toEqual([165, 15]);
      expect(minutes.get(members[6]!.codiceFiscale)).toEqual([175, 5]);
      expect(minutes.get(members[3]!.codiceFiscale)).toEqual([160, 20]);
      expect(minutes.get(members[0]!.codiceFiscale)).toEqual([180, 0]);
      const got = rowsByCf(rows.slice(1));
      const t = (min: number) => rome(start + min * MIN);
      const m = members;
      expect(got.get(m[1]!.codiceFiscale)).toEqual([[t(0), t(180)]]);
      expect(got.get(m[2]!.codiceFiscale)).toEqual([[t(5), t(178)]]);
      expect(got.get(m[4]!.codiceFiscale)).toEqual([[t(2), null]]);
      expect(got.get(m[6]!.codiceFiscale)).toEqual([[t(0), t(180)]]);
      expect(got.get(m[7]!.codiceFiscale)).toEqual([[t(0.5), t(179.75)]]);
      for (const spans of got.values()) expect(spans).toHaveLength(1);
      expect(got.size).toBe(8); // everyone present, registered and matched
    });

    it('pages of any size give the same rows: keyset paging, each page reading only its evidence', async () => {
      const { loadExportEvent, presencePages, outcomePages } = await import('../../src/store/attendance-export.ts');
      const event = (await loadExportEvent(h.rt.db, eventId))!;
      const read = async (pageSize: number) => {
        const presence: unknown[] = [];
        let pages = 0;
        for await (const page of presencePages(h.rt.db, event, { pageSize })) {
          pages++;
          expect(page.length).toBeLessThanOrEqual(pageSize);
          presence.push(...page);
        }
        const out: unknown[] = [];
        for await (const page of outcomePages(h.rt.db, eventId, { pageSize })) out.push(...page);
        return { presence, out, pages };
      };
      const whole = await read(1000);
      expect(whole.pages).toBe(1);
      expect(whole.presence).toHaveLength(registered.length);
      for (const size of [1, 2, 3]) {
        const paged = await read(size);
        expect(paged.pages).toBe(Math.ceil(registered.length / size));
        expect(paged.presence).toEqual(whole.presence);
        expect(paged.out).toEqual(whole.out);
      }
    });

    it('Esito gives every registered member the outcome of the API, in Italian', async () => {
      const wb = parseWorkbook((await download(h, keys.organiser, eventId)).buf);
      const rows = sheetCells(wb, 'Esito');
      expect(rows[0]!.map((c) => c?.v)).toEqual(ESITO);
      const byCf = new Map(rows.slice(1).map((r) => [String(r[2]?.v), r]));
      expect(byCf.size).toBe(registered.length);
      for (const m of registered) {
        const o = outcomes.find((x) => x.memberId === m.id);
        const r = byCf.get(m.codiceFiscale)!;
        expect(r.slice(5, 9).map((c) => c?.v)).toEqual([o.coveredMinutes, o.absentMinutes, o.toleranceMinutes, o.credits]);
        expect(r[9]?.v).toBe(STATUS_IT[o.status]);
        expect(r[11]?.v).toBe(o.explanation.rule);
        expect(r[10]?.t).toBe('s');
      }
      const incomplete = byCf.get(members[4]!.codiceFiscale)!;
      expect(incomplete[9]?.v).toBe('Presenza incompleta');
      expect(String(incomplete[10]?.v)).toMatch(/uscita/);
      expect(
        byCf
          .get(members[5]!.codiceFiscale)!
          .slice(5, 10)
          .map((c) => c?.v),
      ).toEqual([0, 180, 30, 0, 'Crediti non riconosciuti']);
      expect(
        byCf
          .get(members[7]!.codiceFiscale)!
          .slice(5, 10)
          .map((c) => c?.v),
      ).toEqual([179, 1, 30, 3, 'Crediti riconosciuti']);

      // Participants no registration matches are listed apart, with the platform's name (R-ATT-7).
      const non = sheetCells(wb, 'Non abbinati');
      expect(non[0]!.map((c) => c?.v)).toEqual(NON_ABBINATI);
      const unmatched = await h.api('GET', `/v1/events/${eventId}/unmatched`, { key: keys.organiser });
      expect(
        non
          .slice(1)
          .map((r) => r[1]?.v)
          .sort(),
      ).toEqual(unmatched.body.outcomes.map((o: any) => o.participantKey).sort());
      const names = new Map(non.slice(1).map((r) => [String(r[1]?.v), r]));
      expect(names.get('email:guest1@other.example.com')!.map((c) => c?.v)).toEqual([
        "'@SUM(1+1)",
        'email:guest1@other.example.com',
        90,
        'Non abbinato',
        'Nessuna iscrizione corrisponde ai dati della piattaforma',
      ]);
      expect(names.get(`email:${members[8]!.email}`)![0]?.v).toBe('Non iscritto');
    });

    it('text that would be a formula is written escaped, and no cell is a formula (R-TPL-4)', async () => {
      for (const query of ['', 'layout=participants', 'blank=true']) {
        const { buf } = await download(h, keys.organiser, eventId, query);
        const wb = parseWorkbook(buf);
        const rows = sheetCells(wb, 'Presenze');
        const h1 = rows.find((r) => r[3]?.v === hostile.codiceFiscale)!;
        expect(h1.slice(1, 5).map((c) => c?.v)).toEqual([`'=HYPERLINK("http://x","y")`, "'+39 333 1234567", hostile.codiceFiscale, "'-42"]);
        for (const name of wb.SheetNames) {
          for (const row of sheetCells(wb, name)) {
            for (const c of row) {
              expect(c?.f).toBeUndefined();
              if (c?.t === 's') expect(String(c.v)).not.toMatch(/^[=+\-@\t\r]/);
            }
          }
        }
        const files = await zipEntries(buf);
        const sheets = [...files.keys()].filter((k) => k.startsWith('xl/worksheets/sheet'));
        expect(sheets.length).toBe(wb.SheetNames.length);
        for (const s of sheets) {
          const xml = files.get(s)!;
          expect(xml).not.toMatch(/<f[ >]/);
          // The header row is frozen.
          expect(xml).toMatch(/<pane [^>]*ySplit="1"[^>]*state="frozen"/);
        }
      }
      const non = sheetCells(parseWorkbook((await download(h, keys.organiser, eventId)).buf), 'Non abbinati');
      expect(non.map((r) => r[0]?.v)).toContain(`'=HYPERLINK("http://evil.example","clic")`);
    });

    it('the blank template lists every registered member once, entry and exit empty', async () => {
      const res = await download(h, keys.cn, eventId, 'blank=true');
      expect(res.headers.get('content-disposition')).toMatch(/filename="modello-presenze_/);
      const wb = parseWorkbook(res.buf);
      expect(wb.SheetNames).toEqual(['Presenze']);
      const rows = sheetCells(wb, 'Presenze');
      expect(rows[0]!.map((c) => c?.v)).toEqual(PRESENZE);
      const cfs = rows.slice(1).map((r) => r[3]?.v);
      expect(cfs.sort()).toEqual(registered.map((m) => m.codiceFiscale).sort());
      for (const r of rows.slice(1)) {
        expect(r[0]).toMatchObject({ t: 'd', z: 'dd/mm/yyyy' });
        expect(r[6]?.v).toBeUndefined();
        expect(r[7]?.v).toBeUndefined();
      }
    });

    it('an event on the night the clocks go back shows Rome wall-clock times and its Rome date (R-CAL-2)', async () => {
      // 25 Oct 2026, 01:30 Rome (CEST) → 03:30 Rome (CET): three real hours, 02:00–03:00 twice.
      const dstStart = romeLocalToUtc('2026-10-25T01:30').getTime();
      expect(new Date(dstStart).toISOString()).toBe('2026-10-24T23:30:00.000Z');
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(dstStart, 3) });
      expect(ev.status, ev.text).toBe(201);
      const id = ev.body.id as string;
      const r = await h.api('POST', `/v1/events/${id}/registrations`, {
        key: keys.organiser,
        body: {
          registrations: [
            { memberId: members[0]!.id, registrantId: 'dst-0' },
            { memberId: members[1]!.id, registrantId: 'dst-1' },
          ],
        },
      });
      expect(r.status, r.text).toBe(200);
      const iso = (s: string) => Date.parse(s);
      await ingest(h, keys.platform, id, [
        // 01:45 CEST → 03:15 CET: 150 real minutes.
        { join: iso('2026-10-24T23:45:00Z'), leave: iso('2026-10-25T02:15:00Z'), identity: { registrantId: 'dst-0' } },
        // 02:10 CEST → 02:50 CEST, then 02:05 CET → 03:30 CET: the second entry reads earlier than the first exit.
        { join: iso('2026-10-25T00:10:00Z'), leave: iso('2026-10-25T00:50:00Z'), identity: { registrantId: 'dst-1' } },
        { join: iso('2026-10-25T01:05:00Z'), leave: iso('2026-10-25T02:30:00Z'), identity: { registrantId: 'dst-1' } },
      ]);
      const out = await waitForDerivation(h, keys.organiser, id, (d) => d.records === 6);
      expect(out.find((o) => o.memberId === members[0]!.id)).toMatchObject({ coveredMinutes: 150, absentMinutes: 30, status: 'credited' });

      const intervals = sheetCells(parseWorkbook((await download(h, keys.organiser, id)).buf), 'Presenze');
      expect(intervals.slice(1).map((r) => [r[0]?.w, r[3]?.v, wallClock(r[6]), wallClock(r[7]), r[6]?.w, r[7]?.w])).toEqual([
        ['25/10/2026', members[0]!.codiceFiscale, '2026-10-25 01:45:00', '2026-10-25 03:15:00', '01:45', '03:15'],
        ['25/10/2026', members[1]!.codiceFiscale, '2026-10-25 02:10:00', '2026-10-25 02:50:00', '02:10', '02:50'],
        ['25/10/2026', members[1]!.codiceFiscale, '2026-10-25 02:05:00', '2026-10-25 03:30:00', '02:05', '03:30'],
      ]);
      const participants = sheetCells(parseWorkbook((await download(h, keys.organiser, id, 'layout=participants')).buf), 'Presenze');
      expect(participants.slice(1).map((r) => [r[3]?.v, r[6]?.w, r[7]?.w])).toEqual([
        [members[0]!.codiceFiscale, '01:45', '03:15'],
        [members[1]!.codiceFiscale, '02:10', '03:30'],
      ]);
    });
  });
}

/** Presenze rows grouped by codice fiscale: [entry, exit] wall-clock readings, in file order. */
function rowsByCf(rows: ReturnType<typeof sheetCells>) {
  const got = new Map<string, Array<[string, string | null]>>();
  for (const r of rows) {
    const cf = String(r[3]?.v);
    if (!got.has(cf)) got.set(cf, []);
    got.get(cf)!.push([wallClock(r[6])!, wallClock(r[7])]);
  }
  return got;
}

async function download(h: Harness, key: string, eventId: string, query = '') {
  const res = await fetch(`${h.url}/v1/events/${eventId}/attendance.xlsx${query ? `?${query}` : ''}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, headers: res.headers, buf: Buffer.from(await res.arrayBuffer()) };
}

async function ingest(h: Harness, key: string, eventId: string, connections: Connection[]) {
  const records: any[] = [];
  connections.forEach((c, i) => {
    const participant = { ...c.identity, connectionId: `x${eventId.slice(0, 8)}-${i}` };
    records.push({ id: `x${i}-j`, type: 'join', at: new Date(c.join).toISOString(), participant });
    if (c.leave !== null) records.push({ id: `x${i}-l`, type: 'leave', at: new Date(c.leave).toISOString(), participant });
  });
  const res = await h.api('POST', `/v1/ingest/webinar/${eventId}`, { key, body: { records } });
  expect(res.status, res.text).toBe(202);
  expect(res.body.accepted).toBe(records.length);
}

/** Outcomes once a derivation whose inputs satisfy `until` has run and none is pending. */
async function waitForDerivation(h: Harness, key: string, eventId: string, until: (d: { closed: boolean; records: number }) => boolean): Promise<any[]> {
  return eventually(async () => {
    const derivations = await h.rt.db.query<{ closed: boolean; records: number }>(
      "SELECT (inputs->>'closed')::boolean AS closed, (inputs->>'records')::int AS records FROM derivations WHERE event_id = $1 ORDER BY id",
      [eventId],
    );
    if (!derivations.rows.some(until)) return null;
    const pending = await h.rt.deps.attendance.queue.getJobs(['waiting', 'active', 'delayed', 'prioritized']);
    if (pending.some((j) => j?.name === 'derive' && j.data?.eventId === eventId)) return null;
    const res = await h.api('GET', `/v1/events/${eventId}/outcomes?limit=5000`, { key });
    return res.status === 200 ? (res.body.outcomes as any[]) : null;
  });
}
