/**
 * @module The Italian words of an event's attendance, questionnaire and course in the provider's
 * console: the refusals of corrections, closing, uploads and SCORM packages, each rejected row of
 * an uploaded file or platform report, compliance checks, questionnaire and mail states, and who
 * acted. Outcome statuses and reasons are `src/domain/outcome-texts.ts`' and the e-learning
 * reasons `src/pages/labels.ts`' (never re-worded here). A code without an entry falls back to a
 * generic sentence, never to the code.
 */
import { staffRefusal, STAFF_REFUSALS } from './labels.ts';

/** Refusals of the operations the attendance pages call (codes of `src/schemas/problems.ts`). */
export const ATTENDANCE_REFUSALS: Readonly<Record<string, string>> = {
  'event-not-found': 'Evento non trovato.',
  'event-closed': 'Il corso è chiuso (o sono passati 30 giorni dalla fine): ora solo il Consiglio provinciale può modificare le presenze.',
  'event-not-ended': 'Il corso si può chiudere solo dopo la fine dell’evento.',
  'member-not-registered': 'L’iscritto indicato non è registrato a questo evento.',
  'instant-in-future': 'L’orario indicato è nel futuro.',
  'invalid-instant': 'Indichi data e ora nel formato gg/mm/aaaa hh:mm (ora italiana).',
  'reason-too-short': 'Scriva il motivo della correzione (almeno 3 caratteri).',
  'no-valid-rows': 'Nessuna riga del file può essere accettata: non è stato registrato nulla. Le righe rifiutate sono elencate qui sotto.',
  'file-missing': 'Scelga il file da caricare.',
  'file-too-large': 'Il file è troppo grande.',
  'zip-bomb': 'Il file compresso si espande oltre i limiti consentiti e non è stato letto.',
  'too-many-sheets': 'Il file ha troppi fogli (al massimo 10).',
  'too-many-rows': 'Il file ha troppe righe (al massimo 20.000).',
  'too-many-columns': 'Il file ha troppe colonne (al massimo 50).',
  'unsupported-media-type': 'Il file non è un foglio Excel (.xlsx) né un CSV.',
  'not-a-workbook': 'Il file non è un foglio Excel (.xlsx) leggibile.',
  'encrypted-file': 'Il file è protetto da password: lo salvi senza protezione e lo carichi di nuovo.',
  'unreadable-file': 'Il file non si riesce a leggere: potrebbe essere danneggiato.',
  'formula-not-allowed': 'Il file contiene formule: le sostituisca con i valori e lo carichi di nuovo.',
  'missing-columns': 'Mancano colonne obbligatorie (Codice fiscale, Ora di ingresso, Ora di uscita): usi il modello scaricabile da questa pagina.',
  'duplicate-columns': 'Alcune colonne compaiono due volte nell’intestazione.',
  'unknown-report-format': 'Scelga la piattaforma da cui proviene il report.',
  'report-empty': 'Il report è vuoto.',
  'report-not-json': 'Il report non è un file JSON leggibile.',
  'report-shape-unrecognised': 'Il contenuto del report non corrisponde al formato scelto.',
  'report-blocks-missing': 'Il report non contiene le sezioni attese per questa piattaforma.',
  'report-columns-missing': 'Il report non contiene le colonne attese per questa piattaforma.',
  'report-date-order-conflict': 'Le date del report sono ambigue (giorno/mese): non è stato registrato nulla.',
  'report-too-large': 'Il report è troppo grande.',
  'service-unavailable': 'Il servizio è momentaneamente non disponibile: riprovi fra qualche minuto (ricaricare lo stesso file è sicuro).',
  // SCORM packages and courses (R-ELN-5)
  'not-elearning': 'Questo evento non è un corso e-learning o podcast.',
  'course-has-enrolments': 'Ci sono già iscritti al corso: il pacchetto che seguono non può più essere sostituito.',
  'no-scorm-package': 'Il corso non ha ancora un pacchetto SCORM.',
  'review-unavailable': 'Un corso cmi5 non si apre ancora in revisione: chieda all’ente un accesso di consultazione.',
  'enrolment-not-found': 'L’iscritto non risulta iscritto a questo corso.',
  'attestation-not-available':
    'L’attestato sarà disponibile quando il corso risulta completato (o la presenza all’evento riconosciuta) con i crediti attribuiti.',
  'participant-not-found': 'L’iscritto non risulta registrato all’evento né tra i partecipanti.',
  'not-a-zip': 'Il pacchetto SCORM deve essere un file .zip.',
  'unsafe-path': 'Il pacchetto contiene percorsi non consentiti e non è stato letto.',
  'manifest-missing': 'Il pacchetto non contiene il file imsmanifest.xml.',
  'manifest-malformed': 'Il file imsmanifest.xml del pacchetto non è leggibile.',
  'unsupported-scorm-version': 'Il pacchetto non è SCORM 1.2 né SCORM 2004.',
  'no-sco': 'Il pacchetto non contiene alcuna unità didattica (SCO).',
  'launch-file-missing': 'Un’unità didattica del pacchetto rimanda a un file che non c’è.',
  'invalid-form': 'Il modulo non è completo: controlli i campi indicati.',
};

/** A refusal in Italian: the attendance table, then the console's (required fields, roles), then a generic sentence. */
export function attendanceRefusal(code: string): string {
  if (Object.hasOwn(ATTENDANCE_REFUSALS, code)) return ATTENDANCE_REFUSALS[code]!;
  if (Object.hasOwn(STAFF_REFUSALS, code)) return staffRefusal(code);
  return 'La richiesta non è stata accettata. Controlli i dati e riprovi.';
}

/** Why one row of an uploaded attendance file was rejected (`src/domain/attendance-file.ts`). */
export const ROW_REFUSALS: Readonly<Record<string, string>> = {
  'malformed-row': 'Riga non leggibile',
  'formula-like-text': 'Un testo comincia come una formula (=, +, -, @): non è accettato',
  'missing-field': 'Manca un dato obbligatorio (codice fiscale, ora di ingresso o di uscita)',
  'invalid-codice-fiscale': 'Codice fiscale non valido',
  'invalid-date': 'Data non valida',
  'invalid-time': 'Orario non valido (usi hh:mm)',
  'outside-event-day': 'La data non è quella dell’evento',
  'exit-before-entry': 'L’ora di uscita è precedente all’ora di ingresso',
  'instant-in-future': 'L’orario è nel futuro',
  'unknown-member': 'Nessun iscritto all’Albo ha questo codice fiscale',
  'not-registered': 'L’iscritto non è registrato a questo evento',
  'duplicate-row': 'Riga uguale a una precedente (stesso iscritto, ingresso e uscita)',
};

/** Why one row of a platform report was not read or not counted (`adapters/webinar/reports`). */
export const REPORT_ROW_REFUSALS: Readonly<Record<string, string>> = {
  'row-unparseable': 'Riga non leggibile',
  'row-not-an-object': 'Elemento non leggibile',
  'time-unreadable': 'Orario non leggibile',
  'time-nonexistent': 'Orario inesistente (cambio dell’ora legale)',
  'time-implausible': 'Orario non plausibile',
  'time-without-offset': 'Orario senza fuso orario',
  'leave-before-join': 'Uscita precedente all’ingresso',
  'waiting-room': 'Sala d’attesa: non è presenza',
  lobby: 'Sala d’attesa: non è presenza',
  'not-attended': 'Iscritto che non ha partecipato',
  'no-attendance': 'Nessuna presenza',
  'no-identity': 'Partecipante senza dati per abbinarlo a un iscritto',
  'no-instants': 'Presenza senza orari',
};

export function rowRefusal(table: Readonly<Record<string, string>>, code: string): string {
  return Object.hasOwn(table, code) ? table[code]! : 'Riga non accettata';
}

/** The platform report formats (`REPORT_FORMATS`) as a person chooses them. */
export const REPORT_FORMAT_LABELS: Readonly<Record<string, string>> = {
  'teams-csv': 'Microsoft Teams: report delle presenze (CSV scaricato)',
  'teams-graph': 'Microsoft Teams: attendanceRecords di Graph (JSON)',
  'zoom-csv': 'Zoom: report dei partecipanti (CSV)',
  'zoom-api': 'Zoom: report dei partecipanti dall’API (JSON)',
  'goto-api': 'GoTo Webinar: partecipanti (JSON)',
  'webex-api': 'Webex: partecipanti alla riunione (JSON)',
};

/** Who made a change, as a person reads it (R-ACC-7): the person's name, an API key, or the system. */
export function authorText(ref: string | null, names: ReadonlyMap<string, string>): string {
  if (!ref) return 'sistema';
  return names.get(ref) ?? (/^[a-z]+:user:/.test(ref) ? 'persona (account non più presente)' : 'chiave API');
}

/** Correction types (R-ATT-6). */
export const CORRECTION_TYPE_LABELS: Readonly<Record<string, string>> = { join: 'Ingresso', leave: 'Uscita' };

/** The R-ELN-5 checks of a course (`src/domain/elearning-compliance.ts`). */
export const COMPLIANCE_CHECK_LABELS: Readonly<Record<string, string>> = {
  'scorm-package': 'Pacchetto SCORM 1.2, SCORM 2004 o cmi5 con almeno un’unità didattica',
  'launch-files': 'Ogni unità didattica avvia un file del pacchetto',
  'module-duration': 'Moduli di al massimo 15 minuti',
  'questions-in-bank': 'Domande disponibili per la verifica finale',
  'questions-per-attempt': 'Domande per tentativo',
  'random-draw': 'Estrazione casuale delle domande',
  'retry-different-questions': 'Domande diverse a ogni nuovo tentativo',
  'access-window': 'Periodo di accesso al corso',
  'full-completion': 'Completamento di tutte le unità',
  navigation: 'Navigazione del pacchetto (unità nascoste, prerequisiti, sequenze)',
  'accreditation-validity': 'Validità dell’accreditamento (un anno)',
};

export const CHECK_STATUS_LABELS: Readonly<Record<string, string>> = {
  verified: 'Verificato sul pacchetto',
  declared: 'Dichiarato dall’ente',
  pass: 'Rispettato',
  fail: 'Non rispettato',
  'not-enforced': 'Non applicato dal lettore',
};

/** An e-learning enrolment's status (`src/domain/elearning-progress.ts`). */
export const ENROLMENT_STATUS_LABELS: Readonly<Record<string, string>> = {
  credited: 'Crediti riconosciuti',
  'in-progress': 'In corso',
  'not-credited': 'Crediti non riconosciuti',
};

/** A questionnaire's status (R-QST-8). */
export const QUESTIONNAIRE_STATUS_LABELS: Readonly<Record<string, string>> = {
  open: 'Da compilare',
  passed: 'Superato',
  failed: 'Non superato',
  expired: 'Scaduto senza risposta',
};

/** Where the questionnaire's link mail is. */
export const QUESTIONNAIRE_MAIL_LABELS: Readonly<Record<string, string>> = {
  sent: 'Inviata',
  queued: 'In attesa di invio',
  retrying: 'Invio non riuscito, si riprova',
  'no-address': 'Manca l’indirizzo e-mail',
  none: 'Non ancora preparata',
};

/**
 * Why a derivation changed outcomes (`describeCause` of `src/domain/outcomes.ts`, recorded in
 * English in the audit), in Italian, part by part; an unknown part says only that something changed.
 */
export function causeText(cause: string): string {
  const part = (p: string): string => {
    let m: RegExpExecArray | null;
    if (p === 'first derivation') return 'primo calcolo degli esiti';
    if (p === 'recomputed, inputs unchanged') return 'ricalcolo, dati invariati';
    if ((m = /^tolerance (\d+) → (\d+) min/.exec(p))) return `tolleranza da ${m[1]} a ${m[2]} minuti`;
    if ((m = /^(-?\d+) organiser correction/.exec(p))) return `${m[1]} correzioni dell’ente`;
    if ((m = /^(-?\d+) new tracking record/.exec(p))) return `${m[1]} nuove registrazioni di presenza`;
    if (p.startsWith('course closed')) return 'corso chiuso';
    if (p === 'course reopened') return 'corso riaperto';
    if (p === 'registrations changed') return 'iscrizioni cambiate';
    if ((m = /^accreditation (\w+)/.exec(p)))
      return `accreditamento ${({ approved: 'concesso', rejected: 'negato', requested: 'richiesto' } as Record<string, string>)[m[1]!] ?? 'cambiato'}`;
    if ((m = /^(-?\d+) questionnaire outcome/.exec(p))) return `${m[1]} esiti del questionario di verifica`;
    return 'altri dati cambiati';
  };
  return cause.split('; ').map(part).join('; ');
}
