/**
 * @module Reading an uploaded SCORM package (issue 6 §1): a zip handled as untrusted.
 *
 * 1. Size: the body is read with a byte limit while it streams (the gateway, `SCORM_MAX_BYTES`).
 * 2. Zip guard (`adapters/zip/guard.ts`, shared with the workbook reader): at most `maxEntries`
 *    entries, `maxUncompressedBytes` in total, `maxRatio`:1 per entry over `ratioFloorBytes`
 *    (`zip-bomb`), no encrypted entry (`encrypted-file`), entry names that are safe relative
 *    paths only (`unsafe-path`: no `/…`, `C:`, `\`, `..`, empty segments, control characters).
 * 3. Every file is inflated by yauzl, which stops at the first byte past the declared size
 *    (`zip-bomb`), and kept in memory with its content type (from the extension; the player
 *    serves nothing else).
 * 4. `imsmanifest.xml` at the root is read (`scorm-manifest.ts`): version, title, SCOs, launch
 *    files checked to exist; without it, `cmi5.xml` (`cmi5-structure.ts`, issue 16): course, blocks,
 *    AUs, launch files checked to exist (`readCoursePackage`).
 */
import crypto from 'node:crypto';
import type { ManifestSummary } from '../../src/domain/elearning-compliance.ts';
import type { Cmi5Summary } from '../../src/domain/cmi5-course.ts';
import { guardZip, readEntry, ZipGuardError, type ZipGuardLimits } from '../zip/guard.ts';
import { CMI5_STRUCTURE_PATH, parseCmi5Structure } from './cmi5-structure.ts';

export { Cmi5StructureError } from './cmi5-structure.ts';
import { MANIFEST_PATH, parseManifest, ScormPackageError } from './scorm-manifest.ts';

export { ScormPackageError } from './scorm-manifest.ts';

export const ZIP_MEDIA_TYPES: readonly string[] = ['application/zip', 'application/x-zip-compressed', 'application/octet-stream'];

const MiB = 1024 * 1024;

export interface ScormLimits extends ZipGuardLimits {
  maxBytes: number;
}

/** Defaults: 100 MiB uploaded, 5,000 files, 300 MiB uncompressed, 100:1 for files over 1 MiB. */
export const DEFAULT_SCORM_LIMITS: Readonly<ScormLimits> = Object.freeze({
  maxBytes: 100 * MiB,
  maxEntries: 5_000,
  maxUncompressedBytes: 300 * MiB,
  maxRatio: 100,
  ratioFloorBytes: 1 * MiB,
});

export interface PackageFile {
  path: string;
  content: Buffer;
  contentType: string;
}

export interface ScormPackage {
  manifest: ManifestSummary;
  files: PackageFile[];
  /** Of the uploaded zip. */
  sha256: string;
  size: number;
  uncompressedBytes: number;
}

const TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  htm: 'text/html; charset=utf-8',
  xhtml: 'application/xhtml+xml',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  json: 'application/json',
  xml: 'application/xml',
  xsd: 'application/xml',
  txt: 'text/plain; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  ico: 'image/x-icon',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  webm: 'video/webm',
  vtt: 'text/vtt',
  pdf: 'application/pdf',
  woff: 'font/woff',
  woff2: 'font/woff2',
  ttf: 'font/ttf',
  otf: 'font/otf',
};

/** The content type the player will serve a package file with (by extension). */
export function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return TYPES[ext] ?? 'application/octet-stream';
}

/**
 * Reads an untrusted SCORM zip. Throws `ScormPackageError` for anything refused.
 *
 * @example const pkg = await readScormPackage(bytes) // pkg.manifest.scos[0].launch
 */
export async function readScormPackage(bytes: Buffer, partial?: Partial<ScormLimits>): Promise<ScormPackage> {
  const pkg = await readCoursePackage(bytes, partial);
  if (pkg.manifest.version === 'cmi5') throw new ScormPackageError('manifest-missing', 'The zip holds no imsmanifest.xml: it is not a SCORM package');
  return pkg as ScormPackage;
}

/** A package of either kind: SCORM (`imsmanifest.xml`) or cmi5 (`cmi5.xml`, issue 16). */
export type CoursePackage = Omit<ScormPackage, 'manifest'> & { manifest: ManifestSummary | Cmi5Summary };

/**
 * Reads an untrusted course zip: SCORM when `imsmanifest.xml` is at its root, else cmi5 when
 * `cmi5.xml` is (cmi5 §14.1). **Decision**: a zip holding both is read as SCORM, as before cmi5
 * was accepted. Throws `ScormPackageError`, or `Cmi5StructureError` for a refused `cmi5.xml`.
 *
 * @example const pkg = await readCoursePackage(bytes) // pkg.manifest.version: '1.2' | '2004' | 'cmi5'
 */
export async function readCoursePackage(bytes: Buffer, partial?: Partial<ScormLimits>): Promise<CoursePackage> {
  const limits = { ...DEFAULT_SCORM_LIMITS, ...partial };
  if (bytes.length > limits.maxBytes)
    throw new ScormPackageError('file-too-large', `The package is larger than ${limits.maxBytes} bytes`, { maxBytes: limits.maxBytes });
  const what = 'The package';
  try {
    const { zip, entries, uncompressedBytes } = await guardZip(bytes, { limits, strictNames: true, describe: what, entryWord: 'file' });
    const files: PackageFile[] = [];
    try {
      for (const [name, entry] of entries) {
        if (name.endsWith('/')) continue; // a directory
        files.push({ path: name, content: await readEntry(zip, entry, what), contentType: contentTypeOf(name) });
      }
    } finally {
      zip.close();
    }
    const paths = new Set(files.map((f) => f.path));
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    const manifestFile = files.find((f) => f.path === MANIFEST_PATH);
    const cmi5File = manifestFile ? undefined : files.find((f) => f.path === CMI5_STRUCTURE_PATH);
    if (cmi5File) return { manifest: parseCmi5Structure(cmi5File.content, paths, sha256), files, sha256, size: bytes.length, uncompressedBytes };
    if (!manifestFile) {
      const nested = files.find((f) => f.path.endsWith(`/${MANIFEST_PATH}`) || f.path.endsWith(`/${CMI5_STRUCTURE_PATH}`));
      throw new ScormPackageError(
        'manifest-missing',
        nested
          ? `imsmanifest.xml or cmi5.xml must be at the root of the zip, not in "${nested.path.slice(0, 200)}": zip the content of the folder, not the folder`
          : 'The zip holds neither imsmanifest.xml (SCORM) nor cmi5.xml (cmi5) at its root',
      );
    }
    const manifest = parseManifest(manifestFile.content, paths);
    return { manifest, files, sha256, size: bytes.length, uncompressedBytes };
  } catch (err) {
    if (err instanceof ZipGuardError) throw new ScormPackageError(err.code, err.message, err.extra);
    throw err;
  }
}
