/**
 * @module Reading back workbooks the gateway wrote, independently of the code that wrote them:
 * the zip entries as text (yauzl) and the cells with SheetJS `xlsx` (a devDependency used only
 * here, on our own files: its advisories concern reading untrusted input).
 */
import { PassThrough, type Writable } from 'node:stream';
import XLSX from 'xlsx';
import yauzl from 'yauzl';

/** Every entry of a zip as text, by name. */
export async function zipEntries(buf: Buffer): Promise<Map<string, string>> {
  const zip = await yauzl.fromBufferPromise(buf, { lazyEntries: true });
  const out = new Map<string, string>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          out.set(entry.fileName.replace(/^\//, ''), Buffer.concat(chunks).toString('utf8'));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return out;
}

/** The parsed workbook: dates as `Date`s (local fields = the cell's wall clock), formats kept. */
export function parseWorkbook(buf: Buffer): XLSX.WorkBook {
  return XLSX.read(buf, { cellDates: true, cellNF: true });
}

/** The rows of a sheet as arrays of cells (header row first), `undefined` for an empty cell. */
export function sheetCells(wb: XLSX.WorkBook, name: string): Array<Array<XLSX.CellObject | undefined>> {
  const ws = wb.Sheets[name];
  if (!ws) throw new Error(`no sheet ${name}`);
  const range = XLSX.utils.decode_range(ws['!ref'] ?? 'A1:A1');
  const rows: Array<Array<XLSX.CellObject | undefined>> = [];
  for (let r = range.s.r; r <= range.e.r; r++) {
    const row: Array<XLSX.CellObject | undefined> = [];
    for (let c = range.s.c; c <= range.e.c; c++) row.push(ws[XLSX.utils.encode_cell({ r, c })] as XLSX.CellObject | undefined);
    rows.push(row);
  }
  return rows;
}

/**
 * A cell's wall-clock reading `YYYY-MM-DD HH:mm:ss`. SheetJS builds dates from local fields, and
 * truncates the serial's milliseconds (`Date#setTime`), so 02:40:00 can come back as 02:39:59.999:
 * the reading is rounded to the nearest second (the files hold whole seconds).
 */
export function wallClock(cell: XLSX.CellObject | undefined): string | null {
  if (!cell || cell.t === 'z' || cell.v === undefined) return null;
  if (!(cell.v instanceof Date)) throw new Error(`not a date cell: ${JSON.stringify(cell)}`);
  const d = new Date(Math.round(cell.v.getTime() / 1000) * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A writable that collects what is written into one buffer. */
export function collect(): { out: Writable; done: Promise<Buffer> } {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    out.on('end', () => resolve(Buffer.concat(chunks)));
    out.on('error', reject);
  });
  return { out, done };
}

/**
 * Every sheet of a workbook read with exceljs (its in-memory reader, on our own files): the
 * values of each row, header row first, by sheet name in order.
 */
export async function exceljsSheets(buf: Buffer): Promise<Map<string, Array<Array<string | number | null>>>> {
  const { default: ExcelJS } = await import('exceljs');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  const out = new Map<string, Array<Array<string | number | null>>>();
  wb.eachSheet((ws) => {
    const rows: Array<Array<string | number | null>> = [];
    ws.eachRow({ includeEmpty: true }, (row) => {
      const values = (row.values as unknown[]).slice(1);
      rows.push(values.map((v) => (v === undefined || v === null ? null : typeof v === 'number' ? v : String(v))));
    });
    out.set(ws.name, rows);
  });
  return out;
}
