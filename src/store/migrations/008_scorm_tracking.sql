-- SCORM tracking (issue 6 §2, §3): who is enrolled in an e-learning course, and every commit the
-- SCORM runtime (scorm-again) sent for an enrolment, as received (R-ELN-1).
--
-- `scorm_commits` is evidence: append-only, never updated or deleted. The body is kept byte for
-- byte with the time received, the client address and the user agent; `parsed` and `valid` /
-- `errors` are what the gateway read from it at receipt (an invalid commit is kept and flagged,
-- never dropped). A replayed commit is a second row: derivation (issue 6 §4) must not count it
-- twice.

CREATE TABLE elearning_enrolments (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events(id),
  member_id uuid NOT NULL REFERENCES members(id),
  enrolled_at timestamptz NOT NULL,
  enrolled_by text NOT NULL,                                           -- role:key id
  UNIQUE (event_id, member_id)
);
CREATE INDEX elearning_enrolments_member ON elearning_enrolments (member_id);

CREATE TABLE scorm_commits (
  id bigserial PRIMARY KEY,
  enrolment_id uuid NOT NULL REFERENCES elearning_enrolments(id),
  sco_identifier text NOT NULL,
  session_id text,                                                      -- as the player passed it (`session=`), if any
  received_at timestamptz NOT NULL,
  client_addr text,
  user_agent text,
  content_type text,
  body bytea NOT NULL,                                                  -- unaltered
  parsed jsonb,                                                         -- the body as JSON; null when it is not JSON
  valid boolean NOT NULL,
  errors jsonb NOT NULL DEFAULT '[]'::jsonb                             -- [{path, message}] when not valid
);
CREATE INDEX scorm_commits_enrolment ON scorm_commits (enrolment_id, sco_identifier, received_at);
