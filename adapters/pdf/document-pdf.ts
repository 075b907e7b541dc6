/**
 * @module What every PDF the gateway issues shares (issue 15): an A4 pdfkit document with the
 * built-in Helvetica and deterministic metadata, label / value rows that never split, the
 * verification block (QR code of `/verify/{code}`, the page's address, the code, the facts'
 * digest: R-DOC-2, R-DOC-3), the footer on every page, and `winAnsi`, which folds text a standard
 * font cannot draw. The documents themselves (attestation, certificates, letters) say what to draw.
 *
 * Deterministic: creation and modification dates are the document's issue instant, pdfkit derives
 * the file ID from the metadata and `qrcode` draws the same PNG for the same address, so the same
 * document and code give the same bytes on every download.
 */
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
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

/** The PDF's metadata (ASCII or not: PDF strings are UTF-16). */
export interface PdfInfo {
  title: string;
  author: string;
  subject: string;
  keywords: string;
  creationDate: Date;
}

/** Layout in PDF points (1/72 inch); A4 is 595.28 × 841.89. */
export const LAYOUT = {
  margin: 56,
  labelWidth: 170,
  gap: 12,
  rowGap: 7,
  footerSize: 7.5,
  footerReserve: 48,
  qrSize: 84,
} as const;

export const FONTS = { regular: 'Helvetica', bold: 'Helvetica-Bold' } as const;
export const GREY = '#4a4f57';
export const RULE = '#b9bec6';

/**
 * Draws a document with `draw` and resolves with the whole file. The QR code of `v.url` is made
 * first and handed to `draw` (for `verificationBlock`).
 *
 * @example const pdf = await renderPdf(info, v, (doc, qr) => { …; verificationBlock(doc, v, qr, 'Verifica dell’attestato'); footers(doc, footer); });
 */
export async function renderPdf(info: PdfInfo, v: Verification, draw: (doc: PDFKit.PDFDocument, qr: Buffer) => void): Promise<Buffer> {
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
      Title: info.title,
      Author: info.author,
      Subject: info.subject,
      Keywords: info.keywords,
      Creator: 'cdl-gateway',
      CreationDate: info.creationDate,
      ModDate: info.creationDate,
    },
  });
  const done = new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  draw(doc, qr);
  doc.end();
  return done;
}

/** The text area's width. */
export function textWidth(doc: PDFKit.PDFDocument): number {
  return doc.page.width - 2 * LAYOUT.margin;
}

/** The lowest y text may reach on this page. */
export function bottomOf(doc: PDFKit.PDFDocument): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** Text at the left margin across the text area, folded to WinAnsi. */
export function para(doc: PDFKit.PDFDocument, s: string, opts: PDFKit.Mixins.TextOptions = {}): void {
  doc.text(winAnsi(s), { width: textWidth(doc), ...opts });
}

/** Label / value rows: a row that fits on a page is never split; one taller than a page starts here and flows on. */
export function labelledRows(doc: PDFKit.PDFDocument, rows: readonly { label: string; value: string }[]): void {
  const left = LAYOUT.margin;
  const width = textWidth(doc);
  const valueX = left + LAYOUT.labelWidth + LAYOUT.gap;
  const valueWidth = width - LAYOUT.labelWidth - LAYOUT.gap;
  for (const row of rows) {
    const label = winAnsi(row.label);
    const value = winAnsi(row.value);
    doc.font(FONTS.bold).fontSize(10.5);
    const hl = doc.heightOfString(label, { width: LAYOUT.labelWidth });
    doc.font(FONTS.regular).fontSize(10.5);
    const hv = doc.heightOfString(value, { width: valueWidth, lineGap: 1.5 });
    const h = Math.max(hl, hv);
    const room = bottomOf(doc) - doc.y;
    if (h <= bottomOf(doc) - doc.page.margins.top ? h > room : room < 4 * doc.currentLineHeight(true)) doc.addPage();
    const y = doc.y;
    const page = doc.page;
    doc.font(FONTS.bold).fillColor(GREY).text(label, left, y, { width: LAYOUT.labelWidth });
    doc.font(FONTS.regular).fillColor('black').text(value, valueX, y, { width: valueWidth, lineGap: 1.5 });
    doc.x = left;
    doc.y = (doc.page === page ? Math.max(doc.y, y + hl) : doc.y) + LAYOUT.rowGap;
  }
}

/**
 * The verification block (R-DOC-2, R-DOC-3): the QR code of the public page, its address, the
 * code and the facts' digest, under a rule; on a new page when it does not fit.
 */
export function verificationBlock(doc: PDFKit.PDFDocument, v: Verification, qr: Buffer, heading: string): void {
  const left = LAYOUT.margin;
  const width = textWidth(doc);
  if (doc.y + LAYOUT.qrSize + 8 > bottomOf(doc)) doc.addPage();
  rule(doc, left, width);
  const vy = doc.y + 8;
  doc.image(qr, left, vy, { width: LAYOUT.qrSize, height: LAYOUT.qrSize });
  const tx = left + LAYOUT.qrSize + LAYOUT.gap;
  const tw = width - LAYOUT.qrSize - LAYOUT.gap;
  doc.font(FONTS.bold).fontSize(9).fillColor('black').text(winAnsi(heading), tx, vy, { width: tw });
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
}

/** What a certificate-like document says, in the order the page shows it (attestations, certificates). */
export interface DocumentLayout {
  /** Who issues it: the first line, bold. */
  issuer: string;
  title: string;
  /** The line under the title: what kind of document, under which article. */
  subtitle: string;
  number: string;
  /** The sentence, with the person's name set apart. */
  statementParts: { lead: string; name: string; rest: string };
  rows: readonly { label: string; value: string }[];
  issuedText: string;
  signatureLabel: string;
  /** The verification block's heading, e.g. `Verifica dell’attestato`. */
  verificationHeading: string;
  footer: string;
}

/**
 * The whole page of a certificate-like document: issuer, title, number, the statement with the
 * name set apart, the label / value rows, the issue date beside the signature line, the
 * verification block and the footers (the attestation and both certificates draw this).
 */
export function drawDocument(doc: PDFKit.PDFDocument, d: DocumentLayout, v: Verification, qr: Buffer): void {
  const left = LAYOUT.margin;
  const width = textWidth(doc);

  // Heading: who issues it, then what it is.
  doc.font(FONTS.bold).fontSize(11).fillColor('black');
  para(doc, d.issuer);
  doc.font(FONTS.regular).fontSize(9).fillColor(GREY);
  para(doc, 'Formazione continua obbligatoria dei Consulenti del Lavoro');
  rule(doc);

  doc.moveDown(1.6);
  doc.font(FONTS.bold).fontSize(22).fillColor('black');
  para(doc, d.title, { align: 'center' });
  doc.moveDown(0.3);
  doc.font(FONTS.regular).fontSize(11).fillColor(GREY);
  para(doc, d.subtitle, { align: 'center' });
  para(doc, `N. ${d.number}`, { align: 'center' });
  doc.moveDown(1.4);

  // The statement, with the name set apart.
  doc.font(FONTS.regular).fontSize(11).fillColor('black');
  para(doc, d.statementParts.lead, { align: 'center' });
  doc.moveDown(0.4);
  doc.font(FONTS.bold).fontSize(16);
  para(doc, d.statementParts.name, { align: 'center' });
  doc.moveDown(0.4);
  doc.font(FONTS.regular).fontSize(11);
  para(doc, d.statementParts.rest, { align: 'center', lineGap: 2 });
  doc.moveDown(1.2);
  rule(doc);
  doc.moveDown(0.8);

  labelledRows(doc, d.rows);

  // Date of issue and the signature line.
  if (doc.y + 90 > bottomOf(doc)) doc.addPage();
  doc.moveDown(1.5);
  const y = doc.y;
  const half = (width - LAYOUT.gap) / 2;
  doc.font(FONTS.regular).fontSize(10.5).fillColor('black').text(winAnsi(d.issuedText), left, y, { width: half });
  doc.text(winAnsi(d.signatureLabel), left + half + LAYOUT.gap, y, { width: half, align: 'center' });
  const lineY = y + 48;
  doc
    .moveTo(left + half + LAYOUT.gap + 20, lineY)
    .lineTo(left + width - 20, lineY)
    .lineWidth(0.6)
    .strokeColor(RULE)
    .stroke();

  // Verification (issue 15): the QR code of the public page, its address, the code and the facts' digest.
  doc.y = lineY + 24;
  doc.x = left;
  verificationBlock(doc, v, qr, d.verificationHeading);
  footers(doc, d.footer);
}

/** The footer on every page, inside the bottom margin (no automatic page break there), numbered when there are several. */
export function footers(doc: PDFKit.PDFDocument, footer: string): void {
  const left = LAYOUT.margin;
  const width = textWidth(doc);
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const saved = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font(FONTS.regular).fontSize(LAYOUT.footerSize).fillColor(GREY);
    const text = range.count > 1 ? `${footer} Pagina ${i - range.start + 1} di ${range.count}.` : footer;
    doc.text(winAnsi(text), left, doc.page.height - saved + 14, { width, align: 'left', lineGap: 1 });
    doc.page.margins.bottom = saved;
  }
}

/** A thin horizontal rule across the text area, below the current line. */
export function rule(doc: PDFKit.PDFDocument, left: number = LAYOUT.margin, width: number = textWidth(doc)): void {
  const y = doc.y + 4;
  doc
    .moveTo(left, y)
    .lineTo(left + width, y)
    .lineWidth(0.6)
    .strokeColor(RULE)
    .stroke();
  doc.y = y + 4;
}

/*
 * Text outside WinAnsi (a name written in another alphabet, a Polish ł) cannot be drawn with a
 * standard font, and pdfkit would write a broken string for it: `winAnsi` folds it to the nearest
 * Latin letter or `?` first. The metadata keeps the exact text (PDF strings are UTF-16).
 */

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
