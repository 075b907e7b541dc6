/**
 * @module The province's members in the council's console (issue 15, first part), through the
 * API's operations with the officer as the actor:
 *
 *   GET  /console/iscritti                     balances of the biennium (`listBalances`), ?stato= filter, ?cf= search (`findMember`, `getMemberBalance`)
 *   POST /console/iscritti/{id}/cruscotto      the member's dashboard link to hand over (`dashboardLink`)
 *   GET  /console/iscritti/{id}/certificato    the member's compliance certificate of `?biennio=`, PDF (`complianceCertificateOf`, R-DOC-8)
 *
 * Once the province's verification of the biennium has run, each row says whether its member's
 * certificate can be issued (`complianceStatuses`) and links to it.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { membersPage, type MemberRow, type MembersView } from '../../pages/console/member-pages.tsx';
import { ServiceError } from '../../services/errors.ts';
import { bienniumOrCurrent, dashboardLink, getMemberBalance, listBalances } from '../../services/balance/balances.ts';
import { complianceCertificateOf, complianceStatuses } from '../../services/council/compliance-certificate.ts';
import { findMember, getMember } from '../../services/registry/members.ts';
import { compliancePdf } from '../certificates.ts';
import type { Deps } from '../deps.ts';
import { actorOf, requirePerson, type ConsoleEnv } from './session.ts';
import { ProvinciaQuery } from './forms.ts';

const STATUSES = ['compliant', 'in-progress', 'debt-open', 'non-compliant'] as const;
const Query = z.object({
  provincia: ProvinciaQuery,
  biennio: z.coerce.number().int().min(2000).max(2100).optional(),
  stato: z.enum(['', ...STATUSES]).optional(),
  cf: z.string().trim().max(16).optional(),
  dopo: z.uuid().optional(),
});
const MEMBER_ID = z.uuid();
const PAGE = 100;

export function memberRoutes(deps: Deps) {
  const app = new Hono<ConsoleEnv>();
  const councils = requirePerson(['cpo', 'cn']);

  const render = async (c: Context<ConsoleEnv>, extra: Pick<MembersView, 'link' | 'problems'> = {}, status: 200 | 404 | 409 | 422 = 200) => {
    const actor = actorOf(c);
    const q = Query.safeParse(c.req.query());
    const query = q.success ? q.data : {};
    const province = actor.role === 'cpo' ? actor.subject! : (query.provincia ?? 'MI');
    const biennium = bienniumOrCurrent(query.biennio, deps.now());
    const status_ = query.stato || '';
    let rows: MemberRow[] = [];
    let next: string | null = null;
    const problems = [...(extra.problems ?? [])];
    if (query.cf) {
      try {
        const m = await findMember(deps, actor, query.cf);
        const b = await getMemberBalance(deps, actor, { id: m.id, biennium });
        rows = [
          {
            memberId: m.id,
            surname: m.surname,
            givenName: m.givenName,
            obligation: b.balance.obligation,
            counted: b.balance.counted,
            missing: b.balance.missing,
            distancePct: b.distance.pct,
            status: b.balance.status,
          },
        ];
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        problems.push({
          code: err.code,
          text: err.code === 'invalid-codice-fiscale' ? 'Il codice fiscale non è valido.' : 'Nessun iscritto della provincia con questo codice fiscale.',
        });
      }
    } else {
      const page = await listBalances(deps, actor, {
        province,
        biennium,
        limit: PAGE,
        ...(status_ ? { status: status_ } : {}),
        ...(query.dopo ? { after: query.dopo } : {}),
      });
      rows = page.balances.map((b) => ({ ...b, status: b.status as MemberRow['status'] }));
      next = page.next;
    }
    const certificates = await complianceStatuses(deps, actor, { province, biennium, memberIds: rows.map((r) => r.memberId) });
    return c.html(
      membersPage(c.get('staff')!.user, {
        province,
        biennium,
        certificates,
        status: status_,
        cf: query.cf ?? '',
        rows,
        next,
        choosesProvince: actor.role !== 'cpo',
        ...extra,
        problems,
      }),
      status,
    );
  };

  app.get('/console/iscritti', councils, (c) => render(c));

  app.post('/console/iscritti/:id/cruscotto', councils, async (c) => {
    const id = c.req.param('id');
    if (!MEMBER_ID.safeParse(id).success) return render(c, { problems: [{ code: 'member-not-found', text: 'Iscritto non trovato.' }] }, 404);
    try {
      const link = await dashboardLink(deps, actorOf(c), { id, origin: new URL(c.req.url).origin });
      const m = await getMember(deps, actorOf(c), id);
      return render(c, { link: { name: `${m.givenName} ${m.surname}`, url: link.url, expiresAt: new Date(link.expiresAt) } });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      return render(c, { problems: [{ code: err.code, text: 'Iscritto non trovato.' }] }, 404);
    }
  });

  // The compliance certificate: the operation GET /v1/members/{id}/compliance-certificate calls (R-DOC-8).
  app.get('/console/iscritti/:id/certificato', councils, async (c) => {
    const id = c.req.param('id');
    const biennium = Query.safeParse(c.req.query()).data?.biennio;
    const refuse = (code: string, text: string, status: 404 | 409 | 422) => render(c, { problems: [{ code, text }] }, status);
    if (!MEMBER_ID.safeParse(id).success) return refuse('member-not-found', 'Iscritto non trovato.', 404);
    if (biennium === undefined || biennium % 2 !== 1) return refuse('invalid-query', 'Indichi il biennio con il suo primo anno (dispari).', 422);
    try {
      const d = await complianceCertificateOf(deps, actorOf(c), { memberId: id, biennium });
      const { pdf, fileName } = await compliancePdf(d, (deps.config.PUBLIC_URL ?? new URL(c.req.url).origin).replace(/\/+$/, ''));
      return c.body(new Uint8Array(pdf), 200, {
        'content-type': 'application/pdf',
        'content-disposition': `attachment; filename="${fileName}"`,
        'content-length': String(pdf.length),
      });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      if (err.code === 'not-compliant')
        return refuse(err.code, 'Dalla verifica l’iscritto non risulta in regola con l’obbligo del biennio: il certificato non si rilascia.', 409);
      if (err.code === 'verification-not-found') return refuse(err.code, 'La verifica del biennio non è ancora stata eseguita per questo iscritto.', 404);
      return refuse(err.code, 'Iscritto non trovato.', 404);
    }
  });

  return app;
}
