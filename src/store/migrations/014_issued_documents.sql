-- Documents anyone can verify (issue 15, R-DOC-1 … R-DOC-6): every document the gateway issues,
-- its kind, its subject (e.g. `enrolment:<id>`), its facts exactly as the PDF states them
-- (normalised JSON) with their SHA-256, who issued it and when. The verification code is never
-- stored: only its SHA-256 (`code_hash`), which is how the public page finds a document; no route
-- lists the table. One current (not superseded) document per kind and subject; a newer one
-- supersedes it (`superseded_at`, `superseded_by`), a revocation records when, why and by whom.
CREATE TABLE issued_documents (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  subject text NOT NULL,
  facts jsonb NOT NULL,
  facts_digest text NOT NULL,
  code_hash text NOT NULL UNIQUE,
  issuer text NOT NULL,
  issued_at timestamptz NOT NULL,
  superseded_at timestamptz,
  superseded_by uuid,
  revoked_at timestamptz,
  revoked_by text,
  revoked_reason text,
  CHECK ((revoked_at IS NULL) = (revoked_by IS NULL) AND (revoked_at IS NULL) = (revoked_reason IS NULL)),
  CHECK ((superseded_at IS NULL) = (superseded_by IS NULL))
);
CREATE UNIQUE INDEX issued_documents_current ON issued_documents (kind, subject) WHERE superseded_at IS NULL;
