/**
 * @module The verification after the biennium in the council's console (issue 15): run the
 * February or June phase (R-VER-1), see whether anything changed since the last version, the
 * aggregates (R-VER-7), each member's status (R-VER-4) a page at a time, and the CSV export.
 */
import type { VerificationStatus } from '../../domain/verification.ts';
import type { NamedVerificationRow, SnapshotSummary } from '../../services/council/verification.ts';
import { italianDateTime } from '../format.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { ProvinceSelect, provinceName, StackTable } from './controls.tsx';
import { ErrorSummary, type FormProblem } from './signin-pages.tsx';

export const VERIFICATION_STATUS_LABELS: Readonly<Record<VerificationStatus, string>> = {
  compliant: 'In regola',
  reduced: 'In regola con riduzione',
  'new-member': 'In regola (nuovo iscritto)',
  'not-due': 'Obbligo non ancora iniziato',
  short: 'Non in regola',
  'debt-accepted': 'Debito accolto, da recuperare entro il 30 giugno',
  'debt-settled': 'In regola: debito recuperato',
  'debt-not-settled': 'Non in regola: debito non recuperato',
};

export interface VerificationView {
  province: string;
  biennium: number;
  phase: 'february' | 'june';
  snapshot: SnapshotSummary | null;
  rows: readonly NamedVerificationRow[];
  next: string | null;
  choosesProvince: boolean;
  notice?: string | null;
  problems?: readonly FormProblem[];
}

export function verificationPage(person: ConsolePerson, v: VerificationView) {
  const q = new URLSearchParams({ provincia: v.province, biennio: String(v.biennium), fase: v.phase });
  const a = v.snapshot?.aggregates;
  return consolePage(
    person,
    '/console/verifiche',
    'Verifica del biennio',
    <>
      <h1>
        Verifica del biennio {v.biennium}–{v.biennium + 1} · {provinceName(v.province)}
      </h1>
      {v.notice ? (
        <div class="ok" role="status">
          {v.notice}
        </div>
      ) : null}
      <ErrorSummary problems={v.problems ?? []} />
      <form method="get" action="/console/verifiche" class="card">
        {v.choosesProvince ? <ProvinceSelect value={v.province} /> : null}
        <label for="biennio">Biennio (anno di inizio, dispari)</label>
        <input type="number" id="biennio" name="biennio" value={String(v.biennium)} step="2" />
        <label for="fase">Fase</label>
        <select id="fase" name="fase">
          <option value="february" selected={v.phase === 'february'}>
            Al 28 febbraio
          </option>
          <option value="june" selected={v.phase === 'june'}>
            Al 30 giugno (debiti)
          </option>
        </select>
        <p>
          <button type="submit" class="secondary">
            Mostra
          </button>
        </p>
      </form>
      <form method="post" action={`/console/verifiche?${q}`}>
        <p>
          <button type="submit">Esegui la verifica</button>
        </p>
        <p class="hint">Se nulla è cambiato dall’ultima esecuzione, non si crea una nuova versione.</p>
      </form>
      <p>
        Dopo la verifica:{' '}
        <a href={`/console/verifiche/deferimenti?${new URLSearchParams({ provincia: v.province, biennio: String(v.biennium) })}`}>
          deferimenti al Consiglio di disciplina
        </a>{' '}
        (art. 28, comma 2), con le lettere da inviare.
      </p>
      {v.snapshot && a ? (
        <>
          <section class="card" aria-labelledby="esito">
            <h2 id="esito">
              Versione {v.snapshot.version}, al {italianDateTime(new Date(v.snapshot.asOf))}
            </h2>
            <p>
              Eseguita il {italianDateTime(new Date(v.snapshot.createdAt))}. Iscritti: {a.members}; soggetti all’obbligo: {a.subject}; in regola: {a.inOrder} (
              {a.inOrderPct.toLocaleString('it-IT')}%).
            </p>
            <p>
              <a href={`/console/verifiche/esporta.csv?${q}`}>Scarica l’elenco (CSV)</a>
            </p>
          </section>
          <StackTable
            rows={v.rows}
            columns={[
              { label: 'Iscritto', cell: (r) => `${r.surname} ${r.givenName} (${r.codiceFiscale})` },
              { label: 'Situazione', cell: (r) => VERIFICATION_STATUS_LABELS[r.status] },
              {
                label: 'Crediti',
                cell: (r) => `${r.credits.total} di ${r.obligation.total} (${r.credits.deontology} di ${r.obligation.deontology} di deontologia)`,
              },
              { label: 'Mancano', cell: (r) => (r.missing.total ? `${r.missing.total} (${r.missing.deontology} di deontologia)` : '—') },
            ]}
          />
          {v.next ? (
            <nav class="pager" aria-label="Pagine della verifica">
              <a href={`/console/verifiche?${q}&dopo=${v.next}`}>Pagina successiva</a>
            </nav>
          ) : null}
        </>
      ) : (
        <p>La verifica di questa fase non è ancora stata eseguita.</p>
      )}
    </>,
  );
}
