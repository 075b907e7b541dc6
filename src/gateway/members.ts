/**
 * @module Members over HTTP (`src/services/registry/members.ts`, `member-import.ts`): register one,
 * read, find by codice fiscale, and import a register export (CSV or .xlsx, read here from the
 * body through `uploads.ts`). A CPO works on the members of its province.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Member, MemberCreate, MEMBER_IMPORT_MAX_BYTES, MEMBER_IMPORT_MAX_ROWS, MemberImportResult } from '../schemas/members.ts';
import { importMembers, type MemberImportFile } from '../services/registry/member-import.ts';
import { createMember, findMember, getMember } from '../services/registry/members.ts';
import { ServiceError } from '../services/errors.ts';
import type { Deps } from './deps.ts';
import { readJsonBody } from './http.ts';
import { IdParam, json, jsonBody, problems, routeMiddleware, TAGS } from './registry-routes.ts';
import { router, SECURITY } from './router.ts';
import { declaredFormat, readUploadBody, readUploadedSheet, sniffFormat } from './uploads.ts';

const routes = {
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
      "at most 10 MiB and 20,000 rows, read safely (zip guard: `zip-bomb`, `not-a-workbook`, `encrypted-file`, `unreadable-file`, `too-many-sheets`, `too-many-columns`; formulas refused: `formula-not-allowed`). Row numbers are the sheet's.",
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
          'text/csv': {
            schema: z.string().openapi({ example: 'codice_fiscale;cognome;nome;provincia;numero_iscrizione;data_nascita;data_iscrizione;email\n' }),
          },
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
        },
        required: true,
      },
    },
    responses: { 200: { description: 'Import summary', ...json(MemberImportResult) }, ...problems(401, 403, 413, 415, 422) },
  }),
};

/**
 * The member routes, mounted by `createApp`.
 *
 * @example
 * app.route('/', memberRoutes(deps))
 */
export function memberRoutes(deps: Deps) {
  const app = router();
  const { auth, limit, with_ } = routeMiddleware(deps);

  app.openapi(with_(routes.createMember, auth('cpo', 'cn', 'admin'), limit), async (c) => {
    return c.json(await createMember(deps, c.get('principal'), c.req.valid('json')), 201);
  });

  app.openapi(with_(routes.getMember, auth('cpo', 'cn', 'admin')), async (c) => {
    return c.json(await getMember(deps, c.get('principal'), c.req.valid('param').id), 200);
  });

  app.openapi(with_(routes.findMember, auth('cpo', 'cn', 'admin')), async (c) => {
    return c.json(await findMember(deps, c.get('principal'), c.req.valid('query').codiceFiscale), 200);
  });

  app.openapi(with_(routes.importMembers, auth('cpo', 'cn', 'admin')), async (c) => {
    const p = c.get('principal');
    let file: MemberImportFile;
    const format = declaredFormat(c);
    if (format === 'csv') {
      file = { format: 'csv', bytes: await readJsonBody(c, MEMBER_IMPORT_MAX_BYTES, ['text/csv', 'text/plain', 'application/csv']) };
    } else {
      // An .xlsx (or a body whose bytes decide): the safe reader, first sheet, the same row report.
      const raw = await readUploadBody(c, deps.config.UPLOAD_MAX_BYTES);
      if (format === 'sniff' && sniffFormat(raw) === 'csv') {
        if (raw.byteLength > MEMBER_IMPORT_MAX_BYTES) throw new ServiceError('body-too-large', `At most ${MEMBER_IMPORT_MAX_BYTES} bytes`);
        file = { format: 'csv', bytes: raw };
      } else {
        const limits = { maxBytes: deps.config.UPLOAD_MAX_BYTES, maxRows: MEMBER_IMPORT_MAX_ROWS + 1 };
        const sheet = await readUploadedSheet(raw, 'xlsx', { limits });
        file = { format: 'sheet', rows: sheet.rows, date1904: sheet.date1904 };
      }
    }
    return c.json(await importMembers(deps, p, file), 200);
  });

  return app;
}
