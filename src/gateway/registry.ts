/**
 * @module Registry API (issue 2 §4): organisers and their platform connections, members (single
 * and CSV import), events with validation and accreditation (R-EVT-1/2/3), webinar registrations
 * (R-EVT-4, R-ATT-7).
 *
 * Visibility: an organiser (or its platform key) sees only its own events, a CPO the events it
 * accredits and the members of its province, CN and admin everything. What a key may not see is
 * answered 404, so ids do not leak; a CPO writing outside its province gets 403. Personal data
 * (codice fiscale, names, e-mails) never reaches a log line.
 */
import crypto from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { validateCodiceFiscale } from '../domain/codice-fiscale.ts';
import { accreditationDeadline, approvedBySilence, accreditationStatus, initialAccreditation, validateEvent } from '../domain/events.ts';
import { inAudience, isProvinceCode } from '../domain/provinces.ts';
import { Problem } from '../schemas/common.ts';
import {
  AccreditationDecision,
  Connection,
  ConnectionCreate,
  DEFAULT_TOLERANCE_MINUTES,
  Event,
  EventCreate,
  EventListQuery,
  EventPage,
  Member,
  MemberCreate,
  MEMBER_IMPORT_MAX_BYTES,
  MEMBER_IMPORT_MAX_ROWS,
  MemberCsvError,
  MemberImportResult,
  Organiser,
  OrganiserCreate,
  RegistrationBatch,
  RegistrationList,
  RegistrationResult,
} from '../schemas/registry.ts';
import {
  decideAccreditation,
  getEvent,
  getMember,
  getMemberByCodiceFiscale,
  getOrganiser,
  importMembersCsv,
  importMemberSheet,
  insertConnection,
  insertEvent,
  insertMember,
  insertOrganiser,
  listEvents,
  listRegistrations,
  registerMembers,
  type RegistrationRow,
  type StoredEvent,
} from '../store/registry.ts';
import { QUESTIONNAIRE_RULES, validatePool } from '../domain/questionnaire.ts';
import { poolSize, replacePool } from '../store/questionnaire.ts';
import { canSeeEvent } from '../domain/roles.ts';
import { questionnaireApplies } from '../domain/questionnaire.ts';
import { poolError } from './questionnaire-admin.ts';
import { canSeeMember, type Role } from '../domain/roles.ts';
import { requireRole, type AuthEnv, type Principal } from './auth.ts';
import type { Deps } from './deps.ts';
import { readJsonBody } from './http.ts';
import { problem } from './problem.ts';
import { ServiceError } from '../services/errors.ts';
import { router, SECURITY } from './router.ts';
import { declaredFormat, readUploadBody, readUploadedSheet, sniffFormat } from './uploads.ts';

// ---------------------------------------------------------------------------------------------
// Route definitions (OpenAPI)
// ---------------------------------------------------------------------------------------------

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed or invalid request',
  401: 'No or unknown API key',
  403: 'This key may not do that',
  404: 'Not found, or not visible to this key',
  409: 'Conflict with the current state',
  413: 'Body too large',
  415: 'Unsupported content type',
  422: 'Violates a rule',
};

/** Problem responses for the OpenAPI document. */
function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: PROBLEM_DESCRIPTIONS[s] ?? 'Error', content: { 'application/problem+json': { schema: Problem } } }]),
  );
}

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } } });
const jsonBody = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true as const });
const IdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

const TAGS = { organisers: ['registry: organisers'], members: ['registry: members'], events: ['registry: events'] };

const routes = {
  createOrganiser: createRoute({
    method: 'post',
    path: '/v1/organisers',
    summary: 'Create an organiser (kinds a–e, R-EVT-2)',
    description: 'Keys: cn, admin. Kind a needs the CPO province; kind e its CN authorisation (number, validity, allowed modes and subjects).',
    tags: TAGS.organisers,
    security: SECURITY,
    request: { body: jsonBody(OrganiserCreate) },
    responses: { 201: { description: 'Created', ...json(Organiser) }, ...problems(400, 401, 403, 422) },
  }),
  getOrganiser: createRoute({
    method: 'get',
    path: '/v1/organisers/{id}',
    summary: 'Read an organiser',
    description: "Keys: the organiser's own organiser/platform key, cpo, cn, admin.",
    tags: TAGS.organisers,
    security: SECURITY,
    request: { params: IdParam },
    responses: { 200: { description: 'The organiser', ...json(Organiser) }, ...problems(400, 401, 403, 404) },
  }),
  createConnection: createRoute({
    method: 'post',
    path: '/v1/organisers/{id}/connections',
    summary: 'Connect a webinar platform (Zoom) and get its webhook URL',
    description: 'Key: the organiser itself. The secret token is stored to verify webhook signatures and never returned.',
    tags: TAGS.organisers,
    security: SECURITY,
    request: { params: IdParam, body: jsonBody(ConnectionCreate) },
    responses: { 201: { description: 'Connected', ...json(Connection) }, ...problems(400, 401, 403, 404) },
  }),
  createMember: createRoute({
    method: 'post',
    path: '/v1/members',
    summary: 'Register a member',
    description:
      'Keys: cpo (its province only), cn, admin. Codes: `invalid-codice-fiscale` (check letter), `unknown-province`, `member-exists` (same codice fiscale), `register-number-taken`.',
    tags: TAGS.members,
    security: SECURITY,
    request: { body: jsonBody(MemberCreate) },
    responses: { 201: { description: 'Created', ...json(Member) }, ...problems(400, 401, 403, 409, 422) },
  }),
  getMember: createRoute({
    method: 'get',
    path: '/v1/members/{id}',
    summary: 'Read a member',
    description: 'Keys: cpo (members of its province), cn, admin.',
    tags: TAGS.members,
    security: SECURITY,
    request: { params: IdParam },
    responses: { 200: { description: 'The member', ...json(Member) }, ...problems(400, 401, 403, 404) },
  }),
  findMember: createRoute({
    method: 'get',
    path: '/v1/members',
    summary: 'Find a member by codice fiscale',
    description: 'Keys: cpo (members of its province), cn, admin. 404 when there is no such member visible to the key.',
    tags: TAGS.members,
    security: SECURITY,
    request: { query: z.object({ codiceFiscale: z.string().min(1).max(32) }) },
    responses: { 200: { description: 'The member', ...json(Member) }, ...problems(400, 401, 403, 404, 422) },
  }),
  importMembers: createRoute({
    method: 'post',
    path: '/v1/members/import',
    summary: 'Import members from a register export, CSV or .xlsx (upsert by codice fiscale)',
    description: [
      'Keys: cpo (its province only: other rows are rejected with `province-not-allowed`), cn, admin.',
      'CSV: UTF-8 text with a header row; delimiter `;` or `,` (detected from the header); at most 2 MiB and 20,000 rows.',
      '.xlsx (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`, raw body): the first worksheet, header in row 1, dates as Excel dates or text;',
      'at most 10 MiB and 20,000 rows, read safely (zip guard: `zip-bomb`, `not-a-workbook`, `encrypted-file`, `unreadable-file`, `too-many-sheets`, `too-many-columns`; formulas refused: `formula-not-allowed`). Row numbers are the sheet\'s.',
      'Columns (Italian or English names): codice_fiscale, cognome|surname, nome|given_name, provincia|province, numero_iscrizione|register_number,',
      'data_nascita|birth_date, data_iscrizione|registration_date, email (optional). Dates `YYYY-MM-DD` or `dd/mm/yyyy`.',
      'Each rejected row is listed with its 1-based line number in the file and a code: `missing-field`, `invalid-codice-fiscale`, `unknown-province`,',
      '`province-not-allowed`, `invalid-date`, `invalid-email`, `invalid-field`, `duplicate-in-file`, `register-number-taken`, `malformed-row`.',
    ].join(' '),
    tags: TAGS.members,
    security: SECURITY,
    request: {
      body: {
        content: {
          'text/csv': { schema: z.string().openapi({ example: 'codice_fiscale;cognome;nome;provincia;numero_iscrizione;data_nascita;data_iscrizione;email\n' }) },
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
        },
        required: true,
      },
    },
    responses: { 200: { description: 'Import summary', ...json(MemberImportResult) }, ...problems(401, 403, 413, 415, 422) },
  }),
  createEvent: createRoute({
    method: 'post',
    path: '/v1/events',
    summary: 'Create an event (R-EVT-1) and request or record its accreditation (R-EVT-2/3)',
    description:
      "Key: an organiser, for itself. Every rule violation is listed in `errors` of a 422 `invalid-event` problem. Kinds a, b, c self-accredit (approved at creation); kinds d and e request it from the CPO at least 20 days ahead, silence for 10 days meaning consent.",
    tags: TAGS.events,
    security: SECURITY,
    request: { body: jsonBody(EventCreate) },
    responses: { 201: { description: 'Created', ...json(Event) }, ...problems(400, 401, 403, 404, 409, 422) },
  }),
  getEvent: createRoute({
    method: 'get',
    path: '/v1/events/{id}',
    summary: 'Read an event',
    description: 'Keys: the owner organiser or its platform key, the accrediting CPO, cn, admin; anyone else gets 404 `event-not-found`.',
    tags: TAGS.events,
    security: SECURITY,
    request: { params: IdParam },
    responses: { 200: { description: 'The event', ...json(Event) }, ...problems(400, 401, 403, 404) },
  }),
  listEvents: createRoute({
    method: 'get',
    path: '/v1/events',
    summary: 'List the events visible to the key, by start',
    description: 'Organiser/platform keys: their own; cpo: those it accredits; cn/admin: all. Pages of `limit` (≤ 200); pass `next` as `after`.',
    tags: TAGS.events,
    security: SECURITY,
    request: { query: EventListQuery },
    responses: { 200: { description: 'A page of events', ...json(EventPage) }, ...problems(400, 401, 403) },
  }),
  decideAccreditation: createRoute({
    method: 'post',
    path: '/v1/events/{id}/accreditation',
    summary: 'Approve or reject a requested accreditation (R-EVT-3)',
    description:
      'Keys: the accrediting CPO, or cn. Only requested accreditations within the 10 days (R-CAL-3) can be decided: after that silence has approved them (`accreditation-deadline-passed`). Repeating the same decision is idempotent.',
    tags: TAGS.events,
    security: SECURITY,
    request: { params: IdParam, body: jsonBody(AccreditationDecision) },
    responses: { 200: { description: 'The event with its decision', ...json(Event) }, ...problems(400, 401, 403, 404, 409) },
  }),
  register: createRoute({
    method: 'post',
    path: '/v1/events/{id}/registrations',
    summary: 'Register members to an event (R-EVT-4, R-ATT-7)',
    description:
      "Key: the owner organiser or its platform key. Up to 5,000 rows, each naming the member by `memberId` or `codiceFiscale`, with the platform's registrant id and/or e-mail used to match participants. Idempotent: registering a member again updates the registrant id/e-mail given. Rejected rows: `member-not-found`, `invalid-codice-fiscale`, `duplicate-in-batch`, `registrant-id-taken`, `email-taken`. Webinar rows outside the audience (R-EVT-4) are registered and listed in `outsideAudience`: they will get no credit (R-ATT-8).",
    tags: TAGS.events,
    security: SECURITY,
    request: { params: IdParam, body: jsonBody(RegistrationBatch) },
    responses: { 200: { description: 'Registration summary', ...json(RegistrationResult) }, ...problems(400, 401, 403, 404, 409, 413) },
  }),
  listRegistrations: createRoute({
    method: 'get',
    path: '/v1/events/{id}/registrations',
    summary: 'List the registrations of an event',
    description: 'Keys: as for reading the event.',
    tags: TAGS.events,
    security: SECURITY,
    request: { params: IdParam },
    responses: { 200: { description: 'Registrations', ...json(RegistrationList) }, ...problems(400, 401, 403, 404) },
  }),
};

// ---------------------------------------------------------------------------------------------
// Router
// ---------------------------------------------------------------------------------------------

/**
 * The registry routes, mounted by `createApp`.
 *
 * @example
 * app.route('/', registryRoutes(deps))
 */
export function registryRoutes(deps: Deps) {
  const app = router();
  const auth = (...roles: Role[]) => requireRole(deps.resolveKey, ...roles);
  const limit: MiddlewareHandler<AuthEnv> = bodyLimit({
    maxSize: deps.config.MAX_BODY_BYTES,
    onError: (c) => problem(c, 'body-too-large', `At most ${deps.config.MAX_BODY_BYTES} bytes`),
  });
  const with_ = <R extends object>(r: R, ...mw: MiddlewareHandler<AuthEnv>[]) => ({ ...r, middleware: mw });
  const nowIso = () => new Date(deps.now()).toISOString();

  // --- organisers ---------------------------------------------------------------------------

  app.openapi(with_(routes.createOrganiser, auth('cn', 'admin'), limit), async (c) => {
    const body = c.req.valid('json');
    if (body.kind === 'a' && !isProvinceCode(body.province)) throw unknownProvince('province');
    return c.json(await insertOrganiser(deps.db, body), 201);
  });

  app.openapi(with_(routes.getOrganiser, auth('organiser', 'platform', 'cpo', 'cn', 'admin')), async (c) => {
    const { id } = c.req.valid('param');
    const p = c.get('principal');
    if ((p.role === 'organiser' || p.role === 'platform') && p.subject !== id) throw new ServiceError('organiser-not-found');
    const org = await getOrganiser(deps.db, id);
    if (!org) throw new ServiceError('organiser-not-found');
    return c.json(org, 200);
  });

  app.openapi(with_(routes.createConnection, auth('organiser'), limit), async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    if (c.get('principal').subject !== id || !(await getOrganiser(deps.db, id))) throw new ServiceError('organiser-not-found');
    const conn = await insertConnection(deps.db, { organiserId: id, platform: body.platform, secret: body.secretToken });
    const base = (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');
    return c.json({ id: conn.id, platform: body.platform, webhookUrl: `${base}/v1/webhooks/${body.platform}/${conn.id}` }, 201);
  });

  // --- members ------------------------------------------------------------------------------

  app.openapi(with_(routes.createMember, auth('cpo', 'cn', 'admin'), limit), async (c) => {
    const body = c.req.valid('json');
    const cf = checkCodiceFiscale(body.codiceFiscale);
    if (!isProvinceCode(body.province)) throw unknownProvince('province');
    const p = c.get('principal');
    if (p.role === 'cpo' && p.subject !== body.province) throw new ServiceError('forbidden', 'A CPO registers members of its own province only');
    const res = await insertMember(deps.db, { ...body, codiceFiscale: cf });
    if (!res.ok) {
      throw new ServiceError(res.conflict, res.conflict === 'member-exists' ? 'A member with this codice fiscale exists' : 'This register number is taken in this province');
    }
    return c.json(res.member, 201);
  });

  app.openapi(with_(routes.getMember, auth('cpo', 'cn', 'admin')), async (c) => {
    const { id } = c.req.valid('param');
    const m = await getMember(deps.db, id);
    if (!m || !canSeeMember(c.get('principal'), m.province)) throw new ServiceError('member-not-found');
    return c.json(m, 200);
  });

  app.openapi(with_(routes.findMember, auth('cpo', 'cn', 'admin')), async (c) => {
    const cf = checkCodiceFiscale(c.req.valid('query').codiceFiscale);
    const m = await getMemberByCodiceFiscale(deps.db, cf);
    if (!m || !canSeeMember(c.get('principal'), m.province)) throw new ServiceError('member-not-found');
    return c.json(m, 200);
  });

  app.openapi(with_(routes.importMembers, auth('cpo', 'cn', 'admin')), async (c) => {
    const p = c.get('principal');
    const onlyProvince = p.role === 'cpo' ? p.subject : null;
    let result;
    try {
      const format = declaredFormat(c);
      if (format === 'csv') {
        const raw = await readJsonBody(c, MEMBER_IMPORT_MAX_BYTES, ['text/csv', 'text/plain', 'application/csv']);
        result = await importMembersCsv(deps.db, raw, onlyProvince);
      } else {
        // An .xlsx (or a body whose bytes decide): the safe reader, first sheet, the same row report.
        const raw = await readUploadBody(c, deps.config.UPLOAD_MAX_BYTES);
        if (format === 'sniff' && sniffFormat(raw) === 'csv') {
          if (raw.byteLength > MEMBER_IMPORT_MAX_BYTES) throw new ServiceError('body-too-large', `At most ${MEMBER_IMPORT_MAX_BYTES} bytes`);
          result = await importMembersCsv(deps.db, raw, onlyProvince);
        } else {
          const limits = { maxBytes: deps.config.UPLOAD_MAX_BYTES, maxRows: MEMBER_IMPORT_MAX_ROWS + 1 };
          const sheet = await readUploadedSheet(raw, 'xlsx', { limits });
          result = await importMemberSheet(deps.db, sheet.rows, onlyProvince, { date1904: sheet.date1904 });
        }
      }
    } catch (err) {
      if (err instanceof MemberCsvError) throw new ServiceError(err.code, err.message, err.extra);
      throw err;
    }
    // Counts only: rejection messages never carry cell values, but they stay out of logs anyway.
    deps.log.info({ created: result.created, updated: result.updated, unchanged: result.unchanged, rejected: result.rejected.length }, 'members imported');
    return c.json(result, 200);
  });

  // --- events -------------------------------------------------------------------------------

  app.openapi(with_(routes.createEvent, auth('organiser'), limit), async (c) => {
    const body = c.req.valid('json');
    const organiserId = c.get('principal').subject!;
    const org = await getOrganiser(deps.db, organiserId);
    if (!org) throw new ServiceError('organiser-not-found', "The key's organiser does not exist");
    const now = deps.now();
    const errors = validateEvent(body, org, now);
    if (errors.length) throw new ServiceError('invalid-event', `${errors.length} rule violation(s)`, { errors });

    // R-QST-1/3: a kind-e webinar carries its 30 questions from the accreditation request on.
    const needsPool = questionnaireApplies(org.kind, body.mode);
    if (!needsPool && body.questions) throw new ServiceError('questionnaire-not-applicable', 'Only webinars of kind-e organisers have a questionnaire (R-QST-1)');
    if (needsPool && !body.questions) throw new ServiceError('question-pool-required', `A kind-e webinar needs its ${QUESTIONNAIRE_RULES.poolSize} scientific questions (R-QST-3)`);
    if (needsPool) {
      const violations = validatePool(body.questions!);
      if (violations.length) throw poolError(violations);
    }

    const status = initialAccreditation(org.kind);
    const at = new Date(now).toISOString();
    const utc = (s: string) => new Date(s).toISOString();
    const row = {
      id: crypto.randomUUID(),
      organiserId,
      title: body.title,
      cpoProvince: body.cpoProvince,
      mode: body.mode,
      venueProvince: body.venueProvince ?? null,
      speakers: body.speakers,
      topics: body.topics.map((t) => ({ title: t.title, start: utc(t.start), end: utc(t.end), deontology: t.deontology })),
      start: utc(body.start),
      end: utc(body.end),
      credits: body.credits,
      fractionable: body.fractionable,
      fractions: body.fractionable
        ? (body.fractions ?? []).map((f) => ({ start: utc(f.start), end: utc(f.end), credits: f.credits, ...(f.autonomous ? { autonomous: true } : {}) }))
        : null,
      toleranceMinutes: body.toleranceMinutes ?? DEFAULT_TOLERANCE_MINUTES,
      regionWide: body.regionWide,
      structuredPath: body.structuredPath,
      platform: body.platform ?? null,
      accreditation: { status, requestedAt: at, decidedAt: status === 'approved' ? at : null, reference: null },
    };
    const created = await deps.db.transaction(async (tx) => {
      const ev = await insertEvent(tx, row);
      if (ev && needsPool) await replacePool(tx, ev.id, body.questions!);
      return ev;
    });
    if (!created) throw new ServiceError('platform-meeting-exists', 'Another event of this organiser uses this platform meeting id');
    return c.json(toApiEvent(created, now), 201);
  });

  app.openapi(with_(routes.getEvent, auth('organiser', 'platform', 'cpo', 'cn', 'admin')), async (c) => {
    const event = await visibleEvent(c, c.req.valid('param').id);
    return c.json(toApiEvent(event, deps.now()), 200);
  });

  app.openapi(with_(routes.listEvents, auth('organiser', 'platform', 'cpo', 'cn', 'admin')), async (c) => {
    const q = c.req.valid('query');
    const p = c.get('principal');
    const scope =
      p.role === 'organiser' || p.role === 'platform' ? { organiserId: p.subject! } : p.role === 'cpo' ? { cpoProvince: p.subject! } : { all: true as const };
    const page = await listEvents(deps.db, scope, q.limit, q.after ?? null);
    if (!page) throw new ServiceError('invalid-query', 'Unknown cursor in `after`');
    const now = deps.now();
    return c.json({ items: page.items.map((e) => toApiEvent(e, now)), next: page.next }, 200);
  });

  app.openapi(with_(routes.decideAccreditation, auth('cpo', 'cn'), limit), async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const event = await visibleEvent(c, id);
    const now = deps.now();
    const wanted = body.decision === 'approve' ? 'approved' : 'rejected';
    const acc = event.accreditation;
    if (acc.status !== 'requested') {
      // A retry of the same decision is acknowledged; anything else is a conflict.
      if (acc.status === wanted && acc.reference === body.reference) return c.json(toApiEvent(event, now), 200);
      throw new ServiceError('accreditation-already-decided', `The accreditation is already ${acc.status}`);
    }
    if (approvedBySilence(acc.requestedAt, now)) {
      throw new ServiceError('accreditation-deadline-passed', 'The 10 days to answer have passed: silence meant consent (R-EVT-3)', {
        deadline: accreditationDeadline(Date.parse(acc.requestedAt)).toISOString(),
      });
    }
    if (wanted === 'approved' && (await requiresPool(event)) && (await poolSize(deps.db, id)) !== QUESTIONNAIRE_RULES.poolSize) {
      throw new ServiceError('question-pool-incomplete', `A kind-e webinar is accredited with its ${QUESTIONNAIRE_RULES.poolSize} scientific questions (R-QST-3)`);
    }
    const updated = await decideAccreditation(deps.db, id, { status: wanted, reference: body.reference, decidedAt: nowIso() });
    if (!updated) throw new ServiceError('accreditation-already-decided', 'Decided concurrently');
    await requestDerivation(deps, id, 'accreditation');
    return c.json(toApiEvent(updated, now), 200);
  });

  app.openapi(with_(routes.register, auth('organiser', 'platform'), limit), async (c) => {
    const { id } = c.req.valid('param');
    const { registrations } = c.req.valid('json');
    const event = await visibleEvent(c, id);
    const rows: RegistrationRow[] = [];
    const rejected: Array<{ index: number; code: string }> = [];
    registrations.forEach((r, index) => {
      let codiceFiscale: string | undefined;
      if (r.codiceFiscale !== undefined) {
        const v = validateCodiceFiscale(r.codiceFiscale);
        if (!v.ok) return void rejected.push({ index, code: 'invalid-codice-fiscale' });
        codiceFiscale = v.value;
      }
      rows.push({ index, memberId: r.memberId, codiceFiscale, registrantId: r.registrantId, email: r.email });
    });
    const out = await registerMembers(deps.db, id, rows);
    if (out.kind === 'not-found') throw new ServiceError('event-not-found');
    if (out.kind === 'closed') throw new ServiceError('event-closed', 'The course is closed (R-EVT-7)');
    // R-EVT-4: only webinars have an audience; outsiders are kept and will get no credit (R-ATT-8).
    const outsideAudience =
      event.mode === 'webinar'
        ? out.accepted
            .filter((a) => !inAudience({ memberProvince: a.province, cpoProvince: event.cpoProvince, regionWide: event.regionWide }))
            .map((a) => ({ index: a.index }))
        : [];
    // Identity goes through the registration (R-ATT-7): evidence already stored may now match.
    if (out.registered) await requestDerivation(deps, id, 'registrations');
    return c.json({ registered: out.registered, rejected: [...rejected, ...out.rejected].sort((a, b) => a.index - b.index), outsideAudience }, 200);
  });

  app.openapi(with_(routes.listRegistrations, auth('organiser', 'platform', 'cpo', 'cn', 'admin')), async (c) => {
    const event = await visibleEvent(c, c.req.valid('param').id);
    const items = await listRegistrations(deps.db, event.id);
    return c.json(
      {
        items: items.map((r) => ({
          ...r,
          inAudience: event.mode !== 'webinar' || inAudience({ memberProvince: r.province, cpoProvince: event.cpoProvince, regionWide: event.regionWide }),
        })),
      },
      200,
    );
  });

  async function requiresPool(event: StoredEvent): Promise<boolean> {
    const org = await getOrganiser(deps.db, event.organiserId);
    return !!org && questionnaireApplies(org.kind, event.mode);
  }

  /** The event if the key may see it; otherwise 404 whether or not it exists. */
  async function visibleEvent(c: Context<AuthEnv>, id: string): Promise<StoredEvent> {
    const event = await getEvent(deps.db, id);
    if (!event || !canSeeEvent(c.get('principal'), { organiser_id: event.organiserId, cpo_province: event.cpoProvince })) throw new ServiceError('event-not-found');
    return event;
  }

  return app;
}

// ---------------------------------------------------------------------------------------------
// Access and mapping helpers
// ---------------------------------------------------------------------------------------------

/** The API view of an event: the effective accreditation, silence counting as consent (R-EVT-3). */
function toApiEvent(e: StoredEvent, now: number): Event {
  const a = e.accreditation;
  const status = accreditationStatus({ status: a.status, requestedAt: a.requestedAt }, now);
  const requested = a.status === 'requested';
  return {
    ...e,
    accreditation: {
      status,
      requestedAt: a.requestedAt,
      decidedAt: a.decidedAt,
      reference: a.reference,
      deadline: requested ? accreditationDeadline(Date.parse(a.requestedAt)).toISOString() : null,
      bySilence: requested && status === 'approved',
    },
  };
}

function checkCodiceFiscale(input: string): string {
  const v = validateCodiceFiscale(input.trim());
  if (!v.ok) throw new ServiceError('invalid-codice-fiscale', `The codice fiscale is not valid (${v.code})`, { reason: v.code });
  return v.value;
}

function unknownProvince(path: string) {
  return new ServiceError('unknown-province', 'Not one of the 107 province codes', { errors: [{ path, message: 'unknown province code' }] });
}

/** Best effort: the registry change is committed either way; the sweep or the next change re-queues. */
async function requestDerivation(deps: Deps, eventId: string, reason: string) {
  if (!deps.redisReady()) return;
  await deps.attendance.requestDerivation(eventId, reason).catch((err) => deps.log.warn({ err: String(err), eventId }, 'derivation request failed'));
}
