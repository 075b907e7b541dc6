/**
 * Issue 14 §2: who may call each /v1 route, as one table (README's "API at a glance"). Every key
 * role is sent to every route: a role the table does not admit gets 403 `forbidden` before
 * anything is read, an admitted one never 401/403 (its answer may be 400, 404, 409, 422: the
 * requests are deliberately thin). The table must name every key-authenticated route of the
 * OpenAPI document, so a new route cannot skip it.
 *
 * Where the code admits more than the README's table, and the product's flows need it, the row
 * says so (see the notes).
 */
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/domain/roles.ts';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, pastWebinar, romeAfternoon } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';

const ANY: readonly Role[] = ROLES;
const COUNCILS: readonly Role[] = ['cpo', 'cn', 'admin'];
const DECIDERS: readonly Role[] = ['cpo', 'cn'];
const EVENT_READERS: readonly Role[] = ['organiser', 'cpo', 'cn', 'admin'];
const ATTENDANCE: readonly Role[] = ['organiser', 'cpo', 'cn'];

type Row = readonly [method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, allowed: readonly Role[], note?: string];

/** `{event}` an event of the organiser, `{organiser}` its id, `{member}` a member of MI, `{uuid}` an unknown id. */
const TABLE: readonly Row[] = [
  ['GET', '/v1/keys', ['admin', 'cn', 'organiser']],
  ['POST', '/v1/keys', ['admin', 'cn', 'organiser']],
  ['DELETE', '/v1/keys/{uuid}', ['admin', 'cn', 'organiser']],
  ['POST', '/v1/organisers', ['cn', 'admin']],
  // README: cn, admin. Kept: a provider's keys read their own organiser (its kind, modes, authorisation), others' answer 404.
  ['GET', '/v1/organisers/{organiser}', ANY, 'README lists cn, admin'],
  ['POST', '/v1/organisers/{organiser}/connections', ['organiser']],
  ['POST', '/v1/members', COUNCILS],
  ['POST', '/v1/members/import', COUNCILS],
  ['GET', '/v1/members?codiceFiscale=RSSMRA85T10A562S', COUNCILS],
  ['GET', '/v1/members/{member}', COUNCILS],
  ['POST', '/v1/events', ['organiser']],
  // README: organiser. Kept: the CPO finds the events it accredits (R-EVT-3), the platform the events it reports on; scoped.
  ['GET', '/v1/events', ANY, 'README lists organiser'],
  ['GET', '/v1/events/{event}', ANY, 'README lists organiser'],
  ['PUT', '/v1/events/{event}', ['organiser']],
  ['POST', '/v1/events/{event}/registrations', ['organiser', 'platform']],
  // Not in README's table.
  ['GET', '/v1/events/{event}/registrations', ANY, 'not in README'],
  ['POST', '/v1/events/{event}/accreditation', DECIDERS],
  ['POST', '/v1/ingest/webinar/{event}', ['platform', 'organiser']],
  ['POST', '/v1/events/{event}/corrections', ATTENDANCE],
  ['POST', '/v1/events/{event}/attendance-file', ATTENDANCE],
  ['POST', '/v1/events/{event}/platform-reports/zoom-api', ATTENDANCE],
  ['POST', '/v1/events/{event}/scorm-package', ['organiser']],
  ['PUT', '/v1/events/{event}/elearning', ['organiser']],
  ['GET', '/v1/events/{event}/elearning/compliance', EVENT_READERS],
  ['POST', '/v1/events/{event}/elearning/reviews', ['cpo', 'cn', 'admin']],
  ['GET', '/v1/events/{event}/elearning/reviews', EVENT_READERS],
  ['POST', '/v1/events/{event}/enrolments', ['organiser']],
  ['GET', '/v1/events/{event}/enrolments', EVENT_READERS],
  ['POST', '/v1/events/{event}/enrolments/{member}/launch', ['organiser']],
  ['GET', '/v1/events/{event}/enrolments/{member}', EVENT_READERS],
  ['GET', '/v1/events/{event}/enrolments/{member}/attestation', EVENT_READERS],
  ['POST', '/v1/documents/{uuid}/revoke', ['organiser', 'cpo', 'cn', 'admin']],
  ['GET', '/v1/members/{member}/compliance-certificate?biennium=2025', COUNCILS],
  ['PUT', '/v1/events/{event}/tolerance', DECIDERS],
  ['GET', '/v1/events/{event}/outcomes', ATTENDANCE],
  ['GET', '/v1/events/{event}/unmatched', ATTENDANCE],
  ['GET', '/v1/events/{event}/incomplete', ATTENDANCE],
  ['GET', '/v1/events/{event}/audit', ATTENDANCE],
  ['GET', '/v1/events/{event}/attendance.xlsx', ATTENDANCE],
  ['GET', '/v1/members/{member}/credits', COUNCILS],
  ['PUT', '/v1/events/{event}/questionnaire/pool', ['organiser']],
  ['GET', '/v1/events/{event}/questionnaire/pool', ATTENDANCE],
  ['GET', '/v1/events/{event}/questionnaires', EVENT_READERS],
  ['GET', '/v1/questionnaires/{uuid}', ATTENDANCE],
  ['POST', '/v1/questionnaires/{uuid}/link', ['organiser', 'cpo']],
  ['POST', '/v1/questionnaires/{uuid}/resend', ['organiser', 'cpo']],
  ['GET', '/v1/events/{event}/questionnaire/rating', ['organiser', 'cn']],
  ['GET', '/v1/organisers/{organiser}/rating', ['organiser', 'cn']],
  ['GET', '/v1/questionnaire-reports', DECIDERS],
  ['GET', '/v1/members/{member}/balance?biennium=2025', COUNCILS],
  ['GET', '/v1/members/{member}/balance/audit', COUNCILS],
  ['GET', '/v1/balances?biennium=2025&province=MI', COUNCILS],
  ['POST', '/v1/members/{member}/transfer', ['cn', 'admin']],
  ['POST', '/v1/members/{member}/dashboard-link', DECIDERS],
  ['POST', '/v1/distance-grants', DECIDERS],
  ['GET', '/v1/distance-grants', DECIDERS],
  ['POST', '/v1/distance-grants/{uuid}/revoke', DECIDERS],
  ['GET', '/v1/alerts', ['cn']],
  ['POST', '/v1/alerts/{uuid}/acknowledge', ['cn']],
  ['GET', '/v1/art9-declarations', COUNCILS],
  ['GET', '/v1/art9-declarations/{uuid}', COUNCILS],
  ['GET', '/v1/art9-declarations/{uuid}/attestation', COUNCILS],
  ['POST', '/v1/art9-declarations/{uuid}/decision', DECIDERS],
  ['GET', '/v1/debt-requests', COUNCILS],
  ['GET', '/v1/debt-requests/{uuid}', COUNCILS],
  ['POST', '/v1/debt-requests/{uuid}/decision', DECIDERS],
  ['POST', '/v1/reductions/calculate', COUNCILS],
  ['GET', '/v1/reduction-requests', COUNCILS],
  ['GET', '/v1/reduction-requests/{uuid}', COUNCILS],
  ['GET', '/v1/reduction-requests/{uuid}/documents/{uuid}', COUNCILS],
  ['POST', '/v1/reduction-requests/{uuid}/acknowledge', DECIDERS],
  ['POST', '/v1/reduction-requests/{uuid}/pre-denial', DECIDERS],
  ['POST', '/v1/reduction-requests/{uuid}/decision', DECIDERS],
  ['GET', '/v1/policy/profiles', ANY],
  ['GET', '/v1/provinces/MI/policy', DECIDERS],
  ['PUT', '/v1/provinces/MI/policy', DECIDERS],
  ['GET', '/v1/provinces/MI/policy/history', DECIDERS],
  ['POST', '/v1/provinces/MI/verifications', COUNCILS],
  ['GET', '/v1/provinces/MI/verifications/{biennium}', COUNCILS],
  ['GET', '/v1/provinces/MI/verifications/{biennium}/export', COUNCILS],
  ['GET', '/v1/verifications?biennium=2025', COUNCILS],
  ['POST', '/v1/provinces/MI/referrals', ['cpo']],
  ['GET', '/v1/provinces/MI/referrals/{biennium}', COUNCILS],
  ['GET', '/v1/provinces/MI/referrals/{biennium}/letters', COUNCILS],
  ['GET', '/v1/referrals/{uuid}', COUNCILS],
  ['POST', '/v1/referrals/{uuid}/transitions', ['cpo']],
  ['GET', '/v1/referrals/{uuid}/letter', COUNCILS],
  // Last: it closes the event (R-EVT-7), after which the organiser's changes answer 409.
  ['POST', '/v1/events/{event}/close', ['organiser']],
];

/** Routes authenticated otherwise than by an API key (Zoom's signature). */
const NOT_KEYED = ['POST /v1/webhooks/zoom/{connectionId}'];

for (const backend of backendsOf(import.meta.url)) {
  describe(`who may call each /v1 route, on ${backend}`, () => {
    let h: Harness;
    const keys = {} as Record<Role, string>;
    const ids = { event: '', organiser: '', member: '' };

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
      const o = await createCpoOrganiser(h, 'MI');
      Object.assign(keys, { platform: o.platform, organiser: o.organiser, cpo: o.cpo, cn: o.cn, admin: await h.key('admin') });
      ids.organiser = o.organiserId;
      ids.member = (await createMembers(h, o.cn, ['MI']))[0]!.id;
      const ev = await h.api('POST', '/v1/events', { key: o.organiser, body: pastWebinar(romeAfternoon(2), 2) });
      expect(ev.status, ev.text).toBe(201);
      ids.event = ev.body.id;
    });
    afterAll(async () => h?.close());

    const withoutQuery = (path: string) => path.split('?')[0]!;

    it('the table names every key-authenticated route of the OpenAPI document', async () => {
      const doc = await h.api('GET', '/openapi.json');
      const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
        .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
        .filter((r) => r.includes(' /v1/') && !NOT_KEYED.includes(r));
      // The table's paths with their placeholders back as the document's parameter names.
      const normalise = (r: string) =>
        r
          .replace(/\{[^}]+\}/g, '{}')
          .replace(/\/provinces\/MI\//, '/provinces/{}/')
          .replace('/platform-reports/zoom-api', '/platform-reports/{}');
      const listed = TABLE.map(([m, p]) => normalise(`${m} ${withoutQuery(p)}`));
      expect(new Set(listed).size).toBe(listed.length);
      expect([...listed].sort()).toEqual(documented.map(normalise).sort());
    });

    it('every role the table does not admit gets 403 forbidden; every one it admits gets neither 401 nor 403', async () => {
      const wrong: string[] = [];
      for (const [method, path, allowed] of TABLE) {
        const url = path
          .replaceAll('{event}', ids.event)
          .replaceAll('{organiser}', ids.organiser)
          .replaceAll('{member}', ids.member)
          .replaceAll('{biennium}', '2025')
          .replaceAll('{uuid}', crypto.randomUUID());
        // Non-admitted roles first, so an admitted call that changes state (closing) comes after them.
        const order = [...ANY.filter((r) => !allowed.includes(r)), ...ANY.filter((r) => allowed.includes(r))];
        for (const role of order) {
          const res = await h.api(method, url, { key: keys[role], ...(method === 'POST' || method === 'PUT' ? { body: {} } : {}) });
          const admitted = allowed.includes(role);
          const ok = admitted ? res.status !== 401 && res.status !== 403 : res.status === 403 && res.body?.code === 'forbidden';
          if (!ok) wrong.push(`${method} ${path} as ${role}: ${res.status} ${res.text.slice(0, 160)}`);
        }
      }
      expect(wrong).toEqual([]);
    });

    it('a platform key reads no outcomes, and the organiser, CPO and CN do (README)', async () => {
      for (const role of ['platform', 'admin'] as const) {
        const res = await h.api('GET', `/v1/events/${ids.event}/outcomes`, { key: keys[role] });
        expect([res.status, res.body.code]).toEqual([403, 'forbidden']);
      }
      for (const role of ATTENDANCE) {
        const res = await h.api('GET', `/v1/events/${ids.event}/outcomes`, { key: keys[role] });
        expect(res.status, res.text).toBe(200);
        expect(res.body).toHaveProperty('outcomes');
      }
    });
  });
}
