/**
 * @module The attendance certificate of a webinar, videoconference, in-person or mixed event
 * (art. 23 c.2, issue 15), issued as a verifiable document (`documents.ts`), and the one
 * operation every door calls for "the participation document of a member at an event": the
 * R-ELN-6 attestation for e-learning and podcast courses (`elearning/attestation.ts`, unchanged),
 * this certificate for every other mode. Doors: the API key or console person (the event's
 * organiser, its accrediting CPO, cn, admin) and the member's dashboard link (the caller verified it).
 */
import {
  attendanceCertificate,
  attendanceCertificateFacts,
  certificateAvailability,
  type AttendanceCertificate,
  type AttendedMode,
} from '../../domain/attendance-certificate.ts';
import { organiserIssuer } from '../../domain/documents.ts';
import { canSeeEvent } from '../../domain/roles.ts';
import { attendanceCertificateSource, type AttendanceCertificateSource } from '../../store/certificates.ts';
import { actorRef, type Actor } from '../actor.ts';
import type { ServiceContext } from '../context.ts';
import { issueDocument, type IssuedDocument } from '../documents.ts';
import { enrolmentAttestation, memberAttestation, type AttestationDocument, type Issued } from '../elearning/attestation.ts';
import { ServiceError } from '../errors.ts';

const DISTANCE_COURSES: readonly string[] = ['e-learning', 'podcast'];
const ATTENDED_MODES: readonly string[] = ['in-person', 'webinar', 'videoconference', 'mixed'] satisfies AttendedMode[];

/** An attendance certificate with its verifiable document: the code and digest the PDF prints. */
export interface CertificateDocument {
  certificate: AttendanceCertificate;
  document: IssuedDocument;
}

/** A member's document for an event: the e-learning attestation or the attendance certificate. */
export type ParticipationDocument =
  | { kind: 'elearning-attestation'; attestation: AttestationDocument }
  | { kind: 'attendance-certificate'; certificate: CertificateDocument };

/** What the member's door gets: a document, or why there is none (the page says it in Italian). */
export type MemberParticipation =
  | { kind: 'ok'; document: ParticipationDocument }
  | { kind: 'not-found' }
  | { kind: 'not-available'; reason: string; outcomeStatus: string | null; rule: string; elearning: boolean };

/**
 * The participation document of a member at an event, for an API key or a console person who may
 * see the event (`event-not-found` otherwise): an e-learning or podcast course answers its R-ELN-6
 * attestation (`enrolmentAttestation`, its refusals unchanged); any other event its attendance
 * certificate, refused with `participant-not-found` (neither registered nor an outcome) and
 * `attestation-not-available` (with `reason`, `outcomeStatus`, `rule`) until credited and granted.
 *
 * @rule R-DOC-7
 */
export async function participationDocument(
  ctx: Pick<ServiceContext, 'db' | 'log' | 'now'>,
  actor: Actor,
  eventId: string,
  memberId: string,
  host: string,
): Promise<ParticipationDocument> {
  const src = await attendanceCertificateSource(ctx.db, eventId, memberId);
  if (!src || !canSeeEvent(actor, { organiser_id: src.event.organiserId, cpo_province: src.event.cpoProvince })) throw new ServiceError('event-not-found');
  if (DISTANCE_COURSES.includes(src.event.mode))
    return { kind: 'elearning-attestation', attestation: await enrolmentAttestation(ctx, actor, eventId, memberId, host) };
  const r = await certified(ctx, src, memberId);
  if (r.kind === 'not-participant') throw new ServiceError('participant-not-found', 'The member is neither registered to the event nor among its participants');
  if (r.kind === 'not-available') {
    throw new ServiceError(
      'attestation-not-available',
      `No attendance certificate until the attendance is credited and its credits granted (art. 23 c.2): ${r.reason}`,
      {
        reason: r.reason,
        outcomeStatus: r.outcomeStatus,
        rule: r.rule,
      },
    );
  }
  ctx.log.info({ eventId, memberId, by: actorRef(actor) }, 'attendance certificate downloaded');
  return { kind: 'attendance-certificate', certificate: r.document };
}

/**
 * The member's own participation document for `eventId` (the dashboard door: the caller verified
 * the link naming the member); `eventId` null (not an id) finds nothing.
 *
 * @rule R-DOC-7
 */
export async function memberParticipationDocument(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  memberId: string,
  eventId: string | null,
  host: string,
): Promise<MemberParticipation> {
  const src = eventId === null ? null : await attendanceCertificateSource(ctx.db, eventId, memberId);
  if (!src || !src.member) return { kind: 'not-found' };
  if (DISTANCE_COURSES.includes(src.event.mode)) return fromAttestation(await memberAttestation(ctx, memberId, eventId, host));
  const r = await certified(ctx, src, memberId);
  if (r.kind === 'not-participant') return { kind: 'not-found' };
  if (r.kind === 'not-available') return { ...r, elearning: false };
  return { kind: 'ok', document: { kind: 'attendance-certificate', certificate: r.document } };
}

function fromAttestation(r: Issued): MemberParticipation {
  switch (r.kind) {
    case 'ok':
      return { kind: 'ok', document: { kind: 'elearning-attestation', attestation: { attestation: r.attestation, document: r.document } } };
    case 'not-available':
      return { kind: 'not-available', reason: r.reason, outcomeStatus: r.outcomeStatus, rule: r.rule, elearning: true };
    default:
      return { kind: 'not-found' };
  }
}

type Certified =
  | { kind: 'ok'; document: CertificateDocument }
  | { kind: 'not-participant' }
  | { kind: 'not-available'; reason: string; outcomeStatus: string | null; rule: string };

/**
 * The certificate of a loaded member, issued once for its facts and reused on every download;
 * corrected facts (a tolerance raised, a renamed event) supersede it. The organiser issues it
 * (art. 23 c.2).
 *
 * @rule R-DOC-1
 * @rule R-DOC-5
 * @rule R-DOC-7
 */
async function certified(ctx: Pick<ServiceContext, 'db' | 'now'>, src: AttendanceCertificateSource, memberIdAsGiven: string): Promise<Certified> {
  if (!src.member) return { kind: 'not-participant' };
  // One subject per member, however the id was written in the path.
  const memberId = memberIdAsGiven.toLowerCase();
  const ex = (src.outcome?.explanation ?? {}) as { reason?: string; rule?: string; questionnaire?: { creditStatus?: string; code?: string | null } };
  const availability = certificateAvailability({
    outcome: src.outcome ? { status: src.outcome.status, reason: ex.reason ?? src.outcome.status, rule: ex.rule ?? 'R-ATT-9' } : null,
    registered: src.registered,
    records: src.credits,
    questionnaire: ex.questionnaire?.creditStatus ? { creditStatus: ex.questionnaire.creditStatus, code: ex.questionnaire.code ?? null } : null,
  });
  if (!availability.available) return availability.kind === 'not-participant' ? { kind: 'not-participant' } : availability;
  const granted = src.credits.filter((c) => c.status === 'granted');
  // R-FAD-1: the records say how the member took part (a mixed event in person or online).
  const recorded = granted[0]!.mode;
  const mode = (ATTENDED_MODES.includes(recorded) ? recorded : ATTENDED_MODES.includes(src.event.mode) ? src.event.mode : 'webinar') as AttendedMode;
  const e = src.event;
  const certificate = attendanceCertificate({
    eventId: e.id,
    memberId,
    event: {
      title: e.title,
      mode: e.mode,
      topics: e.topics,
      start: e.start,
      end: e.end,
      // R-EVT-6: a path is held in its sessions, not in the nights between them.
      sessions: e.structuredPath && e.fractions?.length ? e.fractions.map((f) => ({ start: f.start, end: f.end })) : null,
      cpoProvince: e.cpoProvince,
      venueProvince: e.venueProvince,
      platform: e.platform,
      accreditationReference: e.accreditationReference,
    },
    organiser: { name: src.organiser.name, authorisationNumber: src.organiser.authorisationNumber },
    member: src.member,
    attendance: {
      mode,
      coveredMinutes: src.outcome!.coveredMinutes,
      credits: granted.map((c) => ({ credits: c.credits, deontologyCredits: c.deontologyCredits, year: c.year })),
    },
    // The day the credits last became what the certificate states: every download is the same document.
    issuedAt: Math.max(...granted.map((c) => Date.parse(c.derivedAt))),
  });
  const document = await issueDocument(ctx, {
    kind: 'attendance-certificate',
    subject: `attendance:${e.id}:${memberId}`,
    issuer: organiserIssuer(e.organiserId),
    facts: attendanceCertificateFacts(certificate),
  });
  return { kind: 'ok', document: { certificate, document } };
}
