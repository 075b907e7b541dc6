/** @module Report bytes → text: BOM, UTF-16 by its zero bytes, UTF-8 else Windows-1252; newlines normalised. */

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/**
 * Decodes report bytes. A BOM decides (UTF-8, UTF-16LE, UTF-16BE) and is removed. Without a BOM:
 * UTF-16 is assumed when at least a third of the first 512 bytes are zero on one parity (text in
 * Latin script has a zero high byte), otherwise UTF-8; bytes that are not valid UTF-8 are read as
 * Windows-1252 (a spreadsheet re-save). Line endings are normalised to `\n`.
 */
export function decodeReportBytes(input: Uint8Array | string): { text: string; encoding: TextEncodingName } {
  if (typeof input === 'string') {
    return { text: normaliseNewlines(input.replace(/^\uFEFF/, '')), encoding: 'utf-8' };
  }
  const b = input;
  let encoding: TextEncodingName;
  let start = 0;
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) {
    encoding = 'utf-16le';
    start = 2;
  } else if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    encoding = 'utf-16be';
    start = 2;
  } else if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    encoding = 'utf-8';
    start = 3;
  } else {
    const n = Math.min(b.length, 512);
    let evenZeros = 0;
    let oddZeros = 0;
    for (let i = 0; i < n; i++) if (b[i] === 0) i % 2 === 0 ? evenZeros++ : oddZeros++;
    encoding = oddZeros * 3 >= n && n >= 2 ? 'utf-16le' : evenZeros * 3 >= n && n >= 2 ? 'utf-16be' : 'utf-8';
  }
  const body = b.subarray(start);
  let text: string;
  if (encoding === 'utf-8') {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    } catch {
      encoding = 'windows-1252';
      text = new TextDecoder('windows-1252').decode(body);
    }
  } else {
    text = new TextDecoder(encoding).decode(body);
  }
  return { text: normaliseNewlines(text), encoding };
}

function normaliseNewlines(s: string): string {
  return s.replace(/\r\n?/g, '\n');
}
