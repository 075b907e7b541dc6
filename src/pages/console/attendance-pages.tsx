/**
 * @module An event's attendance in the provider's console (issue 14), in Italian and without
 * script: the outcome of every participant with its explanation (R-ATT-9, the words of
 * `domain/outcome-texts.ts`), counts by outcome, incomplete records and unmatched participants,
 * corrections with author and reason (R-ATT-6), the audit trail (R-POL-2), the workbook downloads
 * (R-TPL-1, R-TPL-2), the upload forms (R-TPL-3, R-ATT-1) and their row report; the correction
 * form, closing the course with a confirmation (R-EVT-7). Large events are shown a page of
 * outcomes at a time.
 */
import type { FC } from 'hono/jsx';
import { statusText } from '../../domain/outcome-texts.ts';
import { italianDateTime, withArticle } from '../format.ts';
import type { ConsolePerson } from './account-pages.tsx';
import { CORRECTION_TYPE_LABELS, REPORT_FORMAT_LABELS } from './attendance-labels.ts';
import { eventPage, minutesText, type EventHead } from './event-frame.tsx';
import { ErrorSummary, type FormProblem, Notice } from './signin-pages.tsx';

/** Outcomes shown per page (a 10,000-participant event is 50 pages, never one). */
export const OUTCOMES_PER_PAGE = 200;
/** Incomplete and unmatched participants, corrections and audit entries shown on the main page. */
export const SECTION_ROWS = 50;

export interface OutcomeItem {
  participantKey: string;
  memberId: string | null;
  /** The member's name, or what the platform said (unmatched), or null. */
  name: string | null;
  codiceFiscale: string | null;
  status: string;
  coveredMinutes: number;
  absentMinutes: number;
  toleranceMinutes: number;
  credits: number;
  /** The explanation in Italian (`reasonText`). */
  reason: string;
  /** The participant's attendance certificate can be downloaded (credited, credits granted: R-DOC-7). */
  certificate?: boolean;
}

export interface CorrectionItem {
  name: string;
  type: string;
  at: Date;
  author: string;
  reason: string;
  receivedAt: Date;
}

export interface AuditItem {
  at: Date;
  name: string;
  old: string;
  new: string;
  cause: string;
}

export interface AttendanceView {
  event: EventHead;
  summary: Record<string, number>;
  lastDerivation: Date | null;
  filter: string | null;
  outcomes: OutcomeItem[];
  /** The cursor of the next page, and whether this is the first. */
  next: string | null;
  first: boolean;
  incomplete: OutcomeItem[];
  unmatched: OutcomeItem[];
  corrections: { total: number; rows: CorrectionItem[] };
  audit: AuditItem[];
  auditMore: boolean;
  /** The person may change attendance now (R-EVT-7). */
  mayChange: boolean;
  /** Why the course cannot be closed now, or null when it can. */
  closeRefusal: 'already-closed' | 'not-ended' | null;
  organiser: boolean;
  reportFormats: readonly string[];
  notice?: string | null;
  /** The council's tolerance (R-ATT-2): shown to the CPO and the CN, changeable from the day after the event. */
  tolerance: { changeable: boolean; problem?: string | null } | null;
}

const FILTERS = ['credited', 'not-qualified', 'incomplete', 'unmatched', 'out-of-audience', 'identity-conflict', 'not-accredited'];

const OutcomeTable: FC<{ items: readonly OutcomeItem[]; base: string; mayChange: boolean; caption: string }> = ({ items, base, mayChange, caption }) => (
  <div class="table-wrap">
    <table>
      <caption class="hint" style="text-align:left">
        {caption}
      </caption>
      <thead>
        <tr>
          <th scope="col">Partecipante</th>
          <th scope="col">Esito</th>
          <th scope="col">Spiegazione</th>
          <th scope="col">Presenza</th>
          <th scope="col">Assenza (tolleranza)</th>
          <th scope="col">Crediti</th>
          <th scope="col">Attestato</th>
          {mayChange ? <th scope="col">Correzione</th> : null}
        </tr>
      </thead>
      <tbody>
        {items.map((o) => (
          <tr>
            <td>
              {o.name ?? 'Partecipante senza nome'}
              {o.codiceFiscale ? (
                <>
                  <br />
                  <span class="hint">{o.codiceFiscale}</span>
                </>
              ) : null}
            </td>
            <td>{statusText(o.status)}</td>
            <td>{o.reason || '—'}</td>
            <td>{minutesText(o.coveredMinutes)}</td>
            <td>
              {minutesText(o.absentMinutes)} ({minutesText(o.toleranceMinutes)})
            </td>
            <td>{o.credits}</td>
            <td>
              {o.certificate && o.memberId ? (
                <a href={`${base}/attestato/${o.memberId}`} download>
                  Scarica l’attestato
                </a>
              ) : (
                '—'
              )}
            </td>
            {mayChange ? (
              <td>
                {o.memberId && o.status !== 'unmatched' && o.status !== 'identity-conflict' ? (
                  <a href={`${base}/correzione?membro=${o.memberId}`}>Correggi</a>
                ) : (
                  '—'
                )}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

export function attendancePage(person: ConsolePerson, v: AttendanceView) {
  const base = `/console/eventi/${v.event.id}/presenze`;
  const total = Object.values(v.summary).reduce((a, b) => a + b, 0);
  const filtered = v.filter ? `&stato=${v.filter}` : '';
  return eventPage(
    person,
    v.event,
    'presenze',
    'Presenze',
    <>
      <h2>Presenze ed esiti</h2>
      <Notice text={v.notice} />
      {v.tolerance ? (
        <ToleranceSection base={base} minutes={v.event.toleranceMinutes} changeable={v.tolerance.changeable} problem={v.tolerance.problem ?? null} />
      ) : null}
      <p>
        {total} partecipanti.{' '}
        {v.lastDerivation ? `Esiti calcolati ${withArticle('il', italianDateTime(v.lastDerivation))}.` : 'Gli esiti non sono ancora stati calcolati.'}
      </p>
      <ul class="counts" aria-label="Esiti per tipo (scelga per filtrare)">
        <li>{v.filter ? <a href={base}>Tutti: {total}</a> : <span aria-current="true">Tutti: {total}</span>}</li>
        {FILTERS.filter((s) => v.summary[s]).map((s) => (
          <li>
            <a href={`${base}?stato=${s}`} aria-current={v.filter === s ? 'true' : undefined}>
              {statusText(s)}: {v.summary[s]}
            </a>
          </li>
        ))}
      </ul>

      <section aria-labelledby="file">
        <h2 id="file">File per la piattaforma nazionale</h2>
        <ul>
          <li>
            <a href={`${base}.xlsx?layout=intervals`} download>
              Scarica il file delle presenze (una riga per ogni intervallo di presenza)
            </a>
          </li>
          <li>
            <a href={`${base}.xlsx?layout=participants`} download>
              Scarica il file delle presenze (una riga per partecipante)
            </a>
          </li>
          <li>
            <a href={`${base}.xlsx?blank=true`} download>
              Scarica il modello vuoto con gli iscritti, da compilare
            </a>
          </li>
        </ul>
        <p class="hint">Il file si prepara mentre si scarica: anche per eventi molto grandi il download parte subito.</p>
      </section>

      {v.mayChange ? (
        <UploadForms base={base} formats={v.reportFormats} />
      ) : (
        <div class="warn">
          <p>Il corso è chiuso o sono passati 30 giorni dalla fine: le presenze non si possono più modificare da qui. Può farlo il Consiglio provinciale.</p>
        </div>
      )}

      {v.incomplete.length ? (
        <section aria-labelledby="incomplete">
          <h2 id="incomplete">Presenze incomplete ({v.summary.incomplete ?? v.incomplete.length})</h2>
          <p>Manca l’orario di uscita (o di ingresso): lo indichi con una correzione.</p>
          <OutcomeTable items={v.incomplete} base={base} mayChange={v.mayChange} caption="Partecipanti con un ingresso senza uscita" />
          {(v.summary.incomplete ?? 0) > v.incomplete.length ? (
            <p>
              <a href={`${base}?stato=incomplete#esiti`}>Vedi tutte le presenze incomplete</a>
            </p>
          ) : null}
        </section>
      ) : null}

      {v.unmatched.length ? (
        <section aria-labelledby="unmatched">
          <h2 id="unmatched">Partecipanti non abbinati</h2>
          <p>Non corrispondono a nessun iscritto registrato all’evento (o a più d’uno): sono conservati ma non ricevono crediti.</p>
          <OutcomeTable items={v.unmatched} base={base} mayChange={false} caption="Partecipanti non abbinati a un iscritto" />
          {(v.summary.unmatched ?? 0) + (v.summary['identity-conflict'] ?? 0) > v.unmatched.length ? (
            <p>
              <a href={`${base}?stato=unmatched#esiti`}>Vedi tutti i partecipanti non abbinati</a>
            </p>
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="esiti">
        <h2 id="esiti">{v.filter ? `Esiti: ${statusText(v.filter)}` : 'Tutti gli esiti'}</h2>
        {v.outcomes.length ? (
          <OutcomeTable items={v.outcomes} base={base} mayChange={v.mayChange} caption={`Esiti in ordine di partecipante, ${OUTCOMES_PER_PAGE} per pagina`} />
        ) : (
          <p>Nessun esito.</p>
        )}
        <nav class="pager" aria-label="Pagine degli esiti">
          {v.first ? null : <a href={`${base}${v.filter ? `?stato=${v.filter}` : ''}#esiti`}>Prima pagina</a>}
          {v.next ? <a href={`${base}?dopo=${encodeURIComponent(v.next)}${filtered}#esiti`}>Pagina successiva</a> : null}
        </nav>
      </section>

      <section aria-labelledby="correzioni">
        <h2 id="correzioni">Correzioni ({v.corrections.total})</h2>
        {v.corrections.rows.length ? (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Iscritto</th>
                  <th scope="col">Correzione</th>
                  <th scope="col">Autore</th>
                  <th scope="col">Motivo</th>
                  <th scope="col">Registrata</th>
                </tr>
              </thead>
              <tbody>
                {v.corrections.rows.map((r) => (
                  <tr>
                    <td>{r.name}</td>
                    <td>
                      {CORRECTION_TYPE_LABELS[r.type] ?? r.type} alle {italianDateTime(r.at)}
                    </td>
                    <td>{r.author}</td>
                    <td>{r.reason}</td>
                    <td>{italianDateTime(r.receivedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>Nessuna correzione.</p>
        )}
        {v.corrections.total > v.corrections.rows.length ? <p class="hint">Sono mostrate le {v.corrections.rows.length} più recenti.</p> : null}
      </section>

      <section aria-labelledby="registro">
        <h2 id="registro">Registro delle modifiche agli esiti</h2>
        {v.audit.length ? <AuditTable rows={v.audit} /> : <p>Nessuna modifica registrata.</p>}
        {v.auditMore ? (
          <p>
            <a href={`${base}/registro`}>Registro completo</a>
          </p>
        ) : null}
      </section>

      {v.organiser ? (
        <section aria-labelledby="chiusura" class="card">
          <h2 id="chiusura">Chiusura del corso</h2>
          {v.closeRefusal === 'already-closed' ? (
            <p>Il corso è chiuso.</p>
          ) : v.closeRefusal === 'not-ended' ? (
            <p>Il corso si potrà chiudere dopo la fine dell’evento.</p>
          ) : (
            <>
              <p>Chiudendo il corso, l’ente non potrà più modificare le presenze (correzioni e caricamenti); potrà farlo solo il Consiglio provinciale.</p>
              <p>
                <a href={`${base}/chiudi`}>Chiudi il corso…</a>
              </p>
            </>
          )}
        </section>
      ) : null}
    </>,
    { script: v.mayChange },
  );
}

const UploadForms: FC<{ base: string; formats: readonly string[] }> = ({ base, formats }) => (
  <>
    <section aria-labelledby="carica-file" class="card">
      <h2 id="carica-file">Carica il file delle presenze compilato</h2>
      <form method="post" action={`${base}/file`} enctype="multipart/form-data" data-upload>
        <label for="file-presenze">File Excel (.xlsx) o CSV</label>
        <p class="hint" id="file-presenze-hint">
          Colonne: Codice fiscale, Ora di ingresso, Ora di uscita (hh:mm, ora italiana) e Data evento. Ogni riga è controllata: quelle valide diventano
          presenze, quelle rifiutate sono elencate con il motivo.
        </p>
        <input type="file" id="file-presenze" name="file" accept=".xlsx,.csv,text/csv" required aria-describedby="file-presenze-hint" />
        <fieldset>
          <legend>Come hanno partecipato</legend>
          <div class="opt">
            <input type="radio" id="presence-online" name="presence" value="online" checked />
            <label for="presence-online" style="margin:0;font-weight:400">
              A distanza (webinar)
            </label>
          </div>
          <div class="opt">
            <input type="radio" id="presence-in-person" name="presence" value="in-person" />
            <label for="presence-in-person" style="margin:0;font-weight:400">
              In aula (foglio firme)
            </label>
          </div>
        </fieldset>
        <UploadProgress />
        <p>
          <button type="submit">Carica il file</button>
        </p>
      </form>
    </section>
    <section aria-labelledby="carica-report" class="card">
      <h2 id="carica-report">Carica il report di una piattaforma</h2>
      <form method="post" action={`${base}/report`} enctype="multipart/form-data" data-upload>
        <label for="format">Piattaforma e formato</label>
        <select id="format" name="format" required>
          {formats.map((f) => (
            <option value={f}>{REPORT_FORMAT_LABELS[f] ?? f}</option>
          ))}
        </select>
        <label for="file-report">Report scaricato dalla piattaforma</label>
        <input type="file" id="file-report" name="file" required />
        <UploadProgress />
        <p>
          <button type="submit">Carica il report</button>
        </p>
      </form>
    </section>
  </>
);

/** Shown by the console's script while the file is sent (hidden, and never needed, without it). */
export const UploadProgress: FC = () => (
  <div data-progress hidden role="status" aria-live="polite">
    <progress max={100}></progress> <span></span>
  </div>
);

export interface RowReportItem {
  row: number;
  text: string;
}

export interface UploadReportView {
  event: EventHead;
  kind: 'file' | 'report';
  fileName: string | null;
  /** stored: rows became evidence; unchanged: every valid row was there already; refused: nothing stored. */
  outcome: 'stored' | 'unchanged' | 'refused';
  accepted: number;
  duplicates: number;
  empty: number;
  intervals: number | null;
  rejected: RowReportItem[];
  skipped: RowReportItem[];
  notMapped: number;
  problems: FormProblem[];
}

export function uploadReportPage(person: ConsolePerson, v: UploadReportView) {
  const base = `/console/eventi/${v.event.id}/presenze`;
  const what = v.kind === 'file' ? 'file delle presenze' : 'report della piattaforma';
  return eventPage(
    person,
    v.event,
    'presenze',
    'Esito del caricamento',
    <>
      <h2>Esito del caricamento del {what}</h2>
      {v.fileName ? <p class="hint">File: {v.fileName}</p> : null}
      <ErrorSummary problems={v.problems} />
      {v.outcome === 'stored' ? (
        <div class="ok" role="status">
          <p>
            {v.kind === 'file' ? `Righe accettate: ${v.accepted}.` : `Registrazioni accettate: ${v.accepted} (${v.intervals ?? 0} intervalli di presenza).`}
            {v.duplicates ? ` Già presenti da un caricamento precedente: ${v.duplicates}.` : ''} Gli esiti vengono ricalcolati tra pochi istanti.
          </p>
        </div>
      ) : v.outcome === 'unchanged' ? (
        <div class="ok" role="status">
          <p>Nulla di nuovo: {v.duplicates} righe valide erano già state caricate. Gli esiti non cambiano.</p>
        </div>
      ) : null}
      {v.empty ? <p>Righe senza orari (nessuna presenza), non considerate: {v.empty}.</p> : null}
      {v.rejected.length ? (
        <section aria-labelledby="rifiutate">
          <h3 id="rifiutate">Righe rifiutate ({v.rejected.length})</h3>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Riga</th>
                  <th scope="col">Motivo</th>
                </tr>
              </thead>
              <tbody>
                {v.rejected.map((r) => (
                  <tr>
                    <td>Riga {r.row}</td>
                    <td>{r.text}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : v.outcome !== 'refused' ? (
        <p>Nessuna riga rifiutata.</p>
      ) : null}
      {v.skipped.length ? (
        <section aria-labelledby="saltate">
          <h3 id="saltate">Righe lette ma non di presenza ({v.skipped.length})</h3>
          <ul>
            {v.skipped.map((r) => (
              <li>
                Riga {r.row}: {r.text}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {v.notMapped ? <p>Presenze che non nominano nessuno abbinabile (ospiti) o senza orari: {v.notMapped}.</p> : null}
      <p>
        <a href={base}>Torna alle presenze</a>
      </p>
    </>,
  );
}

export interface CorrectionView {
  event: EventHead;
  member: { memberId: string; name: string; codiceFiscale: string };
  outcome: OutcomeItem | null;
  values: Record<string, string>;
  problems: FormProblem[];
}

export function correctionPage(person: ConsolePerson, v: CorrectionView) {
  const base = `/console/eventi/${v.event.id}/presenze`;
  const values = v.values;
  const mine = (f: string) => v.problems.filter((p) => p.field === f);
  const err = (f: string) =>
    mine(f).length ? (
      <p class="field-error" id={`${f}-error`}>
        {mine(f)
          .map((p) => p.text)
          .join(' ')}
      </p>
    ) : null;
  const invalid = (f: string) => (mine(f).length ? { 'aria-invalid': 'true', 'aria-describedby': `${f}-error` } : {});
  return eventPage(
    person,
    v.event,
    'presenze',
    'Correzione',
    <>
      <h2>Correzione delle presenze</h2>
      <p>
        {v.member.name} · {v.member.codiceFiscale}
      </p>
      {v.outcome ? (
        <p>
          Esito attuale: <strong>{statusText(v.outcome.status)}</strong>
          {v.outcome.reason ? ` (${v.outcome.reason})` : ''}; presenza {minutesText(v.outcome.coveredMinutes)}, assenza {minutesText(v.outcome.absentMinutes)}.
        </p>
      ) : null}
      <ErrorSummary problems={v.problems} />
      <form method="post" action={`${base}/correzioni`} novalidate>
        <input type="hidden" name="memberId" value={v.member.memberId} />
        <fieldset>
          <legend>Che cosa manca</legend>
          <div class="opt">
            <input type="radio" id="type-leave" name="type" value="leave" checked={values.type !== 'join'} />
            <label for="type-leave" style="margin:0;font-weight:400">
              L’orario di uscita
            </label>
          </div>
          <div class="opt">
            <input type="radio" id="type-join" name="type" value="join" checked={values.type === 'join'} />
            <label for="type-join" style="margin:0;font-weight:400">
              L’orario di ingresso
            </label>
          </div>
        </fieldset>
        <label for="date">Giorno</label>
        {err('date')}
        <input type="date" id="date" name="date" value={values.date ?? ''} required {...invalid('date')} />
        <label for="time">Ora (ora italiana)</label>
        {err('time')}
        <input type="time" id="time" name="time" value={values.time ?? ''} required {...invalid('time')} />
        <label for="reason">Motivo della correzione</label>
        <p class="hint" id="reason-hint">
          Resta nel registro con il Suo nome, per esempio: «Uscita comunicata via e-mail dal partecipante, disconnessione della piattaforma».
        </p>
        {err('reason')}
        <textarea
          class="short"
          id="reason"
          name="reason"
          required
          aria-describedby={mine('reason').length ? 'reason-hint reason-error' : 'reason-hint'}
          aria-invalid={mine('reason').length ? 'true' : undefined}
        >
          {values.reason ?? ''}
        </textarea>
        <p>
          <button type="submit">Registra la correzione</button>
        </p>
      </form>
      <p>
        <a href={base}>Annulla e torna alle presenze</a>
      </p>
    </>,
  );
}

/** A participant's certificate could not be issued (a derivation changed it meanwhile): why, and back to the list. */
export function certificateRefusedPage(person: ConsolePerson, v: { event: EventHead; problems: FormProblem[] }) {
  return eventPage(
    person,
    v.event,
    'presenze',
    'Attestato di partecipazione',
    <>
      <h2>Attestato di partecipazione</h2>
      <ErrorSummary problems={v.problems} />
      <p>
        <a href={`/console/eventi/${v.event.id}/presenze`}>Torna alle presenze</a>
      </p>
    </>,
  );
}

export function closeConfirmPage(person: ConsolePerson, v: { event: EventHead; problems: FormProblem[] }) {
  const base = `/console/eventi/${v.event.id}/presenze`;
  return eventPage(
    person,
    v.event,
    'presenze',
    'Chiudi il corso',
    <>
      <h2>Chiudere il corso?</h2>
      <ErrorSummary problems={v.problems} />
      <div class="warn">
        <p>
          Dopo la chiusura l’ente non potrà più correggere le presenze né caricare file o report per questo evento: potrà farlo solo il Consiglio provinciale.
          Le presenze ricevute dalle piattaforme dopo la chiusura sono conservate ma non contano.
        </p>
      </div>
      <form method="post" action={`${base}/chiudi`}>
        <p>
          <button type="submit">Sì, chiudi il corso</button>
        </p>
      </form>
      <p>
        <a href={base}>No, torna alle presenze</a>
      </p>
    </>,
  );
}

export function auditPage(person: ConsolePerson, v: { event: EventHead; audit: AuditItem[]; next: number | null }) {
  const base = `/console/eventi/${v.event.id}/presenze`;
  return eventPage(
    person,
    v.event,
    'presenze',
    'Registro delle modifiche',
    <>
      <h2>Registro delle modifiche agli esiti</h2>
      <AuditTable rows={v.audit} />
      <nav class="pager" aria-label="Pagine del registro">
        <a href={`${base}/registro`}>Inizio del registro</a>
        {v.next !== null ? <a href={`${base}/registro?dopo=${v.next}`}>Pagina successiva</a> : null}
        <a href={base}>Torna alle presenze</a>
      </nav>
    </>,
  );
}

/** The outcome audit's rows (R-POL-2): when, who, before, after, why; on Presenze and on its own pages. */
function AuditTable({ rows }: { rows: readonly { at: Date; name: string; old: string; new: string; cause: string }[] }) {
  return (
    <div class="table-wrap">
      <table>
        <thead>
          <tr>
            <th scope="col">Quando</th>
            <th scope="col">Partecipante</th>
            <th scope="col">Prima</th>
            <th scope="col">Dopo</th>
            <th scope="col">Perché</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr>
              <td>{italianDateTime(a.at)}</td>
              <td>{a.name}</td>
              <td>{a.old}</td>
              <td>{a.new}</td>
              <td>{a.cause}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The council raises (or lowers) the tolerance from the day after the event, with a reason; every
 * member is derived again (R-ATT-2). The same operation as `PUT /v1/events/{id}/tolerance`.
 */
function ToleranceSection(p: { base: string; minutes: number; changeable: boolean; problem: string | null }) {
  return (
    <section class="card" aria-labelledby="tolleranza">
      <h2 id="tolleranza">Tolleranza</h2>
      <p>
        Tolleranza attuale: <strong>{p.minutes} minuti</strong> fra ingresso in ritardo e uscita anticipata.
      </p>
      {p.problem ? (
        <div class="alert" role="alert" id="errori" tabindex={-1} autofocus>
          {p.problem}
        </div>
      ) : null}
      {p.changeable ? (
        <form method="post" action={`${p.base}/tolleranza`}>
          <label for="minutes">Nuova tolleranza (minuti, fino a 60)</label>
          <input type="number" id="minutes" name="minutes" min="0" max="60" value={String(p.minutes)} required />
          <label for="reason">Motivo</label>
          <input type="text" id="reason" name="reason" required autocomplete="off" />
          <p>
            <button type="submit">Cambia la tolleranza e ricalcola gli esiti</button>
          </p>
        </form>
      ) : (
        <p class="hint">Il Consiglio provinciale può cambiarla dal giorno successivo all’evento.</p>
      )}
    </section>
  );
}
