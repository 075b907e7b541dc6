/**
 * @module The R-ELN-6 attestation of an e-learning or podcast enrolment (issue 6 §5, art. 23 c.2)
 * loaded for its three doors: an API key (the event's organiser, its accrediting CPO, cn, admin),
 * the member's dashboard link and the player's launch token. The callers verify the links; the
 * document is `src/domain/attestation.ts`, issued only once the enrolment is credited
 * (`attestationAvailability`, R-ELN-4).
 */
import { attestation, attestationAvailability, attestationFacts, type Attestation, type AttestationMode } from '../../domain/attestation.ts';
import { canSeeEvent } from '../../domain/roles.ts';
import { attestationSourceByEnrolment, attestationSourceByMember, type AttestationSource } from '../../store/attestation.ts';
import { organiserIssuer } from '../../domain/documents.ts';
import { actorRef, type Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { issueDocument, type IssuedDocument } from '../documents.ts';
import { ServiceError } from '../errors.ts';

const ELEARNING_MODES: readonly string[] = ['e-learning', 'podcast'] satisfies AttestationMode[];

/** An attestation with its verifiable document (issue 15): the code and digest the PDF prints. */
export interface AttestationDocument {
  attestation: Attestation;
  document: IssuedDocument;
}

/** The attestation of an enrolment, or why there is none. */
export type Issued =
  | ({ kind: 'ok' } & AttestationDocument)
  | { kind: 'not-elearning'; mode: string }
  | { kind: 'not-enrolled' }
  | { kind: 'not-available'; reason: string; outcomeStatus: string | null; rule: string };

/**
 * The attestation of a member's enrolment for an API key that may see the event (`event-not-found`
 * otherwise). Refuses `not-elearning`, `enrolment-not-found` and `attestation-not-available` (with
 * the outcome's `reason`, `outcomeStatus` and `rule`). `host` is the platform the attestation names.
 */
export async function enrolmentAttestation(
  ctx: Pick<ServiceContext, 'db' | 'log' | 'now'>,
  actor: Actor,
  eventId: string,
  memberId: string,
  host: string,
): Promise<AttestationDocument> {
  const src = await attestationSourceByMember(ctx.db, eventId, memberId);
  if (!src || !canSeeEvent(actor, { organiser_id: src.event.organiserId, cpo_province: src.event.cpoProvince })) throw new ServiceError('event-not-found');
  const r = issue(src, host);
  switch (r.kind) {
    case 'not-elearning':
      throw new ServiceError('not-elearning', `Only e-learning and podcast events have an attestation; this event is ${r.mode}`, { mode: r.mode });
    case 'not-enrolled':
      throw new ServiceError('enrolment-not-found', 'The member is not enrolled in this course');
    case 'not-available':
      throw new ServiceError('attestation-not-available', `No attestation until the enrolment is credited (R-ELN-4, R-ELN-6): ${r.reason}`, {
        reason: r.reason,
        outcomeStatus: r.outcomeStatus,
        rule: r.rule,
      });
    case 'ok':
      ctx.log.info({ eventId, enrolmentId: r.attestation.enrolmentId, by: actorRef(actor) }, 'attestation downloaded');
      return withDocument(ctx, src, r.attestation);
  }
}

/**
 * The attestation of the member's own enrolment in `eventId` (the dashboard door: the caller
 * verified the link naming the member). `eventId` null (not an id) is no enrolment.
 */
export async function memberAttestation(ctx: Pick<ServiceContext, 'db' | 'now'>, memberId: string, eventId: string | null, host: string): Promise<Issued> {
  const src = eventId === null ? null : await attestationSourceByMember(ctx.db, eventId, memberId);
  return src ? issued(ctx, src, host) : { kind: 'not-enrolled' };
}

/** The attestation of the enrolment a launch token names (the caller verified it); null when the enrolment is unknown. */
export async function launchAttestation(ctx: Pick<ServiceContext, 'db' | 'now'>, enrolmentId: string, host: string): Promise<Issued | null> {
  const src = await attestationSourceByEnrolment(ctx.db, enrolmentId);
  return src ? issued(ctx, src, host) : null;
}

/** `issue` with the verifiable document of an attestation. */
async function issued(ctx: Pick<ServiceContext, 'db' | 'now'>, src: AttestationSource, host: string): Promise<Issued> {
  const r = issue(src, host);
  return r.kind === 'ok' ? { kind: 'ok', ...(await withDocument(ctx, src, r.attestation)) } : r;
}

/**
 * The attestation's verifiable document, issued once for its facts and reused on every download;
 * corrected facts (another outcome, a renamed course) supersede it. The organiser issues it (art. 23 c.2).
 * @rule R-DOC-1
 * @rule R-DOC-5
 */
async function withDocument(ctx: Pick<ServiceContext, 'db' | 'now'>, src: AttestationSource, a: Attestation): Promise<AttestationDocument> {
  const document = await issueDocument(ctx, {
    kind: 'elearning-attestation',
    subject: `enrolment:${a.enrolmentId}`,
    issuer: organiserIssuer(src.event.organiserId),
    facts: attestationFacts(a),
  });
  return { attestation: a, document };
}

/** The attestation of a loaded enrolment, or why there is none. */
function issue(src: AttestationSource, host: string): Exclude<Issued, { kind: 'ok' }> | { kind: 'ok'; attestation: Attestation } {
  if (!ELEARNING_MODES.includes(src.event.mode)) return { kind: 'not-elearning', mode: src.event.mode };
  const e = src.enrolment;
  if (!e) return { kind: 'not-enrolled' };
  const o = e.outcome;
  // R-ELN-4, R-ELN-6: only a credited enrolment, with the instant it was completed, has an attestation.
  const availability = attestationAvailability(o);
  if (!availability.available) {
    const { reason, outcomeStatus, rule } = availability;
    return { kind: 'not-available', reason, outcomeStatus, rule };
  }
  return {
    kind: 'ok',
    attestation: attestation({
      enrolmentId: e.id,
      event: {
        title: src.event.title,
        mode: src.event.mode as AttestationMode,
        topics: src.event.topics,
        start: src.event.start,
        end: src.event.end,
        cpoProvince: src.event.cpoProvince,
        accreditationReference: src.event.accreditationReference,
      },
      organiser: { name: src.organiser.name, authorisationNumber: src.organiser.authorisationNumber },
      member: e.member,
      outcome: { completedAt: availability.completedAt, creditedSeconds: o!.creditedSeconds, credits: o!.credits, deontologyCredits: e.ledgerDeontology },
      nominalMinutes: e.nominalMinutes,
      host,
    }),
  };
}
