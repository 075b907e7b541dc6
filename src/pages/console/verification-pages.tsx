/**
 * @module The verification after the biennium in the council's console (issue 15): run the
 * February or June phase (R-VER-1), see whether anything changed since the last version, the
 * aggregates (R-VER-7), each member's status (R-VER-4) a page at a time, and the CSV export.
 */
import { VERIFICATION_STATUS_TEXT } from '../../domain/verification-export.ts';
import type { VerificationJob } from '../../services/council/verification-jobs.ts';
import type { NamedVerificationRow, SnapshotSummary } from '../../services/council/verification.ts';
import { italianDateTime, withArticle } from '../format.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { ProvinceSelect, provinceName, StackTable } from './controls.tsx';
import { ErrorSummary, type FormProblem, Notice } from './signin-pages.tsx';

/** The statuses in words: the same as both exports write (R-VER-10). */
export const VERIFICATION_STATUS_LABELS = VERIFICATION_STATUS_TEXT;

export interface VerificationView {
  province: string;
  biennium: number;
  phase: 'february' | 'june';
  snapshot: SnapshotSummary | null;
  rows: readonly NamedVerificationRow[];
  next: string | null;
  choosesProvince: boolean;
  /** Over VERIFICATION_SYNC_MAX_MEMBERS: the export is prepared by a job, with a progress page (R-VER-11). */
  exportInBackground: boolean;
  /** The person's latest jobs of this phase. */
  jobs: readonly VerificationJob[];
  notice?: string | null;
  problems?: readonly FormProblem[];
}

export function verificationPage(person: ConsolePerson, v: VerificationView) {
  const q = new URLSearchParams({ provincia: v.province, biennio: String(v.biennium), fase: v.phase });
  const a = v.snapshot?.aggregates;
  return consolePage(
    person,
    '/console/verifiche',
    'Verifica del biennio',
    <>
      <h1>
        Verifica del biennio {v.biennium}–{v.biennium + 1} · {provinceName(v.province)}
      </h1>
      <Notice text={v.notice} />
      <ErrorSummary problems={v.problems ?? []} />
      <form method="get" action="/console/verifiche" class="card">
        {v.choosesProvince ? <ProvinceSelect value={v.province} /> : null}
        <label for="biennio">Biennio (anno di inizio, dispari)</label>
        <input type="number" id="biennio" name="biennio" value={String(v.biennium)} step="2" />
        <label for="fase">Fase</label>
        <select id="fase" name="fase">
          <option value="february" selected={v.phase === 'february'}>
            Al 28 febbraio
          </option>
          <option value="june" selected={v.phase === 'june'}>
            Al 30 giugno (debiti)
          </option>
        </select>
        <p>
          <button type="submit" class="secondary">
            Mostra
          </button>
        </p>
      </form>
      <form method="post" action={`/console/verifiche?${q}`}>
        <p>
          <button type="submit">Esegui la verifica</button>
        </p>
        <p class="hint">Se nulla è cambiato dall’ultima esecuzione, non si crea una nuova versione.</p>
      </form>
      <p>
        Dopo la verifica:{' '}
        <a href={`/console/verifiche/deferimenti?${new URLSearchParams({ provincia: v.province, biennio: String(v.biennium) })}`}>
          deferimenti al Consiglio di disciplina
        </a>{' '}
        (art. 28, comma 2), con le lettere da inviare.
      </p>
      {v.snapshot && a ? (
        <>
          <section class="card" aria-labelledby="esito">
            <h2 id="esito">
              Versione {v.snapshot.version}, {withArticle('al', italianDateTime(new Date(v.snapshot.asOf)))}
            </h2>
            <p>
              Eseguita {withArticle('il', italianDateTime(new Date(v.snapshot.createdAt)))}. Iscritti: {a.members}; soggetti all’obbligo: {a.subject}; in
              regola: {a.inOrder} ({a.inOrderPct.toLocaleString('it-IT')}%).
            </p>
            {v.exportInBackground ? (
              <form method="post" action={`/console/verifiche/esportazioni?${q}&versione=${v.snapshot.version}`}>
                <p class="hint">
                  L’elenco di {count(v.snapshot.memberCount)} iscritti si prepara a parte, in qualche minuto: una pagina ne mostra l’avanzamento e poi il
                  collegamento per scaricarlo.
                </p>
                <p>
                  <button type="submit" name="formato" value="xlsx">
                    Prepara l’elenco (Excel)
                  </button>{' '}
                  <button type="submit" name="formato" value="csv" class="secondary">
                    Prepara l’elenco (CSV)
                  </button>
                </p>
              </form>
            ) : (
              <p>
                <a href={`/console/verifiche/esporta.xlsx?${q}&versione=${v.snapshot.version}`}>Scarica l’elenco (Excel)</a> ·{' '}
                <a href={`/console/verifiche/esporta.csv?${q}&versione=${v.snapshot.version}`}>Scarica l’elenco (CSV)</a>
              </p>
            )}
          </section>
          <StackTable
            rows={v.rows}
            columns={[
              { label: 'Iscritto', cell: (r) => `${r.surname} ${r.givenName} (${r.codiceFiscale})` },
              { label: 'Situazione', cell: (r) => VERIFICATION_STATUS_LABELS[r.status] },
              {
                label: 'Crediti',
                cell: (r) => `${r.credits.total} di ${r.obligation.total} (${r.credits.deontology} di ${r.obligation.deontology} di deontologia)`,
              },
              { label: 'Mancano', cell: (r) => (r.missing.total ? `${r.missing.total} (${r.missing.deontology} di deontologia)` : '—') },
            ]}
          />
          {v.next ? (
            <nav class="pager" aria-label="Pagine della verifica">
              <a href={`/console/verifiche?${q}&dopo=${v.next}`}>Pagina successiva</a>
            </nav>
          ) : null}
        </>
      ) : (
        <p>La verifica di questa fase non è ancora stata eseguita.</p>
      )}
      {v.jobs.length ? (
        <section class="card" aria-labelledby="lavori">
          <h2 id="lavori">Le Sue richieste recenti</h2>
          <ul>
            {v.jobs.map((j) => (
              <li>
                <a href={`/console/verifiche/lavori/${j.id}`}>{jobTitle(j)}</a>, {withArticle('del', italianDateTime(new Date(j.requestedAt)))}:{' '}
                {JOB_STATUS_TEXT[j.status]}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>,
  );
}

/** Numbers as Italian pages write them, grouped from 1.000 on. */
const NUMBER = new Intl.NumberFormat('it-IT', { useGrouping: 'always' } as unknown as Intl.NumberFormatOptions);
export const count = (n: number) => NUMBER.format(n);

const JOB_STATUS_TEXT: Readonly<Record<VerificationJob['status'], string>> = {
  queued: 'in attesa',
  running: 'in corso',
  done: 'completata',
  failed: 'non riuscita',
  expired: 'file scaduto',
};

const FORMAT_TEXT = { xlsx: 'Excel', csv: 'CSV' } as const;

function jobTitle(j: VerificationJob): string {
  const phase = j.phase === 'june' ? 'al 30 giugno' : 'al 28 febbraio';
  return j.kind === 'run' ? `Esecuzione della verifica ${phase}` : `Elenco della verifica ${phase}, versione ${j.version} (${FORMAT_TEXT[j.format ?? 'csv']})`;
}

/**
 * Why a job failed, in Italian (R-VER-13): the operation's refusal, or a job whose worker kept
 * stopping, or an error that persisted through every attempt.
 */
export const JOB_ERROR_TEXT: Readonly<Record<string, string>> = {
  'job-interrupted':
    'Il lavoro si è interrotto più volte prima di finire (il servizio che lo svolgeva si è fermato) ed è stato sospeso per non ripeterlo all’infinito. Nessun dato è andato perso: può riprovare; se si ripete, avvisi l’assistenza tecnica.',
  'job-error': 'Il lavoro non è riuscito dopo più tentativi per un errore del sistema. Nessun dato è andato perso: può riprovare tra qualche minuto.',
  'verification-too-early':
    'Questa fase non si può ancora eseguire: la verifica di febbraio dal 1° gennaio dopo il biennio, quella di giugno dopo il 30 giugno.',
  'verification-not-found': 'La versione della verifica da esportare non esiste più o non è visibile.',
  forbidden: 'Il Suo ruolo non consente questa operazione per questa provincia.',
  'unknown-province': 'La provincia indicata non esiste.',
};

const STAGE_TEXT: Readonly<Record<string, string>> = {
  derive: 'Calcolo della situazione di ogni iscritto',
  store: 'Confronto con la versione precedente e salvataggio della nuova versione',
  write: 'Scrittura dell’elenco',
  retry: 'Un tentativo non è riuscito: nuovo tentativo tra poco',
};

export interface JobView {
  job: VerificationJob;
  /** The file can no longer be downloaded (its hours are over). */
  expired: boolean;
  /** Seconds between reloads while the job is not finished. */
  refresh: number;
  maxAttempts: number;
}

/** Where a job's verification page is. */
export function verificationHref(j: Pick<VerificationJob, 'province' | 'biennium' | 'phase'>): string {
  return `/console/verifiche?${new URLSearchParams({ provincia: j.province, biennio: String(j.biennium), fase: j.phase })}`;
}

/** The form that asks for the same thing again (after a failure, or once the file expired). */
function AgainForm({ job, label }: { job: VerificationJob; label: string }) {
  const q = new URLSearchParams({ provincia: job.province, biennio: String(job.biennium), fase: job.phase });
  if (job.kind === 'run') {
    return (
      <form method="post" action={`/console/verifiche?${q}`}>
        <p>
          <button type="submit">{label}</button>
        </p>
      </form>
    );
  }
  return (
    <form method="post" action={`/console/verifiche/esportazioni?${q}&versione=${job.version}`}>
      <p>
        <button type="submit" name="formato" value={job.format ?? 'csv'}>
          {label}
        </button>
      </p>
    </form>
  );
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${(bytes / (1024 * 1024)).toLocaleString('it-IT', { maximumFractionDigits: 1 })} MB`
    : `${Math.max(1, Math.round(bytes / 1024))} kB`;
}

/**
 * A job's page (R-VER-11): while it waits or runs, how far it is ("12.000 di 30.000 iscritti"),
 * reloaded every few seconds by the browser itself (no script); then the result, the download, or
 * why it failed with a button to try again.
 *
 * @rule R-VER-11
 */
export function jobPage(person: ConsolePerson, v: JobView) {
  const j = v.job;
  const open = j.status === 'queued' || j.status === 'running';
  const result = (j.result ?? {}) as { version?: number; changed?: boolean; previousVersion?: number | null; changes?: number; rows?: number };
  const unit = j.kind === 'run' ? 'iscritti' : 'righe';
  return consolePage(
    person,
    '/console/verifiche',
    open ? 'Lavoro in corso' : 'Esito del lavoro',
    <>
      <h1>
        Verifica del biennio {j.biennium}–{j.biennium + 1} · {provinceName(j.province)}
      </h1>
      <p>
        {jobTitle(j)}, richiesta {withArticle('il', italianDateTime(new Date(j.requestedAt)))}.
      </p>
      {open ? (
        <section class="card" aria-labelledby="avanzamento">
          <h2 id="avanzamento">{j.status === 'queued' && j.stage !== 'retry' ? 'In attesa di essere avviato' : 'In corso'}</h2>
          {j.stage ? <p>{STAGE_TEXT[j.stage] ?? 'In corso'}</p> : <p>Il lavoro partirà appena possibile.</p>}
          {j.total ? (
            <>
              <p role="status">
                {count(j.done)} di {count(j.total)} {unit}
              </p>
              <progress max={String(j.total)} value={String(j.done)}>
                {Math.floor((j.done * 100) / j.total)}%
              </progress>
            </>
          ) : null}
          {j.attempts > 1 ? (
            <p class="hint">
              Tentativo {j.attempts} di {v.maxAttempts}: il precedente si è interrotto, il lavoro riprende da capo.
            </p>
          ) : null}
          <p class="hint">
            La pagina si aggiorna da sola ogni {v.refresh} secondi. Può anche chiuderla: ritroverà il lavoro nella pagina{' '}
            <a href={verificationHref(j)}>Verifica</a>.
          </p>
        </section>
      ) : j.status === 'failed' ? (
        <>
          <div class="alert" role="alert">
            <h2>Il lavoro non è riuscito</h2>
            <p>{JOB_ERROR_TEXT[j.error?.code ?? ''] ?? 'Il lavoro non è riuscito.'}</p>
          </div>
          <AgainForm job={j} label="Riprova" />
        </>
      ) : j.kind === 'run' ? (
        <section class="card" aria-labelledby="esito">
          <h2 id="esito">Verifica completata</h2>
          <p role="status">
            {result.changed
              ? `Nuova versione ${result.version}${result.previousVersion ? `: ${count(result.changes ?? 0)} iscritti cambiati dalla versione ${result.previousVersion}` : ''}.`
              : `Nulla è cambiato dalla versione ${result.version}: nessuna nuova versione.`}
          </p>
          <p>
            <a href={verificationHref(j)}>Vai alla verifica</a>
          </p>
        </section>
      ) : v.expired ? (
        <section class="card" aria-labelledby="esito">
          <h2 id="esito">Il file è scaduto</h2>
          <p>
            Il file è stato cancellato {j.expiresAt ? withArticle('il', italianDateTime(new Date(j.expiresAt))) : ''}: contiene dati personali e si conserva
            solo per il tempo necessario a scaricarlo. Può prepararlo di nuovo.
          </p>
          <AgainForm job={j} label="Prepara di nuovo l’elenco" />
        </section>
      ) : (
        <section class="card" aria-labelledby="esito">
          <h2 id="esito">L’elenco è pronto</h2>
          <p role="status">
            {count(result.rows ?? 0)} iscritti, versione {j.version}.
          </p>
          <p>
            <a href={`/console/verifiche/lavori/${j.id}/file`}>
              Scarica l’elenco ({FORMAT_TEXT[j.format ?? 'csv']}, {sizeText(j.fileBytes ?? 0)})
            </a>
          </p>
          {j.expiresAt ? <p class="hint">Si può scaricare fino {withArticle('al', italianDateTime(new Date(j.expiresAt)))}, solo da Lei.</p> : null}
        </section>
      )}
    </>,
    undefined,
    open ? { refresh: v.refresh } : {},
  );
}
