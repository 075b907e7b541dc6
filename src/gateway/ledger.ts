/**
 * @module What a council act that may move balances does once it has committed: ask the ledger
 * worker to record the changed outcomes with the act's cause, author and time (R-POL-2). Never
 * fails the act: with Redis down the request is logged as lost and the ledger's sweep catches up.
 */
import { affectedBienniums } from '../domain/ledger.ts';
import { requestLedgerAfter, type LedgerScope } from '../queue/ledger.ts';
import type { Deps } from './deps.ts';

export interface BalanceChange {
  /** Why, e.g. `distance grant <id> granted (R-FAD-3)`. */
  cause: string;
  /** `actor(principal)`; null for the system. */
  actor: string | null;
  scope: LedgerScope;
  /** When the act was made (defaults to now on the product clock). */
  at?: Date;
  /** Bienniums (or years) the act concerns beyond the current and the previous biennium. */
  extra?: readonly number[];
}

/**
 * @example await balancesMayHaveChanged(deps, { cause: `policy of MI changed (R-POL-1)`, actor: actor(p), scope: { province: 'MI' } })
 */
export async function balancesMayHaveChanged(deps: Pick<Deps, 'ledger' | 'log' | 'now'>, change: BalanceChange): Promise<void> {
  const at = change.at ?? new Date(deps.now());
  await requestLedgerAfter(
    deps.ledger,
    {
      cause: change.cause,
      actor: change.actor,
      at: at.toISOString(),
      scope: change.scope,
      ...(change.extra?.length ? { bienniums: affectedBienniums(deps.now(), change.extra) } : {}),
    },
    deps.log,
  );
}
