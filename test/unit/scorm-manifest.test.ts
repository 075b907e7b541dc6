/** Issue 6 §1: reading SCORM manifests and packages (both versions, hostile and broken ones). */
import { describe, expect, it } from 'vitest';
import { parseManifest, resolveLaunch, ScormPackageError } from '../../adapters/lms/scorm-manifest.ts';
import { readScormPackage } from '../../adapters/lms/scorm-package.ts';
import { unsafePathReason } from '../../adapters/zip/guard.ts';
import { scormFixtureFiles, scormFixtureZip, zipFiles } from '../support/scorm.ts';
import { deflated, deflatedZeros } from '../support/zip.ts';

async function refused(p: Promise<unknown>, code: string) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScormPackageError);
  expect((err as ScormPackageError).code).toBe(code);
  return err as ScormPackageError;
}

const manifestOf = (name: 'scorm12' | 'scorm2004') => scormFixtureFiles(name).get('imsmanifest.xml')!.toString('utf8');

describe('SCORM manifest', () => {
  it('reads the SCORM 1.2 fixture: version, title, SCOs, launch files, mastery score', async () => {
    const pkg = await readScormPackage(scormFixtureZip('scorm12'));
    expect(pkg.manifest).toMatchObject({
      version: '1.2',
      schemaVersion: '1.2',
      identifier: 'it.cdl.fixture.scorm12',
      title: 'Sicurezza sul lavoro & privacy (SCORM 1.2)',
      organisation: 'ORG-1',
      assets: 1,
    });
    expect(pkg.manifest.scos.map((s) => [s.identifier, s.launch, s.href])).toEqual([
      ['ITEM-1', 'sco1.html', 'sco1.html'],
      ['ITEM-2', 'sco2.html', 'sco2.html'],
      ['ITEM-TEST', 'test.html', 'test.html'],
    ]);
    expect(pkg.manifest.scos[2]!.masteryScore).toBe(75);
    expect(pkg.manifest.scos[0]!.title).toBe('Modulo 1 – Obblighi del datore di lavoro');
    expect(pkg.files.map((f) => f.path).sort()).toEqual(['imsmanifest.xml', 'sco1.html', 'sco2.html', 'shared/sco.js', 'shared/style.css', 'test.html']);
    expect(pkg.files.find((f) => f.path === 'sco1.html')!.contentType).toBe('text/html; charset=utf-8');
    expect(pkg.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads the SCORM 2004 fixture: xml:base and item parameters', async () => {
    const pkg = await readScormPackage(scormFixtureZip('scorm2004'));
    expect(pkg.manifest).toMatchObject({ version: '2004', schemaVersion: '2004 4th Edition', title: 'Contratti di lavoro (SCORM 2004)' });
    expect(pkg.manifest.scos.map((s) => [s.identifier, s.launch, s.href])).toEqual([
      ['LEZIONE-1', 'lezioni/lezione1.html', 'lezioni/lezione1.html'],
      ['LEZIONE-2', 'lezioni/lezione2.html', 'lezioni/lezione2.html'],
      ['VERIFICA', 'verifica.html', 'verifica.html?mode=test'],
    ]);
  });

  it('detects the version from the adlcp namespace when schemaversion is absent', () => {
    const files = new Set(['sco1.html', 'sco2.html', 'test.html', 'lezioni/lezione1.html', 'lezioni/lezione2.html', 'verifica.html']);
    const strip = (xml: string) => xml.replace(/<schemaversion>[^<]*<\/schemaversion>/u, '');
    expect(parseManifest(strip(manifestOf('scorm12')), files).version).toBe('1.2');
    expect(parseManifest(strip(manifestOf('scorm2004')), files).version).toBe('2004');
    const neither = strip(manifestOf('scorm12')).replace('adlcp_rootv1p2"', 'somethingelse"');
    expect(() => parseManifest(neither, files)).toThrowError(expect.objectContaining({ code: 'unsupported-scorm-version' }));
    expect(() => parseManifest(manifestOf('scorm12').replace('>1.2<', '>1.1<'), files)).toThrowError(
      expect.objectContaining({ code: 'unsupported-scorm-version' }),
    );
  });

  it('refuses a package without a manifest, and says so when it is in a folder', async () => {
    await refused(readScormPackage(scormFixtureZip('scorm12', (f) => f.delete('imsmanifest.xml'))), 'manifest-missing');
    const nested = new Map([...scormFixtureFiles('scorm12')].map(([n, b]) => [`corso/${n}`, b]));
    const err = await refused(readScormPackage(zipFiles(nested)), 'manifest-missing');
    expect(err.message).toMatch(/root/);
  });

  it('refuses a SCO whose launch file is not in the package', async () => {
    const err = await refused(readScormPackage(scormFixtureZip('scorm2004', (f) => f.delete('lezioni/lezione2.html'))), 'launch-file-missing');
    expect(err.extra).toEqual({ missing: ['lezioni/lezione2.html'] });
    // An href leaving the package is never "in" it.
    await refused(
      readScormPackage(
        scormFixtureZip('scorm12', (f) => f.set('imsmanifest.xml', Buffer.from(manifestOf('scorm12').replace('href="sco2.html"', 'href="../sco2.html"')))),
      ),
      'launch-file-missing',
    );
    await refused(
      readScormPackage(
        scormFixtureZip('scorm12', (f) =>
          f.set('imsmanifest.xml', Buffer.from(manifestOf('scorm12').replace('href="sco2.html"', 'href="https://evil.example/sco2.html"'))),
        ),
      ),
      'launch-file-missing',
    );
  });

  it('refuses malformed XML, DOCTYPEs and entity declarations, and a manifest with no SCO', () => {
    const files = new Set(['sco1.html', 'sco2.html', 'test.html']);
    expect(() => parseManifest('<manifest><organizations></manifest>', files)).toThrowError(expect.objectContaining({ code: 'manifest-malformed' }));
    expect(() => parseManifest('not xml at all', files)).toThrowError(expect.objectContaining({ code: 'manifest-malformed' }));
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><manifest>&lol2;</manifest>`;
    expect(() => parseManifest(bomb, files)).toThrowError(expect.objectContaining({ code: 'manifest-malformed' }));
    const xxe = `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><manifest>&x;</manifest>`;
    expect(() => parseManifest(xxe, files)).toThrowError(expect.objectContaining({ code: 'manifest-malformed' }));
    expect(() => parseManifest(Buffer.from([0x3c, 0xff, 0xfe]), files)).toThrowError(expect.objectContaining({ code: 'manifest-malformed' }));
    const assetsOnly = manifestOf('scorm12').replace(/adlcp:scormtype="sco"/gu, 'adlcp:scormtype="asset"');
    expect(() => parseManifest(assetsOnly, files)).toThrowError(expect.objectContaining({ code: 'no-sco' }));
  });

  it('follows isvisible and 1.2 prerequisites (issue 16): hidden items are neither offered nor required', async () => {
    const pkg = await readScormPackage(scormFixtureZip('scorm12-minimal'));
    expect(pkg.manifest.scos.map((s) => [s.identifier, s.prerequisites, s.masteryScore])).toEqual([
      ['ITEM-INTRO', undefined, undefined],
      ['ITEM-TEST', 'ITEM-INTRO', 80],
    ]);
    expect(pkg.manifest.hiddenScos?.map((s) => s.identifier)).toEqual(['ITEM-NOTES']);
    expect(pkg.manifest.sequencing).toBeUndefined();
    // A hidden aggregation hides what it holds; prerequisites of an aggregation hold for its items too.
    const files = new Set(['a.html', 'b.html', 'c.html']);
    const res = (id: string, href: string) => `<resource identifier="${id}" type="webcontent" adlcp:scormtype="sco" href="${href}"/>`;
    const nested = `<?xml version="1.0"?>
      <manifest identifier="m" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
        <metadata><schemaversion>1.2</schemaversion></metadata>
        <organizations default="o"><organization identifier="o"><title>T</title>
          <item identifier="A" identifierref="RA"><title>A</title></item>
          <item identifier="BLOCK" isvisible="true"><title>Blocco</title>
            <adlcp:prerequisites type="aicc_script">A</adlcp:prerequisites>
            <item identifier="B" identifierref="RB"><title>B</title><adlcp:prerequisites type="aicc_script">~A = f</adlcp:prerequisites></item>
          </item>
          <item identifier="HIDDEN" isvisible="FALSE"><title>Nascosto</title>
            <item identifier="C" identifierref="RC" isvisible="true"><title>C</title></item>
          </item>
        </organization></organizations>
        <resources>${res('RA', 'a.html')}${res('RB', 'b.html')}${res('RC', 'c.html')}</resources>
      </manifest>`;
    const m = parseManifest(nested, files);
    expect(m.scos.map((s) => [s.identifier, s.prerequisites])).toEqual([
      ['A', undefined],
      ['B', '(A) & (~A = f)'],
    ]);
    expect(m.hiddenScos?.map((s) => s.identifier)).toEqual(['C']);
    // Every SCO hidden: nothing to offer.
    const allHidden = nested
      .replace('<item identifier="A" identifierref="RA">', '<item identifier="A" identifierref="RA" isvisible="false">')
      .replace('<item identifier="BLOCK" isvisible="true">', '<item identifier="BLOCK" isvisible="false">');
    expect(() => parseManifest(allHidden, files)).toThrowError(expect.objectContaining({ code: 'no-sco', message: expect.stringMatching(/hidden/) }));
  });

  it('reports SCORM 2004 sequencing: where it is and which elements it uses', () => {
    const files = new Set(['lezioni/lezione1.html', 'lezioni/lezione2.html', 'verifica.html']);
    // The fixture's test already has an objective satisfied by measure.
    expect(parseManifest(manifestOf('scorm2004'), files).sequencing).toEqual({ places: 1, elements: ['objectives'] });
    const xml = manifestOf('scorm2004')
      .replace(
        /(<item identifier="VERIFICA"[^>]*>)/u,
        `$1<imsss:sequencing><imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions><imsss:ruleAction action="disabled"/></imsss:preConditionRule></imsss:sequencingRules><imsss:limitConditions attemptLimit="2"/></imsss:sequencing>`,
      )
      .replace('</organization>', '<imsss:sequencing><imsss:controlMode flow="true" choice="false"/></imsss:sequencing></organization>');
    const m = parseManifest(xml, files);
    expect(m.sequencing).toEqual({ places: 2, elements: ['controlMode', 'limitConditions', 'objectives', 'sequencingRules'] });
    expect(m.scos).toHaveLength(3);
  });

  it('resolves launch paths inside the package only', () => {
    expect(resolveLaunch(['', 'lezioni/'], 'a%20b.html?x=1#p')).toEqual({ path: 'lezioni/a b.html', href: 'lezioni/a b.html?x=1#p' });
    expect(resolveLaunch(['lezioni/'], '../index.html')).toEqual({ path: 'index.html', href: 'index.html' });
    expect(resolveLaunch([], '../index.html')).toBeNull();
    expect(resolveLaunch([], '/etc/passwd')).toBeNull();
    expect(resolveLaunch([], 'http://x/y.html')).toBeNull();
    expect(resolveLaunch([], 'a\\b.html')).toBeNull();
  });
});

describe('SCORM zip guard', () => {
  it('names unsafe paths', () => {
    expect(unsafePathReason('../evil.html')).toBe('parent segment');
    expect(unsafePathReason('a/../../evil.html')).toBe('parent segment');
    expect(unsafePathReason('/etc/passwd')).toBe('absolute path');
    expect(unsafePathReason('C:/x.html')).toBe('drive letter');
    expect(unsafePathReason('a\\..\\x.html')).toBe('backslash');
    expect(unsafePathReason('a//b.html')).toBe('empty or dot segment');
    expect(unsafePathReason('a/b.html')).toBeNull();
    expect(unsafePathReason('dir/')).toBeNull();
  });

  it('refuses traversal, absolute and backslash names', async () => {
    for (const name of ['../evil.html', 'a/../../evil.html', '/abs.html', 'a\\..\\..\\evil.html', 'C:/evil.html']) {
      await refused(readScormPackage(zipFiles(scormFixtureFiles('scorm12'), [deflated(name, 'x')])), 'unsafe-path');
    }
  });

  it('refuses zip bombs (ratio, total, entry count, lying sizes), encrypted entries and non-zips', async () => {
    const bomb = await deflatedZeros('big.bin', 50 * 1024 * 1024);
    await refused(readScormPackage(zipFiles(scormFixtureFiles('scorm12'), [bomb])), 'zip-bomb');
    await refused(readScormPackage(scormFixtureZip('scorm12'), { maxUncompressedBytes: 1000 }), 'zip-bomb');
    await refused(readScormPackage(scormFixtureZip('scorm12'), { maxEntries: 3 }), 'zip-bomb');
    const liar = { ...(await deflatedZeros('liar.bin', 2 * 1024 * 1024)), declaredSize: 100 };
    await refused(readScormPackage(zipFiles(scormFixtureFiles('scorm12'), [liar])), 'zip-bomb');
    await refused(readScormPackage(zipFiles(scormFixtureFiles('scorm12'), [{ ...deflated('secret.html', 'x'), encrypted: true }])), 'encrypted-file');
    await refused(readScormPackage(Buffer.from('<html>not a zip</html>')), 'not-a-zip');
    await refused(readScormPackage(Buffer.concat([scormFixtureZip('scorm12').subarray(0, 200)])), 'unreadable-file');
    await refused(readScormPackage(scormFixtureZip('scorm12'), { maxBytes: 100 }), 'file-too-large');
  });
});
