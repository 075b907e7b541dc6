/**
 * @module Unit tests of the compliance certificate (e-learning guidelines art. 6, R-DOC-8): the
 * standing it relies on (the February row, replaced by the June one for a debtor: R-VER-7's
 * folding), who gets one (`IN_ORDER` only), its fields and Rome dates, its facts, and the PDF.
 */
import { describe, expect, it } from 'vitest';
import { complianceCertificatePdf } from '../../adapters/pdf/compliance-certificate-pdf.ts';
import {
  basisText,
  complianceAvailability,
  complianceCertificate,
  complianceCertificateFacts,
  complianceCertificateNumber,
  complianceStanding,
  IN_ORDER_WORDS,
  type ComplianceCertificateInput,
  type SnapshotBasis,
} from '../../src/domain/compliance-certificate.ts';
import { factsDigest, mayRevoke } from '../../src/domain/documents.ts';
import { IN_ORDER, VERIFICATION_STATUSES, type VerificationRow, type VerificationStatus } from '../../src/domain/verification.ts';
import { pdfInfo, pdfText } from '../support/pdf-text.ts';

const MEMBER = '0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f';
const VERIFICATION = { code: 'C'.repeat(32), url: `https://formazione.example.it/verify/${'CCCC-'.repeat(7)}CCCC`, factsDigest: '2'.repeat(64) };
const norm = (s: string) => s.replace(/\s+/g, ' ');

// 28 February 2027 23:59:59.999 Rome (CET) and 30 June 2027 (CEST), as R-VER-1 dates them.
const FEB: SnapshotBasis = { phase: 'february', version: 2, asOf: '2027-02-28T22:59:59.999Z', createdAt: '2027-03-01T23:30:00.000Z' };
const JUNE: SnapshotBasis = { phase: 'june', version: 1, asOf: '2027-06-30T21:59:59.999Z', createdAt: '2027-07-05T08:00:00.000Z' };

function row(status: VerificationStatus, over: Partial<VerificationRow> = {}): VerificationRow {
  return {
    memberId: MEMBER,
    status,
    obligation: { total: 50, deontology: 6 },
    credits: { total: 52, deontology: 8 },
    missing: { total: 0, deontology: 0 },
    details: { months: 24, reduction: null, debt: null, debtRequestFiled: false, distancePct: 40 },
    ...over,
  };
}

function input(standing = complianceStanding({ basis: FEB, row: row('compliant') }, null)!): ComplianceCertificateInput {
  return {
    memberId: MEMBER,
    member: { surname: 'Rossi', givenName: 'Maria', codiceFiscale: 'RSSMRA80A41F205X', registerNumber: '1234', province: 'MI' },
    province: 'MI',
    biennium: 2025,
    standing,
  };
}

describe('the standing a certificate relies on (R-VER-7, R-DOC-8)', () => {
  it('the February row; a debtor’s June row replaces it', () => {
    expect(complianceStanding({ basis: FEB, row: row('compliant') }, null)).toEqual({ row: row('compliant'), basis: [FEB] });
    expect(complianceStanding({ basis: FEB, row: row('compliant') }, { basis: JUNE, row: null })).toEqual({ row: row('compliant'), basis: [FEB] });
    const settled = complianceStanding({ basis: FEB, row: row('debt-accepted') }, { basis: JUNE, row: row('debt-settled') });
    expect(settled).toEqual({ row: row('debt-settled'), basis: [FEB, JUNE] });
  });
  it('no February snapshot, or none holding the member: no standing (a June row alone does not count)', () => {
    expect(complianceStanding(null, null)).toBeNull();
    expect(complianceStanding({ basis: FEB, row: null }, { basis: JUNE, row: row('debt-settled') })).toBeNull();
  });
  it('only members in order get one; the others are refused with their status', () => {
    for (const s of VERIFICATION_STATUSES) {
      const a = complianceAvailability({ row: row(s), basis: [FEB] });
      expect(a, s).toEqual(IN_ORDER.includes(s) ? { available: true } : { available: false, status: s });
    }
    expect(Object.keys(IN_ORDER_WORDS).sort()).toEqual([...IN_ORDER].sort());
    expect(() => complianceCertificate(input({ row: row('short'), basis: [FEB] }))).toThrow(RangeError);
  });
});

describe('compliance certificate fields', () => {
  it('the member, the biennium, the status in words, obligation and credits, the verification with its version and Rome dates', () => {
    const c = complianceCertificate(input());
    expect(c.rows.map((r) => [r.label, r.value])).toEqual([
      ['Biennio formativo', '2025–2026 (dal 1° gennaio 2025 al 31 dicembre 2026)'],
      ['Situazione', 'In regola: obbligo formativo del biennio assolto'],
      ['Obbligo formativo del biennio', '50 crediti formativi, di cui 6 in materia di ordinamento professionale e codice deontologico'],
      ['Crediti formativi riconosciuti', '52 crediti formativi, di cui 8 in materia di ordinamento professionale e codice deontologico'],
      // Run at 23:30 UTC on 1 March: already the 2nd in Rome.
      ['Verifica del Consiglio Provinciale', 'verifica al 28 febbraio 2027 (versione 2, eseguita il 2 marzo 2027)'],
      ['Consiglio Provinciale', 'Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Milano'],
    ]);
    expect(c.statement).toBe(
      'Si certifica che Maria Rossi, codice fiscale RSSMRA80A41F205X, iscrizione n. 1234 all’Albo dei Consulenti del Lavoro della provincia di Milano, ' +
        'ha assolto l’obbligo di formazione continua del biennio 2025–2026, come risulta dalla verifica del Consiglio Provinciale (art. 26, comma 3, del Regolamento).',
    );
    // Issued on the day of the verification it relies on (Rome), so every download is the same.
    expect(c.issuedAt).toBe(FEB.createdAt);
    expect(c.issuedOn).toBe('2027-03-02');
    expect(c.issuedText).toBe('Rilasciato il 2 marzo 2027');
    expect(c.number).toBe(complianceCertificateNumber(MEMBER, 2025, 'MI'));
    expect(c.number).toMatch(/^CRT-2025-MI-[0-9A-F]{16}$/);
    expect(c.pdf.fileName).toBe(`certificato-${c.number.toLowerCase()}.pdf`);
  });

  it('a debt settled by 30 June: both verifications, the debt, issued on the June run (DST: CEST)', () => {
    const debt = { total: 10, deontology: 0, settled: 10, remaining: { total: 0, deontology: 0 } };
    const c = complianceCertificate(
      input(
        complianceStanding(
          { basis: FEB, row: row('debt-accepted') },
          { basis: JUNE, row: row('debt-settled', { details: { ...row('compliant').details, debt } }) },
        )!,
      ),
    );
    expect(c.statusText).toBe('In regola: obbligo formativo del biennio assolto, con il recupero del debito formativo entro il 30 giugno');
    expect(c.rows.find((r) => r.id === 'debt')?.value).toBe('10 crediti di debito accolto; 10 crediti recuperati entro il 30 giugno 2027');
    expect(c.rows.find((r) => r.id === 'verification')?.value).toBe(
      'verifica al 28 febbraio 2027 (versione 2, eseguita il 2 marzo 2027); verifica del recupero del debito al 30 giugno 2027 (versione 1, eseguita il 5 luglio 2027)',
    );
    expect(c.issuedAt).toBe(JUNE.createdAt);
    expect(basisText({ ...JUNE, createdAt: '2027-07-05T22:30:00Z' })).toContain('eseguita il 6 luglio 2027');
  });

  it('a new member’s pro-rated obligation and a reduced one, without the reduction’s causes', () => {
    const fresh = complianceCertificate(
      input({ row: row('new-member', { obligation: { total: 44, deontology: 5 }, details: { ...row('compliant').details, months: 21 } }), basis: [FEB] }),
    );
    expect(fresh.rows.find((r) => r.id === 'obligation')?.value).toBe(
      '44 crediti formativi, di cui 5 in materia di ordinamento professionale e codice deontologico (21 mesi di obbligo su 24)',
    );
    const reduced = complianceCertificate(
      input({
        row: row('reduced', { details: { ...row('compliant').details, reduction: { total: 6, deontology: 1, causes: ['illness'] } } }),
        basis: [FEB],
      }),
    );
    expect(reduced.statusText).toContain('nella misura ridotta deliberata dal Consiglio Provinciale');
    expect(JSON.stringify(complianceCertificateFacts(reduced))).not.toContain('illness');
  });

  it('facts name the snapshot version: a new version is a new digest (R-DOC-5)', () => {
    const f1 = complianceCertificateFacts(complianceCertificate(input()));
    expect(f1).toMatchObject({
      biennium: '2025–2026',
      status: 'compliant',
      province: 'MI',
      basis: [{ phase: 'february', version: 2, asOf: FEB.asOf, createdAt: FEB.createdAt }],
      member: { name: 'Maria Rossi', codiceFiscale: 'RSSMRA80A41F205X', registerNumber: '1234', province: 'MI' },
    });
    const f2 = complianceCertificateFacts(complianceCertificate(input({ row: row('compliant'), basis: [{ ...FEB, version: 3 }] })));
    expect(factsDigest('compliance-certificate', f2)).not.toBe(factsDigest('compliance-certificate', f1));
  });

  it('the issuing CPO may revoke it, another CPO may not (R-DOC-6)', () => {
    expect(mayRevoke({ role: 'cpo', subject: 'MI' }, 'cpo:MI')).toBe(true);
    expect(mayRevoke({ role: 'cpo', subject: 'BG' }, 'cpo:MI')).toBe(false);
    expect(mayRevoke({ role: 'organiser', subject: 'MI' }, 'cpo:MI')).toBe(false);
    expect(mayRevoke({ role: 'cpo', subject: null }, 'cpo:MI')).toBe(false);
  });
});

describe('compliance certificate PDF', () => {
  it('prints the council, the fields, the signature line and the verification; deterministic', async () => {
    const c = complianceCertificate(input());
    const pdf = await complianceCertificatePdf(c, VERIFICATION);
    const text = norm(await pdfText(pdf));
    for (const expected of [
      'Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Milano',
      'Certificato di assolvimento dell’obbligo formativo',
      'Biennio 2025–2026 – art. 26 del Regolamento',
      `N. ${c.number}`,
      'Maria Rossi',
      'Situazione In regola: obbligo formativo del biennio assolto',
      'Rilasciato il 2 marzo 2027',
      'Per il Consiglio Provinciale dell’Ordine, il Presidente',
      `Codice di verifica: ${'CCCC-'.repeat(7)}CCCC`,
    ]) {
      expect(text).toContain(expected);
    }
    expect((await pdfInfo(pdf)).info).toMatchObject({
      CreationDate: 'D:20270301233000Z',
      Title: 'Certificato di assolvimento dell’obbligo formativo – biennio 2025–2026',
    });
    expect((await complianceCertificatePdf(complianceCertificate(input()), VERIFICATION)).equals(pdf)).toBe(true);
  });
});
