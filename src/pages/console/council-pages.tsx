/**
 * @module The council's console (issue 15, first part): the queue of accreditation requests with
 * the days left before silence means consent (R-EVT-3), each decided in the page with the
 * deliberation's reference. The CN sees every province's queue.
 */
import { DateTime } from 'luxon';
import type { Event } from '../../schemas/events.ts';
import { italianDateTime } from '../format.ts';
import { MODE_LABELS } from '../labels.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { eventWhen } from './events-pages.tsx';
import { DecisionForm } from './controls.tsx';
import { ErrorSummary, type FormProblem, Notice } from './signin-pages.tsx';

export interface AccreditationQueueView {
  events: readonly (Event & { organiserName: string })[];
  now: number;
  notice?: string | null;
  problems?: readonly FormProblem[];
}

/** Calendar days on the Rome calendar from today to the deadline's day (0: it ends today). */
const daysLeft = (deadline: string, now: number) => {
  const day = (ms: number) => DateTime.fromMillis(ms, { zone: 'Europe/Rome' }).startOf('day');
  return Math.max(0, Math.round(day(Date.parse(deadline)).diff(day(now), 'days').days));
};
const daysText = (n: number) => (n === 0 ? 'scade oggi' : n === 1 ? 'scade domani' : `mancano ${n} giorni`);

export function accreditationQueuePage(person: ConsolePerson, v: AccreditationQueueView) {
  return consolePage(
    person,
    '/console/accreditamenti',
    'Accreditamenti',
    <>
      <h1>Richieste di accreditamento</h1>
      <Notice text={v.notice} />
      <ErrorSummary problems={v.problems ?? []} />
      <p class="hint">
        Il CPO risponde entro 10 giorni dalla richiesta: alla scadenza, senza risposta, l’evento è accreditato per silenzio-assenso. Orari di Roma.
      </p>
      {v.events.length === 0 ? (
        <p>Nessuna richiesta in attesa.</p>
      ) : (
        v.events.map((e) => (
          <section class="card" aria-labelledby={`ev-${e.id}`}>
            <h2 id={`ev-${e.id}`}>{e.title}</h2>
            <dl>
              <dt>Ente</dt>
              <dd>{e.organiserName}</dd>
              <dt>Quando</dt>
              <dd>{eventWhen(e)}</dd>
              <dt>Modalità</dt>
              <dd>{MODE_LABELS[e.mode as keyof typeof MODE_LABELS] ?? e.mode}</dd>
              <dt>Crediti</dt>
              <dd>{e.credits}</dd>
              <dt>Richiesta</dt>
              <dd>{italianDateTime(new Date(e.accreditation.requestedAt))}</dd>
              <dt>Scadenza</dt>
              <dd>
                <strong>
                  {e.accreditation.deadline
                    ? `${italianDateTime(new Date(e.accreditation.deadline))} (${daysText(daysLeft(e.accreditation.deadline, v.now))})`
                    : '—'}
                </strong>
              </dd>
            </dl>
            <DecisionForm
              action={`/console/accreditamenti/${e.id}`}
              id={e.id}
              yes={{ value: 'approve', label: 'Accreditare' }}
              no={{ value: 'reject', label: 'Non accreditare' }}
              text={{ name: 'reference', label: 'Riferimento della delibera', required: true }}
            />
          </section>
        ))
      )}
    </>,
  );
}
