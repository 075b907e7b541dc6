/**
 * @module Unit tests of the attendance certificate of webinar, videoconference, in-person and
 * mixed events (art. 23 c.2, R-DOC-7): its fields from plain inputs (place by how the member took
 * part, Rome dates around midnight and across DST, a structured path's sessions, the ledger's
 * deontology share, a stable number), when it can be issued, its facts, and the PDF read back.
 */
import { describe, expect, it } from 'vitest';
import { attendanceCertificatePdf } from '../../adapters/pdf/attendance-certificate-pdf.ts';
import {
  ATTENDANCE_REQUIRED_FIELDS,
  attendanceCertificate,
  attendanceCertificateFacts,
  attendanceCertificateNumber,
  certificateAvailability,
  datesText,
  venueText,
  yearsText,
  type AttendanceCertificateInput,
} from '../../src/domain/attendance-certificate.ts';
import { factsDigest } from '../../src/domain/documents.ts';
import { pdfInfo, pdfText } from '../support/pdf-text.ts';

const EVENT = '6a1f0c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
const MEMBER = '0f9e8d7c-6b5a-4c3d-9e2f-1a0b9c8d7e6f';
const VERIFICATION = { code: 'B'.repeat(32), url: `https://formazione.example.it/verify/${'BBBB-'.repeat(7)}BBBB`, factsDigest: '1'.repeat(64) };
const norm = (s: string) => s.replace(/\s+/g, ' ');

function input(over: Partial<AttendanceCertificateInput> = {}, attendance: Partial<AttendanceCertificateInput['attendance']> = {}): AttendanceCertificateInput {
  return {
    eventId: EVENT,
    memberId: MEMBER,
    event: {
      title: 'Novità in materia di lavoro',
      mode: 'webinar',
      // 12 March 2026, 14:00–17:00 Rome (CET, UTC+1).
      start: '2026-03-12T13:00:00Z',
      end: '2026-03-12T16:00:00Z',
      topics: [
        // Two hours of deontology in the programme: the certificate still says what the ledger recorded.
        { title: 'Deontologia professionale', start: '2026-03-12T13:00:00Z', end: '2026-03-12T15:00:00Z', deontology: true },
        { title: 'Contratti di lavoro', start: '2026-03-12T15:00:00Z', end: '2026-03-12T16:00:00Z', deontology: false },
      ],
      sessions: null,
      cpoProvince: 'MI',
      venueProvince: null,
      platform: 'zoom',
      accreditationReference: 'Delibera 12/2026',
    },
    organiser: { name: 'Formazione Lavoro Srl', authorisationNumber: 'CN-2026-007' },
    member: { surname: 'Rossi', givenName: 'Maria', codiceFiscale: 'RSSMRA80A41F205X', registerNumber: '1234', province: 'MI' },
    attendance: { mode: 'webinar', coveredMinutes: 171, credits: [{ credits: 3, deontologyCredits: 1, year: 2026 }], ...attendance },
    issuedAt: '2026-03-20T09:00:00Z',
    ...over,
  };
}

describe('attendance certificate fields (art. 23 c.2, R-DOC-7)', () => {
  it('has every field, labelled in Italian, in its order; credits and deontology as the ledger recorded them', () => {
    const c = attendanceCertificate(input());
    expect(Object.keys(c.required)).toEqual([...ATTENDANCE_REQUIRED_FIELDS]);
    for (const f of ATTENDANCE_REQUIRED_FIELDS) expect(c.required[f].length).toBeGreaterThan(0);
    expect(c.rows.map((r) => [r.label, r.value])).toEqual([
      ['Luogo', 'Webinar sulla piattaforma Zoom'],
      ['Data dell’evento', '12 marzo 2026, dalle 14:00 alle 17:00'],
      ['Durata dell’evento', '3 h'],
      ['Presenza riconosciuta', '2 h 51 min'],
      ['Ente organizzatore', 'Formazione Lavoro Srl (ente autorizzato dal Consiglio Nazionale, autorizzazione n. CN-2026-007)'],
      ['Ente accreditante', 'Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di Milano'],
      ['Codice di accreditamento', 'Delibera 12/2026'],
      ['Materia', 'Deontologia professionale; Contratti di lavoro'],
      ['Crediti formativi', '3 crediti formativi, di cui 1 in materia di ordinamento professionale e codice deontologico'],
      ['Anno formativo', '2026'],
    ]);
    expect(c.deontologyCredits).toBe(1); // the ledger's, not the two programme hours
    expect(c.statement).toBe(
      'Si attesta che Maria Rossi, codice fiscale RSSMRA80A41F205X, iscrizione n. 1234 all’Albo dei Consulenti del Lavoro della provincia di Milano, ' +
        'ha partecipato all’evento formativo «Novità in materia di lavoro» (webinar), con la presenza rilevata in entrata e in uscita (art. 23, comma 1, del Regolamento).',
    );
    expect(c.heading).toBe('Webinar – art. 23, comma 2, del Regolamento');
    expect(c.issuedText).toBe('Rilasciato il 20 marzo 2026');
    expect(c.signatureLabel).toBe('Il legale rappresentante dell’ente organizzatore');
    expect(c.footer.split('\n').at(-1)).toBe(`Identificativi: evento ${EVENT}, iscritto ${MEMBER}.`);
    expect(c.pdf.fileName).toBe(`attestato-${c.number.toLowerCase()}.pdf`);
  });

  it('several records add up; a path across two years names both (R-EVT-6)', () => {
    const c = attendanceCertificate(
      input(
        {},
        {
          credits: [
            { credits: 12, deontologyCredits: 2, year: 2025 },
            { credits: 8, deontologyCredits: 1, year: 2026 },
          ],
        },
      ),
    );
    expect(c.required.credits).toBe('20 crediti formativi, di cui 3 in materia di ordinamento professionale e codice deontologico');
    expect(yearsText([{ credits: 1, year: 2026 }])).toBe('2026');
    expect(
      yearsText([
        { credits: 12, year: 2025 },
        { credits: 1, year: 2026 },
      ]),
    ).toBe('2025 (12 crediti); 2026 (1 credito)');
    const none = attendanceCertificate(input({}, { credits: [{ credits: 1, deontologyCredits: 0, year: 2026 }] }));
    expect(none.required.credits).toBe('1 credito formativo');
  });

  it('place: how the member took part, on the event’s platform or in its venue province', () => {
    expect(venueText('webinar', { platform: 'teams', venueProvince: null })).toBe('Webinar sulla piattaforma Microsoft Teams');
    expect(venueText('webinar', { platform: 'generic', venueProvince: null })).toBe('Webinar (formazione a distanza in diretta)');
    expect(venueText('videoconference', { platform: 'webex', venueProvince: null })).toBe('Videoconferenza sulla piattaforma Webex');
    expect(venueText('in-person', { platform: null, venueProvince: 'BG' })).toBe('In presenza, provincia di Bergamo');
    expect(venueText('in-person', { platform: null, venueProvince: null })).toBe('In presenza');
    // A mixed event attended in person (R-FAD-1: the credit record says so).
    const c = attendanceCertificate(input({ event: { ...input().event, mode: 'mixed', venueProvince: 'MI' } }, { mode: 'in-person' }));
    expect(c.required.place).toBe('In presenza, provincia di Milano');
    expect(c.statement).toContain('(in modalità mista, con partecipazione in presenza)');
    expect(c.heading).toBe('Evento in modalità mista (in presenza) – art. 23, comma 2, del Regolamento');
    const online = attendanceCertificate(input({ event: { ...input().event, mode: 'mixed', venueProvince: 'MI' } }, { mode: 'webinar' }));
    expect(online.required.place).toBe('Webinar sulla piattaforma Zoom');
    expect(online.statement).toContain('(in modalità mista, con partecipazione a distanza (webinar))');
  });

  it('dates on the Rome calendar: summer time, across midnight, the new year (R-CAL-2)', () => {
    // 10 June: CEST, UTC+2.
    expect(datesText([{ start: '2026-06-10T12:00:00Z', end: '2026-06-10T15:30:00Z' }])).toBe('10 giugno 2026, dalle 14:00 alle 17:30');
    // 31 December 23:30 – 1 January 00:30 Rome: both days, and the number's year is the start's (R-CAL-2).
    const ny = attendanceCertificate(
      input({ event: { ...input().event, start: '2025-12-31T22:30:00Z', end: '2026-01-01T00:30:00Z', topics: [] } }, { coveredMinutes: 120 }),
    );
    expect(ny.required.dates).toBe('dal 31 dicembre 2025, ore 23:30, al 1° gennaio 2026, ore 01:30');
    // 7 March 23:00 – 8 March 01:00 UTC: 8 March in Rome, so the article elides.
    expect(datesText([{ start: '2026-03-07T23:00:00Z', end: '2026-03-11T10:00:00Z' }])).toBe('dall’8 marzo 2026, ore 00:00, all’11 marzo 2026, ore 11:00');
    expect(ny.required.duration).toBe('2 h');
    expect(ny.eventDays).toEqual(['2025-12-31', '2026-01-01']);
    expect(ny.number).toMatch(/^ATT-2025-[0-9A-F]{16}$/);
    expect(ny.required.subject).toBe('—');
  });

  it('across the DST changes the duration is the real time, not the clock’s (R-CAL-2)', () => {
    // 29 March 2026, 00:30–03:00 UTC: 01:30 CET to 05:00 CEST, two and a half hours.
    const spring = attendanceCertificate(input({ event: { ...input().event, start: '2026-03-29T00:30:00Z', end: '2026-03-29T03:00:00Z' } }));
    expect(spring.required.dates).toBe('29 marzo 2026, dalle 01:30 alle 05:00');
    expect(spring.required.duration).toBe('2 h 30 min');
    // 25 October 2026, 00:00–03:00 UTC: 02:00 CEST to 04:00 CET, three hours.
    const autumn = attendanceCertificate(input({ event: { ...input().event, start: '2026-10-25T00:00:00Z', end: '2026-10-25T03:00:00Z' } }));
    expect(autumn.required.dates).toBe('25 ottobre 2026, dalle 02:00 alle 04:00');
    expect(autumn.required.duration).toBe('3 h');
    // Issued at 23:30 UTC on 24 October (CEST): already the 25th in Rome.
    expect(attendanceCertificate(input({ issuedAt: '2026-10-24T22:30:00Z' })).issuedOn).toBe('2026-10-25');
  });

  it('a structured path: each session on its own day, the duration of the sessions only (R-EVT-6)', () => {
    const sessions = [
      { start: '2026-05-05T07:00:00Z', end: '2026-05-05T11:00:00Z' },
      { start: '2026-05-04T07:00:00Z', end: '2026-05-04T11:00:00Z' },
    ];
    const c = attendanceCertificate(
      input(
        { event: { ...input().event, mode: 'in-person', start: sessions[1]!.start, end: sessions[0]!.end, sessions, venueProvince: 'MI', platform: null } },
        { mode: 'in-person' },
      ),
    );
    expect(c.required.dates).toBe('4 maggio 2026, dalle 09:00 alle 13:00; 5 maggio 2026, dalle 09:00 alle 13:00');
    expect(c.required.duration).toBe('8 h');
    expect(c.eventDays).toEqual(['2026-05-04', '2026-05-05']);
    expect(c.required.place).toBe('In presenza, provincia di Milano');
    expect(c.heading).toBe('Evento in presenza – art. 23, comma 2, del Regolamento');
  });

  it('the number is stable for (event, member) and differs between members', () => {
    const a = attendanceCertificateNumber(EVENT, MEMBER, Date.parse('2026-03-12T13:00:00Z'));
    expect(a).toMatch(/^ATT-2026-[0-9A-F]{16}$/);
    expect(attendanceCertificateNumber(EVENT.toUpperCase(), MEMBER, Date.parse('2026-03-12T13:00:00Z'))).toBe(a);
    expect(attendanceCertificateNumber(EVENT, EVENT, Date.parse('2026-03-12T13:00:00Z'))).not.toBe(a);
    expect(attendanceCertificate(input()).number).toBe(a);
  });

  it('facts: what the PDF states; different facts, a different digest (R-DOC-1, R-DOC-3)', () => {
    const f = attendanceCertificateFacts(attendanceCertificate(input()));
    expect(f).toMatchObject({
      course: 'Novità in materia di lavoro',
      place: 'Webinar sulla piattaforma Zoom',
      dates: '12 marzo 2026, dalle 14:00 alle 17:00',
      presence: '2 h 51 min',
      credits: '3 crediti formativi, di cui 1 in materia di ordinamento professionale e codice deontologico',
      issued: 'Rilasciato il 20 marzo 2026',
      member: { name: 'Maria Rossi', codiceFiscale: 'RSSMRA80A41F205X', registerNumber: '1234', province: 'MI' },
      eventId: EVENT,
      memberId: MEMBER,
    });
    expect(f.rows).toHaveLength(10);
    const other = attendanceCertificateFacts(attendanceCertificate(input({}, { coveredMinutes: 175 })));
    expect(factsDigest('attendance-certificate', other)).not.toBe(factsDigest('attendance-certificate', f));
    expect(factsDigest('attendance-certificate', attendanceCertificateFacts(attendanceCertificate(input())))).toBe(factsDigest('attendance-certificate', f));
  });
});

describe('when the certificate can be issued (R-DOC-7)', () => {
  const credited = { status: 'credited', reason: 'qualified', rule: 'R-ATT-3' };
  it('credited with every record granted', () => {
    expect(certificateAvailability({ outcome: credited, registered: true, records: [{ status: 'granted' }], questionnaire: null })).toEqual({
      available: true,
    });
    // In person, registration is optional (R-EVT-4): an outcome is enough.
    expect(
      certificateAvailability({ outcome: credited, registered: false, records: [{ status: 'granted' }, { status: 'granted' }], questionnaire: null }),
    ).toEqual({ available: true });
  });
  it('not a participant, not derived, not credited: each with its reason and rule', () => {
    expect(certificateAvailability({ outcome: null, registered: false, records: [], questionnaire: null })).toEqual({
      available: false,
      kind: 'not-participant',
    });
    expect(certificateAvailability({ outcome: null, registered: true, records: [], questionnaire: null })).toEqual({
      available: false,
      kind: 'not-available',
      reason: 'not-derived',
      outcomeStatus: null,
      rule: 'R-ATT-9',
    });
    expect(
      certificateAvailability({
        outcome: { status: 'not-qualified', reason: 'absence-over-tolerance', rule: 'R-ATT-3' },
        registered: true,
        records: [],
        questionnaire: null,
      }),
    ).toEqual({ available: false, kind: 'not-available', reason: 'absence-over-tolerance', outcomeStatus: 'not-qualified', rule: 'R-ATT-3' });
    // Credited, the ledger not written yet.
    expect(certificateAvailability({ outcome: credited, registered: true, records: [], questionnaire: null })).toMatchObject({ reason: 'not-derived' });
  });
  it('a kind-e webinar waits for the questionnaire and may be refused by it (R-QST-1, R-QST-8)', () => {
    expect(
      certificateAvailability({
        outcome: credited,
        registered: true,
        records: [{ status: 'pending' }],
        questionnaire: { creditStatus: 'pending', code: 'questionnaire-required' },
      }),
    ).toEqual({ available: false, kind: 'not-available', reason: 'questionnaire-required', outcomeStatus: 'credited', rule: 'R-QST-1' });
    expect(
      certificateAvailability({
        outcome: credited,
        registered: true,
        records: [{ status: 'not-granted' }],
        questionnaire: { creditStatus: 'not-granted', code: 'questionnaire-failed' },
      }),
    ).toEqual({ available: false, kind: 'not-available', reason: 'questionnaire-failed', outcomeStatus: 'credited', rule: 'R-QST-8' });
  });
});

describe('attendance certificate PDF', () => {
  it('draws the elided article and the ordinal 1° (’ and ° are WinAnsi)', async () => {
    const c = attendanceCertificate(
      input({ event: { ...input().event, start: '2026-03-31T22:30:00Z', end: '2026-04-01T01:30:00Z', topics: [] } }, { coveredMinutes: 180 }),
    );
    const text = norm(await pdfText(await attendanceCertificatePdf(c, VERIFICATION)));
    expect(text).toContain('1° aprile 2026, dalle 00:30 alle 03:30');
  });
  it('prints every row, the statement, the signature line and the verification; metadata at the issue instant', async () => {
    const c = attendanceCertificate(input());
    const pdf = await attendanceCertificatePdf(c, VERIFICATION);
    const text = norm(await pdfText(pdf));
    for (const expected of [
      'Attestato di partecipazione',
      'Webinar – art. 23, comma 2, del Regolamento',
      `N. ${c.number}`,
      'Maria Rossi',
      'Luogo Webinar sulla piattaforma Zoom',
      'Data dell’evento 12 marzo 2026, dalle 14:00 alle 17:00',
      'Presenza riconosciuta 2 h 51 min',
      'Rilasciato il 20 marzo 2026',
      'Il legale rappresentante dell’ente organizzatore',
      `Codice di verifica: ${'BBBB-'.repeat(7)}BBBB`,
      EVENT,
    ]) {
      expect(text).toContain(expected);
    }
    const { numPages, info } = await pdfInfo(pdf);
    expect(numPages).toBe(1);
    expect(info).toMatchObject({
      Title: 'Attestato di partecipazione – Novità in materia di lavoro',
      Author: 'Formazione Lavoro Srl',
      CreationDate: 'D:20260320090000Z',
      ModDate: 'D:20260320090000Z',
    });
  });

  it('is deterministic, and folds letters a standard font cannot draw (the metadata keeps them)', async () => {
    const [x, y] = await Promise.all([
      attendanceCertificatePdf(attendanceCertificate(input()), VERIFICATION),
      attendanceCertificatePdf(attendanceCertificate(input()), VERIFICATION),
    ]);
    expect(x.equals(y)).toBe(true);
    const c = attendanceCertificate(
      input({
        event: { ...input().event, title: 'Łódź e dintorni – perché' },
        member: { surname: 'Żółć', givenName: 'Łucja', codiceFiscale: 'ZLCLCJ80A41F205X', registerNumber: '77', province: 'FC' },
      }),
    );
    const pdf = await attendanceCertificatePdf(c, VERIFICATION);
    const text = norm(await pdfText(pdf));
    expect(text).toContain('Lucja Zólc');
    expect(text).toContain('Forlì-');
    expect((await pdfInfo(pdf)).info.Title).toBe('Attestato di partecipazione – Łódź e dintorni – perché');
  });
});
