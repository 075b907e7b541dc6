/**
 * @module The R-ELN-6 attestation as a PDF (art. 23 c.2): A4, the built-in Helvetica, no logos
 * of the profession (art. 18 c.5); the one image is the QR code of the verification page (issue
 * 15, R-DOC-2, R-DOC-3), printed with the verification code, the page's address and the facts'
 * digest. The page set-up and its layout (`drawDocument`) are `document-pdf.ts`'s; the same
 * attestation and code give the same bytes on every download (organiser and member hold the same
 * document).
 */
import type { Attestation } from '../../src/domain/attestation.ts';
import { drawDocument, renderPdf, type Verification } from './document-pdf.ts';

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
  drawDocument(
    doc,
    {
      issuer: a.pdf.author,
      title: a.title,
      subtitle: `Formazione a distanza (${a.mode}) – art. 23, comma 2, del Regolamento`,
      number: a.number,
      statementParts: a.statementParts,
      rows: a.rows,
      issuedText: a.issuedText,
      signatureLabel: a.signatureLabel,
      verificationHeading: 'Verifica dell’attestato',
      footer: a.footer,
    },
    v,
    qr,
  );
}
