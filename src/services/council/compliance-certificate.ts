/**
 * @module The compliance certificate of a member for a biennium (e-learning guidelines art. 6,
 * issue 15), issued by the member's CPO as a verifiable document (`documents.ts`) from the
 * council's verification (R-VER-*): the latest February snapshot of the member's province, its row
 * replaced by the latest June one for a debtor (R-VER-7), never a balance derived again (R-DOC-8).
 * Doors: an API key or console person (the member's CPO, cn, admin), the member's dashboard link
 * (the caller verified it), and the CPO console's members page (the statuses of a page of members).
 */
import {
  complianceAvailability,
  complianceCertificate,
  complianceCertificateFacts,
  complianceStanding,
  type ComplianceCertificate,
  type ComplianceStanding,
} from '../../domain/compliance-certificate.ts';
import { cpoIssuer } from '../../domain/documents.ts';
import { isBiennium } from '../../domain/calendar.ts';
import { canSeeMember } from '../../domain/roles.ts';
import type { VerificationStatus } from '../../domain/verification.ts';
import { latestPhaseRows } from '../../store/certificates.ts';
import type { Queryable } from '../../store/db.ts';
import { getMember } from '../../store/members.ts';
import type { Member } from '../../schemas/members.ts';
import { actorRef, type Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { issueDocument, type IssuedDocument } from '../documents.ts';
import { ServiceError } from '../errors.ts';

/** A compliance certificate with its verifiable document: the code and digest the PDF prints. */
export interface ComplianceDocument {
  certificate: ComplianceCertificate;
  document: IssuedDocument;
}

/** What the member's door gets: the certificate, or why there is none (the page says it in Italian). */
export type MemberCompliance =
  | ({ kind: 'ok' } & ComplianceDocument)
  | { kind: 'not-found' }
  | { kind: 'no-verification' }
  | { kind: 'not-compliant'; status: VerificationStatus };

/**
 * The compliance certificate of a member for a biennium, for the member's CPO, cn and admin (a
 * member the actor may not see: `member-not-found`). Refused with `verification-not-found` when the
 * province's February verification of the biennium has not run or does not hold the member, and
 * `not-compliant` (with the `status`) for a member not in order.
 *
 * @rule R-DOC-8
 */
export async function complianceCertificateOf(
  ctx: Pick<ServiceContext, 'db' | 'log' | 'now'>,
  actor: Actor,
  input: { memberId: string; biennium: number },
): Promise<ComplianceDocument> {
  if (!['cpo', 'cn', 'admin'].includes(actor.role)) throw new ServiceError('forbidden');
  const member = await getMember(ctx.db, input.memberId);
  if (!member || !canSeeMember(actor, member.province)) throw new ServiceError('member-not-found');
  const r = await certify(ctx, member, input.biennium);
  if (r.kind === 'no-verification') {
    throw new ServiceError('verification-not-found', `No February verification of ${member.province} for ${input.biennium} holds this member`, {
      province: member.province,
      biennium: input.biennium,
    });
  }
  if (r.kind === 'not-compliant') {
    throw new ServiceError('not-compliant', `The member's status in the verification is ${r.status}`, { status: r.status, rule: 'R-VER-4' });
  }
  if (r.kind === 'not-found') throw new ServiceError('member-not-found');
  ctx.log.info({ memberId: member.id, biennium: input.biennium, by: actorRef(actor) }, 'compliance certificate downloaded');
  return { certificate: r.certificate, document: r.document };
}

/**
 * The member's own certificate (the dashboard door: the caller verified the link naming the member).
 *
 * @rule R-DOC-8
 */
export async function memberComplianceCertificate(ctx: Pick<ServiceContext, 'db' | 'now'>, memberId: string, biennium: number): Promise<MemberCompliance> {
  const member = await getMember(ctx.db, memberId);
  return member ? certify(ctx, member, biennium) : { kind: 'not-found' };
}

/**
 * Whether the member's certificate of a biennium can be issued, without issuing it: what the
 * dashboard needs to show its link. Null when no verification holds the member.
 */
export async function memberComplianceStatus(ctx: Pick<ServiceContext, 'db'>, memberId: string, biennium: number): Promise<VerificationStatus | null> {
  const member = await getMember(ctx.db, memberId);
  if (!member || !isBiennium(biennium)) return null;
  return (await standings(ctx.db, member.province, biennium, [member.id])).get(member.id)?.row.status ?? null;
}

/**
 * The verification statuses of a page of a province's members (R-VER-7's folding), for the CPO
 * console's members page: `verified` false when the province's February verification of the
 * biennium has not run; a member it does not hold is absent from `statuses`.
 */
export async function complianceStatuses(
  ctx: Pick<ServiceContext, 'db'>,
  actor: Actor,
  input: { province: string; biennium: number; memberIds: readonly string[] },
): Promise<{ verified: boolean; statuses: Map<string, VerificationStatus> }> {
  if (!canSeeMember(actor, input.province)) throw new ServiceError('forbidden');
  if (!isBiennium(input.biennium)) return { verified: false, statuses: new Map() };
  const feb = await latestPhaseRows(ctx.db, { province: input.province, biennium: input.biennium, phase: 'february' }, input.memberIds);
  if (!feb) return { verified: false, statuses: new Map() };
  const all = await standings(ctx.db, input.province, input.biennium, input.memberIds, feb);
  return { verified: true, statuses: new Map([...all].map(([id, s]) => [id, s.row.status])) };
}

/** Each member's standing in the province's latest verification (R-VER-7: the June row replaces February's). */
async function standings(
  db: Queryable,
  province: string,
  biennium: number,
  memberIds: readonly string[],
  february?: Awaited<ReturnType<typeof latestPhaseRows>>,
): Promise<Map<string, ComplianceStanding>> {
  const feb = february ?? (await latestPhaseRows(db, { province, biennium, phase: 'february' }, memberIds));
  const out = new Map<string, ComplianceStanding>();
  if (!feb) return out;
  // Only debtors appear in the June re-check (R-VER-2); the others need no second query.
  const debtors = [...feb.rows.values()].filter((r) => r.details.debt !== null).map((r) => r.memberId);
  const june = debtors.length ? await latestPhaseRows(db, { province, biennium, phase: 'june' }, debtors) : null;
  for (const id of memberIds) {
    const s = complianceStanding({ basis: feb.basis, row: feb.rows.get(id) ?? null }, june ? { basis: june.basis, row: june.rows.get(id) ?? null } : null);
    if (s) out.set(id, s);
  }
  return out;
}

/**
 * The certificate of a loaded member, issued once for its facts and reused on every download; a
 * new verification version supersedes it. The member's CPO issues it (issuer `cpo:<province>`).
 *
 * @rule R-DOC-1
 * @rule R-DOC-5
 * @rule R-DOC-8
 */
async function certify(ctx: Pick<ServiceContext, 'db' | 'now'>, member: Member, biennium: number): Promise<MemberCompliance> {
  if (!isBiennium(biennium)) return { kind: 'no-verification' };
  const standing = (await standings(ctx.db, member.province, biennium, [member.id])).get(member.id);
  if (!standing) return { kind: 'no-verification' };
  const availability = complianceAvailability(standing);
  if (!availability.available) return { kind: 'not-compliant', status: availability.status };
  const certificate = complianceCertificate({
    memberId: member.id,
    member: {
      surname: member.surname,
      givenName: member.givenName,
      codiceFiscale: member.codiceFiscale,
      registerNumber: member.registerNumber,
      province: member.province,
    },
    province: member.province,
    biennium,
    standing,
  });
  const document = await issueDocument(ctx, {
    kind: 'compliance-certificate',
    subject: `compliance:${member.id}:${biennium}`,
    issuer: cpoIssuer(member.province),
    facts: complianceCertificateFacts(certificate),
  });
  return { kind: 'ok', certificate, document };
}
