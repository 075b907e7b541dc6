/**
 * @module A tiny zip reader and writer for building hostile workbooks in tests: zip bombs (real
 * and lying about their sizes), encrypted entries, extra parts. Never used by the gateway.
 */
import zlib from 'node:zlib';
import yauzl from 'yauzl';

export interface ZipPart {
  name: string;
  /** Deflated bytes, their uncompressed size and CRC (see `deflated`, `deflatedZeros`). */
  data: Buffer;
  size: number;
  crc: number;
  /** 8 deflate (default) or 0 stored. */
  method?: number;
  /** What the headers claim, when lying about it. */
  declaredSize?: number;
  /** Sets the "encrypted" flag (bit 0) without encrypting anything. */
  encrypted?: boolean;
}

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
  return { name, data: zlib.deflateRawSync(raw), size: raw.length, crc: zlib.crc32(raw) };
}

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

/** A zip of the parts, in order, with a central directory that says what the parts claim. */
export function zip(parts: readonly ZipPart[]): Buffer {
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

/** The parts of a real workbook, with some replaced or added: the base of every hostile workbook. */
export async function alterWorkbook(xlsx: Buffer, change: (parts: Map<string, ZipPart>) => void | Promise<void>): Promise<Buffer> {
  const parts = new Map<string, ZipPart>();
  for (const [name, data] of await unzip(xlsx)) parts.set(name, deflated(name, data));
  await change(parts);
  return zip([...parts.values()]);
}
