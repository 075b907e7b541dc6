-- SCORM launches and derived e-learning outcomes (issue 6 §2, §4).
--
-- `scorm_launches` is evidence, append-only like `scorm_commits`: each time a SCO is loaded the
-- player registers a launch and the server draws the session id, so the server itself saw when
-- the session began (R-ELN-3: observed time runs from the launch to the session's last commit)
-- and a commit naming no launched session proves nothing (a completion for a SCO never launched
-- does not complete the course). `resume` is the run-time state the launch handed back to the
-- player (suspend data, location, statuses, total time), so a resumed session's totals are read
-- against what it started from.
--
-- `elearning_outcomes` is derived: one row per enrolment, replaced by each derivation (R-ELN-2..4),
-- with the reason when nothing is credited. The credits themselves go to `credit_records`
-- (fraction 0, mode of the event, the Rome year of completion) like every other source.

CREATE TABLE scorm_launches (
  session_id text PRIMARY KEY,
  enrolment_id uuid NOT NULL REFERENCES elearning_enrolments(id),
  sco_identifier text NOT NULL,
  launched_at timestamptz NOT NULL,
  client_addr text,
  user_agent text,
  resume jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX scorm_launches_enrolment ON scorm_launches (enrolment_id, launched_at);
-- The SCORM sweep reads the commits of the last minutes (src/store/elearning-outcomes.ts).
CREATE INDEX scorm_commits_received ON scorm_commits (received_at);

CREATE TABLE elearning_outcomes (
  enrolment_id uuid PRIMARY KEY REFERENCES elearning_enrolments(id),
  event_id uuid NOT NULL REFERENCES events(id),
  member_id uuid NOT NULL REFERENCES members(id),
  status text NOT NULL,                                                -- credited | in-progress | not-credited
  reason text NOT NULL,                                                -- stable code (src/domain/elearning-progress.ts)
  rule text NOT NULL,
  credits integer NOT NULL,
  credited_seconds integer NOT NULL,
  required_seconds integer,
  completed_at timestamptz,                                            -- when R-ELN-2 and R-ELN-3 first held together
  explanation jsonb NOT NULL,
  commits_high_water bigint NOT NULL,                                  -- last scorm_commits.id read
  derived_at timestamptz NOT NULL
);
CREATE INDEX elearning_outcomes_event ON elearning_outcomes (event_id);
CREATE INDEX elearning_outcomes_member ON elearning_outcomes (member_id);
