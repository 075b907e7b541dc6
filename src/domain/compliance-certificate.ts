/**
 * @module The certificate that a member has met the continuing-education obligation of a
 * biennium (e-learning guidelines art. 6: "a richiesta dell’interessato … l’Ordine Territoriale
 * di appartenenza … può rilasciare un certificato relativo all’assolvimento dell’obbligo
 * formativo"): what it says, in Italian, from the council's verification (R-VER-*), and whether it
 * can be issued. No I/O; the status is the snapshot's, never derived again here (R-DOC-8).
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { cpoName } from './attestation.ts';
import { articledDate } from './italian-dates.ts';
import { ROME } from './calendar.ts';
import type { Facts } from './documents.ts';
import { provinceByCode } from './provinces.ts';
import { IN_ORDER, type VerificationPhase, type VerificationRow, type VerificationStatus } from './verification.ts';

export const COMPLIANCE_CERTIFICATE_TITLE = 'Certificato di assolvimento dell’obbligo formativo';

export const COMPLIANCE_CERTIFICATE_LABELS = {
  biennium: 'Biennio formativo',
  status: 'Situazione',
  obligation: 'Obbligo formativo del biennio',
  credits: 'Crediti formativi riconosciuti',
  debt: 'Recupero del debito formativo',
  verification: 'Verifica del Consiglio Provinciale',
  council: 'Consiglio Provinciale',
} as const;
export type ComplianceCertificateRowId = keyof typeof COMPLIANCE_CERTIFICATE_LABELS;

/** The statuses `IN_ORDER` lists (R-VER-7). */
export type InOrderStatus = 'compliant' | 'reduced' | 'new-member' | 'debt-settled';

/**
 * The in-order statuses (R-VER-4, R-VER-7) in the certificate's words. A reduction's causes are
 * never printed: they may be health data (art. 27), and the council knows them.
 */
export const IN_ORDER_WORDS: Readonly<Record<InOrderStatus, string>> = {
  compliant: 'In regola: obbligo formativo del biennio assolto',
  reduced: 'In regola: obbligo formativo del biennio assolto, nella misura ridotta deliberata dal Consiglio Provinciale',
  'new-member': 'In regola: obbligo formativo del biennio assolto, riproporzionato ai mesi di iscrizione all’Albo',
  'debt-settled': 'In regola: obbligo formativo del biennio assolto, con il recupero del debito formativo entro il 30 giugno',
};

/** One snapshot the certificate relies on (R-VER-5: versions are immutable). */
export interface SnapshotBasis {
  phase: VerificationPhase;
  version: number;
  /** The phase's instant (28 February or 30 June, 23:59:59.999 Rome). */
  asOf: string;
  /** When the council ran it. */
  createdAt: string;
}

/** The member's standing of a biennium: the row that decides it and the snapshots it comes from. */
export interface ComplianceStanding {
  row: VerificationRow;
  /** The February snapshot, and the June one when its row replaced February's (R-VER-7). */
  basis: SnapshotBasis[];
}

/**
 * The row that decides a member's standing (R-VER-7's folding): the latest February row, replaced
 * by the latest June row of the same member when there is one (the debt re-check). Null when the
 * February verification holds no row of the member.
 *
 * @rule R-DOC-8
 */
export function complianceStanding(
  february: { basis: SnapshotBasis; row: VerificationRow | null } | null,
  june: { basis: SnapshotBasis; row: VerificationRow | null } | null,
): ComplianceStanding | null {
  if (!february?.row) return null;
  if (june?.row) return { row: june.row, basis: [february.basis, june.basis] };
  return { row: february.row, basis: [february.basis] };
}

export type ComplianceAvailability = { available: true } | { available: false; status: VerificationStatus };

/**
 * Whether the certificate can be issued: only for a member in order (`IN_ORDER`, as the CN's
 * aggregates count them, R-VER-7). `not-due` (no obligation yet), `short`, `debt-accepted` (the
 * June re-check still to come) and `debt-not-settled` are refused with their status.
 *
 * @rule R-DOC-8
 */
export function complianceAvailability(standing: ComplianceStanding): ComplianceAvailability {
  return IN_ORDER.includes(standing.row.status) ? { available: true } : { available: false, status: standing.row.status };
}

export interface ComplianceCertificateInput {
  memberId: string;
  member: { surname: string; givenName: string; codiceFiscale: string; registerNumber: string; province: string };
  /** The CPO that verified the member and issues the certificate. */
  province: string;
  biennium: number;
  standing: ComplianceStanding;
}

export interface ComplianceCertificateRow {
  id: ComplianceCertificateRowId;
  label: string;
  value: string;
}

export interface ComplianceCertificate {
  number: string;
  memberId: string;
  province: string;
  biennium: number;
  title: typeof COMPLIANCE_CERTIFICATE_TITLE;
  status: VerificationStatus;
  statusText: string;
  member: { fullName: string; codiceFiscale: string; registerNumber: string; province: string; provinceName: string };
  council: string;
  statement: string;
  statementParts: { lead: string; name: string; rest: string };
  rows: ComplianceCertificateRow[];
  obligation: { total: number; deontology: number };
  credits: { total: number; deontology: number };
  basis: SnapshotBasis[];
  issuedAt: string;
  issuedOn: string;
  issuedText: string;
  signatureLabel: string;
  footer: string;
  pdf: { title: string; author: string; subject: string; keywords: string; creationDate: Date; fileName: string };
}

/**
 * The certificate of a member in order. It is issued on the day of the latest verification it
 * relies on (R-DOC-8), so every download of the same standing is the same document.
 * Throws `RangeError` for a member not in order (check `complianceAvailability` first).
 *
 * @rule R-DOC-8
 */
export function complianceCertificate(input: ComplianceCertificateInput): ComplianceCertificate {
  const { row, basis } = input.standing;
  const availability = complianceAvailability(input.standing);
  if (!availability.available) throw new RangeError(`a member whose status is ${availability.status} has no compliance certificate`);
  const status = row.status as InOrderStatus;
  const issued = new Date(Math.max(...basis.map((b) => Date.parse(b.createdAt))));
  const provinceName = provinceByCode(input.member.province)?.name ?? input.member.province;
  const council = cpoName(input.province);
  const fullName = `${input.member.givenName} ${input.member.surname}`.trim();
  const number = complianceCertificateNumber(input.memberId, input.biennium, input.province);
  const period = `${input.biennium}–${input.biennium + 1}`;

  const rows: ComplianceCertificateRow[] = [];
  const push = (id: ComplianceCertificateRowId, value: string) => rows.push({ id, label: COMPLIANCE_CERTIFICATE_LABELS[id], value });
  push('biennium', `${period} (dal 1° gennaio ${input.biennium} al 31 dicembre ${input.biennium + 1})`);
  push('status', IN_ORDER_WORDS[status]);
  push('obligation', amountText(row.obligation) + (row.details.months < 24 ? ` (${row.details.months} mesi di obbligo su 24)` : ''));
  push('credits', amountText(row.credits));
  if (status === 'debt-settled' && row.details.debt) {
    const settled = row.details.debt.settled;
    push(
      'debt',
      `${creditWord(row.details.debt.total)} di debito accolto; ${creditWord(settled)} ${settled === 1 ? 'recuperato' : 'recuperati'} entro il 30 giugno ${input.biennium + 2}`,
    );
  }
  push('verification', basis.map(basisText).join('; '));
  push('council', council);

  const statementParts = {
    lead: 'Si certifica che',
    name: fullName,
    rest:
      `codice fiscale ${input.member.codiceFiscale}, iscrizione n. ${input.member.registerNumber} all’Albo dei Consulenti del Lavoro della provincia di ${provinceName}, ` +
      `ha assolto l’obbligo di formazione continua del biennio ${period}, come risulta dalla verifica del Consiglio Provinciale (art. 26, comma 3, del Regolamento).`,
  };
  return {
    number,
    memberId: input.memberId,
    province: input.province,
    biennium: input.biennium,
    title: COMPLIANCE_CERTIFICATE_TITLE,
    status,
    statusText: IN_ORDER_WORDS[status],
    member: {
      fullName,
      codiceFiscale: input.member.codiceFiscale,
      registerNumber: input.member.registerNumber,
      province: input.member.province,
      provinceName,
    },
    council,
    statement: `${statementParts.lead} ${statementParts.name}, ${statementParts.rest}`,
    statementParts,
    rows,
    obligation: { ...row.obligation },
    credits: { ...row.credits },
    basis: basis.map((b) => ({ ...b })),
    issuedAt: issued.toISOString(),
    issuedOn: DateTime.fromMillis(issued.getTime(), { zone: ROME }).toISODate()!,
    issuedText: `Rilasciato ${articledDate('il', issued)}`,
    signatureLabel: 'Per il Consiglio Provinciale dell’Ordine, il Presidente',
    footer:
      `Certificato n. ${number}, rilasciato a richiesta dell’interessato dal ${council} sulla base della verifica dell’assolvimento dell’obbligo formativo ` +
      `(art. 26, comma 3, del Regolamento sulla formazione continua dei Consulenti del Lavoro).\nIdentificativo dell’iscritto: ${input.memberId}.`,
    pdf: {
      title: `${COMPLIANCE_CERTIFICATE_TITLE} – biennio ${period}`,
      author: council,
      subject: `${COMPLIANCE_CERTIFICATE_TITLE} n. ${number}`,
      keywords: 'formazione continua, consulenti del lavoro, certificato, obbligo formativo',
      creationDate: issued,
      fileName: `certificato-${number.toLowerCase()}.pdf`,
    },
  };
}

/**
 * What the certificate certifies, as its verifiable document's facts (R-DOC-1).
 * @rule R-DOC-1
 */
export function complianceCertificateFacts(c: ComplianceCertificate): Facts {
  return {
    number: c.number,
    title: c.title,
    member: { name: c.member.fullName, codiceFiscale: c.member.codiceFiscale, registerNumber: c.member.registerNumber, province: c.member.province },
    council: c.council,
    province: c.province,
    biennium: `${c.biennium}–${c.biennium + 1}`,
    status: c.status,
    statusText: c.statusText,
    obligation: amountText(c.obligation),
    credits: amountText(c.credits),
    verification: c.basis.map(basisText).join('; '),
    basis: c.basis.map((b) => ({ phase: b.phase, version: b.version, asOf: b.asOf, createdAt: b.createdAt })),
    statement: c.statement,
    rows: c.rows.map((r) => ({ label: r.label, value: r.value })),
    issued: c.issuedText,
    issuedOn: c.issuedOn,
    memberId: c.memberId,
  };
}

/**
 * The certificate number: the biennium, the council's province and the first 16 hex digits of the
 * SHA-256 of the member id. Stable: derived, never stored or counted.
 *
 * @example complianceCertificateNumber(memberId, 2025, 'MI') // 'CRT-2025-MI-…' (16 hex digits)
 */
export function complianceCertificateNumber(memberId: string, biennium: number, province: string): string {
  const hex = createHash('sha256').update(`compliance:${memberId.toLowerCase()}`, 'utf8').digest('hex').slice(0, 16).toUpperCase();
  return `CRT-${biennium}-${province.toUpperCase()}-${hex}`;
}

/**
 * The snapshot a certificate relies on, in words: `verifica al 28 febbraio 2027 (versione 2, eseguita il 3 marzo 2027)`.
 */
export function basisText(b: SnapshotBasis): string {
  const what = b.phase === 'february' ? 'verifica' : 'verifica del recupero del debito';
  return `${what} ${articledDate('al', Date.parse(b.asOf))} (versione ${b.version}, eseguita ${articledDate('il', Date.parse(b.createdAt))})`;
}

/** `50 crediti formativi, di cui 6 in materia di ordinamento professionale e codice deontologico` */
function amountText(a: { total: number; deontology: number }): string {
  return `${a.total === 1 ? '1 credito formativo' : `${a.total} crediti formativi`}, di cui ${a.deontology} in materia di ordinamento professionale e codice deontologico`;
}

function creditWord(n: number): string {
  return n === 1 ? '1 credito' : `${n} crediti`;
}
