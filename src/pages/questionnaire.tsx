/**
 * @module The member's questionnaire pages (R-QST-3, R-QST-4, R-QST-5, R-QST-6, R-QST-10), in Italian: the form of an
 * attempt, the result shown at once, the closed states, and the irregularity report. Views only:
 * what they receive is what a member may see (the served questions with options in the shown
 * order, never which one is right).
 */
import type { FC } from 'hono/jsx';
import { QUALITY_QUESTIONS, QUESTIONNAIRE_RULES as R } from '../domain/questionnaire.ts';
import { withArticle } from '../domain/italian-dates.ts';
import { REPORT_MAX_CHARS } from '../schemas/questionnaire.ts';
import { Layout } from './layout.tsx';

export interface EventHeading {
  title: string;
  organiser: string;
  /** Italian date of the event. */
  date: string;
}

export interface AttemptFormProps {
  event: EventHeading;
  memberName: string;
  attempt: number;
  /** Italian date and time of the deadline. */
  deadline: string;
  askQuality: boolean;
  questions: ReadonlyArray<{ text: string; options: readonly string[] }>;
  action: string;
  reportAction: string;
  /** Values to keep when the form comes back with errors. */
  values?: { quality: Record<string, string>; answers: Record<string, string> };
  errors?: string[];
}

export function attemptPage(p: AttemptFormProps) {
  const v = p.values ?? { quality: {}, answers: {} };
  return (
    <Layout title={`Questionario di verifica – ${p.event.title}`}>
      <Heading event={p.event} memberName={p.memberName} />
      <p>
        {p.attempt === 1 ? 'Primo tentativo' : 'Secondo e ultimo tentativo'}. Da completare entro il <strong>{p.deadline}</strong>.
      </p>
      {p.errors?.length ? (
        <div class="alert" role="alert" id="errori">
          <p>
            <strong>Il questionario non è stato inviato:</strong>
          </p>
          <ul>
            {p.errors.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        </div>
      ) : null}
      <form method="post" action={p.action}>
        <input type="hidden" name="attempt" value={String(p.attempt)} />
        {p.askQuality ? (
          <section aria-labelledby="qualita">
            <h2 id="qualita">Qualità dell'evento</h2>
            <p class="hint" id="scala">
              Per ciascuna domanda scelga un voto da {R.qualityScale.min} (per nulla soddisfatto) a {R.qualityScale.max} (pienamente soddisfatto).
            </p>
            {QUALITY_QUESTIONS.map((q, i) => (
              <fieldset aria-describedby="scala">
                <legend>
                  {i + 1}. {q.text}
                </legend>
                <div class="scale">
                  {scale().map((n) => (
                    <label>
                      <input type="radio" name={q.id} value={String(n)} required checked={v.quality[q.id] === String(n)} />
                      {n}
                    </label>
                  ))}
                </div>
              </fieldset>
            ))}
          </section>
        ) : null}
        <section aria-labelledby="verifica">
          <h2 id="verifica">Verifica di apprendimento</h2>
          <p class="hint">
            Per ciascuna domanda scelga una sola risposta. Il questionario è superato con almeno {R.passMark} risposte esatte su {p.questions.length}.
          </p>
          {p.questions.map((q, k) => (
            <fieldset>
              <legend>
                Domanda {k + 1} di {p.questions.length}. {q.text}
              </legend>
              {q.options.map((o, pos) => (
                <div class="opt">
                  <input type="radio" id={`a${k}-${pos}`} name={`a${k}`} value={String(pos)} required checked={v.answers[`a${k}`] === String(pos)} />
                  <label for={`a${k}-${pos}`}>{o}</label>
                </div>
              ))}
            </fieldset>
          ))}
        </section>
        <p>
          <button type="submit">Invia le risposte</button>
        </p>
      </form>
      <ReportForm action={p.reportAction} />
    </Layout>
  );
}

export interface ResultProps {
  event: EventHeading;
  memberName: string;
  attempt: number;
  score: number;
  outOf: number;
  passed: boolean;
  retryAvailable: boolean;
  deadline: string;
  retryAction: string;
  reportAction: string;
}

/** The result of the attempt just submitted (R-QST-4): score and outcome, never which answers were right. */
export function resultPage(p: ResultProps) {
  return (
    <Layout title={`Esito del questionario – ${p.event.title}`}>
      <Heading event={p.event} memberName={p.memberName} />
      <div class={p.passed ? 'ok' : 'warn'} role="status">
        <h2>{p.passed ? 'Questionario superato' : 'Questionario non superato'}</h2>
        <p>
          Risposte esatte: <strong>{p.score}</strong> su {p.outOf} (ne servono almeno {R.passMark}).
        </p>
        {p.passed ? <p>I crediti dell'evento sono riconosciuti.</p> : null}
        {!p.passed && p.retryAvailable ? (
          <p>
            Può fare un secondo e ultimo tentativo, con domande diverse, entro il <strong>{p.deadline}</strong>.
          </p>
        ) : null}
        {!p.passed && !p.retryAvailable ? <p>Non sono previsti altri tentativi: i crediti dell'evento non sono riconosciuti.</p> : null}
      </div>
      <p class="hint">Per riservatezza delle domande non viene indicato quali risposte erano esatte.</p>
      {!p.passed && p.retryAvailable ? (
        <form method="post" action={p.retryAction}>
          <button type="submit">Inizia il secondo tentativo</button>
        </form>
      ) : null}
      <ReportForm action={p.reportAction} />
    </Layout>
  );
}

export type ClosedKind = 'passed' | 'failed' | 'expired' | 'invalid';

export interface ClosedProps {
  kind: ClosedKind;
  event?: EventHeading;
  memberName?: string;
  /** Italian date and time: the deadline (expired) or the decision. */
  when?: string;
  score?: { score: number; outOf: number } | null;
  reportAction?: string;
}

const CLOSED_TEXT: Record<ClosedKind, { title: string; body: string; tone: string }> = {
  passed: {
    title: 'Questionario già completato',
    body: "Il questionario è stato superato: i crediti dell'evento sono riconosciuti. Il link non serve più.",
    tone: 'ok',
  },
  failed: {
    title: 'Questionario non superato',
    body: "Entrambi i tentativi sono stati usati e non sono stati superati: i crediti dell'evento non sono riconosciuti.",
    tone: 'warn',
  },
  expired: { title: 'Termine scaduto', body: "Il termine per compilare il questionario è scaduto: i crediti dell'evento non sono riconosciuti.", tone: 'warn' },
  invalid: {
    title: 'Link non valido',
    body: "Il link non è valido. Controlli di averlo copiato per intero dal messaggio ricevuto o si rivolga all'ente organizzatore.",
    tone: 'alert',
  },
};

/** A link that can no longer be used, said plainly: already completed, failed, expired or invalid. */
export function closedPage(p: ClosedProps) {
  const t = CLOSED_TEXT[p.kind];
  return (
    <Layout title={t.title}>
      {p.event ? <Heading event={p.event} memberName={p.memberName ?? ''} /> : <h1>{t.title}</h1>}
      <div class={t.tone} role="status">
        {p.event ? <h2>{t.title}</h2> : null}
        <p>{t.body}</p>
        {p.kind === 'expired' && p.when ? <p>Il termine era {withArticle('il', p.when)}.</p> : null}
        {p.score ? (
          <p>
            Ultimo tentativo: {p.score.score} risposte esatte su {p.score.outOf}.
          </p>
        ) : null}
      </div>
      {p.reportAction ? <ReportForm action={p.reportAction} /> : null}
    </Layout>
  );
}

/** Something failed on the gateway's side: nothing the member did is lost, try again shortly. */
export function unavailablePage() {
  return (
    <Layout title="Servizio momentaneamente non disponibile">
      <h1>Servizio momentaneamente non disponibile</h1>
      <div class="warn" role="status">
        <p>Non è stato possibile completare l'operazione. Le risposte già inviate e confermate restano registrate.</p>
        <p>Riprovi tra qualche minuto usando lo stesso link.</p>
      </div>
    </Layout>
  );
}

export function reportReceivedPage(p: { event: EventHeading; memberName: string; back: string }) {
  return (
    <Layout title="Segnalazione inviata">
      <Heading event={p.event} memberName={p.memberName} />
      <div class="ok" role="status">
        <p>La segnalazione è stata inviata al Consiglio provinciale che ha accreditato l'evento.</p>
      </div>
      <p>
        <a href={p.back}>Torna al questionario</a>
      </p>
    </Layout>
  );
}

const Heading: FC<{ event: EventHeading; memberName: string }> = ({ event, memberName }) => (
  <>
    <h1>Questionario di verifica</h1>
    <div class="card">
      <dl>
        <dt>Evento</dt>
        <dd>{event.title}</dd>
        <dt>Data</dt>
        <dd>{event.date}</dd>
        <dt>Organizzatore</dt>
        <dd>{event.organiser}</dd>
        {memberName ? (
          <>
            <dt>Iscritto</dt>
            <dd>{memberName}</dd>
          </>
        ) : null}
      </dl>
    </div>
  </>
);

const ReportForm: FC<{ action: string }> = ({ action }) => (
  <details class="card">
    <summary>Segnala un'irregolarità</summary>
    <form method="post" action={action}>
      <p class="hint">La segnalazione arriva al Consiglio provinciale che ha accreditato l'evento.</p>
      <label for="messaggio">Descriva il problema</label>
      <textarea id="messaggio" name="message" maxlength={REPORT_MAX_CHARS} required></textarea>
      <p>
        <button type="submit" class="secondary">
          Invia la segnalazione
        </button>
      </p>
    </form>
  </details>
);

function scale(): number[] {
  const out: number[] = [];
  for (let n = R.qualityScale.min; n <= R.qualityScale.max; n++) out.push(n);
  return out;
}
