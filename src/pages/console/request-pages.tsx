/**
 * @module Members' requests in the council's console (issue 15, first part): art. 9 declarations
 * (R-ART9-3) with their attestation, and debt recovery requests (R-DEBT-2), each decided in the
 * page; a rejection states its reason. The member's balance stands beside each request.
 */
import { italianDate, italianDateTime, withArticle } from '../format.ts';
import { ART9_STATUS_LABELS, DEBT_REQUEST_STATUS_LABELS, labelOf } from '../labels.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { DecisionForm } from './controls.tsx';
import { ErrorSummary, type FormProblem, Notice } from './signin-pages.tsx';

interface Who {
  name: string;
  codiceFiscale: string;
  /** The member's balance of the request's biennium, in words. */
  balance: string;
}

export interface RequestsView {
  art9: readonly ({
    id: string;
    activity: string;
    quantity: number;
    activityDate: string;
    description: string;
    filedAt: string;
    status: string;
    document: { name: string };
  } & Who)[];
  debts: readonly ({ id: string; biennium: number; total: number; deontology: number; filedOn: string; status: string } & Who)[];
  notice?: string | null;
  problems?: readonly FormProblem[];
}

const REASON = { name: 'reason', label: 'Motivo (obbligatorio se si respinge)', required: false } as const;

export function requestsPage(person: ConsolePerson, v: RequestsView) {
  return consolePage(
    person,
    '/console/richieste',
    'Richieste degli iscritti',
    <>
      <h1>Richieste degli iscritti</h1>
      <Notice text={v.notice} />
      <ErrorSummary problems={v.problems ?? []} />
      <section aria-labelledby="art9">
        <h2 id="art9">Attività dell’art. 9 da convalidare ({v.art9.length})</h2>
        {v.art9.length === 0 ? <p>Nessuna dichiarazione in attesa.</p> : null}
        {v.art9.map((a) => (
          <article class="card" aria-labelledby={`a9-${a.id}`}>
            <h3 id={`a9-${a.id}`}>
              {a.name} · {a.codiceFiscale}
            </h3>
            <dl>
              <dt>Attività</dt>
              <dd>
                {a.activity} ({a.quantity}), {withArticle('del', italianDate(new Date(`${a.activityDate}T12:00:00Z`)))}
              </dd>
              <dt>Descrizione</dt>
              <dd>{a.description}</dd>
              <dt>Presentata</dt>
              <dd>{italianDateTime(new Date(a.filedAt))}</dd>
              <dt>Stato</dt>
              <dd>{labelOf(ART9_STATUS_LABELS, a.status)}</dd>
              <dt>Situazione dell’iscritto</dt>
              <dd>{a.balance}</dd>
            </dl>
            <p>
              <a href={`/console/richieste/art9/${a.id}/attestato`}>Apri l’attestato ({a.document.name})</a>
            </p>
            <DecisionForm
              action={`/console/richieste/art9/${a.id}`}
              id={a.id}
              yes={{ value: 'validate', label: 'Convalidare' }}
              no={{ value: 'reject', label: 'Respingere' }}
              text={REASON}
            />
          </article>
        ))}
      </section>
      <section aria-labelledby="debiti">
        <h2 id="debiti">Richieste di recupero del debito ({v.debts.length})</h2>
        {v.debts.length === 0 ? <p>Nessuna richiesta in attesa.</p> : null}
        {v.debts.map((d) => (
          <article class="card" aria-labelledby={`d-${d.id}`}>
            <h3 id={`d-${d.id}`}>
              {d.name} · {d.codiceFiscale}
            </h3>
            <dl>
              <dt>Biennio</dt>
              <dd>
                {d.biennium}–{d.biennium + 1}
              </dd>
              <dt>Crediti da recuperare</dt>
              <dd>
                {d.total}, di cui {d.deontology} di deontologia
              </dd>
              <dt>Presentata</dt>
              <dd>{italianDate(new Date(`${d.filedOn}T12:00:00Z`))}</dd>
              <dt>Stato</dt>
              <dd>{labelOf(DEBT_REQUEST_STATUS_LABELS, d.status)}</dd>
              <dt>Situazione dell’iscritto</dt>
              <dd>{d.balance}</dd>
            </dl>
            <DecisionForm
              action={`/console/richieste/debito/${d.id}`}
              id={d.id}
              yes={{ value: 'accept', label: 'Accogliere' }}
              no={{ value: 'reject', label: 'Respingere' }}
              text={REASON}
            />
          </article>
        ))}
      </section>
    </>,
  );
}
