/**
 * Issue 16, content isolation (R-ISO-1 … R-ISO-4) through HTTP: a launch answers the runner's and
 * the module's addresses on the content origin under a content capability; that capability opens
 * the package's files and the launch's commits there and nothing on the gateway (commit, launch,
 * player, attestation), nor another launch's commits; the gateway serves no package file; every
 * gateway page forbids framing and carries the strict policy, the player's allows one frame, the
 * content origin's runner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendsOf } from '../support/backends.ts';
import { createCpoOrganiser, createMembers, type CreatedMember } from '../support/fixtures.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { elearningEvent, fixtureDeclaration, scormFixtureZip } from '../support/scorm.ts';

for (const backend of backendsOf(import.meta.url)) {
  describe(`content isolation on ${backend}`, () => {
    let h: Harness;
    let keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
    let member: CreatedMember;
    let launch: { launchUrl: string; playerUrl: string; enrolmentId: string };
    const launchSco = async (sco: string) => {
      const res = await fetch(`${launch.launchUrl}?sco=${encodeURIComponent(sco)}`, { method: 'POST' });
      expect(res.status).toBe(201);
      return (await res.json()) as { session: string; commitUrl: string; runnerUrl: string; contentUrl: string; contentPath: string; cmi: any };
    };
    const commitsOf = async () =>
      (
        await h.rt.db.query<{ sco_identifier: string; session_id: string | null }>(
          'SELECT sco_identifier, session_id FROM scorm_commits WHERE enrolment_id = $1 ORDER BY id',
          [launch.enrolmentId],
        )
      ).rows;

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false });
      keys = await createCpoOrganiser(h, 'MI');
      member = (await createMembers(h, keys.cn, ['MI'], 1610))[0]!;
      const ev = await h.api('POST', '/v1/events', { key: keys.organiser, body: elearningEvent(Date.now(), 'Corso isolato') });
      expect(ev.status, ev.text).toBe(201);
      const id = ev.body.id as string;
      const up = await h.api('POST', `/v1/events/${id}/scorm-package`, {
        key: keys.organiser,
        raw: scormFixtureZip('scorm12'),
        headers: { 'content-type': 'application/zip' },
      });
      expect(up.status, up.text).toBe(201);
      expect((await h.api('PUT', `/v1/events/${id}/elearning`, { key: keys.organiser, body: fixtureDeclaration('scorm12') })).status).toBe(200);
      expect((await h.api('POST', `/v1/events/${id}/enrolments`, { key: keys.organiser, body: { memberIds: [member.id] } })).status).toBe(200);
      const l = await h.api('POST', `/v1/events/${id}/enrolments/${member.id}/launch`, { key: keys.organiser });
      expect(l.status, l.text).toBe(200);
      launch = l.body;
    });
    afterAll(async () => h?.close());

    it('a launch runs on the content origin, another site than the gateway (R-ISO-1)', async () => {
      const content = h.rt.contentUrl!;
      expect(new URL(content).hostname).not.toBe(new URL(h.url).hostname);
      const t = await launchSco('ITEM-1');
      expect(new URL(t.runnerUrl).origin).toBe(content);
      expect(t.contentUrl).toBe(`${content}/c/${t.runnerUrl.split('/run/')[1]}/${t.contentPath}`);
      const runner = await fetch(t.runnerUrl);
      expect(runner.status).toBe(200);
      const csp = runner.headers.get('content-security-policy')!;
      // Framed by the player's origin only; its own scripts only.
      expect(csp).toContain(`frame-ancestors ${new URL(h.url).origin}`);
      expect(csp).toContain(`script-src ${content}`);
      expect(runner.headers.get('set-cookie')).toBeNull();
      const html = await runner.text();
      expect(html).toContain('/assets/scorm12.min.js');
      expect(html).toContain('/assets/content-runner.js');
      const file = await fetch(t.contentUrl);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-security-policy')).toBe(`frame-ancestors 'self' ${new URL(h.url).origin}`);
    });

    it('the content capability commits its own launch there and opens nothing else (R-ISO-2)', async () => {
      const t = await launchSco('ITEM-1');
      const capability = t.runnerUrl.split('/run/')[1]!;
      const body = JSON.stringify({ core: { lesson_status: 'incomplete', session_time: '00:01:00' } });
      const stored = await fetch(`${h.rt.contentUrl}/commit/${capability}`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body });
      expect(stored.status, await stored.clone().text()).toBe(200);
      expect(await stored.json()).toMatchObject({ result: true, errorCode: 0 });
      expect((await commitsOf()).at(-1)).toEqual({ sco_identifier: 'ITEM-1', session_id: t.session });

      // On the gateway the capability is nobody's token.
      const json = { 'content-type': 'application/json' };
      expect((await fetch(`${h.url}/lms/commit/${capability}?sco=ITEM-1&session=${t.session}`, { method: 'POST', headers: json, body })).status).toBe(401);
      expect((await fetch(`${h.url}/lms/launch/${capability}?sco=ITEM-1`, { method: 'POST' })).status).toBe(401);
      expect((await fetch(`${h.url}/lms/play/${capability}`)).status).toBe(404);
      expect((await fetch(`${h.url}/lms/attestation/${capability}`)).status).toBe(404);
      expect((await fetch(`${h.url}/m/${capability}`)).status).not.toBe(200);
      // The gateway serves no package file, under either token.
      const launchToken = launch.playerUrl.split('/lms/play/')[1]!;
      expect((await fetch(`${h.url}/lms/content/${launchToken}/${t.contentPath}`)).status).toBe(404);
      expect((await fetch(`${h.url}/lms/content/${capability}/${t.contentPath}`)).status).toBe(404);
      // The launch token opens nothing on the content origin.
      expect((await fetch(`${h.rt.contentUrl}/c/${launchToken}/${t.contentPath}`)).status).toBe(404);
      expect((await fetch(`${h.rt.contentUrl}/commit/${launchToken}`, { method: 'POST', headers: json, body })).status).toBe(401);
      // A tampered capability is refused; nothing more was stored.
      const before = (await commitsOf()).length;
      expect((await fetch(`${h.rt.contentUrl}/commit/${capability.slice(0, -2)}xx`, { method: 'POST', headers: json, body })).status).toBe(401);
      expect((await commitsOf()).length).toBe(before);
    });

    it('every gateway page forbids framing; the player may frame the content origin only (R-ISO-4)', async () => {
      for (const path of ['/docs', '/console/accesso', '/verify', '/healthz']) {
        const res = await fetch(`${h.url}${path}`);
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp, path).toContain("frame-ancestors 'none'");
        expect(csp, path).toContain("script-src 'self'");
        expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      }
      const player = await fetch(launch.playerUrl);
      expect(player.status).toBe(200);
      const csp = player.headers.get('content-security-policy')!;
      expect(csp).toContain(`frame-src ${h.rt.contentUrl}`);
      expect(csp).toContain("frame-ancestors 'none'");
      const html = await player.text();
      expect(html).not.toContain('scorm12.min.js');
      expect(html).toContain(JSON.stringify(h.rt.contentUrl).slice(1, -1));
    });
  });
}
