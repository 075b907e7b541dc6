/**
 * @module The member's dashboard (PLAT "Il tuo periodo formativo"), in Italian: the biennium's
 * credits against the obligation and why it may be lower (R-OBL-3, R-RED), deontology, other
 * activities (R-ART9-1) and the distance share (R-FAD-2, R-FAD-3), the yearly objectives (R-OBL-2),
 * every credit with what did not count and why (R-FAD-5), the debt (R-DEBT), questionnaires
 * still to answer (R-QST-2), the member's requests to the CPO and the forms to file new ones.
 * A view only: it receives what the member may see, already derived.
 */
import type { FC } from 'hono/jsx';
import { ART9_TABLE, isArt9Activity } from '../domain/art9.ts';
import type { BalanceItem } from '../domain/balance.ts';
import type { MemberBalance } from '../domain/member-balance.ts';
import { memberActionsOpen } from '../domain/reduction.ts';
import type { Art9Row, DebtRow, ReductionRow } from '../store/member-requests.ts';
import {
  AppealForm,
  Art9Form,
  dateText,
  DebtForm,
  FormAlert,
  IntegrationForm,
  isReductionCause,
  ReductionForm,
  type FormError,
  type FormValues,
  type ReductionPreview,
} from './dashboard-forms.tsx';
import { reasonText, statusText } from '../domain/outcome-texts.ts';
import { italianDate, italianDateTime, withArticle } from './format.ts';
import {
  ART9_STATUS_LABELS,
  ART9_UNIT_LABELS,
  BALANCE_STATUS_LABELS,
  CAUSE_LABELS,
  DEBT_REQUEST_STATUS_LABELS,
  DEBT_STATUS_LABELS,
  DECISION_REASON_LABELS,
  GRANT_SCOPE_LABELS,
  labelOf,
  MODE_LABELS,
  NOT_COUNTED_LABELS,
  REDUCTION_STATUS_LABELS,
  REDUCTION_STEP_LABELS,
  VALIDITY_LABELS,
} from './labels.ts';
import { Layout } from './layout.tsx';

/** Rules of this page only: meters, tables, fields; the frame's rules are in `layout.tsx`. */
const STYLE = `
nav.bienni ul,nav.indice ul{list-style:none;padding:0;margin:.25rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.meters{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem;margin:1rem 0}
.meter{background:#fff;border:1px solid #d0d4da;border-radius:.5rem;padding:.75rem}
.meter p{margin:0}
.meter .num{font-size:1.6rem;font-weight:700;line-height:1.2}
progress{width:100%;height:.6rem;margin-top:.4rem}
.badge{display:inline-block;padding:.05rem .6rem;border-radius:1rem;font-weight:600;background:#e3e6ea}
.badge.compliant{background:#e8f5ec;color:#14561f}
.badge.debt-open,.badge.in-progress{background:#fff4e0;color:#6b3e00}
.badge.non-compliant{background:#fdecea;color:#8c1d18}
table{width:100%;border-collapse:collapse;background:#fff;font-size:.95rem;margin:.5rem 0 1rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border-bottom:1px solid #d0d4da;padding:.45rem .35rem;text-align:left;vertical-align:top}
th{background:#eef0f3}
.n{text-align:right}
td.n{white-space:nowrap}
.wrap{overflow-wrap:break-word;hyphens:auto}
.mode{display:block;font-size:.88rem;color:#4a4f57}
.note{display:block;font-size:.88rem;color:#6b3e00;margin-top:.15rem}
abbr{text-decoration:none}
.field{margin:.85rem 0}
.field label{display:block;font-weight:600;margin-bottom:.25rem}
.field .hint{margin:0 0 .25rem}
input[type=number],input[type=date],input[type=text],select,input[type=file]{display:block;width:100%;max-width:100%;font:inherit;padding:.5rem;border:1px solid #8a9099;border-radius:.35rem;background:#fff;color:inherit}
textarea{min-height:5rem}
fieldset.inline{border:0;padding:0;margin:.85rem 0;background:none}
fieldset.inline legend{padding:0;margin-bottom:.25rem}
.choice{display:inline-flex;align-items:center;gap:.35rem;margin-right:1.25rem}
.choice input{width:1.3rem;height:1.3rem}
.actions{display:flex;flex-wrap:wrap;gap:.5rem}
h3{font-size:1.08rem;margin:1.25rem 0 .4rem}
h4{font-size:1rem;margin:.75rem 0 .35rem}
ol.steps{padding-left:1.25rem;margin:.25rem 0}
ul.plain{padding-left:1.25rem;margin:.25rem 0}
@media (max-width:30rem){table{font-size:.85rem}th,td{padding:.4rem .2rem}.meter .num{font-size:1.35rem}}
`;

export interface DebtSection {
  /** First and last day to file the request (R-DEBT-2), last day to settle (R-DEBT-1, R-DEBT-4). */
  filingFrom: string;
  filingUntil: string;
  settlementUntil: string;
  /** The biennium's maximum (R-DEBT-1). */
  maximum: number;
  /** What is missing (`balance.missing`: a deontology gap counts within the total), what a request may name at most. */
  shortfall: { total: number; deontology: number };
  /** The form is shown: the window is open, something is missing and no request is live. */
  canFile: boolean;
  suggested: { total: number; deontology: number };
}

/** The previous biennium's debt, told on the current biennium's page while it matters (1 Jan – 30 Jun). */
export interface PreviousNotice {
  biennium: number;
  href: string;
  kind: 'can-file' | 'request-filed' | 'debt-open';
  missing: { total: number; deontology: number };
  filingUntil: string;
  remaining?: { total: number; deontology: number };
  settlementUntil: string;
}

export interface PendingQuestionnaire {
  title: string;
  eventStart: Date;
  deadline: Date | null;
  href: string;
}

/** An event the member attended without earning credit, with the outcome's reason (R-ATT-9). */
export interface UncreditedEvent {
  title: string;
  mode: string;
  /** ISO date on the Rome calendar. */
  date: string;
  status: string;
  reason: string | null;
  absentMinutes: number;
  toleranceMinutes: number;
}

export interface DashboardProps {
  /** `/m/<token>`: every link and form of the page starts here. */
  base: string;
  memberName: string;
  registrationDate: string;
  biennium: number;
  currentBiennium: number;
  /** Bienniums the member may look at, newest first. */
  bienniums: readonly number[];
  today: string;
  /** Italian text after a form went through (Post/Redirect/Get). */
  outcome: string | null;
  /** A refusal about something not on the page (another member's request), shown at the top. */
  topError: string | null;
  derived: MemberBalance;
  reductionCeiling: number;
  previous: PreviousNotice | null;
  debt: DebtSection;
  questionnaires: readonly PendingQuestionnaire[];
  /** Events of the biennium attended without credit (absent beyond the tolerance, R-ATT-3…): listed with the reason. */
  uncredited: readonly UncreditedEvent[];
  /** The CPO's compliance certificate of the biennium, once its verification finds the member in order (R-DOC-8). */
  certificate?: { href: string } | null;
  requests: { reductions: readonly ReductionRow[]; art9: readonly Art9Row[]; debts: readonly DebtRow[] };
  forms: {
    art9: { minDate: string; maxDate: string };
    /** Reductions for this biennium may still be filed. */
    reductionOpen: boolean;
    cause: string | null;
    values?: FormValues;
    error?: FormError | null;
    preview?: ReductionPreview | null;
  };
}

export function bienniumText(b: number): string {
  return `${b}–${b + 1}`;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function dashboardPage(p: DashboardProps) {
  const b = p.derived.balance;
  const href = (biennium: number) => (biennium === p.currentBiennium ? p.base : `${p.base}?biennio=${biennium}`);
  return (
    <Layout title={`La mia formazione continua – Biennio ${bienniumText(p.biennium)}`} style={STYLE}>
      <h1>La mia formazione continua</h1>
      <div class="card">
        <dl>
          <dt>Iscritto</dt>
          <dd>{p.memberName}</dd>
          <dt>Periodo formativo</dt>
          <dd>Biennio {bienniumText(p.biennium)}</dd>
          <dt>Stato</dt>
          <dd>
            <span class={`badge ${b.status}`}>{BALANCE_STATUS_LABELS[b.status]}</span>
          </dd>
        </dl>
      </div>
      {p.bienniums.length > 1 ? (
        <nav class="bienni" aria-label="Bienni">
          <p class="hint">Altri bienni:</p>
          <ul>
            {p.bienniums.map((x) => (
              <li>{x === p.biennium ? <strong aria-current="page">{bienniumText(x)}</strong> : <a href={href(x)}>Biennio {bienniumText(x)}</a>}</li>
            ))}
          </ul>
        </nav>
      ) : null}
      {p.outcome ? (
        <div class="ok" role="status" id="esito">
          <p>{p.outcome}</p>
        </div>
      ) : null}
      {p.topError ? (
        <div class="alert" role="alert" id="errore">
          <p>{p.topError}</p>
        </div>
      ) : null}
      {p.previous ? <PreviousBanner n={p.previous} /> : null}
      <nav class="indice" aria-label="In questa pagina">
        <ul>
          <li>
            <a href="#crediti-biennio">Crediti del biennio</a>
          </li>
          <li>
            <a href="#attivita">Attività formative</a>
          </li>
          <li>
            <a href="#debito">Recupero crediti</a>
          </li>
          <li>
            <a href="#richieste">Le mie richieste</a>
          </li>
          <li>
            <a href="#nuove-richieste">Nuove richieste</a>
          </li>
        </ul>
      </nav>

      <Summary p={p} />
      <Objectives p={p} />
      {p.questionnaires.length ? <Questionnaires list={p.questionnaires} /> : null}
      <Credits p={p} />
      <Debt p={p} />
      <Requests p={p} />
      <NewRequests p={p} />
    </Layout>
  );
}

const PreviousBanner: FC<{ n: PreviousNotice }> = ({ n }) => (
  <div class="warn" role="note" id="biennio-precedente">
    {n.kind === 'can-file' ? (
      <p>
        Il biennio {bienniumText(n.biennium)} si è chiuso con {plural(n.missing.total, 'credito mancante', 'crediti mancanti')}
        {n.missing.deontology ? ` (${plural(n.missing.deontology, 'deontologico', 'deontologici')})` : ''}. Entro {withArticle('il', dateText(n.filingUntil))}{' '}
        può chiedere di recuperarli nel primo semestre: <a href={`${n.href}#debito`}>vada al biennio {bienniumText(n.biennium)}</a>.
      </p>
    ) : n.kind === 'request-filed' ? (
      <p>
        La richiesta di recupero dei crediti del biennio {bienniumText(n.biennium)} è in attesa di decisione del Consiglio provinciale:{' '}
        <a href={`${n.href}#debito`}>consulti il biennio {bienniumText(n.biennium)}</a>.
      </p>
    ) : (
      <p>
        Debito formativo del biennio {bienniumText(n.biennium)}: restano da recuperare {plural(n.remaining?.total ?? 0, 'credito', 'crediti')}
        {n.remaining?.deontology ? ` (${plural(n.remaining.deontology, 'deontologico', 'deontologici')})` : ''} entro{' '}
        {withArticle('il', dateText(n.settlementUntil))}. I primi crediti che matura ora servono a recuperarlo:{' '}
        <a href={`${n.href}#debito`}>consulti il biennio {bienniumText(n.biennium)}</a>.
      </p>
    )}
  </div>
);

const Meter: FC<{ value: number; of: number; label: string }> = ({ value, of, label }) => (
  <div class="meter">
    <p class="num">
      {value}/{of}
    </p>
    <p>{label}</p>
    <progress value={String(Math.min(value, of))} max={String(Math.max(of, 1))} aria-hidden="true"></progress>
  </div>
);

const Summary: FC<{ p: DashboardProps }> = ({ p }) => {
  const { obligation, distance } = p.derived;
  const b = p.derived.balance;
  const settled = b.debt?.settledTotal ?? 0;
  return (
    <section aria-labelledby="crediti-biennio">
      <h2 id="crediti-biennio">Crediti del biennio {bienniumText(p.biennium)}</h2>
      <div class="meters">
        <Meter value={b.counted.total} of={b.obligation.total} label="Crediti totali" />
        <Meter value={b.counted.deontology} of={b.obligation.deontology} label="Crediti deontologici" />
        <Meter value={b.counted.otherActivities} of={b.caps.otherActivities.cap} label="Crediti altre attività formative" />
        <Meter value={b.counted.distance} of={b.caps.distance.cap} label="Crediti formazione a distanza" />
      </div>
      {settled ? (
        <p>
          A questi si aggiungono {plural(settled, 'credito recuperato', 'crediti recuperati')} nel primo semestre successivo
          {b.debt?.settledDeontology ? ` (${plural(b.debt.settledDeontology, 'deontologico', 'deontologici')})` : ''}.
        </p>
      ) : null}
      <div class={b.compliant ? 'ok' : 'card'} id="situazione">
        {b.compliant ? (
          <p>
            <strong>Obbligo formativo del biennio assolto.</strong>
          </p>
        ) : null}
        {p.certificate ? (
          <p>
            Il Consiglio provinciale ha verificato l’assolvimento dell’obbligo: <a href={p.certificate.href}>scarichi il certificato (PDF)</a>.
          </p>
        ) : null}
        {b.compliant ? null : (
          <p>
            <strong>Crediti ancora mancanti:</strong> {b.missing.total} in totale; {plural(b.missing.deontology, 'deontologico', 'deontologici')}.
            {b.status === 'debt-open' && b.debt ? ` Il debito va recuperato entro ${withArticle('il', dateText(b.debt.deadline))}.` : ''}
          </p>
        )}
        <h3>L’obbligo del biennio</h3>
        <ul class="plain">
          <li>
            Obbligo: {plural(b.obligation.total, 'credito', 'crediti')}, di cui {plural(b.obligation.deontology, 'deontologico', 'deontologici')}
            {obligation.base.total === 50 && obligation.reduction.total === 0 ? ' (art. 7 del Regolamento).' : '.'}
          </li>
          {obligation.base.months < 24 ? (
            <li>
              Obbligo riproporzionato per l’iscrizione all’Albo {withArticle('del', dateText(p.registrationDate))}: {obligation.base.months} mesi su 24, quindi{' '}
              {plural(obligation.base.total, 'credito', 'crediti')} di cui {plural(obligation.base.deontology, 'deontologico', 'deontologici')}.
            </li>
          ) : null}
          {obligation.reductions.map((r) => (
            <li>
              Riduzione per {isReductionCause(r.cause) ? CAUSE_LABELS[r.cause].toLowerCase() : 'causa documentata'}: −
              {plural(r.reduction, 'credito', 'crediti')}
              {r.deontology ? ` (di cui ${plural(r.deontology, 'deontologico', 'deontologici')})` : ''}
              {r.basis === 'carried' ? ', riconosciuta in un biennio precedente e ancora valida' : ', accolta dal Consiglio provinciale'}.
            </li>
          ))}
          {obligation.reduction.capped ? <li>La somma delle riduzioni è limitata a {p.reductionCeiling} crediti nel biennio.</li> : null}
          <li>
            Formazione a distanza (webinar, e-learning, podcast): conta al massimo il {distance.pct}% dell’obbligo, cioè{' '}
            {plural(b.caps.distance.cap, 'credito', 'crediti')}
            {distance.grant
              ? `; percentuale elevata dal ${distance.basePct}% al ${distance.grant.pct}% (${GRANT_SCOPE_LABELS[distance.grant.scope]}, delibera ${distance.grant.deliberation}, valida ${withArticle('dal', dateText(distance.grant.validFrom))} ${withArticle('al', dateText(distance.grant.validUntil))})`
              : ''}
            . Registrati: {b.caps.distance.recorded}.
          </li>
          <li>
            Altre attività formative (art. 9): contano al massimo {b.caps.otherActivities.cap} crediti nel biennio. Registrati:{' '}
            {b.caps.otherActivities.recorded}.
          </li>
        </ul>
      </div>
    </section>
  );
};

const Objectives: FC<{ p: DashboardProps }> = ({ p }) => (
  <section aria-labelledby="obiettivi">
    <h2 id="obiettivi">Obiettivi suggeriti</h2>
    <p class="hint">
      Ogni anno sono consigliati almeno 10 crediti, di cui 3 deontologici. Non raggiungerli non è un’inadempienza se l’obbligo del biennio è assolto.
    </p>
    <table>
      <caption>Obiettivi annuali suggeriti</caption>
      <thead>
        <tr>
          <th scope="col">Anno</th>
          <th scope="col" class="n">
            Crediti totali
          </th>
          <th scope="col" class="n">
            Crediti deontologici
          </th>
          <th scope="col">Esito</th>
        </tr>
      </thead>
      <tbody>
        {p.derived.balance.years.map((y, i) => (
          <tr>
            <th scope="row">
              {y.year} ({i + 1}° anno)
            </th>
            <td class="n">
              {y.counted.total}/{y.objective.total}
            </td>
            <td class="n">
              {y.counted.deontology}/{y.objective.deontology}
            </td>
            <td>{y.met ? 'Raggiunto' : y.year < Number(p.today.slice(0, 4)) ? 'Non raggiunto' : 'Non ancora raggiunto'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </section>
);

const Questionnaires: FC<{ list: readonly PendingQuestionnaire[] }> = ({ list }) => (
  <section aria-labelledby="questionari">
    <h2 id="questionari">Questionari da compilare</h2>
    <p class="hint">I crediti di questi webinar sono riconosciuti dopo il superamento del questionario di verifica.</p>
    <ul class="plain">
      {list.map((q) => (
        <li>
          <a href={q.href}>Compili il questionario: {q.title}</a> (evento {withArticle('del', italianDate(q.eventStart))}).{' '}
          {q.deadline
            ? `Da completare entro ${withArticle('il', italianDateTime(q.deadline))}.`
            : 'Da completare entro 10 giorni dalla prima apertura del link.'}
        </li>
      ))}
    </ul>
  </section>
);

const Credits: FC<{ p: DashboardProps }> = ({ p }) => {
  const items = p.derived.balance.items;
  // Credited activities and the events attended without credit, in date order (a stable sort keeps the balance's order within a day).
  const rows = [
    ...items.map((it) => ({ date: it.date, item: it, uncredited: null })),
    ...p.uncredited.map((e) => ({ date: e.date, item: null, uncredited: e })),
  ].sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
  // One download per event, however many records (fractions, the two years of a path) it has.
  const linked = new Set<string>();
  return (
    <section aria-labelledby="attivita">
      <h2 id="attivita">Attività formative del biennio</h2>
      {rows.length === 0 ? (
        <p>Nessuna attività formativa registrata nel biennio.</p>
      ) : (
        <table>
          <caption>Crediti registrati e conteggiati, con il motivo di quelli non conteggiati</caption>
          <thead>
            <tr>
              <th scope="col">Data</th>
              <th scope="col">Attività e modalità</th>
              <th scope="col" class="n">
                <abbr title="Crediti registrati">Reg.</abbr>
              </th>
              <th scope="col" class="n">
                <abbr title="Crediti conteggiati">Cont.</abbr>
              </th>
              <th scope="col" class="n">
                <abbr title="Crediti deontologici">Deont.</abbr>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) =>
              r.item ? (
                <CreditRow it={r.item} pct={p.derived.distance.pct} attestation={attestationHref(p.base, r.item, linked)} />
              ) : (
                <UncreditedRow e={r.uncredited!} />
              ),
            )}
          </tbody>
        </table>
      )}
    </section>
  );
};

/** An event attended without credit: nothing recorded, and why, in the words of the outcome (R-ATT-9). */
const UncreditedRow: FC<{ e: UncreditedEvent }> = ({ e }) => (
  <tr>
    <td>{dateText(e.date)}</td>
    <td class="wrap">
      {e.title}
      <span class="mode">{labelOf(MODE_LABELS, e.mode)}</span>
      <span class="note">
        {statusText(e.status)}: {reasonText(e.reason, false) || 'motivo non disponibile'}
        {e.reason === 'absence-over-tolerance'
          ? ` (${plural(e.absentMinutes, 'minuto', 'minuti')} di assenza, tolleranza ${plural(e.toleranceMinutes, 'minuto', 'minuti')})`
          : ''}
      </span>
    </td>
    <td class="n">0</td>
    <td class="n">0</td>
    <td class="n">0</td>
  </tr>
);

/**
 * A granted event credit has its participation document: the attestation of an e-learning or
 * podcast course (R-ELN-6), the attendance certificate of any other event (R-DOC-7); `event:<id>:…`
 * items only, the first of each event (`linked` remembers the others).
 */
function attestationHref(base: string, it: BalanceItem, linked: Set<string>): string | null {
  if (it.status !== 'granted') return null;
  const eventId = /^event:([0-9a-f-]{36}):/.exec(it.id)?.[1];
  if (!eventId || linked.has(eventId)) return null;
  linked.add(eventId);
  return `${base}/attestato/${eventId}`;
}

const CreditRow: FC<{ it: BalanceItem; pct: number; attestation: string | null }> = ({ it, pct, attestation }) => {
  const unit = it.art9 ? ART9_UNIT_LABELS[it.art9.unit] : null;
  return (
    <tr>
      <td>{dateText(it.date)}</td>
      <td class="wrap">
        {it.title ?? (it.art9 ? it.art9.label : '—')}
        <span class="mode">{MODE_LABELS[it.mode]}</span>
        {attestation ? (
          <span class="mode">
            <a href={attestation}>Scarica l’attestato (PDF)</a>
          </span>
        ) : null}
        {it.art9 && unit ? (
          <span class="note">
            {it.art9.label}: {it.art9.quantity} {it.art9.quantity === 1 ? unit.one : unit.many}
          </span>
        ) : null}
        {it.art9?.limited ? (
          <span class="note">
            {plural(it.art9.limited.credits, 'credito non registrato', 'crediti non registrati')}: {NOT_COUNTED_LABELS[it.art9.limited.reason]}
          </span>
        ) : null}
        {it.notCounted.map((n) =>
          n.credits > 0 ? (
            <span class="note">
              {plural(n.credits, 'credito non conteggiato', 'crediti non conteggiati')}: {NOT_COUNTED_LABELS[n.reason]}
              {n.reason === 'distance-cap' ? ` (${pct}% dell’obbligo)` : ''}
            </span>
          ) : null,
        )}
        {it.settlesDebt ? (
          <span class="note">
            Attività dell’anno successivo: {plural(it.settlesDebt.credits, 'credito usato', 'crediti usati')} per recuperare il debito di questo biennio
          </span>
        ) : null}
      </td>
      <td class="n">{it.recorded}</td>
      <td class="n">{it.counted}</td>
      <td class="n">{it.deontology}</td>
    </tr>
  );
};

const Debt: FC<{ p: DashboardProps }> = ({ p }) => {
  const b = p.derived.balance;
  const d = p.debt;
  const request = p.derived.debtRequest;
  const ended = p.today > b.period.to;
  return (
    <section aria-labelledby="debito">
      <h2 id="debito">Recupero crediti (debito formativo)</h2>
      <FormAlert error={p.forms.error} form="debt" />
      {b.debt ? (
        <div class={b.debt.status === 'unsettled' ? 'alert' : b.debt.status === 'settled' ? 'ok' : 'warn'}>
          <p>
            <strong>Debito accolto:</strong> {plural(b.debt.total, 'credito', 'crediti')}, di cui {plural(b.debt.deontology, 'deontologico', 'deontologici')},
            da recuperare entro {withArticle('il', dateText(b.debt.deadline))}: {DEBT_STATUS_LABELS[b.debt.status]}.
          </p>
          <p>
            Recuperati: {b.debt.settledTotal} (deontologici {b.debt.settledDeontology}). Ancora da recuperare: {b.debt.remaining.total} (deontologici{' '}
            {b.debt.remaining.deontology}).
          </p>
        </div>
      ) : null}
      {request ? (
        <div class="card">
          <p>
            <strong>Richiesta {withArticle('del', dateText(request.filedOn))}:</strong> {plural(request.total, 'credito', 'crediti')}, di cui{' '}
            {plural(request.deontology, 'deontologico', 'deontologici')} — {DEBT_REQUEST_STATUS_LABELS.filed}.
          </p>
        </div>
      ) : null}
      <p class="hint">
        Se al termine del biennio mancano crediti, {withArticle('dal', dateText(d.filingFrom))} {withArticle('al', dateText(d.filingUntil))} si può chiedere al
        Consiglio provinciale di recuperarne fino a {d.maximum} entro {withArticle('il', dateText(d.settlementUntil))}: una volta accolta la richiesta, i primi
        crediti maturati nel nuovo biennio servono a recuperarli (prima i deontologici).
      </p>
      {d.canFile ? (
        <>
          <h3>Nuova richiesta di recupero</h3>
          <p>
            Mancano {plural(d.shortfall.total, 'credito', 'crediti')}, di cui {plural(d.shortfall.deontology, 'deontologico', 'deontologici')}. Si possono
            recuperare al massimo {d.maximum} crediti.
          </p>
          <DebtForm
            action={`${p.base}/debt#debito`}
            biennium={p.biennium}
            maximum={d.maximum}
            suggested={d.suggested}
            values={p.forms.error?.form === 'debt' ? p.forms.values : undefined}
          />
        </>
      ) : !b.debt && !request ? (
        <p>
          {!ended
            ? 'Il biennio è in corso: la richiesta di recupero, se servirà, si presenta dopo la sua fine.'
            : p.today > d.filingUntil
              ? 'Il termine per chiedere il recupero dei crediti di questo biennio è scaduto.'
              : d.shortfall.total === 0 && d.shortfall.deontology === 0
                ? 'Non ci sono crediti da recuperare per questo biennio.'
                : 'Per questo biennio non è possibile presentare una richiesta di recupero.'}
        </p>
      ) : null}
    </section>
  );
};

const Requests: FC<{ p: DashboardProps }> = ({ p }) => {
  const { reductions, art9, debts } = p.requests;
  return (
    <section aria-labelledby="richieste">
      <h2 id="richieste">Le mie richieste al Consiglio provinciale</h2>
      <h3 id="richieste-riduzioni">Riduzioni dell’obbligo (riproporzionamento)</h3>
      {reductions.length === 0 ? <p>Nessuna richiesta inserita.</p> : reductions.map((r) => <ReductionCard r={r} p={p} />)}
      <h3 id="richieste-art9">Altre attività formative (art. 9)</h3>
      {art9.length === 0 ? (
        <p>Nessuna richiesta inserita.</p>
      ) : (
        <table>
          <caption>Dichiarazioni di altre attività formative</caption>
          <thead>
            <tr>
              <th scope="col">Data attività</th>
              <th scope="col">Attività</th>
              <th scope="col" class="n">
                Quantità
              </th>
              <th scope="col">Stato</th>
            </tr>
          </thead>
          <tbody>
            {art9.map((a) => (
              <tr>
                <td>{dateText(a.activityDate)}</td>
                <td class="wrap">
                  {isArt9Activity(a.activity) ? ART9_TABLE[a.activity].label : '—'}
                  <span class="note">{a.description}</span>
                </td>
                <td class="n">{a.quantity}</td>
                <td>
                  {labelOf(ART9_STATUS_LABELS, a.status)}
                  {a.status === 'rejected' && a.decisionReason ? <span class="note">{a.decisionReason}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3 id="richieste-debito">Recupero crediti</h3>
      {debts.length === 0 ? (
        <p>Nessuna richiesta inserita.</p>
      ) : (
        <table>
          <caption>Richieste di recupero crediti</caption>
          <thead>
            <tr>
              <th scope="col">Data richiesta</th>
              <th scope="col">Biennio</th>
              <th scope="col" class="n">
                <abbr title="Crediti totali">Tot.</abbr>
              </th>
              <th scope="col" class="n">
                <abbr title="Crediti deontologici">Deont.</abbr>
              </th>
              <th scope="col">Stato</th>
            </tr>
          </thead>
          <tbody>
            {debts.map((d) => (
              <tr>
                <td>{dateText(d.filedOn)}</td>
                <td>{bienniumText(d.biennium)}</td>
                <td class="n">{d.total}</td>
                <td class="n">{d.deontology}</td>
                <td>
                  {labelOf(DEBT_REQUEST_STATUS_LABELS, d.status)}
                  {d.status === 'rejected' && d.decisionReason ? <span class="note">{d.decisionReason}</span> : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
};

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

const ReductionCard: FC<{ r: ReductionRow; p: DashboardProps }> = ({ r, p }) => {
  const computed = num(r.computed.reduction);
  const computedDeontology = num(r.computed.deontology);
  const decision = r.decision ?? null;
  const reasons = decision ? str(decision.reasons) : null;
  const validity = decision ? str(decision.validity) : null;
  const decided = r.status === 'approved' || r.status === 'denied' || r.status === 'appealed';
  const { canIntegrate, canAppeal } = memberActionsOpen(r, p.today); // R-RED-7 deadlines
  const cause = isReductionCause(r.cause) ? CAUSE_LABELS[r.cause] : 'Causa documentata';
  const error = p.forms.error && p.forms.error.requestId === r.id ? p.forms.error : null;
  const values = error ? p.forms.values : undefined;
  return (
    <article class="card" aria-labelledby={`riduzione-${r.id}`}>
      <h4 id={`riduzione-${r.id}`}>
        {cause} — biennio {bienniumText(r.biennium)}
      </h4>
      <dl>
        <dt>Stato</dt>
        <dd>{labelOf(REDUCTION_STATUS_LABELS, r.status)}</dd>
        <dt>Presentata il</dt>
        <dd>{dateText(r.filedOn)}</dd>
        {r.protocolNumber ? (
          <>
            <dt>Protocollo n.</dt>
            <dd>{r.protocolNumber}</dd>
          </>
        ) : null}
        {r.officer ? (
          <>
            <dt>Responsabile</dt>
            <dd>{r.officer}</dd>
          </>
        ) : null}
        {computed !== null ? (
          <>
            <dt>Riduzione calcolata</dt>
            <dd>
              {plural(computed, 'credito', 'crediti')}
              {computedDeontology ? `, di cui ${plural(computedDeontology, 'deontologico', 'deontologici')}` : ''}
            </dd>
          </>
        ) : null}
        {!decided && r.decisionDeadline ? (
          <>
            <dt>Decisione entro</dt>
            <dd>{dateText(r.decisionDeadline)}</dd>
          </>
        ) : null}
        {r.preDenialReasons ? (
          <>
            <dt>Motivi del preavviso</dt>
            <dd class="wrap">{r.preDenialReasons}</dd>
          </>
        ) : null}
        {r.status === 'pre-denied' && r.integrationDeadline ? (
          <>
            <dt>Integrazione entro</dt>
            <dd>{dateText(r.integrationDeadline)}</dd>
          </>
        ) : null}
        {decision && decision.outcome === 'approved' ? (
          <>
            <dt>Decisione</dt>
            <dd>
              Accolta: riduzione di {plural(num(decision.reduction) ?? 0, 'credito', 'crediti')}, di cui{' '}
              {plural(num(decision.deontology) ?? 0, 'deontologico', 'deontologici')}
              {validity && Object.hasOwn(VALIDITY_LABELS, validity) ? `, ${VALIDITY_LABELS[validity as keyof typeof VALIDITY_LABELS]}` : ''}.
            </dd>
          </>
        ) : null}
        {decision && decision.outcome === 'denied' ? (
          <>
            <dt>Decisione</dt>
            <dd class="wrap">Respinta{reasons ? `: ${labelOf(DECISION_REASON_LABELS, reasons, reasons)}` : '.'}</dd>
          </>
        ) : null}
        {canAppeal && r.appealDeadline ? (
          <>
            <dt>Ricorso entro</dt>
            <dd>{dateText(r.appealDeadline)}</dd>
          </>
        ) : null}
      </dl>
      {r.documents.length ? (
        <p class="hint">
          Documenti allegati: <span class="wrap">{r.documents.map((d) => d.name).join(', ')}</span>
        </p>
      ) : null}
      {error ? <FormAlert error={error} form={error.form} requestId={r.id} /> : null}
      <h4>Passaggi</h4>
      <ol class="steps">
        {r.steps.map((s) => (
          <li>
            {italianDate(new Date(s.at))}: {labelOf(REDUCTION_STEP_LABELS, s.action)}
          </li>
        ))}
      </ol>
      {canIntegrate ? (
        <IntegrationForm
          action={`${p.base}/reductions/${r.id}/integration#riduzione-${r.id}`}
          requestId={r.id}
          deadline={r.integrationDeadline}
          values={values}
        />
      ) : null}
      {canAppeal ? (
        <AppealForm
          action={`${p.base}/reductions/${r.id}/appeal#riduzione-${r.id}`}
          requestId={r.id}
          deadline={r.appealDeadline}
          values={values}
          error={error}
        />
      ) : null}
    </article>
  );
};

const NewRequests: FC<{ p: DashboardProps }> = ({ p }) => {
  const f = p.forms;
  const mine = (form: FormError['form']) => (f.error?.form === form ? f.values : undefined);
  return (
    <section aria-labelledby="nuove-richieste">
      <h2 id="nuove-richieste">Nuove richieste</h2>
      <h3 id="art9">Dichiarare un’altra attività formativa (art. 9)</h3>
      <p class="hint">
        L’attività è conteggiata dopo la convalida del Consiglio provinciale, fino a 30 crediti nel biennio. Le dichiarazioni di un biennio si chiudono il 31
        gennaio successivo.
      </p>
      <FormAlert error={f.error} form="art9" />
      <Art9Form action={`${p.base}/art9#art9`} minDate={f.art9.minDate} maxDate={f.art9.maxDate} values={mine('art9')} />
      <h3 id="riduzione">Chiedere la riduzione dell’obbligo (biennio {bienniumText(p.biennium)})</h3>
      <FormAlert error={f.error} form="reduction" />
      {f.reductionOpen ? (
        <>
          <p class="hint">
            Scelga la causa, indichi i dati richiesti e prema «Calcola» per vedere la riduzione senza inviare nulla; poi alleghi i documenti e prema «Invia
            richiesta». Una richiesta per ogni causa.
          </p>
          <ReductionForm
            base={p.base}
            biennium={p.biennium}
            cause={f.cause && isReductionCause(f.cause) ? f.cause : null}
            previewAction={`${p.base}/reduction/preview#calcolo`}
            fileAction={`${p.base}/reduction#riduzione`}
            values={f.error?.form === 'reduction' || f.preview ? f.values : undefined}
            preview={f.preview ?? null}
          />
        </>
      ) : (
        <p>Per questo biennio non è più possibile chiedere riduzioni dell’obbligo.</p>
      )}
    </section>
  );
};

/** A link that cannot open the dashboard: expired (410) or not valid (404). */
export function linkClosedPage(p: { kind: 'expired' | 'invalid'; expiredAt?: Date }) {
  const title = p.kind === 'expired' ? 'Link scaduto' : 'Link non valido';
  return (
    <Layout title={title}>
      <h1>{title}</h1>
      <div class={p.kind === 'expired' ? 'warn' : 'alert'} role="status">
        {p.kind === 'expired' ? (
          <p>
            Il link alla sua pagina della formazione continua è scaduto{p.expiredAt ? ` ${withArticle('il', italianDateTime(p.expiredAt))}` : ''}. Per ragioni
            di sicurezza i link valgono 30 giorni.
          </p>
        ) : (
          <p>Il link non è valido. Controlli di averlo copiato per intero dal messaggio ricevuto.</p>
        )}
        <p>Chieda un nuovo link al suo Consiglio provinciale dell’Ordine.</p>
      </div>
    </Layout>
  );
}

/** A refusal before anything could be read (too large, not from this page), with the way back. */
export function messagePage(p: { title: string; text: string; back: string | null }) {
  return (
    <Layout title={p.title}>
      <h1>{p.title}</h1>
      <div class="alert" role="alert">
        <p>{p.text}</p>
      </div>
      {p.back ? (
        <p>
          <a href={p.back}>Torni alla pagina della formazione continua</a>
        </p>
      ) : null}
    </Layout>
  );
}

/** Something failed on the gateway's side: what was confirmed stays recorded, try again shortly. */
export function dashboardUnavailablePage() {
  return (
    <Layout title="Servizio momentaneamente non disponibile">
      <h1>Servizio momentaneamente non disponibile</h1>
      <div class="warn" role="status">
        <p>Non è stato possibile completare l’operazione. Le richieste già confermate restano registrate.</p>
        <p>Riprovi tra qualche minuto usando lo stesso link.</p>
      </div>
    </Layout>
  );
}
