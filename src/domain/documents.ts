/**
 * @module Documents anyone can verify (issue 15): what a document certifies (its kind and facts),
 * the facts' digest, the verification code and the document's status. Pure: the store keeps the
 * rows, the service issues and verifies, the page and the PDF show what is computed here.
 *
 * - A document is a kind, its facts (exactly what the PDF states, normalised), when and by whom
 *   it was issued (R-DOC-1).
 * - Its verification code: 160 bits, derived as HMAC-SHA-256 of the document's random id under a
 *   secret the database keeps, written in base32 in groups of 4; only its SHA-256 is stored
 *   (R-DOC-2).
 * - The facts' digest: SHA-256 of their canonical JSON, printed on the PDF and shown by the
 *   verification page (R-DOC-3).
 * - Status: valid, revoked (when, why, by whom) or superseded by a newer document of the same
 *   subject (R-DOC-4, R-DOC-5).
 */
import { createHash, createHmac } from 'node:crypto';

/** The kinds of document the gateway issues, with the Italian words the verification page uses. */
export const DOCUMENT_KINDS = {
  'elearning-attestation': 'Attestato di partecipazione a un corso di formazione a distanza (e-learning o podcast)',
  'attendance-certificate': 'Attestato di partecipazione a un evento formativo (webinar, videoconferenza o in presenza)',
  'compliance-certificate': 'Certificato di assolvimento dell’obbligo di formazione continua',
  'discipline-referral': 'Segnalazione al Consiglio di disciplina per il mancato assolvimento dell’obbligo formativo (art. 28, comma 2, del Regolamento)',
} as const;
export type DocumentKind = keyof typeof DOCUMENT_KINDS;

/** Facts are plain JSON: strings, finite numbers, booleans, null, arrays and objects of them. */
export type FactValue = string | number | boolean | null | readonly FactValue[] | { readonly [k: string]: FactValue | undefined };
export type Facts = { readonly [k: string]: FactValue | undefined };

/** RFC 4648 base32 alphabet (no 0, 1, 8, 9: nothing to confuse with O, I, B). */
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** Bytes of a verification code: 160 bits, 32 base32 characters. */
export const CODE_BYTES = 20;
const CODE_CHARS = (CODE_BYTES * 8) / 5;
const CODE_RE = new RegExp(`^[${BASE32}]{${CODE_CHARS}}$`);

/**
 * Facts as they are digested and stored: strings NFC with runs of white space made one space and
 * trimmed, object keys sorted, `undefined` dropped; a number that is not finite is refused.
 *
 * @example normaliseFacts({ b: ' Rossi  Mario ', a: 1 }) // { a: 1, b: 'Rossi Mario' }
 * @rule R-DOC-3
 */
export function normaliseFacts<T extends FactValue | Facts>(value: T): T {
  return normalise(value, '$') as T;
}

function normalise(v: unknown, at: string): FactValue {
  if (v === null) return null;
  if (typeof v === 'string') return v.normalize('NFC').replace(/\s+/gu, ' ').trim();
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`${at} is not a finite number`);
    return Object.is(v, -0) ? 0 : v;
  }
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map((x, i) => normalise(x, `${at}[${i}]`));
  if (typeof v === 'object') {
    const out: Record<string, FactValue> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k.normalize('NFC')] = normalise(x, `${at}.${k}`);
    }
    return out;
  }
  throw new TypeError(`${at} is not a JSON value`);
}

/**
 * The canonical JSON of normalised facts: keys sorted at every depth, no spaces.
 * @rule R-DOC-3
 */
export function canonicalJson(value: FactValue | Facts): string {
  return JSON.stringify(normaliseFacts(value));
}

/**
 * The facts' digest: SHA-256 (hex, lower case) of the canonical JSON of `{ kind, facts }`, so the
 * same facts under another kind never share a digest.
 *
 * @example factsDigest('elearning-attestation', { number: 'FAD-2026-…' }) // '3b1f…' (64 hex digits)
 * @rule R-DOC-3
 */
export function factsDigest(kind: DocumentKind, facts: Facts): string {
  return createHash('sha256').update(canonicalJson({ kind, facts }), 'utf8').digest('hex');
}

/** The digest in 8 groups of 8 hex digits, as the PDF and the page print it. */
export function digestText(digest: string): string {
  return (digest.match(/.{1,8}/g) ?? []).join(' ');
}

/**
 * The verification code of a document: the first 160 bits of HMAC-SHA-256(secret, document id),
 * in base32. Without the secret, a code is not guessable from the id (and the id is never shown).
 * @rule R-DOC-2
 */
export function documentCode(secret: string, documentId: string): string {
  return base32(createHmac('sha256', secret).update(`issued-document:${documentId}`, 'utf8').digest().subarray(0, CODE_BYTES));
}

/** SHA-256 (hex) of a code in its plain form: what the table stores and looks up. @rule R-DOC-2 */
export function codeHash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}

/**
 * A code as people read it: groups of 4 joined by `-`.
 * @example groupedCode('ABCDEFGH…') // 'ABCD-EFGH-…'
 */
export function groupedCode(code: string): string {
  return (code.match(/.{1,4}/g) ?? []).join('-');
}

/**
 * The public page of a document: `<origin>/verify/<grouped code>` (what the QR code holds).
 * @example verificationUrl('https://formazione.example.it', code) // 'https://formazione.example.it/verify/ABCD-EFGH-…'
 */
export function verificationUrl(origin: string, code: string): string {
  return `${origin.replace(/\/+$/, '')}/verify/${groupedCode(code)}`;
}

/**
 * A typed or scanned code in its plain form, or null when it cannot be one: spaces, dashes and
 * dots dropped, upper case, 0 read as O, 1 as I and 8 as B (letters base32 never uses).
 *
 * @example parseCode('abcd-efgh ijkl…') // 'ABCDEFGHIJKL…'
 * @rule R-DOC-2
 */
export function parseCode(input: string): string | null {
  if (input.length > 200) return null;
  const plain = input
    .normalize('NFKC')
    .replace(/[\s\-‐‑‒–—.·]/gu, '')
    .toUpperCase()
    .replace(/0/g, 'O')
    .replace(/1/g, 'I')
    .replace(/8/g, 'B');
  return CODE_RE.test(plain) ? plain : null;
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** A stored document as far as its status depends on it. */
export interface DocumentState {
  revokedAt: Date | null;
  revokedBy: string | null;
  revokedReason: string | null;
  supersededAt: Date | null;
}

export type DocumentStatus = { status: 'valid' } | { status: 'revoked'; at: Date; reason: string; by: string } | { status: 'superseded'; at: Date };

/**
 * A document's status: revoked wins over superseded (a revocation is an act about this very
 * document), superseded when a newer document of the same subject replaced it, else valid.
 * @rule R-DOC-4
 */
export function documentStatus(d: DocumentState): DocumentStatus {
  if (d.revokedAt) return { status: 'revoked', at: d.revokedAt, reason: d.revokedReason ?? '', by: d.revokedBy ?? '' };
  if (d.supersededAt) return { status: 'superseded', at: d.supersededAt };
  return { status: 'valid' };
}

/** What issuing facts for a subject does, given its current document (R-DOC-5). */
export type IssueDecision = { action: 'reuse' } | { action: 'supersede' } | { action: 'create' };

/**
 * Issuing is idempotent: the same facts (digest) for the subject give back its current document,
 * revoked or not (a revocation is not undone by asking again); different facts supersede it.
 * @rule R-DOC-5
 */
export function issueDecision(current: { factsDigest: string } | null, digest: string): IssueDecision {
  if (!current) return { action: 'create' };
  return current.factsDigest === digest ? { action: 'reuse' } : { action: 'supersede' };
}

/**
 * A codice fiscale as a public page shows it: the first 6 characters, the last, bullets between.
 * @example maskedCodiceFiscale('RSSMRA80A01H501U') // 'RSSMRA•••••••••U'
 */
export function maskedCodiceFiscale(cf: string): string {
  const s = cf.trim().toUpperCase();
  if (s.length < 8) return '•'.repeat(s.length);
  return `${s.slice(0, 6)}${'•'.repeat(s.length - 7)}${s.slice(-1)}`;
}

/**
 * Who may revoke a document: admin and cn always; the staff or keys of the organiser that issued
 * it (issuer `organiser:<id>`), or of the CPO that issued it (issuer `cpo:<province>`, R-DOC-8).
 * @rule R-DOC-6
 */
export function mayRevoke(actor: { role: string; subject: string | null }, issuer: string): boolean {
  if (actor.role === 'admin' || actor.role === 'cn') return true;
  if (actor.subject === null) return false;
  if (actor.role === 'organiser') return issuer === organiserIssuer(actor.subject);
  return actor.role === 'cpo' && issuer === cpoIssuer(actor.subject);
}

/** The issuer recorded for a document an organiser issues. */
export function organiserIssuer(organiserId: string): string {
  return `organiser:${organiserId}`;
}

/** The issuer recorded for a document a provincial council issues (the compliance certificate, R-DOC-8). */
export function cpoIssuer(province: string): string {
  return `cpo:${province}`;
}
