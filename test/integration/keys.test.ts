/** Issue 2, deliverable 5: API keys per role, stored hashed, scoped; issued once, listed without secrets, revoked. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey, KEY_CACHE_MS } from '../../src/services/keys.ts';
import { backendsOf } from '../support/backends.ts';
import { startHarness, type Harness } from '../support/harness.ts';

for (const backend of backendsOf(import.meta.url)) {
  describe(`API keys on ${backend}`, () => {
    let h: Harness;
    let admin: string;
    let organiserId: string;
    let otherOrganiserId: string;
    /** The product's clock runs ahead by this much: the key cache's time passes without waiting. */
    let ahead = 0;

    beforeAll(async () => {
      h = await startHarness(backend, { worker: false, now: () => Date.now() + ahead });
      admin = await h.key('admin');
      const cn = await h.key('cn');
      const mk = async (province: string) => {
        const res = await h.api('POST', '/v1/organisers', { key: cn, body: { kind: 'a', name: `CPO ${province}`, province } });
        expect(res.status, res.text).toBe(201);
        return res.body.id as string;
      };
      organiserId = await mk('MI');
      otherOrganiserId = await mk('RM');
    });
    afterAll(async () => h?.close());

    it('issues a key once, stores only its hash, and the key works for its role and subject', async () => {
      const res = await h.api('POST', '/v1/keys', { key: admin, body: { role: 'organiser', subject: organiserId, label: 'Segreteria formazione' } });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ role: 'organiser', subject: organiserId, label: 'Segreteria formazione', revokedAt: null });
      expect(res.body.key).toMatch(/^cdl_organiser_[A-Za-z0-9_-]{43}$/);
      const stored = await h.rt.db.query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [res.body.id]);
      expect(stored.rows[0]!.key_hash).toBe(hashKey(res.body.key));
      expect(stored.rows[0]!.key_hash).not.toContain(res.body.key);
      const own = await h.api('GET', `/v1/organisers/${organiserId}`, { key: res.body.key });
      expect(own.status).toBe(200);
      const other = await h.api('GET', `/v1/organisers/${otherOrganiserId}`, { key: res.body.key });
      expect(other.status).toBe(404);
      const list = await h.api('GET', '/v1/keys', { key: admin });
      expect(list.status).toBe(200);
      expect(list.body.keys.map((k: any) => k.id)).toContain(res.body.id);
      expect(list.text).not.toContain(res.body.key);
      expect(list.text).not.toContain(hashKey(res.body.key));
    });

    it('an organiser issues platform keys for itself only', async () => {
      const org = (await h.api('POST', '/v1/keys', { key: admin, body: { role: 'organiser', subject: organiserId, label: 'org' } })).body.key;
      const mine = await h.api('POST', '/v1/keys', { key: org, body: { role: 'platform', label: 'Zoom' } });
      expect(mine.status, mine.text).toBe(201);
      expect(mine.body.subject).toBe(organiserId);
      const theirs = await h.api('POST', '/v1/keys', { key: org, body: { role: 'platform', subject: otherOrganiserId, label: 'x' } });
      expect(theirs.status).toBe(403);
      const escalate = await h.api('POST', '/v1/keys', { key: org, body: { role: 'cn', label: 'x' } });
      expect(escalate).toMatchObject({ status: 403, body: { code: 'forbidden' } });
      expect(escalate.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const list = await h.api('GET', '/v1/keys', { key: org });
      expect(list.body.keys.every((k: any) => k.role === 'platform' && k.subject === organiserId)).toBe(true);
    });

    it('refuses keys without a valid subject (422) and callers without a managing role (401/403)', async () => {
      const cn = await h.key('cn');
      const badProvince = await h.api('POST', '/v1/keys', { key: cn, body: { role: 'cpo', subject: 'ZZ', label: 'x' } });
      expect(badProvince).toMatchObject({ status: 422, body: { code: 'invalid-key-subject' } });
      const noOrganiser = await h.api('POST', '/v1/keys', { key: cn, body: { role: 'organiser', subject: crypto.randomUUID(), label: 'x' } });
      expect(noOrganiser).toMatchObject({ status: 422, body: { code: 'invalid-key-subject' } });
      const cnAdmin = await h.api('POST', '/v1/keys', { key: cn, body: { role: 'admin', label: 'x' } });
      expect(cnAdmin.status).toBe(403);
      const cpo = await h.key('cpo', 'MI');
      expect((await h.api('GET', '/v1/keys', { key: cpo })).status).toBe(403);
      expect((await h.api('GET', '/v1/keys')).status).toBe(401);
      const ok = await h.api('POST', '/v1/keys', { key: cn, body: { role: 'cpo', subject: 'mi', label: 'CPO Milano' } });
      expect(ok.body.subject).toBe('MI');
    });

    it('a revoked key stops working (within the key cache time) and others cannot revoke what they do not manage', async () => {
      const issued = (await h.api('POST', '/v1/keys', { key: admin, body: { role: 'organiser', subject: organiserId, label: 'to revoke' } })).body;
      expect((await h.api('GET', `/v1/organisers/${organiserId}`, { key: issued.key })).status).toBe(200);
      const otherOrg = (await h.api('POST', '/v1/keys', { key: admin, body: { role: 'organiser', subject: otherOrganiserId, label: 'other' } })).body.key;
      const notTheirs = await h.api('DELETE', `/v1/keys/${issued.id}`, { key: otherOrg });
      expect(notTheirs).toMatchObject({ status: 404, body: { code: 'key-not-found' } });
      const revoked = await h.api('DELETE', `/v1/keys/${issued.id}`, { key: admin });
      expect(revoked.status).toBe(200);
      expect(revoked.body.revokedAt).not.toBeNull();
      ahead += KEY_CACHE_MS + 1; // the cache time passes on the product clock
      expect((await h.api('GET', `/v1/organisers/${organiserId}`, { key: issued.key })).status).toBe(401);
    });
  });
}
