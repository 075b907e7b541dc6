-- cmi5 courses (issue 16): a package whose root holds cmi5.xml is stored like a SCORM one
-- (scorm_packages, its files in scorm_files, version 'cmi5', the course structure in `manifest`),
-- and launched per the cmi5 launch protocol (cmi5 §8): a session per launch, its one-time fetch
-- URL and auth token, the xAPI statements its AU sends, and the xAPI state documents
-- (LMS.LaunchData, written by the LMS before the launch, cmi5 §10; and the AU's own).
--
-- `cmi5_statements` is evidence like `scorm_commits` (R-ELN-1): append-only, every statement
-- received is kept with the request body as received, the time received, client address and
-- user agent, accepted or rejected (with the stable code of the cmi5 rule it broke). Statements
-- the LMS itself makes (launched, abandoned, satisfied) are rows of origin 'lms'. Only accepted
-- rows are statements of the LRS (served by GET, counted by derivation).

ALTER TABLE scorm_packages DROP CONSTRAINT IF EXISTS scorm_packages_version_check;
ALTER TABLE scorm_packages ADD CONSTRAINT scorm_packages_version_check CHECK (version IN ('1.2', '2004', 'cmi5'));

CREATE TABLE cmi5_sessions (
  session_id uuid PRIMARY KEY,                                          -- cmi5 §9.6.3.1, drawn by the server
  enrolment_id uuid NOT NULL REFERENCES elearning_enrolments(id),       -- the registration (cmi5 §9.6.1) is the enrolment id
  package_id uuid NOT NULL REFERENCES scorm_packages(id),
  au_id text NOT NULL,                                                  -- the publisher's AU id (cmi5 §13.1.4)
  activity_id text NOT NULL,                                            -- the LMS-generated one (cmi5 §8.1.5)
  actor jsonb NOT NULL,                                                 -- the launch's actor (cmi5 §8.1.3, §9.2)
  launch_mode text NOT NULL CHECK (launch_mode IN ('Normal', 'Browse', 'Review')),
  launched_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,                                      -- the launch token's expiry: the fetch URL and auth token end with it
  client_addr text,
  user_agent text,
  auth_token_sha256 text UNIQUE,                                        -- set once, when the fetch URL answers the token (cmi5 §8.2)
  token_fetched_at timestamptz,
  terminated_at timestamptz,                                            -- receipt of its accepted terminated statement
  abandoned_at timestamptz                                              -- a later launch of the registration abandoned it (cmi5 §9.3.6)
);
CREATE INDEX cmi5_sessions_enrolment ON cmi5_sessions (enrolment_id, launched_at);

CREATE TABLE cmi5_statements (
  id bigserial PRIMARY KEY,
  statement_id uuid,                                                    -- the statement's id (null when it had none or not a UUID)
  enrolment_id uuid NOT NULL REFERENCES elearning_enrolments(id),
  session_id uuid REFERENCES cmi5_sessions(session_id),
  origin text NOT NULL CHECK (origin IN ('au', 'lms')),
  received_at timestamptz NOT NULL,
  client_addr text,
  user_agent text,
  body bytea NOT NULL,                                                  -- the request body, unaltered (a batch: the whole array, each statement a row)
  batch_index integer,                                                  -- position in a batch body; null for a single statement
  statement jsonb,                                                      -- the statement as parsed; null when the body is not JSON
  verb text,
  kind text CHECK (kind IN ('defined', 'allowed')),                     -- cmi5 §7.1.3, of an accepted AU statement
  stamped_at timestamptz,                                               -- the statement's own timestamp (cmi5 §9.7)
  duration_seconds double precision,                                    -- result.duration
  accepted boolean NOT NULL,
  rejection jsonb                                                       -- {code, section, detail} when not accepted
);
CREATE INDEX cmi5_statements_enrolment ON cmi5_statements (enrolment_id, id);
CREATE INDEX cmi5_statements_session ON cmi5_statements (session_id, id);
CREATE UNIQUE INDEX cmi5_statements_accepted_id ON cmi5_statements (statement_id) WHERE accepted;
CREATE INDEX cmi5_statements_received ON cmi5_statements (received_at);

-- xAPI state documents (cmi5 §10), one per registration, activity and state id. The agent is the
-- launch's actor (one per registration), so it is not a key.
CREATE TABLE cmi5_state (
  enrolment_id uuid NOT NULL REFERENCES elearning_enrolments(id),
  activity_id text NOT NULL,
  state_id text NOT NULL,
  content_type text NOT NULL,
  document bytea NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (enrolment_id, activity_id, state_id)
);
