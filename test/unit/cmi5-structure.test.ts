/**
 * Issue 16, cmi5 course structures (cmi5 §13, §14): the specification's own examples and the
 * course fixture read into course, blocks and AUs; whitespace trimmed, defaults applied
 * (§13.1.4), launch files checked, external AUs and malformed structures refused with stable codes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Cmi5StructureError, parseCmi5Structure } from '../../adapters/lms/cmi5-structure.ts';
import { readCoursePackage, ScormPackageError } from '../../adapters/lms/scorm-package.ts';
import { CMI5_AUS, CMI5_FIXTURES_DIR, cmi5FixtureZip } from '../support/cmi5.ts';

const refused = (f: () => unknown, code: string) => {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(Cmi5StructureError);
    expect((err as Cmi5StructureError).code).toBe(code);
    return err as Cmi5StructureError;
  }
  throw new Error(`not refused (${code})`);
};

/** The specification's v1/examples/simple-cmi5.xml with its AU url made relative (§14.1: an AU in the zip). */
const SIMPLE = `<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="http://course-repository.example.edu/identifiers/courses/02baafcf">
    <title>
      <langstring lang="en-US">Introduction to Geology</langstring>
    </title>
    <description>
      <langstring lang="en-US">
        This course will introduce you into the basics of geology. This includes subjects such as
        plate tectonics, geological materials and the history of the Earth.
      </langstring>
    </description>
  </course>
  <au id="http://course-repository.example.edu/identifiers/courses/02baafcf/aus/4c07">
    <title>
      <langstring lang="en-US">Introduction to Geology</langstring>
    </title>
    <description>
      <langstring lang="en-US">
        This course will introduce you into the basics of geology. This includes subjects such as
        plate tectonics, geological materials and the history of the Earth.
      </langstring>
    </description>
    <url>launch.html</url>
  </au>
</courseStructure>`;

describe('cmi5 course structure', () => {
  it("reads the specification's simple example with the §13.1.4 defaults", () => {
    const s = parseCmi5Structure(SIMPLE, new Set(['cmi5.xml', 'launch.html']), 'k');
    expect(s.version).toBe('cmi5');
    expect(s.title).toBe('Introduction to Geology');
    expect(s.cmi5.course.id).toBe('http://course-repository.example.edu/identifiers/courses/02baafcf');
    expect(s.cmi5.aus).toHaveLength(1);
    const au = s.cmi5.aus[0]!;
    expect(au).toMatchObject({
      id: 'http://course-repository.example.edu/identifiers/courses/02baafcf/aus/4c07',
      launchMethod: 'AnyWindow',
      moveOn: 'NotApplicable',
      masteryScore: null,
      launch: 'launch.html',
      blocks: [],
    });
    expect(au.description).toMatch(/^This course will introduce you into the basics of geology\. This includes subjects such as plate tectonics/);
    // §8.1.5: the LMS's activity id never is the publisher's; §9.4: nor are the course's and blocks'.
    expect(au.lmsId).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(au.lmsId).not.toBe(au.id);
    expect(s.cmi5.course.lmsId).not.toBe(au.lmsId);
    // The same package gives the same ids (§8.1.5 "SHOULD use the same generated activityId … for all registrations").
    expect(parseCmi5Structure(SIMPLE, new Set(['launch.html']), 'k').cmi5.aus[0]!.lmsId).toBe(au.lmsId);
    expect(s.scos).toEqual([{ identifier: au.id, title: au.title, resource: 'cmi5-au', launch: 'launch.html', href: 'launch.html' }]);
  });

  it("refuses the specification's simple example as it is: its AU url is absolute (decision: AUs run on the content origin)", () => {
    const err = refused(
      () =>
        parseCmi5Structure(
          SIMPLE.replace('<url>launch.html</url>', '<url>http://course-repository.example.edu/identifiers/courses/02baafcf/aus/4c07/launch.html</url>'),
          new Set(),
          'k',
        ),
      'cmi5-external-au',
    );
    expect(err.status).toBe(422);
  });

  it("reads the specification's complex example: nested blocks in document order, moveOn and masteryScore", () => {
    const xml = fs.readFileSync(path.join(CMI5_FIXTURES_DIR, 'spec-samples', 'complex-cmi5.xml'), 'utf8');
    // Its AU urls are absolute; make them package files to read the rest.
    const files = new Set<string>();
    const relative = xml.replace(/<url>\s*https?:\/\/([^<]+?)\s*<\/url>/gu, (_m, rest: string) => {
      const p = rest.replace(/[?#].*$/u, '');
      files.add(p);
      return `<url>${rest}</url>`;
    });
    const s = parseCmi5Structure(relative, files, 'k');
    expect(s.cmi5.aus.length).toBeGreaterThan(2);
    expect(s.cmi5.blocks.length).toBeGreaterThan(1);
    const first = s.cmi5.aus[0]!;
    expect(first).toMatchObject({
      id: 'http://courses.example.edu/identifiers/courses/d07e186b/blocks/001/aus/64f6',
      moveOn: 'CompletedOrPassed',
      masteryScore: 1,
      activityType: 'http://adlnet.gov/expapi/activities/lesson',
      launchMethod: 'AnyWindow',
      blocks: ['http://courses.example.edu/identifiers/courses/d07e186b/blocks/001'],
    });
    for (const au of s.cmi5.aus) for (const b of au.blocks) expect(s.cmi5.blocks.some((x) => x.id === b)).toBe(true);
  });

  it('reads the course fixture package: cmi5.xml at the root, AUs with their files and launch parameters', async () => {
    const pkg = await readCoursePackage(cmi5FixtureZip());
    expect(pkg.manifest.version).toBe('cmi5');
    if (pkg.manifest.version !== 'cmi5') return;
    const { cmi5 } = pkg.manifest;
    expect(pkg.manifest.title).toBe('Deontologia professionale 2026');
    expect(cmi5.aus.map((a) => [a.id, a.moveOn, a.masteryScore])).toEqual([
      [CMI5_AUS.lesson, 'Completed', null],
      [CMI5_AUS.test, 'CompletedAndPassed', 0.8],
      [CMI5_AUS.reading, 'NotApplicable', null],
    ]);
    expect(cmi5.aus[0]).toMatchObject({
      launch: 'au/lezione.html',
      href: 'au/lezione.html?lang=it',
      launchParameters: 'Start=1,QuizMode=0',
      title: 'Lezione 1',
    });
    // §13.1: whitespace around the url is removed.
    expect(cmi5.aus[1]!.launch).toBe('au/verifica.html');
    expect(cmi5.blocks).toEqual([
      expect.objectContaining({ id: 'https://corsi.example.it/identifiers/courses/deontologia-2026/blocks/modulo-1', title: 'Modulo 1', blocks: [] }),
    ]);
    expect(cmi5.aus[2]!.blocks).toEqual([]);
  });

  it('refuses what cannot be a course structure, with stable codes', async () => {
    const files = new Set(['launch.html']);
    refused(() => parseCmi5Structure(SIMPLE.replace('<url>launch.html</url>', '<url>missing.html</url>'), files, 'k'), 'launch-file-missing');
    refused(() => parseCmi5Structure(SIMPLE.replace('<url>launch.html</url>', '<url>../up.html</url>'), files, 'k'), 'launch-file-missing');
    refused(() => parseCmi5Structure(SIMPLE.replace('<au id=', '<au moveOn="Sometimes" id='), files, 'k'), 'manifest-malformed');
    refused(() => parseCmi5Structure(SIMPLE.replace('<au id=', '<au masteryScore="85" id='), files, 'k'), 'manifest-malformed');
    refused(() => parseCmi5Structure(SIMPLE.replace('<au id=', '<au launchMethod="Popup" id='), files, 'k'), 'manifest-malformed');
    refused(() => parseCmi5Structure(SIMPLE.replace('02baafcf/aus/4c07', '02baafcf'), files, 'k'), 'manifest-malformed');
    refused(() => parseCmi5Structure('<!DOCTYPE x [<!ENTITY a "b">]><courseStructure/>', files, 'k'), 'manifest-malformed');
    refused(() => parseCmi5Structure('<courseStructure><course id="x">', files, 'k'), 'manifest-malformed');
    refused(() => parseCmi5Structure(SIMPLE.replace(/<au [\s\S]*<\/au>/u, ''), files, 'k'), 'no-sco');
    // A zip with neither file: not a course package.
    const err = await readCoursePackage(cmi5FixtureZip((f) => f.delete('cmi5.xml'))).catch((e) => e);
    expect(err).toBeInstanceOf(ScormPackageError);
    expect(err.code).toBe('manifest-missing');
  });
});
