/**
 * Issue 16, cmi5 end to end through HTTP with the worker on real Redis and a real database, the
 * product clock in the test's hands: a cmi5 package uploaded (cmi5.xml at its root), members
 * enrolled, AUs launched per cmi5 §8 on the content origin (launch URL parameters, the one-time
 * fetch URL, LMS.LaunchData), the specification's sample statements sent to the LRS with the
 * launch's identifiers (and the learner's durations), the "LMS must reject" rules answered 403
 * with their codes, every statement kept; then the outcome derived (moveOn, time against the
 * server clock, R-ELN-2..4) with the LMS's satisfied statements; and a registration whose moveOn
 * is not met.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { asLaunched, CMI5_AUS, cmi5FixtureZip, specSample, type LaunchIds } from '../support/cmi5.ts';
import { createCpoOrganiser, createMembers, type CreatedMember } from '../support/fixtures.ts';
import { eventually, startHarness, type Harness } from '../support/harness.ts';
import { createLogger } from '../../src/log.ts';
import { sweepScormDerivations } from '../../src/services/elearning/derive.ts';
import { elearningEvent, fixtureDeclaration } from '../support/scorm.ts';

const MIN = 60_000;
const S10 = '10-completed_and_passed-masteryScore';
const S11 = '11-completed_and_passed-masteryScore-failed_first';
const S12 = '12-allowed_statement';
const XAPI = { 'x-experience-api-version': '1.0.3' };
/** 30 nominal minutes: every AU declared (R-ELN-5), the test last. */
const DECLARATION = fixtureDeclaration('scorm12', {
  nominalMinutes: 30,
  modules: [
    { sco: CMI5_AUS.lesson, minutes: 15 },
    { sco: CMI5_AUS.test, minutes: 10 },
    { sco: CMI5_AUS.reading, minutes: 5 },
  ],
});

for (const backend of backendsOf(import.meta.url)) {
  describe(`cmi5 on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let members: CreatedMember[];
    let clock = Date.parse('2026-04-06T08:00:00Z');
    const tick = (ms: number) => (clock += ms);

    async function course(title: string) {
      const res = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(clock, title) });
      expect(res.status, res.text).toBe(201);
      const id = res.body.id as string;
      const up = await h.api('POST', `/v1/events/${id}/scorm-package`, {
        key: keys.organiser,
        raw: cmi5FixtureZip(),
        headers: { 'content-type': 'application/zip' },
      });
      expect(up.status, up.text).toBe(201);
      expect(up.body.version).toBe('cmi5');
      const decl = await h.api('PUT', `/v1/events/${id}/elearning`, { key: keys.organiser, body: DECLARATION });
      expect(decl.status, decl.text).toBe(200);
      return id;
    }

    async function enrol(eventId: string, member: CreatedMember) {
      expect((await h.api('POST', `/v1/events/${eventId}/enrolments`, { key: keys.organiser, body: { memberIds: [member.id] } })).status).toBe(200);
      const l = await h.api('POST', `/v1/events/${eventId}/enrolments/${member.id}/launch`, { key: keys.organiser });
      expect(l.status, l.text).toBe(200);
      return l.body as { launchUrl: string; cmi5LaunchUrl: string; enrolmentId: string; version: string };
    }

    /** An AU launched: what the LMS answered, the §8.1 parameters of its URL, and the auth token fetched once. */
    async function launch(cmi5LaunchUrl: string, au: string) {
      const res = await fetch(`${cmi5LaunchUrl}?au=${encodeURIComponent(au)}`, { method: 'POST' });
      const body = (await res.json()) as any;
      expect(res.status, JSON.stringify(body)).toBe(201);
      const url = new URL(body.url);
      const q = Object.fromEntries(url.searchParams);
      const tok = await fetch(q.fetch!, { method: 'POST' });
      expect(tok.status).toBe(200);
      const token = ((await tok.json()) as any)['auth-token'] as string;
      const ids: LaunchIds = {
        actor: JSON.parse(q.actor!),
        activityId: q.activityId!,
        registration: q.registration!,
        sessionId: body.session,
        publisherId: au,
      };
      return { body, url, q, token, ids };
    }

    const lrs = (l: { q: Record<string, string>; token: string }, path: string, init: RequestInit = {}) =>
      fetch(`${l.q.endpoint}${path}`, {
        ...init,
        headers: { authorization: `Basic ${l.token}`, ...XAPI, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) },
      });
    const send = async (l: Parameters<typeof lrs>[0], statement: unknown) => {
      const res = await lrs(l, 'statements', { method: 'POST', body: JSON.stringify(statement) });
      return { status: res.status, body: (await res.json()) as any };
    };
    /** A sample statement as the AU of `l` sends it now, with the learner's `duration` when given. */
    const sample = (l: { ids: LaunchIds }, scenario: string, file: string, duration?: string) => {
      const st = asLaunched(specSample(scenario, file), l.ids, new Date(clock));
      if (duration) st.result.duration = duration;
      return st;
    };

    async function progress(eventId: string, member: CreatedMember, until: (o: any) => boolean) {
      let last: any;
      await eventually(async () => {
        const res = await h.api('GET', `/v1/events/${eventId}/enrolments/${member.id}`, { key: keys.organiser });
        last = res.body.outcome;
        return !!last && until(last);
      }, 20_000);
      return last;
    }

    const lmsStatements = async (enrolmentId: string, verb: string) =>
      (
        await h.rt.db.query<{ statement: any }>(`SELECT statement FROM cmi5_statements WHERE enrolment_id = $1 AND origin = 'lms' AND verb = $2 ORDER BY id`, [
          enrolmentId,
          verb,
        ])
      ).rows.map((r) => r.statement);

    /** A new course with `m` enrolled, its lesson launched and, a minute later, initialized. */
    const initializedLesson = async (title: string, m: CreatedMember) => {
      const eventId = await course(title);
      const e = await enrol(eventId, m);
      const a = await launch(e.cmi5LaunchUrl, CMI5_AUS.lesson);
      tick(MIN);
      expect((await send(a, sample(a, S10, '03-initialized_statement'))).status).toBe(200);
      return { eventId, e, a };
    };

    /** The enrolments the SCORM worker's sweep (commits and statements from `since`) asks to derive, at the test's clock. */
    const sweptIds = async (since: Date) => {
      const ids: string[] = [];
      await sweepScormDerivations(
        { db: h.rt.db, log: createLogger('silent'), now: () => clock },
        { requestDerivation: async (id: string) => void ids.push(id), schedulePending: async () => {} },
        since,
      );
      return ids;
    };

    beforeAll(async () => {
      h = await startHarness(backend, { now: () => clock, env: { SCORM_DERIVE_DELAY_MS: '20' } });
      keys = await createCpoOrganiser(h, 'MI');
      members = await createMembers(h, keys.cn, ['MI', 'MI', 'MI'], 1660);
    });
    afterAll(async () => h?.close());

    it('refuses a package whose AU is outside it (decision: AUs run on the content origin)', async () => {
      const res = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(clock, 'Corso cmi5 esterno') });
      const zip = cmi5FixtureZip((f) =>
        f.set('cmi5.xml', Buffer.from(f.get('cmi5.xml')!.toString().replace('au/letture.html', 'https://altrove.example.com/letture.html'))),
      );
      const up = await h.api('POST', `/v1/events/${res.body.id}/scorm-package`, {
        key: keys.organiser,
        raw: zip,
        headers: { 'content-type': 'application/zip' },
      });
      expect(up.status).toBe(422);
      expect(up.body.code).toBe('cmi5-external-au');
    });

    it('launch per §8, the statements of the specification, the rejections, and the outcome credited with satisfied statements', async () => {
      const eventId = await course('Corso cmi5 completo');
      const compliance = await h.api('GET', `/v1/events/${eventId}/elearning/compliance`, { key: keys.organiser });
      expect(compliance.body.checks.find((c: any) => c.id === 'scorm-package')).toMatchObject({
        status: 'verified',
        reason: expect.stringContaining('cmi5 course structure read: 3 AU(s)'),
      });
      const m = members[0]!;
      const e = await enrol(eventId, m);
      expect(e.version).toBe('cmi5');
      // The SCORM launch does not take a cmi5 course.
      expect((await fetch(`${e.launchUrl}?sco=${encodeURIComponent(CMI5_AUS.lesson)}`, { method: 'POST' })).status).toBe(404);

      const a = await launch(e.cmi5LaunchUrl, CMI5_AUS.lesson);
      // §8.1: the AU's url (with its own query) on the content origin, then the five parameters.
      expect(a.url.origin).toBe(h.rt.contentUrl);
      expect(a.url.pathname.endsWith('/au/lezione.html')).toBe(true);
      expect(a.q).toMatchObject({ lang: 'it', endpoint: `${h.rt.contentUrl}/cmi5/lrs/`, registration: e.enrolmentId });
      expect(a.ids.actor).toEqual({ objectType: 'Agent', account: { homePage: new URL(h.url).origin, name: m.id } });
      expect(a.q.activityId).not.toBe(CMI5_AUS.lesson);
      expect((await fetch(a.url)).status).toBe(200);
      // §8.2.3.1: the fetch URL answers the token once.
      const again = await fetch(a.q.fetch!, { method: 'POST' });
      expect(again.status).toBe(200);
      expect(await again.json()).toEqual({ 'error-code': '1', 'error-text': 'The authorization token has already been returned.' });

      // §10: LMS.LaunchData, written before the launch, read-only to the AU.
      const stateQ = `activities/state?stateId=LMS.LaunchData&activityId=${encodeURIComponent(a.q.activityId!)}&agent=${encodeURIComponent(a.q.actor!)}&registration=${a.q.registration}`;
      const ld = await lrs(a, stateQ);
      expect(ld.status).toBe(200);
      expect(ld.headers.get('x-experience-api-version')).toBe('1.0.3');
      expect(await ld.json()).toEqual({
        contextTemplate: {
          contextActivities: { grouping: [{ objectType: 'Activity', id: CMI5_AUS.lesson }] },
          extensions: { 'https://w3id.org/xapi/cmi5/context/extensions/sessionid': a.body.session },
        },
        launchMode: 'Normal',
        moveOn: 'Completed',
        launchParameters: 'Start=1,QuizMode=0',
      });
      expect((await lrs(a, stateQ, { method: 'PUT', body: '{}' })).status).toBe(403);
      // The AU's own state is kept.
      const own = stateQ.replace('LMS.LaunchData', 'bookmark');
      expect((await lrs(a, own, { method: 'PUT', body: '{"page":3}' })).status).toBe(204);
      expect(await (await lrs(a, own)).json()).toEqual({ page: 3 });
      // §9.3.1: the LMS recorded launched with the launch extensions.
      const [launched] = await lmsStatements(e.enrolmentId, 'http://adlnet.gov/expapi/verbs/launched');
      expect(launched.context.extensions).toMatchObject({
        'https://w3id.org/xapi/cmi5/context/extensions/launchmode': 'Normal',
        'https://w3id.org/xapi/cmi5/context/extensions/moveon': 'Completed',
      });
      expect(launched.object.id).toBe(a.q.activityId);

      // No token, no version header, another session's statement.
      const init = sample(a, S10, '03-initialized_statement');
      expect(
        (await fetch(`${a.q.endpoint}statements`, { method: 'POST', headers: { 'content-type': 'application/json', ...XAPI }, body: JSON.stringify(init) }))
          .status,
      ).toBe(401);
      expect((await lrs(a, 'statements', { method: 'POST', body: JSON.stringify(init), headers: { 'x-experience-api-version': '' } })).status).toBe(400);
      // §9.3.2: initialized first.
      expect(await send(a, sample(a, S12, '04-allowed_statement'))).toMatchObject({ status: 403, body: { code: 'cmi5-not-initialized', section: '9.3.2' } });

      tick(MIN);
      expect(await send(a, init)).toMatchObject({ status: 200, body: [init.id] });
      tick(5 * MIN);
      expect((await send(a, sample(a, S12, '04-allowed_statement'))).status).toBe(200);
      tick(6 * MIN);
      const completed = sample(a, S10, '04-completed_statement', 'PT11M');
      expect((await send(a, completed)).status).toBe(200);
      // xAPI: the same statement again changes nothing; §9.3: a second completed is rejected.
      expect((await send(a, completed)).status).toBe(200);
      expect(await send(a, sample(a, S10, '04-completed_statement', 'PT11M'))).toMatchObject({ status: 403, body: { code: 'cmi5-duplicate-verb' } });
      const got = await lrs(a, `statements?statementId=${completed.id}`);
      expect(await got.json()).toEqual(completed);
      tick(MIN);
      expect((await send(a, sample(a, S10, '07-terminated_statement', 'PT12M'))).status).toBe(200);
      // §9.3.8: nothing after terminated.
      expect(await send(a, sample(a, S12, '04-allowed_statement'))).toMatchObject({ status: 403, body: { code: 'cmi5-after-terminated' } });

      // The final test: CompletedAndPassed, masteryScore 0.8.
      tick(MIN);
      const t = await launch(e.cmi5LaunchUrl, CMI5_AUS.test);
      expect(
        await (
          await lrs(t, `activities/state?stateId=LMS.LaunchData&activityId=${encodeURIComponent(t.q.activityId!)}&agent=${encodeURIComponent(t.q.actor!)}`)
        ).json(),
      ).toMatchObject({
        moveOn: 'CompletedAndPassed',
        masteryScore: 0.8,
      });
      // The lesson's token opens nothing of the test's session, nor the test's state (R-CMI-2).
      expect(
        (await lrs(a, `activities/state?stateId=LMS.LaunchData&activityId=${encodeURIComponent(t.q.activityId!)}&agent=${encodeURIComponent(t.q.actor!)}`))
          .status,
      ).toBe(403);
      // The content capability opens nothing on the gateway, nor SCORM's content routes (R-ISO-2).
      const cap = new URL(t.body.url).pathname.split('/')[2]!;
      expect((await fetch(`${h.url}/lms/cmi5/launch/${cap}?au=${encodeURIComponent(CMI5_AUS.test)}`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${h.url}/lms/play/${cap}`)).status).toBe(404);
      expect((await fetch(`${h.rt.contentUrl}/c/${cap}/au/verifica.html`)).status).toBe(404);
      expect((await fetch(`${h.rt.contentUrl}/run/${cap}`)).status).toBe(404);
      // The launch token opens no AU file on the content origin.
      expect((await fetch(`${h.rt.contentUrl}/x/${e.cmi5LaunchUrl.split('/').at(-1)}/au/verifica.html`)).status).toBe(404);
      expect((await send(a, sample(t, S10, '03-initialized_statement'))).status).toBe(403);
      tick(MIN);
      expect((await send(t, sample(t, S10, '03-initialized_statement'))).status).toBe(200);
      tick(5 * MIN);
      // §9.3.5: the sample's failed (0.82) is at or above this course's 0.8; §9.3.4: a pass below it.
      expect(await send(t, sample(t, S11, '04-failed_statement', 'PT5M'))).toMatchObject({
        status: 403,
        body: { code: 'cmi5-mastery-score', section: '9.3.5' },
      });
      const low = sample(t, S10, '05-passed_statement', 'PT5M');
      low.result.score = { scaled: 0.75, raw: 75, min: 0, max: 100 };
      expect(await send(t, low)).toMatchObject({ status: 403, body: { code: 'cmi5-mastery-score', section: '9.3.4' } });
      tick(14 * MIN);
      // A batch: passed and completed together, as the specification's scenario 10 sends them.
      const batch = [sample(t, S10, '05-passed_statement', 'PT19M'), sample(t, S10, '04-completed_statement', 'PT19M')];
      // Every moveOn met and the time reached (12 + 19 minutes) with this batch.
      const completedAt = clock;
      const sent = await lrs(t, 'statements', { method: 'POST', body: JSON.stringify(batch) });
      expect(sent.status).toBe(200);
      expect(await sent.json()).toEqual(batch.map((b) => b.id));
      tick(MIN);
      expect((await send(t, sample(t, S10, '07-terminated_statement', 'PT20M'))).status).toBe(200);

      // 12 + 20 minutes reported, as the server observed them ≥ 30 − tolerance (R-ELN-3); every moveOn met, the test passed (R-ELN-2).
      const done = await progress(eventId, m, (o) => o.status === 'credited' && o.creditedSeconds === 32 * 60);
      expect(done).toMatchObject({ status: 'credited', reason: 'credited', credits: 2, creditedSeconds: 32 * 60 });
      expect(done.completedAt).toBe(new Date(completedAt).toISOString());
      expect(done.explanation.finalTest).toBe(CMI5_AUS.test);
      expect(done.explanation.scos.map((s: any) => [s.identifier, s.completed])).toEqual([
        [CMI5_AUS.lesson, true],
        [CMI5_AUS.test, true],
        [CMI5_AUS.reading, true],
      ]);
      // §9.3.9: satisfied for the block and the course, once, in the session that satisfied them.
      const satisfied = await lmsStatements(e.enrolmentId, 'https://w3id.org/xapi/adl/verbs/satisfied');
      expect(satisfied.map((s) => s.object.definition.type)).toEqual([
        'https://w3id.org/xapi/cmi5/activitytype/block',
        'https://w3id.org/xapi/cmi5/activitytype/course',
      ]);
      expect(satisfied[1].context.extensions['https://w3id.org/xapi/cmi5/context/extensions/sessionid']).toBe(t.body.session);
      expect(satisfied[1].context.contextActivities.grouping[0].id).toBe('https://corsi.example.it/identifiers/courses/deontologia-2026');

      // R-ELN-1: every statement received is kept, rejected ones with their code.
      const rows = await h.rt.db.query<{ accepted: boolean; code: string | null }>(
        `SELECT accepted, rejection->>'code' AS code FROM cmi5_statements WHERE enrolment_id = $1 AND origin = 'au' ORDER BY id`,
        [e.enrolmentId],
      );
      expect(rows.rows.filter((r) => r.accepted)).toHaveLength(8);
      expect(rows.rows.filter((r) => !r.accepted).map((r) => r.code)).toEqual([
        'cmi5-not-initialized',
        'xapi-replay',
        'cmi5-duplicate-verb',
        'cmi5-after-terminated',
        'cmi5-session-id',
        'cmi5-mastery-score',
        'cmi5-mastery-score',
      ]);
      // A body the store could not index (U+0000), or an id that only looks like a UUID: refused
      // with their codes, never a store error.
      const nul = await lrs(a, 'statements', { method: 'POST', body: JSON.stringify({ ...init, id: crypto.randomUUID(), extra: '\u0000' }) });
      expect(nul.status).toBe(400);
      expect((await nul.json()).code).toBe('malformed-json');
      const loose = await lrs(a, 'statements', { method: 'POST', body: JSON.stringify({ ...init, id: '-'.repeat(36) }) });
      expect(loose.status).toBe(403);
      expect((await loose.json()).code).toBe('cmi5-statement-id');
      const credits = await h.rt.db.query('SELECT credits FROM credit_records WHERE event_id = $1 AND member_id = $2', [eventId, m.id]);
      expect(credits.rows).toEqual([{ credits: 2 }]);

      // The sweep finds a registration whose statements are newer than its outcome (a lost derivation request), and only then.
      const swept = () => sweptIds(new Date(0));
      expect(await swept()).not.toContain(e.enrolmentId);
      await h.rt.db.query(`UPDATE elearning_outcomes SET derived_at = '2000-01-01T00:00:00Z' WHERE enrolment_id = $1`, [e.enrolmentId]);
      expect(await swept()).toContain(e.enrolmentId);
    });

    it('moveOn not met (the test passed, never completed): not credited, no satisfied statement; a second launch abandons the first', async () => {
      const m = members[1]!;
      const { eventId, e, a } = await initializedLesson('Corso cmi5 incompleto', m);
      tick(14 * MIN);
      expect((await send(a, sample(a, S10, '04-completed_statement', 'PT14M'))).status).toBe(200);
      tick(MIN);
      expect((await send(a, sample(a, S10, '07-terminated_statement', 'PT15M'))).status).toBe(200);

      tick(MIN);
      const first = await launch(e.cmi5LaunchUrl, CMI5_AUS.test);
      tick(MIN);
      expect((await send(first, sample(first, S10, '03-initialized_statement'))).status).toBe(200);
      tick(3 * MIN);
      // The learner closes the window; a new launch abandons the open session (§9.3.6).
      const t = await launch(e.cmi5LaunchUrl, CMI5_AUS.test);
      expect(t.body.abandoned).toEqual([first.body.session]);
      const [abandoned] = await lmsStatements(e.enrolmentId, 'https://w3id.org/xapi/adl/verbs/abandoned');
      expect(abandoned.result.duration).toBe('PT60S');
      expect(await send(first, sample(first, S10, '07-terminated_statement', 'PT4M'))).toMatchObject({ status: 403, body: { code: 'cmi5-session-abandoned' } });

      tick(MIN);
      expect((await send(t, sample(t, S10, '03-initialized_statement'))).status).toBe(200);
      tick(15 * MIN);
      expect((await send(t, sample(t, S10, '05-passed_statement', 'PT15M'))).status).toBe(200);
      tick(MIN);
      expect((await send(t, sample(t, S10, '07-terminated_statement', 'PT16M'))).status).toBe(200);

      const o = await progress(eventId, m, (x) => x.creditedSeconds >= 31 * 60);
      expect(o).toMatchObject({ status: 'in-progress', reason: 'sco-not-completed', credits: 0 });
      expect(o.explanation.scos.find((s: any) => s.identifier === CMI5_AUS.test)).toMatchObject({ completed: false, passed: true });
      // The block and course are not satisfied.
      expect(await lmsStatements(e.enrolmentId, 'https://w3id.org/xapi/adl/verbs/satisfied')).toEqual([]);
    });

    it('a session left open when its launch expires is abandoned by the sweep (§9.3.6), once, and its registration derived', async () => {
      const m = members[2]!;
      const { e, a } = await initializedLesson('Corso cmi5 abbandonato', m);
      tick(2 * MIN);
      const progressed = sample(a, S10, '04-completed_statement', 'PT2M');
      expect((await send(a, progressed)).status).toBe(200);
      // The learner closes the window and never comes back: nothing terminates the session.
      const sweep = () => sweptIds(new Date(clock));
      const session = async () =>
        (
          await h.rt.db.query<{ expires_at: Date; abandoned_at: Date | null }>('SELECT expires_at, abandoned_at FROM cmi5_sessions WHERE session_id = $1', [
            a.body.session,
          ])
        ).rows[0]!;
      // Before its launch expires it may still send statements: left open (and, once its statements
      // are derived, nothing to ask for).
      await eventually(async () => !(await sweep()).includes(e.enrolmentId), 20_000);
      expect((await session()).abandoned_at).toBeNull();
      expect(await lmsStatements(e.enrolmentId, 'https://w3id.org/xapi/adl/verbs/abandoned')).toEqual([]);
      const saved = clock;
      try {
        clock = new Date((await session()).expires_at).getTime() + MIN;
        expect(await sweep()).toContain(e.enrolmentId);
        expect(new Date((await session()).abandoned_at!).getTime()).toBe(clock);
        const abandoned = await lmsStatements(e.enrolmentId, 'https://w3id.org/xapi/adl/verbs/abandoned');
        // From the launch to its last statement: 3 minutes.
        expect(abandoned).toHaveLength(1);
        expect(abandoned[0]).toMatchObject({ result: { duration: 'PT180S' }, context: { registration: e.enrolmentId } });
        expect(abandoned[0].context.extensions['https://w3id.org/xapi/cmi5/context/extensions/sessionid']).toBe(a.body.session);
        // Once: a second sweep finds nothing more to abandon.
        expect(await sweep()).not.toContain(e.enrolmentId);
        expect(await lmsStatements(e.enrolmentId, 'https://w3id.org/xapi/adl/verbs/abandoned')).toHaveLength(1);
      } finally {
        clock = saved;
      }
    });
  });
}
