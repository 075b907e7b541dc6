/**
 * @module The CN's register of organisers (issue 15, R-EVT-2, R-QST-9): every organiser with its
 * kind, authorisation, events and rating, those below the 6/10 renewal threshold marked (art. 19
 * c.2); one organiser's rating event by event.
 */
import type { Rating } from '../../domain/questionnaire.ts';
import type { Organiser } from '../../schemas/organisers.ts';
import type { OrganiserRatingView, OrganiserSummary } from '../../services/questionnaire/reads.ts';
import { italianDate, italianDay, withArticle } from '../format.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { provinceName, StackTable } from './controls.tsx';

/** Art. 14 c.1 (R-EVT-2), in words. */
export const ORGANISER_KIND_LABELS: Readonly<Record<Organiser['kind'], string>> = {
  a: 'Consiglio provinciale dell’Ordine',
  b: 'Consiglio nazionale o sua fondazione',
  c: 'ENPACL o sua fondazione',
  d: 'Università o pubblica amministrazione',
  e: 'Ente autorizzato dal Consiglio nazionale',
};

/** "7,25 su 10 (12 questionari)", or why there is no rating; below the threshold says so. */
export function ratingInWords(r: Rating): string {
  if (r.average === null) return 'Nessun questionario compilato';
  const avg = r.average.toLocaleString('it-IT', { maximumFractionDigits: 2 });
  return `${avg} su 10 (${r.responses} ${r.responses === 1 ? 'questionario' : 'questionari'})${r.belowThreshold ? ' · sotto la soglia di 6 per il rinnovo' : ''}`;
}

function kindText(o: Organiser): string {
  if (o.kind === 'a' && o.province) return `${ORGANISER_KIND_LABELS.a} di ${provinceName(o.province)}`;
  if (o.kind === 'e' && o.authorisedFrom && o.authorisedUntil)
    return `${ORGANISER_KIND_LABELS.e}, n. ${o.authorisationNumber ?? '—'}, ${withArticle('dal', italianDay(o.authorisedFrom))} ${withArticle('al', italianDay(o.authorisedUntil))}`;
  return ORGANISER_KIND_LABELS[o.kind];
}

export function organisersPage(person: ConsolePerson, v: { organisers: readonly OrganiserSummary[]; belowOnly: boolean }) {
  const below = v.organisers.filter((o) => o.rating.belowThreshold).length;
  const rows = v.belowOnly ? v.organisers.filter((o) => o.rating.belowThreshold) : v.organisers;
  return consolePage(
    person,
    '/console/enti',
    'Enti formatori',
    <>
      <h1>Enti formatori</h1>
      <p>
        Il gradimento è la media delle risposte di qualità dei questionari sugli eventi del periodo di autorizzazione; per il rinnovo serve almeno 6 su 10 (art.
        19, comma 2, del Regolamento).
      </p>
      <p>
        {v.organisers.length} enti; sotto la soglia: {below}.{' '}
        {v.belowOnly ? <a href="/console/enti">Mostra tutti</a> : below ? <a href="/console/enti?soglia=sotto">Mostra solo quelli sotto la soglia</a> : null}
      </p>
      {rows.length === 0 ? (
        <p>Nessun ente.</p>
      ) : (
        <StackTable
          rows={rows}
          columns={[
            { label: 'Ente', cell: (o) => <a href={`/console/enti/${o.organiser.id}`}>{o.organiser.name}</a> },
            { label: 'Tipo', cell: (o) => kindText(o.organiser) },
            { label: 'Eventi', cell: (o) => String(o.events) },
            {
              label: 'Gradimento',
              cell: (o) => (o.rating.belowThreshold ? <strong data-status="below">{ratingInWords(o.rating)}</strong> : ratingInWords(o.rating)),
            },
          ]}
        />
      )}
    </>,
  );
}

export function organiserPage(person: ConsolePerson, v: { organiser: Organiser; rating: OrganiserRatingView }) {
  return consolePage(
    person,
    '/console/enti',
    v.organiser.name,
    <>
      <p>
        <a href="/console/enti">Enti formatori</a>
      </p>
      <h1>{v.organiser.name}</h1>
      <p>{kindText(v.organiser)}</p>
      <section class="card" aria-labelledby="gradimento">
        <h2 id="gradimento">Gradimento</h2>
        <p>{ratingInWords(v.rating.rating)}</p>
      </section>
      {v.rating.events.length === 0 ? (
        <p>Nessun evento con questionario nel periodo di autorizzazione.</p>
      ) : (
        <StackTable
          rows={v.rating.events}
          columns={[
            { label: 'Evento', cell: (e) => <a href={`/console/eventi/${e.eventId}/presenze`}>{e.title}</a> },
            { label: 'Data', cell: (e) => italianDate(e.start) },
            { label: 'Gradimento', cell: (e) => ratingInWords(e.rating) },
          ]}
        />
      )}
    </>,
  );
}

export function organiserNotFoundPage(person: ConsolePerson) {
  return consolePage(
    person,
    '/console/enti',
    'Ente non trovato',
    <>
      <h1>Ente non trovato</h1>
      <p>
        L’indirizzo non corrisponde a nessun ente formatore. Torni all’<a href="/console/enti">elenco degli enti</a>.
      </p>
    </>,
  );
}
