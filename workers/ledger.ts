/**
 * @module Ledger worker (R-POL-2): re-derives the balances of the members a change may have
 * moved and records every outcome that changed (old, new, cause, author, time); and the sweep that
 * catches up on changes whose request was lost.
 *
 * Balances stay derived on read; the ledger only remembers their outcomes (`balanceOutcome`) in
 * `balance_snapshots` and appends to `balance_audit` where a digest differs. A pass walks its
 * scope in pages of LEDGER_PAGE members by id, loads their facts in one batch, derives each
 * biennium with `memberBalance` (the function the API calls) on the Rome date of the product
 * clock, and writes the changed ones in one statement. Idempotent: a re-run finds the digests
 * equal and writes nothing; two concurrent passes never record the same change twice
 * (`writeLedger` applies a change only over the snapshot it was derived against).
 *
 * The cause of a row is the request that found the change: when two changes come close together,
 * the first pass to run records both under its own cause.
 *
 * Sweep (a job scheduler every SWEEP_INTERVAL_MS, and once at start), kept cheap:
 * - at start, one pass over every member (`{ all: true }`, cause `sweep`), de-duplicated for
 *   SWEEP_INTERVAL_MS across processes: what changed while no worker ran, or while Redis was down;
 * - every interval, the scopes whose facts changed since this process's previous sweep (small
 *   tables and recent derivations, `changedSince`), each a job with cause `sweep`; these are
 *   no-ops when the change's own request already ran;
 * - once a Rome day, one pass over every member, for outcomes that move with time alone (a
 *   biennium ending turns `in-progress` into `non-compliant`; a debt's deadline) and for facts no
 *   hook covers (a register import changing a registration date).
 */
import type { Redis } from 'ioredis';
import type { Config } from '../src/config.ts';
import { romeDate } from '../src/domain/calendar.ts';
import { affectedBienniums, balanceOutcome } from '../src/domain/ledger.ts';
import { memberBalance } from '../src/domain/member-balance.ts';
import type { Logger } from '../src/log.ts';
import { LEDGER_PAGE, LEDGER_QUEUE, LedgerJob, type LedgerProducer } from '../src/queue/ledger.ts';
import { loadMemberFacts } from '../src/store/balance.ts';
import type { Db } from '../src/store/db.ts';
import { changedSince, loadSnapshots, outcomeDigest, scopePage, snapshotKey, writeLedger, type LedgerWrite } from '../src/store/ledger.ts';
import { startQueueWorker, type RunningWorker } from './queue-worker.ts';

export interface LedgerWorkerDeps {
  db: Db;
  connection: Redis;
  config: Config;
  log: Logger;
  /** The product clock: the Rome date balances are derived on, and the default bienniums. */
  now: () => number;
  producer: LedgerProducer;
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

/** How far back a sweep looks beyond the previous one: acts are stamped before they commit. */
const SWEEP_MARGIN_MS = 60_000;

export async function startLedgerWorker(deps: LedgerWorkerDeps): Promise<RunningWorker> {
  const startedAt = { product: deps.now(), wall: Date.now() };
  let since = { product: startedAt.product - SWEEP_MARGIN_MS, wall: startedAt.wall - SWEEP_MARGIN_MS };
  return startQueueWorker({
    queue: LEDGER_QUEUE,
    connection: deps.connection,
    config: deps.config,
    log: deps.log,
    // One pass at a time per process: passes are batch work, and in order they attribute changes to the right cause.
    concurrency: 1,
    process: (job) => applyLedger(deps, LedgerJob.parse(job.data)),
    sweep: {
      queue: deps.producer.queue,
      run: async (atStart) => {
        if (atStart) return requestFullPass(deps, 'start', deps.config.SWEEP_INTERVAL_MS);
        const run = { product: deps.now(), wall: Date.now() };
        const queued = await sweepChanges(deps, since);
        since = { product: run.product - SWEEP_MARGIN_MS, wall: run.wall - SWEEP_MARGIN_MS };
        const daily = await requestFullPass(deps, romeDate(run.product), 24 * 3600_000);
        return { ...queued, fullPass: daily.requested };
      },
    },
  });
}

/**
 * One ledger pass: every member of the scope, page by page, each affected biennium.
 *
 * @example await applyLedger(deps, { cause: 'sweep', actor: null, at: new Date().toISOString(), scope: { all: true } })
 */
export async function applyLedger(deps: Pick<LedgerWorkerDeps, 'db' | 'log' | 'now'>, job: LedgerJob): Promise<LedgerSummary> {
  const { db, log } = deps;
  const t0 = Date.now();
  const now = deps.now();
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

/** Asks for a pass over every member, at most once per `everyMs` across processes (`key` names the window). */
async function requestFullPass(deps: LedgerWorkerDeps, key: string, everyMs: number): Promise<{ requested: string }> {
  const data: LedgerJob = { cause: 'sweep', actor: null, at: new Date(deps.now()).toISOString(), scope: { all: true } };
  await deps.producer.queue.add('ledger', data, {
    deduplication: { id: `ledger-sweep-all-${key}`, ttl: everyMs },
    removeOnComplete: { count: 1000 },
    removeOnFail: { count: 5000 },
    attempts: 5,
    backoff: { type: 'exponential', delay: 2000 },
  });
  return { requested: key };
}

/** Queues a pass, cause `sweep`, for every scope whose facts changed since `since` (product clock and wall clock, ms). */
export async function sweepChanges(deps: Pick<LedgerWorkerDeps, 'db' | 'log' | 'now' | 'producer'>, since: { product: number; wall: number }): Promise<{ scopes: number }> {
  const changed = await changedSince(deps.db, { product: new Date(since.product), wall: new Date(since.wall) });
  const at = new Date(deps.now()).toISOString();
  const base = { cause: 'sweep', actor: null, at };
  if (changed.all) {
    await deps.producer.requestLedger({ ...base, scope: { all: true } });
  } else {
    for (const province of changed.provinces) await deps.producer.requestLedger({ ...base, scope: { province } });
    if (changed.memberIds.length) await deps.producer.requestLedger({ ...base, scope: { memberIds: changed.memberIds } });
  }
  const scopes = changed.all ? 1 : changed.provinces.length + (changed.memberIds.length ? 1 : 0);
  if (scopes) deps.log.info({ all: changed.all, provinces: changed.provinces.length, members: changed.memberIds.length }, 'ledger sweep: catch-up queued');
  return { scopes };
}
