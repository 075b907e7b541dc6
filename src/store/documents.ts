/**
 * @module The `issued_documents` table (issue 15): documents found by the SHA-256 of their
 * verification code or by their kind and subject, never listed. The code itself is not stored.
 */
import type { DocumentKind, Facts } from '../domain/documents.ts';
import type { Queryable } from './db.ts';

export interface DocumentRow {
  id: string;
  kind: DocumentKind;
  subject: string;
  facts: Facts;
  factsDigest: string;
  issuer: string;
  issuedAt: Date;
  supersededAt: Date | null;
  supersededBy: string | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  revokedReason: string | null;
}

const COLUMNS = `id, kind, subject, facts, facts_digest AS "factsDigest", issuer, issued_at AS "issuedAt",
  superseded_at AS "supersededAt", superseded_by AS "supersededBy", revoked_at AS "revokedAt", revoked_by AS "revokedBy", revoked_reason AS "revokedReason"`;

/** The document whose code has this SHA-256. */
export async function documentByCodeHash(db: Queryable, codeHash: string): Promise<DocumentRow | null> {
  const { rows } = await db.query<DocumentRow>(`SELECT ${COLUMNS} FROM issued_documents WHERE code_hash = $1`, [codeHash]);
  return rows[0] ?? null;
}

/** The current (not superseded) document of a subject, locked for the transaction when `lock`. */
export async function currentDocument(db: Queryable, kind: DocumentKind, subject: string, lock = false): Promise<DocumentRow | null> {
  const { rows } = await db.query<DocumentRow>(
    `SELECT ${COLUMNS} FROM issued_documents WHERE kind = $1 AND subject = $2 AND superseded_at IS NULL${lock ? ' FOR UPDATE' : ''}`,
    [kind, subject],
  );
  return rows[0] ?? null;
}

/** A new current document; null when another one became current first (the caller reads it again). */
export async function insertDocument(
  db: Queryable,
  d: { id: string; kind: DocumentKind; subject: string; facts: Facts; factsDigest: string; codeHash: string; issuer: string; issuedAt: Date },
): Promise<DocumentRow | null> {
  const { rows } = await db.query<DocumentRow>(
    `INSERT INTO issued_documents (id, kind, subject, facts, facts_digest, code_hash, issuer, issued_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)
     ON CONFLICT (kind, subject) WHERE superseded_at IS NULL DO NOTHING
     RETURNING ${COLUMNS}`,
    [d.id, d.kind, d.subject, JSON.stringify(d.facts), d.factsDigest, d.codeHash, d.issuer, d.issuedAt.toISOString()],
  );
  return rows[0] ?? null;
}

/** Marks the current document superseded by `by` (whose row follows in the same transaction). */
export async function supersedeDocument(db: Queryable, id: string, by: string, at: Date): Promise<void> {
  await db.query('UPDATE issued_documents SET superseded_at = $2, superseded_by = $3 WHERE id = $1 AND superseded_at IS NULL', [id, at.toISOString(), by]);
}

/** Revokes a document (a revoked one keeps its first revocation); the row as it now is. */
export async function revokeDocumentRow(db: Queryable, id: string, r: { at: Date; by: string; reason: string }): Promise<DocumentRow | null> {
  const { rows } = await db.query<DocumentRow>(
    `UPDATE issued_documents SET revoked_at = coalesce(revoked_at, $2), revoked_by = coalesce(revoked_by, $3), revoked_reason = coalesce(revoked_reason, $4)
     WHERE id = $1 RETURNING ${COLUMNS}`,
    [id, r.at.toISOString(), r.by, r.reason],
  );
  return rows[0] ?? null;
}

/** The document with this id (the one that superseded another). */
export async function documentById(db: Queryable, id: string): Promise<DocumentRow | null> {
  const { rows } = await db.query<DocumentRow>(`SELECT ${COLUMNS} FROM issued_documents WHERE id = $1`, [id]);
  return rows[0] ?? null;
}

/** The code-derivation secret: generated at the first use and kept in the database (R-DOC-2). */
export async function documentCodeSecret(db: Queryable, fresh: string): Promise<string> {
  await db.query('INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', ['document-codes', fresh]);
  const { rows } = await db.query<{ value: string }>('SELECT value FROM app_secrets WHERE name = $1', ['document-codes']);
  return rows[0]!.value;
}
