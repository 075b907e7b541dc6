/**
 * @module Who performs an operation: an API key (a platform or an integration) or a person signed
 * in to the console (a staff account). Every operation takes the actor and records it through
 * `actorRef`, so what the audit names is decided here once (R-ACC-7).
 */
import type { Role } from '../domain/roles.ts';

interface Scope {
  role: Role;
  /** Organiser id for `platform` and `organiser`, province code for `cpo`, null otherwise. */
  subject: string | null;
}

/** An act that came with an API key. */
export interface KeyActor extends Scope {
  keyId: string;
  userId?: undefined;
}

/** An act of a person signed in to the console. */
export interface PersonActor extends Scope {
  userId: string;
  keyId?: undefined;
}

export type Actor = KeyActor | PersonActor;

/**
 * Who acted, as the audit records it: the key id, or `user:<account id>` for a person. Never a
 * person's data: the account's name is looked up when the audit is shown.
 * @rule R-ACC-7
 */
export function actorId(a: Actor): string {
  return a.userId !== undefined ? `user:${a.userId}` : a.keyId;
}

/** The role and who acted (`role:keyId` or `role:user:<id>`), as the audits record an act's author. */
export function actorRef(a: Actor): string {
  return `${a.role}:${actorId(a)}`;
}

/** The account id in an actor ref written by `actorRef`, or null for a key. */
export function userIdOfRef(ref: string): string | null {
  const m = /^[a-z]+:user:([0-9a-f-]{36})$/.exec(ref);
  return m ? m[1]! : null;
}
