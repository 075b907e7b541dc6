/**
 * @module Referrals to the discipline council over HTTP (issue 15, art. 28 c.2, R-VER-8, R-VER-9):
 * prepare a province's list from its verification, read it in pages, one referral with its
 * history, move it (sent, answered), and download a letter (PDF) or all the list's letters (zip).
 * The CPO prepares and moves its own province's referrals; CN and admin read every list.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { REFERRAL_STATES } from '../domain/referrals.ts';
import { VERIFICATION_PHASES, VERIFICATION_STATUSES } from '../domain/verification.ts';
import { Biennium } from '../schemas/balance.ts';
import { PathUuid } from '../schemas/common.ts';
import { PrepareReferrals, ReferralListQuery, ReferralState, ReferralTransition } from '../schemas/referrals.ts';
import { ServiceError } from '../services/errors.ts';
import { getReferral, listReferrals, moveReferral, prepareReferrals, referralLetterDocument, referralLettersZip } from '../services/council/referrals.ts';
import { requireRole } from './auth.ts';
import type { Deps } from './deps.ts';
import { json, problems } from './responses.ts';
import { router, SECURITY } from './router.ts';

const TAGS = ['referrals'];
const Int = z.number().int();
const Amounts = z.object({ total: Int, deontology: Int });
const Phase = z.enum(VERIFICATION_PHASES);
const ProvinceParam = z.object({ province: z.string().length(2) });
const IdParam = z.object({ id: z.uuid() });

const Note = z
  .object({
    phase: Phase,
    version: Int,
    status: z.enum(VERIFICATION_STATUSES).nullable(),
    reason: z.enum(['in-order', 'not-due', 'debt-recovery-open', 'debt-request-pending', 'not-in-verification']),
  })
  .openapi('ReferralNote');
const Referral = z
  .object({
    id: z.uuid(),
    number: z.string().openapi({ example: 'DEF-MI-2025-0001' }),
    seq: Int,
    province: z.string(),
    biennium: Int,
    member: z.object({ id: z.uuid(), surname: z.string(), givenName: z.string(), codiceFiscale: z.string() }),
    state: z.enum(REFERRAL_STATES),
    phase: Phase,
    version: Int,
    status: z.enum(VERIFICATION_STATUSES),
    obligation: Amounts,
    credits: Amounts,
    missing: Amounts,
    letterOn: z.string(),
    preparedAt: z.string(),
    preparedBy: z.string(),
    sent: z.object({ on: z.string(), by: z.string(), protocolNumber: z.string().nullable(), pecReference: z.string().nullable() }).nullable(),
    answered: z.object({ on: z.string(), by: z.string(), summary: z.string() }).nullable(),
    withdrawnAt: z.string().nullable(),
    note: Note.nullable(),
  })
  .openapi('Referral');
const History = z
  .object({
    seq: Int,
    at: z.string(),
    actor: z.string(),
    action: z.enum(['prepared', 'refreshed', 'withdrawn', 'sent', 'answered', 'noted', 'note-cleared']),
    data: z.record(z.string(), z.unknown()),
  })
  .openapi('ReferralStep');
const Summary = z
  .object({
    created: Int,
    refreshed: Int,
    withdrawn: Int,
    noted: Int,
    noteCleared: Int,
    held: z.object({ debtRecovery: Int, debtRequest: Int }),
    referred: Int,
  })
  .openapi('ReferralPreparationSummary');
const Basis = z.object({ februaryVersion: Int, juneVersion: Int.nullable() });
const Available = z.object({ version: Int, asOf: z.string(), createdAt: z.string() }).nullable();
const ListOut = z
  .object({
    province: z.string(),
    biennium: Int,
    list: Basis.extend({ province: z.string(), biennium: Int, preparedAt: z.string(), preparedBy: z.string(), summary: Summary }).nullable(),
    opensAfter: z.string(),
    available: z.object({ february: Available, june: Available }),
    counts: z.record(z.string(), Int),
    referrals: z.array(Referral),
    next: Int.nullable(),
  })
  .openapi('ReferralList');

const binary = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string().openapi({ format: 'binary' }) } } });

const letterRoute = createRoute({
  method: 'get',
  path: '/v1/referrals/{id}/letter',
  summary: 'The letter of a referral (PDF) to the discipline council, a verifiable document (R-VER-9, R-DOC-1)',
  description:
    'Keys: cpo (its province), cn, admin. From the Consiglio provinciale to the Consiglio di disciplina territoriale (art. 28 c.2, art. 26 c.3): the member, ' +
    'the biennium, obligation and credits counted and missing (total and deontology), the debt, the status, the verification version and date, the ' +
    "president's signature line, and the verification code, QR code of `/verify/{code}` and the facts' digest. Every download is the same file. " +
    '409 `referral-withdrawn` for a withdrawn referral.',
  tags: TAGS,
  security: SECURITY,
  request: { params: IdParam },
  responses: {
    200: binary('application/pdf', 'The letter, `Content-Disposition: attachment; filename="deferimento-def-<province>-<biennium>-<n>.pdf"`'),
    ...problems,
  },
});

const lettersRoute = createRoute({
  method: 'get',
  path: '/v1/provinces/{province}/referrals/{biennium}/letters',
  summary: 'Every letter of a list as a zip, one PDF per referral named by its number (all but the withdrawn, or those of `state`)',
  description: 'Keys: cpo (its province), cn, admin. Each letter is its own verifiable document, sent on its own.',
  tags: TAGS,
  security: SECURITY,
  request: { params: ProvinceParam.extend({ biennium: Biennium }), query: z.object({ state: ReferralState.optional() }) },
  responses: { 200: binary('application/zip', 'The letters'), ...problems },
});

export function referralRoutes(deps: Deps) {
  const app = router();
  const councils = requireRole(deps.resolveKey, 'cpo', 'cn', 'admin');
  const cpo = requireRole(deps.resolveKey, 'cpo');
  const originOf = (c: Context) => (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, '');

  app.use('/v1/provinces/:province/referrals', cpo);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/provinces/{province}/referrals',
      summary: "Prepare a province's referral list of a biennium from its verification (R-VER-8, R-VER-9)",
      description:
        'Key: cpo (its province). From 1 March after the biennium (`referrals-too-early` until 28 February has passed), on the latest February snapshot ' +
        "(or `februaryVersion`) and the latest June one (or `juneVersion`) when there is one. Referred: `short` without a debt request filed or accepted, and June's " +
        '`debt-not-settled`; `debt-accepted` members are held until the June re-check. Running it again on the same versions creates nothing ' +
        '(`changed: false`); a newer basis refers new members, restates prepared letters whose figures changed, withdraws prepared referrals of members ' +
        "no longer to refer and adds a note to sent ones. A version older than the list's is `referral-basis-outdated`.",
      tags: TAGS,
      security: SECURITY,
      request: { params: ProvinceParam, body: { content: { 'application/json': { schema: PrepareReferrals } }, required: true } },
      responses: {
        200: json(z.object({ changed: z.boolean(), basis: Basis, previous: Basis.nullable(), summary: Summary }), 'The list as prepared'),
        ...problems,
      },
    }),
    async (c) => c.json(await prepareReferrals(deps, c.get('principal'), { province: c.req.valid('param').province, ...c.req.valid('json') }), 200),
  );

  app.use('/v1/provinces/:province/referrals/:biennium', councils);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/provinces/{province}/referrals/{biennium}',
      summary: "A province's referral list in pages by number, with its basis, the snapshots it may rest on and the count per state",
      description: 'Keys: cpo (its province), cn, admin. `list` is null before the first preparation.',
      tags: TAGS,
      security: SECURITY,
      request: { params: ProvinceParam.extend({ biennium: Biennium }), query: ReferralListQuery },
      responses: { 200: json(ListOut, 'The list'), ...problems },
    }),
    async (c) => {
      const p = c.req.valid('param');
      return c.json(await listReferrals(deps, c.get('principal'), { province: p.province, biennium: p.biennium, ...c.req.valid('query') }), 200);
    },
  );

  app.use('/v1/referrals/:id', councils);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/v1/referrals/{id}',
      summary: 'One referral with its history: every step, when and by whom (R-VER-9)',
      description: "Keys: cpo (its province; another province's is `referral-not-found`), cn, admin.",
      tags: TAGS,
      security: SECURITY,
      request: { params: IdParam },
      responses: { 200: json(Referral.extend({ history: z.array(History) }), 'The referral'), ...problems },
    }),
    async (c) => c.json(await getReferral(deps, c.get('principal'), c.req.valid('param').id), 200),
  );

  app.use('/v1/referrals/:id/transitions', cpo);
  app.openapi(
    createRoute({
      method: 'post',
      path: '/v1/referrals/{id}/transitions',
      summary: 'Move a referral: `sent` (day, protocol number, PEC reference) from prepared, `answered` (day, reply in short) from sent (R-VER-9)',
      description:
        "Key: cpo (its province; another province's is `referral-not-found`). `referral-invalid-transition` from any other state; `invalid-referral-date` " +
        'for a day before the letter (or the sending) or after today (Rome); `referral-list-outdated` when sending while a newer verification version ' +
        'exists than the list rests on (prepare it again first). The step records who took it.',
      tags: TAGS,
      security: SECURITY,
      request: { params: IdParam, body: { content: { 'application/json': { schema: ReferralTransition } }, required: true } },
      responses: { 200: json(Referral, 'The referral after the step'), ...problems },
    }),
    async (c) => c.json(await moveReferral(deps, c.get('principal'), { id: c.req.valid('param').id, ...c.req.valid('json') }), 200),
  );

  app.openAPIRegistry.registerPath(letterRoute);
  app.use('/v1/referrals/:id/letter', councils);
  app.get('/v1/referrals/:id/letter', async (c) => {
    const id = PathUuid.safeParse(c.req.param('id'));
    if (!id.success) throw new ServiceError('referral-not-found');
    const { pdf, fileName } = await referralLetterDocument(deps, c.get('principal'), { id: id.data, origin: originOf(c) });
    return c.body(new Uint8Array(pdf), 200, {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="${fileName}"`,
      'Content-Length': String(pdf.length),
      'Cache-Control': 'no-store',
    });
  });

  app.openAPIRegistry.registerPath(lettersRoute);
  app.use('/v1/provinces/:province/referrals/:biennium/letters', councils);
  app.get('/v1/provinces/:province/referrals/:biennium/letters', async (c) => {
    const params = ProvinceParam.extend({ biennium: Biennium }).safeParse(c.req.param());
    const query = z.object({ state: ReferralState.optional() }).safeParse(c.req.query());
    if (!params.success) throw new ServiceError('invalid-params');
    if (!query.success) throw new ServiceError('invalid-query');
    const { zip, fileName } = await referralLettersZip(deps, c.get('principal'), { ...params.data, ...query.data, origin: originOf(c) });
    return c.body(new Uint8Array(zip), 200, {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${fileName}"`,
      'Content-Length': String(zip.length),
      'Cache-Control': 'no-store',
    });
  });
  return app;
}
