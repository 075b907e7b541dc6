/**
 * @module The verification questionnaire of a kind-e webinar in the provider's console (R-QST):
 * who received it, where the link mail is (sent, waiting, no address), its status and attempts,
 * the last score, and the event's rating (R-QST-9). Links are personal and not listed: the
 * organiser (or the accrediting CPO) asks for one member's link to hand over, or sends the mail
 * again to a corrected address, while the mail has not gone out.
 */
import { italianDateTime, withArticle } from '../format.ts';
import { labelOf } from '../labels.ts';
import type { ConsolePerson } from './account-pages.tsx';
import { QUESTIONNAIRE_MAIL_LABELS, QUESTIONNAIRE_STATUS_LABELS } from './attendance-labels.ts';
import { eventPage, type EventHead } from './event-frame.tsx';
import { OffsetPager } from './pager.tsx';
import { Notice } from './signin-pages.tsx';

export const QUESTIONNAIRES_PER_PAGE = 200;

export interface QuestionnaireView {
  event: EventHead;
  items: ReadonlyArray<{
    id: string;
    name: string;
    codiceFiscale: string;
    mail: string;
    sentAt: Date | null;
    deadline: Date | null;
    status: string;
    attempts: number;
    lastScore: number | null;
  }>;
  /** The event's questionnaires in all; `items` is the page from `offset`. */
  total: number;
  counts: Record<string, number>;
  offset: number;
  /** The offset of the next page, null on the last. */
  next: number | null;
  rating: { responses: number; average: number | null; belowThreshold: boolean | null };
  smtp: boolean;
  /** Whether this person hands links over (the organiser, the accrediting CPO). */
  handsOver: boolean;
  /** A link just asked for, to copy. */
  handedLink?: { name: string; url: string; expiresAt: Date } | null;
  notice?: string | null;
  problem?: string | null;
}

export function questionnairePage(person: ConsolePerson, v: QuestionnaireView) {
  const base = `/console/eventi/${v.event.id}/questionario`;
  // An act on a row comes back to the same page.
  const here = v.offset ? `?da=${v.offset}` : '';
  const noAddress = v.counts['no-address'] ?? 0;
  return eventPage(
    person,
    v.event,
    'questionario',
    'Questionario',
    <>
      <h2>Questionario di verifica</h2>
      <Notice text={v.notice} />
      {v.problem ? (
        <div class="alert" role="alert" id="errori" tabindex={-1} autofocus>
          {v.problem}
        </div>
      ) : null}
      {v.handedLink ? (
        <div class="warn" role="status">
          <p>
            Link personale al questionario di {v.handedLink.name}: lo consegni solo all’iscritto (vale fino{' '}
            {withArticle('al', italianDateTime(v.handedLink.expiresAt))}; i 10 giorni partono dalla prima apertura, se il messaggio non è arrivato prima).
          </p>
          <p>
            <code>{v.handedLink.url}</code>
          </p>
        </div>
      ) : null}
      {v.total === 0 ? (
        <p>
          Nessun questionario inviato. Per i webinar degli enti autorizzati dal Consiglio Nazionale il questionario parte alla fine dell’evento, per chi ha
          ottenuto i crediti.
        </p>
      ) : (
        <>
          <ul class="counts" aria-label="Questionari per stato">
            {Object.entries(QUESTIONNAIRE_STATUS_LABELS).map(([k, label]) => (
              <li>
                <span>
                  {label}: {v.counts[k] ?? 0}
                </span>
              </li>
            ))}
          </ul>
          {v.smtp ? null : (
            <div class="warn">
              <p>Il server di posta non è configurato: i messaggi con il link al questionario restano in attesa e partiranno quando sarà impostato.</p>
            </div>
          )}
          {noAddress ? (
            <div class="warn">
              <p>Per {noAddress} iscritti manca l’indirizzo e-mail: il link non può essere inviato.</p>
            </div>
          ) : null}
        </>
      )}
      <section aria-labelledby="valutazione" class="card">
        <h2 id="valutazione">Valutazione dell’evento</h2>
        {v.rating.responses ? (
          <p>
            Media delle risposte sulla qualità: <strong>{v.rating.average?.toLocaleString('it-IT')}</strong> su 10 ({v.rating.responses} questionari).
            {v.rating.belowThreshold ? ' Sotto la soglia di 6/10 richiesta per il rinnovo dell’autorizzazione.' : ''}
          </p>
        ) : (
          <p>Ancora nessuna risposta.</p>
        )}
      </section>
      {v.items.length ? (
        <div class="table-wrap" id="elenco">
          <table>
            <thead>
              <tr>
                <th scope="col">Iscritto</th>
                <th scope="col">E-mail con il link</th>
                <th scope="col">Inviato</th>
                <th scope="col">Scadenza</th>
                <th scope="col">Stato</th>
                <th scope="col">Tentativi</th>
                <th scope="col">Ultimo punteggio</th>
                {v.handsOver ? <th scope="col">Link</th> : null}
              </tr>
            </thead>
            <tbody>
              {v.items.map((q) => (
                <tr>
                  <td>
                    {q.name}
                    <br />
                    <span class="hint">{q.codiceFiscale}</span>
                  </td>
                  <td>{labelOf(QUESTIONNAIRE_MAIL_LABELS, q.mail)}</td>
                  <td>{q.sentAt ? italianDateTime(q.sentAt) : '—'}</td>
                  <td>{q.deadline ? italianDateTime(q.deadline) : '—'}</td>
                  <td>{labelOf(QUESTIONNAIRE_STATUS_LABELS, q.status)}</td>
                  <td>{q.attempts}</td>
                  <td>{q.lastScore ?? '—'}</td>
                  {v.handsOver ? (
                    <td>
                      <form method="post" action={`${base}/${q.id}/link${here}`}>
                        <button type="submit" class="secondary">
                          Copia il link
                        </button>
                      </form>
                      {q.mail !== 'sent' ? (
                        <form method="post" action={`${base}/${q.id}/invia${here}`}>
                          <label for={`email-${q.id}`}>Indirizzo corretto (facoltativo)</label>
                          <input type="email" id={`email-${q.id}`} name="email" autocomplete="off" />
                          <button type="submit" class="secondary">
                            Invia di nuovo
                          </button>
                        </form>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <OffsetPager
        base={base}
        noun="Questionari"
        label="Pagine dei questionari"
        offset={v.offset}
        shown={v.items.length}
        total={v.total}
        perPage={QUESTIONNAIRES_PER_PAGE}
        next={v.next}
        hash="#elenco"
      />
    </>,
  );
}
