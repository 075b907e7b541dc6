/**
 * @module The province's members in the council's console (issue 15, first part): balances of
 * the biennium with a status filter, a search by codice fiscale, and the dashboard link to hand to
 * a member (30 days); once the biennium is verified, each member's compliance certificate (R-DOC-8).
 * The CN chooses the province.
 */
import { IN_ORDER, type VerificationStatus } from '../../domain/verification.ts';
import { italianDateTime, withArticle } from '../format.ts';
import { BALANCE_STATUS_LABELS } from '../labels.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { ProvinceSelect, provinceName, StackTable } from './controls.tsx';
import { ErrorSummary, type FormProblem } from './signin-pages.tsx';
import { VERIFICATION_STATUS_LABELS } from './verification-pages.tsx';

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
  /** The members' statuses in the biennium's verification (R-VER-7), when it has run: who gets a certificate. */
  certificates?: { verified: boolean; statuses: ReadonlyMap<string, VerificationStatus> };
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
        Iscritti {v.province ? `della provincia di ${provinceName(v.province)}` : ''} · biennio {v.biennium}–{v.biennium + 1}
      </h1>
      <ErrorSummary problems={v.problems ?? []} />
      {v.link ? (
        <div class="warn" role="status">
          <p>
            Link personale al cruscotto di {v.link.name} (vale fino {withArticle('al', italianDateTime(v.link.expiresAt))}): lo consegni solo all’iscritto.
          </p>
          <p>
            <code>{v.link.url}</code>
          </p>
        </div>
      ) : null}
      <form method="get" action="/console/iscritti" class="card">
        {v.choosesProvince ? <ProvinceSelect value={v.province} /> : null}
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
        <StackTable
          rows={v.rows}
          columns={[
            { label: 'Iscritto', cell: (r) => `${r.surname} ${r.givenName}` },
            { label: 'Crediti contati', cell: (r) => `${r.counted.total} di ${r.obligation.total}` },
            { label: 'Di cui deontologia', cell: (r) => `${r.counted.deontology} di ${r.obligation.deontology}` },
            { label: 'Mancano', cell: (r) => `${r.missing.total} (${r.missing.deontology} di deontologia)` },
            { label: 'Di cui a distanza', cell: (r) => `${r.counted.distance} (al massimo il ${r.distancePct}%)` },
            { label: 'Situazione', cell: (r) => BALANCE_STATUS_LABELS[r.status] ?? r.status },
            ...(v.certificates?.verified
              ? [
                  {
                    label: 'Certificato',
                    cell: (r: MemberRow) => {
                      const s = v.certificates!.statuses.get(r.memberId);
                      if (!s) return 'Non compreso nella verifica';
                      if (!IN_ORDER.includes(s)) return `Non rilasciabile: ${VERIFICATION_STATUS_LABELS[s]}`;
                      return (
                        <a href={`/console/iscritti/${r.memberId}/certificato?biennio=${v.biennium}`} download>
                          Scarica il certificato
                        </a>
                      );
                    },
                  },
                ]
              : []),
            {
              label: 'Cruscotto',
              cell: (r) => (
                <form
                  method="post"
                  action={`/console/iscritti/${r.memberId}/cruscotto?${new URLSearchParams({ biennio: String(v.biennium), ...(v.province ? { provincia: v.province } : {}) })}`}
                >
                  <button type="submit" class="secondary">
                    Link al cruscotto
                  </button>
                </form>
              ),
            },
          ]}
        />
      )}
      {v.next ? (
        <nav class="pager" aria-label="Pagine degli iscritti">
          <a href={q({ dopo: v.next })}>Pagina successiva</a>
        </nav>
      ) : null}
    </>,
  );
}
