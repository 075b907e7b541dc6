/**
 * @module The certificate of a member's compliance with a biennium's obligation as a PDF
 * (e-learning guidelines art. 6, R-DOC-8): the page of every certificate-like document
 * (`drawDocument`), issued by the member's CPO, with the QR code of the verification page, the
 * code and the facts' digest (R-DOC-2, R-DOC-3). Deterministic: the same certificate and code give
 * the same bytes (dates are the issue instant: the day of the verification it relies on).
 */
import type { ComplianceCertificate } from '../../src/domain/compliance-certificate.ts';
import { drawDocument, renderPdf, type Verification } from './document-pdf.ts';

/**
 * Renders the certificate. Resolves with the whole file.
 *
 * @example
 * const pdf = await complianceCertificatePdf(complianceCertificate({ ...inputs }), { code, url, factsDigest });
 */
export function complianceCertificatePdf(c: ComplianceCertificate, v: Verification): Promise<Buffer> {
  return renderPdf(c.pdf, v, (doc, qr) =>
    drawDocument(
      doc,
      {
        issuer: c.council,
        title: c.title,
        subtitle: `Biennio ${c.biennium}–${c.biennium + 1} – art. 26 del Regolamento`,
        number: c.number,
        statementParts: c.statementParts,
        rows: c.rows,
        issuedText: c.issuedText,
        signatureLabel: c.signatureLabel,
        verificationHeading: 'Verifica del certificato',
        footer: c.footer,
      },
      v,
      qr,
    ),
  );
}
