/**
 * @module The advisory locks operations take, by name: one place for their keys, so two kinds of
 * work never share a key by accident.
 */
import type { Queryable } from './db.ts';

/** The second argument of `hashtextextended`: a namespace per kind of work. */
export const LOCKS = {
  /** One derivation of an event's attendance at a time (store/attendance.ts). */
  eventDerivation: 42,
  /** Questionnaire dispatch and pool changes of one event never interleave. */
  eventQuestionnaire: 43,
  /** One verification run of a province, biennium and phase at a time (store/verification.ts), so two runs never take the same version. */
  verification: 150,
  /** Preparations and moves of one province's referral list (store/referrals.ts): numbers and open referrals never race. */
  referrals: 151,
} as const;

/** Serialises concurrent starters (gateway and workers) migrating one database (a single-key lock: `pg_advisory_xact_lock(bigint)`). */
export const MIGRATION_LOCK = 727_150_001;

export type LockName = keyof typeof LOCKS;

/** Takes the transaction-scoped lock `name` on `id`; released at COMMIT or ROLLBACK. */
export async function lockFor(tx: Queryable, name: LockName, id: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, $2))', [id, LOCKS[name]]);
}
