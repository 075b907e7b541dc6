/**
 * @module The signed-in person's pages: the console's home (what their role can do here) and
 * Security (password, second factor, recovery codes, open sessions, sign-out everywhere, recent
 * sign-ins). The staff bar and menu come from `consoleMenu`.
 */
import type { Child } from 'hono/jsx';
import { requiresSecondFactor, type StaffRole } from '../../domain/staff-accounts.ts';
import type { CouncilQueues } from '../../services/council/queues.ts';
import { italianDateTime, italianDay, withArticle } from '../format.ts';
import { Layout, type StaffBar } from '../layout.tsx';
import { provinceName } from './controls.tsx';
import { ROLE_LABELS } from './labels.ts';
import { ErrorSummary, Field, type FormProblem, Notice, PASSKEY_SCRIPTS, PasskeyRegistration } from './signin-pages.tsx';

export interface ConsolePerson {
  displayName: string;
  email: string;
  role: StaffRole;
  subject: string | null;
}

/** The menu of a role's console; `current` marks the page the person is on. */
export function consoleMenu(person: ConsolePerson, current: string): StaffBar {
  // `also`: pages reached from an item that mark it as where the person is.
  const items: { href: string; label: string; also?: readonly string[] }[] = [{ href: '/console', label: 'Inizio' }];
  const council = person.role === 'cpo' || person.role === 'cn';
  if (person.role === 'organiser' || council) items.push({ href: '/console/eventi', label: 'Eventi', also: ['/console/accreditamenti'] });
  if (council)
    items.push(
      { href: '/console/richieste', label: 'Richieste' },
      { href: '/console/riduzioni', label: 'Riduzioni' },
      { href: '/console/iscritti', label: 'Iscritti' },
      { href: '/console/deroghe', label: 'Deroghe' },
      { href: '/console/regole', label: 'Regole' },
    );
  if (person.role === 'cpo') items.push({ href: '/console/verifiche', label: 'Verifica' });
  if (person.role === 'cn' || person.role === 'admin') items.push({ href: '/console/nazionale', label: 'Verifica', also: ['/console/verifiche'] });
  if (person.role === 'cn' || person.role === 'admin') items.push({ href: '/console/enti', label: 'Enti' });
  if (person.role === 'admin' || person.role === 'cn') items.push({ href: '/console/utenti', label: 'Utenti' });
  if (person.role === 'admin') items.push({ href: '/console/posta', label: 'Posta in uscita' });
  const under = (href: string) => current === href || (href !== '/console' && current.startsWith(`${href}/`));
  return {
    name: person.displayName,
    roleLabel: person.subject && person.role === 'cpo' ? `${ROLE_LABELS[person.role]} di ${provinceName(person.subject)}` : ROLE_LABELS[person.role],
    // The person's own page (password, second factor, sessions) is their name in the bar.
    account: { href: '/console/sicurezza', current: under('/console/sicurezza') },
    menu: items.map(({ also, ...m }) => ({ ...m, current: under(m.href) || (also ?? []).some(under) })),
  };
}

export function consolePage(person: ConsolePerson, current: string, title: string, body: Child, scripts?: readonly string[], opts: { refresh?: number } = {}) {
  return (
    <Layout title={`${title} · Formazione continua CdL`} staff={consoleMenu(person, current)} scripts={scripts} refresh={opts.refresh}>
      {body}
    </Layout>
  );
}

/** "3 (la prima scade il 12 marzo 2027)", "1 (la prima scade l’8 marzo 2027)" */
function countWithDeadline(count: number, deadline: string | null, words: string): string {
  if (count === 0) return 'nessuna';
  return deadline
    ? `${count} (${words} ${withArticle('il', deadline.length === 10 ? italianDay(deadline) : italianDateTime(new Date(deadline)))})`
    : String(count);
}

/** What waits for a council, each count leading to its page (issue 15). */
function CouncilWaiting({ q }: { q: CouncilQueues }) {
  const items: { href: string; label: string; value: string; waiting: boolean }[] = [
    {
      href: '/console/accreditamenti',
      label: 'Richieste di accreditamento',
      value: countWithDeadline(q.accreditations.count, q.accreditations.firstDeadline, 'la prima scade'),
      waiting: q.accreditations.count > 0,
    },
    { href: '/console/richieste', label: 'Dichiarazioni art. 9', value: q.art9 ? String(q.art9) : 'nessuna', waiting: q.art9 > 0 },
    { href: '/console/richieste', label: 'Richieste di debito formativo', value: q.debts ? String(q.debts) : 'nessuna', waiting: q.debts > 0 },
    {
      href: '/console/riduzioni',
      label: 'Richieste di riduzione',
      value: countWithDeadline(q.reductions.count, q.reductions.firstDeadline, 'la prima da decidere entro'),
      waiting: q.reductions.count > 0,
    },
  ];
  if (q.alerts !== null)
    items.push({ href: '/console/deroghe', label: 'Avvisi sulle deroghe da leggere', value: q.alerts ? String(q.alerts) : 'nessuno', waiting: q.alerts > 0 });
  return (
    <section class="card" aria-labelledby="in-attesa">
      <h2 id="in-attesa">In attesa</h2>
      <ul>
        {items.map((i) => (
          <li data-waiting={i.waiting ? 'yes' : 'no'}>
            <a href={i.href}>{i.label}</a>: {i.waiting ? <strong>{i.value}</strong> : i.value}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function homePage(person: ConsolePerson, notice?: string, queues?: CouncilQueues) {
  return consolePage(
    person,
    '/console',
    'Inizio',
    <>
      <h1>Buongiorno, {person.displayName}</h1>
      <Notice text={notice} />
      <p>Ha effettuato l’accesso come {ROLE_LABELS[person.role]}.</p>
      {queues ? <CouncilWaiting q={queues} /> : null}
      {person.role === 'admin' || person.role === 'cn' ? (
        <p>
          Da <a href="/console/utenti">Utenti</a> può invitare il personale dei Consigli provinciali e degli enti formatori.
        </p>
      ) : null}
      <p>
        Da <a href="/console/sicurezza">Sicurezza</a> (il Suo nome in alto) può cambiare la password, gestire la verifica in due passaggi e chiudere le sessioni
        aperte.
      </p>
    </>,
  );
}

export interface SecurityView {
  secondFactor: boolean;
  passkeys: readonly { id: string; label: string; createdAt: Date; lastUsedAt: Date | null }[];
  recoveryCodesLeft: number;
  sessions: readonly { createdAt: Date; lastSeenAt: Date; clientAddr: string | null; userAgent: string | null; current: boolean }[];
  recent: readonly { at: Date; event: string; clientAddr: string | null }[];
}

const EVENT_LABELS: Readonly<Record<string, string>> = {
  signin: 'Accesso',
  'signin-failed': 'Password errata',
  'signin-locked': 'Tentativo durante il blocco',
  'second-factor-passed': 'Codice verificato',
  'second-factor-failed': 'Codice errato',
  'recovery-code-used': 'Codice di recupero usato',
  'totp-enrolled': 'Verifica in due passaggi attivata',
  'totp-removed': 'Verifica in due passaggi tolta',
  'recovery-codes-renewed': 'Nuovi codici di recupero',
  'password-set': 'Password scelta',
  'password-changed': 'Password cambiata',
  'password-reset-requested': 'Richiesta di nuova password',
  signout: 'Uscita',
  'signout-everywhere': 'Uscita da tutti i dispositivi',
  invited: 'Invito',
  'invitation-resent': 'Nuovo invito',
  disabled: 'Account disattivato',
  enabled: 'Account riattivato',
  'oidc-signin': 'Accesso con identità esterna',
  'oidc-refused': 'Identità esterna rifiutata',
};

export function securityPage(person: ConsolePerson, v: SecurityView, opts: { notice?: string; problems?: readonly FormProblem[] } = {}) {
  const problems = opts.problems ?? [];
  const required = requiresSecondFactor(person.role);
  return consolePage(
    person,
    '/console/sicurezza',
    'Sicurezza',
    <>
      <h1>Sicurezza dell’account</h1>
      <Notice text={opts.notice} />
      <ErrorSummary problems={problems} />
      <section class="card" aria-labelledby="due-passaggi">
        <h2 id="due-passaggi">Verifica in due passaggi</h2>
        {v.secondFactor ? (
          <>
            <p>Attiva. Codici di recupero ancora validi: {v.recoveryCodesLeft}.</p>
            <p>
              <a href="/console/sicurezza/totp">Configura un nuovo telefono</a>
            </p>
            <form method="post" action="/console/sicurezza/codici">
              <p>
                <button type="submit" class="secondary">
                  Genera nuovi codici di recupero
                </button>
              </p>
            </form>
            {required ? (
              <p class="hint">Per il Suo ruolo la verifica in due passaggi è obbligatoria.</p>
            ) : (
              <form method="post" action="/console/sicurezza/totp/togli">
                <button type="submit" class="secondary">
                  Togli la verifica in due passaggi
                </button>
              </form>
            )}
          </>
        ) : (
          <>
            <p>Non attiva. Con la verifica in due passaggi, a ogni accesso serve anche un codice del telefono: la password da sola non basta.</p>
            <p>
              <a href="/console/sicurezza/totp">Attiva la verifica in due passaggi</a>
            </p>
          </>
        )}
      </section>
      <section class="card" aria-labelledby="passkey">
        <h2 id="passkey">Passkey</h2>
        <p>
          Una passkey (l’impronta, il volto o il PIN del dispositivo, oppure una chiave di sicurezza) vale come secondo passaggio al posto del codice dell’app.
        </p>
        {v.passkeys.length ? (
          <ul>
            {v.passkeys.map((k) => (
              <li>
                {k.label}, aggiunta {withArticle('il', italianDateTime(k.createdAt))}
                {k.lastUsedAt ? `, usata l’ultima volta ${withArticle('il', italianDateTime(k.lastUsedAt))}` : ''}
                <form method="post" action={`/console/sicurezza/passkey/${encodeURIComponent(k.id)}/togli`}>
                  <button type="submit" class="secondary">
                    Togli
                  </button>
                </form>
              </li>
            ))}
          </ul>
        ) : null}
        <PasskeyRegistration button="Aggiungi una passkey" />
      </section>
      <section class="card" aria-labelledby="cambia-password">
        <h2 id="cambia-password">Cambia la password</h2>
        <form method="post" action="/console/sicurezza/password" novalidate>
          <input type="hidden" name="username" value={person.email} autocomplete="username" />
          <Field id="current" label="Password attuale" type="password" autocomplete="current-password" problems={problems} />
          <Field id="password" label="Nuova password" type="password" autocomplete="new-password" hint="Almeno 12 caratteri." problems={problems} />
          <Field id="confirm" label="Ripeta la nuova password" type="password" autocomplete="new-password" problems={problems} />
          <p>
            <button type="submit">Cambia la password</button>
          </p>
        </form>
        <p class="hint">Cambiando la password si chiudono le sessioni aperte sugli altri dispositivi.</p>
      </section>
      <section class="card" aria-labelledby="sessioni">
        <h2 id="sessioni">Sessioni aperte</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Iniziata</th>
                <th scope="col">Ultima attività</th>
                <th scope="col">Indirizzo</th>
                <th scope="col">Browser</th>
              </tr>
            </thead>
            <tbody>
              {v.sessions.map((s) => (
                <tr>
                  <td>
                    {italianDateTime(s.createdAt)}
                    {s.current ? ' (questa)' : ''}
                  </td>
                  <td>{italianDateTime(s.lastSeenAt)}</td>
                  <td>{s.clientAddr ?? '—'}</td>
                  <td>{s.userAgent ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <form method="post" action="/console/esci-ovunque">
          <p>
            <button type="submit" class="secondary">
              Esci da tutti i dispositivi
            </button>
          </p>
        </form>
      </section>
      <section class="card" aria-labelledby="attivita">
        <h2 id="attivita">Attività recente</h2>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Quando</th>
                <th scope="col">Che cosa</th>
                <th scope="col">Indirizzo</th>
              </tr>
            </thead>
            <tbody>
              {v.recent.map((r) => (
                <tr>
                  <td>{italianDateTime(r.at)}</td>
                  <td>{EVENT_LABELS[r.event] ?? r.event}</td>
                  <td>{r.clientAddr ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>,
    PASSKEY_SCRIPTS,
  );
}
