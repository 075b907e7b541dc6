/**
 * @module An e-learning or podcast course in the provider's console (issue 14, issue 6): the
 * SCORM package upload (a plain multipart form; progress shown by the console's script) with the
 * R-ELN-5 compliance report, the enrolments with their progress (R-ELN-2, R-ELN-3, R-ELN-4),
 * launch links to copy, and the R-ELN-6 attestation of each credited enrolment.
 */
import { OffsetPager } from './pager.tsx';
import { italianDateTime, withArticle } from '../format.ts';
import { ELEARNING_REASON_LABELS, labelOf } from '../labels.ts';
import type { ConsolePerson } from './account-pages.tsx';
import { CHECK_STATUS_LABELS, COMPLIANCE_CHECK_LABELS, ENROLMENT_STATUS_LABELS } from './attendance-labels.ts';
import { UploadProgress } from './attendance-pages.tsx';
import { eventPage, minutesText, type EventHead } from './event-frame.tsx';
import { ErrorSummary, type FormProblem, Notice } from './signin-pages.tsx';

export const ENROLMENTS_PER_PAGE = 200;

export interface CourseView {
  event: EventHead;
  compliance: {
    compliant: boolean;
    checks: ReadonlyArray<{ id: string; status: string; text: string }>;
    package: {
      version: string;
      uploadedAt: string;
      revision: number;
      manifest: { title: string; scos: readonly { identifier: string; title: string }[] };
    } | null;
    declaration: {
      nominalMinutes: number;
      masteryScore: number;
      modules: readonly { sco: string; minutes: number }[];
      finalTest: { bankQuestions: number; questionsPerAttempt: number; randomDraw: boolean; retryDifferentQuestions: boolean };
      accessWindowMonths: number;
    } | null;
    validity: { from: string; until: string } | null;
  } | null;
  enrolments: ReadonlyArray<{
    memberId: string;
    name: string;
    codiceFiscale: string;
    enrolledAt: Date;
    outcome: { status: string; reason: string; credits: number; creditedSeconds: number; requiredSeconds: number | null; completedAt: string | null } | null;
  }>;
  total: number;
  offset: number;
  /** The organiser may upload the package and issue launch links. */
  organiser: boolean;
  /** The council may open the course in review (the accrediting CPO, the CN). */
  reviewer: boolean;
  /** The council's reviews, newest first (issue 16). */
  reviews: ReadonlyArray<{ reviewer: string; openedAt: Date; launches: ReadonlyArray<{ title: string; launchedAt: Date; commits: number }> }>;
  /** A launch link just issued, to copy. */
  launch?: { name: string; url: string; expiresAt: Date } | null;
  notice?: string | null;
  problems?: readonly FormProblem[];
}

export function coursePage(person: ConsolePerson, v: CourseView) {
  const base = `/console/eventi/${v.event.id}/corso`;
  const problems = v.problems ?? [];
  const pkg = v.compliance?.package ?? null;
  return eventPage(
    person,
    v.event,
    'corso',
    'Corso e-learning',
    <>
      <h2>Corso e-learning</h2>
      <Notice text={v.notice} />
      <ErrorSummary problems={problems} />
      {v.launch ? (
        <div class="ok" role="status">
          <p>
            Link di avvio per {v.launch.name}, valido fino {withArticle('al', italianDateTime(v.launch.expiresAt))}. Lo copi e lo consegni all’iscritto: è
            personale.
          </p>
          <div class="copy">
            <label for="launch-url" class="skip">
              Link di avvio
            </label>
            <input type="text" id="launch-url" readonly value={v.launch.url} />
            <button type="button" class="secondary" data-copy="launch-url" hidden>
              Copia
            </button>
          </div>
        </div>
      ) : null}

      <section aria-labelledby="pacchetto" class="card">
        <h2 id="pacchetto">Pacchetto del corso</h2>
        {pkg ? (
          <p>
            Pacchetto attuale: «{pkg.manifest.title}», {pkg.version === 'cmi5' ? 'cmi5' : `SCORM ${pkg.version}`}, {pkg.manifest.scos.length} unità didattiche,
            caricato {withArticle('il', italianDateTime(new Date(pkg.uploadedAt)))} (versione {pkg.revision}).
          </p>
        ) : (
          <p>Nessun pacchetto caricato.</p>
        )}
        {v.organiser && v.total === 0 ? (
          <form method="post" action={`${base}/pacchetto`} enctype="multipart/form-data" data-upload>
            <label for="file">{pkg ? 'Sostituisci il pacchetto (file .zip)' : 'Pacchetto SCORM 1.2, SCORM 2004 o cmi5 (file .zip)'}</label>
            <input type="file" id="file" name="file" accept=".zip,application/zip" required />
            <UploadProgress />
            <p>
              <button type="submit">Carica il pacchetto</button>
            </p>
          </form>
        ) : v.organiser ? (
          <p class="hint">Ci sono iscritti al corso: il pacchetto che seguono non può più essere sostituito.</p>
        ) : null}
      </section>

      {pkg && (v.reviewer || v.reviews.length) ? (
        <section aria-labelledby="revisione" class="card">
          <h2 id="revisione">Revisione del corso da parte del Consiglio</h2>
          {v.reviewer ? (
            <form method="post" action={`${base}/revisione`}>
              <p class="hint">
                Il corso si apre nel lettore in modalità consultazione: ogni unità è visibile, senza prerequisiti, senza crediti. Nulla di quanto fa conta come
                fruizione di un iscritto.
              </p>
              <button type="submit">Apri il corso in revisione</button>
            </form>
          ) : null}
          {v.reviews.length ? (
            <div class="table-wrap">
              <table>
                <caption>Revisioni svolte</caption>
                <thead>
                  <tr>
                    <th scope="col">Aperta il</th>
                    <th scope="col">Da</th>
                    <th scope="col">Unità consultate</th>
                  </tr>
                </thead>
                <tbody>
                  {v.reviews.map((r) => (
                    <tr>
                      <td>{italianDateTime(r.openedAt)}</td>
                      <td>{r.reviewer}</td>
                      <td>
                        {r.launches.length
                          ? r.launches.map((l) => `${l.title} (${italianDateTime(l.launchedAt)}, salvataggi: ${l.commits})`).join('; ')
                          : 'Nessuna'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p class="hint">Nessuna revisione finora.</p>
          )}
        </section>
      ) : null}

      {v.compliance ? (
        <section aria-labelledby="conformita">
          <h2 id="conformita">Verifica di conformità</h2>
          <div class={v.compliance.compliant ? 'ok' : 'warn'} role="status">
            <p>{v.compliance.compliant ? 'Il corso rispetta tutti i requisiti verificabili.' : 'Alcuni requisiti non sono rispettati: li trova qui sotto.'}</p>
          </div>
          {v.compliance.validity ? (
            <p>
              Accreditamento valido {withArticle('dal', italianDateTime(new Date(v.compliance.validity.from)))}{' '}
              {withArticle('al', italianDateTime(new Date(v.compliance.validity.until)))}.
            </p>
          ) : null}
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Requisito</th>
                  <th scope="col">Esito</th>
                  <th scope="col">Dettaglio</th>
                </tr>
              </thead>
              <tbody>
                {v.compliance.checks.map((ch) => (
                  <tr>
                    <td>{labelOf(COMPLIANCE_CHECK_LABELS, ch.id, ch.id)}</td>
                    <td>{labelOf(CHECK_STATUS_LABELS, ch.status)}</td>
                    <td>{ch.text}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      {v.organiser && pkg ? <DeclarationForm base={base} scos={pkg.manifest.scos} declaration={v.compliance?.declaration ?? null} /> : null}

      <section aria-labelledby="iscritti">
        <h2 id="iscritti">Iscritti al corso ({v.total})</h2>
        {v.organiser && pkg ? (
          <form method="post" action={`${base}/abilita-iscritti`}>
            <p class="hint">Gli iscritti all’evento (pagina Iscrizioni) non ancora abilitati al corso lo diventano tutti insieme.</p>
            <button type="submit" class="secondary">
              Abilita al corso gli iscritti all’evento
            </button>
          </form>
        ) : null}
        {v.enrolments.length ? (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Iscritto</th>
                  <th scope="col">Iscrizione</th>
                  <th scope="col">Avanzamento</th>
                  <th scope="col">Tempo</th>
                  <th scope="col">Azioni</th>
                </tr>
              </thead>
              <tbody>
                {v.enrolments.map((e) => (
                  <tr>
                    <td>
                      {e.name}
                      <br />
                      <span class="hint">{e.codiceFiscale}</span>
                    </td>
                    <td>{italianDateTime(e.enrolledAt)}</td>
                    <td>
                      {e.outcome ? (
                        <>
                          <strong>{labelOf(ENROLMENT_STATUS_LABELS, e.outcome.status)}</strong>
                          <br />
                          {labelOf(ELEARNING_REASON_LABELS, e.outcome.reason)}
                          {e.outcome.status === 'credited' ? ` Crediti: ${e.outcome.credits}.` : ''}
                        </>
                      ) : (
                        ELEARNING_REASON_LABELS['not-derived']
                      )}
                    </td>
                    <td>
                      {e.outcome
                        ? `${minutesText(Math.floor(e.outcome.creditedSeconds / 60))}${e.outcome.requiredSeconds ? ` su ${minutesText(Math.round(e.outcome.requiredSeconds / 60))}` : ''}`
                        : '—'}
                    </td>
                    <td>
                      {v.organiser ? (
                        <form method="post" action={`${base}/iscritti/${e.memberId}/avvio${v.offset ? `?da=${v.offset}` : ''}`}>
                          <button type="submit" class="secondary">
                            Link di avvio
                          </button>
                        </form>
                      ) : null}
                      {e.outcome?.status === 'credited' ? (
                        <p>
                          <a href={`${base}/iscritti/${e.memberId}/attestato`} download>
                            Scarica l’attestato
                          </a>
                        </p>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p>Nessun iscritto al corso.</p>
        )}
        <OffsetPager
          base={base}
          noun="Iscritti"
          label="Pagine degli iscritti"
          offset={v.offset}
          shown={v.enrolments.length}
          total={v.total}
          perPage={ENROLMENTS_PER_PAGE}
          next={v.offset + v.enrolments.length < v.total ? v.offset + v.enrolments.length : null}
          hash="#iscritti"
        />
      </section>
    </>,
    { script: true },
  );
}

/** The event is not a course (not e-learning or podcast). */
export function notACoursePage(person: ConsolePerson, event: EventHead) {
  return eventPage(
    person,
    event,
    'corso',
    'Corso e-learning',
    <div class="warn">
      <p>Questo evento non è un corso e-learning o podcast: non ha un pacchetto SCORM.</p>
    </div>,
  );
}

/**
 * The course declaration (R-ELN-5): what the gateway cannot read in the package. The same
 * fields as `PUT /v1/events/{id}/elearning`, one row of minutes per unit of the package.
 */
function DeclarationForm(p: {
  base: string;
  scos: readonly { identifier: string; title: string }[];
  declaration: NonNullable<CourseView['compliance']>['declaration'];
}) {
  const d = p.declaration;
  const minutes = new Map((d?.modules ?? []).map((m) => [m.sco, m.minutes]));
  const num = (id: string, label: string, value: number | undefined, hint?: string) => (
    <div>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <input
        type="number"
        id={id}
        name={id}
        value={value === undefined ? '' : String(value)}
        min="0"
        required
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
    </div>
  );
  return (
    <section aria-labelledby="dichiarazione" class="card">
      <h2 id="dichiarazione">Dichiarazione del corso</h2>
      <p class="hint">Quello che il pacchetto non dice: durata, prova finale e periodo di accesso (verificati dalla conformità qui sopra).</p>
      <form method="post" action={`${p.base}/dichiarazione`}>
        {num('nominalMinutes', 'Durata nominale del corso (minuti)', d?.nominalMinutes)}
        {num('masteryScore', 'Soglia di superamento della prova finale (%)', d?.masteryScore)}
        <fieldset>
          <legend>Minuti di ciascuna unità didattica</legend>
          {p.scos.map((s, i) => (
            <div>
              <input type="hidden" name={`module-${i + 1}-sco`} value={s.identifier} />
              <label for={`module-${i + 1}-minutes`}>{s.title}</label>
              <input
                type="number"
                id={`module-${i + 1}-minutes`}
                name={`module-${i + 1}-minutes`}
                value={String(minutes.get(s.identifier) ?? '')}
                min="1"
                required
              />
            </div>
          ))}
        </fieldset>
        <fieldset>
          <legend>Prova finale</legend>
          {num('bankQuestions', 'Domande nella banca dati', d?.finalTest.bankQuestions)}
          {num('questionsPerAttempt', 'Domande per tentativo', d?.finalTest.questionsPerAttempt)}
          <div class="opt">
            <input type="checkbox" id="randomDraw" name="randomDraw" checked={d?.finalTest.randomDraw ?? false} />
            <label for="randomDraw">Le domande sono estratte a caso</label>
          </div>
          <div class="opt">
            <input type="checkbox" id="retryDifferentQuestions" name="retryDifferentQuestions" checked={d?.finalTest.retryDifferentQuestions ?? false} />
            <label for="retryDifferentQuestions">Un nuovo tentativo propone domande diverse</label>
          </div>
        </fieldset>
        {num('accessWindowMonths', 'Mesi di accesso per sostenere la prova', d?.accessWindowMonths)}
        <p>
          <button type="submit">Salva la dichiarazione</button>
        </p>
      </form>
    </section>
  );
}
