/**
 * @module Reading a SCORM `imsmanifest.xml` (issue 6 §1): the SCORM version (1.2 or 2004), the
 * organisation's title and its SCOs (items whose resource has `adlcp:scormtype`/`adlcp:scormType`
 * = `sco`) with their launch files, each checked to exist in the package.
 *
 * The manifest is untrusted XML. It is parsed with fast-xml-parser, which never fetches
 * anything (no external entities, no DTD loading); a manifest with a `<!DOCTYPE` or `<!ENTITY`
 * is refused outright (SCORM manifests are schema-validated, never DTD-based), so only the five
 * predefined entities and character references are expanded. The text is checked as well-formed
 * (`XMLValidator`) before it is parsed, and is at most `MAX_MANIFEST_BYTES`.
 *
 * Version: `metadata/schemaversion` `1.2` is SCORM 1.2; `CAM 1.3` or `2004 …` is SCORM 2004;
 * without it, the `adlcp` namespace decides (`adlcp_rootv1p2` → 1.2, `adlcp_v1p3` → 2004).
 * Anything else is `unsupported-scorm-version`.
 */
import { XMLParser } from 'fast-xml-parser';
import type { ManifestSummary, ScoSummary, ScormVersion } from '../../src/domain/elearning-compliance.ts';
import { problemEntry, type ProblemCode, type ProblemStatus } from '../../src/schemas/problems.ts';
import { UNTRUSTED_XML_OPTIONS, untrustedXmlText } from './untrusted-xml.ts';

export const MANIFEST_PATH = 'imsmanifest.xml';

/** Problem codes of `src/schemas/problems.ts`: 413 for a limit, 422 for a package that cannot be accepted. */
export type ScormPackageErrorCode = Extract<
  ProblemCode,
  | 'file-too-large'
  | 'zip-bomb'
  | 'not-a-zip'
  | 'encrypted-file'
  | 'unreadable-file'
  | 'unsafe-path'
  | 'manifest-missing'
  | 'manifest-malformed'
  | 'unsupported-scorm-version'
  | 'no-sco'
  | 'launch-file-missing'
>;

/** The package is refused as a whole, with a stable code; the status is the problem table's. */
export class ScormPackageError extends Error {
  readonly status: ProblemStatus;
  constructor(
    readonly code: ScormPackageErrorCode,
    message: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.status = problemEntry(code).status;
  }
}

const fail = (code: ScormPackageErrorCode, message: string, extra?: Record<string, unknown>) => new ScormPackageError(code, message, extra);

/** A parsed element: attributes under `@`-keys, children as arrays under their local names. */
type Node = { [key: string]: unknown };

const parser = new XMLParser({
  ...UNTRUSTED_XML_OPTIONS,
  // Every element is an array, so one child or many read the same way.
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
});

/** The local part of a qualified name (`adlcp:scormType` → `scormType`). */
const local = (name: string) => name.slice(name.indexOf(':') + 1);

/** Children of `node` with local name `name` (any prefix). */
function children(node: Node | undefined, name: string): Node[] {
  if (!node) return [];
  const out: Node[] = [];
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@') || k === '#text' || local(k) !== name) continue;
    for (const c of Array.isArray(v) ? v : [v]) out.push(typeof c === 'object' && c !== null ? (c as Node) : { '#text': String(c) });
  }
  return out;
}

/** An attribute by local name, case-insensitive (`scormtype` in 1.2, `scormType` in 2004). */
function attr(node: Node | undefined, name: string): string | undefined {
  if (!node) return undefined;
  const want = name.toLowerCase();
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith('@') && !k.startsWith('@xmlns') && local(k.slice(1)).toLowerCase() === want) return String(v);
  }
  return undefined;
}

function text(node: Node | undefined): string {
  if (!node) return '';
  const t = node['#text'];
  return t === undefined ? '' : String(t).trim();
}

function namespaces(node: Node): string[] {
  return Object.entries(node)
    .filter(([k]) => k === '@xmlns' || k.startsWith('@xmlns:'))
    .map(([, v]) => String(v));
}

function detectVersion(manifest: Node, schemaVersion: string | null): ScormVersion {
  const sv = (schemaVersion ?? '').trim().toLowerCase();
  if (sv === '1.2') return '1.2';
  if (sv.startsWith('2004') || sv === 'cam 1.3') return '2004';
  if (sv)
    throw fail('unsupported-scorm-version', `The manifest declares schemaversion "${schemaVersion!.slice(0, 40)}"; only SCORM 1.2 and 2004 are supported`);
  const ns = namespaces(manifest).join(' ');
  if (/adlcp_rootv1p2/iu.test(ns)) return '1.2';
  if (/adlcp_v1p3/iu.test(ns)) return '2004';
  throw fail('unsupported-scorm-version', 'The manifest declares neither a SCORM schemaversion nor a SCORM adlcp namespace');
}

/**
 * Resolves a launch href against the `xml:base`s into a path inside the package, or null when
 * it leaves the package (absolute URL, `..` above the root).
 */
export function resolveLaunch(bases: readonly string[], href: string): { path: string; href: string } | null {
  const joined = [...bases.filter((b) => b.length > 0), href].join('/').replace(/\/{2,}/gu, '/');
  if (/^[a-z][a-z0-9+.-]*:/iu.test(joined) || joined.startsWith('/') || joined.includes('\\')) return null;
  const cut = joined.search(/[?#]/u);
  const pathPart = cut === -1 ? joined : joined.slice(0, cut);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    return null;
  }
  const out: string[] = [];
  for (const seg of decoded.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (!out.length) return null;
      out.pop();
    } else out.push(seg);
  }
  if (!out.length) return null;
  const path = out.join('/');
  return { path, href: path + (cut === -1 ? '' : joined.slice(cut)) };
}

/**
 * Reads the manifest and checks every SCO's launch file against `files` (the package's paths).
 *
 * @example const summary = parseManifest(bytes, new Set(['imsmanifest.xml', 'sco1.html']))
 */
export function parseManifest(bytes: Uint8Array | string, files: ReadonlySet<string>): ManifestSummary {
  const xml = untrustedXmlText(bytes, 'The manifest', (message, extra) => fail('manifest-malformed', message, extra));
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch {
    throw fail('manifest-malformed', 'The manifest cannot be parsed');
  }
  const manifest = children(doc, 'manifest')[0];
  if (!manifest) throw fail('manifest-malformed', 'The root element of the manifest is not <manifest>');

  const metadata = children(manifest, 'metadata')[0];
  const schemaVersion = text(children(metadata, 'schemaversion')[0]) || null;
  const version = detectVersion(manifest, schemaVersion);

  // Resources by identifier, with their xml:base chain.
  const resourcesNode = children(manifest, 'resources')[0];
  const rootBases = [attr(manifest, 'base') ?? '', attr(resourcesNode, 'base') ?? ''];
  const resources = new Map<string, { node: Node; bases: string[] }>();
  for (const r of children(resourcesNode, 'resource')) {
    const id = attr(r, 'identifier');
    if (id && !resources.has(id)) resources.set(id, { node: r, bases: [...rootBases, attr(r, 'base') ?? ''] });
  }
  const isSco = (r: Node) => (attr(r, 'scormtype') ?? '').trim().toLowerCase() === 'sco';
  const assets = [...resources.values()].filter((r) => !isSco(r.node)).length;

  // The default organisation, else the first.
  const orgsNode = children(manifest, 'organizations')[0];
  const orgs = children(orgsNode, 'organization');
  const wanted = attr(orgsNode, 'default');
  const org = orgs.find((o) => attr(o, 'identifier') === wanted) ?? orgs[0];
  if (!org) throw fail('no-sco', 'The manifest has no organization: there is nothing to launch');
  const title = text(children(org, 'title')[0]) || text(children(metadata, 'title')[0]) || (attr(org, 'identifier') ?? 'Corso');

  const scos: ScoSummary[] = [];
  const hiddenScos: ScoSummary[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  // SCORM 2004 sequencing (IMS SS) anywhere in the organisation: read to be reported, not enforced.
  const sequencingElements = new Set<string>();
  let sequencedPlaces = 0;
  const noteSequencing = (node: Node) => {
    const seq = children(node, 'sequencing');
    if (!seq.length) return;
    sequencedPlaces++;
    for (const s of seq) for (const k of Object.keys(s)) if (!k.startsWith('@') && k !== '#text') sequencingElements.add(local(k));
  };
  const walk = (items: Node[], depth: number, inherited: { hidden: boolean; prerequisites: string[] }) => {
    if (depth > 50) throw fail('manifest-malformed', 'The manifest nests items more than 50 levels deep');
    for (const item of items) {
      const ref = attr(item, 'identifierref');
      const id = attr(item, 'identifier') ?? `item-${scos.length + hiddenScos.length + 1}`;
      const res = ref ? resources.get(ref) : undefined;
      // isvisible="false" hides the item and what it holds (CAM: the item is not shown to the learner).
      const hidden = inherited.hidden || (attr(item, 'isvisible') ?? '').trim().toLowerCase() === 'false';
      // 1.2 prerequisites of an aggregation hold for every item inside it.
      const own = version === '1.2' ? text(children(item, 'prerequisites')[0]) : '';
      const prerequisites = own ? [...inherited.prerequisites, own] : inherited.prerequisites;
      noteSequencing(item);
      if (res && isSco(res.node)) {
        if (seen.has(id)) throw fail('manifest-malformed', `Two items have the identifier "${id.slice(0, 80)}"`);
        seen.add(id);
        const href = attr(res.node, 'href');
        const params = attr(item, 'parameters') ?? '';
        const joined = !href || !params ? href : href + (/^[?#]/u.test(params) ? params : (href.includes('?') ? '&' : '?') + params);
        const launch = joined ? resolveLaunch(res.bases, joined) : null;
        if (!launch || !files.has(launch.path)) missing.push(launch?.path ?? href ?? `(no href on resource ${ref})`);
        else {
          const mastery = version === '1.2' ? Number(text(children(item, 'masteryscore')[0]) || NaN) : NaN;
          (hidden ? hiddenScos : scos).push({
            identifier: id,
            title: text(children(item, 'title')[0]) || id,
            resource: ref!,
            launch: launch.path,
            href: launch.href,
            ...(Number.isFinite(mastery) ? { masteryScore: mastery } : {}),
            ...(prerequisites.length ? { prerequisites: prerequisites.length === 1 ? prerequisites[0] : prerequisites.map((p) => `(${p})`).join(' & ') } : {}),
          });
        }
      }
      walk(children(item, 'item'), depth + 1, { hidden, prerequisites });
    }
  };
  noteSequencing(org);
  // A collection holds shared definitions that items reference: reported with them.
  for (const c of children(manifest, 'sequencingCollection')) noteSequencing(c);
  walk(children(org, 'item'), 0, { hidden: false, prerequisites: [] });
  if (missing.length) {
    throw fail(
      'launch-file-missing',
      `SCO launch file(s) not in the package: ${missing
        .slice(0, 10)
        .map((m) => m.slice(0, 200))
        .join(', ')}`,
      { missing: missing.slice(0, 50) },
    );
  }
  if (!scos.length)
    throw fail(
      'no-sco',
      hiddenScos.length
        ? 'Every SCO of the manifest is hidden (isvisible="false"): there is nothing to offer the learner'
        : 'The manifest lists no SCO (an item whose resource has scormtype "sco")',
    );
  return {
    version,
    schemaVersion,
    identifier: attr(manifest, 'identifier') ?? null,
    title,
    organisation: attr(org, 'identifier') ?? null,
    scos,
    ...(hiddenScos.length ? { hiddenScos } : {}),
    ...(sequencedPlaces ? { sequencing: { places: sequencedPlaces, elements: [...sequencingElements].sort() } } : {}),
    assets,
  };
}
