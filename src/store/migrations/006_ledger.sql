-- Balance ledger (R-POL-2): balances stay derived on read; the ledger worker keeps the last outcome
-- of each member's balance per biennium and appends a row whenever a re-derivation changes it,
-- with the cause (a grant, a policy change, a decision, re-derived credits, a sweep), the key that
-- acted and when. See workers/ledger.ts.

-- The last recorded outcome (src/domain/ledger.ts `balanceOutcome`) and its digest.
CREATE TABLE balance_snapshots (
  member_id uuid NOT NULL REFERENCES members(id),
  biennium integer NOT NULL,
  summary jsonb NOT NULL,
  digest text NOT NULL,                                                -- sha256 of the canonical summary
  derived_at timestamptz NOT NULL,
  PRIMARY KEY (member_id, biennium)
);

-- Every change of an outcome: append-only.
CREATE TABLE balance_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  member_id uuid NOT NULL REFERENCES members(id),
  biennium integer NOT NULL,
  old jsonb,                                                           -- NULL for the first recorded outcome
  new jsonb NOT NULL,
  cause text NOT NULL,
  actor text,                                                          -- role:key id; NULL for the system
  at timestamptz NOT NULL                                              -- when the change was made (a sweep: when found)
);
CREATE INDEX balance_audit_member ON balance_audit (member_id, id);
