/**
 * @module An event's registrations in the console (R-EVT-4, R-ATT-7): who is registered (and
 * whether in the webinar's audience), the import of a CSV or .xlsx file with its row report
 * (registered, each refused row by its line and why), the blank template; and the Zoom
 * connection, whose webhook URL and secret are shown once.
 */
import type { Event } from '../../schemas/events.ts';
import type { Registration } from '../../schemas/registrations.ts';
import { REGISTRATION_COLUMNS, type RegistrationImportResult } from '../../services/registry/registration-import.ts';
import { italianDateTime, withArticle } from '../format.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { FileField } from './form-controls.tsx';
import { PLATFORM_LABELS, REGISTRATION_ROW_REFUSALS, wordOf } from './labels.ts';
import { ErrorSummary, Field, type FormProblem } from './signin-pages.tsx';

export interface RegistrationsView {
  event: Event;
  items: readonly Registration[];
  report?: RegistrationImportResult | null;
  problems?: readonly FormProblem[];
}

export function registrationsPage(person: ConsolePerson, v: RegistrationsView) {
  const base = `/console/eventi/${v.event.id}`;
  const r = v.report;
  return consolePage(
    person,
    '/console/eventi',
    'Iscrizioni',
    <>
      <p>
        <a href={base}>← {v.event.title}</a>
      </p>
      <h1>Iscrizioni</h1>
      <ErrorSummary problems={v.problems ?? []} />
      {r ? (
        <section class={r.rejected.length ? 'warn' : 'ok'} role="status" aria-labelledby="esito">
          <h2 id="esito">Esito dell’importazione</h2>
          <p>
            Iscrizioni registrate: <strong>{r.registered}</strong>. Righe scartate: <strong>{r.rejected.length}</strong>.
          </p>
          {r.rejected.length ? (
            <ul>
              {r.rejected.map((x) => (
                <li>
                  Riga {x.row}: {wordOf(REGISTRATION_ROW_REFUSALS, x.code)}
                </li>
              ))}
            </ul>
          ) : null}
          {r.outsideAudience.length ? (
            <p>Registrati ma fuori dal pubblico del webinar (non riceveranno crediti, R-EVT-4): righe {r.outsideAudience.map((x) => x.row).join(', ')}.</p>
          ) : null}
        </section>
      ) : null}
      <section class="card" aria-labelledby="importa">
        <h2 id="importa">Importa le iscrizioni</h2>
        <p>
          Un file .xlsx o CSV con una riga per iscritto e le colonne: {REGISTRATION_COLUMNS.map((c) => c.header).join(', ')}. Il codice fiscale è obbligatorio;
          l’e-mail e l’ID della piattaforma servono ad abbinare le presenze che la piattaforma invia (R-ATT-7). Importare di nuovo lo stesso iscritto aggiorna i
          suoi dati.
        </p>
        <p>
          <a href={`${base}/iscrizioni/modello.csv`} download>
            Scarica il modello vuoto (CSV)
          </a>
        </p>
        <form method="post" action={`${base}/iscrizioni`} enctype="multipart/form-data" novalidate>
          <FileField id="file" label="File delle iscrizioni" problems={v.problems ?? []} />
          <p>
            <button type="submit">Importa</button>
          </p>
        </form>
      </section>
      <h2>Iscritti ({v.items.length})</h2>
      {v.items.length ? (
        <div class="table-wrap">
          <table class="stack">
            <thead>
              <tr>
                <th scope="col">Cognome e nome</th>
                <th scope="col">Codice fiscale</th>
                <th scope="col">Ordine</th>
                <th scope="col">E-mail</th>
                <th scope="col">ID piattaforma</th>
                <th scope="col">Pubblico</th>
              </tr>
            </thead>
            <tbody>
              {v.items.map((i) => (
                <tr>
                  <td>
                    {i.surname} {i.givenName}
                  </td>
                  <td data-label="Codice fiscale">{i.codiceFiscale}</td>
                  <td data-label="Ordine">{i.province}</td>
                  <td data-label="E-mail">{i.email ?? '—'}</td>
                  <td data-label="ID piattaforma">{i.registrantId ?? '—'}</td>
                  <td data-label="Pubblico">{i.inAudience ? 'Sì' : 'No: nessun credito (R-EVT-4)'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <p>Nessun iscritto.</p>
      )}
    </>,
  );
}

export interface PlatformsView {
  connections: readonly { id: string; platform: string; createdAt: string }[];
  /** Just created: shown this once. */
  created?: { webhookUrl: string; secretToken: string } | null;
  problems?: readonly FormProblem[];
}

export function platformsPage(person: ConsolePerson, v: PlatformsView) {
  const problems = v.problems ?? [];
  return consolePage(
    person,
    '/console/eventi',
    'Collegamento a Zoom',
    <>
      <p>
        <a href="/console/eventi">← Eventi</a>
      </p>
      <h1>Collegamento a Zoom</h1>
      <ErrorSummary problems={problems} />
      {v.created ? (
        <section class="warn" role="status" aria-labelledby="creato">
          <h2 id="creato">Collegamento creato</h2>
          <p>
            <strong>Copi ora questi dati: non saranno più mostrati.</strong> Nell’app Zoom (Event Subscriptions) inserisca l’indirizzo come «Event notification
            endpoint URL»; la chiave segreta è quella dell’app, che il portale usa per verificare ogni notifica.
          </p>
          <dl>
            <dt>Indirizzo per le notifiche (webhook)</dt>
            <dd>
              <code>{v.created.webhookUrl}</code>
            </dd>
            <dt>Chiave segreta (Secret Token)</dt>
            <dd>
              <code>{v.created.secretToken}</code>
            </dd>
          </dl>
        </section>
      ) : null}
      <section class="card" aria-labelledby="nuovo">
        <h2 id="nuovo">Nuovo collegamento</h2>
        <p>
          Crei nel Marketplace di Zoom un’app di tipo webhook con gli eventi «Participant joined», «Participant left» e «Webinar ended», poi copi qui la sua
          Secret Token.
        </p>
        <form method="post" action="/console/piattaforme" novalidate>
          <Field id="secretToken" label="Secret Token dell’app Zoom" type="password" autocomplete="off" problems={problems} />
          <p>
            <button type="submit">Collega Zoom</button>
          </p>
        </form>
      </section>
      <h2>Collegamenti esistenti</h2>
      {v.connections.length ? (
        <ul>
          {v.connections.map((c) => (
            <li>
              {PLATFORM_LABELS[c.platform] ?? c.platform}, creato {withArticle('il', italianDateTime(new Date(c.createdAt)))}
            </li>
          ))}
        </ul>
      ) : (
        <p>Nessun collegamento.</p>
      )}
      <p class="hint">Per sicurezza l’indirizzo e la chiave si vedono solo al momento della creazione; se li ha persi, crei un nuovo collegamento.</p>
    </>,
  );
}
