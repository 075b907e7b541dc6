/**
 * @module What councils decide on members' requests: art. 9 declarations (R-ART9-3) and debt
 * recovery (R-DEBT-2); reductions (R-RED-7) are `reductions.ts`. A CPO sees the requests filed
 * with it, the CN and admin all of them, anyone else is told they do not exist. A decision changes
 * the member's balance at once (balances are derived on read); the ledger records how (R-POL-2).
 */
import {
  decideArt9 as storeDecideArt9,
  decideDebt as storeDecideDebt,
  getArt9,
  getDebt as getDebtRow,
  getDocument,
  listArt9,
  listDebts,
  type Art9Row,
  type DebtRow,
  type DocumentMeta,
} from '../../store/member-requests.ts';
import { actorRef, type Actor } from '../actor.ts';
import { balancesMayHaveChanged } from '../balance/ledger.ts';
import type { ServiceContext } from '../context.ts';
import { ServiceError } from '../errors.ts';

type Ctx = Pick<ServiceContext, 'db' | 'ledger' | 'log' | 'now'>;

/** A stored file as uploaded. */
export type StoredDocument = DocumentMeta & { memberId: string; body: Buffer };

export interface RequestListInput {
  status?: string;
  memberId?: string;
  limit: number;
}

/** The province filter of a council key: its own for a CPO, all (null) for the CN and admin. */
export function provinceOf(actor: Actor): string | null {
  return actor.role === 'cpo' ? actor.subject : null;
}

/** Refuses with `code` unless the actor may see a request filed with `province`. */
export function visibleTo<T extends { province: string }>(
  actor: Actor,
  row: T | null,
  code: 'debt-request-not-found' | 'declaration-not-found' | 'reduction-not-found',
): asserts row is T {
  if (!row || (actor.role === 'cpo' && actor.subject !== row.province)) throw new ServiceError(code);
}

// --- art. 9 --------------------------------------------------------------------------------------

/** Declarations members filed, newest first (R-ART9-3). */
export async function listDeclarations(ctx: Pick<ServiceContext, 'db'>, actor: Actor, q: RequestListInput): Promise<Art9Row[]> {
  return listArt9(ctx.db, { province: provinceOf(actor), ...q });
}

/** One declaration the actor may see. */
export async function getDeclaration(ctx: Pick<ServiceContext, 'db'>, actor: Actor, id: string): Promise<Art9Row> {
  const d = await getArt9(ctx.db, id);
  visibleTo(actor, d, 'declaration-not-found');
  return d;
}

/** The attestation the member attached to a declaration, as uploaded. */
export async function declarationAttestation(ctx: Pick<ServiceContext, 'db'>, actor: Actor, id: string): Promise<StoredDocument> {
  const d = await getDeclaration(ctx, actor, id);
  return (await getDocument(ctx.db, d.document.id))!;
}

/** Validates or rejects a declaration (R-ART9-3); a rejection states its reason. */
export async function decideDeclaration(ctx: Ctx, actor: Actor, input: { id: string; decision: 'validate' | 'reject'; reason?: string }): Promise<Art9Row> {
  const { id } = input;
  const declaration = await getDeclaration(ctx, actor, id);
  const status = input.decision === 'validate' ? 'validated' : 'rejected';
  const at = new Date(ctx.now());
  const ok = await storeDecideArt9(ctx.db, id, status, actorRef(actor), input.reason ?? null, at);
  if (!ok) throw new ServiceError('already-decided', 'The declaration is already decided');
  await balancesMayHaveChanged(ctx, {
    cause: `art. 9 declaration ${id} ${status} (R-ART9-3)`,
    actor: actorRef(actor),
    at,
    scope: { memberIds: [declaration.memberId] },
    extra: [Number(declaration.activityDate.slice(0, 4))],
  });
  return (await getArt9(ctx.db, id))!;
}

// --- debt recovery -------------------------------------------------------------------------------

/** Debt recovery requests, newest first (R-DEBT-2). */
export async function listDebtRequests(ctx: Pick<ServiceContext, 'db'>, actor: Actor, q: RequestListInput): Promise<DebtRow[]> {
  return listDebts(ctx.db, { province: provinceOf(actor), ...q });
}

/** One debt request the actor may see. */
export async function getDebtRequest(ctx: Pick<ServiceContext, 'db'>, actor: Actor, id: string): Promise<DebtRow> {
  const d = await getDebtRow(ctx.db, id);
  visibleTo(actor, d, 'debt-request-not-found');
  return d;
}

/** Accepts or rejects a debt request (R-DEBT-2); once accepted, the first credits of the new biennium settle it (R-DEBT-3). */
export async function decideDebtRequest(ctx: Ctx, actor: Actor, input: { id: string; decision: 'accept' | 'reject'; reason?: string }): Promise<DebtRow> {
  const { id } = input;
  const request = await getDebtRequest(ctx, actor, id);
  const status = input.decision === 'accept' ? 'accepted' : 'rejected';
  const at = new Date(ctx.now());
  const ok = await storeDecideDebt(ctx.db, id, status, actorRef(actor), input.reason ?? null, at);
  if (!ok) throw new ServiceError('already-decided', 'The request is already decided');
  // The debt's biennium, and the next one whose first credits settle it (R-DEBT-3).
  await balancesMayHaveChanged(ctx, {
    cause: `debt request ${id} ${status} (R-DEBT-2)`,
    actor: actorRef(actor),
    at,
    scope: { memberIds: [request.memberId] },
    extra: [request.biennium, request.biennium + 2],
  });
  return (await getDebtRow(ctx.db, id))!;
}
