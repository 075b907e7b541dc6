/**
 * @module The province's policy in the council's console (issue 15, first part): the profile in
 * force (national, RC, BA: R-POL-1) with its parameters in words, its dated and attributed
 * history, and the form to pick another profile with a reason.
 */
import type { PolicyVersion } from '../../store/policy.ts';
import { italianDateTime } from '../format.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { ProvinceSelect, provinceName, StackTable } from './controls.tsx';
import { ErrorSummary, type FormProblem, Notice } from './signin-pages.tsx';

const PROFILE_WORDS: Readonly<Record<string, string>> = {
  national: 'Nazionale (regolamento e linee guida del CNO)',
  RC: 'Reggio Calabria (vademecum del CPO)',
  BA: 'Bari (vademecum del CPO)',
};

export interface PolicyView {
  province: string;
  current: PolicyVersion;
  history: readonly (PolicyVersion & { by: string })[];
  choosesProvince: boolean;
  notice?: string | null;
  problems?: readonly FormProblem[];
}

export function policyPage(person: ConsolePerson, v: PolicyView) {
  const p = v.current.policy;
  const rows: [string, string][] = [
    ['Tolleranza ordinaria', `${p.toleranceDefaultMinutes} minuti (al massimo ${p.toleranceMaxMinutes})`],
    ['Quota a distanza senza deroghe', `${p.distancePct}%`],
    ['Debito massimo recuperabile', `${p.debtMaximumDefault} crediti`],
    ['Tetto delle riduzioni di un biennio', `${p.reductionCeiling} crediti`],
    ['Giorni per decidere una riduzione', String(p.decisionDays)],
    ['Giorni per integrare dopo il preavviso di rigetto', String(p.preDenialDays)],
    ['Giorni per il ricorso al CN', String(p.appealDays)],
  ];
  return consolePage(
    person,
    '/console/regole',
    'Regole della provincia',
    <>
      <h1>Regole della provincia di {provinceName(v.province)}</h1>
      <Notice text={v.notice} />
      <ErrorSummary problems={v.problems ?? []} />
      {v.choosesProvince ? (
        <form method="get" action="/console/regole" class="card">
          <ProvinceSelect value={v.province} />
          <p>
            <button type="submit">Mostra</button>
          </p>
        </form>
      ) : null}
      <section class="card" aria-labelledby="in-vigore">
        <h2 id="in-vigore">Profilo in vigore: {PROFILE_WORDS[v.current.profile] ?? v.current.profile}</h2>
        <dl>
          {rows.map(([k, val]) => (
            <>
              <dt>{k}</dt>
              <dd>{val}</dd>
            </>
          ))}
        </dl>
        {Object.keys(v.current.overrides).length ? <p class="hint">Con parametri particolari impostati tramite l’API.</p> : null}
      </section>
      {person.role === 'cpo' ? (
        <section class="card" aria-labelledby="cambia">
          <h2 id="cambia">Cambia profilo</h2>
          <form method="post" action="/console/regole">
            <fieldset>
              <legend>Profilo</legend>
              {Object.entries(PROFILE_WORDS).map(([k, label]) => (
                <div class="opt">
                  <input type="radio" id={`profile-${k}`} name="profile" value={k} checked={k === v.current.profile} />
                  <label for={`profile-${k}`}>{label}</label>
                </div>
              ))}
            </fieldset>
            <label for="reason">Motivo (per esempio la delibera)</label>
            <input type="text" id="reason" name="reason" required autocomplete="off" />
            <p>
              <button type="submit">Applica il profilo</button>
            </p>
          </form>
          <p class="hint">Il cambio vale da ora e ricalcola le situazioni degli iscritti; la storia resta qui sotto.</p>
        </section>
      ) : null}
      <section aria-labelledby="storia">
        <h2 id="storia">Storia</h2>
        {v.history.length === 0 ? (
          <p>Nessun cambio registrato: vale il profilo nazionale.</p>
        ) : (
          <StackTable
            rows={v.history}
            columns={[
              { label: 'Quando', cell: (h) => (h.changedAt ? italianDateTime(new Date(h.changedAt)) : '—') },
              { label: 'Profilo', cell: (h) => PROFILE_WORDS[h.profile] ?? h.profile },
              { label: 'Motivo', cell: (h) => h.reason ?? '—' },
              { label: 'Chi', cell: (h) => h.by },
            ]}
          />
        )}
      </section>
    </>,
  );
}
