/**
 * @module The balance ledger (R-POL-2): what a council act that may move balances asks once it has
 * committed, the ledger pass that re-derives a scope and records every outcome that changed, and
 * the sweep that catches up on changes whose request was lost. The worker (`workers/ledger.ts`)
 * only takes the jobs and calls these.
 *
 * Balances stay derived on read; the ledger only remembers their outcomes (`balanceOutcome`) in
 * `balance_snapshots` and appends to `balance_audit` where a digest differs. A pass walks its
 * scope in pages of LEDGER_PAGE members by id, loads their facts in one batch, derives each
 * biennium with `memberBalance` (the function the API calls) on the Rome date of the product
 * clock, and writes the changed ones in one statement. Idempotent: a re-run finds the digests
 * equal and writes nothing; two concurrent passes never record the same change twice
 * (`writeLedger` applies a change only over the snapshot it was derived against).
 */
import { romeDate } from '../../domain/calendar.ts';
import { affectedBienniums, balanceOutcome } from '../../domain/ledger.ts';
import { memberBalance } from '../../domain/member-balance.ts';
import type { Logger } from '../../log.ts';
import { LEDGER_PAGE, requestLedgerAfter, type LedgerJob, type LedgerProducer, type LedgerScope } from '../../queue/ledger.ts';
import { loadMemberFacts } from '../../store/balance.ts';
import type { Db } from '../../store/db.ts';
import { changedSince, loadSnapshots, outcomeDigest, scopePage, snapshotKey, writeLedger, type LedgerWrite } from '../../store/ledger.ts';
import type { ServiceContext } from '../context.ts';

export interface BalanceChange {
  /** Why, e.g. `distance grant <id> granted (R-FAD-3)`. */
  cause: string;
  /** `actorRef(actor)`; null for the system. */
  actor: string | null;
  scope: LedgerScope;
  /** When the act was made (defaults to now on the product clock). */
  at?: Date;
  /** Bienniums (or years) the act concerns beyond the current and the previous biennium. */
  extra?: readonly number[];
}

/**
 * Asks the ledger worker to record the changed outcomes with the act's cause, author and time.
 * Never fails the act: with Redis down the request is logged as lost and the ledger's sweep catches up.
 *
 * @example await balancesMayHaveChanged(ctx, { cause: `policy of MI changed (R-POL-1)`, actor: actorRef(actor), scope: { province: 'MI' } })
 */
export async function balancesMayHaveChanged(ctx: Pick<ServiceContext, 'ledger' | 'log' | 'now'>, change: BalanceChange): Promise<void> {
  const at = change.at ?? new Date(ctx.now());
  await requestLedgerAfter(
    ctx.ledger,
    {
      cause: change.cause,
      actor: change.actor,
      at: at.toISOString(),
      scope: change.scope,
      ...(change.extra?.length ? { bienniums: affectedBienniums(ctx.now(), change.extra) } : {}),
    },
    ctx.log,
  );
}

export interface LedgerSummary {
  cause: string;
  bienniums: number[];
  members: number;
  /** Audit rows written (outcomes that changed, first snapshots included). */
  changed: number;
  /** Members whose balance could not be derived (their facts are malformed); logged by id. */
  failed: number;
  ms: number;
}

export interface LedgerPassContext {
  db: Db;
  log: Logger;
  /** The product clock: the Rome date balances are derived on, and the default bienniums. */
  now: () => number;
}

/**
 * One ledger pass: every member of the scope, page by page, each affected biennium.
 *
 * @example await applyLedger(ctx, { cause: 'sweep', actor: null, at: new Date().toISOString(), scope: { all: true } })
 */
export async function applyLedger(ctx: LedgerPassContext, job: LedgerJob): Promise<LedgerSummary> {
  const { db, log } = ctx;
  const t0 = Date.now();
  const now = ctx.now();
  const bienniums = job.bienniums?.length ? [...new Set(job.bienniums)].sort((a, b) => a - b) : affectedBienniums(now);
  const asOf = romeDate(now);
  const meta = { cause: job.cause, actor: job.actor, at: new Date(job.at), derivedAt: new Date(now) };
  let after: string | null = null;
  let members = 0;
  let changed = 0;
  const failedIds: string[] = [];
  for (;;) {
    const ids = await scopePage(db, job.scope, after, LEDGER_PAGE);
    if (!ids.length) break;
    const [facts, snapshots] = await Promise.all([loadMemberFacts(db, ids), loadSnapshots(db, ids, bienniums)]);
    const writes: LedgerWrite[] = [];
    for (const [memberId, f] of facts) {
      for (const biennium of bienniums) {
        let outcome;
        try {
          outcome = balanceOutcome(memberBalance(f, biennium, asOf));
        } catch (err) {
          if (!failedIds.includes(memberId)) failedIds.push(memberId);
          log.warn({ memberId, biennium, err: (err as Error).message }, 'ledger: balance not derivable');
          continue;
        }
        const digest = outcomeDigest(outcome);
        const previous = snapshots.get(snapshotKey(memberId, biennium)) ?? null;
        if (previous?.digest !== digest) writes.push({ memberId, biennium, outcome, digest, previous });
      }
    }
    changed += await writeLedger(db, writes, meta);
    members += ids.length;
    after = ids[ids.length - 1]!;
    if (ids.length < LEDGER_PAGE) break;
  }
  const summary: LedgerSummary = { cause: job.cause, bienniums, members, changed, failed: failedIds.length, ms: Date.now() - t0 };
  log.info({ ...summary, scope: 'memberIds' in job.scope ? { members: job.scope.memberIds.length } : job.scope }, 'ledger pass');
  return summary;
}

/** Queues a pass, cause `sweep`, for every scope whose facts changed since `since` (product clock and wall clock, ms). */
export async function sweepChanges(
  ctx: LedgerPassContext & { producer: Pick<LedgerProducer, 'requestLedger'> },
  since: { product: number; wall: number },
): Promise<{ scopes: number }> {
  const changed = await changedSince(ctx.db, { product: new Date(since.product), wall: new Date(since.wall) });
  const at = new Date(ctx.now()).toISOString();
  const base = { cause: 'sweep', actor: null, at };
  if (changed.all) {
    await ctx.producer.requestLedger({ ...base, scope: { all: true } });
  } else {
    for (const province of changed.provinces) await ctx.producer.requestLedger({ ...base, scope: { province } });
    if (changed.memberIds.length) await ctx.producer.requestLedger({ ...base, scope: { memberIds: changed.memberIds } });
  }
  const scopes = changed.all ? 1 : changed.provinces.length + (changed.memberIds.length ? 1 : 0);
  if (scopes) ctx.log.info({ all: changed.all, provinces: changed.provinces.length, members: changed.memberIds.length }, 'ledger sweep: catch-up queued');
  return { scopes };
}
