/** Signed, single-purpose, expiring member links (ARCHITECTURE "Interfaces", R-QST-2). */
import { describe, expect, it } from 'vitest';
import { memberLinks } from '../../src/member-links.ts';

const links = memberLinks('k'.repeat(40));
const deadline = new Date('2026-03-15T22:59:59.999Z'); // 23:59:59.999 Rome (R-CAL-3)

describe('memberLinks', () => {
  it('opens its subject until the last millisecond of the deadline, then says expired', async () => {
    const t = await links.sign('questionnaire', 'q-1', deadline);
    expect(await links.verify('questionnaire', t, deadline.getTime() - 60_000)).toEqual({ ok: true, subject: 'q-1', expiresAt: deadline });
    expect(await links.verify('questionnaire', t, deadline.getTime())).toMatchObject({ ok: true, subject: 'q-1' });
    expect(await links.verify('questionnaire', t, deadline.getTime() + 1)).toEqual({ ok: false, reason: 'expired', subject: 'q-1', expiresAt: deadline });
  });

  it('refuses a tampered link, another key and garbage, without saying more', async () => {
    const t = await links.sign('questionnaire', 'q-1', deadline);
    const [h, p, s] = t.split('.');
    const otherSubject = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'q-2' })).toString('base64url');
    const now = deadline.getTime() - 1000;
    expect(await links.verify('questionnaire', `${h}.${otherSubject}.${s}`, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(await memberLinks('x'.repeat(40)).verify('questionnaire', t, now)).toEqual({ ok: false, reason: 'invalid' });
    expect(await links.verify('questionnaire', 'not-a-token', now)).toEqual({ ok: false, reason: 'invalid' });
    expect(await links.verify('questionnaire', 'a'.repeat(5000), now)).toEqual({ ok: false, reason: 'invalid' });
    // An expired link signed with another key is invalid, not "expired".
    const foreign = await memberLinks('x'.repeat(40)).sign('questionnaire', 'q-1', deadline);
    expect(await links.verify('questionnaire', foreign, deadline.getTime() + 10_000)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('is single-purpose: the audience must match', async () => {
    const t = await links.sign('questionnaire', 'q-1', deadline);
    expect(await links.verify('dashboard' as 'questionnaire', t, deadline.getTime() - 1000)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('answers a token it has verified before exactly as a first verification does (the cache of verified tokens)', async () => {
    const secret = 'c'.repeat(40);
    const warm = memberLinks(secret);
    const t = await warm.sign('scorm', 'e-1', deadline);
    const end = deadline.getTime();
    expect(await warm.verify('scorm', t, end - 5000)).toMatchObject({ ok: true }); // now known to `warm`
    for (const at of [end - 1000, end - 1, end, end + 1, end + 999, end + 1000, end + 86_400_000])
      for (const purpose of ['scorm', 'scorm-content', 'dashboard'] as const)
        expect(await warm.verify(purpose, t, at), `${purpose} at ${at - end} ms`).toEqual(await memberLinks(secret).verify(purpose, t, at));
  });
});
