/**
 * @module An e-learning or podcast course in the provider's console (issue 14, issue 6): the
 * SCORM package upload (a plain multipart form; progress shown by the console's script) with the
 * R-ELN-5 compliance report, the enrolments with their progress (R-ELN-2, R-ELN-3, R-ELN-4),
 * launch links to copy, and the R-ELN-6 attestation of each credited enrolment.
 */
import { italianDateTime } from '../format.ts';
import { ELEARNING_REASON_LABELS, labelOf } from '../labels.ts';
import type { ConsolePerson } from './account-pages.tsx';
import { CHECK_STATUS_LABELS, COMPLIANCE_CHECK_LABELS, ENROLMENT_STATUS_LABELS } from './attendance-labels.ts';
import { UploadProgress } from './attendance-pages.tsx';
import { eventPage, minutesText, Notice, type EventHead } from './event-frame.tsx';
import { ErrorSummary, type FormProblem } from './signin-pages.tsx';

export const ENROLMENTS_PER_PAGE = 200;

export interface CourseView {
  event: EventHead;
  compliance: {
    compliant: boolean;
    checks: ReadonlyArray<{ id: string; status: string; reason: string }>;
    package: { version: string; uploadedAt: string; revision: number; manifest: { title: string; scos: readonly unknown[] } } | null;
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
            Link di avvio per {v.launch.name}, valido fino al {italianDateTime(v.launch.expiresAt)}. Lo copi e lo consegni all’iscritto: è personale.
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
        <h2 id="pacchetto">Pacchetto SCORM</h2>
        {pkg ? (
          <p>
            Pacchetto attuale: «{pkg.manifest.title}», SCORM {pkg.version}, {pkg.manifest.scos.length} unità didattiche, caricato il{' '}
            {italianDateTime(new Date(pkg.uploadedAt))} (versione {pkg.revision}).
          </p>
        ) : (
          <p>Nessun pacchetto caricato.</p>
        )}
        {v.organiser && v.total === 0 ? (
          <form method="post" action={`${base}/pacchetto`} enctype="multipart/form-data" data-upload>
            <label for="file">{pkg ? 'Sostituisci il pacchetto (file .zip)' : 'Pacchetto SCORM 1.2 o 2004 (file .zip)'}</label>
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

      {v.compliance ? (
        <section aria-labelledby="conformita">
          <h2 id="conformita">Verifica di conformità</h2>
          <div class={v.compliance.compliant ? 'ok' : 'warn'} role="status">
            <p>{v.compliance.compliant ? 'Il corso rispetta tutti i requisiti verificabili.' : 'Alcuni requisiti non sono rispettati: li trova qui sotto.'}</p>
          </div>
          {v.compliance.validity ? (
            <p>
              Accreditamento valido dal {italianDateTime(new Date(v.compliance.validity.from))} al {italianDateTime(new Date(v.compliance.validity.until))}.
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
                    <td lang="en">{ch.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ) : null}

      <section aria-labelledby="iscritti">
        <h2 id="iscritti">Iscritti al corso ({v.total})</h2>
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
        <nav class="pager" aria-label="Pagine degli iscritti">
          {v.offset > 0 ? <a href={`${base}?da=${Math.max(0, v.offset - ENROLMENTS_PER_PAGE)}#iscritti`}>Pagina precedente</a> : null}
          {v.offset + v.enrolments.length < v.total ? <a href={`${base}?da=${v.offset + ENROLMENTS_PER_PAGE}#iscritti`}>Pagina successiva</a> : null}
        </nav>
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
