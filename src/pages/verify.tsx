/**
 * @module The public verification page of a document (issue 15, R-DOC-4): what it certifies, in
 * Italian, whether it is still valid, and the facts' digest to compare with the PDF. No script;
 * the codice fiscale is masked. An unknown and a malformed code get the same page.
 */
import { DOCUMENT_KINDS, digestText, maskedCodiceFiscale, type DocumentKind, type Facts } from '../domain/documents.ts';
import type { VerifiedDocument } from '../services/documents.ts';
import { italianDateTime, withArticle } from './format.ts';
import { Layout } from './layout.tsx';

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** Who revoked, in words (never the account or key). */
function revokerWords(ref: string): string {
  if (ref.startsWith('organiser:')) return 'dall’ente organizzatore';
  if (ref.startsWith('cpo:')) return 'dal Consiglio Provinciale dell’Ordine';
  if (ref.startsWith('cn:')) return 'dal Consiglio Nazionale dell’Ordine';
  if (ref.startsWith('admin:')) return 'dall’amministrazione della piattaforma';
  return 'da chi lo ha emesso';
}

const CodeForm = ({ error }: { error?: boolean }) => (
  <form method="get" action="/verify" class="card">
    <label for="codice">Codice di verifica</label>
    <p class="hint">Lo trova sul documento, accanto al codice QR (32 lettere e cifre, con o senza trattini).</p>
    <input type="text" id="codice" name="codice" autocomplete="off" spellcheck={false} aria-invalid={error ? 'true' : undefined} />
    <p>
      <button type="submit">Verifica</button>
    </p>
  </form>
);

/** `GET /verify`: the form to type a code. */
export function verifyFormPage() {
  return (
    <Layout title="Verifica di un documento">
      <h1>Verifica di un documento</h1>
      <p>Inserisca il codice di verifica stampato sul documento per vedere che cosa attesta e se è ancora valido.</p>
      <CodeForm />
    </Layout>
  );
}

/** The same page for an unknown and a malformed code. */
export function verifyNotFoundPage() {
  return (
    <Layout title="Documento non trovato">
      <h1>Documento non trovato</h1>
      <div class="alert">Nessun documento corrisponde a questo codice. Controlli di averlo copiato per intero.</div>
      <CodeForm error />
    </Layout>
  );
}

type Row = [string, string | null];

/** What every document states first and last: its kind and number, and when it was issued. */
interface Frame {
  kind: Row;
  number: Row;
  member: { name: string | null; codiceFiscale: string | null };
  issued: Row;
  emitted: Row;
}

/**
 * The rows each kind of document shows, in its order (R-DOC-4), in Italian; a fact a document
 * lacks is left out. A certificate has a holder; a letter has a sender and an addressee.
 */
const KIND_ROWS: Readonly<Record<DocumentKind, (f: Facts, x: Frame) => Row[]>> = {
  'elearning-attestation': (f, x) => [
    ...holder(x),
    ['Corso', str(f.course)],
    ['Ente organizzatore', str(f.organiser)],
    ['Crediti formativi', str(f.credits)],
    ['Data di completamento', str(f.completed)],
    x.issued,
  ],
  'attendance-certificate': (f, x) => [
    ...holder(x),
    ['Evento', str(f.course)],
    ['Luogo', str(f.place)],
    ['Data dell’evento', str(f.dates)],
    ['Presenza riconosciuta', str(f.presence)],
    ['Ente organizzatore', str(f.organiser)],
    ['Crediti formativi', str(f.credits)],
    x.issued,
  ],
  'compliance-certificate': (f, x) => [
    ...holder(x),
    ['Consiglio Provinciale', str(f.council)],
    ['Biennio formativo', str(f.biennium)],
    ['Situazione', str(f.statusText)],
    ['Obbligo formativo del biennio', str(f.obligation)],
    ['Crediti formativi riconosciuti', str(f.credits)],
    ['Verifica del Consiglio Provinciale', str(f.verification)],
    x.issued,
  ],
  'discipline-referral': (f, x) => [
    ['Mittente', str(f.from)],
    ['Destinatario', str(f.to)],
    ['Iscritto', x.member.name],
    ['Codice fiscale', x.member.codiceFiscale],
    ['Biennio formativo', str(f.biennium)],
    ['Esito della verifica', str(f.statusText)],
    ['Crediti riconosciuti', str(f.credits)],
    ['Verifica', str(f.verification)],
    ['Data della segnalazione', str(f.date)],
  ],
};

const holder = (x: Frame): Row[] => [
  ['Intestatario', x.member.name],
  ['Codice fiscale', x.member.codiceFiscale],
];

/** What the page states of a document (label, value; a missing value is left out). */
function factRows(d: VerifiedDocument): Row[] {
  const f: Facts = d.facts;
  const member = (typeof f.member === 'object' && f.member !== null && !Array.isArray(f.member) ? f.member : {}) as Record<string, unknown>;
  const cf = str(member.codiceFiscale);
  const x: Frame = {
    kind: ['Documento', DOCUMENT_KINDS[d.kind]],
    number: ['Numero', str(f.number)],
    member: { name: str(member.name), codiceFiscale: cf ? maskedCodiceFiscale(cf) : null },
    issued: ['Rilascio', str(f.issued)],
    emitted: ['Emesso dalla piattaforma il', italianDateTime(d.issuedAt)],
  };
  return [x.kind, x.number, ...KIND_ROWS[d.kind](f, x), x.emitted];
}

/** `GET /verify/{code}` of a known document. */
export function verifyPage(d: VerifiedDocument, supersededAt: Date | null) {
  const rows = factRows(d);
  const s = d.status;
  return (
    <Layout title="Verifica di un documento">
      <h1>Verifica di un documento</h1>
      {s.status === 'valid' ? (
        <div class="ok">
          <strong>Valida</strong>: il documento è autentico e in vigore.
        </div>
      ) : s.status === 'revoked' ? (
        <div class="alert">
          <strong>Revocata</strong> {withArticle('il', italianDateTime(s.at))} {revokerWords(s.by)} per: {s.reason}
        </div>
      ) : (
        <div class="warn">
          <strong>Sostituita</strong> da un documento più recente {withArticle('il', italianDateTime(supersededAt ?? s.at))}: questo non è più in vigore.
        </div>
      )}
      <div class="card">
        <dl>
          {rows
            .filter((r): r is [string, string] => r[1] !== null)
            .map(([k, v]) => (
              <>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </>
            ))}
        </dl>
      </div>
      <h2>Impronta dei contenuti</h2>
      <p>Il documento stampa la stessa impronta (SHA-256) dei suoi contenuti: se è diversa, il documento è stato modificato.</p>
      <p>
        <code>{digestText(d.factsDigest)}</code>
      </p>
    </Layout>
  );
}
