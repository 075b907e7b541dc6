-- Background jobs of the council's verification (issue 15, R-VER-11 … R-VER-13): a run of a large
-- province, or the CSV/xlsx export of a version, asked for in the console and done by the
-- verification worker. The row is the system of record (the BullMQ job only carries its id): its
-- status and progress for the person's progress page, who asked, what came of it, and for an
-- export the file itself, in chunks, so any gateway instance can serve it.
CREATE TABLE verification_jobs (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('run', 'export')),
  province text NOT NULL,
  biennium integer NOT NULL,
  phase text NOT NULL CHECK (phase IN ('february', 'june')),
  -- An export's version, pinned when it is asked for; null for a run.
  version integer,
  format text CHECK (format IN ('csv', 'xlsx')),
  -- Who asked: the actor the worker acts as ({role, subject, userId}), its audit ref, the account.
  actor jsonb NOT NULL,
  requested_by text NOT NULL,
  user_id uuid NOT NULL,
  requested_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'expired')),
  -- Starts of the job so far (a worker that died mid-way counts too).
  attempts integer NOT NULL DEFAULT 0,
  stage text,
  done integer NOT NULL DEFAULT 0,
  total integer,
  updated_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  result jsonb,
  -- {code, detail}: why it failed (a problem code, or job-interrupted / job-error); the page says it in Italian.
  error jsonb,
  -- The attempt whose chunks are the file, once done; the file is deleted when it expires.
  file_attempt integer,
  file_bytes bigint,
  expires_at timestamptz
);
CREATE INDEX verification_jobs_user ON verification_jobs (user_id, requested_at DESC);
CREATE INDEX verification_jobs_open ON verification_jobs (status) WHERE status IN ('queued', 'running');
-- One open job per person and thing asked for: asking again while it waits or runs gives it back.
CREATE UNIQUE INDEX verification_jobs_one_open ON verification_jobs (user_id, kind, province, biennium, phase, (coalesce(version, 0)), (coalesce(format, '')))
  WHERE status IN ('queued', 'running');

-- An export's file in pieces of about 256 KiB, written as the worker streams it; each attempt
-- writes its own, and the finished attempt's pieces are the file.
CREATE TABLE verification_export_chunks (
  job_id uuid NOT NULL REFERENCES verification_jobs (id) ON DELETE CASCADE,
  attempt integer NOT NULL,
  seq integer NOT NULL,
  bytes bytea NOT NULL,
  PRIMARY KEY (job_id, attempt, seq)
);
