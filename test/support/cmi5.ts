/**
 * @module The cmi5 fixtures of `test/fixtures/cmi5/` (issue 16): the course package zipped at run
 * time, and the specification's sample statements (`spec-samples/`), as the specification shows
 * them or with a launch's own identifiers substituted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageFilesUnder, zipFiles } from './scorm.ts';

export const CMI5_FIXTURES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'cmi5');

/** The AU ids of the course fixture, in document order. */
export const CMI5_AUS = {
  lesson: 'https://corsi.example.it/identifiers/courses/deontologia-2026/aus/lezione-1',
  test: 'https://corsi.example.it/identifiers/courses/deontologia-2026/aus/verifica',
  reading: 'https://corsi.example.it/identifiers/courses/deontologia-2026/aus/letture',
} as const;

/** The course fixture's files: zip path → bytes. */
export function cmi5FixtureFiles(): Map<string, Buffer> {
  return packageFilesUnder(path.join(CMI5_FIXTURES_DIR, 'course'));
}

/** A zip of the course fixture, optionally changed before zipping. */
export function cmi5FixtureZip(change?: (files: Map<string, Buffer>) => void): Buffer {
  const files = cmi5FixtureFiles();
  change?.(files);
  return zipFiles(files);
}

/** One sample of the specification (`spec-samples/<scenario>/<file>.json`), parsed, as it is written. */
export function specSample(scenario: string, file: string): any {
  return JSON.parse(fs.readFileSync(path.join(CMI5_FIXTURES_DIR, 'spec-samples', scenario, `${file}.json`), 'utf8'));
}

/** What a launch gave the AU: the identifiers a sample's own are replaced with. */
export interface LaunchIds {
  actor: unknown;
  activityId: string;
  registration: string;
  sessionId: string;
  /** The publisher's AU id (the contextTemplate's grouping activity). */
  publisherId: string;
}

const SESSION = 'https://w3id.org/xapi/cmi5/context/extensions/sessionid';

/**
 * A sample statement as an AU of this launch sends it: the specification's statement with the
 * launch's actor, object id, registration, session id and publisher id (grouping) in place of the
 * sample's, a fresh statement id, and `timestamp` set to `at`. Everything else as the sample has it.
 */
export function asLaunched(sample: any, ids: LaunchIds, at: Date, id: string = crypto.randomUUID()): any {
  const s = structuredClone(sample);
  s.id = id;
  s.actor = ids.actor;
  s.object.id = ids.activityId;
  s.context.registration = ids.registration;
  s.context.extensions[SESSION] = ids.sessionId;
  for (const g of s.context.contextActivities?.grouping ?? []) g.id = ids.publisherId;
  s.timestamp = at.toISOString();
  return s;
}
