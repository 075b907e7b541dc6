/**
 * @module Unit tests of the R-ELN-6 attestation (art. 23 c.2): its fields from plain inputs (Rome
 * dates around midnight and DST, durations, place, CPO, credits, the 30-day deadline of R-CAL-3,
 * a stable number) and the PDF drawn from them, read back with pdfjs.
 */
import { describe, expect, it } from 'vitest';
import { attestationPdf, winAnsi } from '../../adapters/pdf/attestation-pdf.ts';
import {
  ATTESTATION_DAYS,
  attestation,
  attestationNumber,
  cpoName,
  creditsText,
  durationText,
  italianDate,
  italianDateTime,
  minutesText,
  placeText,
  REQUIRED_FIELDS,
  subjectText,
  type AttestationInput,
} from '../../src/domain/attestation.ts';

/** What the PDF prints to be verified (issue 15); fixed, so the bytes stay comparable. */
const VERIFICATION = { code: 'A'.repeat(32), url: `https://formazione.example.it/verify/${'AAAA-'.repeat(7)}AAAA`, factsDigest: '0'.repeat(64) };
import { pdfInfo, pdfText } from '../support/pdf-text.ts';

const ENROLMENT = '3f2a9c1b-7d0e-4a12-9b3c-0d1e2f3a4b5c';

function input(over: Partial<AttestationInput> = {}, outcome: Partial<AttestationInput['outcome']> = {}): AttestationInput {
  return {
    enrolmentId: ENROLMENT,
    event: {
      title: 'Novità in materia di lavoro',
      mode: 'e-learning',
      cpoProvince: 'MI',
      start: '2026-03-01T13:00:00Z',
      end: '2026-03-01T15:00:00Z',
      topics: [
        { title: 'Deontologia professionale', start: '2026-03-01T13:00:00Z', end: '2026-03-01T14:00:00Z', deontology: true },
        { title: 'Contratti di lavoro', start: '2026-03-01T14:00:00Z', end: '2026-03-01T15:00:00Z', deontology: false },
      ],
    },
    organiser: { name: 'CPO MI' },
    member: { surname: 'Rossi', givenName: 'Maria', codiceFiscale: 'RSSMRA80A41F205X', registerNumber: '1234', province: 'MI' },
    outcome: { completedAt: '2026-03-14T10:15:00Z', creditedSeconds: 7260, credits: 2, ...outcome },
    nominalMinutes: 120,
    host: 'formazione.example.it',
    ...over,
  };
}

const norm = (s: string) => s.replace(/\s+/g, ' ');

describe('attestation fields (R-ELN-6)', () => {
  it('has every field art. 23 c.2 asks for, labelled in Italian, in its order', () => {
    const a = attestation(input());
    expect(Object.keys(a.required)).toEqual([...REQUIRED_FIELDS]);
    for (const f of REQUIRED_FIELDS) expect(a.required[f].length).toBeGreaterThan(0);
    expect(a.rows.map((r) => [r.label, r.value])).toEqual([
      ['Luogo', 'Formazione a distanza (e-learning) sulla piattaforma formazione.example.it'],
      ['Data di completamento', '14 marzo 2026, ore 11:15'],
      ['Durata', '2 h (durata del corso)'],
      ['Tempo di fruizione riconosciuto', '2 h 1 min'],
      ['Ente organizzatore', 'CPO MI'],
      ['Ente accreditante', 'Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Milano'],
      ['Materia', 'Deontologia professionale; Contratti di lavoro'],
      ['Crediti formativi', '2 crediti formativi, di cui 1 in materia di ordinamento professionale e codice deontologico'],
    ]);
    expect(a.title).toBe('Attestato di partecipazione');
    expect(a.statement).toBe(
      'Si attesta che Maria Rossi, codice fiscale RSSMRA80A41F205X, iscrizione n. 1234 all’Albo dei Consulenti del Lavoro della provincia di Milano, ' +
        'ha completato il corso di formazione a distanza (e-learning) «Novità in materia di lavoro», fruendo di tutti i contenuti e superando la verifica finale.',
    );
    expect(a.member).toEqual({ fullName: 'Maria Rossi', codiceFiscale: 'RSSMRA80A41F205X', registerNumber: '1234', province: 'MI', provinceName: 'Milano' });
  });

  it('place: the platform the distance course was followed on, e-learning or podcast', () => {
    expect(placeText('e-learning', 'lms.example.it')).toBe('Formazione a distanza (e-learning) sulla piattaforma lms.example.it');
    expect(placeText('podcast', 'lms.example.it:8443')).toBe('Formazione a distanza (podcast) sulla piattaforma lms.example.it:8443');
    const a = attestation(input({ event: { ...input().event, mode: 'podcast' } }));
    expect(a.required.place).toBe('Formazione a distanza (podcast) sulla piattaforma formazione.example.it');
    expect(a.statement).toContain('formazione a distanza (podcast)');
  });

  it('dates on the Rome calendar around midnight (R-CAL-2)', () => {
    // 23:30 UTC in winter is 00:30 of the next day in Rome.
    const a = attestation(input({}, { completedAt: '2026-03-14T23:30:00Z' }));
    expect(a.required.date).toBe('15 marzo 2026, ore 00:30');
    expect(a.completedOn).toBe('2026-03-15');
    expect(a.issuedText).toBe('Rilasciato il 15 marzo 2026');
    // 22:30 UTC in summer is 00:30 of the next day (UTC+2).
    expect(italianDateTime(Date.parse('2026-07-31T22:30:00Z'))).toBe('1° agosto 2026, ore 00:30');
    expect(italianDateTime(Date.parse('2026-07-31T21:59:59Z'))).toBe('31 luglio 2026, ore 23:59');
    // New year: the completion belongs to 2027 in Rome, and so does its number (R-CAL-1).
    const ny = attestation(input({}, { completedAt: '2026-12-31T23:30:00Z' }));
    expect(ny.required.date).toBe('1° gennaio 2027, ore 00:30');
    expect(ny.number).toBe('FAD-2027-3F2A9C1B7D0E4A12');
  });

  it('dates across the DST changes (R-CAL-2)', () => {
    // 29 March 2026: 02:00 CET → 03:00 CEST. 00:59 UTC is 01:59 CET, 01:00 UTC is 03:00 CEST.
    expect(italianDateTime(Date.parse('2026-03-29T00:59:00Z'))).toBe('29 marzo 2026, ore 01:59');
    expect(italianDateTime(Date.parse('2026-03-29T01:00:00Z'))).toBe('29 marzo 2026, ore 03:00');
    // 25 October 2026: 03:00 CEST → 02:00 CET; 02:30 is seen twice.
    expect(italianDateTime(Date.parse('2026-10-25T00:30:00Z'))).toBe('25 ottobre 2026, ore 02:30');
    expect(italianDateTime(Date.parse('2026-10-25T01:30:00Z'))).toBe('25 ottobre 2026, ore 02:30');
    expect(italianDate(Date.parse('2026-10-25T22:59:59Z'))).toBe('25 ottobre 2026');
    expect(italianDate(Date.parse('2026-10-25T23:00:00Z'))).toBe('26 ottobre 2026');
  });

  it('the issue deadline: 23:59:59.999 Rome of the 30th day after completion (art. 23 c.2, R-CAL-3)', () => {
    expect(ATTESTATION_DAYS).toBe(30);
    // Completed 15 March 00:30 Rome (CET); the 30th day is 14 April, in CEST (UTC+2).
    const a = attestation(input({}, { completedAt: '2026-03-14T23:30:00Z' }));
    expect(a.issueDeadline).toBe('2026-04-14T21:59:59.999Z');
    expect(a.issuedAt).toBe('2026-03-14T23:30:00.000Z');
    expect(a.issuedWithinDeadline).toBe(true);
    // Completed late on 1 October (CEST); the 30th day, 31 October, is in CET (UTC+1).
    expect(attestation(input({}, { completedAt: '2026-10-01T21:00:00Z' })).issueDeadline).toBe('2026-10-31T22:59:59.999Z');
    // An issue on the last millisecond is in time; one millisecond later is not.
    expect(attestation({ ...input({}, { completedAt: '2026-03-14T23:30:00Z' }), issuedAt: '2026-04-14T21:59:59.999Z' }).issuedWithinDeadline).toBe(true);
    const late = attestation({ ...input({}, { completedAt: '2026-03-14T23:30:00Z' }), issuedAt: '2026-04-14T22:00:00Z' });
    expect(late.issuedWithinDeadline).toBe(false);
    expect(late.issuedOn).toBe('2026-04-15');
    expect(late.pdf.creationDate.toISOString()).toBe('2026-04-14T22:00:00.000Z');
  });

  it('durations: whole hours and minutes, never rounded up (R-ELN-3)', () => {
    expect(durationText(7260)).toBe('2 h 1 min');
    expect(durationText(7200)).toBe('2 h');
    expect(durationText(3599)).toBe('59 min');
    expect(durationText(59)).toBe('0 min');
    expect(durationText(0)).toBe('0 min');
    expect(durationText(-5)).toBe('0 min');
    expect(durationText(36_000 + 300)).toBe('10 h 5 min');
    expect(minutesText(40)).toBe('40 min');
    expect(minutesText(90)).toBe('1 h 30 min');
    // Without a declaration the credited time is the duration, and not shown twice.
    const a = attestation(input({ nominalMinutes: null }, { creditedSeconds: 2 * 3600 + 59 }));
    expect(a.required.duration).toBe('2 h');
    expect(a.rows.map((r) => r.id)).not.toContain('creditedTime');
  });

  it('accrediting CPO by province name; credits with the deontology share', () => {
    expect(cpoName('FC')).toBe('Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Forlì-Cesena');
    expect(cpoName('mb')).toBe('Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Monza e della Brianza');
    expect(cpoName('XX')).toBe('Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di XX');
    expect(creditsText(1, 0)).toBe('1 credito formativo');
    expect(creditsText(3, 0)).toBe('3 crediti formativi');
    expect(creditsText(2, 2)).toBe('2 crediti formativi, di cui 2 in materia di ordinamento professionale e codice deontologico');
    // The ledger's deontology credits win over the topics' estimate.
    expect(attestation(input({}, { deontologyCredits: 0 })).required.credits).toBe('2 crediti formativi');
    // Topics: 1 h of deontology in a 2-credit course → 1 (R-CAL-4/6); never more than the credits.
    expect(attestation(input()).deontologyCredits).toBe(1);
    expect(attestation(input({}, { credits: 0 })).deontologyCredits).toBe(0);
    expect(subjectText([{ title: ' Contratti ' }, { title: 'Contratti' }, { title: 'Licenziamenti' }])).toBe('Contratti; Licenziamenti');
    expect(subjectText([])).toBe('—');
  });

  it('organiser of kind e names its CN authorisation (art. 18 c.3); the accreditation code when known', () => {
    const a = attestation(
      input({
        organiser: { name: 'Formazione Lavoro Srl', authorisationNumber: 'CN-2026-007' },
        event: { ...input().event, accreditationReference: 'MI/2026/42' },
      }),
    );
    expect(a.required.organiser).toBe('Formazione Lavoro Srl (ente autorizzato dal Consiglio Nazionale, autorizzazione n. CN-2026-007)');
    expect(a.rows.find((r) => r.id === 'accreditationReference')).toEqual({
      id: 'accreditationReference',
      label: 'Codice di accreditamento',
      value: 'MI/2026/42',
    });
    expect(a.pdf.author).toBe('Formazione Lavoro Srl');
  });

  it('a number stable for the enrolment, and an ASCII file name without personal data', () => {
    expect(attestationNumber(ENROLMENT, Date.parse('2026-03-15T10:00:00Z'))).toBe('FAD-2026-3F2A9C1B7D0E4A12');
    const a = attestation(input());
    const b = attestation(input({}, { creditedSeconds: 9000 }));
    expect(a.number).toBe(b.number);
    expect(a.pdf.fileName).toBe('attestato-fad-2026-3f2a9c1b7d0e4a12.pdf');
    expect(a.pdf.fileName).toMatch(/^[a-z0-9.-]+$/);
    expect(a.footer).toContain(ENROLMENT);
  });

  it('refuses an invalid completion instant', () => {
    expect(() => attestation(input({}, { completedAt: 'not a date' }))).toThrow(RangeError);
  });
});

describe('attestation PDF', () => {
  it('draws every field; pdfjs reads them back; metadata and dates are the issue date', async () => {
    const a = attestation(input({ organiser: { name: 'Formazione Lavoro Srl', authorisationNumber: 'CN-2026-007' } }));
    const pdf = await attestationPdf(a, VERIFICATION);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = norm(await pdfText(pdf));
    expect(text).toContain('Attestato di partecipazione');
    expect(text).toContain('Maria Rossi');
    expect(text).toContain('codice fiscale RSSMRA80A41F205X');
    expect(text).toContain('«Novità in materia di lavoro»');
    for (const r of a.rows) {
      expect(text).toContain(r.label);
      expect(text).toContain(norm(r.value).split(' (')[0]!);
    }
    expect(text).toContain('Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Milano');
    expect(text).toContain('14 marzo 2026, ore 11:15');
    expect(text).toContain('Rilasciato il 14 marzo 2026');
    expect(text).toContain('Il legale rappresentante dell’ente organizzatore');
    expect(text).toContain(`N. ${a.number}`);
    const { numPages, info } = await pdfInfo(pdf);
    expect(numPages).toBe(1);
    expect(info).toMatchObject({
      Title: 'Attestato di partecipazione – Novità in materia di lavoro',
      Author: 'Formazione Lavoro Srl',
      Subject: `Attestato di partecipazione n. ${a.number}: formazione a distanza (e-learning)`,
      CreationDate: 'D:20260314101500Z',
      ModDate: 'D:20260314101500Z',
      Language: 'it-IT',
    });
  });

  it('draws the elided article and the ordinal 1° (’ and ° are WinAnsi): completed on 1 April, issued on 8 April in Rome', async () => {
    expect(winAnsi('l’8 · 1°')).toBe('l’8 · 1°');
    const a = attestation({ ...input({}, { completedAt: '2026-03-31T22:15:00Z' }), issuedAt: '2026-04-07T22:30:00Z' });
    expect(a.issuedText).toBe('Rilasciato l’8 aprile 2026');
    const text = norm(await pdfText(await attestationPdf(a, VERIFICATION)));
    expect(text).toContain('1° aprile 2026, ore 00:15');
    expect(text).toContain('Rilasciato l’8 aprile 2026');
  });

  it('is deterministic: the same attestation gives the same bytes', async () => {
    const a = attestation(input());
    const [x, y] = await Promise.all([attestationPdf(a, VERIFICATION), attestationPdf(attestation(input()), VERIFICATION)]);
    expect(x.equals(y)).toBe(true);
  });

  it('Italian accents and dashes render; letters outside WinAnsi are folded, never a broken string', async () => {
    expect(winAnsi('à è é ì ò ù – ’ « » €')).toBe('à è é ì ò ù – ’ « » €');
    expect(winAnsi('Łukasz Żółć – perché')).toBe('Lukasz Zólc – perché');
    expect(winAnsi('山田\u200b\u0007x')).toBe('??x');
    const a = attestation(
      input({
        event: { ...input().event, title: 'Perché è così: più diritti – meno oneri (àèéìòù ÀÈÉÌÒÙ)', cpoProvince: 'FC' },
        member: { surname: 'Żółć-D’Àngelo', givenName: 'Łucja', codiceFiscale: 'ZLCLCJ80A41F205X', registerNumber: '77', province: 'FC' },
      }),
    );
    const text = norm(await pdfText(await attestationPdf(a, VERIFICATION)));
    expect(text).toContain('Lucja Zólc-D’Àngelo');
    expect(text).toContain('Perché è così: più diritti – meno oneri (àèéìòù ÀÈÉÌÒÙ)');
    expect(text).toContain('Forlì-');
    // The metadata keeps the exact text (UTF-16 strings).
    expect((await pdfInfo(await attestationPdf(a, VERIFICATION))).info.Title).toBe(
      'Attestato di partecipazione – Perché è così: più diritti – meno oneri (àèéìòù ÀÈÉÌÒÙ)',
    );
  });

  it('a very long course runs onto more pages, nothing lost, the footer on each', async () => {
    const topics = Array.from({ length: 60 }, (_, i) => ({
      title: `Argomento numero ${i + 1} con un titolo piuttosto lungo sulla disciplina del rapporto di lavoro subordinato`,
      start: new Date(Date.parse('2026-03-01T13:00:00Z') + i * 60_000).toISOString(),
      end: new Date(Date.parse('2026-03-01T13:00:00Z') + (i + 1) * 60_000).toISOString(),
      deontology: false,
    }));
    const a = attestation(input({ event: { ...input().event, topics } }));
    const pdf = await attestationPdf(a, VERIFICATION);
    const { numPages } = await pdfInfo(pdf);
    expect(numPages).toBeGreaterThan(1);
    const text = norm(await pdfText(pdf));
    for (let n = 1; n <= numPages; n++) expect(text).toContain(`Pagina ${n} di ${numPages}`);
    for (const t of topics) expect(text).toContain(t.title);
    expect(text).toContain('2 crediti formativi');
    expect(text).toContain('Il legale rappresentante');
  });
});
