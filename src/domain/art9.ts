/** @module The art. 9 table of other activities, as data, and the credits of one declaration (R-ART9-1, R-ART9-2). */

/** Activity codes: the letters of the art. 9 table, split where a letter holds two rows (R-ART9-2). */
export const ART9_ACTIVITIES = [
  'a',
  'b',
  'c',
  'd',
  'e',
  'f-commission',
  'f-dominus',
  'g',
  'h',
  'i',
  'l',
  'l-discipline',
  'm',
  'n',
  'o',
  'p',
  'q',
  'asseco',
] as const;

export type Art9Activity = (typeof ART9_ACTIVITIES)[number];

/** What a declaration's `quantity` counts. */
export type Art9Unit = 'hour' | 'item' | 'session' | 'meeting' | 'semester';

/** One row of the table. */
export interface Art9Row {
  /** Italian label shown to members and CPO staff. */
  label: string;
  unit: Art9Unit;
  /** Credits per unit; for `semester` rows see `perSemester`. */
  credits: number;
  /** Credits of the 1st, 2nd, 3rd… completed semester (f-dominus: 3 + 3 + 4). */
  perSemester?: readonly number[];
  /** All credits of the activity are deontology credits. */
  deontology?: boolean;
  /** At most this many credits per calendar year, across a member's declarations. */
  maxPerYear?: number;
  /** At most this many credits per biennium, across a member's declarations. */
  maxPerBiennium?: number;
}

/** The art. 9 table (R-ART9-2). Per-year/per-biennium limits are applied across items in `balance.ts`. */
export const ART9_TABLE: Readonly<Record<Art9Activity, Readonly<Art9Row>>> = {
  a: { label: 'Relatore in eventi accreditati dai CPO', unit: 'hour', credits: 2 },
  b: { label: 'Docenza in corsi per praticanti, scuole e università', unit: 'hour', credits: 2 },
  c: { label: 'Progetto di ricerca', unit: 'item', credits: 5 },
  d: { label: 'Progetto di ricerca con ruolo di coordinamento', unit: 'item', credits: 10 },
  e: { label: 'Pubblicazione su riviste specializzate', unit: 'item', credits: 2 },
  'f-commission': { label: "Commissione per l'esame di Stato", unit: 'session', credits: 10 },
  'f-dominus': {
    label: 'Dominus di praticante (semestri di tirocinio completati)',
    unit: 'semester',
    credits: 10,
    perSemester: [3, 3, 4],
    maxPerBiennium: 10,
  },
  g: { label: "Esame universitario per l'accesso alla professione", unit: 'item', credits: 6 },
  h: { label: 'Master universitario con diploma', unit: 'item', credits: 20 },
  i: { label: 'Commissioni e gruppi di studio in eventi accreditati', unit: 'hour', credits: 1 },
  l: { label: 'Commissioni di certificazione dei contratti e commissioni di studio dei CPO', unit: 'hour', credits: 1 },
  'l-discipline': {
    label: 'Consigli di disciplina',
    unit: 'hour',
    credits: 1,
    deontology: true,
    maxPerYear: 3,
    maxPerBiennium: 6,
  },
  m: { label: 'Eventi non accreditati di università e pubbliche amministrazioni', unit: 'hour', credits: 1 },
  n: { label: 'Commissioni ministeriali e parlamentari', unit: 'meeting', credits: 2 },
  o: { label: 'Commissioni regionali e degli enti locali', unit: 'meeting', credits: 2 },
  p: { label: 'Corso per mediatore (54 ore)', unit: 'item', credits: 20 },
  q: { label: 'Aggiornamento per mediatori (18 ore)', unit: 'item', credits: 6 },
  asseco: { label: 'Corso Asse.co', unit: 'item', credits: 4 },
};

/** Whether `code` is an activity of the table. */
export function isArt9Activity(code: string): code is Art9Activity {
  return Object.hasOwn(ART9_TABLE, code);
}

/**
 * Whole credits of one declaration by the table (R-ART9-2), before the limits that apply across
 * a member's declarations (per year / per biennium, see `balance.ts`). `quantity` is a whole
 * number of the row's unit; for `f-dominus` it is the completed semesters of the traineeship,
 * credited 3 + 3 + 4 (more than 3 semesters still give 10). Throws `RangeError` for an unknown
 * activity or a quantity that is not a whole number ≥ 0.
 *
 * @example art9Credits('a', 12) // → 24 (speaker, 12 hours)
 * @example art9Credits('f-dominus', 2) // → 6
 * @rule R-ART9-2
 */
export function art9Credits(activity: string, quantity: number): number {
  if (!isArt9Activity(activity)) throw new RangeError(`unknown art. 9 activity ${JSON.stringify(activity)}`);
  if (!Number.isSafeInteger(quantity) || quantity < 0) {
    throw new RangeError(`art. 9 quantity must be a whole number ≥ 0, got ${quantity}`);
  }
  const row = ART9_TABLE[activity];
  if (row.perSemester) {
    return row.perSemester.slice(0, quantity).reduce((a, b) => a + b, 0);
  }
  return row.credits * quantity;
}

/**
 * The last day a member may declare art. 9 activities of `biennium`: 31 January after it
 * (art. 26 c.2); the declarations count once the CPO validates them.
 * @rule R-ART9-3
 */
export function art9Closes(biennium: number): string {
  return `${biennium + 2}-01-31`;
}
