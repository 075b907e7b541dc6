-- E-learning and podcast courses (issue 6 §1): the SCORM package of an event, its files as
-- extracted after the zip guard, and the organiser's course declaration (R-ELN-5).
--
-- Files are stored extracted (one row per file), not as the zip: the player (issue 6 §2) serves
-- each file by path with its content type, and what it serves is exactly what the guard checked
-- and inflated once, never a zip re-read at request time. The zip's SHA-256 and size are kept as
-- evidence of what was received.
--
-- Every upload is kept (history); the event's current package is the one not superseded. While
-- nobody is enrolled a new upload supersedes the current one.

CREATE TABLE scorm_packages (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events(id),
  version text NOT NULL CHECK (version IN ('1.2', '2004')),
  manifest jsonb NOT NULL,                                             -- summary: title, SCOs, launch files (src/domain/elearning-compliance.ts)
  sha256 text NOT NULL,                                                -- of the uploaded zip
  size bigint NOT NULL,                                                -- bytes of the uploaded zip
  uncompressed_size bigint NOT NULL,
  file_count integer NOT NULL,
  uploaded_at timestamptz NOT NULL,
  uploaded_by text NOT NULL,                                           -- role:key id
  superseded_at timestamptz
);
CREATE UNIQUE INDEX scorm_packages_current ON scorm_packages (event_id) WHERE superseded_at IS NULL;
CREATE INDEX scorm_packages_event ON scorm_packages (event_id, uploaded_at);

CREATE TABLE scorm_files (
  package_id uuid NOT NULL REFERENCES scorm_packages(id),
  path text NOT NULL,
  content bytea NOT NULL,
  content_type text NOT NULL,
  PRIMARY KEY (package_id, path)
);

-- What the organiser declares and the gateway cannot see in the package (R-ELN-5).
CREATE TABLE elearning_courses (
  event_id uuid PRIMARY KEY REFERENCES events(id),
  declaration jsonb NOT NULL,
  declared_at timestamptz NOT NULL,
  declared_by text NOT NULL
);
