/**
 * @module What the LMS writes for a cmi5 launch (issue 16; cmi5 §8, §9.3, §10): the actor, the
 * `LMS.LaunchData` state document, the AU's launch URL, and the statements the LMS itself makes
 * (launched, abandoned, satisfied). Pure.
 */
import type { Cmi5Au } from './cmi5-course.ts';
import { CMI5, CMI5_VERBS } from './cmi5-statements.ts';

export interface Cmi5Launch {
  sessionId: string;
  /** The registration (§9.6.1): the enrolment id. */
  registration: string;
  au: Cmi5Au;
  actor: Cmi5Actor;
  launchMode: 'Normal' | 'Browse' | 'Review';
}

/** §9.2: an Agent with an account. */
export interface Cmi5Actor {
  objectType: 'Agent';
  account: { homePage: string; name: string };
}

/**
 * §8.1.3 "The LMS SHOULD create this parameter with an object that is specific to the LMS
 * instance that does NOT include sensitive PII of the learner": the gateway's origin and the
 * member's id (no name, no codice fiscale).
 */
export function cmi5Actor(gatewayOrigin: string, memberId: string): Cmi5Actor {
  return { objectType: 'Agent', account: { homePage: gatewayOrigin, name: memberId } };
}

/** The contextTemplate (§10.2.1): the session id extension and the publisher id grouping activity (§9.6.2.3). */
export function contextTemplate(l: Pick<Cmi5Launch, 'sessionId' | 'au'>) {
  return {
    contextActivities: { grouping: [{ objectType: 'Activity', id: l.au.id }] },
    extensions: { [CMI5.sessionId]: l.sessionId },
  };
}

/**
 * `LMS.LaunchData` (§10.2): contextTemplate, launchMode, moveOn, and masteryScore,
 * launchParameters and entitlementKey when the course structure has them. **Decision**: no
 * `returnURL` (optional, §10.2.6): the player's address carries the member's launch token, which
 * content never sees (R-ISO-2); the AU ends in its own window or frame.
 */
export function launchData(l: Cmi5Launch) {
  return {
    contextTemplate: contextTemplate(l),
    launchMode: l.launchMode,
    moveOn: l.au.moveOn,
    ...(l.au.masteryScore !== null ? { masteryScore: l.au.masteryScore } : {}),
    ...(l.au.launchParameters !== null ? { launchParameters: l.au.launchParameters } : {}),
    ...(l.au.entitlementKey !== null ? { entitlementKey: { courseStructure: l.au.entitlementKey } } : {}),
  };
}

/**
 * The AU's launch URL (§8.1): its url with the five launch parameters appended, each value
 * URL-encoded, after the url's own query (§13.1.4 url: "merged with the cmi5 parameters").
 */
export function launchUrl(auBase: string, params: { endpoint: string; fetch: string; actor: Cmi5Actor; registration: string; activityId: string }): string {
  const q = new URLSearchParams({
    endpoint: params.endpoint,
    fetch: params.fetch,
    actor: JSON.stringify(params.actor),
    registration: params.registration,
    activityId: params.activityId,
  });
  return `${auBase}${auBase.includes('?') ? '&' : '?'}${q.toString()}`;
}

const activity = (id: string, name: string, type?: string) => ({
  objectType: 'Activity',
  id,
  definition: { name: { 'it-IT': name }, ...(type ? { type } : {}) },
});

/** The context of an LMS statement: the template, and the cmi5 category (a cmi5 defined statement). */
function lmsContext(l: Pick<Cmi5Launch, 'sessionId' | 'registration' | 'au'>, extra: Record<string, unknown> = {}) {
  const t = contextTemplate(l);
  return {
    registration: l.registration,
    contextActivities: { ...t.contextActivities, category: [{ objectType: 'Activity', id: CMI5.category }] },
    extensions: { ...t.extensions, ...extra },
  };
}

/**
 * §9.3.1 launched, recorded before the AU is launched, with the launchMode, launchURL, moveOn
 * (and masteryScore, launchParameters when in LMS.LaunchData) context extensions (§9.6.3.2 …
 * §9.6.3.7). `auUrl`: the AU's URL without the launch parameters (§9.6.3.4).
 */
export function launchedStatement(id: string, l: Cmi5Launch, auUrl: string, at: Date) {
  return {
    id,
    actor: l.actor,
    verb: { id: CMI5_VERBS.launched, display: { 'en-US': 'launched' } },
    object: activity(l.au.lmsId, l.au.title),
    context: lmsContext(l, {
      [CMI5.launchMode]: l.launchMode,
      [CMI5.launchUrl]: auUrl,
      [CMI5.moveOn]: l.au.moveOn,
      ...(l.au.masteryScore !== null ? { [CMI5.masteryScore]: l.au.masteryScore } : {}),
      ...(l.au.launchParameters !== null ? { [CMI5.launchParameters]: l.au.launchParameters } : {}),
    }),
    timestamp: at.toISOString(),
  };
}

/** An ISO 8601 duration of whole and fractional seconds. */
export function isoSeconds(seconds: number): string {
  return `PT${Math.max(0, Math.round(seconds * 100) / 100)}S`;
}

/**
 * §9.3.6 abandoned, for a session a later launch of the registration found active, with the
 * §9.5.4.2 duration: from the launch to the session's last statement.
 */
export function abandonedStatement(id: string, l: Cmi5Launch, durationSeconds: number, at: Date) {
  return {
    id,
    actor: l.actor,
    verb: { id: CMI5_VERBS.abandoned, display: { 'en-US': 'abandoned' } },
    object: activity(l.au.lmsId, l.au.title),
    result: { duration: isoSeconds(durationSeconds) },
    context: lmsContext(l),
    timestamp: at.toISOString(),
  };
}

/**
 * §9.3.9 satisfied, for a block or the course whose AUs all met their moveOn, with the session id
 * of the launch that satisfied it; the object is the LMS's block or course activity (§9.4), the
 * grouping the publisher's id of the block or course.
 */
export function satisfiedStatement(
  id: string,
  l: { sessionId: string; registration: string; actor: Cmi5Actor },
  target: { kind: 'block' | 'course'; id: string; lmsId: string; title: string },
  at: Date,
) {
  const type = target.kind === 'course' ? CMI5.courseType : CMI5.blockType;
  return {
    id,
    actor: l.actor,
    verb: { id: CMI5_VERBS.satisfied, display: { 'en-US': 'satisfied' } },
    object: activity(target.lmsId, target.title, type),
    context: {
      registration: l.registration,
      contextActivities: { grouping: [activity(target.id, target.title, type)], category: [{ objectType: 'Activity', id: CMI5.category }] },
      extensions: { [CMI5.sessionId]: l.sessionId },
    },
    timestamp: at.toISOString(),
  };
}
