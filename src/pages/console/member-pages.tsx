/**
 * @module The province's members in the council's console (issue 15, first part): balances of
 * the biennium with a status filter, a search by codice fiscale, and the dashboard link to hand to
 * a member (30 days). The CN chooses the province.
 */
import { PROVINCES } from '../../domain/provinces.ts';
import { italianDateTime } from '../format.ts';
import { BALANCE_STATUS_LABELS } from '../labels.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { ErrorSummary, type FormProblem } from './signin-pages.tsx';

export interface MemberRow {
  memberId: string;
  surname: string;
  givenName: string;
  obligation: { total: number; deontology: number };
  counted: { total: number; deontology: number; distance: number };
  missing: { total: number; deontology: number };
  /** The share of distance credits allowed (R-FAD-2, R-FAD-3). */
  distancePct: number;
  status: keyof typeof BALANCE_STATUS_LABELS;
}

export interface MembersView {
  province: string | null;
  biennium: number;
  status: string;
  cf: string;
  rows: readonly MemberRow[];
  next: string | null;
  /** A dashboard link just asked for. */
  link?: { name: string; url: string; expiresAt: Date } | null;
  problems?: readonly FormProblem[];
  /** Whether the person may choose the province (the CN). */
  choosesProvince: boolean;
}

export function membersPage(person: ConsolePerson, v: MembersView) {
  const q = (extra: Record<string, string>) => {
    const p = new URLSearchParams({
      ...(v.province ? { provincia: v.province } : {}),
      biennio: String(v.biennium),
      ...(v.status ? { stato: v.status } : {}),
      ...extra,
    });
    return `/console/iscritti?${p}`;
  };
  return consolePage(
    person,
    '/console/iscritti',
    'Iscritti',
    <>
      <h1>
        Iscritti {v.province ? `della provincia di ${PROVINCES.find((p) => p.code === v.province)?.name ?? v.province}` : ''} · biennio {v.biennium}–
        {v.biennium + 1}
      </h1>
      <ErrorSummary problems={v.problems ?? []} />
      {v.link ? (
        <div class="warn" role="status">
          <p>
            Link personale al cruscotto di {v.link.name} (vale fino al {italianDateTime(v.link.expiresAt)}): lo consegni solo all’iscritto.
          </p>
          <p>
            <code>{v.link.url}</code>
          </p>
        </div>
      ) : null}
      <form method="get" action="/console/iscritti" class="card">
        {v.choosesProvince ? (
          <>
            <label for="provincia">Provincia</label>
            <select id="provincia" name="provincia">
              {PROVINCES.map((p) => (
                <option value={p.code} selected={p.code === v.province}>
                  {p.name} ({p.code})
                </option>
              ))}
            </select>
          </>
        ) : null}
        <label for="biennio">Biennio (anno di inizio)</label>
        <input type="number" id="biennio" name="biennio" value={String(v.biennium)} min="2000" max="2100" />
        <label for="stato">Situazione</label>
        <select id="stato" name="stato">
          <option value="">Tutte</option>
          {Object.entries(BALANCE_STATUS_LABELS).map(([k, label]) => (
            <option value={k} selected={v.status === k}>
              {label}
            </option>
          ))}
        </select>
        <label for="cf">Codice fiscale (per cercare un iscritto)</label>
        <input type="text" id="cf" name="cf" value={v.cf} autocomplete="off" />
        <p>
          <button type="submit">Mostra</button>
        </p>
      </form>
      {v.rows.length === 0 ? (
        <p>Nessun iscritto corrisponde.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Iscritto</th>
                <th scope="col">Crediti contati</th>
                <th scope="col">Di cui deontologia</th>
                <th scope="col">Mancano</th>
                <th scope="col">Di cui a distanza</th>
                <th scope="col">Situazione</th>
                <th scope="col">Cruscotto</th>
              </tr>
            </thead>
            <tbody>
              {v.rows.map((r) => (
                <tr>
                  <td>
                    {r.surname} {r.givenName}
                  </td>
                  <td>
                    {r.counted.total} di {r.obligation.total}
                  </td>
                  <td>
                    {r.counted.deontology} di {r.obligation.deontology}
                  </td>
                  <td>
                    {r.missing.total} ({r.missing.deontology} di deontologia)
                  </td>
                  <td>
                    {r.counted.distance} (al massimo il {r.distancePct}%)
                  </td>
                  <td>{BALANCE_STATUS_LABELS[r.status] ?? r.status}</td>
                  <td>
                    <form
                      method="post"
                      action={`/console/iscritti/${r.memberId}/cruscotto?${new URLSearchParams({ biennio: String(v.biennium), ...(v.province ? { provincia: v.province } : {}) })}`}
                    >
                      <button type="submit" class="secondary">
                        Link al cruscotto
                      </button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {v.next ? (
        <nav class="pager" aria-label="Pagine degli iscritti">
          <a href={q({ dopo: v.next })}>Pagina successiva</a>
        </nav>
      ) : null}
    </>,
  );
}
