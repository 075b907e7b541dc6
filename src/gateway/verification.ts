/**
 * @module The council's verification after the biennium (issue 15, R-VER-1 … R-VER-7): run a
 * province's February verification or June debt re-check, read a version with its rows in
 * pages, and the per-province aggregates the CN reads (art. 26 c.4).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { VERIFICATION_PHASES, VERIFICATION_STATUSES } from '../domain/verification.ts';
import { Biennium } from '../schemas/balance.ts';
import { provinceAggregates, readVerification, runVerification } from '../services/council/verification.ts';
import { EXPORT_FORMATS, verificationExport } from '../services/council/verification-export.ts';
import { webStream } from './attendance-files.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { json, problems } from './responses.ts';

import { router, SECURITY } from './router.ts';

const TAGS = ['verification'];
const Int = z.number().int();
const Amounts = z.object({ total: Int, deontology: Int });
const Phase = z.enum(VERIFICATION_PHASES);
const Status = z.enum(VERIFICATION_STATUSES);

const Aggregates = z
  .object({
    members: Int,
    subject: Int,
    inOrder: Int,
    inOrderPct: z.number(),
    byStatus: z.record(z.string(), Int),
    reductions: Int,
    debts: z.object({ accepted: Int, settled: Int, notSettled: Int, pending: Int }),
  })
  .openapi('VerificationAggregates');
const Snapshot = z
  .object({
    province: z.string(),
    biennium: Int,
    phase: Phase,
    version: Int,
    asOf: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    digest: z.string(),
    memberCount: Int,
    aggregates: Aggregates,
  })
  .openapi('VerificationSnapshot');
const Row = z
  .object({
    memberId: z.uuid(),
    status: Status,
    obligation: Amounts,
    credits: Amounts,
    missing: Amounts,
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('VerificationRow');
const Change = z.object({ memberId: z.uuid(), from: Status.nullable(), to: Status.nullable(), changed: z.array(z.string()) }).openapi('VerificationChange');
const ProvinceParam = z.object({ province: z.string().length(2) });

export function verificationRoutes(deps: Deps) {
  const app = router();
  const councils = requireRole(deps.resolveKey, 'cpo', 'cn', 'admin');

  app.use('/v1/provinces/:province/verifications', councils);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/provinces/{province}/verifications',
      summary: "Run a province's verification of a biennium: every member's status as of 28 February, or the debt re-check as of 30 June (R-VER-1 … R-VER-6)",
      description:
        'Keys: cpo (its province), cn, admin. A run with nothing new stores nothing (`changed: false`, same version); otherwise a new version ' +
        'and the members who changed since the previous one. `verification-too-early` before 1 January after the biennium, and for June until 30 June has passed.',
      tags: TAGS,
      security: SECURITY,
      request: {
        params: ProvinceParam,
        body: { content: { 'application/json': { schema: z.object({ biennium: Biennium, phase: Phase.default('february') }) } }, required: true },
      },
      responses: {
        200: json(z.object({ snapshot: Snapshot, changed: z.boolean(), previousVersion: Int.nullable(), diff: z.array(Change) }), 'The latest version'),
        ...problems,
      },
    }),
    async (c) => c.json(await runVerification(deps, c.get('principal'), { province: c.req.valid('param').province, ...c.req.valid('json') }), 200),
  );

  app.use('/v1/provinces/:province/verifications/:biennium', councils);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/provinces/{province}/verifications/{biennium}',
      summary: "A version of a province's verification (the latest without `version`), its rows in pages by member id",
      description: 'Keys: cpo (its province), cn, admin.',
      tags: TAGS,
      security: SECURITY,
      request: {
        params: ProvinceParam.extend({ biennium: Biennium }),
        query: z.object({
          phase: Phase.default('february'),
          version: z.coerce.number().int().min(1).optional(),
          status: Status.optional(),
          after: z.uuid().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(500),
        }),
      },
      responses: { 200: json(z.object({ snapshot: Snapshot, rows: z.array(Row), next: z.uuid().nullable() }), 'Snapshot'), ...problems },
    }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json(await readVerification(deps, c.get('principal'), { province: p.province, biennium: p.biennium, ...c.req.valid('query') }), 200);
    },
  );

  app.use('/v1/provinces/:province/verifications/:biennium/export', councils);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/provinces/{province}/verifications/{biennium}/export',
      summary: "A version of a province's verification as a file, every member named: `format=csv` or `format=xlsx` (R-VER-10)",
      description:
        'Keys: cpo (its province), cn, admin. The latest version without `version`; the file name names the version. Columns (the same in both formats): ' +
        'Codice fiscale, Cognome, Nome, Situazione (the status in Italian words, as the console shows it), Crediti, Di cui deontologia, Obbligo, Mancano, ' +
        'Mancano di deontologia; one row per member, by member id. CSV: `;`-separated, UTF-8 with a BOM. xlsx: sheet `Verifica`, and sheet `Versione` ' +
        "with the snapshot's province, biennium, phase, date, version, members and digest. The format is a query parameter, not content negotiation: " +
        'a link or `curl -O` names what it gets, and a proxy cannot mix the two up. The body is streamed as it is written (never whole in memory); ' +
        'an error after the first byte ends the connection without the rest of the file.',
      tags: TAGS,
      security: SECURITY,
      request: {
        params: ProvinceParam.extend({ biennium: Biennium }),
        query: z.object({
          phase: Phase.default('february'),
          version: z.coerce.number().int().min(1).optional(),
          format: z.enum(EXPORT_FORMATS).default('csv').openapi({ description: '`csv` (the default) or `xlsx`' }),
        }),
      },
      responses: {
        200: {
          description: 'The list as a file',
          headers: {
            'Content-Disposition': {
              schema: { type: 'string' },
              description: 'attachment; filename="verifica_<province>_<biennium>_<phase>_v<version>.<format>"',
            },
          },
          content: {
            'text/csv': { schema: z.string() },
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
          },
        },
        ...problems,
      },
    }),
    async (c) => {
      const p = c.req.valid('param');
      const q = c.req.valid('query');
      const file = await verificationExport(deps, c.get('principal'), { province: p.province, biennium: p.biennium, ...q });
      return c.body(webStream(file.out), 200, {
        'content-type': file.contentType,
        'content-disposition': `attachment; filename="${file.filename}"`,
        'cache-control': 'no-store',
      });
    },
  );

  app.use('/v1/verifications', councils);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/verifications',
      summary:
        "Every CPO's verification of a biennium for the CN: members in order (number and share), reductions, debts, events organised by mode (art. 26 c.4, R-VER-7)",
      description:
        'Keys: cn, admin (every province with members, events or a verification, or `province`); cpo (its own). A province that has not run the February phase is listed with `februaryVersion` and `aggregates` null.',
      tags: TAGS,
      security: SECURITY,
      request: { query: z.object({ biennium: Biennium, province: z.string().length(2).optional() }) },
      responses: {
        200: json(
          z.object({
            biennium: Int,
            provinces: z.array(
              z.object({
                province: z.string(),
                registered: Int.openapi({ description: 'Members registered now' }),
                februaryVersion: Int.nullable().openapi({ description: 'null: the February phase has not run yet' }),
                juneVersion: Int.nullable(),
                february: z.object({ asOf: z.string(), createdAt: z.string(), createdBy: z.string() }).nullable(),
                aggregates: Aggregates.nullable(),
                events: z.object({
                  organised: z
                    .object({ total: Int, byMode: z.record(z.string(), Int) })
                    .openapi({ description: 'Events of the biennium the CPO organised itself (its kind-a organiser), not rejected, by mode' }),
                  accredited: Int.openapi({ description: 'Events of the biennium the CPO accredited, of any organiser, not rejected' }),
                }),
              }),
            ),
          }),
          'Aggregates',
        ),
        ...problems,
      },
    }),
    async (c) => c.json(await provinceAggregates(deps, c.get('principal'), c.req.valid('query')), 200),
  );
  return app;
}
