/**
 * @module The provider's events in the console (issue 14): the list with each event's status in
 * words (accreditation requested with the CPO's days left and the date of consent by silence,
 * R-EVT-3; accredited, rejected; upcoming, live, ended, closed), and an event's page with its
 * details and the links to its sections. Dates are Europe/Rome (R-CAL-2).
 */
import { DateTime } from 'luxon';
import { CLOSING_DAYS } from '../../domain/attendance-changes.ts';
import { deadlineAfter, ROME } from '../../domain/calendar.ts';
import type { Event } from '../../schemas/events.ts';
import { italianDate, italianDateTime, withArticle } from '../format.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { MODE_LABELS, PLATFORM_LABELS } from './labels.ts';
import { ErrorSummary, type FormProblem, Notice } from './signin-pages.tsx';

export interface EventStatusWords {
  /** requested | rejected | upcoming | live | ended | closed */
  key: string;
  label: string;
  /** The accreditation in words, and for a request the CPO's countdown. */
  detail: string;
}

const romeDay = (ms: number) => DateTime.fromMillis(ms, { zone: ROME }).startOf('day');

/** An event's status as the organiser reads it, at `now`. */
export function eventStatusWords(e: Event, now: number): EventStatusWords {
  const a = e.accreditation;
  if (a.status === 'rejected') return { key: 'rejected', label: 'Accreditamento respinto', detail: a.reference ? `Delibera ${a.reference}` : '' };
  if (a.status === 'requested') {
    const deadline = Date.parse(a.deadline ?? a.requestedAt);
    const left = Math.round(romeDay(deadline).diff(romeDay(now), 'days').days);
    const consent = italianDate(new Date(deadline + 1));
    const days =
      left <= 0
        ? 'oggi è l’ultimo giorno per la risposta del CPO'
        : left === 1
          ? 'il CPO ha ancora 1 giorno per rispondere'
          : `il CPO ha ancora ${left} giorni per rispondere`;
    return { key: 'requested', label: 'Accreditamento richiesto', detail: `${days}; assenso per silenzio ${withArticle('dal', consent)}` };
  }
  const accredited = a.bySilence ? 'Accreditato per silenzio-assenso' : 'Accreditato';
  const start = Date.parse(e.start);
  const end = Date.parse(e.end);
  if (e.closedAt) return { key: 'closed', label: 'Chiuso', detail: `${accredited}; corso chiuso ${withArticle('il', italianDate(new Date(e.closedAt)))}` };
  if (now < start) return { key: 'upcoming', label: 'In programma', detail: accredited };
  if (now < end) return { key: 'live', label: 'In corso', detail: accredited };
  // R-EVT-7: the organiser closes the course within 30 days of its end; after them only the CPO changes it.
  const closeBy = deadlineAfter(end, CLOSING_DAYS);
  const closing =
    now <= closeBy.getTime()
      ? `da chiudere entro ${withArticle('il', italianDate(closeBy))}`
      : `non chiuso: il termine per la chiusura è scaduto ${withArticle('il', italianDate(closeBy))}`;
  return { key: 'ended', label: 'Concluso', detail: `${accredited}; ${closing}` };
}

/** `10 maggio 2026, 14:00–16:00`, or both ends in full when the event spans days. */
export function eventWhen(e: Pick<Event, 'start' | 'end'>): string {
  const s = DateTime.fromISO(e.start, { zone: ROME }).setLocale('it');
  const t = DateTime.fromISO(e.end, { zone: ROME }).setLocale('it');
  if (s.hasSame(t, 'day')) return `${italianDate(s.toJSDate())}, ${s.toFormat('HH:mm')}–${t.toFormat('HH:mm')}`;
  return `${withArticle('dal', italianDateTime(new Date(e.start)))} ${withArticle('al', italianDateTime(new Date(e.end)))}`;
}

/**
 * The events list: an organiser's own, with its links to create and connect; for a council
 * (`council`) the events it accredits (the CN: all), each leading to its attendance page, and the
 * accreditation requests waiting for a decision with the first deadline.
 */
export function eventsListPage(
  person: ConsolePerson,
  v: {
    events: readonly Event[];
    next: string | null;
    now: number;
    notice?: string | undefined;
    council?: { requests: number; firstDeadline: string | null } | undefined;
  },
) {
  const href = (e: Event) => (v.council ? `/console/eventi/${e.id}/presenze` : `/console/eventi/${e.id}`);
  return consolePage(
    person,
    '/console/eventi',
    'Eventi',
    <>
      <h1>Eventi</h1>
      <Notice text={v.notice} />
      {v.council ? (
        <p class="card">
          <a href="/console/accreditamenti">Richieste di accreditamento da decidere: {v.council.requests}</a>
          {v.council.firstDeadline ? (
            <> · la prima scade {withArticle('il', italianDateTime(new Date(v.council.firstDeadline)))}, poi vale il silenzio-assenso (R-EVT-3)</>
          ) : null}
        </p>
      ) : (
        <p>
          <a href="/console/eventi/nuovo">Nuovo evento</a> · <a href="/console/piattaforme">Collegamento a Zoom</a>
        </p>
      )}
      {v.events.length === 0 ? (
        <p>Non ci sono ancora eventi.</p>
      ) : (
        <div class="table-wrap">
          <table class="stack">
            <caption class="hint" style="text-align:left">
              Orari di Roma. Gli eventi sono in ordine di inizio.
            </caption>
            <thead>
              <tr>
                <th scope="col">Evento</th>
                <th scope="col">Data</th>
                <th scope="col">Modalità</th>
                <th scope="col">Crediti</th>
                <th scope="col">Stato</th>
              </tr>
            </thead>
            <tbody>
              {v.events.map((e) => {
                const s = eventStatusWords(e, v.now);
                return (
                  <tr>
                    <td>
                      <a href={href(e)}>{e.title}</a>
                    </td>
                    <td data-label="Data">{eventWhen(e)}</td>
                    <td data-label="Modalità">{MODE_LABELS[e.mode] ?? e.mode}</td>
                    <td data-label="Crediti">{e.credits}</td>
                    <td data-label="Stato" data-status={s.key}>
                      <strong>{s.label}</strong>
                      {s.detail ? <span class="hint"> ({s.detail})</span> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {v.next ? (
        <p>
          <a href={`/console/eventi?dopo=${encodeURIComponent(v.next)}`}>Eventi successivi</a>
        </p>
      ) : null}
    </>,
  );
}

export interface EventPageView {
  event: Event;
  now: number;
  /** Whether the event has a question pool (kind-e webinar), its size and whether it can still change. */
  pool: { applies: boolean; size: number; changeable: boolean } | null;
  registrations: number;
  notice?: string | undefined;
  problems?: readonly FormProblem[];
  /** Why the event can no longer change (R-CHG-1), or null while it can. */
  notEditable: 'event-started' | 'accreditation-decided' | null;
}

export function eventPage(person: ConsolePerson, v: EventPageView) {
  const e = v.event;
  const s = eventStatusWords(e, v.now);
  const base = `/console/eventi/${e.id}`;
  return consolePage(
    person,
    '/console/eventi',
    e.title,
    <>
      <p>
        <a href="/console/eventi">← Eventi</a>
      </p>
      <h1>{e.title}</h1>
      <Notice text={v.notice} />
      <ErrorSummary problems={v.problems ?? []} />
      <p data-status={s.key}>
        Stato: <strong>{s.label}</strong>
        {s.detail ? ` (${s.detail})` : ''}
      </p>
      <nav aria-label="Sezioni dell’evento" class="card">
        <ul>
          <li>
            <a href={`${base}/iscrizioni`}>Iscrizioni</a> ({v.registrations})
          </li>
          <li>
            <a href={`${base}/presenze`}>Presenze</a>
          </li>
          {v.pool?.applies ? (
            <li>
              <a href={`${base}/domande`}>Domande del questionario</a> ({v.pool.size} di 30{v.pool.changeable ? '' : ', non più modificabili'})
            </li>
          ) : null}
        </ul>
      </nav>
      <section class="card" aria-labelledby="dettagli">
        <h2 id="dettagli">Dettagli</h2>
        <dl>
          <dt>Quando</dt>
          <dd>{eventWhen(e)}</dd>
          <dt>Modalità</dt>
          <dd>{MODE_LABELS[e.mode] ?? e.mode}</dd>
          <dt>CPO che accredita</dt>
          <dd>{e.cpoProvince}</dd>
          {e.venueProvince ? (
            <>
              <dt>Provincia della sede</dt>
              <dd>{e.venueProvince}</dd>
            </>
          ) : null}
          <dt>Crediti</dt>
          <dd>
            {e.credits}
            {e.fractionable ? ' (evento frazionabile)' : ''}
            {e.structuredPath ? ' · percorso strutturato' : ''}
          </dd>
          <dt>Tolleranza</dt>
          <dd>{e.toleranceMinutes} minuti in tutto fra ingresso in ritardo e uscita anticipata</dd>
          <dt>Pubblico</dt>
          <dd>{e.mode === 'webinar' ? (e.regionWide ? 'Iscritti di tutta la regione' : `Iscritti della provincia ${e.cpoProvince}`) : '—'}</dd>
          <dt>Piattaforma</dt>
          <dd>{e.platform ? `${PLATFORM_LABELS[e.platform.name] ?? e.platform.name}, riunione ${e.platform.meetingId}` : '—'}</dd>
          <dt>Relatori</dt>
          <dd>{e.speakers.length ? e.speakers.join(', ') : '—'}</dd>
          <dt>Accreditamento</dt>
          <dd>
            richiesto {withArticle('il', italianDateTime(new Date(e.accreditation.requestedAt)))}
            {e.accreditation.decidedAt ? `, deciso ${withArticle('il', italianDateTime(new Date(e.accreditation.decidedAt)))}` : ''}
            {e.accreditation.reference ? ` (${e.accreditation.reference})` : ''}
          </dd>
        </dl>
        <h3>Argomenti</h3>
        <ol>
          {e.topics.map((t) => (
            <li>
              {t.title} ({eventWhen(t)}){t.deontology ? ' · deontologia' : ''}
            </li>
          ))}
        </ol>
        {e.fractions?.length ? (
          <>
            <h3>Frazioni</h3>
            <ol>
              {e.fractions.map((f) => (
                <li>
                  {eventWhen(f)}: {f.credits} crediti{f.autonomous ? ' · sessione autonoma' : ''}
                </li>
              ))}
            </ol>
          </>
        ) : null}
        {v.notEditable === null ? (
          <p>
            <a href={`${base}/modifica`}>Modifica l’evento</a> (possibile fino all’inizio e finché il CPO non ha deciso sull’accreditamento)
          </p>
        ) : (
          <p class="hint">
            {v.notEditable === 'event-started'
              ? 'L’evento è iniziato: i suoi dati non si possono più modificare.'
              : 'Il CPO ha deciso sull’accreditamento (o è passato il termine del silenzio-assenso): l’evento resta com’è stato accreditato. Per cambiarlo, chieda al CPO come procedere.'}
          </p>
        )}
      </section>
    </>,
  );
}

/** An event the person may not see, or that does not exist: the same words. */
export function eventNotFoundPage(person: ConsolePerson) {
  return consolePage(
    person,
    '/console/eventi',
    'Evento non trovato',
    <>
      <h1>Evento non trovato</h1>
      <p>L’evento non esiste oppure non è di questo ente.</p>
      <p>
        <a href="/console/eventi">Torna agli eventi</a>
      </p>
    </>,
  );
}
