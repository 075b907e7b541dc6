/**
 * @module The content capability (R-ISO-2): what a course package running on the content origin
 * holds. It names one launch (enrolment, SCO, session) and opens exactly two doors: the files of
 * the enrolment's current package and the commits of that launch. It is a member link of its own
 * purpose (`scorm-content`), so it opens no launch, player, attestation or dashboard route (those
 * check the `scorm` purpose), and expires with the launch token it was issued under.
 */
import type { MemberLinks } from '../../member-links.ts';
import { ServiceError } from '../errors.ts';

export interface ContentLaunch {
  enrolmentId: string;
  sco: string;
  session: string;
}

/** Signs the capability of a launch, valid until `expiresAt` (the launch token's expiry). @rule R-ISO-2 */
export function contentCapability(links: Pick<MemberLinks, 'sign'>, launch: ContentLaunch, expiresAt: Date): Promise<string> {
  return links.sign('scorm-content', JSON.stringify([launch.enrolmentId, launch.sco, launch.session]), expiresAt);
}

/**
 * The launch a capability names; `invalid-token` (tampered, another purpose, not a launch) or
 * `launch-expired`.
 * @rule R-ISO-2
 */
export async function contentLaunch(links: Pick<MemberLinks, 'verify'>, token: string, now: number): Promise<ContentLaunch> {
  const check = await links.verify('scorm-content', token, now);
  if (!check.ok) throw new ServiceError(check.reason === 'expired' ? 'launch-expired' : 'invalid-token');
  let parsed: unknown;
  try {
    parsed = JSON.parse(check.subject);
  } catch {
    throw new ServiceError('invalid-token');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((x) => typeof x === 'string')) throw new ServiceError('invalid-token');
  const [enrolmentId, sco, session] = parsed as [string, string, string];
  return { enrolmentId, sco, session };
}
