/**
 * @module Reading a cmi5 course structure (`cmi5.xml`, cmi5 §13, §14; issue 16): the course, its
 * blocks and its assignable units (AUs) in document order, each AU with what the launch and the
 * derivation need (id, url, launchMethod, moveOn, masteryScore, activityType, launchParameters,
 * entitlementKey) and its launch file checked to exist in the package.
 *
 * The XML is untrusted and read under the same policy as `imsmanifest.xml` (`scorm-manifest.ts`):
 * at most `MAX_MANIFEST_BYTES`, UTF-8, no `<!DOCTYPE`/`<!ENTITY` (the cmi5 structure is
 * XSD-validated, never DTD-based), well-formed before parsing, fast-xml-parser that fetches nothing.
 *
 * §13.1: "All leading/trailing whitespace MUST be removed by the LMS on import" — every value is
 * trimmed. §13.1.4 defaults: `launchMethod` "AnyWindow", `moveOn` "NotApplicable".
 *
 * **Decision** (§14.1 allows "fully qualified" URLs for AUs not in the zip): an AU whose `url` is
 * absolute (or leaves the package) is refused (`cmi5-external-au`). Such an AU would run on a
 * third party's origin, outside the content origin (R-ISO-1), would have to be handed the auth
 * token and the LRS across origins, and its content could not be checked against the course
 * declaration (R-ELN-5); a provider packages the AU instead.
 */
import crypto from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import type { ScoSummary } from '../../src/domain/elearning-compliance.ts';
import { CMI5_MOVE_ON, type Cmi5Au, type Cmi5Block, type Cmi5MoveOn, type Cmi5Summary } from '../../src/domain/cmi5-course.ts';
import { problemEntry, type ProblemCode, type ProblemStatus } from '../../src/schemas/problems.ts';
import { resolveLaunch } from './scorm-manifest.ts';
import { UNTRUSTED_XML_OPTIONS, untrustedXmlText } from './untrusted-xml.ts';

/** §14: "A course package, when located in a ZIP file, MUST be named cmi5.xml" (at its root, §14.1). */
export const CMI5_STRUCTURE_PATH = 'cmi5.xml';

export type Cmi5StructureErrorCode = Extract<ProblemCode, 'manifest-malformed' | 'no-sco' | 'launch-file-missing' | 'cmi5-external-au'>;

/** The structure is refused as a whole, with a stable code; the status is the problem table's. */
export class Cmi5StructureError extends Error {
  readonly status: ProblemStatus;
  constructor(
    readonly code: Cmi5StructureErrorCode,
    message: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
    this.status = problemEntry(code).status;
  }
}

const fail = (code: Cmi5StructureErrorCode, message: string, extra?: Record<string, unknown>) => new Cmi5StructureError(code, message, extra);

type Node = { [key: string]: unknown };

const parser = new XMLParser({
  ...UNTRUSTED_XML_OPTIONS,
  // Keeps document order of mixed <block>/<au> children (§13.1: the order is the course's).
  preserveOrder: true,
});

const local = (name: string) => name.slice(name.indexOf(':') + 1);

/** With `preserveOrder`, an element is `{ tag: [children…], ':@': { '@attr': … } }`. */
interface El {
  name: string;
  attrs: Record<string, string>;
  kids: El[];
  text: string;
}

function toEl(raw: Node): El | null {
  const key = Object.keys(raw).find((k) => k !== ':@');
  if (!key || key === '#text') return null;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries((raw[':@'] as Node | undefined) ?? {}))
    if (k.startsWith('@') && !k.startsWith('@xmlns')) attrs[local(k.slice(1))] = String(v).trim();
  const body = (raw[key] as Node[] | undefined) ?? [];
  const kids: El[] = [];
  let text = '';
  for (const c of body) {
    if ('#text' in c) text += String(c['#text']);
    else {
      const el = toEl(c);
      if (el) kids.push(el);
    }
  }
  return { name: local(key), attrs, kids, text: text.trim() };
}

const kid = (el: El | undefined, name: string) => el?.kids.find((k) => k.name === name);

/** A langstring (§13.1): the Italian one, else the first. */
function langstring(el: El | undefined): string {
  const all = (el?.kids ?? []).filter((k) => k.name === 'langstring');
  const it = all.find((k) => /^it\b/iu.test(k.attrs.lang ?? ''));
  return (it ?? all[0])?.text.replace(/\s+/gu, ' ') ?? '';
}

/** A stable LMS-generated IRI (§8.1.5, §9.4: "MUST NOT match the publisher's ID"): a name-based UUID of the package and the publisher id. */
export function lmsActivityId(packageKey: string, kind: 'au' | 'block' | 'course', publisherId: string): string {
  const h = crypto.createHash('sha256').update(`${packageKey}\n${kind}\n${publisherId}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

function moveOnOf(v: string | undefined, auId: string): Cmi5MoveOn {
  if (v === undefined || v === '') return 'NotApplicable';
  if ((CMI5_MOVE_ON as readonly string[]).includes(v)) return v as Cmi5MoveOn;
  throw fail('manifest-malformed', `AU "${auId.slice(0, 120)}": moveOn "${v.slice(0, 40)}" is not one of ${CMI5_MOVE_ON.join(', ')} (§13.1.4)`);
}

/**
 * Reads `cmi5.xml` and checks every AU's launch file against `files` (the package's paths).
 * `packageKey` seeds the LMS-generated activity ids (the zip's SHA-256: the same package gives the
 * same ids, §8.1.5 "SHOULD use the same generated activityId … for all registrations").
 *
 * @example const s = parseCmi5Structure(bytes, new Set(['cmi5.xml', 'au/index.html']), sha256)
 * @rule R-CMI-1
 */
export function parseCmi5Structure(bytes: Uint8Array | string, files: ReadonlySet<string>, packageKey: string): Cmi5Summary {
  const xml = untrustedXmlText(bytes, 'cmi5.xml', (message, extra) => fail('manifest-malformed', message, extra));
  let root: El | undefined;
  try {
    root = (parser.parse(xml) as Node[]).map(toEl).find((e): e is El => e !== null);
  } catch {
    throw fail('manifest-malformed', 'cmi5.xml cannot be parsed');
  }
  if (!root || root.name !== 'courseStructure') throw fail('manifest-malformed', 'The root element of cmi5.xml is not <courseStructure> (§13.1)');
  const course = kid(root, 'course');
  const courseId = course?.attrs.id;
  if (!course || !courseId) throw fail('manifest-malformed', 'cmi5.xml has no <course id="…"> (§13.1.1)');

  const aus: Cmi5Au[] = [];
  const blocks: Cmi5Block[] = [];
  const ids = new Set<string>([courseId]);
  const missing: string[] = [];
  const external: string[] = [];
  const unique = (id: string | undefined, what: string): string => {
    if (!id) throw fail('manifest-malformed', `A ${what} has no id (§13.1)`);
    if (ids.has(id)) throw fail('manifest-malformed', `Two elements have the id "${id.slice(0, 120)}" (§13.1.4: unique within the course structure)`);
    ids.add(id);
    return id;
  };
  const walk = (el: El, path: string[], depth: number) => {
    if (depth > 50) throw fail('manifest-malformed', 'cmi5.xml nests blocks more than 50 levels deep');
    for (const k of el.kids) {
      if (k.name === 'block') {
        const id = unique(k.attrs.id, 'block');
        blocks.push({ id, lmsId: lmsActivityId(packageKey, 'block', id), title: langstring(kid(k, 'title')) || id, blocks: path });
        walk(k, [...path, id], depth + 1);
      } else if (k.name === 'au') {
        const id = unique(k.attrs.id, 'AU');
        const url = kid(k, 'url')?.text ?? '';
        if (!url) throw fail('manifest-malformed', `AU "${id.slice(0, 120)}" has no <url> (§13.1.4)`);
        const launch = resolveLaunch([], url);
        if (/^[a-z][a-z0-9+.-]*:/iu.test(url) || url.startsWith('//')) {
          external.push(url);
          continue;
        }
        if (!launch || !files.has(launch.path)) {
          missing.push(launch?.path ?? url);
          continue;
        }
        const mastery = k.attrs.masteryScore;
        const masteryScore = mastery === undefined || mastery === '' ? null : Number(mastery);
        if (masteryScore !== null && !(/^\d*\.?\d+$/u.test(mastery!) && masteryScore >= 0 && masteryScore <= 1))
          throw fail('manifest-malformed', `AU "${id.slice(0, 120)}": masteryScore "${mastery!.slice(0, 20)}" is not a decimal between 0 and 1 (§13.1.4)`);
        const method = k.attrs.launchMethod || 'AnyWindow';
        if (method !== 'AnyWindow' && method !== 'OwnWindow')
          throw fail('manifest-malformed', `AU "${id.slice(0, 120)}": launchMethod "${method.slice(0, 20)}" is neither AnyWindow nor OwnWindow (§13.1.4)`);
        aus.push({
          id,
          lmsId: lmsActivityId(packageKey, 'au', id),
          title: langstring(kid(k, 'title')) || id,
          description: langstring(kid(k, 'description')),
          url,
          launch: launch.path,
          href: launch.href,
          launchMethod: method,
          moveOn: moveOnOf(k.attrs.moveOn, id),
          masteryScore,
          activityType: k.attrs.activityType || null,
          launchParameters: kid(k, 'launchParameters')?.text || null,
          entitlementKey: kid(k, 'entitlementKey')?.text || null,
          blocks: path,
        });
      }
    }
  };
  walk(root, [], 0);
  if (external.length)
    throw fail(
      'cmi5-external-au',
      `AU url(s) outside the package: ${external
        .slice(0, 5)
        .map((u) => u.slice(0, 200))
        .join(', ')}; package the AU in the zip (it runs on the content origin only)`,
      { urls: external.slice(0, 50) },
    );
  if (missing.length)
    throw fail(
      'launch-file-missing',
      `AU launch file(s) not in the package: ${missing
        .slice(0, 10)
        .map((m) => m.slice(0, 200))
        .join(', ')}`,
      { missing: missing.slice(0, 50) },
    );
  if (!aus.length) throw fail('no-sco', 'cmi5.xml lists no AU (§13.1: a course structure contains at least one AU)');
  const title = langstring(kid(course, 'title')) || courseId;
  const scos: ScoSummary[] = aus.map((a) => ({ identifier: a.id, title: a.title, resource: 'cmi5-au', launch: a.launch, href: a.href }));
  return {
    version: 'cmi5',
    schemaVersion: null,
    identifier: courseId,
    title,
    organisation: null,
    scos,
    assets: Math.max(0, files.size - 1 - new Set(aus.map((a) => a.launch)).size),
    cmi5: {
      course: { id: courseId, lmsId: lmsActivityId(packageKey, 'course', courseId), title, description: langstring(kid(course, 'description')) },
      blocks,
      aus,
    },
  };
}
