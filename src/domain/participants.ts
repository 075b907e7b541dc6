/**
 * @module From raw webinar records to people and presence intervals (R-ATT-1, R-ATT-6, R-ATT-7).
 *
 * Order-independent by construction: records are grouped and sorted by their instants, never by
 * arrival, so a retried `leave` delivered after a newer `join` changes nothing.
 */
import type { Interval } from './attendance.ts';

export interface EvidenceRecord {
  kind: 'join' | 'leave' | 'meeting-end';
  at: number;
  registrantId?: string | null;
  participantUserId?: string | null;
  email?: string | null;
  /** Pairs a join with its leave (one platform connection); never an identity. */
  connectionId?: string | null;
  /** Set by corrections and uploads, which name the member directly. */
  memberId?: string | null;
  displayName?: string | null;
  /** Where the record came from (`api:<key>`, `zoom:<connection>`, `report:<format>`, `upload`, `upload:in-person`, `correction`): R-FAD-1. */
  source?: string | null;
  /** When the gateway received it, and who authored it (corrections, uploads; null for platform evidence): R-EVT-7. */
  receivedAt?: number | null;
  author?: string | null;
}

export interface Registration {
  memberId: string;
  registrantId?: string | null;
  email?: string | null;
}

/** How a participant was tied to a member (R-ATT-7), kept in the explanation. */
export type MatchBasis = 'registrant-id' | 'email' | 'member-id';

export interface Participant {
  /** Stable key: `member:<id>` when matched, else the participant's first identifier. */
  key: string;
  memberId: string | null;
  matchedBy: MatchBasis[];
  /** Two or more members reached by one participant's identifiers: never credited. */
  conflictingMembers: string[];
  displayName: string | null;
  records: EvidenceRecord[];
}

export interface Grouped {
  participants: Participant[];
  /** Latest meeting-end signal (R-ATT-6), or null. */
  meetingEnd: number | null;
}

/**
 * Groups join/leave records into participants and matches them to registered members.
 *
 * Identifiers seen together on one record (registrant id, stable platform user id, e-mail)
 * belong to one person; a registration ties a registrant id or e-mail to a member.
 *
 * @example
 * groupParticipants(records, [{ memberId: 'm1', registrantId: 'r1', email: 'a@b.it' }])
 * @rule R-ATT-7
 */
export function groupParticipants(records: readonly EvidenceRecord[], registrations: readonly Registration[]): Grouped {
  const uf = new UnionFind();
  let meetingEnd: number | null = null;
  const people: EvidenceRecord[] = [];
  for (const r of records) {
    if (r.kind === 'meeting-end') {
      meetingEnd = meetingEnd === null ? r.at : Math.max(meetingEnd, r.at);
      continue;
    }
    const tokens = tokensOf(r);
    if (tokens.length === 0) continue; // schemas require one identifier; defensive only
    people.push(r);
    uf.add(tokens[0]!); // a record with a single identifier must still be known to the registrations below
    for (let i = 1; i < tokens.length; i++) uf.union(tokens[0]!, tokens[i]!);
  }
  // Registrations join a member to its identifiers, but only identifiers that occur in the
  // evidence, so that unrelated registrations do not create empty participants.
  const matchBasis = new Map<string, MatchBasis>();
  for (const reg of registrations) {
    const m = `m:${reg.memberId}`;
    if (reg.registrantId && uf.has(`r:${reg.registrantId}`)) {
      uf.union(`r:${reg.registrantId}`, m);
      matchBasis.set(`r:${reg.registrantId}`, 'registrant-id');
    }
    const email = reg.email?.toLowerCase();
    if (email && uf.has(`e:${email}`)) {
      uf.union(`e:${email}`, m);
      matchBasis.set(`e:${email}`, 'email');
    }
  }

  const byRoot = new Map<string, EvidenceRecord[]>();
  for (const r of people) {
    const root = uf.find(tokensOf(r)[0]!);
    const list = byRoot.get(root);
    if (list) list.push(r);
    else byRoot.set(root, [r]);
  }
  const membersOfRoot = new Map<string, Set<string>>();
  const basisOfRoot = new Map<string, Set<MatchBasis>>();
  const tokensOfRoot = new Map<string, string[]>();
  for (const token of uf.tokens()) {
    const root = uf.find(token);
    if (!tokensOfRoot.has(root)) tokensOfRoot.set(root, []);
    tokensOfRoot.get(root)!.push(token);
    if (token.startsWith('m:')) {
      if (!membersOfRoot.has(root)) membersOfRoot.set(root, new Set());
      membersOfRoot.get(root)!.add(token.slice(2));
    }
    const basis = matchBasis.get(token) ?? (token.startsWith('d:') ? 'member-id' : undefined);
    if (basis) {
      if (!basisOfRoot.has(root)) basisOfRoot.set(root, new Set());
      basisOfRoot.get(root)!.add(basis);
    }
  }

  const participants: Participant[] = [];
  for (const [root, recs] of byRoot) {
    const members = [...(membersOfRoot.get(root) ?? [])].sort();
    const memberId = members.length === 1 ? members[0]! : null;
    const key = memberId ? `member:${memberId}` : participantKey(tokensOfRoot.get(root) ?? [root]);
    participants.push({
      key,
      memberId,
      matchedBy: memberId ? [...(basisOfRoot.get(root) ?? [])].sort() : [],
      conflictingMembers: members.length > 1 ? members : [],
      displayName: displayNameOf(recs),
      records: recs,
    });
  }
  participants.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { participants, meetingEnd };
}

/**
 * The name on the earliest record that carries one (equal instants: the smallest name). Not the
 * first record loaded: rows come back in no guaranteed order, and a rejoin may use another name.
 */
function displayNameOf(recs: readonly EvidenceRecord[]): string | null {
  let best: EvidenceRecord | null = null;
  for (const r of recs) {
    if (!r.displayName) continue;
    if (!best || r.at < best.at || (r.at === best.at && r.displayName < best.displayName!)) best = r;
  }
  return best?.displayName ?? null;
}

function tokensOf(r: EvidenceRecord): string[] {
  const t: string[] = [];
  // A member named directly (correction, upload) is its own identity: token 'd:' joined to 'm:'.
  if (r.memberId) t.push(`m:${r.memberId}`, `d:${r.memberId}`);
  if (r.registrantId) t.push(`r:${r.registrantId}`);
  if (r.participantUserId) t.push(`u:${r.participantUserId}`);
  if (r.email) t.push(`e:${r.email.toLowerCase()}`);
  return t;
}

const KEY_PREFIX: Record<string, string> = { r: 'registrant', u: 'user', e: 'email' };

/** Unmatched participants are keyed by their most stable identifier, smallest first for determinism. */
function participantKey(tokens: string[]): string {
  for (const kind of ['r', 'u', 'e']) {
    const t = tokens.filter((x) => x.startsWith(`${kind}:`)).sort()[0];
    if (t) return `${KEY_PREFIX[kind]}:${t.slice(2)}`;
  }
  return tokens.sort()[0] ?? 'unknown';
}

export interface Paired {
  intervals: Interval[];
  /** Leaves with no join before them: their start is unknown (treated like open joins, R-ATT-6). */
  unpairedLeaves: number;
}

/**
 * Pairs one participant's joins and leaves into intervals.
 *
 * A connection id pairs its own join and leave exactly (Zoom: one `user_id` per connection).
 * Everything else (no connection id, or a connection missing one side, e.g. a leave supplied
 * by a correction) is paired by sweeping the instants in order: presence starts when the count
 * of open connections leaves 0 and ends when it returns to 0. On equal instants joins go first,
 * so a zero-length connection and back-to-back reconnects both pair.
 */
export function pairIntervals(records: readonly EvidenceRecord[]): Paired {
  const intervals: Interval[] = [];
  const loose: EvidenceRecord[] = [];
  const byConnection = new Map<string, EvidenceRecord[]>();
  for (const r of records) {
    if (r.kind === 'meeting-end') continue;
    if (r.connectionId) {
      const list = byConnection.get(r.connectionId);
      if (list) list.push(r);
      else byConnection.set(r.connectionId, [r]);
    } else loose.push(r);
  }
  for (const recs of byConnection.values()) {
    const joins = recs.filter((r) => r.kind === 'join').map((r) => r.at);
    const leaves = recs.filter((r) => r.kind === 'leave').map((r) => r.at);
    if (joins.length && leaves.length) {
      const join = Math.min(...joins);
      const leave = Math.max(...leaves);
      if (leave >= join) {
        intervals.push({ join, leave });
        continue;
      }
    }
    loose.push(...recs);
  }
  loose.sort((a, b) => a.at - b.at || (a.kind === 'join' ? -1 : 1) - (b.kind === 'join' ? -1 : 1));
  let open = 0;
  let start = 0;
  let unpairedLeaves = 0;
  for (const r of loose) {
    if (r.kind === 'join') {
      if (open === 0) start = r.at;
      open++;
    } else if (open === 0) unpairedLeaves++;
    else if (--open === 0) intervals.push({ join: start, leave: r.at });
  }
  if (open > 0) intervals.push({ join: start, leave: null });
  intervals.sort((a, b) => a.join - b.join);
  return { intervals, unpairedLeaves };
}

class UnionFind {
  private parent = new Map<string, string>();
  has(x: string) {
    return this.parent.has(x);
  }
  add(x: string) {
    if (!this.parent.has(x)) this.parent.set(x, x);
  }
  tokens() {
    return [...this.parent.keys()];
  }
  find(x: string): string {
    if (!this.parent.has(x)) this.parent.set(x, x);
    let root = x;
    while (this.parent.get(root) !== root) root = this.parent.get(root)!;
    let cur = x;
    while (cur !== root) {
      const next = this.parent.get(cur)!;
      this.parent.set(cur, root);
      cur = next;
    }
    return root;
  }
  union(a: string, b: string) {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }
}
