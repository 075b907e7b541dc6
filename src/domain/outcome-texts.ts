/**
 * @module What an attendance outcome (R-ATT-9) says in Italian: its status, the reason of its
 * explanation, the questionnaire's say. Words as data, shared by the attendance workbook's Esito
 * sheet (`adapters/xlsx/attendance-workbook.ts`) and the member dashboard (`src/pages/dashboard.tsx`),
 * so a member reads the same reason the organiser's file gives.
 */

/** Outcome statuses (R-ATT-9) in Italian. */
export const STATUS_TEXT: Readonly<Record<string, string>> = {
  credited: 'Crediti riconosciuti',
  'not-qualified': 'Crediti non riconosciuti',
  incomplete: 'Presenza incompleta',
  unmatched: 'Non abbinato',
  'out-of-audience': 'Fuori dal pubblico ammesso',
  'identity-conflict': 'Identità in conflitto',
  'not-accredited': 'Evento non accreditato',
};

/** Reason codes of the explanation (R-ATT-9) in Italian. */
export const REASON_TEXT: Readonly<Record<string, string>> = {
  qualified: 'Assenza entro la tolleranza',
  'absence-over-tolerance': 'Assenza oltre la tolleranza',
  'open-interval': "Ingresso senza uscita registrata: manca l'orario di uscita",
  'out-of-audience': "Iscritto a un Ordine provinciale fuori dal pubblico ammesso all'evento",
  'event-not-accredited': "L'evento non è stato accreditato",
  'not-registered': "Partecipante non iscritto all'evento",
  'no-registration-match': 'Nessuna iscrizione corrisponde ai dati della piattaforma',
  'identity-conflict': 'I dati della piattaforma corrispondono a più iscritti',
};

export const PENDING_TEXT = 'crediti in attesa del questionario di verifica';
/** Why the questionnaire refused the credits (R-QST-8). */
export const NOT_GRANTED_TEXT: Readonly<Record<string, string>> = {
  'questionnaire-failed': 'crediti non riconosciuti: questionario di verifica non superato',
  'questionnaire-expired': 'crediti non riconosciuti: questionario di verifica non compilato entro il termine',
};

/** An outcome status in Italian (the code itself when there is no entry). */
export function statusText(status: string): string {
  return STATUS_TEXT[status] ?? status;
}

/** An explanation's reason in Italian, with what the questionnaire says of the credits (pending, not granted). */
export function reasonText(reason: string | null, pending: boolean, notGranted: string | null = null): string {
  const text = reason ? (REASON_TEXT[reason] ?? reason) : '';
  const note = pending ? PENDING_TEXT : notGranted ? (NOT_GRANTED_TEXT[notGranted] ?? notGranted) : '';
  return note ? (text ? `${text}; ${note}` : note) : text;
}
