/**
 * @module Utenti: the accounts an admin or the CN manages (R-ACC-1), the invitation form (role,
 * then the organiser or the province the role needs), and per account: a new invitation, disable
 * or enable. Without SMTP the invitation link is shown to the inviter, to hand over.
 */
import { PROVINCES } from '../../domain/provinces.ts';
import { INVITABLE_ROLES, type StaffRole } from '../../domain/staff-accounts.ts';
import type { OutboxEntry } from '../../services/mail.ts';
import type { StaffAccount } from '../../services/staff/accounts.ts';
import { italianDateTime, withArticle } from '../format.ts';
import { consolePage, type ConsolePerson } from './account-pages.tsx';
import { ACCOUNT_STATE_LABELS, ROLE_LABELS } from './labels.ts';
import { ErrorSummary, Field, type FormProblem, Notice } from './signin-pages.tsx';

export interface StaffListView {
  accounts: readonly StaffAccount[];
  organisers: readonly { id: string; name: string }[];
  /** Just invited, when no mail can go out: the link to hand over. */
  handOver?: { email: string; link: string } | null;
  notice?: string | undefined;
  problems?: readonly FormProblem[];
  values?: Record<string, string>;
}

export function staffPage(person: ConsolePerson, v: StaffListView) {
  const problems = v.problems ?? [];
  const values = v.values ?? {};
  const roles = INVITABLE_ROLES[person.role];
  const organiserName = new Map(v.organisers.map((o) => [o.id, o.name]));
  const scopeOf = (a: StaffAccount) =>
    a.role === 'organiser'
      ? (organiserName.get(a.subject ?? '') ?? a.subject)
      : a.role === 'cpo'
        ? (PROVINCES.find((p) => p.code === a.subject)?.name ?? a.subject)
        : '—';
  return consolePage(
    person,
    '/console/utenti',
    'Utenti',
    <>
      <h1>Utenti</h1>
      <Notice text={v.notice} />
      {v.handOver ? (
        <div class="warn" role="status">
          <p>
            Il server di posta non è configurato: il messaggio d’invito resta in attesa. Consegni Lei il link a {v.handOver.email} (vale 72 ore, una sola
            volta):
          </p>
          <p>
            <code>{v.handOver.link}</code>
          </p>
        </div>
      ) : null}
      <ErrorSummary problems={problems} />
      <section class="card" aria-labelledby="invita">
        <h2 id="invita">Invita una persona</h2>
        <form method="post" action="/console/utenti" novalidate>
          <Field id="displayName" label="Nome e cognome" autocomplete="off" value={values.displayName ?? ''} problems={problems} />
          <Field id="email" label="E-mail" type="email" autocomplete="off" value={values.email ?? ''} problems={problems} />
          <label for="role">Ruolo</label>
          <select id="role" name="role">
            {roles.map((r) => (
              <option value={r} selected={values.role === r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
          <label for="organiser">Ente formatore (solo per il ruolo Ente formatore)</label>
          <select id="organiser" name="organiser" aria-describedby={problems.some((p) => p.field === 'organiser') ? 'organiser-error' : undefined}>
            <option value="">—</option>
            {v.organisers.map((o) => (
              <option value={o.id} selected={values.organiser === o.id}>
                {o.name}
              </option>
            ))}
          </select>
          <label for="province">Provincia (solo per il ruolo Consiglio provinciale)</label>
          <select id="province" name="province">
            <option value="">—</option>
            {PROVINCES.map((p) => (
              <option value={p.code} selected={values.province === p.code}>
                {p.name} ({p.code})
              </option>
            ))}
          </select>
          <p>
            <button type="submit">Invia l’invito</button>
          </p>
        </form>
      </section>
      <h2>Account</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Nome</th>
              <th scope="col">E-mail</th>
              <th scope="col">Ruolo</th>
              <th scope="col">Ambito</th>
              <th scope="col">Stato</th>
              <th scope="col">Creato</th>
              <th scope="col">Azioni</th>
            </tr>
          </thead>
          <tbody>
            {v.accounts.map((a) => (
              <tr>
                <td>{a.displayName}</td>
                <td>{a.email}</td>
                <td>{ROLE_LABELS[a.role as StaffRole]}</td>
                <td>{scopeOf(a)}</td>
                <td>
                  {ACCOUNT_STATE_LABELS[a.state]}
                  {a.secondFactor ? ' · verifica in due passaggi' : ''}
                </td>
                <td>{italianDateTime(new Date(a.createdAt))}</td>
                <td>
                  {a.state === 'invited' ? (
                    <form method="post" action={`/console/utenti/${a.id}/invito`}>
                      <button type="submit" class="secondary">
                        Nuovo invito
                      </button>
                    </form>
                  ) : null}
                  {a.secondFactor ? (
                    <form method="post" action={`/console/utenti/${a.id}/azzera-verifica`}>
                      <button type="submit" class="secondary">
                        Azzera la verifica in due passaggi
                      </button>
                    </form>
                  ) : null}
                  <form method="post" action={`/console/utenti/${a.id}/${a.state === 'disabled' ? 'riattiva' : 'disattiva'}`}>
                    <button type="submit" class="secondary">
                      {a.state === 'disabled' ? 'Riattiva' : 'Disattiva'}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>,
  );
}

const OUTBOX_STATE_LABELS: Readonly<Record<OutboxEntry['state'], string>> = {
  sent: 'Inviato',
  waiting: 'In attesa',
  failing: 'Invio non riuscito, si riprova',
  'no-recipient': 'Manca l’indirizzo',
};

export function outboxPage(person: ConsolePerson, entries: readonly OutboxEntry[], smtp: boolean) {
  return consolePage(
    person,
    '/console/posta',
    'Posta in uscita',
    <>
      <h1>Posta in uscita</h1>
      {smtp ? null : (
        <div class="warn">
          <p>
            Il server di posta non è configurato (<code>SMTP_URL</code>): i messaggi restano qui in attesa e partiranno quando sarà impostato.
          </p>
        </div>
      )}
      <p class="hint">Il testo dei messaggi non è mostrato: contiene link personali.</p>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Creato</th>
              <th scope="col">Destinatario</th>
              <th scope="col">Oggetto</th>
              <th scope="col">Stato</th>
              <th scope="col">Tentativi</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr>
                <td>{italianDateTime(new Date(e.createdAt))}</td>
                <td>{e.recipient ?? '—'}</td>
                <td>{e.subject}</td>
                <td>
                  {OUTBOX_STATE_LABELS[e.state]}
                  {e.sentAt ? ` ${withArticle('il', italianDateTime(new Date(e.sentAt)))}` : ''}
                  {e.lastError ? ` (${e.lastError})` : ''}
                </td>
                <td>{e.attempts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>,
  );
}
