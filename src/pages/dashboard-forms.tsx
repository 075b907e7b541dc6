/**
 * @module The forms of the member dashboard, in Italian and without script: art. 9 declaration
 * (R-ART9-3), debt recovery (R-DEBT-2), reduction of the obligation with its calculator preview
 * (R-RED-2, R-RED-3, R-RED-4, R-RED-5, R-RED-6, R-RED-7, R-RED-8), integration after a pre-denial and appeal to the CN (R-RED-7). Every input has a
 * label; files go as multipart; what a cause needs is data (`CAUSE_FIELDS`), chosen in a first
 * step because a page without script cannot show fields as the select changes.
 */
import type { FC } from 'hono/jsx';
import { ART9_ACTIVITIES, ART9_TABLE, type Art9Row } from '../domain/art9.ts';
import { CAUSE_INPUT_KIND, REDUCTION_CAUSES, type ReductionCause, type ReductionInputKind, type ReductionResult } from '../domain/reduction.ts';
import { ART9_UNIT_LABELS, CAUSE_LABELS, VALIDITY_LABELS, refusalText } from './labels.ts';
import { italianDate, withArticle } from './format.ts';
import { APPEAL_MAX_CHARS, DESCRIPTION_MAX_CHARS, NOTE_MAX_CHARS } from '../schemas/member-dashboard.ts';

/** A Rome calendar date `YYYY-MM-DD` in Italian words (`15 marzo 2026`); noon UTC is the same day in Rome. */
export function dateText(iso: string): string {
  return italianDate(new Date(`${iso}T12:00:00Z`));
}

export function isReductionCause(code: string): code is ReductionCause {
  return (REDUCTION_CAUSES as readonly string[]).includes(code);
}

/** What the page says about the files it accepts; the checks are in the route. */
export const FILE_RULES = { accept: '.pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg', maxFiles: 5, maxMb: 5 } as const;
export const FILE_HINT = `PDF, PNG o JPEG, al massimo ${FILE_RULES.maxMb} MB ciascuno e ${FILE_RULES.maxFiles} file per richiesta.`;

/** Values a form comes back with after a refusal or a preview (never files: browsers cannot refill them). */
export type FormValues = Readonly<Record<string, string>>;

/** A refusal shown inside the form that was sent. */
export interface FormError {
  form: 'art9' | 'debt' | 'reduction' | 'integration' | 'appeal';
  /** Integration and appeal: the request the form belongs to. */
  requestId?: string;
  code: string;
}

interface FieldDef {
  name: string;
  label: string;
  type: 'date' | 'number' | 'yesno';
  required?: boolean;
  min?: number;
  max?: number;
  hint?: string;
}

/** The inputs each kind of cause needs (R-RED-2), by the names `member-dashboard.ts` reads. */
export const CAUSE_FIELDS: Readonly<Record<ReductionInputKind, readonly FieldDef[]>> = {
  period: [
    { name: 'from', label: 'Inizio del periodo', type: 'date', required: true },
    { name: 'to', label: 'Fine del periodo', type: 'date', required: true },
  ],
  degree: [
    { name: 'degreePct', label: 'Grado certificato (%)', type: 'number', min: 1, max: 100, required: true },
    { name: 'from', label: 'Data di decorrenza', type: 'date', required: true },
    { name: 'to', label: 'Data di fine, se indicata nel certificato', type: 'date' },
    { name: 'subjectToReview', label: 'La condizione è soggetta a revisione?', type: 'yesno', required: true },
    { name: 'certificateExpiry', label: 'Scadenza del certificato (se soggetta a revisione)', type: 'date' },
  ],
  birth: [{ name: 'birthDate', label: 'Data di nascita del figlio o della figlia', type: 'date', required: true }],
  arrival: [{ name: 'arrivalDate', label: 'Data di ingresso del minore in famiglia', type: 'date', required: true }],
  age: [{ name: 'birthDate', label: 'La sua data di nascita', type: 'date', required: true }],
};

/** How each kind of cause is computed, in a sentence (R-RED-2, R-RED-3). */
const KIND_HINTS: Readonly<Record<ReductionInputKind, string>> = {
  period:
    'La riduzione è di 50/24 di credito per ogni mese di impedimento che cade nel biennio (10% per l’assistenza ai sensi della legge 104/1992); i periodi inferiori a 30 giorni non danno diritto alla riduzione.',
  degree: 'La riduzione è di 50/24 di credito per mese, per il 50% del grado certificato (80% → 40%).',
  birth: 'L’impedimento va da prima della nascita al compimento del primo anno; contano solo i mesi che cadono nel biennio.',
  arrival: 'L’impedimento dura un anno dall’ingresso del minore in famiglia; contano solo i mesi che cadono nel biennio.',
  age: 'Dal mese del 70° compleanno la riduzione è del 30% (40% dai 74 anni, 50% dai 78), mai oltre la metà dell’obbligo.',
};

/** One line of the activity list: label and value from the table (R-ART9-2). */
export function art9OptionText(row: Art9Row): string {
  const unit = ART9_UNIT_LABELS[row.unit];
  const credits = row.perSemester ? row.perSemester.join(' + ') : String(row.credits);
  const word = row.perSemester || row.credits !== 1 ? 'crediti' : 'credito';
  const limits = [
    row.maxPerYear ? `al massimo ${row.maxPerYear} l’anno` : null,
    row.maxPerBiennium ? `al massimo ${row.maxPerBiennium} nel biennio` : null,
  ].filter(Boolean);
  const deontology = row.deontology ? (word === 'credito' ? ' deontologico' : ' deontologici') : '';
  return `${row.label} — ${credits} ${word}${deontology}${unit.per ? ` ${unit.per}` : ''}${limits.length ? ` (${limits.join(', ')})` : ''}`;
}

/** A refusal, shown at the top of the section of the form that was sent (even when that form is no longer offered). */
export const FormAlert: FC<{ error: FormError | null | undefined; form: FormError['form']; requestId?: string }> = ({ error, form, requestId }) =>
  error && error.form === form && (requestId === undefined || error.requestId === requestId) ? (
    <div class="alert" role="alert">
      <p>
        <strong>La richiesta non è stata inviata.</strong> {refusalText(error.code)}
      </p>
    </div>
  ) : null;

// ---------------------------------------------------------------------------------------------
// Art. 9 declaration (R-ART9-3)
// ---------------------------------------------------------------------------------------------

export interface Art9FormProps {
  action: string;
  minDate: string;
  maxDate: string;
  values?: FormValues;
}

export const Art9Form: FC<Art9FormProps> = ({ action, minDate, maxDate, values = {} }) => (
  <form method="post" action={action} enctype="multipart/form-data">
    <div class="field">
      <label for="art9-attivita">Attività svolta</label>
      <select id="art9-attivita" name="activity" required>
        <option value="">Scelga un’attività</option>
        {ART9_ACTIVITIES.map((a) => (
          <option value={a} selected={values.activity === a}>
            {art9OptionText(ART9_TABLE[a])}
          </option>
        ))}
      </select>
    </div>
    <div class="field">
      <label for="art9-quantita">Quantità</label>
      <p class="hint" id="art9-quantita-aiuto">
        Ore, sessioni, riunioni o semestri secondo l’attività scelta; per pubblicazioni, progetti e corsi il numero.
      </p>
      <input
        type="number"
        id="art9-quantita"
        name="quantity"
        min="1"
        max="1000"
        step="1"
        required
        value={values.quantity ?? ''}
        aria-describedby="art9-quantita-aiuto"
      />
    </div>
    <div class="field">
      <label for="art9-data">Data dell’attività</label>
      <input type="date" id="art9-data" name="date" min={minDate} max={maxDate} required value={values.date ?? ''} />
    </div>
    <div class="field">
      <label for="art9-descrizione">Descrizione</label>
      <textarea id="art9-descrizione" name="description" maxlength={DESCRIPTION_MAX_CHARS} required>
        {values.description ?? ''}
      </textarea>
    </div>
    <div class="field">
      <label for="art9-attestato">Attestato</label>
      <p class="hint" id="art9-attestato-aiuto">
        {FILE_HINT}
      </p>
      <input type="file" id="art9-attestato" name="attestation" accept={FILE_RULES.accept} required aria-describedby="art9-attestato-aiuto" />
    </div>
    <p>
      <button type="submit">Invia la dichiarazione</button>
    </p>
  </form>
);

// ---------------------------------------------------------------------------------------------
// Debt recovery (R-DEBT-1, R-DEBT-2)
// ---------------------------------------------------------------------------------------------

export interface DebtFormProps {
  action: string;
  biennium: number;
  maximum: number;
  suggested: { total: number; deontology: number };
  values?: FormValues;
}

export const DebtForm: FC<DebtFormProps> = ({ action, biennium, maximum, suggested, values = {} }) => (
  <form method="post" action={action}>
    <input type="hidden" name="biennio" value={String(biennium)} />
    <div class="field">
      <label for="debito-totale">Crediti totali da recuperare</label>
      <input type="number" id="debito-totale" name="total" min="1" max={String(maximum)} step="1" required value={values.total ?? String(suggested.total)} />
    </div>
    <div class="field">
      <label for="debito-deontologici">di cui crediti deontologici</label>
      <input
        type="number"
        id="debito-deontologici"
        name="deontology"
        min="0"
        max={String(maximum)}
        step="1"
        required
        value={values.deontology ?? String(suggested.deontology)}
      />
    </div>
    <p>
      <button type="submit">Invia la richiesta di recupero</button>
    </p>
  </form>
);

// ---------------------------------------------------------------------------------------------
// Reduction of the obligation (R-RED-2, R-RED-3, R-RED-4, R-RED-5, R-RED-6, R-RED-7, R-RED-8)
// ---------------------------------------------------------------------------------------------

export interface ReductionPreview {
  result: ReductionResult;
  /** The obligation this reduction would leave (R-OBL-6), when the calculator accepted the input. */
  obligation: { total: number; deontology: number } | null;
}

export interface ReductionFormProps {
  /** The dashboard (GET: choose the cause). */
  base: string;
  biennium: number;
  cause: ReductionCause | null;
  previewAction: string;
  fileAction: string;
  values?: FormValues;
  preview?: ReductionPreview | null;
}

export const ReductionForm: FC<ReductionFormProps> = (p) => {
  const values = p.values ?? {};
  const kind = p.cause ? CAUSE_INPUT_KIND[p.cause] : null;
  return (
    <>
      <form method="get" action={`${p.base}#riduzione`}>
        <input type="hidden" name="biennio" value={String(p.biennium)} />
        <div class="field">
          <label for="riduzione-causa">Causa dell’impedimento</label>
          <select id="riduzione-causa" name="causa" required>
            <option value="">Scelga la causa</option>
            {REDUCTION_CAUSES.map((c) => (
              <option value={c} selected={p.cause === c}>
                {CAUSE_LABELS[c]}
              </option>
            ))}
          </select>
        </div>
        <p>
          <button type="submit" class="secondary">
            {p.cause ? 'Cambia causa' : 'Continua'}
          </button>
        </p>
      </form>
      {p.cause && kind ? (
        <form method="post" action={p.fileAction} enctype="multipart/form-data">
          <input type="hidden" name="biennio" value={String(p.biennium)} />
          <input type="hidden" name="causa" value={p.cause} />
          <fieldset>
            <legend>{CAUSE_LABELS[p.cause]}</legend>
            <p class="hint">{KIND_HINTS[kind]}</p>
            {CAUSE_FIELDS[kind].map((f) => (
              <Field def={f} value={values[f.name]} />
            ))}
          </fieldset>
          <div class="field">
            <label for="riduzione-documenti">Documenti (certificati, attestazioni)</label>
            <p class="hint" id="riduzione-documenti-aiuto">
              Obbligatori per inviare la richiesta, non per il calcolo. {FILE_HINT}
            </p>
            <input type="file" id="riduzione-documenti" name="documents" multiple accept={FILE_RULES.accept} aria-describedby="riduzione-documenti-aiuto" />
          </div>
          {p.preview ? <PreviewResult preview={p.preview} /> : null}
          <p class="actions">
            <button type="submit" class="secondary" formaction={p.previewAction}>
              Calcola
            </button>
            <button type="submit">Invia richiesta</button>
          </p>
        </form>
      ) : null}
    </>
  );
};

const Field: FC<{ def: FieldDef; value: string | undefined }> = ({ def, value }) => {
  const id = `riduzione-${def.name}`;
  if (def.type === 'yesno') {
    return (
      <fieldset class="inline">
        <legend>{def.label}</legend>
        {[
          ['si', 'Sì'],
          ['no', 'No'],
        ].map(([v, text]) => (
          <span class="choice">
            <input type="radio" id={`${id}-${v}`} name={def.name} value={v} required={def.required} checked={value === v} />
            <label for={`${id}-${v}`}>{text}</label>
          </span>
        ))}
      </fieldset>
    );
  }
  return (
    <div class="field">
      <label for={id}>{def.label}</label>
      <input
        type={def.type}
        id={id}
        name={def.name}
        required={def.required}
        min={def.min === undefined ? undefined : String(def.min)}
        max={def.max === undefined ? undefined : String(def.max)}
        step={def.type === 'number' ? '1' : undefined}
        value={value ?? ''}
      />
    </div>
  );
};

/** The calculator's answer, without filing anything (R-RED-2, R-RED-3, R-RED-4, R-RED-5). */
export const PreviewResult: FC<{ preview: ReductionPreview }> = ({ preview }) => {
  const r = preview.result;
  if (!r.ok) {
    return (
      <div class="warn" role="status" id="calcolo">
        <p>
          <strong>Nessuna riduzione:</strong> {refusalText(r.rejected)}
        </p>
      </div>
    );
  }
  return (
    <div class="ok" role="status" id="calcolo">
      <p>
        <strong>
          Riduzione calcolata: {r.reduction} {r.reduction === 1 ? 'credito' : 'crediti'}
        </strong>{' '}
        ({r.deontology} {r.deontology === 1 ? 'deontologico' : 'deontologici'}, {r.ordinary} {r.ordinary === 1 ? 'ordinario' : 'ordinari'}).
      </p>
      <p>
        Mesi considerati: {r.months}, {withArticle('dal', dateText(r.period.from))} {withArticle('al', dateText(r.period.to))}. Validità:{' '}
        {VALIDITY_LABELS[r.validity]}
        {r.validUntil && r.validity !== 'biennium' ? ` (${dateText(r.validUntil)})` : ''}.
      </p>
      {preview.obligation ? (
        <p>
          Con questa riduzione l’obbligo del biennio diventerebbe di <strong>{preview.obligation.total} crediti</strong>, di cui {preview.obligation.deontology}{' '}
          {preview.obligation.deontology === 1 ? 'deontologico' : 'deontologici'}.
        </p>
      ) : null}
      <p class="hint">Il calcolo è indicativo: decide il Consiglio provinciale. Nulla è stato ancora inviato.</p>
    </div>
  );
};

// ---------------------------------------------------------------------------------------------
// Integration after a pre-denial, appeal to the CN (R-RED-7)
// ---------------------------------------------------------------------------------------------

export const IntegrationForm: FC<{ action: string; requestId: string; deadline: string | null; values?: FormValues }> = ({
  action,
  requestId,
  deadline,
  values = {},
}) => (
  <form method="post" action={action} enctype="multipart/form-data">
    <h4>Integrare i documenti{deadline ? ` entro ${withArticle('il', dateText(deadline))}` : ''}</h4>
    <div class="field">
      <label for={`integrazione-${requestId}-documenti`}>Documenti da aggiungere</label>
      <p class="hint" id={`integrazione-${requestId}-aiuto`}>
        {FILE_HINT}
      </p>
      <input
        type="file"
        id={`integrazione-${requestId}-documenti`}
        name="documents"
        multiple
        required
        accept={FILE_RULES.accept}
        aria-describedby={`integrazione-${requestId}-aiuto`}
      />
    </div>
    <div class="field">
      <label for={`integrazione-${requestId}-nota`}>Nota per il Consiglio provinciale (facoltativa)</label>
      <textarea id={`integrazione-${requestId}-nota`} name="note" maxlength={NOTE_MAX_CHARS}>
        {values.note ?? ''}
      </textarea>
    </div>
    <p>
      <button type="submit">Invia i documenti</button>
    </p>
  </form>
);

export const AppealForm: FC<{ action: string; requestId: string; deadline: string | null; values?: FormValues; error?: FormError | null }> = ({
  action,
  requestId,
  deadline,
  values = {},
  error,
}) => (
  <details class="card" open={error?.form === 'appeal' && error.requestId === requestId}>
    <summary>Presentare ricorso al Consiglio Nazionale{deadline ? ` (entro ${withArticle('il', dateText(deadline))})` : ''}</summary>
    <form method="post" action={action}>
      <div class="field">
        <label for={`ricorso-${requestId}`}>Motivi del ricorso</label>
        <textarea id={`ricorso-${requestId}`} name="text" maxlength={APPEAL_MAX_CHARS} required>
          {values.text ?? ''}
        </textarea>
      </div>
      <p>
        <button type="submit">Invia il ricorso</button>
      </p>
    </form>
  </details>
);
