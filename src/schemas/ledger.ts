/** @module Schemas of the balance ledger API (R-POL-2): the recorded outcome of a balance and its audit rows. */
import { z } from '@hono/zod-openapi';

const Int = z.number().int();
const Amounts = z.object({ total: Int, deontology: Int });

/** What the ledger keeps of a balance (`src/domain/ledger.ts` `balanceOutcome`). */
export const BalanceOutcome = z
  .object({
    obligation: Amounts.openapi({ description: 'Effective obligation (R-OBL-6)' }),
    counted: Amounts.extend({ distance: Int, otherActivities: Int }),
    distancePct: Int.openapi({ description: 'Distance pct in force (R-FAD-3)' }),
    missing: Amounts,
    compliant: z.boolean(),
    status: z.enum(['compliant', 'in-progress', 'debt-open', 'non-compliant']),
    debt: z.enum(['open', 'settled', 'unsettled']).nullable().openapi({ description: "This biennium's accepted debt (R-DEBT-3/4), or null" }),
  })
  .openapi('BalanceOutcome');

export const BalanceAuditEntry = z
  .object({
    id: Int,
    biennium: Int,
    old: BalanceOutcome.nullable().openapi({ description: 'null for the first outcome the ledger recorded' }),
    new: BalanceOutcome,
    cause: z.string().openapi({ example: 'distance grant 0b6f7a52-3c1e-4f0a-9a57-2f1d8c9e4b10 granted (R-FAD-3)' }),
    actor: z.string().nullable().openapi({ description: '`role:keyId` of the key that acted; null for the system (re-derived credits, sweeps)' }),
    at: z.string().openapi({ description: 'When the change was made (for a sweep: when it was found)' }),
  })
  .openapi('BalanceAuditEntry');

export const BalanceAudit = z
  .object({
    memberId: z.uuid(),
    entries: z.array(BalanceAuditEntry),
    next: Int.nullable().openapi({ description: 'Pass as `before` for the next (older) page; null on the last' }),
  })
  .openapi('BalanceAudit');
