/**
 * Issue 6 §2 (enrolment, launch token) and §3 (commit endpoint) through HTTP on a real database:
 * commits produced by scorm-again itself (test/support/scorm-again.ts), posted as its XHR sends
 * them (`application/json;charset=UTF-8`) and as its Finish/Terminate beacon
 * (`text/plain;charset=UTF-8`); every commit stored with its exact bytes, client address and
 * user agent; invalid values stored and flagged; bad tokens, unknown SCOs, oversize bodies refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberLinks } from '../../src/member-links.ts';
import { gatewayApp as scormCommitRoutes, type Deps } from '../../src/runtime.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, pastWebinar, romeAfternoon, type CreatedMember } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { scormFixtureZip } from '../support/scorm.ts';
import { recordCommits, type SentCommit } from '../support/scorm-again.ts';

const UA = 'Mozilla/5.0 (X11; Linux x86_64) scorm-commit-test';

interface CommitRow {
  enrolment_id: string;
  sco_identifier: string;
  session_id: string | null;
  received_at: Date | string;
  client_addr: string | null;
  user_agent: string | null;
  content_type: string | null;
  body: Uint8Array;
  parsed: any;
  valid: boolean;
  errors: any;
}

for (const backend of backendsOf(import.meta.url)) {
  describe(`SCORM enrolment, launch and commits on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let other: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let course2004: string;
    let course12: string;
    let members: CreatedMember[];
    let launch2004: any;
    let launch12: any;

    const rows = async (enrolmentId: string) =>
      (await h.rt.db.query<CommitRow>('SELECT * FROM scorm_commits WHERE enrolment_id = $1 ORDER BY id', [enrolmentId])).rows;
    const post = (url: string, body: string | Uint8Array, contentType: string, headers: Record<string, string> = {}) =>
      fetch(url, { method: 'POST', body: body as BodyInit, headers: { 'content-type': contentType, 'user-agent': UA, ...headers } });
    const send = async (c: SentCommit) => {
      const res = await post(c.url, c.body, c.contentType);
      return { status: res.status, body: (await res.json()) as any };
    };

    async function createCourse(mode: string, fixture: 'scorm12' | 'scorm2004') {
      const res = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(romeAfternoon(2), 2, { mode, title: `Corso ${mode}` }) });
      expect(res.status, res.text).toBe(201);
      const up = await h.api('POST', `/v1/events/${res.body.id}/scorm-package`, {
        key: keys.organiser,
        raw: scormFixtureZip(fixture),
        headers: { 'content-type': 'application/zip' },
      });
      expect(up.status, up.text).toBe(201);
      return res.body.id as string;
    }

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, env: { SCORM_COMMIT_MAX_BYTES: String(64 * 1024) } });
      keys = await createCpoOrganiser(h, 'MI');
      other = await createCpoOrganiser(h, 'BG');
      course2004 = await createCourse('e-learning', 'scorm2004');
      course12 = await createCourse('podcast', 'scorm12');
      members = await createMembers(h, keys.cn, ['MI', 'MI', 'BG'], 900);
    });

    afterAll(async () => {
      await h?.close();
    });

    it('enrols members idempotently; only the organiser of the event; unknown members refused', async () => {
      const ids = members.map((m) => m.id);
      const first = await h.api('POST', `/v1/events/${course2004}/enrolments`, { key: keys.organiser, body: { memberIds: ids.slice(0, 2) } });
      expect(first.status, first.text).toBe(200);
      expect(first.body.enrolments.map((e: any) => [e.memberId, e.created])).toEqual([
        [ids[0], true],
        [ids[1], true],
      ]);
      const again = await h.api('POST', `/v1/events/${course2004}/enrolments`, { key: keys.organiser, body: { memberIds: ids } });
      expect(again.status, again.text).toBe(200);
      expect(again.body.enrolments.map((e: any) => e.created)).toEqual([false, false, true]);
      expect(again.body.enrolments[0].enrolmentId).toBe(first.body.enrolments[0].enrolmentId);

      const twelve = await h.api('POST', `/v1/events/${course12}/enrolments`, { key: keys.organiser, body: { memberIds: [ids[0]] } });
      expect(twelve.status, twelve.text).toBe(200);

      const unknown = await h.api('POST', `/v1/events/${course2004}/enrolments`, {
        key: keys.organiser,
        body: { memberIds: ['00000000-0000-4000-8000-000000000000'] },
      });
      expect([unknown.status, unknown.body.code]).toEqual([422, 'member-not-found']);
      const stranger = await h.api('POST', `/v1/events/${course2004}/enrolments`, { key: other.organiser, body: { memberIds: [ids[0]] } });
      expect([stranger.status, stranger.body.code]).toEqual([404, 'event-not-found']);
      const cpo = await h.api('POST', `/v1/events/${course2004}/enrolments`, { key: keys.cpo, body: { memberIds: [ids[0]] } });
      expect(cpo.status).toBe(403);
      // Once members are enrolled the package they follow is fixed.
      const replace = await h.api('POST', `/v1/events/${course2004}/scorm-package`, {
        key: keys.organiser,
        raw: scormFixtureZip('scorm2004'),
        headers: { 'content-type': 'application/zip' },
      });
      expect([replace.status, replace.body.code]).toEqual([409, 'course-has-enrolments']);
    });

    it('issues a launch token (purpose scorm, subject the enrolment) inside the commit URL', async () => {
      const res = await h.api('POST', `/v1/events/${course2004}/enrolments/${members[0]!.id}/launch`, { key: keys.organiser });
      expect(res.status, res.text).toBe(200);
      launch2004 = res.body;
      expect(launch2004.commitUrl).toBe(`${h.url}/lms/commit/${launch2004.launchToken}`);
      expect(launch2004.version).toBe('2004');
      expect(launch2004.scos.map((s: any) => s.identifier)).toEqual(['LEZIONE-1', 'LEZIONE-2', 'VERIFICA']);
      expect(launch2004.scos[0].commitUrl).toBe(`${launch2004.commitUrl}?sco=LEZIONE-1`);
      const ttl = Date.parse(launch2004.expiresAt) - Date.now();
      expect(ttl).toBeGreaterThan(11.9 * 3600_000);
      expect(ttl).toBeLessThanOrEqual(12 * 3600_000);
      const check = await h.rt.deps.links.verify('scorm', launch2004.launchToken, Date.now());
      expect(check).toMatchObject({ ok: true, subject: launch2004.enrolmentId });
      // Not for another purpose.
      expect(await h.rt.deps.links.verify('questionnaire', launch2004.launchToken, Date.now())).toEqual({ ok: false, reason: 'invalid' });

      const l12 = await h.api('POST', `/v1/events/${course12}/enrolments/${members[0]!.id}/launch`, { key: keys.organiser });
      expect(l12.status, l12.text).toBe(200);
      launch12 = l12.body;
      expect(launch12.version).toBe('1.2');

      const notEnrolled = await h.api('POST', `/v1/events/${course12}/enrolments/${members[1]!.id}/launch`, { key: keys.organiser });
      expect([notEnrolled.status, notEnrolled.body.code]).toEqual([404, 'enrolment-not-found']);
      const stranger = await h.api('POST', `/v1/events/${course2004}/enrolments/${members[0]!.id}/launch`, { key: other.organiser });
      expect(stranger.status).toBe(404);
    });

    it('stores SCORM 2004 commits as scorm-again sends them: XHR JSON and the Terminate beacon', async () => {
      const url = `${launch2004.scos[0].commitUrl}&session=s-2004-1`;
      const sent = await recordCommits('2004', url, (api) => {
        api.init();
        api.set('cmi.completion_status', 'incomplete');
        api.set('cmi.location', 'pagina-2');
        api.set('cmi.session_time', 'PT1H2M3.5S');
        api.set('cmi.score.scaled', '0.85');
        api.commit();
        api.set('cmi.completion_status', 'completed');
        api.set('cmi.exit', 'suspend');
        api.finish();
      });
      expect(sent.map((s) => [s.kind, s.contentType])).toEqual([
        ['xhr', 'application/json;charset=UTF-8'],
        ['beacon', 'text/plain;charset=UTF-8'],
      ]);
      for (const c of sent) expect(await send(c)).toMatchObject({ status: 200, body: { result: true, errorCode: 0, valid: true } });

      const stored = await rows(launch2004.enrolmentId);
      expect(stored).toHaveLength(2);
      for (const [i, r] of stored.entries()) {
        expect(Buffer.from(r.body).toString('utf8')).toBe(sent[i]!.body);
        expect(r.content_type).toBe(sent[i]!.contentType);
        expect(r).toMatchObject({ sco_identifier: 'LEZIONE-1', session_id: 's-2004-1', user_agent: UA, valid: true, errors: [] });
        expect(r.client_addr).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
        expect(Math.abs(Date.parse(String(new Date(r.received_at).toISOString())) - Date.now())).toBeLessThan(60_000);
      }
      expect(stored[1]!.parsed.cmi).toMatchObject({ completion_status: 'completed', session_time: 'PT1H2M3.5S', total_time: 'PT1H2M3.5S' });

      // A replay is stored again, as received (evidence); derivation will not count it twice.
      expect(await send(sent[0]!)).toMatchObject({ status: 200, body: { result: true } });
      expect(await rows(launch2004.enrolmentId)).toHaveLength(3);
    });

    it('stores SCORM 1.2 commits (lesson_status, session_time HHHH:MM:SS.SS, raw score)', async () => {
      const sco = launch12.scos[2];
      const sent = await recordCommits('1.2', sco.commitUrl, (api) => {
        api.init();
        api.set('cmi.core.lesson_status', 'incomplete');
        api.set('cmi.core.session_time', '00:10:30.5');
        api.set('cmi.core.score.raw', '85');
        api.commit();
        api.set('cmi.core.lesson_status', 'passed');
        api.finish();
      });
      expect(sent.map((s) => s.kind)).toEqual(['xhr', 'beacon']);
      for (const c of sent) expect(await send(c)).toMatchObject({ status: 200, body: { result: true, errorCode: 0, valid: true } });
      const stored = await rows(launch12.enrolmentId);
      expect(stored.map((r) => [r.sco_identifier, r.session_id, r.valid, r.parsed.cmi.core.lesson_status])).toEqual([
        [sco.identifier, null, true, 'incomplete'],
        [sco.identifier, null, true, 'passed'],
      ]);
      expect(Buffer.from(stored[1]!.body).toString('utf8')).toBe(sent[1]!.body);
    });

    it('stores an invalid commit as received and flags it, still answering result true', async () => {
      const [c] = await recordCommits('1.2', launch12.scos[0].commitUrl, (api) => {
        api.init();
        api.set('cmi.core.lesson_status', 'completed');
        api.set('cmi.core.session_time', '00:05:00');
        api.commit();
      });
      // A client that is not scorm-again (or a tampered one) sends values scorm-again would refuse.
      const tampered = c!.body
        .replace('"lesson_status":"completed"', '"lesson_status":"finished"')
        .replace('"session_time":"00:05:00"', '"session_time":"3 ore"');
      expect(tampered).not.toBe(c!.body);
      const res = await send({ ...c!, body: tampered });
      expect(res).toMatchObject({ status: 200, body: { result: true, errorCode: 0, valid: false } });
      expect(res.body.errors.map((e: any) => e.path).sort()).toEqual(['cmi.core.lesson_status', 'cmi.core.session_time']);
      const last = (await rows(launch12.enrolmentId)).at(-1)!;
      expect(Buffer.from(last.body).toString('utf8')).toBe(tampered);
      expect(last.valid).toBe(false);
      expect(last.errors.map((e: any) => e.path).sort()).toEqual(['cmi.core.lesson_status', 'cmi.core.session_time']);

      // Not JSON at all: kept as bytes, parsed null, flagged.
      const junk = new Uint8Array([0xff, 0x00, 0x7b, 0x22]);
      const r2 = await post(launch12.scos[0].commitUrl, junk, 'text/plain;charset=UTF-8');
      expect(r2.status).toBe(200);
      const junkRow = (await rows(launch12.enrolmentId)).at(-1)!;
      expect(Buffer.from(junkRow.body).equals(Buffer.from(junk))).toBe(true);
      expect([junkRow.parsed, junkRow.valid]).toEqual([null, false]);

      // JSON the store cannot index (U+0000, a lone surrogate): still kept byte for byte.
      for (const odd of ['{"cmi":{"suspend_data":"a\\u0000b"}}', '{"cmi":{"suspend_data":"a\\udc00b"}}']) {
        const r3 = await post(launch12.scos[0].commitUrl, odd, 'application/json');
        expect(r3.status).toBe(200);
        const row = (await rows(launch12.enrolmentId)).at(-1)!;
        expect([Buffer.from(row.body).toString('utf8'), row.parsed, row.valid]).toEqual([odd, null, false]);
      }
    });

    it('refuses bad or expired tokens, unknown SCOs, other content types and oversize bodies, storing nothing', async () => {
      const count = async () => (await h.rt.db.query<{ n: number }>('SELECT count(*)::int AS n FROM scorm_commits')).rows[0]!.n;
      const before = await count();
      const body = JSON.stringify({ cmi: { completion_status: 'completed' } });
      const tampered = launch2004.launchToken.slice(0, -3) + (launch2004.launchToken.endsWith('AAA') ? 'BBB' : 'AAA');
      const expired = await h.rt.deps.links.sign('scorm', launch2004.enrolmentId, new Date(Date.now() - 60_000));
      const otherPurpose = await h.rt.deps.links.sign('questionnaire', launch2004.enrolmentId, new Date(Date.now() + 60_000));
      const cases: Array<[string, string, string, number, string]> = [
        [`${h.url}/lms/commit/${tampered}?sco=LEZIONE-1`, body, 'application/json', 401, 'invalid-token'],
        [`${h.url}/lms/commit/${otherPurpose}?sco=LEZIONE-1`, body, 'application/json', 401, 'invalid-token'],
        [`${h.url}/lms/commit/${expired}?sco=LEZIONE-1`, body, 'text/plain;charset=UTF-8', 401, 'launch-expired'],
        [`${launch2004.commitUrl}?sco=NON-ESISTE`, body, 'application/json', 404, 'unknown-sco'],
        [`${launch2004.commitUrl}`, body, 'application/json', 400, 'unknown-sco'],
        [`${launch2004.commitUrl}?sco=LEZIONE-1&session=${'x'.repeat(65)}`, body, 'application/json', 400, 'invalid-session'],
        [`${launch2004.commitUrl}?sco=LEZIONE-1`, 'cmi.completion_status=completed', 'application/x-www-form-urlencoded', 415, 'unsupported-media-type'],
        [
          `${launch2004.commitUrl}?sco=LEZIONE-1`,
          JSON.stringify({ cmi: { suspend_data: 'x'.repeat(65 * 1024) } }),
          'text/plain;charset=UTF-8',
          413,
          'body-too-large',
        ],
      ];
      for (const [url, b, type, status, code] of cases) {
        const res = await post(url, b, type);
        expect([res.status, await res.json()], url).toEqual([status, expect.objectContaining({ result: false, errorCode: 101, code })]);
      }
      // Oversize without a declared length (chunked): refused while it streams.
      const chunks = new ReadableStream<Uint8Array>({
        start(ctrl) {
          for (let i = 0; i < 80; i++) ctrl.enqueue(new Uint8Array(1024).fill(0x20));
          ctrl.close();
        },
      });
      const chunked = await fetch(`${launch2004.commitUrl}?sco=LEZIONE-1`, {
        method: 'POST',
        body: chunks,
        duplex: 'half',
        headers: { 'content-type': 'application/json' },
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(await count()).toBe(before);
    });

    it("answers CORS preflights for providers' own player pages", async () => {
      const res = await fetch(`${launch2004.commitUrl}?sco=LEZIONE-1`, {
        method: 'OPTIONS',
        headers: { origin: 'https://corsi.example.it', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(res.status).toBeLessThan(300);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    });
  });
}

describe('SCORM commit endpoint with the database down', () => {
  it('answers 503 with result false and Retry-After', async () => {
    const links = memberLinks('x'.repeat(40));
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const deps = {
      db: { query: async () => Promise.reject(down) },
      config: loadConfig({}),
      log: createLogger('silent'),
      now: () => Date.now(),
      links,
    } as unknown as Deps;
    const app = scormCommitRoutes(deps);
    const token = await links.sign('scorm', '00000000-0000-4000-8000-000000000001', new Date(Date.now() + 60_000));
    const res = await app.request(`/lms/commit/${token}?sco=A`, {
      method: 'POST',
      body: '{"cmi":{}}',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toMatchObject({ result: false, errorCode: 101, code: 'service-unavailable' });
  });
});
