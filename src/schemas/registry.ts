/**
 * @module Registry schemas: organisers (R-EVT-2), members, events (R-EVT-1) and webinar
 * registrations (R-EVT-4, R-ATT-7). The single source of validation, OpenAPI and TS types.
 *
 * Request bodies are checked here for shape only; rules that need the organiser, the clock or
 * the province table (R-EVT-2/3, R-CAL-6, codice fiscale check letter) live in `src/domain` and
 * are applied by the gateway, so every violation gets its own stable code.
 */
import { z } from '@hono/zod-openapi';
import { parse as parseCsv } from 'csv-parse/sync';
import { validateCodiceFiscale } from '../domain/codice-fiscale.ts';
import { cellText, cellWallClock } from '../domain/spreadsheet-values.ts';
import { isProvinceCode } from '../domain/provinces.ts';
import { Instant, IsoDate } from './common.ts';
import { PoolQuestionInput } from './questionnaire.ts';

// ---------------------------------------------------------------------------------------------
// Building blocks
// ---------------------------------------------------------------------------------------------

/** Two-letter province sigla; case-insensitive on input, upper case out. Membership of the 107 is checked by the gateway (`unknown-province`). */
export const ProvinceCode = z
  .string()
  .regex(/^[A-Za-z]{2}$/, 'a two-letter province code')
  .transform((s) => s.toUpperCase())
  .openapi({ example: 'RC', description: 'Two-letter province code (sigla)' });

/** Event modes (R-EVT-1, R-FAD-1). */
export const EVENT_MODES = ['in-person', 'videoconference', 'webinar', 'e-learning', 'podcast', 'mixed'] as const;
export const EventMode = z.enum(EVENT_MODES).openapi('EventMode');
export type EventMode = z.infer<typeof EventMode>;

export const ORGANISER_KINDS = ['a', 'b', 'c', 'd', 'e'] as const;
export const OrganiserKind = z.enum(ORGANISER_KINDS).openapi('OrganiserKind', {
  description: 'Art. 14 c.1 (R-EVT-2): a) CPO; b) CN or its foundations; c) ENPACL or its foundations; d) universities and public administrations; e) bodies authorised by the CN',
});
export type OrganiserKind = z.infer<typeof OrganiserKind>;

export const PLATFORMS = ['zoom', 'teams', 'goto', 'webex', 'generic'] as const;
export const PlatformName = z.enum(PLATFORMS).openapi('PlatformName');

const Name = z.string().trim().min(1).max(300);
const Email = z
  .email()
  .max(320)
  .transform((s) => s.toLowerCase());

// ---------------------------------------------------------------------------------------------
// Organisers (R-EVT-2)
// ---------------------------------------------------------------------------------------------

const OrganiserA = z.object({
  kind: z.literal('a'),
  name: Name,
  province: ProvinceCode.openapi({ description: "The CPO's own province" }),
});
const OrganiserBcd = z.object({ kind: z.enum(['b', 'c', 'd']), name: Name });
const OrganiserE = z
  .object({
    kind: z.literal('e'),
    name: Name,
    authorisationNumber: z.string().trim().min(1).max(100),
    authorisedFrom: IsoDate,
    authorisedUntil: IsoDate,
    allowedModes: z.array(EventMode).min(1).max(EVENT_MODES.length),
    allowedSubjects: z.array(z.string().trim().min(1).max(300)).max(200).default([]),
  })
  .refine((o) => o.authorisedFrom <= o.authorisedUntil, { path: ['authorisedUntil'], message: 'must not be before authorisedFrom' });

export const OrganiserCreate = z.discriminatedUnion('kind', [OrganiserA, OrganiserBcd, OrganiserE]).openapi('OrganiserCreate');
export type OrganiserCreate = z.infer<typeof OrganiserCreate>;

export const Organiser = z
  .object({
    id: z.uuid(),
    kind: OrganiserKind,
    name: z.string(),
    province: z.string().nullable().openapi({ description: 'Kind a: the CPO province' }),
    authorisationNumber: z.string().nullable(),
    authorisedFrom: IsoDate.nullable(),
    authorisedUntil: IsoDate.nullable(),
    allowedModes: z.array(EventMode),
    allowedSubjects: z.array(z.string()),
    createdAt: Instant,
  })
  .openapi('Organiser');
export type Organiser = z.infer<typeof Organiser>;

export const ConnectionCreate = z
  .object({
    platform: z.literal('zoom'),
    secretToken: z.string().min(1).max(500).openapi({ description: "The Zoom app's webhook Secret Token; stored, never returned" }),
  })
  .openapi('ConnectionCreate');
export type ConnectionCreate = z.infer<typeof ConnectionCreate>;

export const Connection = z
  .object({
    id: z.uuid(),
    platform: z.literal('zoom'),
    webhookUrl: z.url().openapi({ description: 'Event notification endpoint URL to configure in the Zoom app' }),
  })
  .openapi('Connection');
export type Connection = z.infer<typeof Connection>;

// ---------------------------------------------------------------------------------------------
// Members
// ---------------------------------------------------------------------------------------------

export const MemberCreate = z
  .object({
    codiceFiscale: z.string().min(1).max(32).openapi({ example: 'RSSMRA85T10A562S', description: 'Checked with its check letter (code `invalid-codice-fiscale`)' }),
    surname: Name,
    givenName: Name,
    province: ProvinceCode.openapi({ description: 'Province of the register (Albo) the member is enrolled in' }),
    registerNumber: z.string().trim().min(1).max(50),
    birthDate: IsoDate,
    registrationDate: IsoDate.openapi({ description: "Date of registration in the register (iscrizione all'Albo)" }),
    email: Email.optional(),
  })
  .refine((m) => m.birthDate < m.registrationDate, { path: ['registrationDate'], message: 'must be after birthDate' })
  .openapi('MemberCreate');
export type MemberCreate = z.infer<typeof MemberCreate>;

export const Member = z
  .object({
    id: z.uuid(),
    codiceFiscale: z.string(),
    surname: z.string(),
    givenName: z.string(),
    province: z.string(),
    registerNumber: z.string(),
    birthDate: IsoDate,
    registrationDate: IsoDate,
    email: z.string().nullable(),
    createdAt: Instant,
    updatedAt: Instant,
  })
  .openapi('Member');
export type Member = z.infer<typeof Member>;

/** Max rows of one CSV import, and max bytes. */
export const MEMBER_IMPORT_MAX_ROWS = 20_000;
export const MEMBER_IMPORT_MAX_BYTES = 2 * 1024 * 1024;

export const RowRejection = z
  .object({
    row: z.number().int().openapi({ description: '1-based line number in the file (the header is line 1)' }),
    code: z.string(),
    message: z.string(),
  })
  .openapi('RowRejection');

export const MemberImportResult = z
  .object({
    created: z.number().int(),
    updated: z.number().int().openapi({ description: 'existing members whose data changed' }),
    unchanged: z.number().int().openapi({ description: 'existing members already holding exactly these data' }),
    rejected: z.array(RowRejection),
  })
  .openapi('MemberImportResult');
export type MemberImportResult = z.infer<typeof MemberImportResult>;

// ---------------------------------------------------------------------------------------------
// Events (R-EVT-1)
// ---------------------------------------------------------------------------------------------

export const Topic = z
  .object({
    title: z.string().trim().min(1).max(500),
    start: Instant,
    end: Instant,
    deontology: z.boolean().openapi({ description: 'Ordinamento professionale e Codice deontologico (R-OBL-1)' }),
  })
  .openapi('Topic');

export const Fraction = z
  .object({
    start: Instant,
    end: Instant,
    credits: z.number().int().min(0).max(1000),
    autonomous: z
      .boolean()
      .optional()
      .openapi({ description: 'Structured paths only: a session with full scientific autonomy, which may grant its own credits (at most 15) to a member under 70% of the path (R-EVT-6)' }),
  })
  .openapi('Fraction');

export const EventPlatform = z
  .object({ name: PlatformName, meetingId: z.string().trim().min(1).max(200).openapi({ description: "The platform's webinar/meeting id (Zoom: webinar id)" }) })
  .openapi('EventPlatform');

/** Default tolerance, minutes (R-ATT-2). */
export const DEFAULT_TOLERANCE_MINUTES = 30;

export const EventCreate = z
  .object({
    title: z.string().trim().min(1).max(500),
    cpoProvince: ProvinceCode.openapi({ description: 'Province of the accrediting CPO' }),
    mode: EventMode,
    venueProvince: ProvinceCode.nullable().optional(),
    speakers: z.array(z.string().trim().min(1).max(300)).max(200).default([]),
    topics: z.array(Topic).min(1).max(200).openapi({ description: 'In order, each inside the event, not overlapping' }),
    start: Instant,
    end: Instant,
    credits: z.number().int().openapi({ description: 'Whole credits, at most the whole hours of the event (R-CAL-6)' }),
    fractionable: z.boolean().default(false),
    fractions: z.array(Fraction).max(100).nullable().optional().openapi({ description: 'Required when fractionable: contiguous, covering start..end, credits summing to the event credits' }),
    toleranceMinutes: z
      .number()
      .int()
      .optional()
      .openapi({ description: 'Total late entry + early exit allowed, 0..30 (default 30); only the CPO may raise it, up to 60 (R-ATT-2)' }),
    regionWide: z.boolean().default(false).openapi({ description: 'Webinars only: open to members of the whole region (R-EVT-4)' }),
    structuredPath: z.boolean().default(false).openapi({
      description:
        'A structured path (R-EVT-6): more than 20 hours over several days on one subject, in person or mixed; fractionable, its sessions are the fractions (in order, gaps between them allowed). Grants at most 20 credits, only to members attending at least 70% of the hours; autonomous sessions may grant up to 15 on their own',
    }),
    platform: EventPlatform.optional(),
    questions: z
      .array(PoolQuestionInput)
      .max(500)
      .optional()
      .openapi({ description: 'Kind-e webinars only, and required for them: the 30 scientific questions of the questionnaire (R-QST-3); never shown to members' }),
  })
  .openapi('EventCreate');
export type EventCreate = z.infer<typeof EventCreate>;

export const AccreditationStatus = z.enum(['requested', 'approved', 'rejected']).openapi('AccreditationStatus');
export type AccreditationStatus = z.infer<typeof AccreditationStatus>;

export const Accreditation = z
  .object({
    status: AccreditationStatus.openapi({ description: 'Effective status: a request unanswered past its deadline is approved by silence (R-EVT-3)' }),
    requestedAt: Instant,
    decidedAt: Instant.nullable(),
    reference: z.string().nullable(),
    deadline: Instant.nullable().openapi({ description: "End of the CPO's 10 days to answer (R-CAL-3), for requested accreditations" }),
    bySilence: z.boolean().openapi({ description: 'Approved because the CPO did not answer in time (R-EVT-3)' }),
  })
  .openapi('Accreditation');

export const Event = z
  .object({
    id: z.uuid(),
    organiserId: z.uuid(),
    title: z.string(),
    cpoProvince: z.string(),
    mode: EventMode,
    venueProvince: z.string().nullable(),
    speakers: z.array(z.string()),
    topics: z.array(Topic),
    start: Instant,
    end: Instant,
    credits: z.number().int(),
    fractionable: z.boolean(),
    fractions: z.array(Fraction).nullable(),
    toleranceMinutes: z.number().int(),
    regionWide: z.boolean(),
    structuredPath: z.boolean().openapi({ description: 'A structured path (R-EVT-6)' }),
    platform: EventPlatform.nullable(),
    accreditation: Accreditation,
    closedAt: Instant.nullable(),
    createdAt: Instant,
  })
  .openapi('Event');
export type Event = z.infer<typeof Event>;

export const EventPage = z
  .object({
    items: z.array(Event),
    next: z.string().nullable().openapi({ description: 'Pass as `after` to get the next page; null on the last page' }),
  })
  .openapi('EventPage');

export const EventListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  after: z.string().max(200).optional().openapi({ description: 'Cursor from the previous page' }),
});

export const AccreditationDecision = z
  .object({
    decision: z.enum(['approve', 'reject']),
    reference: z.string().trim().min(1).max(200).openapi({ description: "The CPO's protocol/deliberation reference" }),
  })
  .openapi('AccreditationDecision');
export type AccreditationDecision = z.infer<typeof AccreditationDecision>;

// ---------------------------------------------------------------------------------------------
// Registrations (R-EVT-4, R-ATT-7)
// ---------------------------------------------------------------------------------------------

export const MAX_REGISTRATIONS = 5000;

export const RegistrationInput = z
  .object({
    memberId: z.uuid().optional(),
    codiceFiscale: z.string().min(1).max(32).optional(),
    registrantId: z.string().trim().min(1).max(200).optional().openapi({ description: "The platform's registrant id (Zoom registrant_id)" }),
    email: Email.optional().openapi({ description: 'E-mail used on the platform; stored lower case' }),
  })
  .refine((r) => (r.memberId === undefined) !== (r.codiceFiscale === undefined), { message: 'give exactly one of memberId and codiceFiscale' })
  .openapi('RegistrationInput');
export type RegistrationInput = z.infer<typeof RegistrationInput>;

export const RegistrationBatch = z
  .object({ registrations: z.array(RegistrationInput).min(1).max(MAX_REGISTRATIONS) })
  .openapi('RegistrationBatch');
export type RegistrationBatch = z.infer<typeof RegistrationBatch>;

export const RegistrationResult = z
  .object({
    registered: z.number().int().openapi({ description: 'rows stored (new or updated)' }),
    rejected: z.array(z.object({ index: z.number().int(), code: z.string() })),
    outsideAudience: z
      .array(z.object({ index: z.number().int() }))
      .openapi({ description: 'Rows registered although the member is outside the webinar audience (R-EVT-4): they will get no credit (R-ATT-8)' }),
  })
  .openapi('RegistrationResult');
export type RegistrationResult = z.infer<typeof RegistrationResult>;

export const Registration = z
  .object({
    memberId: z.uuid(),
    codiceFiscale: z.string(),
    surname: z.string(),
    givenName: z.string(),
    province: z.string(),
    registerNumber: z.string(),
    registrantId: z.string().nullable(),
    email: z.string().nullable(),
    inAudience: z.boolean().openapi({ description: 'R-EVT-4 (meaningful for webinars)' }),
    createdAt: Instant,
  })
  .openapi('Registration');
export type Registration = z.infer<typeof Registration>;

export const RegistrationList = z.object({ items: z.array(Registration) }).openapi('RegistrationList');

// ---------------------------------------------------------------------------------------------
// CSV register export → members (used by `POST /v1/members/import` and `npm run cli -- members import`)
// ---------------------------------------------------------------------------------------------

/** A member row of an import, normalised (codice fiscale and province upper case), with its line number. */
export type MemberCsvRow = MemberCreate & { row: number };
export type RowRejection = z.infer<typeof RowRejection>;

/** The whole file is refused (encoding, header, size); row problems are listed, not thrown. */
export class MemberCsvError extends Error {
  constructor(
    readonly status: 413 | 422,
    readonly code: 'invalid-encoding' | 'missing-columns' | 'duplicate-columns' | 'too-many-rows',
    message: string,
    readonly extra?: Record<string, unknown>,
  ) {
    super(message);
  }
}

type MemberField = keyof typeof COLUMN_ALIASES;

/** Header names accepted for each field, normalised (lower case, `_` for spaces and dashes). */
export const COLUMN_ALIASES = {
  codiceFiscale: ['codice_fiscale', 'codicefiscale', 'cf', 'fiscal_code', 'tax_code'],
  surname: ['cognome', 'surname', 'last_name'],
  givenName: ['nome', 'given_name', 'givenname', 'first_name'],
  province: ['provincia', 'province', 'albo'],
  registerNumber: ['numero_iscrizione', 'register_number', 'n_iscrizione', 'numero_albo'],
  birthDate: ['data_nascita', 'data_di_nascita', 'birth_date', 'birthdate'],
  registrationDate: ['data_iscrizione', 'data_di_iscrizione', 'registration_date'],
  email: ['email', 'e_mail', 'mail'],
} as const satisfies Record<keyof MemberCreate, readonly string[]>;

const REQUIRED: readonly MemberField[] = ['codiceFiscale', 'surname', 'givenName', 'province', 'registerNumber', 'birthDate', 'registrationDate'];

/** zod issue path → row rejection code. */
const ISSUE_CODES: Readonly<Record<string, string>> = {
  email: 'invalid-email',
  birthDate: 'invalid-date',
  registrationDate: 'invalid-date',
};

/**
 * Parses a register export with csv-parse (quotes, embedded delimiters and line breaks are the
 * parser's business, never split by hand) and validates each row against `MemberCreate`, the
 * codice fiscale check letter (R-TPL-3) and the 107 provinces. `;` or `,` is detected from the
 * header line. Row numbers are 1-based lines of the file, the header being line 1; a quoted
 * field spanning lines counts from its first line. With `onlyProvince` (a CPO), rows of other
 * provinces are rejected (`province-not-allowed`). Cell text is kept as is (a surname that looks
 * like a formula is just text here; spreadsheets written later escape it, R-TPL-4).
 *
 * @example parseMemberCsv('codice_fiscale;cognome;…\nRSSMRA85T10A562S;Rossi;…', null) // → { rows: [{ row: 2, … }], rejected: [] }
 */
export function parseMemberCsv(input: Uint8Array | string, onlyProvince: string | null): { rows: MemberCsvRow[]; rejected: RowRejection[] } {
  let text: string;
  try {
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new MemberCsvError(422, 'invalid-encoding', 'The file is not UTF-8 text');
  }
  // One line terminator: csv-parse counts a CRLF inside a quoted field as two lines, which would
  // shift every later row number. Values spanning lines are not member data anyway.
  text = text.replace(/\r\n?/g, '\n');
  const firstLine = text.replace(/^\uFEFF/, '').split('\n', 1)[0] ?? '';
  const delimiter = count(firstLine, ';') > count(firstLine, ',') ? ';' : ',';

  const records: Array<{ line: number; fields: string[] }> = [];
  const rejected: RowRejection[] = [];
  let prevEnd = 0;
  let prevEmpty = 0;
  const startLine = (lines: number, emptyLines: number) => {
    const line = prevEnd + 1 + (emptyLines - prevEmpty);
    prevEnd = lines;
    prevEmpty = emptyLines;
    return line;
  };
  parseCsv(text, {
    bom: true,
    delimiter,
    // No `trim` option: csv-parse 7 stops reading the file after a non-blank character follows a
    // closing quote when it trims; cells are trimmed below instead.
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (fields: string[], ctx) => {
      records.push({ line: startLine(ctx.lines, ctx.empty_lines), fields: fields.map((f) => f.trim()) });
      return null;
    },
    on_skip: (err) => {
      const e = err as unknown as { lines?: number; empty_lines?: number; code?: string } | undefined;
      const line = startLine(e?.lines ?? prevEnd + 1, e?.empty_lines ?? prevEmpty);
      rejected.push({
        row: line,
        code: 'malformed-row',
        message:
          e?.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is never closed; the file was not read past this line' : `not a CSV row (${e?.code ?? 'parse error'})`,
      });
    },
  });

  const header = records.shift();
  if (!header) throw new MemberCsvError(422, 'missing-columns', 'The file has no header row');
  if (records.length > MEMBER_IMPORT_MAX_ROWS) throw new MemberCsvError(413, 'too-many-rows', `At most ${MEMBER_IMPORT_MAX_ROWS} rows per file`);
  const checked = validateMemberRecords(header.fields, records, onlyProvince);
  return { rows: checked.rows, rejected: [...rejected, ...checked.rejected].sort((a, b) => a.row - b.row) };
}

/** A cell of a register file: CSV text, or what the .xlsx reader gives (`adapters/xlsx/read-workbook.ts`). */
export type MemberCell = string | number | Date | null;

/**
 * Validates the rows of a register file under its header (CSV or .xlsx): each row against
 * `MemberCreate`, the codice fiscale check letter (R-TPL-3) and the 107 provinces; with
 * `onlyProvince` (a CPO) rows of other provinces are rejected (`province-not-allowed`). `line` is
 * the row number reported. Text is trimmed; numbers are text (a register number `1234`), except
 * in date columns where a number is an Excel serial date and a `Date` its UTC calendar day
 * (`date1904` for workbooks counting from 1904). A missing or doubled column refuses the file
 * (`MemberCsvError`).
 *
 * @example validateMemberRecords(['codice_fiscale', 'cognome', …], [{ line: 2, fields: ['RSSMRA85T10A562S', 'Rossi', …] }], null)
 */
export function validateMemberRecords(
  headerCells: readonly MemberCell[],
  records: ReadonlyArray<{ line: number; fields: readonly MemberCell[] }>,
  onlyProvince: string | null,
  opts: { date1904?: boolean } = {},
): { rows: MemberCsvRow[]; rejected: RowRejection[] } {
  const headerText = headerCells.map((h) => cellText(h));
  const index = columnIndex(headerText);
  const rows: MemberCsvRow[] = [];
  const rejected: RowRejection[] = [];
  const seen = new Set<string>();
  for (const { line, fields } of records) {
    const reject = (code: string, message: string) => void rejected.push({ row: line, code, message });
    const cell = (f: MemberField): string => {
      const i = index[f];
      const v = i === undefined ? null : (fields[i] ?? null);
      if (typeof v === 'string' || v === null) return cellText(v);
      if (f === 'birthDate' || f === 'registrationDate') return cellWallClock(v, opts.date1904)?.date ?? cellText(v);
      return cellText(v);
    };
    // Rows of empty cells (`;;;;` as spreadsheets export them) are blank lines, not members.
    if (fields.every((f) => cellText(f) === '')) continue;
    const missing = REQUIRED.filter((f) => cell(f) === '');
    if (missing.length) {
      reject('missing-field', `empty: ${missing.map((f) => headerText[index[f]!]).join(', ')}`);
      continue;
    }
    const cf = validateCodiceFiscale(cell('codiceFiscale'));
    if (!cf.ok) {
      reject('invalid-codice-fiscale', `codice fiscale not valid (${cf.code})`);
      continue;
    }
    const province = cell('province').toUpperCase();
    if (!isProvinceCode(province)) {
      reject('unknown-province', 'not one of the 107 province codes');
      continue;
    }
    if (onlyProvince && province !== onlyProvince) {
      reject('province-not-allowed', `a CPO imports members of its own province (${onlyProvince}) only`);
      continue;
    }
    const birthDate = registerDate(cell('birthDate'));
    const registrationDate = registerDate(cell('registrationDate'));
    if (!birthDate || !registrationDate) {
      reject('invalid-date', `${!birthDate ? 'birth' : 'registration'} date is not a date (YYYY-MM-DD or dd/mm/yyyy)`);
      continue;
    }
    const email = cell('email');
    const candidate = MemberCreate.safeParse({
      codiceFiscale: cf.value,
      surname: cell('surname'),
      givenName: cell('givenName'),
      province,
      registerNumber: cell('registerNumber'),
      birthDate,
      registrationDate,
      ...(email ? { email } : {}),
    });
    if (!candidate.success) {
      const issue = candidate.error.issues[0]!;
      const field = String(issue.path[0] ?? '');
      reject(ISSUE_CODES[field] ?? 'invalid-field', `${field || 'row'}: ${issue.message}`);
      continue;
    }
    if (seen.has(cf.value)) {
      reject('duplicate-in-file', 'the same codice fiscale appears on an earlier line');
      continue;
    }
    seen.add(cf.value);
    rows.push({ ...candidate.data, row: line });
  }
  return { rows, rejected };
}

/** Maps header cells to fields; a required column missing, or a field given twice, refuses the file. */
function columnIndex(header: readonly string[]): Partial<Record<MemberField, number>> {
  const index: Partial<Record<MemberField, number>> = {};
  const duplicated: string[] = [];
  const fields = Object.keys(COLUMN_ALIASES) as MemberField[];
  header.forEach((h, i) => {
    const norm = h.trim().toLowerCase().replace(/[\s-]+/g, '_');
    const field = fields.find((f) => (COLUMN_ALIASES[f] as readonly string[]).includes(norm));
    if (!field) return;
    if (index[field] !== undefined) duplicated.push(h);
    else index[field] = i;
  });
  if (duplicated.length) throw new MemberCsvError(422, 'duplicate-columns', `Columns given twice: ${duplicated.join(', ')}`);
  const missing = REQUIRED.filter((f) => index[f] === undefined).map((f) => COLUMN_ALIASES[f][0]);
  if (missing.length) throw new MemberCsvError(422, 'missing-columns', `Missing columns: ${missing.join(', ')}`, { missing });
  return index;
}

/** `YYYY-MM-DD` or `d/m/yyyy` → `YYYY-MM-DD` when it is a real calendar date, else null. */
export function registerDate(s: string): string | null {
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s))) [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else return null;
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}
