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

/** Event modes (R-EVT-1, R-FAD-1). */
export const MODE_LABELS: Readonly<Record<string, string>> = {
  'in-person': 'In presenza',
  videoconference: 'Videoconferenza',
  webinar: 'Webinar',
  'e-learning': 'E-learning',
  podcast: 'Podcast',
  mixed: 'Mista (presenza e distanza)',
};

export const PLATFORM_LABELS: Readonly<Record<string, string>> = {
  zoom: 'Zoom',
  teams: 'Microsoft Teams',
  goto: 'GoTo Webinar',
  webex: 'Webex',
  generic: 'Altra piattaforma',
};

/**
 * The refusals of the provider's event pages: operations' codes (`ServiceError`), the rules an
 * event breaks (`invalid-event`, R-EVT-*), the question pool's (R-QST-3), the spreadsheet
 * reader's, and the rows of a registration file.
 */
export const EVENT_REFUSALS: Readonly<Record<string, string>> = {
  // Operations
  'invalid-event': 'L’evento non rispetta alcune regole: veda i punti seguenti.',
  'event-not-found': 'Evento non trovato.',
  'organiser-not-found': 'Ente formatore non trovato.',
  'event-closed': 'Il corso è chiuso: non si possono più iscrivere partecipanti (R-EVT-7).',
  'platform-meeting-exists': 'Un altro evento dell’ente usa già questo ID della riunione sulla piattaforma.',
  'question-pool-required':
    'Per un webinar di un ente autorizzato (tipo e) servono le 30 domande del questionario: le importi da un foglio di calcolo o le scriva nel modulo.',
  'questionnaire-not-applicable': 'Il questionario è previsto solo per i webinar degli enti autorizzati dal CN (tipo e): tolga le domande.',
  'invalid-question-pool': 'Le domande del questionario non rispettano le regole (R-QST-3): veda i punti seguenti.',
  'question-pool-incomplete': 'Le domande del questionario non sono 30.',
  'question-pool-accredited': 'L’accreditamento è già deciso: le domande accreditate dal CPO non si possono più cambiare.',
  'question-pool-locked': 'I questionari sono già stati inviati: le domande non si possono più cambiare.',
  'invalid-query': 'La pagina richiesta non esiste più: ricominci dall’elenco.',
  // The form's own
  'invalid-date-time': 'Indichi data e ora nel formato gg/mm/aaaa hh:mm.',
  'invalid-number': 'Indichi un numero intero.',
  'file-missing': 'Scelga un file da importare.',
  'pool-source-missing': 'Importi le 30 domande da un foglio di calcolo oppure le scriva nel modulo.',
  // Spreadsheets
  'missing-columns': 'Il file non ha le colonne richieste: usi il modello (la prima riga con le intestazioni).',
  'file-too-large': 'Il file è troppo grande.',
  'zip-bomb': 'Il file non è stato accettato: il suo contenuto compresso è anomalo.',
  'encrypted-file': 'Il file è protetto da password: lo salvi senza protezione e riprovi.',
  'unreadable-file': 'Il file non si riesce a leggere: lo salvi di nuovo come .xlsx o CSV e riprovi.',
  'not-a-workbook': 'Il file non è un foglio Excel (.xlsx) né un CSV.',
  'too-many-sheets': 'Il file ha troppi fogli: ne lasci uno solo.',
  'too-many-rows': 'Il file ha troppe righe.',
  'too-many-columns': 'Una riga ha troppe colonne.',
  'formula-not-allowed': 'Il file contiene formule: le sostituisca con i valori e riprovi.',
  'unsupported-media-type': 'Il tipo di file non è supportato: usi .xlsx o CSV.',
};

/** Why an event breaks a rule (`validateEvent`'s codes), in the organiser's words. */
export const EVENT_VIOLATIONS: Readonly<Record<string, string>> = {
  'invalid-instant': 'Data e ora non valide.',
  'end-not-after-start': 'La fine deve essere dopo l’inizio (R-EVT-1).',
  'unknown-province': 'Provincia sconosciuta.',
  'topics-missing': 'Indichi almeno un argomento (R-EVT-1).',
  'topic-end-not-after-start': 'L’argomento deve finire dopo l’inizio.',
  'topic-outside-event': 'L’argomento deve stare dentro l’orario dell’evento (R-EVT-1).',
  'topics-out-of-order': 'Gli argomenti vanno elencati in ordine di orario (R-EVT-1).',
  'topics-overlap': 'Gli argomenti non devono sovrapporsi (R-EVT-1).',
  'invalid-credits': 'I crediti sono un numero intero maggiore di zero.',
  'credits-exceed-hours': 'I crediti non possono superare le ore intere dell’evento: 1 ora = 1 credito (R-CAL-6).',
  'fractions-required': 'Un evento frazionabile elenca le sue frazioni (R-ATT-5).',
  'fractions-not-allowed': 'Solo un evento frazionabile ha frazioni.',
  'fraction-end-not-after-start': 'La frazione deve finire dopo l’inizio.',
  'fractions-not-covering': 'Le frazioni devono coprire l’evento dall’inizio alla fine (R-ATT-5).',
  'fractions-not-contiguous': 'Ogni frazione deve iniziare quando finisce la precedente (R-ATT-5).',
  'fraction-credits-exceed-hours': 'I crediti della frazione superano le sue ore intere (R-CAL-6).',
  'fraction-credits-mismatch': 'La somma dei crediti delle frazioni deve essere uguale ai crediti dell’evento (R-ATT-5).',
  'fractions-overlap': 'Le sessioni non devono sovrapporsi (R-EVT-6).',
  'autonomous-fraction-outside-path': 'Solo le sessioni di un percorso strutturato possono essere autonome (R-EVT-6).',
  'structured-path-mode': 'Un percorso strutturato si svolge in presenza o in modalità mista (R-EVT-6).',
  'structured-path-sessions-required': 'Un percorso strutturato è frazionabile: le sue sessioni sono le frazioni (R-EVT-6).',
  'structured-path-too-short': 'Un percorso strutturato dura più di 20 ore (R-EVT-6).',
  'structured-path-single-day': 'Un percorso strutturato si svolge in più giorni (R-EVT-6).',
  'region-wide-not-webinar': 'Solo un webinar può essere aperto a tutta la regione (R-EVT-4).',
  'tolerance-out-of-range': 'La tolleranza è fra 0 e 30 minuti; solo il CPO può alzarla, fino a 60, dal giorno dopo (R-ATT-2).',
  'cpo-province-mismatch': 'Un Consiglio provinciale accredita solo i propri eventi: scelga la sua provincia (R-EVT-2).',
  'mode-not-authorised': 'L’ente non è autorizzato dal CN per questa modalità (R-EVT-2).',
  'authorisation-not-valid': 'L’autorizzazione del CN non è valida oggi (R-EVT-2).',
  'accreditation-too-late': 'L’accreditamento si chiede almeno 20 giorni prima dell’evento (R-EVT-3).',
};

/** Why the question pool is refused (`validatePool`'s codes, R-QST-3). */
export const POOL_VIOLATIONS: Readonly<Record<string, string>> = {
  'pool-size': 'Le domande devono essere esattamente 30 (R-QST-3).',
  'question-empty': 'la domanda è vuota.',
  'question-too-long': 'la domanda supera i 1000 caratteri.',
  'option-count': 'servono da 2 a 6 risposte.',
  'option-empty': 'una risposta è vuota.',
  'option-too-long': 'una risposta supera i 500 caratteri.',
  'duplicate-option': 'due risposte sono uguali.',
  'correct-out-of-range': 'la risposta corretta deve essere il numero di una delle risposte date.',
  'duplicate-question': 'la domanda ripete una domanda precedente.',
};

/** Why a row of a registration file was not registered. */
export const REGISTRATION_ROW_REFUSALS: Readonly<Record<string, string>> = {
  'member-not-found': 'nessun iscritto all’Albo con questo codice fiscale.',
  'invalid-codice-fiscale': 'codice fiscale non valido.',
  'duplicate-in-batch': 'lo stesso iscritto compare due volte nel file.',
  'registrant-id-taken': 'l’ID della piattaforma è già di un altro iscritto a questo evento.',
  'email-taken': 'l’e-mail è già di un altro iscritto a questo evento.',
  'missing-field': 'manca il codice fiscale.',
  'invalid-email': 'e-mail non valida.',
  'invalid-field': 'un valore è troppo lungo.',
  'malformed-row': 'la riga non è leggibile (virgolette non chiuse?).',
};

/** A refusal of the event pages in Italian (then the account pages' words, then a generic sentence). */
export function eventRefusal(code: string): string {
  if (Object.hasOwn(EVENT_REFUSALS, code)) return EVENT_REFUSALS[code]!;
  if (Object.hasOwn(EVENT_VIOLATIONS, code)) return EVENT_VIOLATIONS[code]!;
  return staffRefusal(code);
}

export const wordOf = (table: Readonly<Record<string, string>>, code: string, fallback = 'valore non accettato.') =>
  Object.hasOwn(table, code) ? table[code]! : fallback;
