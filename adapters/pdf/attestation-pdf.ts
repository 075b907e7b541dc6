/**
 * @module The R-ELN-6 attestation as a PDF (art. 23 c.2), drawn with pdfkit: A4, the built-in
 * Helvetica (WinAnsi: every Italian accent, ’ « » – €), no logos of the profession (art. 18 c.5);
 * the one image is the QR code of the verification page (issue 15, R-DOC-2, R-DOC-3), printed
 * with the verification code, the page's address and the facts' digest.
 *
 * Deterministic: the creation and modification dates are the attestation's issue instant, pdfkit
 * derives the file ID from the metadata and `qrcode` draws the same PNG for the same address, so
 * the same attestation and code give the same bytes on every download (organiser and member hold
 * the same document).
 *
 * Text outside WinAnsi (a name written in another alphabet, a Polish ł) cannot be drawn with a
 * standard font, and pdfkit would write a broken string for it: `winAnsi` folds it to the
 * nearest Latin letter or `?` first. The metadata keeps the exact text (PDF strings are UTF-16).
 */
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import type { Attestation } from '../../src/domain/attestation.ts';
import { digestText, groupedCode } from '../../src/domain/documents.ts';

/** What the PDF prints so that anyone can verify it (issue 15). */
export interface Verification {
  /** The plain verification code (base32); printed grouped. */
  code: string;
  /** The public page, `<origin>/verify/<grouped code>`. */
  url: string;
  /** SHA-256 (hex) of the document's facts. */
  factsDigest: string;
}

/** Layout in PDF points (1/72 inch); A4 is 595.28 × 841.89. */
const LAYOUT = {
  margin: 56,
  labelWidth: 170,
  gap: 12,
  rowGap: 7,
  footerSize: 7.5,
  footerReserve: 48,
  qrSize: 84,
} as const;

const FONTS = { regular: 'Helvetica', bold: 'Helvetica-Bold' } as const;
const GREY = '#4a4f57';
const RULE = '#b9bec6';

/** Code points pdfkit maps into WinAnsi beyond Latin-1 (its WIN_ANSI_MAP). */
const WIN_ANSI_EXTRA = new Set([
  0x0152, 0x0153, 0x0160, 0x0161, 0x0178, 0x017d, 0x017e, 0x0192, 0x02c6, 0x02dc, 0x2013, 0x2014, 0x2018, 0x2019, 0x201a, 0x201c, 0x201d, 0x201e, 0x2020,
  0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122,
]);

/** Letters with no decomposition to a WinAnsi base, folded by hand. */
const FOLD: Readonly<Record<string, string>> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  Ŀ: 'L',
  ŀ: 'l',
  Ŋ: 'N',
  ŋ: 'n',
  Ŧ: 'T',
  ŧ: 't',
  '\u2010': '-',
  '\u2011': '-',
  '\u2012': '–',
  '\u2212': '-',
  '\u202f': ' ',
  '\u2009': ' ',
  '\u201b': '’',
  '\u2032': '’',
};

/**
 * Renders the attestation. Resolves with the whole file.
 *
 * @example
 * const pdf = await attestationPdf(attestation({ ...inputs }), { code, url, factsDigest });
 * c.body(pdf, 200, { 'content-type': 'application/pdf' });
 */
export async function attestationPdf(a: Attestation, v: Verification): Promise<Buffer> {
  const qr = await QRCode.toBuffer(v.url, { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 4 });
  const doc = new PDFDocument({
    size: 'A4',
    // The footer's band is outside the text area, so text that flows onto a new page never runs into it.
    margins: { top: LAYOUT.margin, bottom: LAYOUT.margin + LAYOUT.footerReserve, left: LAYOUT.margin, right: LAYOUT.margin },
    lang: 'it-IT',
    // Kept in memory until the end, so the footer can be drawn on every page at the last moment.
    bufferPages: true,
    displayTitle: true,
    info: {
      Title: a.pdf.title,
      Author: a.pdf.author,
      Subject: a.pdf.subject,
      Keywords: a.pdf.keywords,
      Creator: 'cdl-gateway',
      CreationDate: a.pdf.creationDate,
      ModDate: a.pdf.creationDate,
    },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  draw(doc, a, v, qr);
  doc.end();
  return done;
}

function draw(doc: PDFKit.PDFDocument, a: Attestation, v: Verification, qr: Buffer): void {
  const left = LAYOUT.margin;
  const width = doc.page.width - 2 * LAYOUT.margin;
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const text = (s: string, opts: PDFKit.Mixins.TextOptions = {}) => doc.text(winAnsi(s), { width, ...opts });

  // Heading: who issues it, then what it is.
  doc.font(FONTS.bold).fontSize(11).fillColor('black');
  text(a.pdf.author);
  doc.font(FONTS.regular).fontSize(9).fillColor(GREY);
  text('Formazione continua obbligatoria dei Consulenti del Lavoro');
  rule(doc, left, width);

  doc.moveDown(1.6);
  doc.font(FONTS.bold).fontSize(22).fillColor('black');
  text(a.title, { align: 'center' });
  doc.moveDown(0.3);
  doc.font(FONTS.regular).fontSize(11).fillColor(GREY);
  text(`Formazione a distanza (${a.mode}) – art. 23, comma 2, del Regolamento`, { align: 'center' });
  text(`N. ${a.number}`, { align: 'center' });
  doc.moveDown(1.4);

  // The statement, with the member's name set apart.
  doc.font(FONTS.regular).fontSize(11).fillColor('black');
  text(a.statementParts.lead, { align: 'center' });
  doc.moveDown(0.4);
  doc.font(FONTS.bold).fontSize(16);
  text(a.statementParts.name, { align: 'center' });
  doc.moveDown(0.4);
  doc.font(FONTS.regular).fontSize(11);
  text(a.statementParts.rest, { align: 'center', lineGap: 2 });
  doc.moveDown(1.2);
  rule(doc, left, width);
  doc.moveDown(0.8);

  // The R-ELN-6 fields as label / value rows.
  const valueX = left + LAYOUT.labelWidth + LAYOUT.gap;
  const valueWidth = width - LAYOUT.labelWidth - LAYOUT.gap;
  for (const row of a.rows) {
    const label = winAnsi(row.label);
    const value = winAnsi(row.value);
    doc.font(FONTS.bold).fontSize(10.5);
    const hl = doc.heightOfString(label, { width: LAYOUT.labelWidth });
    doc.font(FONTS.regular).fontSize(10.5);
    const hv = doc.heightOfString(value, { width: valueWidth, lineGap: 1.5 });
    // A row that fits on a page is never split; one taller than a page starts here and flows on (pdfkit breaks it).
    const h = Math.max(hl, hv);
    const room = bottom() - doc.y;
    if (h <= bottom() - doc.page.margins.top ? h > room : room < 4 * doc.currentLineHeight(true)) doc.addPage();
    const y = doc.y;
    const page = doc.page;
    doc.font(FONTS.bold).fillColor(GREY).text(label, left, y, { width: LAYOUT.labelWidth });
    doc.font(FONTS.regular).fillColor('black').text(value, valueX, y, { width: valueWidth, lineGap: 1.5 });
    doc.x = left;
    doc.y = (doc.page === page ? Math.max(doc.y, y + hl) : doc.y) + LAYOUT.rowGap;
  }

  // Date of issue and the legal representative's signature (art. 23 c.2).
  if (doc.y + 90 > bottom()) doc.addPage();
  doc.moveDown(1.5);
  const y = doc.y;
  const half = (width - LAYOUT.gap) / 2;
  doc.font(FONTS.regular).fontSize(10.5).fillColor('black').text(winAnsi(a.issuedText), left, y, { width: half });
  doc.text(winAnsi(a.signatureLabel), left + half + LAYOUT.gap, y, { width: half, align: 'center' });
  const lineY = y + 48;
  doc
    .moveTo(left + half + LAYOUT.gap + 20, lineY)
    .lineTo(left + width - 20, lineY)
    .lineWidth(0.6)
    .strokeColor(RULE)
    .stroke();

  // Verification (issue 15): the QR code of the public page, its address, the code and the facts' digest.
  doc.y = lineY + 24;
  if (doc.y + LAYOUT.qrSize + 8 > bottom()) doc.addPage();
  rule(doc, left, width);
  const vy = doc.y + 8;
  doc.image(qr, left, vy, { width: LAYOUT.qrSize, height: LAYOUT.qrSize });
  const tx = left + LAYOUT.qrSize + LAYOUT.gap;
  const tw = width - LAYOUT.qrSize - LAYOUT.gap;
  doc.font(FONTS.bold).fontSize(9).fillColor('black').text('Verifica dell’attestato', tx, vy, { width: tw });
  doc.font(FONTS.regular).fontSize(8.5).fillColor(GREY);
  doc.text(winAnsi(`Inquadri il codice QR o apra ${v.url} per vedere che cosa attesta e se è ancora valido.`), tx, doc.y + 2, { width: tw, lineGap: 1 });
  doc
    .font(FONTS.regular)
    .fontSize(9)
    .fillColor('black')
    .text(`Codice di verifica: ${groupedCode(v.code)}`, tx, doc.y + 4, { width: tw });
  doc
    .font(FONTS.regular)
    .fontSize(8.5)
    .fillColor(GREY)
    .text(`Impronta dei contenuti (SHA-256): ${digestText(v.factsDigest)}`, tx, doc.y + 2, { width: tw });
  doc.x = left;
  doc.y = Math.max(doc.y, vy + LAYOUT.qrSize);

  // Footer on every page, inside the bottom margin (no automatic page break there).
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font(FONTS.regular).fontSize(LAYOUT.footerSize).fillColor(GREY);
    const footer = range.count > 1 ? `${a.footer} Pagina ${i - range.start + 1} di ${range.count}.` : a.footer;
    doc.text(winAnsi(footer), left, doc.page.height - saved + 14, { width, align: 'left', lineGap: 1 });
    doc.page.margins.bottom = saved;
  }
}

function rule(doc: PDFKit.PDFDocument, left: number, width: number): void {
  const y = doc.y + 4;
  doc
    .moveTo(left, y)
    .lineTo(left + width, y)
    .lineWidth(0.6)
    .strokeColor(RULE)
    .stroke();
  doc.y = y + 4;
}

/**
 * Text a standard (WinAnsi) font can draw: control characters dropped, letters outside WinAnsi
 * folded to their base letter (Ż → Z, ł → l), anything else `?`.
 *
 * @example winAnsi('Łukasz Żółć – perché') // 'Lukasz Zólc – perché'
 */
export function winAnsi(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFC')) {
    if (drawable(ch)) {
      out += ch;
      continue;
    }
    const folded = FOLD[ch];
    if (folded !== undefined) {
      out += folded;
      continue;
    }
    if (/[\p{Cc}\p{Cf}]/u.test(ch)) continue; // controls, zero-width and direction marks: nothing to draw
    const base = ch.normalize('NFD').replace(/\p{M}+/gu, '');
    out += base && [...base].every(drawable) ? base : '?';
  }
  return out;
}

function drawable(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  return (cp >= 0x20 && cp < 0x7f) || (cp >= 0xa0 && cp <= 0xff) || WIN_ANSI_EXTRA.has(cp) || cp === 0x0a;
}
