/**
 * @module Documents anyone can verify (issue 15, R-DOC-1 … R-DOC-6): issuing a document for a
 * subject (idempotent for the same facts, superseding for different ones), verifying it by its
 * code (the public page) and revoking it (admin, cn, the issuing organiser). The rules are
 * `src/domain/documents.ts`; the code is derived from the document's id under a secret the
 * database keeps, and only its SHA-256 is stored.
 */
import crypto from 'node:crypto';
import {
  codeHash,
  documentCode,
  documentStatus,
  factsDigest,
  issueDecision,
  mayRevoke,
  normaliseFacts,
  parseCode,
  type DocumentKind,
  type DocumentStatus,
  type Facts,
} from '../domain/documents.ts';
import type { Queryable } from '../store/db.ts';
import {
  currentDocument,
  documentByCodeHash,
  documentById,
  documentCodeSecret,
  insertDocument,
  revokeDocumentRow,
  supersedeDocument,
  type DocumentRow,
} from '../store/documents.ts';
import { actorRef, type Actor } from './actor.ts';
import type { ServiceContext } from './context.ts';
import { ServiceError } from './errors.ts';

/** A document as its holder gets it: the code to print, the digest, when it was issued. */
export interface IssuedDocument {
  id: string;
  kind: DocumentKind;
  /** Plain base32 (32 characters); `groupedCode` for reading. */
  code: string;
  factsDigest: string;
  issuedAt: Date;
  status: DocumentStatus;
}

/** What the verification page shows. */
export interface VerifiedDocument {
  kind: DocumentKind;
  facts: Facts;
  factsDigest: string;
  issuedAt: Date;
  status: DocumentStatus;
}

const secrets = new WeakMap<Queryable, Promise<string>>();

/** The code secret of this database, read once per database handle. */
function secretOf(db: Queryable): Promise<string> {
  let s = secrets.get(db);
  if (!s) {
    s = documentCodeSecret(db, crypto.randomBytes(32).toString('base64url'));
    s.catch(() => secrets.delete(db));
    secrets.set(db, s);
  }
  return s;
}

/**
 * Issues the document of `subject` with these facts, or gives back the one it already has: the
 * same facts (by digest) return the current document, revoked or not; different facts supersede
 * it with a new document and a new code. Called by the services that produce documents (the
 * e-learning attestation), whose callers already decided who may obtain it; `issuer` is who
 * issues it in law (`organiser:<id>`).
 *
 * @rule R-DOC-1
 * @rule R-DOC-5
 */
export async function issueDocument(
  ctx: Pick<ServiceContext, 'db' | 'now'>,
  input: { kind: DocumentKind; subject: string; issuer: string; facts: Facts },
): Promise<IssuedDocument> {
  const facts = normaliseFacts(input.facts);
  const digest = factsDigest(input.kind, facts);
  const secret = await secretOf(ctx.db);
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await ctx.db.transaction(async (tx) => {
      const current = await currentDocument(tx, input.kind, input.subject, true);
      const decision = issueDecision(current, digest);
      if (decision.action === 'reuse') return current!;
      const id = crypto.randomUUID();
      const at = new Date(ctx.now());
      if (decision.action === 'supersede') await supersedeDocument(tx, current!.id, id, at);
      return insertDocument(tx, {
        id,
        kind: input.kind,
        subject: input.subject,
        facts,
        factsDigest: digest,
        codeHash: codeHash(documentCode(secret, id)),
        issuer: input.issuer,
        issuedAt: at,
      });
    });
    // Null: another request made a document current between our read and our insert; read again.
    if (row)
      return {
        id: row.id,
        kind: row.kind,
        code: documentCode(secret, row.id),
        factsDigest: row.factsDigest,
        issuedAt: row.issuedAt,
        status: documentStatus(row),
      };
  }
  throw new Error(`issuing a ${input.kind} document for ${input.subject} kept conflicting`);
}

/**
 * The document a code names, for the public page: null for a malformed code and for an unknown
 * one alike (the page answers both with the same 404).
 * @rule R-DOC-2
 * @rule R-DOC-4
 */
export async function verifyDocument(ctx: Pick<ServiceContext, 'db'>, code: string): Promise<VerifiedDocument | null> {
  const row = await rowOfCode(ctx.db, code);
  return row ? verified(row) : null;
}

/**
 * Revokes the document a code names, with a reason: admin and cn any document, an organiser's
 * key or staff those it issued. Anyone else, a malformed or unknown code: `document-not-found`
 * (nothing says whether the document exists). Revoking twice keeps the first revocation.
 * @rule R-DOC-6
 */
export async function revokeDocument(
  ctx: Pick<ServiceContext, 'db' | 'now' | 'log'>,
  actor: Actor,
  input: { code: string; reason: string },
): Promise<VerifiedDocument> {
  const row = await rowOfCode(ctx.db, input.code);
  if (!row || !mayRevoke(actor, row.issuer)) throw new ServiceError('document-not-found');
  const revoked = await revokeDocumentRow(ctx.db, row.id, { at: new Date(ctx.now()), by: actorRef(actor), reason: input.reason.trim() });
  if (!revoked) throw new ServiceError('document-not-found');
  ctx.log.info({ documentId: row.id, kind: row.kind, by: actorRef(actor) }, 'document revoked');
  return verified(revoked);
}

/** The document that superseded this one, for the page's link: null when none. */
export async function supersedingIssuedAt(ctx: Pick<ServiceContext, 'db'>, code: string): Promise<Date | null> {
  const row = await rowOfCode(ctx.db, code);
  if (!row?.supersededBy) return null;
  return (await documentById(ctx.db, row.supersededBy))?.issuedAt ?? null;
}

async function rowOfCode(db: Queryable, code: string): Promise<DocumentRow | null> {
  const plain = parseCode(code);
  return plain ? documentByCodeHash(db, codeHash(plain)) : null;
}

function verified(row: DocumentRow): VerifiedDocument {
  return { kind: row.kind, facts: row.facts, factsDigest: row.factsDigest, issuedAt: row.issuedAt, status: documentStatus(row) };
}
