/**
 * @module Creating an event in the console (issue 14) and its question pool (R-QST-1, R-QST-3):
 * the fields of the API's event, with Rome date-times; topic and fraction rows; for a kind-e
 * webinar the 30 questions, imported from a spreadsheet (the documented columns, a blank
 * template to download) or typed in the form. Works without script; errors are listed on top
 * and at each field.
 */
import { PROVINCES } from '../../domain/provinces.ts';
import { POOL_SHEET_COLUMNS } from '../../services/questionnaire/pool-sheet.ts';
import { FRACTION_ROWS, POOL_ROWS, TOPIC_ROWS } from '../../schemas/console-events.ts';
import { EVENT_MODES, PLATFORMS, type Event } from '../../schemas/events.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { CheckboxField, FileField, SelectField, TextareaField } from './form-controls.tsx';
import { MODE_LABELS, PLATFORM_LABELS } from './labels.ts';
import { ErrorSummary, Field, type FormProblem, Notice } from './signin-pages.tsx';

const provinceOptions = (blank: string | null) => [
  ...(blank !== null ? [{ value: '', label: blank }] : []),
  ...PROVINCES.map((p) => ({ value: p.code, label: `${p.name} (${p.code})` })),
];

/** The 30 questions: the spreadsheet import, or the plain form (one block per question). */
export function PoolFields({ values, problems, open }: { values: Record<string, string>; problems: readonly FormProblem[]; open: boolean }) {
  return (
    <>
      <p>
        Il questionario ha 30 domande scientifiche (R-QST-3): ognuna con da 2 a 6 risposte, una sola corretta, nessuna domanda ripetuta. Può importarle da un
        foglio di calcolo oppure scriverle qui sotto.
      </p>
      <FileField
        id="questionsFile"
        label="Importa le domande da un file (.xlsx o CSV)"
        hint={`Una domanda per riga, con le colonne: ${POOL_SHEET_COLUMNS.join(', ')} (il numero della risposta corretta, da 1 a 6). Le colonne di risposta vuote si saltano.`}
        problems={problems}
      />
      <p>
        <a href="/console/eventi/modello-domande.csv" download>
          Scarica il modello vuoto (CSV)
        </a>
      </p>
      <details open={open}>
        <summary>Oppure scriva le domande nel modulo</summary>
        <p class="hint">Se sceglie un file, le domande del file prevalgono su quelle scritte qui.</p>
        {Array.from({ length: POOL_ROWS }, (_, k) => {
          const i = k + 1;
          return (
            <fieldset>
              <legend>Domanda {i}</legend>
              <Field id={`q-${i}-text`} label="Testo" value={values[`q-${i}-text`] ?? ''} problems={problems} required={false} />
              <TextareaField id={`q-${i}-options`} label="Risposte, una per riga" value={values[`q-${i}-options`]} problems={problems} rows={3} />
              <Field
                id={`q-${i}-correct`}
                label="Numero della risposta corretta"
                inputmode="numeric"
                value={values[`q-${i}-correct`] ?? ''}
                problems={problems}
                required={false}
              />
            </fieldset>
          );
        })}
      </details>
    </>
  );
}

export interface NewEventView {
  values: Record<string, string>;
  problems: readonly FormProblem[];
  /** Kind-e organiser: a webinar needs the question pool (R-QST-1). */
  kindE: boolean;
  /** Kind-a organiser: its own province. */
  ownProvince: string | null;
  /** Changing an existing event (R-CHG-1): its id; the pool is not in this form (it has its own page). */
  editing?: { id: string; title: string } | null;
}

export function newEventPage(person: ConsolePerson, v: NewEventView) {
  const { values, problems } = v;
  const checked = (id: string) => values[id] === 'on';
  const editing = v.editing ?? null;
  const withPool = v.kindE && !editing;
  return consolePage(
    person,
    '/console/eventi',
    editing ? 'Modifica evento' : 'Nuovo evento',
    <>
      <p>{editing ? <a href={`/console/eventi/${editing.id}`}>← {editing.title}</a> : <a href="/console/eventi">← Eventi</a>}</p>
      <h1>{editing ? 'Modifica evento' : 'Nuovo evento'}</h1>
      {editing ? <p class="hint">Il CPO che accredita non si può cambiare. Le domande del questionario si modificano dalla loro pagina.</p> : null}
      <ErrorSummary problems={problems} />
      <form method="post" action={editing ? `/console/eventi/${editing.id}/modifica` : '/console/eventi/nuovo'} enctype="multipart/form-data" novalidate>
        <section class="card" aria-labelledby="evento">
          <h2 id="evento">L’evento</h2>
          <Field id="title" label="Titolo" value={values.title ?? ''} problems={problems} />
          <SelectField
            id="mode"
            label="Modalità"
            value={values.mode ?? 'webinar'}
            options={EVENT_MODES.map((m) => ({ value: m, label: MODE_LABELS[m] ?? m }))}
            problems={problems}
          />
          <SelectField
            id="cpoProvince"
            label="Consiglio provinciale che accredita"
            value={values.cpoProvince ?? v.ownProvince ?? ''}
            options={provinceOptions('Scelga la provincia')}
            problems={problems}
          />
          <SelectField
            id="venueProvince"
            label="Provincia della sede (eventi in presenza)"
            value={values.venueProvince ?? ''}
            options={provinceOptions('—')}
            problems={problems}
          />
          <TextareaField id="speakers" label="Relatori, uno per riga" value={values.speakers} problems={problems} rows={3} />
          <Field id="start" label="Inizio" type="datetime-local" value={values.start ?? ''} hint="Data e ora di Roma." problems={problems} />
          <Field id="end" label="Fine" type="datetime-local" value={values.end ?? ''} hint="Data e ora di Roma." problems={problems} />
          <Field
            id="credits"
            label="Crediti"
            type="number"
            inputmode="numeric"
            value={values.credits ?? ''}
            hint="Numero intero: al massimo le ore intere dell’evento (1 ora = 1 credito)."
            problems={problems}
          />
          <Field
            id="toleranceMinutes"
            label="Tolleranza in minuti"
            type="number"
            inputmode="numeric"
            value={values.toleranceMinutes ?? '30'}
            hint="In tutto, fra ingresso in ritardo e uscita anticipata: da 0 a 30 (R-ATT-2)."
            problems={problems}
          />
          <CheckboxField
            id="regionWide"
            label="Webinar aperto agli iscritti di tutta la regione"
            hint="Altrimenti solo gli iscritti della provincia del CPO ricevono i crediti (R-EVT-4)."
            checked={checked('regionWide')}
            problems={problems}
          />
        </section>
        <section class="card" aria-labelledby="argomenti">
          <h2 id="argomenti">Argomenti</h2>
          <p class="hint">
            In ordine di orario, senza sovrapposizioni. Un solo argomento senza orari copre tutto l’evento. Segni gli argomenti di ordinamento professionale e
            deontologia: ne derivano i crediti deontologici.
          </p>
          {Array.from({ length: TOPIC_ROWS }, (_, k) => {
            const i = k + 1;
            return (
              <fieldset>
                <legend>Argomento {i}</legend>
                <Field id={`topic-${i}-title`} label="Titolo" value={values[`topic-${i}-title`] ?? ''} problems={problems} required={i === 1} />
                <Field
                  id={`topic-${i}-start`}
                  label="Inizio"
                  type="datetime-local"
                  value={values[`topic-${i}-start`] ?? ''}
                  problems={problems}
                  required={false}
                />
                <Field id={`topic-${i}-end`} label="Fine" type="datetime-local" value={values[`topic-${i}-end`] ?? ''} problems={problems} required={false} />
                <CheckboxField id={`topic-${i}-deontology`} label="Ordinamento professionale e deontologia" checked={checked(`topic-${i}-deontology`)} />
              </fieldset>
            );
          })}
        </section>
        <section class="card" aria-labelledby="frazioni">
          <h2 id="frazioni">Frazioni</h2>
          <CheckboxField
            id="fractionable"
            label="Evento frazionabile"
            hint="Le frazioni coprono l’evento senza interruzioni e i loro crediti sommano quelli dell’evento (R-ATT-5)."
            checked={checked('fractionable')}
            problems={problems}
          />
          <CheckboxField
            id="structuredPath"
            label="Percorso strutturato (oltre 20 ore in più giorni; le frazioni sono le sessioni)"
            checked={checked('structuredPath')}
            problems={problems}
          />
          {Array.from({ length: FRACTION_ROWS }, (_, k) => {
            const i = k + 1;
            return (
              <fieldset>
                <legend>Frazione {i}</legend>
                <Field
                  id={`fraction-${i}-start`}
                  label="Inizio"
                  type="datetime-local"
                  value={values[`fraction-${i}-start`] ?? ''}
                  problems={problems}
                  required={false}
                />
                <Field
                  id={`fraction-${i}-end`}
                  label="Fine"
                  type="datetime-local"
                  value={values[`fraction-${i}-end`] ?? ''}
                  problems={problems}
                  required={false}
                />
                <Field
                  id={`fraction-${i}-credits`}
                  label="Crediti"
                  type="number"
                  inputmode="numeric"
                  value={values[`fraction-${i}-credits`] ?? ''}
                  problems={problems}
                  required={false}
                />
                <CheckboxField
                  id={`fraction-${i}-autonomous`}
                  label="Sessione autonoma (solo percorsi strutturati)"
                  checked={checked(`fraction-${i}-autonomous`)}
                />
              </fieldset>
            );
          })}
        </section>
        <section class="card" aria-labelledby="piattaforma">
          <h2 id="piattaforma">Piattaforma</h2>
          <SelectField
            id="platformName"
            label="Piattaforma del webinar"
            value={values.platformName ?? ''}
            options={[{ value: '', label: '—' }, ...PLATFORMS.map((p) => ({ value: p, label: PLATFORM_LABELS[p] ?? p }))]}
            problems={problems}
          />
          <Field
            id="platformMeetingId"
            label="ID della riunione o del webinar sulla piattaforma"
            value={values.platformMeetingId ?? ''}
            hint="Per Zoom: l’ID del webinar. Serve ad abbinare le presenze che la piattaforma invia."
            problems={problems}
            required={false}
          />
        </section>
        {withPool ? (
          <section class="card" aria-labelledby="questionario">
            <h2 id="questionario">Questionario (webinar)</h2>
            <p class="hint">Obbligatorio per i webinar degli enti autorizzati dal CN (R-QST-1); per le altre modalità lasci vuoto.</p>
            <PoolFields values={values} problems={problems} open={Object.keys(values).some((k) => k.startsWith('q-') && values[k])} />
          </section>
        ) : null}
        <p>
          <button type="submit">{editing ? 'Salva le modifiche' : v.kindE ? 'Crea l’evento e chiedi l’accreditamento' : 'Crea l’evento'}</button>
        </p>
      </form>
    </>,
  );
}

export interface PoolPageView {
  event: Event;
  questions: readonly { text: string; options: readonly string[]; correct: number }[];
  changeable: boolean;
  /** Why it can no longer change. */
  lockedReason?: string | undefined;
  values: Record<string, string>;
  problems: readonly FormProblem[];
  notice?: string | undefined;
}

export function poolPage(person: ConsolePerson, v: PoolPageView) {
  const base = `/console/eventi/${v.event.id}`;
  return consolePage(
    person,
    '/console/eventi',
    'Domande del questionario',
    <>
      <p>
        <a href={base}>← {v.event.title}</a>
      </p>
      <h1>Domande del questionario</h1>
      <Notice text={v.notice} />
      <ErrorSummary problems={v.problems} />
      {v.changeable ? (
        <p>Può sostituire le domande finché l’accreditamento è in attesa della risposta del CPO e nessun questionario è stato inviato.</p>
      ) : (
        <div class="warn">
          <p>{v.lockedReason ?? 'Le domande non si possono più cambiare.'}</p>
        </div>
      )}
      <h2>Domande attuali ({v.questions.length})</h2>
      <ol>
        {v.questions.map((q) => (
          <li>
            {q.text}
            <ol type="A">
              {q.options.map((o, j) => (
                <li>
                  {o}
                  {j === q.correct ? <strong> (corretta)</strong> : null}
                </li>
              ))}
            </ol>
          </li>
        ))}
      </ol>
      {v.changeable ? (
        <section class="card" aria-labelledby="sostituisci">
          <h2 id="sostituisci">Sostituisci le domande</h2>
          <form method="post" action={`${base}/domande`} enctype="multipart/form-data" novalidate>
            <PoolFields values={v.values} problems={v.problems} open={false} />
            <p>
              <button type="submit">Sostituisci le 30 domande</button>
            </p>
          </form>
        </section>
      ) : null}
    </>,
  );
}
