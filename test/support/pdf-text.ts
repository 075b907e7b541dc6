/**
 * @module Reads the text back from a PDF with a real extractor (pdfjs-dist, the engine of
 * Firefox's viewer; its legacy build runs in Node 20), so tests check what a reader sees, not
 * what the generator meant to write.
 */
import { getDocument, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * The text of every page, in reading order: items of a line joined by a space, lines by `\n`,
 * pages by a blank line.
 *
 * @example expect(await pdfText(bytes)).toContain('Attestato di partecipazione')
 */
export async function pdfText(buf: Uint8Array): Promise<string> {
  // pdfjs takes ownership of (detaches) the buffer it is given: hand it a copy.
  const task = getDocument({
    data: new Uint8Array(buf),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: VerbosityLevel.ERRORS,
  });
  const doc = await task.promise;
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str;
        text += item.hasEOL ? '\n' : item.str && !item.str.endsWith(' ') ? ' ' : '';
      }
      pages.push(
        text
          .split('\n')
          .map((l) => l.replace(/[ \t]+/g, ' ').trim())
          .filter(Boolean)
          .join('\n'),
      );
      page.cleanup();
    }
    return pages.join('\n\n');
  } finally {
    await task.destroy();
  }
}

/** The document's metadata (Title, Author, Subject, CreationDate …) as pdfjs reads it. */
export async function pdfInfo(buf: Uint8Array): Promise<{ numPages: number; info: Record<string, unknown> }> {
  const task = getDocument({ data: new Uint8Array(buf), isEvalSupported: false, verbosity: VerbosityLevel.ERRORS });
  const doc = await task.promise;
  try {
    const meta = await doc.getMetadata();
    return { numPages: doc.numPages, info: meta.info as Record<string, unknown> };
  } finally {
    await task.destroy();
  }
}
