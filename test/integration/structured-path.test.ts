/**
 * Structured paths end to end (R-EVT-6, R-FAD-1, R-CAL-2/4, R-QST-1) through HTTP, real Redis and a
 * real database: a mixed path of three 8-hour days over 31 December 2025 (the first day with full
 * scientific autonomy), attended online (platform API) and in person (attendance file uploaded by
 * the CPO with `presence=in-person`); credits split by year, a member under 70% credited only the
 * autonomous session, one credited nothing; and a plain mixed event credited as webinar or in
 * person by how each attended, a plain (online) upload counting as webinar.
 */
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, romeAfternoon, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';

const H = 3_600_000;
const DAYS = ['2025-12-30', '2025-12-31', '2026-01-02'];
/** 09:00–17:00 Rome on each day. */
const SESSIONS = DAYS.map((d) => ({
  start: DateTime.fromISO(`${d}T09:00`, { zone: 'Europe/Rome' }).toMillis(),
  end: DateTime.fromISO(`${d}T17:00`, { zone: 'Europe/Rome' }).toMillis(),
}));
const iso = (ms: number) => new Date(ms).toISOString();
const hhmm = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Rome' }).toFormat('HH:mm');
const day = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Rome' }).toFormat('dd/MM/yyyy');

function pathEvent(extra: Record<string, unknown> = {}) {
  const first = SESSIONS[0]!;
  const last = SESSIONS[SESSIONS.length - 1]!;
  return {
    title: 'Percorso strutturato sul contenzioso del lavoro',
    cpoProvince: 'MI',
    mode: 'mixed',
    speakers: ['Relatore Uno'],
    topics: [
      { title: 'Deontologia', start: iso(first.start), end: iso(first.start + 3 * H), deontology: true },
      { title: 'Contenzioso', start: iso(first.start + 3 * H), end: iso(last.end), deontology: false },
    ],
    start: iso(first.start),
    end: iso(last.end),
    credits: 24,
    fractionable: true,
    structuredPath: true,
    fractions: SESSIONS.map((s, i) => ({ start: iso(s.start), end: iso(s.end), credits: 8, ...(i === 0 ? { autonomous: true } : {}) })),
    ...extra,
  };
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`structured paths on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let members: CreatedMember[];
    let pathId: string;

    /** A 3-hour mixed ("duale") event `daysAgo` days ago at 14:00 Rome. */
    const mixedEvent = async (title: string, daysAgo: number) => {
      const start = romeAfternoon(daysAgo);
      const end = start + 3 * H;
      const topics = [{ title: 'Contratti', start: iso(start), end: iso(end), deontology: false }];
      const ev = await h.api('POST', '/v1/events', {
        key: keys.organiser,
        body: { title, cpoProvince: 'MI', mode: 'mixed', topics, start: iso(start), end: iso(end), credits: 3 },
      });
      expect(ev.status, ev.text).toBe(201);
      return { id: ev.body.id as string, start, end };
    };
    const credits = async (memberId: string, query = '') => {
      const res = await h.api('GET', `/v1/members/${memberId}/credits${query}`, { key: keys.cpo });
      expect(res.status, res.text).toBe(200);
      return res.body.credits as Array<{
        eventId: string;
        fraction: number;
        credits: number;
        deontologyCredits: number;
        mode: string;
        year: number;
        status: string;
      }>;
    };
    const of = (rows: Awaited<ReturnType<typeof credits>>, eventId: string) =>
      rows
        .filter((c) => c.eventId === eventId)
        .map((c) => ({ fraction: c.fraction, year: c.year, credits: c.credits, deontologyCredits: c.deontologyCredits, mode: c.mode, status: c.status }));
    /**
     * CSV attendance rows (R-TPL-3) for `member` over `spans`, uploaded by the CPO (the organiser's
     * 30 days are over); `presence` is the query parameter (none: the default, online).
     */
    const upload = (eventId: string, rows: Array<{ member: CreatedMember; start: number; end: number }>, presence?: 'online' | 'in-person') =>
      h.api('POST', `/v1/events/${eventId}/attendance-file${presence ? `?presence=${presence}` : ''}`, {
        key: keys.cpo,
        raw: `Codice fiscale;Data evento;Ora di ingresso;Ora di uscita\n${rows.map((r) => `${r.member.codiceFiscale};${day(r.start)};${hhmm(r.start)};${hhmm(r.end)}`).join('\n')}\n`,
        headers: { 'content-type': 'text/csv' },
      });
    const online = (eventId: string, who: string, spans: Array<{ start: number; end: number }>) =>
      h.api('POST', `/v1/ingest/webinar/${eventId}`, {
        key: keys.platform,
        body: {
          records: spans.flatMap((s, i) => [
            { id: `${who}-${i}-j`, type: 'join', at: iso(s.start), participant: { registrantId: who, connectionId: `${who}-${i}` } },
            { id: `${who}-${i}-l`, type: 'leave', at: iso(s.end), participant: { registrantId: who, connectionId: `${who}-${i}` } },
          ]),
        },
      });

    beforeAll(async () => {
      h = await startHarness(backend);
      keys = await createCpoOrganiser(h, 'MI');
      members = await createMembers(h, keys.cn, Array(6).fill('MI'));
    });

    afterAll(async () => {
      await h?.close();
    });

    it('refuses a path that breaks R-EVT-6, with coded violations', async () => {
      const webinar = await h.api('POST', '/v1/events', { key: keys.organiser, body: pathEvent({ mode: 'webinar' }) });
      expect(webinar.status, webinar.text).toBe(422);
      expect(webinar.body.errors.map((e: { code: string }) => e.code)).toEqual(['structured-path-mode']);
      const oneDay = SESSIONS[0]!;
      const short = await h.api('POST', '/v1/events', {
        key: keys.organiser,
        body: pathEvent({
          end: iso(oneDay.end),
          topics: [{ title: 'Contenzioso', start: iso(oneDay.start), end: iso(oneDay.end), deontology: false }],
          credits: 8,
          fractions: [{ start: iso(oneDay.start), end: iso(oneDay.end), credits: 8 }],
        }),
      });
      expect(short.status, short.text).toBe(422);
      expect(short.body.errors.map((e: { code: string }) => e.code)).toEqual(['structured-path-too-short', 'structured-path-single-day']);
    });

    it('stores the path and exposes it in event reads', async () => {
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: pathEvent() });
      expect(ev.status, ev.text).toBe(201);
      pathId = ev.body.id;
      expect(ev.body).toMatchObject({ structuredPath: true, fractionable: true, mode: 'mixed' });
      const read = await h.api('GET', `/v1/events/${pathId}`, { key: keys.cpo });
      expect(read.body.structuredPath).toBe(true);
      expect(read.body.fractions.map((f: { autonomous?: boolean }) => f.autonomous ?? false)).toEqual([true, false, false]);
      const reg = await h.api('POST', `/v1/events/${pathId}/registrations`, {
        key: keys.organiser,
        body: { registrations: members.slice(0, 4).map((m, i) => ({ memberId: m.id, registrantId: `reg-${i}` })) },
      });
      expect(reg.body.registered, reg.text).toBe(4);
    });

    it('credits a path over 31 December split by year, the autonomous session alone under 70%, webinar or in person by how each attended', async () => {
      const [m0, m1, m2, m3] = members as [CreatedMember, CreatedMember, CreatedMember, CreatedMember];
      // m0: every session online (platform API), 10 minutes late each day.
      expect(
        (
          await online(
            pathId,
            'reg-0',
            SESSIONS.map((s) => ({ start: s.start + 10 * 60_000, end: s.end })),
          )
        ).status,
      ).toBe(202);
      // m1: every session in the room (signed attendance sheet, presence=in-person); m2: only the
      // autonomous first day; m3: only the second day.
      const up = await upload(
        pathId,
        [...SESSIONS.map((s) => ({ member: m1, ...s })), { member: m2, ...SESSIONS[0]! }, { member: m3, ...SESSIONS[1]! }],
        'in-person',
      );
      expect(up.status, up.text).toBe(202);
      expect(up.body).toMatchObject({ accepted: 5, rejected: [] });

      await eventually(async () => (await credits(m2.id)).some((c) => c.eventId === pathId) && (await credits(m0.id)).some((c) => c.eventId === pathId));

      // 24 hours, 24 credits: capped at 20 (R-EVT-6); 16 of 24 hours in 2025 → round(13.33) = 13, the rest (7) in 2026.
      // Deontology: 3 h of 24 pro-rated to the 20 granted → round(2.5) = 3, all held in 2025.
      expect(of(await credits(m0.id), pathId)).toEqual([
        { fraction: 0, year: 2025, credits: 13, deontologyCredits: 3, mode: 'webinar', status: 'granted' },
        { fraction: 0, year: 2026, credits: 7, deontologyCredits: 0, mode: 'webinar', status: 'granted' },
      ]);
      expect(of(await credits(m1.id), pathId)).toEqual([
        { fraction: 0, year: 2025, credits: 13, deontologyCredits: 3, mode: 'in-person', status: 'granted' },
        { fraction: 0, year: 2026, credits: 7, deontologyCredits: 0, mode: 'in-person', status: 'granted' },
      ]);
      expect(of(await credits(m1.id, '?year=2026'), pathId)).toEqual([expect.objectContaining({ year: 2026, credits: 7 })]);
      // In the balance each share is dated by its first session in that year (R-CAL-2), here 2 January 2026.
      const bal = await h.api('GET', `/v1/members/${m1.id}/balance?biennium=2025`, { key: keys.cpo });
      expect(bal.status, bal.text).toBe(200);
      expect(bal.body.balance.items.filter((i: any) => i.id.startsWith(`event:${pathId}:`)).map((i: any) => [i.date, i.year, i.counted])).toEqual([
        ['2025-12-30', 2025, 13],
        ['2026-01-02', 2026, 7],
      ]);
      // Under 70% (8 of 24 hours): the autonomous first day on its own, 8 credits, 3 of them deontology.
      expect(of(await credits(m2.id), pathId)).toEqual([{ fraction: 1, year: 2025, credits: 8, deontologyCredits: 3, mode: 'in-person', status: 'granted' }]);
      expect(of(await credits(m3.id), pathId)).toEqual([]);

      const res = await h.api('GET', `/v1/events/${pathId}/outcomes`, { key: keys.organiser });
      expect(res.status, res.text).toBe(200);
      const by = new Map(res.body.outcomes.map((o: any) => [o.memberId, o]));
      expect(by.get(m0.id)).toMatchObject({
        status: 'credited',
        coveredMinutes: 1410,
        absentMinutes: 30,
        credits: 20,
        explanation: { reason: 'attended-threshold', rule: 'R-EVT-6', structuredPath: { attendedPct: 97.91, thresholdPct: 70, meetsThreshold: true } },
      });
      expect(by.get(m2.id)).toMatchObject({
        status: 'credited',
        credits: 8,
        explanation: { reason: 'autonomous-fractions', structuredPath: { attendedPct: 33.33 } },
      });
      expect(by.get(m3.id)).toMatchObject({ status: 'not-qualified', credits: 0, explanation: { reason: 'below-threshold', rule: 'R-EVT-6' } });
    });

    it('a plain mixed event counts as webinar for the member tracked online and in person for the one in the room (R-FAD-1)', async () => {
      const { id, start, end } = await mixedEvent('Seminario duale', 3);
      const [, , , , m4, m5] = members as CreatedMember[];
      await h.api('POST', `/v1/events/${id}/registrations`, {
        key: keys.organiser,
        body: { registrations: [{ memberId: m4!.id, registrantId: 'mx-4' }, { memberId: m5!.id }] },
      });
      expect((await online(id, 'mx-4', [{ start, end }])).status).toBe(202);
      expect((await upload(id, [{ member: m5!, start, end }], 'in-person')).status).toBe(202);
      await eventually(async () => (await credits(m4!.id)).some((c) => c.eventId === id) && (await credits(m5!.id)).some((c) => c.eventId === id));
      const year = DateTime.fromMillis(start, { zone: 'Europe/Rome' }).year;
      expect(of(await credits(m4!.id), id)).toEqual([{ fraction: 0, year, credits: 3, deontologyCredits: 0, mode: 'webinar', status: 'granted' }]);
      expect(of(await credits(m5!.id), id)).toEqual([{ fraction: 0, year, credits: 3, deontologyCredits: 0, mode: 'in-person', status: 'granted' }]);
    });

    it('a mixed event whose attendance comes from a plain upload (presence online, the default) counts as webinar (R-FAD-1/2)', async () => {
      const { id, start, end } = await mixedEvent('Seminario duale, presenze caricate', 4);
      const [, , , , m4, m5] = members as CreatedMember[];
      await h.api('POST', `/v1/events/${id}/registrations`, { key: keys.organiser, body: { registrations: [{ memberId: m4!.id }, { memberId: m5!.id }] } });
      // m4 from the default upload (webinar attendance loaded by file); m5 from an explicit presence=online.
      const plain = await upload(id, [{ member: m4!, start, end }]);
      expect(plain.status, plain.text).toBe(202);
      const explicit = await upload(id, [{ member: m5!, start, end }], 'online');
      expect(explicit.status, explicit.text).toBe(202);
      await eventually(async () => (await credits(m4!.id)).some((c) => c.eventId === id) && (await credits(m5!.id)).some((c) => c.eventId === id));
      const year = DateTime.fromMillis(start, { zone: 'Europe/Rome' }).year;
      expect(of(await credits(m4!.id), id)).toEqual([{ fraction: 0, year, credits: 3, deontologyCredits: 0, mode: 'webinar', status: 'granted' }]);
      expect(of(await credits(m5!.id), id)).toEqual([{ fraction: 0, year, credits: 3, deontologyCredits: 0, mode: 'webinar', status: 'granted' }]);
      const { rows } = await h.rt.db.query<{ source: string }>('SELECT DISTINCT source FROM tracking_records WHERE event_id = $1', [id]);
      expect(rows.map((r) => r.source)).toEqual(['upload']);
    });
  });
}
