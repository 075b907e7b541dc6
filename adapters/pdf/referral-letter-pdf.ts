/**
 * @module The referral letter to the discipline council as a PDF (art. 28 c.2, R-VER-9): A4, the
 * built-in Helvetica, a formal letter — sender, addressee, place and date, subject, the finding,
 * the member's figures as label / value rows, the president's signature line — then the
 * verification block (QR code of `/verify/{code}`, address, code, facts' digest: R-DOC-2,
 * R-DOC-3). What it says is `src/domain/referral-letter.ts`'s; set-up, rows, block and footers
 * are `document-pdf.ts`'s, so the same letter and code give the same bytes on every download.
 */
import { type ReferralLetter, referralLetterFooter, referralLetterInfo } from '../../src/domain/referral-letter.ts';
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

/**
 * Renders the letter. Resolves with the whole file.
 *
 * @example
 * const pdf = await referralLetterPdf(referral.letter, { code, url: verificationUrl(origin, code), factsDigest });
 */
export function referralLetterPdf(l: ReferralLetter, v: Verification): Promise<Buffer> {
  return renderPdf(referralLetterInfo(l), v, (doc, qr) => draw(doc, l, v, qr));
}

function draw(doc: PDFKit.PDFDocument, l: ReferralLetter, v: Verification, qr: Buffer): void {
  const left = LAYOUT.margin;
  const width = textWidth(doc);

  // Letterhead: who writes.
  doc.font(FONTS.bold).fontSize(11).fillColor('black');
  para(doc, l.from);
  rule(doc);

  // Number, place and date on the left; the addressee on the right, as a letter has them.
  doc.moveDown(0.8);
  const y = doc.y;
  const half = (width - LAYOUT.gap) / 2;
  doc.font(FONTS.regular).fontSize(10.5).fillColor('black');
  doc.text(winAnsi(l.placeAndDate), left, y, { width: half });
  doc.text(winAnsi(`Segnalazione n. ${l.number}`), left, doc.y + 2, { width: half });
  const leftEnd = doc.y;
  doc
    .font(FONTS.regular)
    .fontSize(10.5)
    .text('Spettabile', left + half + LAYOUT.gap, y, { width: half });
  doc.font(FONTS.bold).text(winAnsi(l.to), left + half + LAYOUT.gap, doc.y + 2, { width: half });
  doc.x = left;
  doc.y = Math.max(leftEnd, doc.y);
  doc.moveDown(1);

  // Subject, then the body.
  doc.font(FONTS.bold).fontSize(10.5).fillColor('black');
  para(doc, l.subject, { lineGap: 1.5 });
  doc.moveDown(0.6);
  doc.font(FONTS.regular).fontSize(10);
  for (const p of l.paragraphs) {
    para(doc, p, { align: 'justify', lineGap: 1.5 });
    doc.moveDown(0.5);
  }
  doc.moveDown(0.3);
  labelledRows(doc, l.rows);

  // The closing, and beside it the president's signature line.
  if (doc.y + 70 > bottomOf(doc)) doc.addPage();
  doc.moveDown(0.4);
  const sy = doc.y;
  doc.font(FONTS.regular).fontSize(10).fillColor('black');
  doc.text(winAnsi(l.closing), left, sy, { width: half, lineGap: 1.5 });
  doc.text(winAnsi(l.signature), left + half + LAYOUT.gap, sy, { width: half, align: 'center' });
  const lineY = sy + 36;
  doc
    .moveTo(left + half + LAYOUT.gap + 20, lineY)
    .lineTo(left + width - 20, lineY)
    .lineWidth(0.6)
    .strokeColor(RULE)
    .stroke();

  doc.y = lineY + 8;
  doc.x = left;
  verificationBlock(doc, v, qr, 'Verifica della segnalazione');
  footers(doc, referralLetterFooter(l));
}
