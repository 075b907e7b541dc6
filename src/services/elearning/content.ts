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
  const [enrolmentId, sco, session] = parseTriple(check.subject);
  return { enrolmentId, sco, session };
}

/** A capability's subject: three strings as JSON, else `invalid-token`. */
function parseTriple(subject: string): [string, string, string] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(subject);
  } catch {
    throw new ServiceError('invalid-token');
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || !parsed.every((x) => typeof x === 'string')) throw new ServiceError('invalid-token');
  return parsed as [string, string, string];
}

/** A module opened in a council's review (`review.ts`): the review, the SCO and the session. */
export interface ReviewContentLaunch {
  reviewId: string;
  sco: string;
  session: string;
}

/** Signs the capability of a review's launch (purpose `scorm-review-content`), valid until `expiresAt`. @rule R-ISO-2 */
export function reviewContentCapability(links: Pick<MemberLinks, 'sign'>, launch: ReviewContentLaunch, expiresAt: Date): Promise<string> {
  return links.sign('scorm-review-content', JSON.stringify([launch.reviewId, launch.sco, launch.session]), expiresAt);
}

/**
 * The launch a content capability names, a member's or a review's; `invalid-token` or
 * `launch-expired` as `contentLaunch`.
 * @rule R-ISO-2
 */
export async function anyContentLaunch(
  links: Pick<MemberLinks, 'verify'>,
  token: string,
  now: number,
): Promise<{ kind: 'enrolment'; launch: ContentLaunch } | { kind: 'review'; launch: ReviewContentLaunch }> {
  const review = await links.verify('scorm-review-content', token, now);
  if (!review.ok && review.reason === 'invalid') return { kind: 'enrolment', launch: await contentLaunch(links, token, now) };
  if (!review.ok) throw new ServiceError('launch-expired');
  const parsed = parseTriple(review.subject);
  return { kind: 'review', launch: { reviewId: parsed[0], sco: parsed[1], session: parsed[2] } };
}
