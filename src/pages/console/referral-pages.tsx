/**
 * @module Referrals to the discipline council in the council's console (issue 15, art. 28 c.2,
 * R-VER-8, R-VER-9), reached from the verification page: the list of a biennium with each
 * member's situation and the referral's state in words, preparing it from the latest verification,
 * the letters (one PDF, or a zip of all), and one referral's page with its history and the forms
 * to mark it sent and record the reply. No script.
 */
import type { NotReferredReason, ReferralState } from '../../domain/referrals.ts';
import type { ReferralList, ReferralView } from '../../services/council/referrals.ts';
import type { HistoryEntry } from '../../store/referrals.ts';
import { italianDate, italianDateTime, withArticle } from '../format.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { ProvinceSelect, provinceName, StackTable } from './controls.tsx';
import { TextareaField } from './form-controls.tsx';
import { ErrorSummary, Field, type FormProblem, Notice } from './signin-pages.tsx';
import { VERIFICATION_STATUS_LABELS } from './verification-pages.tsx';

/** Console pages are under the verification's path, so its menu item stays marked. */
export const REFERRALS_PATH = '/console/verifiche/deferimenti';

export const REFERRAL_STATE_LABELS: Readonly<Record<ReferralState, string>> = {
  prepared: 'Da inviare',
  sent: 'Inviata',
  answered: 'Risposta ricevuta',
  withdrawn: 'Ritirata',
};

const REASON_LABELS: Readonly<Record<NotReferredReason, string>> = {
  'in-order': 'risulta in regola',
  'not-due': 'l’obbligo non era ancora iniziato',
  'debt-recovery-open': 'è stato ammesso al recupero del debito (fino al 30 giugno)',
  'debt-request-pending': 'ha una richiesta di recupero del debito da decidere',
  'not-in-verification': 'non è più nella verifica della provincia',
};

const STEP_LABELS: Readonly<Record<HistoryEntry['action'], string>> = {
  prepared: 'Preparata',
  refreshed: 'Aggiornata su una versione più recente della verifica',
  withdrawn: 'Ritirata prima dell’invio',
  sent: 'Segnata come inviata',
  answered: 'Risposta registrata',
  noted: 'Annotata: una verifica successiva non conferma la segnalazione',
  'note-cleared': 'Nota tolta: la verifica successiva conferma la segnalazione',
};

const day = (iso: string) => italianDate(new Date(`${iso}T12:00:00Z`));
const phaseWords = (phase: 'february' | 'june', version: number) => `${phase === 'june' ? 'al 30 giugno' : 'al 28 febbraio'}, versione ${version}`;

/** The note of a referral in words: why it was withdrawn, or what a later verification says. */
export function noteText(r: Pick<ReferralView, 'state' | 'note'>): string | null {
  if (!r.note) return null;
  const where = `nella verifica ${phaseWords(r.note.phase, r.note.version)}`;
  return r.state === 'withdrawn'
    ? `Ritirata: l’iscritto ${REASON_LABELS[r.note.reason]} ${where}.`
    : `Nota: l’iscritto ${REASON_LABELS[r.note.reason]} ${where}.`;
}

function stateText(r: ReferralView): string {
  if (r.state === 'sent' && r.sent)
    return `Inviata ${withArticle('il', day(r.sent.on))}${r.sent.protocolNumber ? `, protocollo ${r.sent.protocolNumber}` : ''}`;
  if (r.state === 'answered' && r.answered) return `Risposta ${withArticle('del', day(r.answered.on))}`;
  if (r.state === 'withdrawn' && r.withdrawnAt) return `Ritirata ${withArticle('il', italianDate(new Date(r.withdrawnAt)))}`;
  return REFERRAL_STATE_LABELS[r.state];
}

const creditsText = (r: Pick<ReferralView, 'credits' | 'obligation'>) =>
  `${r.credits.total} di ${r.obligation.total} (${r.credits.deontology} di ${r.obligation.deontology} di deontologia)`;

export interface ReferralsView {
  data: ReferralList;
  state: ReferralState | null;
  choosesProvince: boolean;
  /** Who prepared the list, in words. */
  preparedBy: string | null;
  /** Whether a list may be prepared now (28 February has passed). */
  open: boolean;
  notice?: string | null;
  problems?: readonly FormProblem[];
}

export function referralsPage(person: ConsolePerson, v: ReferralsView) {
  const d = v.data;
  const q = new URLSearchParams({ provincia: d.province, biennio: String(d.biennium) });
  const list = d.list;
  const feb = d.available.february;
  const june = d.available.june;
  const outdated = list !== null && (list.februaryVersion !== feb?.version || list.juneVersion !== (june?.version ?? null));
  return consolePage(
    person,
    REFERRALS_PATH,
    'Deferimenti',
    <>
      <p>
        <a href={`/console/verifiche?${q}`}>← Verifica del biennio</a>
      </p>
      <h1>
        Deferimenti al Consiglio di disciplina · biennio {d.biennium}–{d.biennium + 1} · {provinceName(d.province)}
      </h1>
      <Notice text={v.notice} />
      <ErrorSummary problems={v.problems ?? []} />
      <p class="hint">
        Art. 28, comma 2, del Regolamento: accertato il mancato rispetto degli obblighi formativi (art. 26, comma 3), il Consiglio Provinciale lo segnala al
        Consiglio di disciplina. Sono segnalati gli iscritti non in regola al 28 febbraio senza richiesta di recupero del debito, e quelli che non hanno
        recuperato il debito entro il 30 giugno; chi è in recupero resta in attesa della verifica di giugno.
      </p>
      <form method="get" action={REFERRALS_PATH} class="card">
        {v.choosesProvince ? <ProvinceSelect value={d.province} /> : null}
        <label for="biennio">Biennio (anno di inizio, dispari)</label>
        <input type="number" id="biennio" name="biennio" value={String(d.biennium)} step="2" />
        <label for="stato">Stato</label>
        <select id="stato" name="stato">
          <option value="" selected={v.state === null}>
            Tutti
          </option>
          {(Object.keys(REFERRAL_STATE_LABELS) as ReferralState[]).map((s) => (
            <option value={s} selected={v.state === s}>
              {REFERRAL_STATE_LABELS[s]}
            </option>
          ))}
        </select>
        <p>
          <button type="submit" class="secondary">
            Mostra
          </button>
        </p>
      </form>
      <section class="card" aria-labelledby="elenco">
        <h2 id="elenco">Elenco</h2>
        {list ? (
          <p>
            Preparato {withArticle('il', italianDateTime(new Date(list.preparedAt)))}
            {v.preparedBy ? ` da ${v.preparedBy}` : ''} sulla verifica {phaseWords('february', list.februaryVersion)}
            {list.juneVersion ? ` e sulla verifica ${phaseWords('june', list.juneVersion)}` : ''}. Da inviare: {d.counts.prepared}; inviate: {d.counts.sent};
            con risposta: {d.counts.answered}; ritirate: {d.counts.withdrawn}.
          </p>
        ) : (
          <p>L’elenco non è ancora stato preparato.</p>
        )}
        {list && (list.summary.held.debtRecovery || list.summary.held.debtRequest) ? (
          <p>
            In attesa, non ancora segnalati: {list.summary.held.debtRecovery} in recupero del debito fino al 30 giugno, {list.summary.held.debtRequest} con una
            richiesta di recupero da decidere.
          </p>
        ) : null}
        {outdated ? (
          <div class="warn" role="status">
            La verifica ha una versione più recente di quella su cui si basa l’elenco: lo prepari di nuovo prima di inviare altre segnalazioni.
          </div>
        ) : null}
        {person.role !== 'cpo' ? null : !feb ? (
          <p>Esegua prima la verifica di febbraio del biennio.</p>
        ) : !v.open ? (
          <p>L’elenco si prepara dopo {withArticle('il', italianDate(new Date(d.opensAfter)))}, quando le richieste di recupero del debito sono chiuse.</p>
        ) : (
          <form method="post" action={`${REFERRALS_PATH}?${q}`}>
            <input type="hidden" name="februaryVersion" value={String(feb.version)} />
            {june ? <input type="hidden" name="juneVersion" value={String(june.version)} /> : null}
            <p>
              <button type="submit">{list ? 'Aggiorna l’elenco' : 'Prepara l’elenco'}</button>
            </p>
            <p class="hint">
              Dalla verifica {phaseWords('february', feb.version)}
              {june ? ` e ${phaseWords('june', june.version)}` : ''}. Se nulla è cambiato non si crea nulla; le segnalazioni già inviate non cambiano.
            </p>
          </form>
        )}
        {d.counts.prepared + d.counts.sent + d.counts.answered > 0 ? (
          <p>
            <a href={`${REFERRALS_PATH}/lettere.zip?${q}`}>Scarica tutte le lettere (zip)</a>
            {d.counts.prepared ? (
              <>
                {' · '}
                <a href={`${REFERRALS_PATH}/lettere.zip?${q}&stato=prepared`}>solo quelle da inviare</a>
              </>
            ) : null}
          </p>
        ) : null}
      </section>
      {d.referrals.length ? (
        <StackTable
          rows={d.referrals}
          columns={[
            { label: 'N.', cell: (r) => r.number },
            {
              label: 'Iscritto',
              cell: (r) => <a href={`${REFERRALS_PATH}/${r.id}`}>{`${r.member.surname} ${r.member.givenName} (${r.member.codiceFiscale})`}</a>,
            },
            { label: 'Situazione', cell: (r) => VERIFICATION_STATUS_LABELS[r.status] },
            { label: 'Crediti', cell: creditsText },
            { label: 'Stato', cell: (r) => [stateText(r), noteText(r)].filter(Boolean).join('. ') },
            { label: 'Lettera', cell: (r) => (r.state === 'withdrawn' ? '—' : <a href={`${REFERRALS_PATH}/${r.id}/lettera.pdf`}>PDF</a>) },
          ]}
        />
      ) : list ? (
        <p>Nessuna segnalazione{v.state ? ' in questo stato' : ''}.</p>
      ) : null}
      {d.next !== null ? (
        <nav class="pager" aria-label="Pagine dell’elenco">
          <a href={`${REFERRALS_PATH}?${q}${v.state ? `&stato=${v.state}` : ''}&dopo=${d.next}`}>Pagina successiva</a>
        </nav>
      ) : null}
    </>,
  );
}

export interface ReferralPageView {
  referral: ReferralView & { history: HistoryEntry[] };
  /** Actor refs in words (a person's name, or "chiave API"). */
  names: ReadonlyMap<string, string>;
  today: string;
  values?: Record<string, string>;
  notice?: string | null;
  problems?: readonly FormProblem[];
}

export function referralPage(person: ConsolePerson, v: ReferralPageView) {
  const r = v.referral;
  const who = (ref: string) => v.names.get(ref) ?? 'chiave API';
  const base = `${REFERRALS_PATH}/${r.id}`;
  const back = new URLSearchParams({ provincia: r.province, biennio: String(r.biennium) });
  const problems = v.problems ?? [];
  const rows: [string, string][] = [
    ['Iscritto', `${r.member.surname} ${r.member.givenName}`],
    ['Codice fiscale', r.member.codiceFiscale],
    ['Situazione', VERIFICATION_STATUS_LABELS[r.status]],
    ['Crediti', creditsText(r)],
    ['Mancano', `${r.missing.total} (${r.missing.deontology} di deontologia)`],
    ['Verifica', phaseWords(r.phase, r.version)],
    ['Lettera del', day(r.letterOn)],
    ['Stato', REFERRAL_STATE_LABELS[r.state]],
  ];
  if (r.sent)
    rows.push([
      'Inviata',
      [
        `${withArticle('il', day(r.sent.on))} da ${who(r.sent.by)}`,
        r.sent.protocolNumber ? `protocollo ${r.sent.protocolNumber}` : null,
        r.sent.pecReference ? `PEC ${r.sent.pecReference}` : null,
      ]
        .filter(Boolean)
        .join('; '),
    ]);
  if (r.answered) rows.push(['Risposta', `${withArticle('del', day(r.answered.on))}, registrata da ${who(r.answered.by)}: ${r.answered.summary}`]);
  const note = noteText(r);
  if (note) rows.push(['Nota', note]);
  return consolePage(
    person,
    REFERRALS_PATH,
    `Segnalazione ${r.number}`,
    <>
      <p>
        <a href={`${REFERRALS_PATH}?${back}`}>← Deferimenti del biennio</a>
      </p>
      <h1>
        Segnalazione n. {r.number} · {r.member.surname} {r.member.givenName}
      </h1>
      <Notice text={v.notice} />
      <ErrorSummary problems={problems} />
      <section class="card" aria-labelledby="dati">
        <h2 id="dati">Dati</h2>
        <dl>
          {rows.map(([k, val]) => (
            <>
              <dt>{k}</dt>
              <dd>{val}</dd>
            </>
          ))}
        </dl>
        {r.state !== 'withdrawn' ? (
          <p>
            <a href={`${base}/lettera.pdf`}>Scarica la lettera (PDF)</a>
          </p>
        ) : null}
      </section>
      {person.role === 'cpo' && r.state === 'prepared' ? (
        <section class="card" aria-labelledby="invio">
          <h2 id="invio">Segna come inviata</h2>
          <form method="post" action={`${base}/invio`}>
            <Field id="on" label="Data di invio" type="date" value={v.values?.on ?? v.today} problems={problems} />
            <Field id="protocolNumber" label="Numero di protocollo (facoltativo)" value={v.values?.protocolNumber ?? ''} required={false} problems={problems} />
            <Field
              id="pecReference"
              label="Riferimento della PEC (facoltativo)"
              hint="L’identificativo del messaggio o della ricevuta di consegna."
              value={v.values?.pecReference ?? ''}
              required={false}
              problems={problems}
            />
            <p>
              <button type="submit">Segna come inviata</button>
            </p>
          </form>
        </section>
      ) : null}
      {person.role === 'cpo' && r.state === 'sent' ? (
        <section class="card" aria-labelledby="risposta">
          <h2 id="risposta">Registra la risposta del Consiglio di disciplina</h2>
          <form method="post" action={`${base}/risposta`}>
            <Field id="on" label="Data della risposta" type="date" value={v.values?.on ?? v.today} problems={problems} />
            <TextareaField id="summary" label="Sintesi della risposta" value={v.values?.summary} problems={problems} />
            <p>
              <button type="submit">Registra la risposta</button>
            </p>
          </form>
        </section>
      ) : null}
      <section aria-labelledby="storia">
        <h2 id="storia">Passaggi</h2>
        <ol>
          {r.history.map((s) => (
            <li>
              {italianDateTime(new Date(s.at))}: {STEP_LABELS[s.action]} ({who(s.actor)})
            </li>
          ))}
        </ol>
      </section>
    </>,
  );
}
