/**
 * @module Who performs an operation. Today an API key (role, subject, key id); every operation
 * takes the actor and records it through `actorRef`, so what the audit names is decided here once.
 */
import type { Role } from '../domain/roles.ts';

export interface Actor {
  role: Role;
  /** Organiser id for `platform` and `organiser`, province code for `cpo`, null otherwise. */
  subject: string | null;
  /** The API key the act came with. */
  keyId: string;
}

/** How an act's author is recorded: role and key id (never a person's data). */
export function actorRef(a: Actor): string {
  return `${a.role}:${a.keyId}`;
}
