/**
 * @module The SCORM fixtures of `test/fixtures/scorm/` (issue 6) zipped at run time, and hostile
 * variants of them. Reusable by the player and browser tests.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflated, zip, type ZipPart } from './zip.ts';

export type ScormFixture = 'scorm12' | 'scorm2004';

export const SCORM_FIXTURES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'scorm');

/** The files of a fixture: zip path (forward slashes, relative to the package root) → bytes. */
export function scormFixtureFiles(name: ScormFixture): Map<string, Buffer> {
  const root = path.join(SCORM_FIXTURES_DIR, name);
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
