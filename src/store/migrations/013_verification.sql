-- The council's verification after a biennium (issue 15, R-VER-1 … R-VER-7): a dated snapshot
-- per province, biennium and phase ('february' as of 28 February, 'june' as of 30 June for the
-- members with an accepted debt), append-only. A run stores version n + 1 only when its digest
-- (R-VER-5) differs from the latest version's; rows are the members' statuses as of that date.
CREATE TABLE verification_snapshots (
  id bigserial PRIMARY KEY,
  province text NOT NULL,
  biennium integer NOT NULL,
  phase text NOT NULL CHECK (phase IN ('february', 'june')),
  version integer NOT NULL CHECK (version >= 1),
  as_of timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  digest text NOT NULL,
  member_count integer NOT NULL,
  aggregates jsonb NOT NULL,
  UNIQUE (province, biennium, phase, version)
);

CREATE TABLE verification_rows (
  snapshot_id bigint NOT NULL REFERENCES verification_snapshots (id),
  member_id uuid NOT NULL,
  status text NOT NULL,
  credits integer NOT NULL,
  deontology_credits integer NOT NULL,
  missing integer NOT NULL,
  missing_deontology integer NOT NULL,
  row jsonb NOT NULL,
  PRIMARY KEY (snapshot_id, member_id)
);
CREATE INDEX verification_rows_status ON verification_rows (snapshot_id, status);
