/**
 * @module The attendance certificate of a webinar, videoconference, in-person or mixed event as a
 * PDF (art. 23 c.2, R-DOC-7): the page of every certificate-like document (`drawDocument`: A4,
 * the built-in Helvetica, no logos of the profession, art. 18 c.5), with the QR code of the
 * verification page, the code and the facts' digest (R-DOC-2, R-DOC-3). Deterministic: the same
 * certificate and code give the same bytes (dates are the issue instant).
 */
import type { AttendanceCertificate } from '../../src/domain/attendance-certificate.ts';
import { drawDocument, renderPdf, type Verification } from './document-pdf.ts';

/**
 * Renders the certificate. Resolves with the whole file.
 *
 * @example
 * const pdf = await attendanceCertificatePdf(attendanceCertificate({ ...inputs }), { code, url, factsDigest });
 */
export function attendanceCertificatePdf(c: AttendanceCertificate, v: Verification): Promise<Buffer> {
  return renderPdf(c.pdf, v, (doc, qr) =>
    drawDocument(
      doc,
      {
        issuer: c.pdf.author,
        title: c.title,
        subtitle: c.heading,
        number: c.number,
        statementParts: c.statementParts,
        rows: c.rows,
        issuedText: c.issuedText,
        signatureLabel: c.signatureLabel,
        verificationHeading: 'Verifica dell’attestato',
        footer: c.footer,
      },
      v,
      qr,
    ),
  );
}
