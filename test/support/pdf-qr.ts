/**
 * @module Reads back the QR codes a PDF draws (issue 15: every issued document's verification
 * code): pdfjs-dist decodes the page's images as a viewer would, jsQR reads them, so a test checks
 * what a phone's camera would find on the page, not what the generator meant to draw.
 */
import jsQRModule from 'jsqr';
import { getDocument, ImageKind, OPS, VerbosityLevel } from 'pdfjs-dist/legacy/build/pdf.mjs';

// jsqr is CommonJS with an ES-style default: take the function whichever way Node hands it over.
type JsQr = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: JsQr }).default ?? jsQRModule) as unknown as JsQr;

interface PdfImage {
  width: number;
  height: number;
  kind: number;
  data: Uint8ClampedArray | Uint8Array;
}

/** The text of every QR code drawn on the PDF's pages, in drawing order. */
export async function pdfQrCodes(buf: Uint8Array): Promise<string[]> {
  const doc = await getDocument({
    data: new Uint8Array(buf),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: VerbosityLevel.ERRORS,
  }).promise;
  const out: string[] = [];
  try {
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const ops = await page.getOperatorList();
      for (let i = 0; i < ops.fnArray.length; i++) {
        if (ops.fnArray[i] !== OPS.paintImageXObject) continue;
        const id = ops.argsArray[i][0] as string;
        const img = await new Promise<PdfImage>((resolve) => page.objs.get(id, resolve));
        const code = jsQR(rgba(img), img.width, img.height);
        if (code) out.push(code.data);
      }
    }
  } finally {
    await doc.destroy();
  }
  return out;
}

/** The image as RGBA bytes, whatever pdfjs decoded it to (grey, RGB or RGBA). */
function rgba(img: PdfImage): Uint8ClampedArray {
  const px = img.width * img.height;
  if (img.kind === ImageKind.RGBA_32BPP) return new Uint8ClampedArray(img.data);
  const out = new Uint8ClampedArray(px * 4);
  if (img.kind === ImageKind.RGB_24BPP) {
    for (let p = 0; p < px; p++) {
      out[p * 4] = img.data[p * 3]!;
      out[p * 4 + 1] = img.data[p * 3 + 1]!;
      out[p * 4 + 2] = img.data[p * 3 + 2]!;
      out[p * 4 + 3] = 255;
    }
    return out;
  }
  // 1 bit per pixel, rows padded to whole bytes (ImageKind.GRAYSCALE_1BPP).
  const rowBytes = (img.width + 7) >> 3;
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      const bit = (img.data[y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1;
      const v = bit ? 255 : 0;
      const p = (y * img.width + x) * 4;
      out[p] = out[p + 1] = out[p + 2] = v;
      out[p + 3] = 255;
    }
  return out;
}
