/**
 * @module The e-learning courses both attestation suites read (R-ELN-6 and the documents that
 * carry it, R-DOC): a declared e-learning course and a podcast of the MI CPO, a webinar, four
 * members enrolled as each test expects, and the outcome rows the derivation would write.
 */
import { expect } from 'vitest';
import { yearOf } from '../../src/domain/calendar.ts';
import type { Backend } from './backends.ts';
import { createCpoOrganiser, createMembers, pastWebinar, romeAfternoon, type CreatedMember } from './fixtures.ts';
import { startHarness, type Harness } from './harness.ts';
import { fixtureDeclaration, scormFixtureZip } from './scorm.ts';

export interface AttestationCourses {
  h: Harness;
  keys: Awaited<ReturnType<typeof createCpoOrganiser>>;
  other: Awaited<ReturnType<typeof createCpoOrganiser>>;
  admin: string;
  /** e-learning, declared, 2 credits (1 h deontology) */
  course: string;
  /** podcast, not declared */
  podcast: string;
  webinar: string;
  members: CreatedMember[];
  eventStart: number;
  completedAt: number;
  /** `${event}/${member}` → enrolment id */
  enrolments: Map<string, string>;
  /** A GET answered as bytes (h.api reads text, which would mangle a PDF). */
  get(path: string, key?: string): Promise<{ status: number; headers: Headers; bytes: Uint8Array; text: string }>;
  apiPath(event: string, member: string): string;
  dashboardToken(member: CreatedMember, key: string): Promise<string>;
}

export async function attestationCourses(backend: Backend): Promise<AttestationCourses> {
  const h = await startHarness(backend, { worker: false });
  const keys = await createCpoOrganiser(h, 'MI');
  const other = await createCpoOrganiser(h, 'BG');
  const admin = await h.key('admin');
  const eventStart = romeAfternoon(2);
  const completedAt = eventStart + 3 * 3600_000 + 7 * 60_000;
  const enrolments = new Map<string, string>();

  const get: AttestationCourses['get'] = async (path, key) => {
    const res = await fetch(h.url + path, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, headers: res.headers, bytes, text: new TextDecoder().decode(bytes) };
  };
  const createCourse = async (mode: string, fixture: 'scorm12' | 'scorm2004', title: string) => {
    const res = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(eventStart, 2, { mode, title }) });
    expect(res.status, res.text).toBe(201);
    const up = await h.api('POST', `/v1/events/${res.body.id}/scorm-package`, {
      key: keys.organiser,
      raw: scormFixtureZip(fixture),
      headers: { 'content-type': 'application/zip' },
    });
    expect(up.status, up.text).toBe(201);
    return res.body.id as string;
  };
  const enrol = async (event: string, ms: CreatedMember[]) => {
    const res = await h.api('POST', `/v1/events/${event}/enrolments`, { key: keys.organiser, body: { memberIds: ms.map((m) => m.id) } });
    expect(res.status, res.text).toBe(200);
    for (const e of res.body.enrolments) enrolments.set(`${event}/${e.memberId}`, e.enrolmentId);
  };
  /** The outcome row the derivation would write (src/store/elearning-outcomes.ts). */
  const outcome = async (
    event: string,
    member: CreatedMember,
    o: { status: string; reason: string; rule: string; credits: number; seconds: number; completedAt: number | null },
  ) => {
    await h.rt.db.query(
      `INSERT INTO elearning_outcomes (enrolment_id, event_id, member_id, status, reason, rule, credits, credited_seconds, required_seconds,
         completed_at, explanation, commits_high_water, derived_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, '{}'::jsonb, 0, now())`,
      [
        enrolments.get(`${event}/${member.id}`),
        event,
        member.id,
        o.status,
        o.reason,
        o.rule,
        o.credits,
        o.seconds,
        2400,
        o.completedAt === null ? null : new Date(o.completedAt).toISOString(),
      ],
    );
  };

  const course = await createCourse('e-learning', 'scorm2004', 'Lavoro agile: più diritti – meno oneri');
  const podcast = await createCourse('podcast', 'scorm12', 'Podcast sulla busta paga');
  const w = await h.api('POST', '/v1/events', { key: keys.organiser, body: pastWebinar(eventStart, 2, { title: 'Webinar' }) });
  expect(w.status, w.text).toBe(201);
  const d = await h.api('PUT', `/v1/events/${course}/elearning`, { key: keys.organiser, body: fixtureDeclaration('scorm2004') });
  expect(d.status, d.text).toBe(200);
  const members = await createMembers(h, keys.cn, ['MI', 'MI', 'BG', 'MI'], 950);
  await enrol(course, members.slice(0, 3));
  await enrol(podcast, [members[0]!, members[1]!]);
  await outcome(course, members[0]!, { status: 'credited', reason: 'credited', rule: 'R-ELN-4', credits: 2, seconds: 42 * 60 + 59, completedAt });
  await outcome(course, members[1]!, { status: 'in-progress', reason: 'final-test-not-passed', rule: 'R-ELN-2', credits: 0, seconds: 1500, completedAt: null });
  await outcome(podcast, members[0]!, { status: 'credited', reason: 'credited', rule: 'R-ELN-4', credits: 2, seconds: 2 * 3600 + 5 * 60, completedAt });
  // The credit record the derivation writes with the outcome, so the dashboard lists the course.
  await h.rt.db.query(
    `INSERT INTO credit_records (member_id, event_id, fraction, credits, deontology_credits, mode, year, status, derived_at)
     VALUES ($1, $2, 0, 2, 1, 'e-learning', $3, 'granted', now())`,
    [members[0]!.id, course, yearOf(completedAt)],
  );
  return {
    h,
    keys,
    other,
    admin,
    course,
    podcast,
    webinar: w.body.id as string,
    members,
    eventStart,
    completedAt,
    enrolments,
    get,
    apiPath: (event, member) => `/v1/events/${event}/enrolments/${member}/attestation`,
    async dashboardToken(member, key) {
      const res = await h.api('POST', `/v1/members/${member.id}/dashboard-link`, { key });
      expect(res.status, res.text).toBe(201);
      return new URL(res.body.url).pathname.replace(/^\/m\//, '');
    },
  };
}
