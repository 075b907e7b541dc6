/**
 * @module The letter that refers a member to the discipline council (art. 28 c.2, after the
 * verification of art. 26 c.3; R-VER-9): what it says, in Italian, from plain inputs. No I/O:
 * the service stores it with the referral (so a sent letter never changes), issues it as a
 * verifiable document (`referralLetterFacts` is exactly what the PDF states) and the PDF adapter
 * draws it.
 *
 * Decisions taken here:
 * - **From** the Consiglio Provinciale dell’Ordine of the member's province **to** the Consiglio
 *   di disciplina territoriale at the same Order (art. 28 c.2: "territorialmente competente").
 * - **Dated** the Rome day the referral was prepared (or last restated, R-VER-9), so every
 *   download is the same document.
 * - It states the member (name, codice fiscale, register number), the biennium, the obligation
 *   against the credits counted and missing (total and deontology), an accepted debt and what was
 *   settled of it, the status, and the verification's phase, version and run date it rests on.
 * - The signature line is the president's: the gateway cannot sign for the council.
 */
import { DateTime } from 'luxon';
import { articledDate, italianDate } from './italian-dates.ts';
import { ROME } from './calendar.ts';
import { normaliseFacts } from './documents.ts';
import { provinceByCode } from './provinces.ts';
import type { VerificationPhase, VerificationRow } from './verification.ts';

export const REFERRAL_LETTER_TITLE = 'Segnalazione al Consiglio di disciplina';

/** The rows say "deontologia"; the letter says once what it means (art. 7 c.3). */
const DEONTOLOGY = 'di deontologia';

export interface ReferralLetterInput {
  referralId: string;
  /** `referralNumber(...)`, e.g. `DEF-MI-2025-0001`. */
  number: string;
  /** Sigla of the CPO that refers (the member's province). */
  province: string;
  biennium: number;
  member: { surname: string; givenName: string; codiceFiscale: string; registerNumber: string };
  /** The member's final verification row, its phase and version (R-VER-8). */
  row: VerificationRow;
  phase: VerificationPhase;
  version: number;
  /** When that snapshot was run. */
  verifiedAt: string | Date;
  /** The Rome day the letter is dated, `YYYY-MM-DD`. */
  letterOn: string;
}

/** The letter as plain JSON: what the PDF draws and the verifiable document's facts (R-DOC-1). */
export type ReferralLetter = {
  number: string;
  referralId: string;
  title: string;
  /** The council that refers, and the one it writes to. */
  from: string;
  to: string;
  /** `Milano, 3 marzo 2027` */
  placeAndDate: string;
  /** `3 marzo 2027` and `2027-03-03`. */
  date: string;
  dateOn: string;
  subject: string;
  paragraphs: string[];
  rows: { label: string; value: string }[];
  closing: string;
  signature: string;
  member: { name: string; codiceFiscale: string; registerNumber: string; province: string };
  /** `2025–2026` */
  biennium: string;
  status: string;
  statusText: string;
  /** `40 crediti di 50; deontologia: 2 di 6` */
  credits: string;
  /** `al 28 febbraio 2027, versione 2, eseguita il 3 marzo 2027` */
  verification: string;
};

/**
 * The letter of a referral (R-VER-9, art. 28 c.2, art. 26 c.3), normalised as its document's
 * facts are (R-DOC-3), so what is stored, digested and drawn is the same text.
 *
 * @example
 * const l = referralLetter({ referralId, number: 'DEF-MI-2025-0001', province: 'MI', biennium: 2025, member, row, phase: 'february', version: 2, verifiedAt, letterOn: '2027-03-03' });
 * l.placeAndDate // 'Milano, 3 marzo 2027'
 * @rule R-VER-9
 */
export function referralLetter(input: ReferralLetterInput): ReferralLetter {
  const { row, biennium } = input;
  const provinceName = provinceByCode(input.province)?.name ?? input.province;
  const years = `${biennium}–${biennium + 1}`;
  const fullName = `${input.member.givenName} ${input.member.surname}`.trim();
  const date = italianDay(input.letterOn);
  const june = `30 giugno ${biennium + 2}`;
  const debt = row.details.debt;
  const statusText =
    row.status === 'debt-not-settled'
      ? `Non in regola: debito formativo non recuperato entro il ${june}`
      : `Non in regola: crediti formativi insufficienti al 28 febbraio ${biennium + 2}`;
  const verification = `${input.phase === 'june' ? `del recupero del debito al ${june}` : `al 28 febbraio ${biennium + 2}`}, versione ${input.version}, eseguita ${articledDate('il', instant(input.verifiedAt))}`;

  const rows: { label: string; value: string }[] = [
    { label: 'Iscritto', value: fullName },
    { label: 'Codice fiscale', value: input.member.codiceFiscale },
    { label: 'Iscrizione all’Albo', value: `n. ${input.member.registerNumber} (provincia di ${provinceName})` },
    { label: 'Biennio formativo', value: `${years} (dal 1° gennaio ${biennium} al 31 dicembre ${biennium + 1})` },
    { label: 'Obbligo formativo', value: `${amounts(row.obligation.total, row.obligation.deontology)}${obligationNote(row)}` },
    { label: 'Crediti riconosciuti', value: amounts(row.credits.total, row.credits.deontology) },
    { label: 'Crediti mancanti', value: amounts(row.missing.total, row.missing.deontology) },
  ];
  if (debt)
    rows.push({
      label: 'Debito formativo',
      value: `ammesso al recupero entro il ${june} (art. 7, comma 6): ${amounts(debt.total, debt.deontology)}; recuperati: ${credits(debt.settled)}`,
    });
  rows.push({ label: 'Esito della verifica', value: statusText });

  const finding =
    `Questo Consiglio Provinciale, nella verifica del corretto adempimento degli obblighi formativi da parte degli iscritti prevista dall’art. 26, comma 3, ` +
    `del Regolamento per la formazione continua dei Consulenti del Lavoro, ha accertato che l’iscritto indicato di seguito non ha conseguito nel biennio formativo ${years} ` +
    `i crediti formativi previsti dall’art. 7, comma 3, del Regolamento` +
    (row.status === 'debt-not-settled' ? `, né ha recuperato entro il ${june} il debito formativo ammesso al recupero ai sensi dell’art. 7, comma 6.` : '.');
  const letter: ReferralLetter = {
    number: input.number,
    referralId: input.referralId,
    title: REFERRAL_LETTER_TITLE,
    from: `Consiglio Provinciale dell’Ordine dei Consulenti del Lavoro di ${provinceName}`,
    to: `Consiglio di disciplina territoriale presso l’Ordine dei Consulenti del Lavoro della provincia di ${provinceName}`,
    placeAndDate: `${provinceName}, ${date}`,
    date,
    dateOn: input.letterOn,
    subject:
      `Oggetto: segnalazione ai sensi dell’art. 28, comma 2, del Regolamento per la formazione continua dei Consulenti del Lavoro – ` +
      `mancato assolvimento dell’obbligo formativo nel biennio ${years} – iscritto ${fullName}.`,
    paragraphs: [
      finding,
      `La violazione dell’obbligo di curare il continuo e costante aggiornamento della propria competenza professionale costituisce illecito disciplinare ` +
        `(art. 28, comma 1, del Regolamento). Con la presente si provvede pertanto, ai sensi dell’art. 28, comma 2, alla segnalazione a codesto Consiglio di disciplina ` +
        `per l’avvio del procedimento disciplinare.`,
      `La posizione formativa dell’iscritto risulta dalla verifica ${verification}, i cui dati sono riportati di seguito ` +
        `(«di deontologia»: crediti in materia di ordinamento professionale e codice deontologico, art. 7, comma 3).`,
    ],
    rows,
    closing: 'Si resta a disposizione per ogni chiarimento e si porgono distinti saluti.',
    signature: 'Il Presidente del Consiglio Provinciale',
    member: { name: fullName, codiceFiscale: input.member.codiceFiscale, registerNumber: input.member.registerNumber, province: input.province },
    biennium: years,
    status: row.status,
    statusText,
    credits: `${credits(row.credits.total)} di ${row.obligation.total}; deontologia: ${row.credits.deontology} di ${row.obligation.deontology}`,
    verification,
  };
  return normaliseFacts(letter);
}

/** The footer of every page: the number and the rules, then (its own line) the referral's id to trace it. */
export function referralLetterFooter(l: Pick<ReferralLetter, 'number' | 'referralId'>): string {
  return (
    `Segnalazione n. ${l.number} ai sensi dell’art. 28, comma 2, e dell’art. 26, comma 3, del Regolamento per la formazione continua dei Consulenti del Lavoro.` +
    `\nIdentificativo del deferimento: ${l.referralId}.`
  );
}

/** The PDF's metadata and download name (ASCII, no personal data), dated the letter's day (00:00 Rome) so every download is the same file. */
export function referralLetterInfo(l: Pick<ReferralLetter, 'number' | 'from' | 'dateOn' | 'biennium'>): {
  title: string;
  author: string;
  subject: string;
  keywords: string;
  creationDate: Date;
  fileName: string;
} {
  return {
    title: `${REFERRAL_LETTER_TITLE} n. ${l.number}`,
    author: l.from,
    subject: `Mancato assolvimento dell’obbligo formativo nel biennio ${l.biennium} (art. 28, comma 2)`,
    keywords: 'formazione continua, consulenti del lavoro, consiglio di disciplina, art. 28',
    creationDate: DateTime.fromISO(l.dateOn, { zone: ROME }).startOf('day').toJSDate(),
    fileName: `deferimento-${l.number.toLowerCase()}.pdf`,
  };
}

/** `1 credito`, `12 crediti`. */
function credits(n: number): string {
  return n === 1 ? '1 credito' : `${n} crediti`;
}

/** `40 crediti, di cui 2 in materia di ordinamento professionale e codice deontologico` */
function amounts(total: number, deontology: number): string {
  return `${credits(total)}, di cui ${deontology} ${DEONTOLOGY}`;
}

/** Why the obligation is not the full 50 / 6: pro-rated for a new member (R-OBL-3), reduced (R-OBL-6). */
function obligationNote(row: VerificationRow): string {
  const notes: string[] = [];
  if (row.details.months < 24) notes.push(`riproporzionato per l’iscrizione all’Albo nel corso del biennio: ${row.details.months} mesi`);
  if (row.details.reduction) notes.push(`ridotto di ${credits(row.details.reduction.total)} per riproporzionamento (art. 27)`);
  return notes.length ? ` (${notes.join('; ')})` : '';
}

/** A Rome calendar date `YYYY-MM-DD` in words: `3 marzo 2027`. */
export function italianDay(iso: string): string {
  const d = DateTime.fromISO(iso, { zone: ROME });
  if (!d.isValid) throw new RangeError(`not a date: ${iso}`);
  return italianDate(d.toMillis());
}

function instant(v: string | Date): number {
  const t = v instanceof Date ? v.getTime() : Date.parse(v);
  if (!Number.isFinite(t)) throw new RangeError(`not an instant: ${String(v)}`);
  return t;
}
