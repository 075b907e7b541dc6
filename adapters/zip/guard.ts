/**
 * @module The zip guard shared by every reader of untrusted zip uploads (.xlsx workbooks in
 * `adapters/xlsx/read-workbook.ts`, SCORM packages in `adapters/lms/scorm-package.ts`).
 *
 * It reads only the central directory (yauzl, from a buffer) before anything is inflated:
 * at most `maxEntries` entries, no encrypted entry, only stored/deflated entries, no name twice,
 * at most `maxUncompressedBytes` in total and a ratio of at most `maxRatio`:1 for any entry over
 * `ratioFloorBytes` (declared sizes). With `strictNames`, entry names must be safe relative
 * paths (no leading `/`, no drive letter, no backslash, no `..` or empty segment, no control
 * character). Entries are then inflated by yauzl, which checks every byte count against the
 * declared size: a zip that lies about its sizes stops at the first extra byte (`zip-bomb`).
 *
 * Errors are `ZipGuardError`s with a generic code; each reader maps them to its own codes and
 * wording (`describe` names the thing in messages: "The workbook", "The package").
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import type { ProblemCode } from '../../src/schemas/problems.ts';

export interface ZipGuardLimits {
  /** Entries in the zip. */
  maxEntries: number;
  /** Uncompressed bytes of all entries together. */
  maxUncompressedBytes: number;
  /** Compression ratio allowed for an entry larger than `ratioFloorBytes`. */
  maxRatio: number;
  ratioFloorBytes: number;
}

/** Problem codes of `src/schemas/problems.ts`, generic enough for every reader to map to its own. */
export type ZipGuardCode = Extract<ProblemCode, 'zip-bomb' | 'encrypted-file' | 'unreadable-file' | 'unsafe-path' | 'not-a-zip'>;

export class ZipGuardError extends Error {
  constructor(
    readonly code: ZipGuardCode,
    message: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface GuardOptions {
  limits: ZipGuardLimits;
  /** Refuse entry names that are not safe relative paths (`unsafe-path`); otherwise yauzl's lenient decoding. */
  strictNames?: boolean;
  /** "The workbook", "The package": the subject of error messages. */
  describe?: string;
  /** "part", "file": what an entry is called in error messages. */
  entryWord?: string;
}

export interface GuardedZip {
  zip: yauzl.ZipFile;
  /** Entries by name, in central-directory order. */
  entries: ReadonlyMap<string, yauzl.Entry>;
  uncompressedBytes: number;
}

const ZIP_MAGIC = 0x04034b50;

/** The bytes start like a zip (a local file header) and are long enough to hold an end record. */
export function looksLikeZip(buf: Buffer): boolean {
  return buf.length >= 22 && buf.readUInt32LE(0) === ZIP_MAGIC;
}

/**
 * A name that is a safe relative path inside an extraction root, or the reason it is not.
 *
 * @example unsafePathReason('../evil.html') // → 'parent segment'
 */
export function unsafePathReason(name: string): string | null {
  if (name.length === 0) return 'empty name';
  if (name.includes('\\')) return 'backslash';
  if (/[\u0000-\u001f\u007f]/u.test(name)) return 'control character';
  if (name.startsWith('/')) return 'absolute path';
  if (/^[a-zA-Z]:/u.test(name)) return 'drive letter';
  const segments = name.split('/');
  // A trailing slash marks a directory entry: its last segment is empty and that is fine.
  const inner = name.endsWith('/') ? segments.slice(0, -1) : segments;
  if (inner.some((s) => s === '..')) return 'parent segment';
  if (inner.some((s) => s === '' || s === '.')) return 'empty or dot segment';
  return null;
}

/**
 * Opens `buf` and checks its central directory against the limits. The caller closes `zip`.
 *
 * @example const g = await guardZip(bytes, { limits, strictNames: true, describe: 'The package' })
 */
export async function guardZip(buf: Buffer, opts: GuardOptions): Promise<GuardedZip> {
  const what = opts.describe ?? 'The archive';
  if (!looksLikeZip(buf)) throw new ZipGuardError('not-a-zip', `${what} is not a zip archive`);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buf, {
      lazyEntries: true,
      validateEntrySizes: true,
      decodeStrings: true,
      // Strict: yauzl itself refuses backslashes, absolute paths and `..` (mapped to `unsafe-path` below).
      strictFileNames: opts.strictNames === true,
      autoClose: false,
    });
  } catch {
    throw new ZipGuardError('unreadable-file', `${what} is damaged: its zip structure cannot be read`);
  }
  try {
    return await checkEntries(zip, opts, what);
  } catch (err) {
    zip.close();
    throw err;
  }
}

async function checkEntries(zip: yauzl.ZipFile, opts: GuardOptions, what: string): Promise<GuardedZip> {
  const { limits } = opts;
  const part = opts.entryWord ?? 'entry';
  if (zip.entryCount > limits.maxEntries)
    throw new ZipGuardError('zip-bomb', `${what} has ${zip.entryCount} ${part}s; at most ${limits.maxEntries} are accepted`, { maxEntries: limits.maxEntries });
  const entries = new Map<string, yauzl.Entry>();
  let total = 0;
  for (;;) {
    const entry = await nextEntry(zip, what, opts.strictNames === true);
    if (!entry) break;
    if (entries.size >= limits.maxEntries)
      throw new ZipGuardError('zip-bomb', `${what} has more than ${limits.maxEntries} ${part}s`, { maxEntries: limits.maxEntries });
    if (opts.strictNames) {
      const reason = unsafePathReason(entry.fileName);
      if (reason) throw new ZipGuardError('unsafe-path', `${what} holds a ${part} whose name is not a safe relative path (${reason})`);
    }
    if (entry.isEncrypted()) throw new ZipGuardError('encrypted-file', `${what} is encrypted: save it without a password`);
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8)
      throw new ZipGuardError('unreadable-file', `${what} uses an unsupported zip compression method`);
    if (entries.has(entry.fileName)) throw new ZipGuardError('unreadable-file', `${what} holds two ${part}s with the same name`);
    total += entry.uncompressedSize;
    if (total > limits.maxUncompressedBytes) {
      throw new ZipGuardError('zip-bomb', `${what} expands to more than ${limits.maxUncompressedBytes} bytes`, {
        maxUncompressedBytes: limits.maxUncompressedBytes,
      });
    }
    if (entry.uncompressedSize > limits.ratioFloorBytes && entry.uncompressedSize > limits.maxRatio * entry.compressedSize) {
      throw new ZipGuardError('zip-bomb', `A ${part} of ${what.replace(/^The /u, 'the ')} is compressed more than ${limits.maxRatio}:1`, {
        maxRatio: limits.maxRatio,
      });
    }
    entries.set(entry.fileName, entry);
  }
  return { zip, entries, uncompressedBytes: total };
}

const YAUZL_NAME_ERROR = /invalid characters in fileName|absolute path|invalid relative path/iu;

function nextEntry(zip: yauzl.ZipFile, what: string, strictNames: boolean): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: yauzl.Entry) => (cleanup(), resolve(e));
    const onEnd = () => (cleanup(), resolve(null));
    const onError = (err: unknown) => {
      cleanup();
      if (strictNames && YAUZL_NAME_ERROR.test(String((err as Error)?.message))) {
        reject(new ZipGuardError('unsafe-path', `${what} holds an entry whose name is not a safe relative path`));
      } else {
        reject(new ZipGuardError('unreadable-file', `${what} is damaged: its zip directory cannot be read`));
      }
    };
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/** yauzl's message when an entry inflates past its declared size. */
export function isSizeLie(err: unknown): boolean {
  return /too many bytes/iu.test(String((err as Error)?.message));
}

/** Opens one entry's inflating stream (byte counts checked by yauzl against the declared size). */
export async function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, what = 'The archive'): Promise<Readable> {
  try {
    return await zip.openReadStreamPromise(entry);
  } catch {
    throw new ZipGuardError('unreadable-file', `${what} is damaged: an entry cannot be opened`);
  }
}

/**
 * One entry, inflated into a buffer. More bytes than declared is `zip-bomb`; a broken stream
 * `unreadable-file`.
 */
export async function readEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, what = 'The archive'): Promise<Buffer> {
  const stream = await openEntry(zip, entry, what);
  const chunks: Buffer[] = [];
  try {
    for await (const c of stream) chunks.push(c as Buffer);
  } catch (err) {
    stream.destroy();
    if (isSizeLie(err)) throw new ZipGuardError('zip-bomb', `An entry of ${what.replace(/^The /u, 'the ')} expands beyond its declared size`);
    throw new ZipGuardError('unreadable-file', `${what} is damaged: an entry cannot be decompressed`);
  }
  return Buffer.concat(chunks);
}
