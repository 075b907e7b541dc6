-- Issue 16: the accrediting council's review of an e-learning course (FAD guidelines: the
-- provider lets the council see the course it accredits). A review is opened by a person or a key
-- of the CPO, the CN or an admin, on the course's current package; each module it opens is a
-- launch of its own, in SCORM `browse` mode and `no-credit`. Nothing of it is evidence of a
-- member's attendance: no enrolment, no commit stored, never derived; the commits received are
-- only counted, to list what the review looked at.

CREATE TABLE course_reviews (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events(id),
  package_id uuid NOT NULL REFERENCES scorm_packages(id),
  opened_by text NOT NULL,                                              -- actorRef (R-ACC-7)
  reviewer text NOT NULL,                                               -- the name the content is given (cmi learner name)
  opened_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX course_reviews_event ON course_reviews (event_id, opened_at);

CREATE TABLE course_review_launches (
  session_id text PRIMARY KEY,
  review_id uuid NOT NULL REFERENCES course_reviews(id),
  sco_identifier text NOT NULL,
  launched_at timestamptz NOT NULL,
  client_addr text,
  user_agent text,
  commits integer NOT NULL DEFAULT 0,
  last_commit_at timestamptz
);
CREATE INDEX course_review_launches_review ON course_review_launches (review_id, launched_at);
