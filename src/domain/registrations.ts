/**
 * @module Registering members to an event: which rows of a batch are kept, given the members they
 * name and the event's current registrations. A registrant id or e-mail belongs to one member of
 * an event, so matching participants through them (R-ATT-7) stays unambiguous. Pure.
 */

/** One row of a registration batch; `index` is its place in the batch. */
export interface RegistrationRequest {
  index: number;
  memberId?: string | undefined;
  codiceFiscale?: string | undefined;
  registrantId?: string | undefined;
  email?: string | undefined;
}

/** A member a batch may name. */
export interface RegistrableMember {
  id: string;
  codiceFiscale: string;
  province: string;
}

/** A stored registration's identifiers on the platform. */
export interface RegistrationIdentity {
  memberId: string;
  registrantId: string | null;
  email: string | null;
}

export interface AcceptedRegistration {
  index: number;
  memberId: string;
  province: string;
  registrantId: string | null;
  email: string | null;
}

/**
 * The rows to write, idempotently: a repeat of a member updates the registrant id / e-mail it
 * names and keeps those it omits. Rejected: unknown member (`member-not-found`), the same member
 * twice in the batch (`duplicate-in-batch`), a registrant id or e-mail already tied to another
 * member of the event (`registrant-id-taken`, `email-taken`), counting the rows accepted before.
 *
 * @example planRegistrations([{ index: 0, codiceFiscale: 'RSSMRA85T10A562S' }], [], []) // → { accepted: [], rejected: [{ index: 0, code: 'member-not-found' }] }
 */
export function planRegistrations(
  rows: readonly RegistrationRequest[],
  members: readonly RegistrableMember[],
  current: readonly RegistrationIdentity[],
): { accepted: AcceptedRegistration[]; rejected: Array<{ index: number; code: string }> } {
  const byId = new Map(members.map((m) => [m.id, m]));
  const byCf = new Map(members.map((m) => [m.codiceFiscale, m]));

  const state = new Map(current.map((r) => [r.memberId, { registrantId: r.registrantId, email: r.email }]));
  const ridOwner = new Map<string, string>();
  const emailOwner = new Map<string, string>();
  for (const [m, s] of state) {
    if (s.registrantId) ridOwner.set(s.registrantId, m);
    if (s.email) emailOwner.set(s.email, m);
  }

  const rejected: Array<{ index: number; code: string }> = [];
  const accepted: AcceptedRegistration[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const m = r.memberId ? byId.get(r.memberId) : r.codiceFiscale ? byCf.get(r.codiceFiscale) : undefined;
    if (!m) {
      rejected.push({ index: r.index, code: 'member-not-found' });
      continue;
    }
    if (seen.has(m.id)) {
      rejected.push({ index: r.index, code: 'duplicate-in-batch' });
      continue;
    }
    const old = state.get(m.id);
    const registrantId = r.registrantId ?? old?.registrantId ?? null;
    const email = r.email ?? old?.email ?? null;
    const ridHolder = registrantId ? ridOwner.get(registrantId) : undefined;
    if (ridHolder && ridHolder !== m.id) {
      rejected.push({ index: r.index, code: 'registrant-id-taken' });
      continue;
    }
    const emailHolder = email ? emailOwner.get(email) : undefined;
    if (emailHolder && emailHolder !== m.id) {
      rejected.push({ index: r.index, code: 'email-taken' });
      continue;
    }
    seen.add(m.id);
    if (old?.registrantId) ridOwner.delete(old.registrantId);
    if (old?.email) emailOwner.delete(old.email);
    if (registrantId) ridOwner.set(registrantId, m.id);
    if (email) emailOwner.set(email, m.id);
    state.set(m.id, { registrantId, email });
    accepted.push({ index: r.index, memberId: m.id, province: m.province, registrantId, email });
  }
  return { accepted, rejected };
}
