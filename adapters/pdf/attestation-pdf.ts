/**
 * @module The R-ELN-6 attestation as a PDF (art. 23 c.2): A4, the built-in Helvetica, no logos
 * of the profession (art. 18 c.5); the one image is the QR code of the verification page (issue
 * 15, R-DOC-2, R-DOC-3), printed with the verification code, the page's address and the facts'
 * digest. The page set-up, rows, verification block and footers are `document-pdf.ts`'s; the same
 * attestation and code give the same bytes on every download (organiser and member hold the same
 * document).
 */
import type { Attestation } from '../../src/domain/attestation.ts';
import {
  bottomOf,
  FONTS,
  footers,
  GREY,
  LAYOUT,
  labelledRows,
  para,
  RULE,
  renderPdf,
  rule,
  textWidth,
  verificationBlock,
  winAnsi,
  type Verification,
} from './document-pdf.ts';

export { winAnsi, type Verification } from './document-pdf.ts';

/**
 * Renders the attestation. Resolves with the whole file.
 *
 * @example
 * const pdf = await attestationPdf(attestation({ ...inputs }), { code, url, factsDigest });
 * c.body(pdf, 200, { 'content-type': 'application/pdf' });
 */
export function attestationPdf(a: Attestation, v: Verification): Promise<Buffer> {
  return renderPdf(a.pdf, v, (doc, qr) => draw(doc, a, v, qr));
}

function draw(doc: PDFKit.PDFDocument, a: Attestation, v: Verification, qr: Buffer): void {
  const left = LAYOUT.margin;
  const width = textWidth(doc);

  // Heading: who issues it, then what it is.
  doc.font(FONTS.bold).fontSize(11).fillColor('black');
  para(doc, a.pdf.author);
  doc.font(FONTS.regular).fontSize(9).fillColor(GREY);
  para(doc, 'Formazione continua obbligatoria dei Consulenti del Lavoro');
  rule(doc);

  doc.moveDown(1.6);
  doc.font(FONTS.bold).fontSize(22).fillColor('black');
  para(doc, a.title, { align: 'center' });
  doc.moveDown(0.3);
  doc.font(FONTS.regular).fontSize(11).fillColor(GREY);
  para(doc, `Formazione a distanza (${a.mode}) – art. 23, comma 2, del Regolamento`, { align: 'center' });
  para(doc, `N. ${a.number}`, { align: 'center' });
  doc.moveDown(1.4);

  // The statement, with the member's name set apart.
  doc.font(FONTS.regular).fontSize(11).fillColor('black');
  para(doc, a.statementParts.lead, { align: 'center' });
  doc.moveDown(0.4);
  doc.font(FONTS.bold).fontSize(16);
  para(doc, a.statementParts.name, { align: 'center' });
  doc.moveDown(0.4);
  doc.font(FONTS.regular).fontSize(11);
  para(doc, a.statementParts.rest, { align: 'center', lineGap: 2 });
  doc.moveDown(1.2);
  rule(doc);
  doc.moveDown(0.8);

  // The R-ELN-6 fields as label / value rows.
  labelledRows(doc, a.rows);

  // Date of issue and the legal representative's signature (art. 23 c.2).
  if (doc.y + 90 > bottomOf(doc)) doc.addPage();
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
  doc.x = left;
  verificationBlock(doc, v, qr, 'Verifica dell’attestato');
  footers(doc, a.footer);
}
