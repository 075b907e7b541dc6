/** The referral letter to the discipline council (issue 15, R-VER-9, art. 28 c.2): its Italian content, its facts, its PDF. */
import { describe, expect, it } from 'vitest';
import { referralLetterPdf } from '../../adapters/pdf/referral-letter-pdf.ts';
import { factsDigest, normaliseFacts } from '../../src/domain/documents.ts';
import { italianDay, referralLetter, referralLetterFooter, referralLetterInfo, type ReferralLetterInput } from '../../src/domain/referral-letter.ts';
import type { VerificationRow } from '../../src/domain/verification.ts';
import { pdfInfo, pdfText } from '../support/pdf-text.ts';

const row = (over: Partial<VerificationRow> = {}): VerificationRow => ({
  memberId: '0b7c1f3e-2a4d-4c5e-8f90-123456789abc',
  status: 'short',
  obligation: { total: 50, deontology: 6 },
  credits: { total: 40, deontology: 2 },
  missing: { total: 10, deontology: 4 },
  details: { months: 24, reduction: null, debt: null, debtRequestFiled: false, distancePct: 40 },
  ...over,
});
const input = (over: Partial<ReferralLetterInput> = {}): ReferralLetterInput => ({
  referralId: '5f0c9d1e-8b7a-4c3d-9e2f-0a1b2c3d4e5f',
  number: 'DEF-MI-2025-0001',
  province: 'MI',
  biennium: 2025,
  member: { surname: 'Rossi', givenName: 'Maria', codiceFiscale: 'RSSMRA80A41F205X', registerNumber: '1234' },
  row: row(),
  phase: 'february',
  version: 2,
  verifiedAt: '2027-03-01T08:30:00.000Z',
  letterOn: '2027-03-03',
  ...over,
});

describe('referralLetter (R-VER-9)', () => {
  it('from the CPO to the discipline council, dated in Italian, citing art. 28 c.2 and art. 26 c.3', () => {
    const l = referralLetter(input());
    expect(l.from).toBe('Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Milano');
    expect(l.to).toBe('Consiglio di disciplina territoriale presso l’Ordine dei Consulenti del Lavoro della provincia di Milano');
    expect(l.placeAndDate).toBe('Milano, 3 marzo 2027');
    expect(l.subject).toContain('art. 28, comma 2');
    expect(l.subject).toContain('biennio 2025–2026');
    expect(l.subject).toContain('Maria Rossi');
    expect(l.paragraphs[0]).toContain('art. 26, comma 3');
    expect(l.paragraphs[1]).toContain('avvio del procedimento disciplinare');
    expect(l.signature).toBe('Il Presidente del Consiglio Provinciale');
  });

  it('states the member, the biennium, obligation against credits counted and missing, the status and the verification', () => {
    const l = referralLetter(input());
    expect(Object.fromEntries(l.rows.map((r) => [r.label, r.value]))).toEqual({
      Iscritto: 'Maria Rossi',
      'Codice fiscale': 'RSSMRA80A41F205X',
      'Iscrizione all’Albo': 'n. 1234 (provincia di Milano)',
      'Biennio formativo': '2025–2026 (dal 1° gennaio 2025 al 31 dicembre 2026)',
      'Obbligo formativo': '50 crediti, di cui 6 di deontologia',
      'Crediti riconosciuti': '40 crediti, di cui 2 di deontologia',
      'Crediti mancanti': '10 crediti, di cui 4 di deontologia',
      'Esito della verifica': 'Non in regola: crediti formativi insufficienti al 28 febbraio 2027',
    });
    expect(l.verification).toBe('al 28 febbraio 2027, versione 2, eseguita il 1° marzo 2027');
    expect(l.paragraphs[2]).toContain('dalla verifica al 28 febbraio 2027, versione 2, eseguita il 1° marzo 2027');
    expect(l.credits).toBe('40 crediti di 50; deontologia: 2 di 6');
  });

  it('a debt not settled by 30 June: the June re-check, the debt and what was settled', () => {
    const l = referralLetter(
      input({
        phase: 'june',
        version: 1,
        verifiedAt: '2027-07-05T08:00:00.000Z',
        letterOn: '2027-07-05',
        row: row({
          status: 'debt-not-settled',
          credits: { total: 43, deontology: 6 },
          missing: { total: 7, deontology: 0 },
          details: {
            months: 24,
            reduction: null,
            debt: { total: 10, deontology: 0, settled: 3, remaining: { total: 7, deontology: 0 } },
            debtRequestFiled: false,
            distancePct: 40,
          },
        }),
      }),
    );
    expect(l.statusText).toBe('Non in regola: debito formativo non recuperato entro il 30 giugno 2027');
    expect(l.paragraphs[0]).toContain('né ha recuperato entro il 30 giugno 2027 il debito formativo');
    expect(l.rows.find((r) => r.label === 'Debito formativo')?.value).toBe(
      'ammesso al recupero entro il 30 giugno 2027 (art. 7, comma 6): 10 crediti, di cui 0 di deontologia; recuperati: 3 crediti',
    );
    expect(l.verification).toBe('del recupero del debito al 30 giugno 2027, versione 1, eseguita il 5 luglio 2027');
    expect(l.placeAndDate).toBe('Milano, 5 luglio 2027');
  });

  it('says why the obligation is lower: a new member’s months, a reduction', () => {
    const l = referralLetter(
      input({
        row: row({
          obligation: { total: 38, deontology: 4 },
          details: { months: 21, reduction: { total: 6, deontology: 1, causes: ['illness'] }, debt: null, debtRequestFiled: false, distancePct: 40 },
        }),
      }),
    );
    expect(l.rows.find((r) => r.label === 'Obbligo formativo')?.value).toBe(
      '38 crediti, di cui 4 di deontologia (riproporzionato per l’iscrizione all’Albo nel corso del biennio: 21 mesi; ridotto di 6 crediti per riproporzionamento (art. 27))',
    );
  });

  it('is already normalised (what is stored is what is digested) and dated on the Rome calendar', () => {
    const l = referralLetter(input({ member: { surname: '  De  Luca ', givenName: 'Anna', codiceFiscale: 'DLCNNA80A41F205X', registerNumber: '9' } }));
    expect(normaliseFacts(l)).toEqual(l);
    expect(l.member.name).toBe('Anna De Luca');
    expect(factsDigest('discipline-referral', l)).toMatch(/^[0-9a-f]{64}$/);
    expect(italianDay('2027-01-01')).toBe('1° gennaio 2027');
    expect(italianDay('2027-12-31')).toBe('31 dicembre 2027');
    // 1 March 00:00 Rome is still 28 February in UTC: the letter's metadata date is the Rome day.
    expect(referralLetterInfo(referralLetter(input({ letterOn: '2027-03-01' }))).creationDate.toISOString()).toBe('2027-02-28T23:00:00.000Z');
    expect(referralLetterFooter(l)).toContain('\nIdentificativo del deferimento: 5f0c9d1e-8b7a-4c3d-9e2f-0a1b2c3d4e5f.');
  });
});

describe('referralLetterPdf', () => {
  const v = {
    code: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567',
    url: 'https://formazione.example.it/verify/ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567',
    factsDigest: 'a'.repeat(64),
  };

  it('prints the letter, the signature line and the verification block; the same letter gives the same bytes', async () => {
    const l = referralLetter(input());
    const a = await referralLetterPdf(l, v);
    const b = await referralLetterPdf(l, v);
    expect(Buffer.compare(a, b)).toBe(0);
    const text = (await pdfText(a)).replace(/\s+/g, ' ');
    for (const s of [
      'Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Milano',
      'Milano, 3 marzo 2027',
      'Segnalazione n. DEF-MI-2025-0001',
      'Consiglio di disciplina territoriale',
      'Crediti mancanti',
      '10 crediti, di cui 4 di deontologia',
      'Il Presidente del Consiglio Provinciale',
      'Codice di verifica: ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567',
      `Impronta dei contenuti (SHA-256): ${'aaaaaaaa '.repeat(8).trim()}`,
    ])
      expect(text).toContain(s);
    const info = await pdfInfo(a);
    expect(info.numPages).toBe(1); // a letter on one sheet, verification block included
    expect(info.info.Title).toBe('Segnalazione al Consiglio di disciplina n. DEF-MI-2025-0001');
  });
});
