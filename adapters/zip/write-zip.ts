/**
 * @module Writing zip archives with yazl, from buffers: sizes and CRC in every local header (no
 * data descriptors, which readers that walk local headers, like exceljs's `unzipper`, must guess
 * the end of), a fixed 1980-01-01 timestamp, entries in the order given.
 */
import yazl from 'yazl';

export interface ZipEntryData {
  /** A relative path with forward slashes (yazl refuses absolute paths and `..`); ending in `/`, a directory (no data). */
  name: string;
  data: Buffer;
}

export interface WriteZipOptions {
  /** 0 (stored) to 9; default 6. */
  compressionLevel?: number;
}

/** The DOS epoch in local time, as yazl encodes it: the date field reads 1980-01-01, 00:00. */
const DOS_EPOCH = new Date(1980, 0, 1);

/**
 * A zip of the entries, in order. Entries may come one at a time (an async iterable), so a
 * caller never holds all of them uncompressed; an error while iterating is thrown as it is.
 *
 * @example const bytes = await writeZip([{ name: 'imsmanifest.xml', data: manifest }])
 */
export async function writeZip(entries: Iterable<ZipEntryData> | AsyncIterable<ZipEntryData>, opts: WriteZipOptions = {}): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
    zip.on('error', reject);
  });
  const options = { compressionLevel: opts.compressionLevel ?? 6, mtime: DOS_EPOCH, forceDosTimestamp: true };
  try {
    for await (const e of entries) {
      if (!e.name.endsWith('/')) zip.addBuffer(e.data, e.name, options);
      else if (e.data.length === 0) zip.addEmptyDirectory(e.name, { mtime: DOS_EPOCH, forceDosTimestamp: true });
      else throw new TypeError(`zip entry ${JSON.stringify(e.name)} is a directory and cannot hold data`);
    }
  } catch (err) {
    done.catch(() => {}); // the archive is abandoned: nothing waits for it
    throw err;
  }
  zip.end();
  return done;
}
