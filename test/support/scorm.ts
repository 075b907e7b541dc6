/**
 * @module The SCORM fixtures of `test/fixtures/scorm/` (issue 6) zipped at run time, and hostile
 * variants of them. Reusable by the player and browser tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflated, hostileZip as zip, type ZipPart } from './zip.ts';

export type ScormFixture = 'scorm12' | 'scorm2004' | 'scorm12-minimal';

export const SCORM_FIXTURES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'scorm');

/** The files of a fixture: zip path (forward slashes, relative to the package root) → bytes. */
export function scormFixtureFiles(name: ScormFixture): Map<string, Buffer> {
  return packageFilesUnder(path.join(SCORM_FIXTURES_DIR, name));
}

/** The files under `root`, as a package holds them: zip path (forward slashes, relative to `root`) → bytes, in name order. */
export function packageFilesUnder(root: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(path.relative(root, full).split(path.sep).join('/'), fs.readFileSync(full));
    }
  };
  walk(root);
  return out;
}

/** A zip of the fixture, optionally changed (files replaced, added or removed) before zipping. */
export function scormFixtureZip(name: ScormFixture, change?: (files: Map<string, Buffer>) => void): Buffer {
  const files = scormFixtureFiles(name);
  change?.(files);
  return zipFiles(files);
}

/** A zip of these files (deflated), plus raw parts (hostile entries) at the end. */
export function zipFiles(files: ReadonlyMap<string, Buffer | string>, extra: readonly ZipPart[] = []): Buffer {
  return zip([...[...files].map(([n, b]) => deflated(n, b)), ...extra]);
}

/** The SCO identifiers of each fixture, in manifest order (the last is the final test). */
export const FIXTURE_SCOS: Readonly<Record<ScormFixture, readonly string[]>> = {
  scorm12: ['ITEM-1', 'ITEM-2', 'ITEM-TEST'],
  scorm2004: ['LEZIONE-1', 'LEZIONE-2', 'VERIFICA'],
  // ITEM-NOTES is hidden (isvisible="false"): not offered, not required.
  'scorm12-minimal': ['ITEM-INTRO', 'ITEM-TEST'],
};

/**
 * A course declaration (`PUT /v1/events/{id}/elearning`) of a fixture that meets every R-ELN-5
 * rule for 2 credits: modules of 15 minutes (the test 10), 16 of 32 questions drawn at random,
 * retry with different ones, a 6-month window.
 */
export function fixtureDeclaration(name: ScormFixture, overrides: Record<string, unknown> = {}) {
  const scos = FIXTURE_SCOS[name];
  return {
    nominalMinutes: 40,
    masteryScore: 75,
    modules: scos.map((sco, i) => ({ sco, minutes: i === scos.length - 1 ? 10 : 15 })),
    finalTest: { bankQuestions: 32, questionsPerAttempt: 16, randomDraw: true, retryDifferentQuestions: true },
    accessWindowMonths: 6,
    ...overrides,
  };
}

/** An e-learning event (`POST /v1/events`) accredited by the MI CPO, open for two hours from `startMs`, worth 2 credits. */
export function elearningEvent(startMs: number, title: string, extra: Record<string, unknown> = {}) {
  const start = new Date(startMs).toISOString();
  const end = new Date(startMs + 2 * 3600_000).toISOString();
  return {
    title,
    cpoProvince: 'MI',
    mode: 'e-learning',
    speakers: ['Relatore Uno'],
    topics: [{ title: 'Sicurezza sul lavoro', start, end, deontology: false }],
    start,
    end,
    credits: 2,
    ...extra,
  };
}

/**
 * A course as an organiser sets one up through the API: the e-learning event, the fixture's
 * package, its declaration, the member enrolled and the member's launch (`playerUrl`,
 * `launchUrl`, `enrolmentId`). Every step must succeed.
 */
export async function setUpCourse(
  h: Pick<import('./harness.ts').Harness, 'api'>,
  organiserKey: string,
  o: { fixture: ScormFixture; title: string; startMs: number; memberId: string; event?: Record<string, unknown>; declaration?: Record<string, unknown> },
): Promise<{ eventId: string; playerUrl: string; launchUrl: string; enrolmentId: string }> {
  const must = (r: { status: number; text: string }, status: number, step: string) => {
    if (r.status !== status) throw new Error(`${step}: ${r.status} ${r.text}`);
  };
  const ev = await h.api('POST', '/v1/events', { key: organiserKey, body: elearningEvent(o.startMs, o.title, o.event) });
  must(ev, 201, 'event');
  const eventId = ev.body.id as string;
  must(
    await h.api('POST', `/v1/events/${eventId}/scorm-package`, {
      key: organiserKey,
      raw: scormFixtureZip(o.fixture),
      headers: { 'content-type': 'application/zip' },
    }),
    201,
    'package',
  );
  must(await h.api('PUT', `/v1/events/${eventId}/elearning`, { key: organiserKey, body: fixtureDeclaration(o.fixture, o.declaration) }), 200, 'declaration');
  must(await h.api('POST', `/v1/events/${eventId}/enrolments`, { key: organiserKey, body: { memberIds: [o.memberId] } }), 200, 'enrolment');
  const l = await h.api('POST', `/v1/events/${eventId}/enrolments/${o.memberId}/launch`, { key: organiserKey });
  must(l, 200, 'launch');
  return { eventId, playerUrl: l.body.playerUrl, launchUrl: l.body.launchUrl, enrolmentId: l.body.enrolmentId };
}
