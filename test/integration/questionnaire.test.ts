/**
 * Issue 4 proof through HTTP, real Redis, a real database and a local SMTP server: a kind-e
 * webinar with its pool of 30 (R-QST-3), attendance tracked and closed, questionnaires dispatched
 * with signed links by mail (R-QST-2), members failing, retrying on unseen questions, passing
 * (R-QST-4/5), the credits turning granted or not granted (R-QST-8), expiry by the delayed job and
 * by the sweep after a restart, ratings (R-QST-9), irregularity reports (R-QST-10), and secrecy:
 * no member-facing response carries an answer key or a question outside the member's draws (R-QST-6).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import crypto from 'node:crypto';
import { startRuntime } from '../../src/runtime.ts';
import { sweepQuestionnaires } from '../../src/services/questionnaire/dispatch.ts';
import { createLogger } from '../../src/log.ts';
import { backendsOf } from '../support/backends.ts';
import { soakSize } from '../support/soak.ts';
import { createKindEOrganiser, createMembers, kindEWebinar, questionPool, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { signedInStaff, textOf } from '../support/console-client.ts';
import { answerForm, ResponseLog, type PoolEntry } from '../support/questionnaire.ts';
import { parseWorkbook, sheetCells } from '../support/xlsx.ts';

const DAY = 24 * 3600_000;
const MIN = 60_000;

interface Received {
  to: string[];
  raw: string;
}

/** A local SMTP server collecting what it receives. */
async function smtpServer() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8') });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { received, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Decodes a quoted-printable body (soft line breaks and =XX bytes) so a test can read the link. */
function decodeQuotedPrintable(s: string): string {
  const bytes = s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`questionnaire on ${backend}`, () => {
    let h: Harness;
    let smtp: Awaited<ReturnType<typeof smtpServer>>;
    let keys: Awaited<ReturnType<typeof createKindEOrganiser>>;
    let members: CreatedMember[];
    let eventId: string;
    let pool: PoolEntry[];
    const log = new ResponseLog();
    /** The product's clock: moved by the test across the 20-day notice and the 10-day deadline. */
    let offset = -40 * DAY;
    const now = () => Date.now() + offset;
    const start = DateTime.now().setZone('Europe/Rome').minus({ days: 2 }).set({ hour: 15, minute: 0, second: 0, millisecond: 0 }).toMillis();
    const end = start + 2 * 3600_000;
    const links = new Map<string, string>();

    beforeAll(async () => {
      smtp = await smtpServer();
      h = await startHarness(backend, { now, env: { SMTP_URL: smtp.url, PUBLIC_URL: 'http://gateway.test' } });
      const today = DateTime.now().setZone('Europe/Rome');
      keys = await createKindEOrganiser(h, 'MI', { from: today.minus({ years: 1 }).toISODate()!, until: today.plus({ years: 1 }).toISODate()! });
      members = await createMembers(h, keys.cn, Array(8).fill('MI'), 500);
    }, 60_000);

    afterAll(async () => {
      await h?.close();
      await smtp?.close();
    });

    it('refuses a kind-e webinar without a valid pool of 30, with stable codes (R-QST-3)', async () => {
      const body = (extra: Record<string, unknown>) => ({ ...kindEWebinar(start, end), ...extra });
      const missing = await h.api('POST', '/v1/events', { key: keys.organiser, body: body({}) });
      expect(missing.status, missing.text).toBe(422);
      expect(missing.body.code).toBe('question-pool-required');

      const short = await h.api('POST', '/v1/events', { key: keys.organiser, body: body({ questions: questionPool(29) }) });
      expect(short.status).toBe(422);
      expect(short.body.code).toBe('invalid-question-pool');
      expect(short.body.errors.map((e: any) => e.code)).toEqual(['pool-size']);

      const bad = questionPool(30);
      bad[3] = { ...bad[3]!, text: bad[1]!.text.toUpperCase() }; // a duplicate, whatever the case
      bad[5] = { ...bad[5]!, correct: 9 }; // no right answer among its options
      bad[7] = { ...bad[7]!, options: ['solo una'], correct: 0 };
      bad[8] = { ...bad[8]!, options: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] };
      bad[9] = { ...bad[9]!, options: ['uguale', ' Uguale ', 'altra'] };
      const invalid = await h.api('POST', '/v1/events', { key: keys.organiser, body: body({ questions: bad }) });
      expect(invalid.status).toBe(422);
      expect(invalid.body.errors.map((e: any) => `${e.code}@${e.path}`)).toEqual([
        'duplicate-question@questions.3.text',
        'correct-out-of-range@questions.5.correct',
        'option-count@questions.7.options',
        'option-count@questions.8.options',
        'duplicate-option@questions.9.options.1',
      ]);
      // Only webinars of kind-e organisers have a questionnaire (R-QST-1).
      const inPerson = await h.api('POST', '/v1/events', {
        key: keys.organiser,
        body: body({ mode: 'in-person', venueProvince: 'MI', platform: undefined, questions: questionPool(30) }),
      });
      expect(inPerson.status, inPerson.text).toBe(422);
      expect(inPerson.body.code).toBe('questionnaire-not-applicable');
      const { rows } = await h.rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
      expect(rows[0]!.n).toBe(0);
    });

    it('stores the pool with the event; only the organiser, the accrediting CPO and the CN read it (R-QST-6)', async () => {
      const questions = questionPool(30);
      const created = await h.api('POST', '/v1/events', { key: keys.organiser, body: { ...kindEWebinar(start, end), questions } });
      expect(created.status, created.text).toBe(201);
      expect(created.body.accreditation.status).toBe('requested');
      expect(created.text).not.toContain(questions[0]!.text); // the event view does not echo the pool
      eventId = created.body.id;

      for (const key of [keys.organiser, keys.cpo, keys.cn]) {
        const res = await h.api('GET', `/v1/events/${eventId}/questionnaire/pool`, { key });
        expect(res.status, res.text).toBe(200);
        expect(res.body.questions).toHaveLength(30);
      }
      const read = await h.api('GET', `/v1/events/${eventId}/questionnaire/pool`, { key: keys.organiser });
      pool = read.body.questions.map((q: any) => ({ text: q.text, options: q.options, correct: q.correct }));
      expect(pool[4]).toEqual({ text: questions[4]!.text, options: questions[4]!.options, correct: questions[4]!.correct });
      expect((await h.api('GET', `/v1/events/${eventId}/questionnaire/pool`, { key: keys.admin })).status).toBe(403);
      expect((await h.api('GET', `/v1/events/${eventId}/questionnaire/pool`, { key: keys.platform })).status).toBe(403);
      expect((await h.api('GET', `/v1/events/${eventId}/questionnaire/pool`, { key: await h.key('cpo', 'RM') })).status).toBe(404);
      expect((await h.api('PUT', `/v1/events/${eventId}/questionnaire/pool`, { key: keys.cpo, body: { questions } })).status).toBe(403);
      // The organiser may still replace it: nothing has been sent.
      const replaced = await h.api('PUT', `/v1/events/${eventId}/questionnaire/pool`, { key: keys.organiser, body: { questions } });
      expect(replaced.status, replaced.text).toBe(200);
      const again = await h.api('GET', `/v1/events/${eventId}/questionnaire/pool`, { key: keys.organiser });
      pool = again.body.questions.map((q: any) => ({ text: q.text, options: q.options, correct: q.correct }));
      // The CPO accredits the event with these questions; from then on they stay (R-QST-3).
      const approve = await h.api('POST', `/v1/events/${eventId}/accreditation`, {
        key: keys.cpo,
        body: { decision: 'approve', reference: 'Delibera 4/2026' },
      });
      expect(approve.status, approve.text).toBe(200);
      const late = await h.api('PUT', `/v1/events/${eventId}/questionnaire/pool`, { key: keys.organiser, body: { questions: questionPool(30, 'X') } });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('question-pool-accredited');
    });

    it('dispatches one questionnaire per qualifying member when the course closes, by mail, credits pending (R-QST-1/2)', async () => {
      offset = 0; // the event took place two days ago
      const regs = members.map((m) => ({ memberId: m.id, registrantId: `r-${m.id}` }));
      expect((await h.api('POST', `/v1/events/${eventId}/registrations`, { key: keys.organiser, body: { registrations: regs } })).status).toBe(200);
      // Members 0–6 attend the whole webinar; member 7 leaves after an hour (does not qualify).
      const records = members.flatMap((m, i) => [
        { id: `${i}-j`, type: 'join', at: new Date(start).toISOString(), participant: { registrantId: `r-${m.id}` } },
        { id: `${i}-l`, type: 'leave', at: new Date(i === 7 ? start + 60 * MIN : end).toISOString(), participant: { registrantId: `r-${m.id}` } },
      ]);
      const ing = await h.api('POST', `/v1/ingest/webinar/${eventId}`, { key: keys.platform, body: { records } });
      expect(ing.status, ing.text).toBe(202);
      expect((await h.api('POST', `/v1/events/${eventId}/close`, { key: keys.organiser })).status).toBe(200);

      const list = await eventually(async () => {
        const res = await h.api('GET', `/v1/events/${eventId}/questionnaires`, { key: keys.organiser });
        return res.body?.items?.length === 7 ? res.body.items : null;
      });
      expect(new Set(list.map((q: any) => q.memberId))).toEqual(new Set(members.slice(0, 7).map((m) => m.id)));
      expect(JSON.stringify(list)).not.toMatch(/\/q\//); // links are personal, never listed
      // The 10 days run from the moment the mail is sent (R-QST-2, R-CAL-3).
      const sent = await eventually(async () => {
        const res = await h.api('GET', `/v1/events/${eventId}/questionnaires`, { key: keys.organiser });
        return res.body.items.every((q: any) => q.mail === 'sent' && q.sentAt) ? res.body.items : null;
      });
      for (const q of sent) {
        expect(q).toMatchObject({ status: 'open', attempts: 0, lastScore: null });
        const deadline = DateTime.fromISO(q.sentAt, { zone: 'Europe/Rome' }).plus({ days: 10 }).endOf('day').toMillis();
        expect(Date.parse(q.deadline)).toBe(deadline);
      }

      // Credits stay pending (R-QST-1).
      const credits = await h.api('GET', `/v1/members/${members[0]!.id}/credits`, { key: keys.cn });
      expect(credits.body.credits).toEqual([expect.objectContaining({ eventId, credits: 2, status: 'pending' })]);

      // The mails arrive at the local SMTP server, one per member, with the link.
      await eventually(async () => smtp.received.length >= 7);
      expect(smtp.received).toHaveLength(7);
      for (let i = 0; i < 7; i++) {
        const mail = smtp.received.find((r) => r.to.includes(members[i]!.email))!;
        expect(mail, `mail to member ${i}`).toBeDefined();
        const text = decodeQuotedPrintable(mail.raw);
        expect(text).toContain('Questionario di verifica');
        const link = /http:\/\/gateway\.test\/q\/([A-Za-z0-9._-]+)/.exec(text)?.[1];
        expect(link).toBeTruthy();
        links.set(members[i]!.id, link!);
      }
      // Re-running the dispatch changes nothing (idempotent): the sweep finds no one missing.
      const { rows } = await h.rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
      expect(rows[0]!.n).toBe(7);
      const pooled = await h.api('PUT', `/v1/events/${eventId}/questionnaire/pool`, { key: keys.organiser, body: { questions: questionPool(30) } });
      expect(pooled.status).toBe(409);
    });

    it('pages the questionnaires in the database: by name in byte order, each once, the total on every page; bounds refused', async () => {
      const url = `/v1/events/${eventId}/questionnaires`;
      // Names whose order differs between byte order and a locale collation (accent, case): the
      // pages must follow byte order on every database (PGlite sorts by C, a Postgres may not).
      const renamed = [
        { id: members[4]!.id, surname: 'de Rossi' },
        { id: members[5]!.id, surname: 'Àlberti' },
        { id: members[6]!.id, surname: 'De Rossi' },
      ];
      const before = await h.rt.db.query<{ id: string; surname: string }>('SELECT id, surname FROM members WHERE id = ANY($1)', [renamed.map((r) => r.id)]);
      for (const r of renamed) await h.rt.db.query('UPDATE members SET surname = $2 WHERE id = $1', [r.id, r.surname]);
      try {
        const all = await h.api('GET', url, { key: keys.organiser });
        expect(all.status, all.text).toBe(200);
        expect(all.body).toMatchObject({ total: 7, next: null });
        const bytes = (q: any) => Buffer.from(`${q.surname}\u0000${q.givenName}\u0000${q.id}`);
        const sorted = [...all.body.items].sort((a, b) => Buffer.compare(bytes(a), bytes(b)));
        expect(all.body.items.map((q: any) => q.id)).toEqual(sorted.map((q: any) => q.id));
        expect(all.body.items.slice(-3).map((q: any) => q.surname)).toEqual(['De Rossi', 'de Rossi', 'Àlberti']);

        const first = await h.api('GET', `${url}?limit=4`, { key: keys.organiser });
        expect(first.status, first.text).toBe(200);
        expect(first.body).toMatchObject({ total: 7, next: 4 });
        expect(first.body.items).toHaveLength(4);
        const second = await h.api('GET', `${url}?limit=4&offset=${first.body.next}`, { key: keys.cn });
        expect(second.status, second.text).toBe(200);
        expect(second.body).toMatchObject({ total: 7, next: null });
        expect(second.body.items).toHaveLength(3);
        const paged = [...first.body.items, ...second.body.items];
        expect(paged).toEqual(all.body.items); // every questionnaire once, in order, the same rows
        // Past the end: no rows, still the total.
        expect((await h.api('GET', `${url}?offset=7`, { key: keys.organiser })).body).toEqual({ items: [], total: 7, next: null });
        expect((await h.api('GET', `${url}?offset=5000&limit=1000`, { key: keys.cpo })).body).toEqual({ items: [], total: 7, next: null });

        // The OpenAPI document shows the query and the page's shape (read past `h.api`: the document
        // names the pool's `correct`, which R-QST-6's scan of every API response must not find).
        const doc = (await (await fetch(`${h.url}/openapi.json`)).json()) as any;
        const op = doc.paths['/v1/events/{id}/questionnaires'].get;
        expect(op.parameters.filter((p: any) => p.in === 'query').map((p: any) => p.name)).toEqual(['offset', 'limit']);
        expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400']));
        expect(Object.keys(doc.components.schemas.QuestionnaireList.properties)).toEqual(['items', 'total', 'next']);

        for (const q of ['limit=0', 'limit=1001', 'limit=abc', 'limit=2.5', 'offset=-1', 'offset=x']) {
          const bad = await h.api('GET', `${url}?${q}`, { key: keys.organiser });
          expect(bad.status, q).toBe(400);
          expect(bad.headers.get('content-type')).toContain('application/problem+json');
          expect(bad.body.code, q).toBe('invalid-query');
        }

        // The console shows the same pages, with plain links (usable without JavaScript).
        const person = await signedInStaff(h, 'organiser', keys.organiserId, { now });
        const top = await person.client.get(`/console/eventi/${eventId}/questionario`);
        expect(top.status).toBe(200);
        expect(textOf(top.html)).toContain('Questionari 1–7 di 7');
        expect(top.html).not.toContain('Pagina successiva');
        expect(top.html).not.toContain('Pagina precedente');
        const later = await person.client.get(`/console/eventi/${eventId}/questionario?da=4`);
        expect(later.status).toBe(200);
        const text = textOf(later.html);
        expect(text).toContain('Questionari 5–7 di 7');
        expect(later.html).toContain(`href="/console/eventi/${eventId}/questionario#elenco" rel="prev"`);
        expect(later.html).not.toContain('Pagina successiva');
        for (const q of second.body.items) expect(text).toContain(q.codiceFiscale);
        for (const q of first.body.items) expect(text).not.toContain(q.codiceFiscale);
        // The summary counts the whole event, not the page.
        expect(text).toContain('Da compilare: 7');
      } finally {
        for (const r of before.rows) await h.rt.db.query('UPDATE members SET surname = $2 WHERE id = $1', [r.id, r.surname]);
      }
    });

    it('a member fails, retries on 5 unseen questions, passes; the credits turn granted (R-QST-4/5/8)', async () => {
      const m = members[0]!;
      const url = `${h.url}/q/${links.get(m.id)}`;
      const first = await log.page(url);
      expect(first.status).toBe(200);
      expect(first.attempt).toBe(1);
      expect(first.askQuality).toBe(true);
      expect(first.questions).toHaveLength(5);
      // Reloading shows the same draw, options in the same order.
      const reload = await log.page(url);
      expect(reload.questions).toEqual(first.questions);

      // A form with missing answers comes back with the errors, nothing stored.
      const partial = answerForm(first, pool, 5);
      partial.delete('a2');
      partial.delete('q3');
      const refused = await log.post(url, partial);
      expect(refused.status).toBe(422);
      expect(refused.html).toContain('Scelga una risposta per la domanda n. 3.');
      expect(refused.html).toContain('domanda di qualità n. 3');
      expect(refused.questions).toEqual(first.questions);

      const failed = await log.post(url, answerForm(first, pool, 3));
      expect(failed.status).toBe(200);
      expect(failed.html).toContain('Questionario non superato');
      expect(failed.html).toContain('<strong>3</strong> su 5');
      expect(failed.html).toContain('secondo e ultimo tentativo');
      // Posting the same form again shows the same result; the first answers stand.
      const replay = await log.post(url, answerForm(first, pool, 5));
      expect(replay.html).toContain('<strong>3</strong> su 5');

      const retry = await log.post(`${url}/retry`, new URLSearchParams());
      expect(retry.attempt).toBe(2);
      expect(retry.askQuality).toBe(false); // quality answers were given once
      const firstTexts = new Set(first.questions.map((q) => q.text));
      expect(retry.questions).toHaveLength(5);
      for (const q of retry.questions) expect(firstTexts.has(q.text)).toBe(false);

      const passed = await log.post(url, answerForm(retry, pool, 4));
      expect(passed.html).toContain('Questionario superato');
      expect(passed.html).toContain('<strong>4</strong> su 5');
      await eventually(async () => {
        const c = await h.api('GET', `/v1/members/${m.id}/credits`, { key: keys.cn });
        return c.body.credits[0]?.status === 'granted';
      });
      // Back to the first form and post it again: the outcome stands, whatever form is posted.
      const stale = await log.post(url, answerForm(first, pool, 5));
      expect(stale.html).toContain('Questionario già completato');
      expect(stale.html).not.toContain('Non sono previsti altri tentativi');
      // The used link says so plainly.
      const used = await log.page(url);
      expect(used.html).toContain('Questionario già completato');
      expect(used.attempt).toBeNull();

      // The audit shows what was served: the retry drew 5 unseen questions.
      const list = await h.api('GET', `/v1/events/${eventId}/questionnaires`, { key: keys.cpo });
      const qid = list.body.items.find((x: any) => x.memberId === m.id).id;
      const audit = await h.api('GET', `/v1/questionnaires/${qid}`, { key: keys.cpo });
      expect(audit.status, audit.text).toBe(200);
      expect(audit.body).toMatchObject({ status: 'passed', retryDrewUnseen: true, qualityAnswers: { q1: 8, q2: 7, q3: 6, q4: 9, q5: 8 } });
      expect(audit.body.attempts.map((a: any) => [a.number, a.score, a.passed])).toEqual([
        [1, 3, false],
        [2, 4, true],
      ]);
      const poolRead = await h.api('GET', `/v1/events/${eventId}/questionnaire/pool`, { key: keys.cpo });
      const textOf = new Map(poolRead.body.questions.map((q: any) => [q.id, q.text]));
      expect(audit.body.attempts[0].questionIds.map((id: string) => textOf.get(id))).toEqual(first.questions.map((q) => q.text));
      expect(audit.body.attempts[1].questionIds.map((id: string) => textOf.get(id))).toEqual(retry.questions.map((q) => q.text));
    });

    it('two failed attempts: not granted, with the reason (R-QST-8)', async () => {
      const m = members[1]!;
      const url = `${h.url}/q/${links.get(m.id)}`;
      const a1 = await log.page(url);
      await log.post(url, answerForm(a1, pool, 2, { q1: '3', q2: '4', q3: '2', q4: '5', q5: '3' }));
      const a2 = await log.post(`${url}/retry`, new URLSearchParams());
      const last = await log.post(url, answerForm(a2, pool, 3));
      expect(last.html).toContain('Non sono previsti altri tentativi');
      await eventually(async () => {
        const c = await h.api('GET', `/v1/members/${m.id}/credits`, { key: keys.cn });
        return c.body.credits[0]?.status === 'not-granted';
      });
      const outcomes = await h.api('GET', `/v1/events/${eventId}/outcomes?limit=100`, { key: keys.cpo });
      const o = outcomes.body.outcomes.find((x: any) => x.memberId === m.id);
      expect(o.explanation.questionnaire).toEqual({ creditStatus: 'not-granted', code: 'questionnaire-failed', rule: 'R-QST-8' });
      expect((await log.page(url)).html).toContain('Entrambi i tentativi sono stati usati');
      // The attendance file says why the credited attendance gives no credits.
      const res = await fetch(`${h.url}/v1/events/${eventId}/attendance.xlsx?layout=participants`, { headers: { authorization: `Bearer ${keys.organiser}` } });
      expect(res.status).toBe(200);
      const esito = sheetCells(parseWorkbook(Buffer.from(await res.arrayBuffer())), 'Esito');
      const texts = esito.map((row) => row.map((c) => String(c?.v ?? '')).join(' | '));
      expect(texts.find((t) => t.includes(m.codiceFiscale))).toContain('questionario di verifica non superato');
      expect(texts.find((t) => t.includes(members[2]!.codiceFiscale))).toContain('in attesa del questionario');
    });

    it('a member never sees more than their two draws, however often they start or reload (R-QST-6)', async () => {
      const m = members[2]!;
      const url = `${h.url}/q/${links.get(m.id)}`;
      const seen = new Set<string>();
      const note = (p: { questions: Array<{ text: string }> }) => p.questions.forEach((q) => seen.add(q.text));
      // Concurrent first views all get the one draw.
      const firsts = await Promise.all(Array.from({ length: 20 }, () => log.page(url)));
      for (const p of firsts) expect(p.questions).toEqual(firsts[0]!.questions);
      // About 1,000 sequential requests under `npm run bench:soak`, 100 in the suite.
      for (let i = 0; i < soakSize(50, 480); i++) note(await log.page(url));
      expect(seen.size).toBe(5);
      await log.post(url, answerForm(firsts[0]!, pool, 0));
      for (let i = 0; i < soakSize(25, 250); i++) note(await log.post(`${url}/retry`, new URLSearchParams()));
      for (let i = 0; i < soakSize(25, 250); i++) note(await log.page(url));
      expect(seen.size).toBe(10);
      const { rows } = await h.rt.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM questionnaire_attempts a JOIN questionnaires q ON q.id = a.questionnaire_id WHERE q.member_id = $1',
        [m.id],
      );
      expect(rows[0]!.n).toBe(2);
    }, 120_000);

    it('an unanswered questionnaire expires at its deadline by the delayed job: not granted (R-QST-8)', async () => {
      const m = members[3]!;
      const list = await h.api('GET', `/v1/events/${eventId}/questionnaires`, { key: keys.organiser });
      const q = list.body.items.find((x: any) => x.memberId === m.id);
      const job = await h.rt.questionnaire.queue.getJob(`expire-${q.id}`);
      expect(job, 'delayed expiry job').toBeTruthy();
      expect(Math.abs(job!.timestamp + job!.opts.delay! - (Date.parse(q.deadline) + 1))).toBeLessThan(5 * 60_000);
      // Member 6 opens the form before the deadline and posts it after: refused, nothing stored.
      const late = members[6]!;
      const lateUrl = `${h.url}/q/${links.get(late.id)}`;
      const lateForm = await log.page(lateUrl);
      expect(lateForm.attempt).toBe(1);
      offset = Date.parse(q.deadline) + 1000 - Date.now(); // just past the deadline
      const refused = await log.post(lateUrl, answerForm(lateForm, pool, 5));
      expect(refused.status).toBe(410);
      expect(refused.html).toContain('Termine scaduto');
      const stored = await h.rt.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM questionnaire_attempts a JOIN questionnaires q ON q.id = a.questionnaire_id WHERE q.member_id = $1 AND a.submitted_at IS NOT NULL',
        [late.id],
      );
      expect(stored.rows[0]!.n).toBe(0);
      await job!.promote();
      await eventually(async () => {
        const c = await h.api('GET', `/v1/members/${m.id}/credits`, { key: keys.cn });
        return c.body.credits[0]?.status === 'not-granted';
      });
      const page = await log.page(`${h.url}/q/${links.get(m.id)}`);
      expect(page.status).toBe(410);
      expect(page.html).toContain('Termine scaduto');
      const outcomes = await h.api('GET', `/v1/events/${eventId}/outcomes?limit=100`, { key: keys.cpo });
      expect(outcomes.body.outcomes.find((x: any) => x.memberId === m.id).explanation.questionnaire.code).toBe('questionnaire-expired');
    });

    it('a restart expires what is overdue even if Redis lost the delayed jobs', async () => {
      const m = members[4]!;
      for (const w of h.rt.workers) await w.close();
      const queue = h.rt.questionnaire.queue;
      await queue.drain(true); // Redis "lost" every waiting and delayed job
      const restarted = await startRuntime(h.config, {
        gateway: false,
        worker: true,
        db: h.rt.db,
        schema: h.schema ?? undefined,
        now,
        log: createLogger('silent'),
      });
      try {
        await eventually(async () => {
          const c = await h.api('GET', `/v1/members/${m.id}/credits`, { key: keys.cn });
          return c.body.credits[0]?.status === 'not-granted';
        });
      } finally {
        await restarted.close();
      }
    });

    it('rates the event and the organiser from the quality answers (R-QST-9)', async () => {
      const ev = await h.api('GET', `/v1/events/${eventId}/questionnaire/rating`, { key: keys.organiser });
      expect(ev.status, ev.text).toBe(200);
      // Member 0: 8,7,6,9,8 (38); member 1: 3,4,2,5,3 (17); member 2: 8,7,6,9,8 (38) → 93 / 15 = 6.2.
      expect(ev.body.rating).toMatchObject({ responses: 3, average: 6.2, belowThreshold: false });
      expect(ev.body.rating.byQuestion.q3).toBeCloseTo(4.67, 2);
      const org = await h.api('GET', `/v1/organisers/${keys.organiserId}/rating`, { key: keys.cn });
      expect(org.status).toBe(200);
      expect(org.body.rating).toMatchObject({ responses: 3, average: 6.2 });
      expect(org.body.events).toHaveLength(1);
      expect((await h.api('GET', `/v1/organisers/${keys.organiserId}/rating`, { key: keys.cpo })).status).toBe(403);
      // The CN's register of organisers: the same rating, from sums the database adds up.
      const cn = await signedInStaff(h, 'cn', null, { now });
      const list = textOf((await cn.client.get('/console/enti')).html);
      expect(list).toContain('Formazione Lavoro Srl');
      expect(list).toContain('6,2 su 10 (3 questionari)');
      expect(list).not.toContain('sotto la soglia di 6 per il rinnovo');
      const one = textOf((await cn.client.get(`/console/enti/${keys.organiserId}`)).html);
      expect(one).toContain('6,2 su 10 (3 questionari)');
      expect((await cn.client.get(`/console/enti/${crypto.randomUUID()}`)).status).toBe(404);
      const cpo = await signedInStaff(h, 'cpo', 'MI', { now });
      expect((await cpo.client.get('/console/enti')).status).toBe(403);
    });

    it('a member reports an irregularity; the accrediting CPO sees it, another CPO does not (R-QST-10)', async () => {
      const m = members[5]!;
      const url = `${h.url}/q/${links.get(m.id)}`;
      const res = await log.fetch(`${url}/report`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ message: 'La domanda 2 non riguarda gli argomenti trattati <script>alert(1)</script>' }).toString(),
      });
      expect(res.status).toBe(201);
      expect(res.body).toContain('La segnalazione è stata inviata');
      const mine = await h.api('GET', '/v1/questionnaire-reports', { key: keys.cpo });
      expect(mine.body.items).toEqual([expect.objectContaining({ eventId, memberId: m.id, message: expect.stringContaining('La domanda 2') })]);
      const other = await h.api('GET', '/v1/questionnaire-reports', { key: await h.key('cpo', 'RM') });
      expect(other.body.items).toEqual([]);
    });

    it('rejects links that were tampered with or made for another questionnaire', async () => {
      const token = links.get(members[6]!.id)!;
      const [head, payload, sig] = token.split('.');
      const forged = `${head}.${payload}.${sig!.slice(0, -2)}${sig!.endsWith('AA') ? 'BB' : 'AA'}`;
      for (const t of [forged, 'nonsense', `${head}.${Buffer.from(JSON.stringify({ sub: 'x' })).toString('base64url')}.${sig}`]) {
        const p = await log.page(`${h.url}/q/${t}`);
        expect(p.status).toBe(404);
        expect(p.html).toContain('Link non valido');
      }
    });

    it('the 10 days start when the member gets the link: a link never mailed starts its clock when opened (R-QST-2)', async () => {
      const m = members[7]!; // did not qualify: a questionnaire made by hand, as if its mail never left
      const id = crypto.randomUUID();
      await h.rt.db.query('INSERT INTO questionnaires (id, event_id, member_id, created_at_dispatch) VALUES ($1, $2, $3, $4)', [
        id,
        eventId,
        m.id,
        new Date(now() - 30 * DAY).toISOString(),
      ]);
      const sweep = await sweepQuestionnaires({ ...h.rt.deps, producer: h.rt.questionnaire, mail: null, publicUrl: () => h.url } as never);
      expect(sweep.expired).toBe(0); // no deadline yet: nothing to expire, however old the row
      const token = await h.rt.deps.links.sign('questionnaire', id, new Date(now() + 30 * DAY));
      const page = await log.page(`${h.url}/q/${token}`);
      expect(page.status).toBe(200);
      expect(page.attempt).toBe(1);
      const { rows } = await h.rt.db.query<{ sent_at: Date; deadline_at: Date }>('SELECT sent_at, deadline_at FROM questionnaires WHERE id = $1', [id]);
      expect(rows[0]!.sent_at.getTime()).toBeGreaterThan(now() - 60_000);
      expect(rows[0]!.deadline_at.getTime()).toBe(DateTime.fromMillis(now(), { zone: 'Europe/Rome' }).plus({ days: 10 }).endOf('day').toMillis());
    });

    it('no member-facing response carries an answer key or a question outside the draws (R-QST-6)', async () => {
      expect(log.entries.length).toBeGreaterThan(soakSize(150, 1000)); // the R-QST-6 test's requests and the others'
      const served = new Set<string>();
      const { rows } = await h.rt.db.query<{ question_ids: string[] }>('SELECT question_ids FROM questionnaire_attempts');
      for (const r of rows) for (const id of r.question_ids) served.add(id);
      const poolRead = await h.api('GET', `/v1/events/${eventId}/questionnaire/pool`, { key: keys.cn });
      const unserved = poolRead.body.questions.filter((q: any) => !served.has(q.id));
      expect(unserved.length).toBeGreaterThan(0);
      for (const e of log.entries) {
        expect(e.body, e.url).not.toMatch(/correct|corrett|giust[ao]|right/i);
        expect(e.body).not.toMatch(/data-[a-z-]+=/);
        for (const q of unserved) expect(e.body.includes(q.text), `unserved question in ${e.url}`).toBe(false);
        // Option values are the positions shown, nothing else.
        for (const m of e.body.matchAll(/name="a\d" value="([^"]*)"/g)) expect(m[1]).toMatch(/^[0-5]$/);
      }
      // Every API response of this suite: only the pool endpoint (organiser, CPO, CN) carries
      // question texts or the answer key.
      const poolTexts = poolRead.body.questions.flatMap((q: any) => [q.text, ...q.options]);
      const others = h.responses.filter((r) => !r.path.endsWith('/questionnaire/pool'));
      expect(others.length).toBeGreaterThan(30);
      for (const r of others) {
        expect(r.text, `${r.method} ${r.path}`).not.toMatch(/"correct"|correct_option/);
        for (const t of poolTexts) expect(r.text.includes(t), `${r.method} ${r.path} carries pool text`).toBe(false);
      }
    });
  });
}
