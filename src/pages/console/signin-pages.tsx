/**
 * @module The console's doors, in Italian, without script: sign-in, the second step (TOTP or a
 * recovery code), the TOTP enrolment with its QR code, choosing a password from a one-time link,
 * the forgotten password, and the recovery codes shown once. Errors are listed on top (linked to
 * their fields) and at each field, as WCAG 2.1 asks (3.3.1, 3.3.3).
 */
import type { Child, FC } from 'hono/jsx';
import { raw } from 'hono/html';
import { PASSWORD_MIN } from '../../domain/staff-accounts.ts';
import { italianDateTime } from '../format.ts';
import { Layout } from '../layout.tsx';
import { staffRefusal } from './labels.ts';

/** A refusal to show: the code (worded by `staffRefusal`) and the field it belongs to. */
export interface FormProblem {
  code: string;
  field?: string;
  /** Replaces the worded code (e.g. a lockout with its time). */
  text?: string;
}

const problemText = (p: FormProblem) => p.text ?? staffRefusal(p.code);

/** What the last act did, said once at the top of the page (`role="status"`); nothing when there is no notice. */
export const Notice: FC<{ text?: string | null | undefined }> = ({ text }) =>
  text ? (
    <div class="ok" role="status">
      {text}
    </div>
  ) : null;

export const ErrorSummary: FC<{ problems: readonly FormProblem[] }> = ({ problems }) =>
  problems.length ? (
    // autofocus: a screen reader and a keyboard user start from the list of what went wrong (WCAG 3.3.1).
    <div class="alert" role="alert" id="errori" tabindex={-1} autofocus>
      <h2>{problems.length === 1 ? 'C’è un problema' : 'Ci sono alcuni problemi'}</h2>
      <ul>
        {problems.map((p) => (
          <li>{p.field ? <a href={`#${p.field}`}>{problemText(p)}</a> : problemText(p)}</li>
        ))}
      </ul>
    </div>
  ) : null;

/** A labelled input with its error, `aria-invalid` and `aria-describedby` set when it has one. */
export const Field: FC<{
  id: string;
  label: string;
  type?: string;
  value?: string;
  autocomplete?: string;
  hint?: string;
  problems?: readonly FormProblem[];
  required?: boolean;
  inputmode?: 'numeric' | 'email' | 'text';
  children?: Child;
}> = ({ id, label, type = 'text', value, autocomplete, hint, problems = [], required = true, inputmode }) => {
  const mine = problems.filter((p) => p.field === id);
  const described = [hint ? `${id}-hint` : null, mine.length ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {mine.length ? (
        <p class="field-error" id={`${id}-error`}>
          {mine.map(problemText).join(' ')}
        </p>
      ) : null}
      <input
        type={type}
        id={id}
        name={id}
        value={value}
        autocomplete={autocomplete}
        required={required}
        inputmode={inputmode}
        aria-invalid={mine.length ? 'true' : undefined}
        aria-describedby={described}
      />
    </div>
  );
};

/** Adding a passkey: the button appears where the script finds WebAuthn; a note says why otherwise. */
export const PasskeyRegistration: FC<{ button: string }> = ({ button }) => (
  <div>
    <label for="passkey-label">Nome della passkey (per riconoscerla)</label>
    <input type="text" id="passkey-label" name="label" value="" autocomplete="off" />
    <p>
      <button type="button" data-passkey="register" data-passkey-url="/console/sicurezza/passkey" data-passkey-status="passkey-stato" hidden>
        {button}
      </button>
    </p>
    <p id="passkey-stato" role="status" class="hint"></p>
    <noscript>
      <p class="hint">Per le passkey serve JavaScript nel browser.</p>
    </noscript>
  </div>
);

const page = (title: string, body: Child, scripts?: readonly string[]) => (
  <Layout title={`${title} · Formazione continua CdL`} scripts={scripts}>
    {body}
  </Layout>
);

/** The console's WebAuthn scripts (the library, then ours): progressive enhancement only. */
export const PASSKEY_SCRIPTS = ['/console/assets/webauthn.js', '/console/assets/passkey.js'] as const;

export function signInPage(p: {
  email?: string;
  problems?: readonly FormProblem[];
  notice?: string;
  oidc?: { label: string } | null;
  /** The console page the person was going to (already checked to stay in the console). */
  next?: string | undefined;
}) {
  const problems = p.problems ?? [];
  const dopo = p.next && p.next !== '/console' ? `?dopo=${encodeURIComponent(p.next)}` : '';
  return page(
    'Accesso',
    <>
      <h1>Accesso al portale</h1>
      <p>Per il personale degli enti formatori, dei Consigli provinciali e del Consiglio nazionale.</p>
      {p.notice ? <div class="ok">{p.notice}</div> : null}
      <ErrorSummary problems={problems} />
      <form method="post" action={`/console/accesso${dopo}`} novalidate>
        <Field id="email" label="E-mail" type="email" autocomplete="username" value={p.email ?? ''} problems={problems} />
        <Field id="password" label="Password" type="password" autocomplete="current-password" problems={problems} />
        <p>
          <button type="submit">Accedi</button>
        </p>
      </form>
      <p>
        <a href="/console/password-dimenticata">Ho dimenticato la password</a>
      </p>
      {p.oidc ? (
        <form method="post" action={`/console/oidc${dopo}`}>
          <p>
            <button type="submit" class="secondary">
              Accedi con {p.oidc.label}
            </button>
          </p>
        </form>
      ) : null}
    </>,
  );
}

export function lockedPage(until: Date) {
  return page(
    'Accesso sospeso',
    <>
      <h1>Accesso sospeso per sicurezza</h1>
      <div class="alert" role="alert">
        <p>
          Ci sono stati troppi tentativi non riusciti per questo account. Per proteggerlo, l’accesso è sospeso fino alle{' '}
          <strong>{italianDateTime(until)}</strong>.
        </p>
      </div>
      <p>Se non è stato Lei, avvisi l’amministrazione: la password potrebbe essere nota ad altri. Se l’ha dimenticata, può sceglierne una nuova.</p>
      <p>
        <a href="/console/password-dimenticata">Scegli una nuova password</a> · <a href="/console/accesso">Torna all’accesso</a>
      </p>
    </>,
  );
}

export function secondStepPage(p: { problems?: readonly FormProblem[]; passkey?: boolean }) {
  const problems = p.problems ?? [];
  return page(
    'Verifica in due passaggi',
    <>
      <h1>Verifica in due passaggi</h1>
      <p>Inserisca il codice di 6 cifre che vede ora nell’app di autenticazione del telefono.</p>
      <ErrorSummary problems={problems} />
      <form method="post" action="/console/verifica" novalidate>
        <Field id="code" label="Codice" autocomplete="one-time-code" inputmode="numeric" problems={problems} />
        <p>
          <button type="submit">Verifica</button>
        </p>
      </form>
      {p.passkey ? (
        <>
          <p>
            <button
              type="button"
              class="secondary"
              data-passkey="signin"
              data-passkey-url="/console/verifica/passkey"
              data-passkey-status="passkey-stato"
              hidden
            >
              Usa una passkey
            </button>
          </p>
          <p id="passkey-stato" role="status" class="hint"></p>
        </>
      ) : null}
      <details>
        <summary>Non ha il telefono con sé?</summary>
        <p>Può inserire nello stesso campo uno dei codici di recupero che ha salvato quando ha attivato la verifica (ognuno vale una volta sola).</p>
      </details>
      <form method="post" action="/console/esci">
        <p>
          <button type="submit" class="secondary">
            Annulla ed esci
          </button>
        </p>
      </form>
    </>,
    p.passkey ? PASSKEY_SCRIPTS : undefined,
  );
}

export function enrolPage(p: { secret: string; qrSvg: string; required: boolean; problems?: readonly FormProblem[] }) {
  const passkeyOffer = (
    <details>
      <summary>Preferisce una passkey (impronta, volto, PIN del dispositivo o chiave di sicurezza)?</summary>
      <PasskeyRegistration button="Usa una passkey" />
    </details>
  );
  const problems = p.problems ?? [];
  return page(
    'Attiva la verifica in due passaggi',
    <>
      <h1>Attiva la verifica in due passaggi</h1>
      {p.required ? <p>Per il Suo ruolo la verifica in due passaggi è obbligatoria: serve una sola volta, poi a ogni accesso basta il codice.</p> : null}
      <ol>
        <li>Apra sul telefono un’app di autenticazione (per esempio Google Authenticator, Microsoft Authenticator, FreeOTP).</li>
        <li>Inquadri il codice QR qui sotto, oppure inserisca a mano la chiave.</li>
        <li>Scriva qui il codice di 6 cifre che l’app mostra.</li>
      </ol>
      <div class="card">
        <figure style="max-width:16rem;margin:0" aria-label="Codice QR per l’app di autenticazione">
          {raw(p.qrSvg)}
        </figure>
        <p>
          Chiave da inserire a mano: <code>{p.secret}</code>
        </p>
      </div>
      <ErrorSummary problems={problems} />
      <form method="post" action="/console/sicurezza/totp" novalidate>
        <Field id="code" label="Codice mostrato dall’app" autocomplete="one-time-code" inputmode="numeric" problems={problems} />
        <p>
          <button type="submit">Conferma</button>
        </p>
      </form>
      {passkeyOffer}
    </>,
    PASSKEY_SCRIPTS,
  );
}

export function recoveryCodesPage(codes: readonly string[]) {
  return page(
    'Codici di recupero',
    <>
      <h1>Codici di recupero</h1>
      <div class="warn">
        <p>
          Se perde il telefono, potrà accedere con uno di questi codici al posto del codice dell’app. Ognuno vale una volta sola. Li stampi o li salvi in un
          luogo sicuro: <strong>non saranno più mostrati</strong>.
        </p>
      </div>
      <ul class="codes">
        {codes.map((c) => (
          <li>{c}</li>
        ))}
      </ul>
      <p>
        <a href="/console">Ho salvato i codici: vai al portale</a>
      </p>
    </>,
  );
}

export function choosePasswordPage(p: { action: string; email: string; displayName: string; first: boolean; problems?: readonly FormProblem[] }) {
  const problems = p.problems ?? [];
  return page(
    p.first ? 'Attiva l’account' : 'Nuova password',
    <>
      <h1>{p.first ? 'Attiva il Suo account' : 'Scelga una nuova password'}</h1>
      <p>
        {p.displayName} · {p.email}
      </p>
      <ErrorSummary problems={problems} />
      <form method="post" action={p.action} novalidate>
        {/* The e-mail as username lets password managers save the pair (WCAG 3.3.8 helps here). */}
        <input type="hidden" name="username" value={p.email} autocomplete="username" />
        <Field
          id="password"
          label="Password"
          type="password"
          autocomplete="new-password"
          hint={`Almeno ${PASSWORD_MIN} caratteri. Una frase di più parole va benissimo; non servono simboli obbligatori.`}
          problems={problems}
        />
        <Field id="confirm" label="Ripeta la password" type="password" autocomplete="new-password" problems={problems} />
        <p>
          <button type="submit">{p.first ? 'Attiva l’account' : 'Salva la nuova password'}</button>
        </p>
      </form>
    </>,
  );
}

export function forgotPasswordPage(p: { sent: boolean; problems?: readonly FormProblem[] }) {
  const problems = p.problems ?? [];
  return page(
    'Password dimenticata',
    <>
      <h1>Password dimenticata</h1>
      {p.sent ? (
        <div class="ok" role="status">
          <p>Se l’indirizzo corrisponde a un account attivo, riceverà a breve un messaggio con il link per scegliere una nuova password (vale un’ora).</p>
        </div>
      ) : (
        <>
          <p>Indichi l’e-mail del Suo account: Le invieremo un link per scegliere una nuova password.</p>
          <ErrorSummary problems={problems} />
          <form method="post" action="/console/password-dimenticata" novalidate>
            <Field id="email" label="E-mail" type="email" autocomplete="username" problems={problems} />
            <p>
              <button type="submit">Invia il link</button>
            </p>
          </form>
        </>
      )}
      <p>
        <a href="/console/accesso">Torna all’accesso</a>
      </p>
    </>,
  );
}

/** A page that only says something (a link no longer usable, a refused request). */
export function consoleMessagePage(title: string, text: string, status: 'alert' | 'ok' = 'alert') {
  return page(
    title,
    <>
      <h1>{title}</h1>
      <div class={status} role={status === 'alert' ? 'alert' : 'status'}>
        <p>{text}</p>
      </div>
      <p>
        <a href="/console/accesso">Vai all’accesso</a>
      </p>
    </>,
  );
}
