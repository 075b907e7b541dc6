/**
 * @module Zips for tests. Honest archives are written with yazl (`zipOf`, and `alterWorkbook`
 * when nothing in it lies), through the gateway's own writer (`adapters/zip/write-zip.ts`).
 * Hostile ones (zip bombs, sizes that lie, the encryption flag, unsafe names) are written by
 * `hostileZip`, which puts in the headers exactly what each part claims. Never used by the gateway.
 */
import zlib from 'node:zlib';
import yauzl from 'yauzl';
import { unsafePathReason } from '../../adapters/zip/guard.ts';
import { writeZip } from '../../adapters/zip/write-zip.ts';

export interface ZipPart {
  name: string;
  /** Deflated bytes, their uncompressed size and CRC (see `deflated`, `deflatedZeros`). */
  data: Buffer;
  size: number;
  crc: number;
  /** The bytes before deflating, when known (`deflated`): a part that claims nothing false is then written by yazl. */
  content?: Buffer;
  /** 8 deflate (default) or 0 stored. */
  method?: number;
  /** What the headers claim, when lying about it. */
  declaredSize?: number;
  /** Sets the "encrypted" flag (bit 0) without encrypting anything. */
  encrypted?: boolean;
}

/** Every entry of a zip, inflated. */
/** Every entry of a zip, inflated. */
export async function unzip(buf: Buffer): Promise<Map<string, Buffer>> {
  const zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true });
  const out = new Map<string, Buffer>();
  for (;;) {
    const entry = await new Promise<yauzl.Entry | null>((resolve, reject) => {
      zip.once('entry', resolve);
      zip.once('end', () => resolve(null));
      zip.once('error', reject);
      zip.readEntry();
    });
    zip.removeAllListeners('entry');
    zip.removeAllListeners('end');
    zip.removeAllListeners('error');
    if (!entry) break;
    const stream = await zip.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    out.set(entry.fileName, Buffer.concat(chunks));
  }
  zip.close();
  return out;
}

export function deflated(name: string, content: Buffer | string): ZipPart {
  const raw = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  return { name, data: zlib.deflateRawSync(raw), size: raw.length, crc: zlib.crc32(raw), content: raw };
}

/** `bytes` zeros, deflated as they stream: the payload of a zip bomb, built without holding it. */
/** `bytes` zeros, deflated as they stream: the payload of a zip bomb, built without holding it. */
export async function deflatedZeros(name: string, bytes: number): Promise<ZipPart> {
  const deflate = zlib.createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve) => deflate.on('end', resolve));
  const chunk = Buffer.alloc(1024 * 1024);
  let crc = 0;
  for (let left = bytes; left > 0; left -= chunk.length) {
    const c = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = zlib.crc32(c, crc);
    if (!deflate.write(c)) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  return { name, data: Buffer.concat(out), size: bytes, crc };
}

/** An honest zip of these files, written by yazl. */
export function zipOf(files: ReadonlyMap<string, Buffer | string>): Promise<Buffer> {
  return writeZip([...files].map(([name, b]) => ({ name, data: Buffer.isBuffer(b) ? b : Buffer.from(b, 'utf8') })));
}

/** A part yazl writes as it is: its bytes known, deflated, nothing claimed falsely, a safe name (a directory: no bytes). */
function isHonest(p: ZipPart): p is ZipPart & { content: Buffer } {
  if (p.content === undefined || p.declaredSize !== undefined || p.encrypted || (p.method ?? 8) !== 8) return false;
  return unsafePathReason(p.name) === null && (!p.name.endsWith('/') || p.content.length === 0);
}

/**
 * The builder of hostile zips only: a zip of the parts, in order, with local headers and a
 * central directory that say what the parts claim. yazl cannot write these: it computes sizes
 * and CRC from the data (no lying sizes), never sets the encryption flag, refuses or rewrites
 * unsafe names (`../x`, `/x`, `a\b`), and deflates the data itself (a bomb payload is deflated
 * once by `deflatedZeros` and reused). It is synchronous, which `zipFiles` in `./scorm.ts` relies on.
 */
export function hostileZip(parts: readonly ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name, 'utf8');
    const method = p.method ?? 8;
    const size = p.declaredSize ?? p.size;
    const flags = 0x0800 | (p.encrypted ? 1 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(p.crc >>> 0, 14);
    local.writeUInt32LE(p.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(p.crc >>> 0, 16);
    central.writeUInt32LE(p.data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, p.data);
    centrals.push(central, name);
    offset += 30 + name.length + p.data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(parts.length, 8);
  eocd.writeUInt16LE(parts.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/**
 * The parts of a real workbook, with some replaced or added: the base of every hostile workbook.
 * Written by yazl when every part is honest (damaged XML, formulas, extra parts), else by `hostileZip`.
 */
export async function alterWorkbook(xlsx: Buffer, change: (parts: Map<string, ZipPart>) => void | Promise<void>): Promise<Buffer> {
  const parts = new Map<string, ZipPart>();
  for (const [name, data] of await unzip(xlsx)) parts.set(name, deflated(name, data));
  await change(parts);
  const all = [...parts.values()];
  return all.every(isHonest) ? writeZip(all.map((p) => ({ name: p.name, data: p.content }))) : hostileZip(all);
}
