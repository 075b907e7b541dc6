/**
 * @module The Italian words of the member dashboard, as data: credit modes, why a credit did not
 * count, balance and request statuses, reduction causes and steps, art. 9 units, the refusal codes
 * the filing functions return and the outcomes shown after a form is sent. Pages look words up
 * here; a code without an entry falls back to a generic sentence, never to the code itself.
 */
import type { Art9Unit } from '../domain/art9.ts';
import type { Balance, CreditMode, NotCountedReason } from '../domain/balance.ts';
import type { ProgressReason } from '../domain/elearning-progress.ts';
import type { GrantScope } from '../domain/grants.ts';
import type { ReductionCause, ReductionState, ReductionValidity } from '../domain/reduction.ts';

/** How a credit was earned (R-FAD-1: webinar, e-learning and podcast are distance modes). */
export const MODE_LABELS: Readonly<Record<CreditMode, string>> = {
  'in-person': 'In presenza',
  videoconference: 'Videoconferenza',
  webinar: 'Webinar',
  'e-learning': 'E-learning',
  podcast: 'Podcast',
  mixed: 'Mista',
  art9: 'Altra attività (art. 9)',
};

/** Why (part of) a credit does not count toward the biennium (R-FAD-5, R-ART9, R-QST, R-DEBT-3). */
export const NOT_COUNTED_LABELS: Readonly<Record<NotCountedReason, string>> = {
  'distance-cap': 'oltre il limite della formazione a distanza',
  'other-activities-cap': 'oltre il limite di 30 crediti per le altre attività formative (art. 9)',
  'pending-questionnaire': 'in attesa del superamento del questionario di verifica',
  'pending-validation': 'in attesa di convalida da parte del Consiglio provinciale',
  'not-granted': 'crediti non riconosciuti',
  'settles-previous-debt': 'usati per recuperare il debito formativo del biennio precedente',
  'discipline-council-limit': 'oltre il limite per i consigli di disciplina (3 crediti l’anno, 6 nel biennio)',
  'dominus-limit': 'oltre il limite di 10 crediti nel biennio per il dominus di praticante',
};

/** Where the member stands for a biennium (R-DEBT-4). */
export const BALANCE_STATUS_LABELS: Readonly<Record<Balance['status'], string>> = {
  'in-progress': 'In corso',
  compliant: 'In regola',
  'debt-open': 'Debito aperto',
  'non-compliant': 'Non in regola',
};

/** An accepted debt, by how much of it the new biennium's credits have settled (R-DEBT-3, R-DEBT-4). */
export const DEBT_STATUS_LABELS: Readonly<Record<NonNullable<Balance['debt']>['status'], string>> = {
  open: 'da recuperare',
  settled: 'recuperato',
  unsettled: 'non recuperato entro il termine',
};

/** A debt recovery request (R-DEBT-2). */
export const DEBT_REQUEST_STATUS_LABELS: Readonly<Record<string, string>> = {
  filed: 'In attesa di decisione',
  accepted: 'Accolta',
  rejected: 'Respinta',
};

/** An art. 9 declaration (R-ART9-3). */
export const ART9_STATUS_LABELS: Readonly<Record<string, string>> = {
  submitted: 'In attesa di convalida',
  validated: 'Convalidata',
  rejected: 'Respinta',
};

/** What one unit of an art. 9 row is, for the activity list ("2 crediti per ora"). */
export const ART9_UNIT_LABELS: Readonly<Record<Art9Unit, { per: string; one: string; many: string }>> = {
  hour: { per: 'per ora', one: 'ora', many: 'ore' },
  item: { per: '', one: 'attività', many: 'attività' },
  session: { per: 'per sessione', one: 'sessione', many: 'sessioni' },
  meeting: { per: 'per riunione', one: 'riunione', many: 'riunioni' },
  semester: { per: 'per semestre completato', one: 'semestre', many: 'semestri' },
};

/** Causes of a reduction of the obligation (R-RED-1, art. 27 c.1). */
export const CAUSE_LABELS: Readonly<Record<ReductionCause, string>> = {
  illness: 'Malattia',
  injury: 'Infortunio',
  inability: 'Inabilità temporanea',
  oncology: 'Terapie oncologiche (proprie o di un familiare di primo grado)',
  hospitalisation: 'Ricovero ospedaliero (proprio o di un familiare di primo grado)',
  convalescence: 'Convalescenza',
  disability: 'Disabilità',
  invalidity: 'Invalidità',
  maternity: 'Maternità',
  paternity: 'Paternità',
  adoption: 'Adozione',
  fostering: 'Affidamento',
  'military-recall': 'Richiamo alle armi',
  'civil-service': 'Servizio civile',
  volunteering: 'Volontariato',
  'civil-protection': 'Protezione civile',
  rescue: 'Soccorso alpino e speleologico',
  law104: 'Assistenza a un familiare (legge 104/1992)',
  age70: 'Compimento dei 70 anni di età',
  'force-majeure': 'Altra causa di forza maggiore documentata',
};

/** A reduction request along its procedure (R-RED-7). */
export const REDUCTION_STATUS_LABELS: Readonly<Record<ReductionState, string>> = {
  filed: 'Presentata',
  acknowledged: 'Protocollata',
  'pre-denied': 'Preavviso di rigetto: può integrare i documenti',
  integrated: 'Documenti integrati, in attesa di decisione',
  approved: 'Accolta',
  denied: 'Respinta',
  appealed: 'Ricorso al Consiglio Nazionale presentato',
};

/** The steps of a reduction request's timeline (R-RED-7). */
export const REDUCTION_STEP_LABELS: Readonly<Record<string, string>> = {
  file: 'Richiesta presentata',
  acknowledge: 'Richiesta protocollata',
  'pre-deny': 'Preavviso di rigetto',
  integrate: 'Documenti integrati',
  approve: 'Richiesta accolta',
  deny: 'Richiesta respinta',
  appeal: 'Ricorso al Consiglio Nazionale',
};

/** How long an approved reduction lasts (R-RED-6). */
export const VALIDITY_LABELS: Readonly<Record<ReductionValidity, string>> = {
  biennium: 'valida per il biennio',
  permanent: 'permanente',
  'until-certificate-expiry': 'valida fino alla scadenza del certificato',
};

/** Who a raised distance percentage is for (R-FAD-3). */
export const GRANT_SCOPE_LABELS: Readonly<Record<GrantScope, string>> = {
  member: 'concessa personalmente',
  group: 'concessa a un gruppo di iscritti',
  province: 'concessa a tutti gli iscritti della provincia',
  national: 'concessa a livello nazionale',
};

/** Reasons the gateway itself gives when it refuses a request (stored codes, shown in Italian). */
export const DECISION_REASON_LABELS: Readonly<Record<string, string>> = {
  'late-filing': 'richiesta presentata oltre il termine, quando l’obbligo ridotto non poteva più essere rispettato in tempo (R-RED-8)',
};

/**
 * Why a request from the dashboard was refused: the codes of `services/council/filing.ts` (art. 9, debt,
 * reduction, integration, appeal), of the calculator and of the upload checks.
 */
export const REFUSAL_LABELS: Readonly<Record<string, string>> = {
  // Art. 9 declarations (R-ART9-3)
  'unknown-activity': 'Scelga un’attività dall’elenco.',
  'invalid-quantity': 'Indichi una quantità intera da 1 a 1000.',
  'activity-in-future': 'La data dell’attività non può essere successiva a oggi.',
  'declarations-closed': 'Le dichiarazioni per il biennio di quell’attività si sono chiuse il 31 gennaio successivo al biennio.',
  'invalid-description': 'Descriva l’attività (al massimo 1000 caratteri).',
  'art9-duplicate': 'Ha già dichiarato questa attività, con la stessa data e quantità.',
  'reduction-request-exists': 'Ha già una richiesta in corso per questa causa e questo biennio: attenda la decisione o, se respinta, ne presenti una nuova.',
  // Debt recovery (R-DEBT-1, R-DEBT-2)
  'over-maximum': 'Il numero di crediti supera il massimo recuperabile per il biennio.',
  'deontology-over-total': 'I crediti deontologici fanno parte del totale: non possono superarlo.',
  late: 'Il termine per chiedere il recupero è scaduto (28 febbraio successivo al biennio).',
  'too-early': 'La richiesta di recupero si presenta dopo la fine del biennio, dal 1° gennaio al 28 febbraio.',
  'nothing-to-recover': 'Non ci sono crediti da recuperare: l’obbligo del biennio è già assolto.',
  'exceeds-shortfall': 'La richiesta supera i crediti che mancano per completare l’obbligo.',
  'debt-request-exists': 'Per questo biennio è già presente una richiesta di recupero.',
  // Reduction calculator and filing (R-RED-2, R-RED-3, R-RED-4, R-RED-5, R-RED-6, R-RED-7, R-RED-8)
  'invalid-input': 'Controlli i dati inseriti: alcune date o valori non sono validi.',
  'period-shorter-than-30-days': 'Il periodo indicato è inferiore a 30 giorni: non dà diritto a una riduzione.',
  'outside-biennium': 'Il periodo indicato non cade nel biennio scelto.',
  'unknown-cause': 'Scelga una causa dall’elenco.',
  // Integration and appeal (R-RED-7)
  'reduction-not-found': 'La richiesta indicata non è tra le sue.',
  'invalid-transition': 'Nello stato attuale della richiesta questa operazione non è possibile.',
  'out-of-time': 'Il termine per questa operazione è scaduto.',
  'invalid-appeal': 'Scriva i motivi del ricorso (al massimo 4000 caratteri).',
  // Forms and files
  'invalid-form': 'Il modulo non è completo: controlli i campi obbligatori.',
  'invalid-biennium': 'Il biennio indicato non è disponibile.',
  'file-missing': 'Alleghi almeno un documento (PDF, PNG o JPEG).',
  'file-type': 'Sono ammessi solo file PDF, PNG o JPEG: uno dei file allegati è di un altro tipo.',
  'file-too-large': 'Ogni file può essere al massimo di 5 MB.',
  'too-many-files': 'Si possono allegare al massimo 5 file per richiesta.',
  'body-too-large': 'I file allegati superano la dimensione consentita (5 file da 5 MB al massimo).',
  'form-too-large': 'Il modulo inviato è troppo lungo: accorci i testi e lo invii di nuovo.',
  'length-required': 'La richiesta non indica la sua dimensione e non è stata accettata. Invii di nuovo il modulo dalla pagina della formazione continua.',
  'cross-site': 'La richiesta non proviene da questa pagina e non è stata accettata.',
};

/** What the member reads after a form went through (Post/Redirect/Get: `?esito=<code>`). */
export const OUTCOME_LABELS: Readonly<Record<string, string>> = {
  'art9-filed': 'Dichiarazione inviata: l’attività sarà conteggiata dopo la convalida del Consiglio provinciale.',
  'debt-filed': 'Richiesta di recupero inviata al Consiglio provinciale.',
  'reduction-filed': 'Richiesta di riduzione dell’obbligo inviata al Consiglio provinciale.',
  'reduction-late': 'Richiesta registrata ma respinta perché presentata oltre il termine: può presentare ricorso al Consiglio Nazionale.',
  'integration-filed': 'Documenti integrativi inviati al Consiglio provinciale.',
  'appeal-filed': 'Ricorso al Consiglio Nazionale inviato.',
};

/** Fallback for a refusal code without an entry. */
export const GENERIC_REFUSAL = 'La richiesta non è stata accettata. Controlli i dati e riprovi.';

export function refusalText(code: string): string {
  return Object.hasOwn(REFUSAL_LABELS, code) ? REFUSAL_LABELS[code]! : GENERIC_REFUSAL;
}

export function outcomeText(code: string | undefined): string | null {
  return code && Object.hasOwn(OUTCOME_LABELS, code) ? OUTCOME_LABELS[code]! : null;
}

/** A label from a table, or the fallback (unknown stored codes never show as raw codes). */
export function labelOf(table: Readonly<Record<string, string>>, code: string, fallback = '—'): string {
  return Object.hasOwn(table, code) ? table[code]! : fallback;
}

/**
 * Where an e-learning enrolment stands (src/domain/elearning-progress.ts reasons), as the player
 * page and the attestation pages say it; `not-derived` before the first commit is derived.
 */
export const ELEARNING_REASON_LABELS: Readonly<Record<ProgressReason | 'not-derived', string>> = {
  credited: 'Corso completato: crediti riconosciuti.',
  'not-derived': 'Il corso non risulta ancora iniziato o i dati di fruizione non sono ancora stati elaborati.',
  'accreditation-rejected': 'L’evento non è stato accreditato dal Consiglio provinciale: il corso non dà crediti.',
  'not-yet-accredited': 'L’evento non è ancora accreditato dal Consiglio provinciale: le attività svolte prima dell’accreditamento non contano.',
  'course-not-declared': 'L’ente organizzatore non ha ancora dichiarato la durata del corso.',
  'sco-not-completed': 'Non tutte le unità didattiche del corso risultano completate.',
  'final-test-not-passed': 'La verifica finale non risulta superata.',
  'time-short': 'Il tempo di fruizione registrato è inferiore alla durata del corso.',
  'validity-ended': 'Il periodo di validità del corso (un anno dall’accreditamento) è terminato prima del completamento.',
};

/**
 * Why an event's attendance certificate is not available yet (R-DOC-7), in the member's words: the
 * outcome's reason (R-ATT-9) or what the questionnaire said of the credits (R-QST-1, R-QST-8).
 */
export const ATTENDANCE_CERTIFICATE_REASON_LABELS: Readonly<Record<string, string>> = {
  'not-derived': 'Le presenze dell’evento non risultano ancora elaborate.',
  'absence-over-tolerance': 'L’assenza registrata supera la tolleranza ammessa: la presenza non dà crediti.',
  'open-interval': 'Manca l’orario di uscita di un suo collegamento: l’ente organizzatore deve completarlo.',
  'out-of-audience': 'L’evento era aperto agli iscritti di altri Ordini provinciali.',
  'event-not-accredited': 'L’evento non è stato accreditato dal Consiglio provinciale.',
  'not-registered': 'La sua partecipazione non corrisponde a un’iscrizione all’evento.',
  'no-registration-match': 'La sua partecipazione non corrisponde a un’iscrizione all’evento.',
  'identity-conflict': 'I dati della piattaforma corrispondono a più iscritti: l’ente organizzatore deve verificarli.',
  'questionnaire-required': 'I crediti sono in attesa del questionario di verifica.',
  'questionnaire-failed': 'Il questionario di verifica non è stato superato: i crediti non sono riconosciuti.',
  'questionnaire-expired': 'Il questionario di verifica non è stato compilato entro il termine: i crediti non sono riconosciuti.',
};

/** The verification statuses that refuse a compliance certificate (R-DOC-8), in the member's words. */
export const NOT_COMPLIANT_LABELS: Readonly<Record<string, string>> = {
  short: 'Dalla verifica del Consiglio provinciale l’obbligo formativo del biennio non risulta assolto.',
  'debt-accepted': 'Il debito formativo accolto va recuperato entro il 30 giugno: il certificato sarà disponibile dopo la verifica del recupero.',
  'debt-not-settled': 'Il debito formativo non risulta recuperato entro il 30 giugno.',
  'not-due': 'L’obbligo formativo del biennio non era ancora iniziato.',
};
