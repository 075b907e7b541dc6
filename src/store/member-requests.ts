/**
 * @module What members file with their CPO and what the CPO decides: attached documents, art. 9
 * declarations (R-ART9-3), debt requests (R-DEBT-2) and reduction requests with their steps
 * (R-RED-7). Every decision is a guarded update (`WHERE status = …`), so a double click or two
 * officers at once change a request once.
 */
import crypto from 'node:crypto';
import type { Queryable } from './db.ts';

// --- documents --------------------------------------------------------------------------------

export interface UploadedFile {
  name: string;
  contentType: string;
  body: Buffer;
}

export interface DocumentMeta {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
}

export async function insertDocument(tx: Queryable, memberId: string, f: UploadedFile, at: Date): Promise<DocumentMeta> {
  const id = crypto.randomUUID();
  const sha256 = crypto.createHash('sha256').update(f.body).digest('hex');
  await tx.query('INSERT INTO member_documents (id, member_id, name, content_type, size, sha256, body, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
    id,
    memberId,
    f.name,
    f.contentType,
    f.body.length,
    sha256,
    f.body,
    at.toISOString(),
  ]);
  return { id, name: f.name, contentType: f.contentType, size: f.body.length, sha256 };
}

export async function getDocument(db: Queryable, id: string): Promise<(DocumentMeta & { memberId: string; body: Buffer }) | null> {
  const { rows } = await db.query<any>('SELECT id, member_id, name, content_type, size, sha256, body FROM member_documents WHERE id = $1', [id]);
  const r = rows[0];
  return r ? { id: r.id, memberId: r.member_id, name: r.name, contentType: r.content_type, size: r.size, sha256: r.sha256, body: r.body } : null;
}

// --- shared by the three kinds of request ---------------------------------------------------------

/** What a council lists: its province's requests (null: all), optionally of one member or in one status. */
export interface RequestFilter {
  province: string | null;
  memberId?: string;
  status?: string;
  limit: number;
}

/** The WHERE clause of `RequestFilter` on a table alias, with its 3 parameters ($1..$3) and the limit ($4). */
function filtered(alias: string, f: RequestFilter) {
  const col = (c: string) => (alias ? `${alias}.${c}` : c);
  return {
    where: `WHERE ($1::text IS NULL OR ${col('province')} = $1) AND ($2::uuid IS NULL OR ${col('member_id')} = $2) AND ($3::text IS NULL OR ${col('status')} = $3)`,
    params: [f.province, f.memberId ?? null, f.status ?? null, f.limit],
  };
}

/** Decides a request still in `from`; false when it was already decided (a double click, two officers). */
async function decide(
  db: Queryable,
  table: 'art9_declarations' | 'debt_requests',
  id: string,
  from: string,
  to: string,
  by: string,
  reason: string | null,
  at: Date,
) {
  const { rowCount } = await db.query(`UPDATE ${table} SET status = $2, decided_by = $3, decision_reason = $4, decided_at = $5 WHERE id = $1 AND status = $6`, [
    id,
    to,
    by,
    reason,
    at.toISOString(),
    from,
  ]);
  return rowCount > 0;
}

// --- art. 9 declarations (R-ART9-3) ------------------------------------------------------------

export interface Art9Row {
  id: string;
  memberId: string;
  province: string;
  activity: string;
  quantity: number;
  activityDate: string;
  description: string;
  document: DocumentMeta;
  filedAt: string;
  status: 'submitted' | 'validated' | 'rejected';
  decidedAt: string | null;
  decidedBy: string | null;
  decisionReason: string | null;
}

const ART9_SELECT = `SELECT a.id, a.member_id, a.province, a.activity, a.quantity, a.activity_date::text AS activity_date, a.description, a.filed_at,
  a.status, a.decided_at, a.decided_by, a.decision_reason, d.id AS doc_id, d.name AS doc_name, d.content_type AS doc_type, d.size AS doc_size, d.sha256 AS doc_sha256
  FROM art9_declarations a JOIN member_documents d ON d.id = a.document_id`;

function toArt9(r: any): Art9Row {
  return {
    id: r.id,
    memberId: r.member_id,
    province: r.province,
    activity: r.activity,
    quantity: r.quantity,
    activityDate: r.activity_date,
    description: r.description,
    document: { id: r.doc_id, name: r.doc_name, contentType: r.doc_type, size: r.doc_size, sha256: r.doc_sha256 },
    filedAt: r.filed_at.toISOString(),
    status: r.status,
    decidedAt: r.decided_at ? r.decided_at.toISOString() : null,
    decidedBy: r.decided_by,
    decisionReason: r.decision_reason,
  };
}

export async function insertArt9(
  tx: Queryable,
  d: { memberId: string; province: string; activity: string; quantity: number; activityDate: string; description: string; file: UploadedFile; at: Date },
): Promise<string> {
  const doc = await insertDocument(tx, d.memberId, d.file, d.at);
  const id = crypto.randomUUID();
  await tx.query(
    `INSERT INTO art9_declarations (id, member_id, province, activity, quantity, activity_date, description, document_id, filed_at, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'submitted')`,
    [id, d.memberId, d.province, d.activity, d.quantity, d.activityDate, d.description, doc.id, d.at.toISOString()],
  );
  return id;
}

export async function getArt9(db: Queryable, id: string): Promise<Art9Row | null> {
  const { rows } = await db.query(`${ART9_SELECT} WHERE a.id = $1`, [id]);
  return rows[0] ? toArt9(rows[0]) : null;
}

export async function listArt9(db: Queryable, f: RequestFilter): Promise<Art9Row[]> {
  const q = filtered('a', f);
  const { rows } = await db.query(`${ART9_SELECT} ${q.where} ORDER BY a.filed_at DESC, a.id DESC LIMIT $4`, q.params);
  return rows.map(toArt9);
}

/** Decides a submitted declaration; false when it was already decided. */
export function decideArt9(db: Queryable, id: string, status: 'validated' | 'rejected', by: string, reason: string | null, at: Date): Promise<boolean> {
  return decide(db, 'art9_declarations', id, 'submitted', status, by, reason, at);
}

// --- debt requests (R-DEBT-2) ------------------------------------------------------------------

export interface DebtRow {
  id: string;
  memberId: string;
  province: string;
  biennium: number;
  total: number;
  deontology: number;
  filedOn: string;
  status: 'filed' | 'accepted' | 'rejected';
  decidedAt: string | null;
  decidedBy: string | null;
  decisionReason: string | null;
}

const DEBT_SELECT = `SELECT id, member_id, province, biennium, total, deontology, filed_on::text AS filed_on, status, decided_at, decided_by, decision_reason FROM debt_requests`;

function toDebt(r: any): DebtRow {
  return {
    id: r.id,
    memberId: r.member_id,
    province: r.province,
    biennium: r.biennium,
    total: r.total,
    deontology: r.deontology,
    filedOn: r.filed_on,
    status: r.status,
    decidedAt: r.decided_at ? r.decided_at.toISOString() : null,
    decidedBy: r.decided_by,
    decisionReason: r.decision_reason,
  };
}

/** Files a request; `exists` when a live (filed or accepted) one is already there for the biennium. */
export async function insertDebt(
  db: Queryable,
  d: { memberId: string; province: string; biennium: number; total: number; deontology: number; filedOn: string; at: Date },
): Promise<{ id: string } | 'exists'> {
  const id = crypto.randomUUID();
  const { rowCount } = await db.query(
    `INSERT INTO debt_requests (id, member_id, province, biennium, total, deontology, filed_on, filed_at, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'filed') ON CONFLICT (member_id, biennium) WHERE status <> 'rejected' DO NOTHING`,
    [id, d.memberId, d.province, d.biennium, d.total, d.deontology, d.filedOn, d.at.toISOString()],
  );
  return rowCount > 0 ? { id } : 'exists';
}

export async function getDebt(db: Queryable, id: string): Promise<DebtRow | null> {
  const { rows } = await db.query(`${DEBT_SELECT} WHERE id = $1`, [id]);
  return rows[0] ? toDebt(rows[0]) : null;
}

export async function listDebts(db: Queryable, f: RequestFilter): Promise<DebtRow[]> {
  const q = filtered('', f);
  const { rows } = await db.query(`${DEBT_SELECT} ${q.where} ORDER BY filed_at DESC, id DESC LIMIT $4`, q.params);
  return rows.map(toDebt);
}

export function decideDebt(db: Queryable, id: string, status: 'accepted' | 'rejected', by: string, reason: string | null, at: Date): Promise<boolean> {
  return decide(db, 'debt_requests', id, 'filed', status, by, reason, at);
}

// --- reduction requests (R-RED-7) ----------------------------------------------------------------

export interface ReductionRow {
  id: string;
  memberId: string;
  province: string;
  biennium: number;
  cause: string;
  input: Record<string, unknown>;
  computed: Record<string, unknown>;
  filedOn: string;
  filing: Record<string, unknown>;
  status: string;
  protocolNumber: string | null;
  officer: string | null;
  preDenialReasons: string | null;
  integrationDeadline: string | null;
  decisionDeadline: string | null;
  decision: Record<string, unknown> | null;
  notifiedOn: string | null;
  appealDeadline: string | null;
  appeal: Record<string, unknown> | null;
  documents: Array<{ id: string; name: string; contentType: string; size: number; stage: string }>;
  steps: Array<{ action: string; from: string | null; to: string; actor: string; at: string; detail: Record<string, unknown> }>;
}

const REDUCTION_SELECT = `SELECT id, member_id, province, biennium, cause, input, computed, filed_on::text AS filed_on, filing, status, protocol_number, officer,
  pre_denial_reasons, integration_deadline::text AS integration_deadline, decision_deadline::text AS decision_deadline, decision,
  notified_on::text AS notified_on, appeal_deadline::text AS appeal_deadline, appeal FROM reduction_requests`;

async function withDetails(db: Queryable, rows: any[]): Promise<ReductionRow[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [docs, steps] = await Promise.all([
    db.query<any>(
      `SELECT rd.request_id, d.id, d.name, d.content_type, d.size, rd.stage FROM reduction_documents rd JOIN member_documents d ON d.id = rd.document_id
       WHERE rd.request_id = ANY($1::uuid[]) ORDER BY rd.stage = 'integration', d.uploaded_at, d.id`,
      [ids],
    ),
    db.query<any>('SELECT request_id, action, from_status, to_status, actor, detail, at FROM reduction_steps WHERE request_id = ANY($1::uuid[]) ORDER BY id', [
      ids,
    ]),
  ]);
  return rows.map((r) => ({
    id: r.id,
    memberId: r.member_id,
    province: r.province,
    biennium: r.biennium,
    cause: r.cause,
    input: r.input,
    computed: r.computed,
    filedOn: r.filed_on,
    filing: r.filing,
    status: r.status,
    protocolNumber: r.protocol_number,
    officer: r.officer,
    preDenialReasons: r.pre_denial_reasons,
    integrationDeadline: r.integration_deadline,
    decisionDeadline: r.decision_deadline,
    decision: r.decision,
    notifiedOn: r.notified_on,
    appealDeadline: r.appeal_deadline,
    appeal: r.appeal,
    documents: docs.rows
      .filter((d) => d.request_id === r.id)
      .map((d) => ({ id: d.id, name: d.name, contentType: d.content_type, size: d.size, stage: d.stage })),
    steps: steps.rows
      .filter((s) => s.request_id === r.id)
      .map((s) => ({ action: s.action, from: s.from_status, to: s.to_status, actor: s.actor, at: s.at.toISOString(), detail: s.detail })),
  }));
}

export async function insertReduction(
  tx: Queryable,
  r: {
    memberId: string;
    province: string;
    biennium: number;
    cause: string;
    input: Record<string, unknown>;
    computed: Record<string, unknown>;
    filedOn: string;
    filing: Record<string, unknown>;
    decisionDeadline: string;
    files: readonly UploadedFile[];
    at: Date;
  },
): Promise<string> {
  const id = crypto.randomUUID();
  await tx.query(
    `INSERT INTO reduction_requests (id, member_id, province, biennium, cause, input, computed, filed_on, filed_at, filing, status, decision_deadline, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'filed', $11, $9)`,
    [
      id,
      r.memberId,
      r.province,
      r.biennium,
      r.cause,
      JSON.stringify(r.input),
      JSON.stringify(r.computed),
      r.filedOn,
      r.at.toISOString(),
      JSON.stringify(r.filing),
      r.decisionDeadline,
    ],
  );
  await attachDocuments(tx, id, r.memberId, r.files, 'filing', r.at);
  await insertStep(tx, id, { action: 'file', from: null, to: 'filed', actor: 'member', detail: { documents: r.files.length }, at: r.at });
  return id;
}

export async function attachDocuments(
  tx: Queryable,
  requestId: string,
  memberId: string,
  files: readonly UploadedFile[],
  stage: 'filing' | 'integration',
  at: Date,
) {
  for (const f of files) {
    const doc = await insertDocument(tx, memberId, f, at);
    await tx.query('INSERT INTO reduction_documents (request_id, document_id, stage) VALUES ($1, $2, $3)', [requestId, doc.id, stage]);
  }
}

export async function insertStep(
  tx: Queryable,
  requestId: string,
  s: { action: string; from: string | null; to: string; actor: string; detail: Record<string, unknown>; at: Date },
) {
  await tx.query('INSERT INTO reduction_steps (request_id, action, from_status, to_status, actor, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    requestId,
    s.action,
    s.from,
    s.to,
    s.actor,
    JSON.stringify(s.detail),
    s.at.toISOString(),
  ]);
}

export async function getReduction(db: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<ReductionRow | null> {
  const { rows } = await db.query(`${REDUCTION_SELECT} WHERE id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`, [id]);
  return (await withDetails(db, rows))[0] ?? null;
}

export async function listReductions(db: Queryable, f: RequestFilter): Promise<ReductionRow[]> {
  const q = filtered('', f);
  const { rows } = await db.query(`${REDUCTION_SELECT} ${q.where} ORDER BY filed_at DESC, id DESC LIMIT $4`, q.params);
  return withDetails(db, rows);
}

/** Columns a workflow step may set (snake_case names of reduction_requests). */
export type ReductionUpdate = Partial<
  Record<
    | 'protocol_number'
    | 'officer'
    | 'pre_denial_reasons'
    | 'integration_deadline'
    | 'decision_deadline'
    | 'decision'
    | 'decided_at'
    | 'decided_by'
    | 'notified_on'
    | 'appeal_deadline'
    | 'appeal',
    unknown
  >
>;

/** Moves a request from `from` to `to` with the given columns; false when its status was no longer `from`. */
export async function updateReduction(tx: Queryable, id: string, from: string, to: string, set: ReductionUpdate, at: Date): Promise<boolean> {
  const cols = Object.keys(set);
  const assignments = cols.map((c, i) => `${c} = $${i + 5}`);
  const values = cols.map((c) => {
    const v = (set as Record<string, unknown>)[c];
    return v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v instanceof Date ? v.toISOString() : v;
  });
  const { rowCount } = await tx.query(
    `UPDATE reduction_requests SET status = $3, updated_at = $4${assignments.length ? ', ' + assignments.join(', ') : ''} WHERE id = $1 AND status = $2`,
    [id, from, to, at.toISOString(), ...values],
  );
  return rowCount > 0;
}

/** Serialises a member's filings: the member's row lock, released at COMMIT. */
export async function lockMemberRow(tx: Queryable, memberId: string): Promise<void> {
  await tx.query('SELECT 1 FROM members WHERE id = $1 FOR UPDATE', [memberId]);
}

/** Whether the member already declared this activity, date and quantity (and it was not rejected). */
export async function art9DuplicateExists(tx: Queryable, d: { memberId: string; activity: string; activityDate: string; quantity: number }): Promise<boolean> {
  const same = await tx.query(
    "SELECT 1 FROM art9_declarations WHERE member_id = $1 AND activity = $2 AND activity_date = $3 AND quantity = $4 AND status <> 'rejected'",
    [d.memberId, d.activity, d.activityDate, d.quantity],
  );
  return same.rows.length > 0;
}

/** Whether the member has a request for this cause and biennium that is not denied. */
export async function liveReductionExists(tx: Queryable, d: { memberId: string; biennium: number; cause: string }): Promise<boolean> {
  const live = await tx.query("SELECT 1 FROM reduction_requests WHERE member_id = $1 AND biennium = $2 AND cause = $3 AND status <> 'denied'", [
    d.memberId,
    d.biennium,
    d.cause,
  ]);
  return live.rows.length > 0;
}

const REDUCTION_WAITING = `($1::text IS NULL OR province = $1)
  AND (status IN ('filed', 'acknowledged', 'integrated', 'appealed') OR (status = 'pre-denied' AND integration_deadline < $2::date))`;

/**
 * How many requests of a province (null: all) wait for the council on the Rome date `today`, and
 * the earliest date a reduction must be decided by (R-RED-7): what the console's home page counts.
 * A pre-denied reduction waits for the member until its integration deadline, then for the council.
 */
export async function waitingCounts(
  db: Queryable,
  province: string | null,
  today: string,
): Promise<{ art9: number; debts: number; reductions: number; firstReductionDeadline: string | null }> {
  const { rows } = await db.query<{ art9: number; debts: number; reductions: number; first: string | null }>(
    `SELECT
       (SELECT count(*)::int FROM art9_declarations WHERE status = 'submitted' AND ($1::text IS NULL OR province = $1)) AS art9,
       (SELECT count(*)::int FROM debt_requests WHERE status = 'filed' AND ($1::text IS NULL OR province = $1)) AS debts,
       (SELECT count(*)::int FROM reduction_requests WHERE ${REDUCTION_WAITING}) AS reductions,
       (SELECT min(decision_deadline)::text FROM reduction_requests WHERE ${REDUCTION_WAITING}) AS first`,
    [province, today],
  );
  const r = rows[0]!;
  return { art9: r.art9, debts: r.debts, reductions: r.reductions, firstReductionDeadline: r.first };
}
