/** @module Who acts on the gateway: the roles of keys (and of staff accounts), and what each may see of an event. */

export const ROLES = ['platform', 'organiser', 'cpo', 'cn', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** An event as far as access goes: its organiser and the province of its accrediting CPO. */
export interface EventScopeFacts {
  organiser_id: string;
  cpo_province: string;
}

/**
 * Who may see an event: its organiser (and that organiser's platforms), the accrediting CPO, the
 * CN and admin.
 */
export function canSeeEvent(who: { role: Role; subject: string | null }, e: EventScopeFacts): boolean {
  switch (who.role) {
    case 'organiser':
    case 'platform':
      return who.subject === e.organiser_id;
    case 'cpo':
      return who.subject === e.cpo_province;
    case 'cn':
    case 'admin':
      return true;
  }
}

/**
 * Roles each role may issue and revoke keys for: admin any; cn the council and provider roles
 * below it; an organiser only `platform` keys for itself (one per webinar platform it connects).
 */
export const ISSUABLE_ROLES: Readonly<Record<Role, readonly Role[]>> = {
  admin: ROLES,
  cn: ['cpo', 'organiser', 'platform'],
  organiser: ['platform'],
  cpo: [],
  platform: [],
};

/** An organiser manages only its own platform keys; cn and admin all keys of the roles they issue. */
export function managesKey(who: { role: Role; subject: string | null }, key: { role: Role; subject: string | null }): boolean {
  if (!ISSUABLE_ROLES[who.role].includes(key.role)) return false;
  return who.role === 'organiser' ? key.subject === who.subject : true;
}

/** A CPO sees the members of its province; the CN and admin every member; nobody else any. */
export function canSeeMember(who: { role: Role; subject: string | null }, province: string): boolean {
  return who.role === 'cn' || who.role === 'admin' || (who.role === 'cpo' && who.subject === province);
}
