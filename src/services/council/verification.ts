/**
 * @module The council's verification after a biennium (issue 15, R-VER-1 … R-VER-7): a run
 * derives every member's balance as of the phase's date with the batch derivation of the balance
 * routes (`balancesOf`), builds the snapshot's rows, and stores a new version only when its
 * digest differs from the latest one; reads of a version with its rows in pages; the aggregates
 * the CN reads per province.
 */
import { isProvinceCode } from '../../domain/provinces.ts';
import { bienniumPeriod } from '../../domain/calendar.ts';
import {
  aggregatesWithReplacements,
  campaignDates,
  eventsOrganised,
  type EventsOrganised,
  diffSnapshots,
  phaseInstant,
  snapshotDigest,
  verificationAggregates,
  verificationRow,
  type SnapshotChange,
  type VerificationAggregates,
  type VerificationPhase,
  type VerificationRow,
  type VerificationStatus,
} from '../../domain/verification.ts';
import type { NamedVerificationRow } from '../../domain/verification-export.ts';
import {
  eventCounts,
  insertSnapshot,
  latestHeads,
  memberCounts,
  snapshotRowsOf,
  lockVerification,
  provinceMemberIds,
  snapshotHead,
  snapshotRows,
  snapshotRowsPage,
  snapshotRowsWithMembers,
  type SnapshotHead,
} from '../../store/verification.ts';
import { actorRef, type Actor } from '../actor.ts';
import { balancesOf } from '../balance/balances.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

/**
 * Members whose balances are derived together (one query per kind of fact per batch). 250, not
 * 1,000: a batch's facts and balances are garbage once its rows are built, and V8 lets the heap
 * grow with them; at 30,000 members the run's peak RSS was 405–413 MiB with 1,000 and 271–305 MiB
 * with 250, in the same time (bench/RESULTS.md, verification).
 */
const BATCH = 250;

export type SnapshotSummary = Omit<SnapshotHead, 'id'>;

export interface RunResult {
  snapshot: SnapshotSummary;
  changed: boolean;
  /** The version this run compared against (null for the first). */
  previousVersion: number | null;
  /** Members who changed since `previousVersion` (R-VER-6); empty when nothing changed. */
  diff: SnapshotChange[];
}

/** A CPO acts for its own province; CN and admin for any (the route admits only these roles). */
export function provinceFor(actor: Actor, province: string): string {
  if (!isProvinceCode(province)) throw new ServiceError('unknown-province');
  if (actor.role === 'cpo' && actor.subject !== province) throw new ServiceError('forbidden', 'A CPO verifies the members of its own province');
  if (!['cpo', 'cn', 'admin'].includes(actor.role)) throw new ServiceError('forbidden');
  return province;
}

function summary(h: SnapshotHead): SnapshotSummary {
  const { id: _id, ...rest } = h;
  return rest;
}

/** Refuses a phase that cannot run yet at `now` (R-VER-1): `verification-too-early`. */
export function assertPhaseOpen(biennium: number, phase: VerificationPhase, now: number): void {
  const dates = campaignDates(biennium);
  const at = phaseInstant(biennium, phase);
  if (now < dates.opensAt.getTime())
    throw new ServiceError('verification-too-early', `The verification of ${biennium}–${biennium + 1} runs from ${dates.opensAt.toISOString()}`);
  if (phase === 'june' && now <= at.at.getTime())
    throw new ServiceError('verification-too-early', `The debt re-check runs once ${at.at.toISOString()} has passed (R-DEBT-4)`);
}

/** What a caller may follow of a long run (the background job's progress page, R-VER-11). */
export interface RunProgress {
  /** After each batch of balances: `done` of `total` members derived; then once, `store`, as the version is compared and stored. */
  onProgress?: (p: { done: number; total: number; stage: 'derive' | 'store' }) => Promise<void> | void;
}

/**
 * Runs the verification of a province's biennium for a phase (R-VER-1 … R-VER-6): from 1 January
 * after the biennium for February, once 30 June has passed for June (`verification-too-early`).
 * The API, the console and the background job (R-VER-11) all run it through here.
 */
export async function runVerification(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  actor: Actor,
  input: { province: string; biennium: number; phase: VerificationPhase },
  opts: RunProgress = {},
): Promise<RunResult> {
  const province = provinceFor(actor, input.province);
  const { biennium, phase } = input;
  const at = phaseInstant(biennium, phase);
  const now = ctx.now();
  assertPhaseOpen(biennium, phase, now);

  const ids = await provinceMemberIds(ctx.db, province);
  const rows: VerificationRow[] = [];
  for (let i = 0; i < ids.length; i += BATCH) {
    const balances = await balancesOf(ctx.db, ids.slice(i, i + BATCH), biennium, now, { asOf: at.date });
    for (const b of balances.values()) {
      // R-VER-2: the June phase re-checks only the members with an accepted debt.
      if (phase === 'june' && !b.balance.debt) continue;
      rows.push(verificationRow(b, phase));
    }
    await opts.onProgress?.({ done: Math.min(i + BATCH, ids.length), total: ids.length, stage: 'derive' });
  }
  const digest = snapshotDigest({ biennium, phase, asOf: at.date }, rows);
  const key = { province, biennium, phase };
  // Told before the transaction: on PGlite a query outside it would wait for its COMMIT.
  await opts.onProgress?.({ done: ids.length, total: ids.length, stage: 'store' });
  return ctx.db.transaction(async (tx) => {
    await lockVerification(tx, key);
    const latest = await snapshotHead(tx, key);
    if (latest && latest.digest === digest) return { snapshot: summary(latest), changed: false, previousVersion: latest.version, diff: [] };
    const previous = latest ? await snapshotRows(tx, latest.id) : [];
    const head = await insertSnapshot(
      tx,
      {
        province,
        biennium,
        phase,
        version: (latest?.version ?? 0) + 1,
        asOf: at.at.toISOString(),
        createdAt: new Date(now).toISOString(),
        createdBy: actorRef(actor),
        digest,
        aggregates: verificationAggregates(rows),
      },
      rows,
    );
    return { snapshot: summary(head), changed: true, previousVersion: latest?.version ?? null, diff: diffSnapshots(previous, rows) };
  });
}

/** A version (the latest without `version`) of a province's verification, with a page of its rows by member id. */
export async function readVerification(
  ctx: Pick<ServiceContext, 'db'>,
  actor: Actor,
  input: { province: string; biennium: number; phase: VerificationPhase; version?: number; status?: VerificationStatus; after?: string; limit: number },
): Promise<{ snapshot: SnapshotSummary; rows: VerificationRow[]; next: string | null }> {
  const province = provinceFor(actor, input.province);
  const head = await snapshotHead(ctx.db, { province, biennium: input.biennium, phase: input.phase, version: input.version ?? null });
  if (!head) throw new ServiceError('verification-not-found');
  const rows = await snapshotRowsPage(ctx.db, head.id, { after: input.after ?? null, limit: input.limit, status: input.status ?? null });
  return { snapshot: summary(head), rows, next: rows.length === input.limit ? rows[rows.length - 1]!.memberId : null };
}

export type { NamedVerificationRow };

/** Like `readVerification`, with each row's member named. */
export async function readNamedVerification(
  ctx: Pick<ServiceContext, 'db'>,
  actor: Actor,
  input: { province: string; biennium: number; phase: VerificationPhase; version?: number; status?: VerificationStatus; after?: string; limit: number },
): Promise<{ snapshot: SnapshotSummary; rows: NamedVerificationRow[]; next: string | null }> {
  const province = provinceFor(actor, input.province);
  const head = await snapshotHead(ctx.db, { province, biennium: input.biennium, phase: input.phase, version: input.version ?? null });
  if (!head) throw new ServiceError('verification-not-found');
  const rows = await snapshotRowsWithMembers(ctx.db, head.id, { after: input.after ?? null, limit: input.limit, status: input.status ?? null });
  return { snapshot: summary(head), rows, next: rows.length === input.limit ? rows[rows.length - 1]!.memberId : null };
}

/**
 * Every row of a version, named, page by page (a province of 30,000 members is never in memory
 * whole): what the exports stream. Without `version`, the latest when the first page is read: the
 * pages that follow stay on that version even if a run stores a new one meanwhile.
 */
export async function* verificationRows(
  ctx: Pick<ServiceContext, 'db'>,
  actor: Actor,
  input: { province: string; biennium: number; phase: VerificationPhase; version?: number },
): AsyncGenerator<NamedVerificationRow[]> {
  let after: string | undefined;
  let version = input.version;
  for (;;) {
    const page = await readNamedVerification(ctx, actor, { ...input, limit: 1000, ...(version ? { version } : {}), ...(after ? { after } : {}) });
    version = page.snapshot.version;
    if (page.rows.length) yield page.rows;
    if (!page.next) return;
    after = page.next;
  }
}

export interface ProvinceAggregates {
  province: string;
  /** Members registered now (the register as it stands, whether or not a verification ran). */
  registered: number;
  /** null: the province has not run the February phase of this biennium yet. */
  februaryVersion: number | null;
  juneVersion: number | null;
  /** When the latest February version ran, and who ran it. */
  february: { asOf: string; createdAt: string; createdBy: string } | null;
  aggregates: VerificationAggregates | null;
  /** Events of the biennium organised by the CPO itself, by mode, and accredited by it (R-VER-7, art. 26 c.4). */
  events: { organised: EventsOrganised; accredited: number };
}

/**
 * What the CN reads of every CPO's verification of a biennium (R-VER-7, art. 26 c.4): per
 * province with members, events or a snapshot, its latest February version with the debtors'
 * rows of the latest June one, and the events the CPO organised (by mode) and accredited in the
 * biennium; a province that has not run the verification is listed with `februaryVersion` null,
 * so the CN sees who is late. A CPO reads its own province only. The aggregates start from those
 * stored with the February version: only the debtors' rows are read.
 */
export async function provinceAggregates(
  ctx: Pick<ServiceContext, 'db'>,
  actor: Actor,
  input: { biennium: number; province?: string },
): Promise<{ biennium: number; provinces: ProvinceAggregates[] }> {
  const wanted = actor.role === 'cpo' ? provinceFor(actor, input.province ?? actor.subject!) : input.province ? provinceFor(actor, input.province) : null;
  if (!['cpo', 'cn', 'admin'].includes(actor.role)) throw new ServiceError('forbidden');
  const [heads, events, registered] = await Promise.all([
    latestHeads(ctx.db, input.biennium, wanted),
    eventCounts(ctx.db, bienniumPeriod(input.biennium), wanted),
    memberCounts(ctx.db, wanted),
  ]);
  const provinces = new Set<string>([
    ...heads.map((h) => h.province),
    ...events.organised.map((e) => e.province),
    ...events.accredited.map((e) => e.province),
    ...registered.map((m) => m.province),
  ]);
  if (wanted) provinces.add(wanted);
  const out: ProvinceAggregates[] = [];
  for (const province of [...provinces].filter(isProvinceCode).sort()) {
    const feb = heads.find((h) => h.province === province && h.phase === 'february') ?? null;
    const june = heads.find((h) => h.province === province && h.phase === 'june') ?? null;
    let aggregates: VerificationAggregates | null = null;
    if (feb) {
      const after = june ? await snapshotRows(ctx.db, june.id) : [];
      const before = new Map(
        (
          await snapshotRowsOf(
            ctx.db,
            feb.id,
            after.map((r) => r.memberId),
          )
        ).map((r) => [r.memberId, r]),
      );
      const pairs = after.filter((r) => before.has(r.memberId)).map((r) => ({ before: before.get(r.memberId)!, after: r }));
      aggregates = aggregatesWithReplacements(feb.aggregates, pairs);
    }
    out.push({
      province,
      registered: registered.find((m) => m.province === province)?.count ?? 0,
      februaryVersion: feb?.version ?? null,
      juneVersion: feb ? (june?.version ?? null) : null,
      february: feb ? { asOf: feb.asOf, createdAt: feb.createdAt, createdBy: feb.createdBy } : null,
      aggregates,
      events: {
        organised: eventsOrganised(events.organised.filter((e) => e.province === province)),
        accredited: events.accredited.find((e) => e.province === province)?.count ?? 0,
      },
    });
  }
  return { biennium: input.biennium, provinces: out };
}
