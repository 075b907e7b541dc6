-- The post-webinar questionnaire (R-QST): the organiser's pool, one questionnaire per member and
-- event, its attempts with exactly what was served, irregularity reports, the mail outbox and the
-- signing secret of member links.

-- The organiser's 30 scientific questions (R-QST-3). Secret (R-QST-6): only organiser, CPO and CN
-- read this table through the API; members only ever get the served rows of their attempts.
CREATE TABLE questionnaire_questions (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events(id),
  position integer NOT NULL,                                           -- 1..30, as the organiser gave them
  text text NOT NULL,
  options jsonb NOT NULL,                                              -- array of option texts
  correct_option integer NOT NULL,                                     -- index into options
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, position)
);

-- One per member and event (R-QST-2). The state is derived from attempts and the deadline; the
-- stored `status` is what the last decision recorded (open | passed | failed | expired).
CREATE TABLE questionnaires (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events(id),
  member_id uuid NOT NULL REFERENCES members(id),
  created_at_dispatch timestamptz NOT NULL,                            -- when the dispatch created it
  sent_at timestamptz,                                                 -- when the member got the link: the mail left, or the page was first opened
  deadline_at timestamptz,                                             -- R-CAL-3 from sent_at; null until then (the clock has not started)
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'passed', 'failed', 'expired')),
  decided_at timestamptz,
  quality_answers jsonb,                                               -- R-QST-3/9, kept whatever the outcome
  quality_answered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, member_id)
);
CREATE INDEX questionnaires_open_deadline ON questionnaires (deadline_at) WHERE status = 'open';

-- Each attempt stores the served question ids and option orders (R-QST-5/6/7): an auditor can
-- check afterwards that the retry drew 5 unseen questions and what each member was shown.
CREATE TABLE questionnaire_attempts (
  questionnaire_id uuid NOT NULL REFERENCES questionnaires(id),
  number integer NOT NULL CHECK (number IN (1, 2)),
  question_ids jsonb NOT NULL,                                         -- ids in the order shown
  option_orders jsonb NOT NULL,                                        -- per question: pool index at each shown position
  started_at timestamptz NOT NULL,
  submitted_at timestamptz,
  answers jsonb,                                                       -- per question: shown position chosen, or null
  score integer,
  passed boolean,
  client_addr text,
  user_agent text,
  PRIMARY KEY (questionnaire_id, number)
);

-- A member's report of an irregularity, for the accrediting CPO (R-QST-10).
CREATE TABLE questionnaire_reports (
  id uuid PRIMARY KEY,
  questionnaire_id uuid NOT NULL REFERENCES questionnaires(id),
  event_id uuid NOT NULL REFERENCES events(id),
  message text NOT NULL,
  created_at timestamptz NOT NULL,
  client_addr text
);
CREATE INDEX questionnaire_reports_event ON questionnaire_reports (event_id, created_at);

-- Transactional outbox: mails are written in the same transaction as what they announce and sent
-- afterwards by the mail worker; a crash between the two loses nothing.
CREATE TABLE outbox (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,                                                  -- questionnaire-link
  dedup_key text NOT NULL UNIQUE,                                      -- e.g. questionnaire-link:<questionnaire id>
  recipient text,                                                      -- null: no address known (organiser sees it)
  subject text NOT NULL,
  body_text text NOT NULL,
  body_html text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz,
  attempts integer NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

-- Secrets generated once per installation (the key that signs member links when LINK_SECRET is
-- not set), shared by every process on the same database.
CREATE TABLE app_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
