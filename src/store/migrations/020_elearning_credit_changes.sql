-- Issue 16, "Derivation at scale": when an e-learning outcome last changed its member's credit
-- records. The ledger's sweep (src/store/ledger.ts `changedSince`) catches balances whose ledger
-- request was lost; it read every outcome derived since its last run, so a course of 10,000
-- learners committing every 30 s had all 10,000 balances re-derived every minute (2–3 s of the
-- database's time each time, bench/RESULTS.md) though a derivation rarely changes a credit. It now
-- reads the outcomes whose credit records changed. Wall clock, as `derived_at`.

ALTER TABLE elearning_outcomes ADD COLUMN credits_changed_at timestamptz;
-- Not filled in for outcomes before it: the ledger worker makes a pass over every member when it
-- starts (workers/ledger.ts), which the upgrade's restart does.
CREATE INDEX elearning_outcomes_credits_changed ON elearning_outcomes (credits_changed_at) WHERE credits_changed_at IS NOT NULL;
