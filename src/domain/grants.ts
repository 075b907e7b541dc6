/** @module Which distance-learning percentage applies to a member in a biennium (R-FAD-2, R-FAD-3, R-FAD-4). */
import { DateTime } from 'luxon';
import { bienniumPeriod } from './calendar.ts';

/** Who a grant is for (R-FAD-3): one member, a group of members, a province, everyone. */
export const GRANT_SCOPES = ['member', 'group', 'province', 'national'] as const;
export type GrantScope = (typeof GRANT_SCOPES)[number];

/** The grounds R-FAD-3 lists, each with the highest pct it allows. */
export const GRANT_GROUNDS = {
  request: { maxPct: 100, scopes: ['member'] },
  parenthood: { maxPct: 60, scopes: ['member'] },
  employment: { maxPct: 100, scopes: ['member'] },
  geography: { maxPct: 100, scopes: ['group'] },
  province: { maxPct: 100, scopes: ['province'] },
  national: { maxPct: 100, scopes: ['national'] },
} as const satisfies Record<string, { maxPct: number; scopes: readonly GrantScope[] }>;
export type GrantGround = keyof typeof GRANT_GROUNDS;

export interface Grant {
  id: string;
  scope: GrantScope;
  /** The granting CPO's province; for a province grant, the province it covers. */
  province: string | null;
  pct: number;
  validFrom: string;
  validUntil: string;
  /** member and group grants: whether this member is one of those named. */
  namesMember: boolean;
  deliberation: string;
}

/** A period the member was registered in a province, Rome dates inclusive; `until` null = still there. */
export interface ProvinceStay {
  province: string;
  from: string;
  until: string | null;
}

export interface Transfer {
  fromProvince: string;
  toProvince: string;
  /** First day in the new province. */
  on: string;
}

const FAR_PAST = '0000-01-01';

/**
 * The member's provinces over time, from the current one and the recorded transfers (oldest
 * first). Before the first transfer the member was in its `fromProvince`.
 * @rule R-FAD-4
 */
export function provinceStays(currentProvince: string, transfers: readonly Transfer[]): ProvinceStay[] {
  const sorted = [...transfers].sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
  if (sorted.length === 0) return [{ province: currentProvince, from: FAR_PAST, until: null }];
  const stays: ProvinceStay[] = [];
  let from = FAR_PAST;
  for (const t of sorted) {
    stays.push({ province: t.fromProvince, from, until: dayBefore(t.on) });
    from = t.on;
  }
  stays.push({ province: sorted[sorted.length - 1]!.toProvince, from, until: null });
  return stays;
}

export interface PctInput {
  biennium: number;
  /** The pct of the policy in force (R-FAD-2: 40, R-POL-1). */
  basePct: number;
  grants: readonly Grant[];
  stays: readonly ProvinceStay[];
}

export interface PctDecision {
  pct: number;
  /** The grant giving `pct`, or null when the base pct applies. */
  grant: Grant | null;
  /** Every grant that applies in the biennium, highest first (for display). */
  applicable: Grant[];
}

/**
 * The member's pct for a biennium: the highest grant in force (R-FAD-3), never below the base.
 *
 * Decisions:
 * - a grant is in force for a biennium when its validity overlaps the biennium: the cap is a
 *   biennium figure, so a grant valid for part of it lifts the biennium's cap;
 * - a province grant applies when the member was registered in that province on some day that
 *   is inside both the grant's validity and the biennium; a member who then transfers keeps it
 *   until the end of that biennium (R-FAD-4), and a member arriving in the province gets it;
 * - member and group grants name the member: a CPO's follows a transfer until the end of the
 *   biennium of the transfer (the member was in the province on some day of it), not beyond
 *   (R-FAD-4); a CN grant has no province and applies wherever the member is.
 * @rule R-FAD-3
 */
export function distancePctFor(input: PctInput): PctDecision {
  const b = bienniumPeriod(input.biennium);
  const applicable = input.grants
    .filter((g) => {
      const window = intersect(b, { from: g.validFrom, to: g.validUntil });
      if (!window) return false;
      const staysIn = (province: string) =>
        input.stays.some((s) => s.province === province && intersect(window, { from: s.from, to: s.until ?? '9999-12-31' }) !== null);
      switch (g.scope) {
        case 'member':
        case 'group':
          // A CPO's grant follows its member until the end of a biennium the member spent part of
          // in that province (R-FAD-4), not into later ones; a CN grant (no province) goes anywhere.
          return g.namesMember && (g.province === null || staysIn(g.province));
        case 'national':
          return true;
        case 'province':
          return staysIn(g.province!);
      }
    })
    .sort((x, y) => y.pct - x.pct || (x.validFrom < y.validFrom ? -1 : 1));
  const top = applicable[0];
  return top && top.pct > input.basePct ? { pct: top.pct, grant: top, applicable } : { pct: input.basePct, grant: null, applicable };
}

function intersect(a: { from: string; to: string }, b: { from: string; to: string }) {
  const from = a.from > b.from ? a.from : b.from;
  const to = a.to < b.to ? a.to : b.to;
  return from <= to ? { from, to } : null;
}

function dayBefore(date: string): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).minus({ days: 1 }).toISODate()!;
}
