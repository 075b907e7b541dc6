/**
 * @module Reduction requests in the council's console (issue 15, first part): each open request
 * with the calculator's amount, its documents and its timeline, and only the steps the procedure
 * allows from where it stands (R-RED-7: protocol, pre-denial with its days to integrate,
 * decision). The appeal is the member's, to the CN.
 */
import { REDUCTION_TRANSITIONS, type ReductionState } from '../../domain/reduction.ts';
import type { ReductionRow } from '../../store/member-requests.ts';
import { italianDate, italianDateTime, withArticle } from '../format.ts';
import { CAUSE_LABELS, labelOf, REDUCTION_STATUS_LABELS, REDUCTION_STEP_LABELS } from '../labels.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { ErrorSummary, type FormProblem, Notice } from './signin-pages.tsx';

export interface ReductionsView {
  requests: readonly (ReductionRow & { name: string; codiceFiscale: string; balance: string })[];
  notice?: string | null;
  problems?: readonly FormProblem[];
}

const day = (iso: string | null) => (iso ? italianDate(new Date(`${iso}T12:00:00Z`)) : '—');

export function reductionsPage(person: ConsolePerson, v: ReductionsView) {
  return consolePage(
    person,
    '/console/riduzioni',
    'Riduzioni',
    <>
      <h1>Richieste di riduzione dell’obbligo</h1>
      <Notice text={v.notice} />
      <ErrorSummary problems={v.problems ?? []} />
      {v.requests.length === 0 ? <p>Nessuna richiesta aperta.</p> : null}
      {v.requests.map((r) => {
        const can = REDUCTION_TRANSITIONS[r.status as ReductionState] ?? {};
        const base = `/console/riduzioni/${r.id}`;
        const amount = r.computed as { reduction?: number; deontology?: number };
        return (
          <article class="card" aria-labelledby={`r-${r.id}`}>
            <h2 id={`r-${r.id}`}>
              {r.name} · {r.codiceFiscale}
            </h2>
            <dl>
              <dt>Causa</dt>
              <dd>{labelOf(CAUSE_LABELS, r.cause)}</dd>
              <dt>Biennio</dt>
              <dd>
                {r.biennium}–{r.biennium + 1}
              </dd>
              <dt>Riduzione calcolata</dt>
              <dd>
                {amount.reduction ?? '—'} crediti{amount.deontology !== undefined ? `, di cui ${amount.deontology} di deontologia` : ''}
              </dd>
              <dt>Presentata</dt>
              <dd>{day(r.filedOn)}</dd>
              <dt>Stato</dt>
              <dd>
                {labelOf(REDUCTION_STATUS_LABELS, r.status)}
                {r.protocolNumber ? ` · protocollo ${r.protocolNumber}` : ''}
                {r.integrationDeadline && r.status === 'pre-denied' ? ` · integrazione entro ${withArticle('il', day(r.integrationDeadline))}` : ''}
                {r.decisionDeadline ? ` · decisione entro ${withArticle('il', day(r.decisionDeadline))}` : ''}
              </dd>
              <dt>Situazione dell’iscritto</dt>
              <dd>{r.balance}</dd>
            </dl>
            {r.documents.length ? (
              <ul>
                {r.documents.map((d) => (
                  <li>
                    <a href={`${base}/documenti/${d.id}`}>{d.name}</a>
                  </li>
                ))}
              </ul>
            ) : null}
            <details>
              <summary>Passaggi</summary>
              <ol>
                {r.steps.map((s) => (
                  <li>
                    {italianDateTime(new Date(s.at))}: {labelOf(REDUCTION_STEP_LABELS, s.action)}
                  </li>
                ))}
              </ol>
            </details>
            {can.acknowledge ? (
              <form method="post" action={`${base}/protocollo`}>
                <label for={`protocol-${r.id}`}>Numero di protocollo</label>
                <input type="text" id={`protocol-${r.id}`} name="protocolNumber" required autocomplete="off" />
                <label for={`officer-${r.id}`}>Responsabile del procedimento</label>
                <input type="text" id={`officer-${r.id}`} name="officer" required autocomplete="off" value={person.displayName} />
                <p>
                  <button type="submit">Protocolla</button>
                </p>
              </form>
            ) : null}
            {can['pre-deny'] ? (
              <form method="post" action={`${base}/preavviso`}>
                <label for={`reasons-pre-${r.id}`}>Motivi del preavviso di rigetto</label>
                <textarea id={`reasons-pre-${r.id}`} name="reasons" required></textarea>
                <p>
                  <button type="submit" class="secondary">
                    Invia il preavviso di rigetto
                  </button>
                </p>
              </form>
            ) : null}
            {can.approve || can.deny ? (
              <form method="post" action={`${base}/decisione`}>
                <fieldset>
                  <legend>Decisione</legend>
                  {can.approve ? (
                    <div class="opt">
                      <input type="radio" id={`approve-${r.id}`} name="decision" value="approve" required />
                      <label for={`approve-${r.id}`}>Accogliere (con la riduzione calcolata)</label>
                    </div>
                  ) : null}
                  <div class="opt">
                    <input type="radio" id={`deny-${r.id}`} name="decision" value="deny" />
                    <label for={`deny-${r.id}`}>Respingere</label>
                  </div>
                </fieldset>
                <label for={`reasons-${r.id}`}>Motivi (obbligatori se si respinge)</label>
                <textarea id={`reasons-${r.id}`} name="reasons"></textarea>
                <p>
                  <button type="submit">Registra la decisione</button>
                </p>
              </form>
            ) : null}
          </article>
        );
      })}
    </>,
  );
}
