/**
 * @module Distance-learning grants in the council's console (issue 15, first part): the grants of
 * the province (the CN: all) with their ground, share, deliberation and validity; a new grant (a
 * province-wide one of a CPO needs the CN's opinion, R-FAD-3); revoking one with a reason; and for
 * the CN, the alerts that CPO grants raise.
 */
import { GRANT_GROUNDS } from '../../domain/grants.ts';
import { italianDate, italianDateTime, withArticle } from '../format.ts';
import { GRANT_SCOPE_LABELS, labelOf } from '../labels.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { ErrorSummary, type FormProblem, Notice } from './signin-pages.tsx';

export const GROUND_LABELS: Readonly<Record<keyof typeof GRANT_GROUNDS, string>> = {
  request: 'Richiesta motivata dell’iscritto',
  parenthood: 'Figlio di età inferiore a un anno (60%)',
  employment: 'Lavoro dipendente: il datore di lavoro impedisce la presenza',
  geography: 'Gruppo di iscritti della provincia, per un periodo',
  province: 'Tutti gli iscritti della provincia (con il parere del CN)',
  national: 'Tutti gli iscritti, a livello nazionale (delibera del CN)',
};

export interface GrantsView {
  grants: readonly {
    id: string;
    scope: string;
    ground: string;
    province: string | null;
    pct: number;
    deliberation: string;
    cnOpinion: string | null;
    validFrom: string;
    validUntil: string;
    members: number;
    grantedAt: string;
    revokedAt: string | null;
    by: string;
  }[];
  alerts: readonly { id: number; kind: string; province: string | null; createdAt: string }[] | null;
  values?: Record<string, string>;
  notice?: string | null;
  problems?: readonly FormProblem[];
}

const day = (iso: string) => italianDate(new Date(`${iso}T12:00:00Z`));

export function grantsPage(person: ConsolePerson, v: GrantsView) {
  const val = v.values ?? {};
  return consolePage(
    person,
    '/console/deroghe',
    'Deroghe alla formazione a distanza',
    <>
      <h1>Deroghe alla quota di formazione a distanza</h1>
      <Notice text={v.notice} />
      <ErrorSummary problems={v.problems ?? []} />
      {v.alerts ? (
        <section class="card" aria-labelledby="avvisi">
          <h2 id="avvisi">Avvisi dai Consigli provinciali ({v.alerts.length})</h2>
          {v.alerts.length === 0 ? <p>Nessun avviso da vedere.</p> : null}
          <ul>
            {v.alerts.map((a) => (
              <li>
                {italianDateTime(new Date(a.createdAt))}: deroga concessa {a.province ? `dal CPO di ${a.province}` : ''}
                <form method="post" action={`/console/deroghe/avvisi/${a.id}`}>
                  <button type="submit" class="secondary">
                    Segna come visto
                  </button>
                </form>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section class="card" aria-labelledby="nuova">
        <h2 id="nuova">Nuova deroga</h2>
        <form method="post" action="/console/deroghe">
          <label for="ground">Motivo</label>
          <select id="ground" name="ground">
            {Object.entries(GROUND_LABELS)
              .filter(([k]) => person.role === 'cn' || k !== 'national')
              .map(([k, label]) => (
                <option value={k} selected={val.ground === k}>
                  {label}
                </option>
              ))}
          </select>
          <label for="pct">Quota a distanza ammessa (%)</label>
          <input type="number" id="pct" name="pct" min="1" max="100" value={val.pct ?? ''} required />
          <label for="cf">Codici fiscali degli iscritti (uno per riga; per le deroghe personali o di gruppo)</label>
          <textarea id="cf" name="cf">
            {val.cf ?? ''}
          </textarea>
          {person.role === 'cn' ? (
            <>
              <label for="province">Provincia (per le deroghe di tutta la provincia)</label>
              <input type="text" id="province" name="province" value={val.province ?? ''} maxlength={2} autocomplete="off" />
            </>
          ) : null}
          <label for="deliberation">Delibera</label>
          <input type="text" id="deliberation" name="deliberation" value={val.deliberation ?? ''} required autocomplete="off" />
          <label for="cnOpinion">Parere del Consiglio Nazionale (obbligatorio per tutta la provincia)</label>
          <input type="text" id="cnOpinion" name="cnOpinion" value={val.cnOpinion ?? ''} autocomplete="off" />
          <label for="validFrom">Valida dal</label>
          <input type="date" id="validFrom" name="validFrom" value={val.validFrom ?? ''} required />
          <label for="validUntil">Valida fino al</label>
          <input type="date" id="validUntil" name="validUntil" value={val.validUntil ?? ''} required />
          <p>
            <button type="submit">Concedi la deroga</button>
          </p>
        </form>
      </section>
      <h2>Deroghe concesse</h2>
      {v.grants.length === 0 ? (
        <p>Nessuna deroga.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Deroga</th>
                <th scope="col">Quota</th>
                <th scope="col">Validità</th>
                <th scope="col">Delibera</th>
                <th scope="col">Chi</th>
                <th scope="col">Stato</th>
              </tr>
            </thead>
            <tbody>
              {v.grants.map((g) => (
                <tr>
                  <td>
                    {labelOf(GROUND_LABELS, g.ground)}, {labelOf(GRANT_SCOPE_LABELS, g.scope)}
                    {g.members ? ` (${g.members} iscritti)` : ''}
                    {g.province ? ` · ${g.province}` : ''}
                  </td>
                  <td>{g.pct}%</td>
                  <td>
                    {day(g.validFrom)} – {day(g.validUntil)}
                  </td>
                  <td>
                    {g.deliberation}
                    {g.cnOpinion ? ` · parere CN ${g.cnOpinion}` : ''}
                  </td>
                  <td>{g.by}</td>
                  <td>
                    {g.revokedAt ? (
                      `Revocata ${withArticle('il', italianDateTime(new Date(g.revokedAt)))}`
                    ) : (
                      <form method="post" action={`/console/deroghe/${g.id}/revoca`}>
                        <label for={`reason-${g.id}`}>Motivo della revoca</label>
                        <input type="text" id={`reason-${g.id}`} name="reason" required autocomplete="off" />
                        <button type="submit" class="secondary">
                          Revoca
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>,
  );
}
