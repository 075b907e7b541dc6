/** @module The console's Italian words: roles, account states, audit events and the refusals of sign-in and accounts. */
import type { StaffRole } from '../../domain/staff-accounts.ts';

export const ROLE_LABELS: Readonly<Record<StaffRole, string>> = {
  organiser: 'Ente formatore',
  cpo: 'Consiglio provinciale',
  cn: 'Consiglio nazionale',
  admin: 'Amministrazione',
};

export const ACCOUNT_STATE_LABELS: Readonly<Record<string, string>> = {
  invited: 'Invitato (password non ancora scelta)',
  active: 'Attivo',
  locked: 'Bloccato temporaneamente',
  disabled: 'Disattivato',
};

export const STAFF_REFUSALS: Readonly<Record<string, string>> = {
  'signin-failed': 'E-mail o password non corretti.',
  'current-password-wrong': 'La password attuale non è corretta.',
  'second-factor-failed': 'Il codice non è valido. Controlli che l’ora del telefono sia corretta e inserisca il codice che vede ora.',
  'too-many-attempts': 'Troppi tentativi di accesso da questo indirizzo. Riprovi fra qualche minuto.',
  'password-too-short': 'La password deve avere almeno 12 caratteri. Una frase di più parole è facile da ricordare e difficile da indovinare.',
  'password-too-long': 'La password può avere al massimo 256 caratteri.',
  'password-too-common': 'Questa password è fra le più usate e verrebbe indovinata subito: ne scelga un’altra.',
  'password-contains-email': 'La password non deve contenere il nome del Suo indirizzo e-mail.',
  'passwords-differ': 'Le due password non coincidono.',
  'link-not-usable': 'Il link non è più valido: è già stato usato, è scaduto oppure l’account è disattivato. Chieda un nuovo invito a chi L’ha invitata.',
  'staff-email-taken': 'Esiste già un account con questo indirizzo e-mail.',
  'invalid-staff-subject': 'L’ente o la provincia indicati non corrispondono al ruolo scelto.',
  'second-factor-not-pending': 'Non c’è una configurazione in attesa di conferma: ricominci dalla pagina Sicurezza.',
  'second-factor-required': 'Per il Suo ruolo la verifica in due passaggi è obbligatoria e non può essere tolta.',
  forbidden: 'Il Suo ruolo non consente questa operazione.',
  'staff-not-found': 'Account non trovato.',
  conflict: 'L’operazione non è possibile nello stato attuale dell’account.',
  'invalid-form': 'Alcuni campi non sono compilati correttamente.',
  'required-field': 'Questo campo è obbligatorio.',
  'invalid-email': 'Indichi un indirizzo e-mail valido, per esempio nome@ente.it.',
};

export function staffRefusal(code: string): string {
  return Object.hasOwn(STAFF_REFUSALS, code) ? STAFF_REFUSALS[code]! : 'La richiesta non è stata accettata. Controlli i dati e riprovi.';
}
