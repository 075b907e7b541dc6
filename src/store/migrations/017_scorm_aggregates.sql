-- Incremental e-learning derivation (issue 16, "Derivation at scale"; src/domain/elearning-fold.ts).
--
-- Derived, like `elearning_outcomes`, and written in the same transaction as it by the SCORM
-- worker under the enrolment's row lock: what the commits folded so far add up to, so that a
-- derivation after a commit reads the commits stored since (`id > commits_high_water`) and these
-- rows instead of the whole history. The commits stay the evidence: these rows can always be
-- rebuilt from them (the full re-read does, when the course's rules changed or the fold cannot be
-- exact), and nothing is written on the commit's own path.
--
-- `scorm_folds`: one row per enrolment. `basis` is what the aggregates were folded under (the
-- package, its SCOs and mastery scores, the declaration's pass mark and duration, the tolerance,
-- the validity window): another basis means a full re-read. `commits_folded` counts the commits
-- folded, so that one that became visible only after a fold with a larger id (its transaction
-- committed late) shows as a difference.
CREATE TABLE scorm_folds (
  enrolment_id uuid PRIMARY KEY REFERENCES elearning_enrolments(id),
  basis text NOT NULL,
  commits_high_water bigint NOT NULL,
  commits_folded integer NOT NULL,
  ignored_invalid integer NOT NULL,
  ignored_unlaunched integer NOT NULL,
  ignored_outside_validity integer NOT NULL,
  ignored_before_launch integer NOT NULL,
  last_counted_at timestamptz,                                         -- receipt time of the latest counted commit
  completed_at timestamptz,                                            -- when R-ELN-2 and R-ELN-3 first held together
  folded_at timestamptz NOT NULL
);

-- One row per (session, SCO) that commits named; `launched_at` null when no such launch existed
-- at the fold (its commits count as unlaunched; a launch appearing later forces a full re-read).
-- `session_key` is the commit's session id, '' for none (a session id is never empty).
CREATE TABLE scorm_session_folds (
  enrolment_id uuid NOT NULL REFERENCES elearning_enrolments(id),
  session_key text NOT NULL,
  sco_identifier text NOT NULL,
  launched_at timestamptz,
  resume_total_seconds double precision NOT NULL,
  seen integer NOT NULL,                                               -- commits folded into the row, counted or not
  commits integer NOT NULL,                                            -- counted commits
  last_at timestamptz,                                                 -- latest counted commit
  reported_seconds double precision NOT NULL,                          -- largest session_time
  total_max_seconds double precision NOT NULL,                         -- largest total_time
  completed boolean NOT NULL,
  passed boolean NOT NULL,
  best_score double precision,
  PRIMARY KEY (enrolment_id, sco_identifier, session_key)
);

-- The commits stored since a fold, and the count of those before it, from the index alone.
CREATE INDEX scorm_commits_enrolment_id ON scorm_commits (enrolment_id, id);
