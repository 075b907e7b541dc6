-- Referrals to the discipline council (issue 15, art. 28 c.2, R-VER-8, R-VER-9). A province's
-- list of a biennium rests on verification snapshots: each preparation that changed its basis is
-- a row of `referral_preparations` (append-only). A referral is one member of the list with its
-- state (prepared → sent → answered, or withdrawn by a later preparation), the verification row
-- and the letter it states (frozen once sent); every step is a row of `referral_history`
-- (append-only) with who took it.
CREATE TABLE referral_preparations (
  id bigserial PRIMARY KEY,
  province text NOT NULL,
  biennium integer NOT NULL,
  february_version integer NOT NULL,
  june_version integer,
  prepared_at timestamptz NOT NULL,
  prepared_by text NOT NULL,
  summary jsonb NOT NULL
);
CREATE INDEX referral_preparations_list ON referral_preparations (province, biennium, id);

CREATE TABLE discipline_referrals (
  id uuid PRIMARY KEY,
  province text NOT NULL,
  biennium integer NOT NULL,
  seq integer NOT NULL CHECK (seq >= 1),
  number text NOT NULL,
  member_id uuid NOT NULL REFERENCES members (id),
  state text NOT NULL CHECK (state IN ('prepared', 'sent', 'answered', 'withdrawn')),
  phase text NOT NULL CHECK (phase IN ('february', 'june')),
  snapshot_version integer NOT NULL,
  status text NOT NULL,
  row jsonb NOT NULL,
  letter jsonb NOT NULL,
  letter_on date NOT NULL,
  prepared_at timestamptz NOT NULL,
  prepared_by text NOT NULL,
  sent_on date,
  sent_by text,
  protocol_number text,
  pec_reference text,
  answered_on date,
  answered_by text,
  reply_summary text,
  withdrawn_at timestamptz,
  note jsonb,
  updated_at timestamptz NOT NULL,
  UNIQUE (province, biennium, seq),
  CHECK ((state IN ('sent', 'answered')) = (sent_on IS NOT NULL)),
  CHECK ((state = 'answered') = (answered_on IS NOT NULL)),
  CHECK ((state = 'withdrawn') = (withdrawn_at IS NOT NULL))
);
-- One open referral per member of a list; a withdrawn one may be followed by a new one.
CREATE UNIQUE INDEX discipline_referrals_open ON discipline_referrals (province, biennium, member_id) WHERE state <> 'withdrawn';
CREATE INDEX discipline_referrals_state ON discipline_referrals (province, biennium, state, seq);

CREATE TABLE referral_history (
  referral_id uuid NOT NULL REFERENCES discipline_referrals (id),
  seq integer NOT NULL,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL CHECK (action IN ('prepared', 'refreshed', 'withdrawn', 'sent', 'answered', 'noted', 'note-cleared')),
  data jsonb NOT NULL,
  PRIMARY KEY (referral_id, seq)
);
