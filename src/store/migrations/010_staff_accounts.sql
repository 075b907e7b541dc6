-- Staff accounts, their sign-in and their sessions (issue 14): the people of a provider's office,
-- of a provincial council (CPO), of the national council (CN) and the operators (admin), with a
-- role and a subject exactly like API keys (organiser id, province code, none).
--
-- Secrets are never stored as such: passwords as Argon2id hashes, invitation links, session ids
-- and recovery codes as SHA-256 of 128 bits or more of randomness. The TOTP seed must be read
-- back to check a code, so it is stored as the seed itself; the database is the system of record
-- and its backups are protected like it (README, "Staff accounts").
--
-- `staff_audit` is append-only, like the evidence: every sign-in, failure, lockout, invitation,
-- password or second-factor change and sign-out, with the address and the browser it came from.

CREATE TABLE staff_users (
  id uuid PRIMARY KEY,
  email text NOT NULL,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('organiser', 'cpo', 'cn', 'admin')),
  subject text,                                                        -- organiser id or province
  password_hash text,                                                  -- null until the invitation is used
  totp_secret text,                                                    -- base32; null when not enrolled
  totp_pending_secret text,                                            -- a new seed waiting for its first code
  totp_enabled_at timestamptz,
  totp_last_step bigint,                                               -- a code is accepted once (no replay)
  failed_signins int NOT NULL DEFAULT 0,                               -- consecutive failures (R-ACC-4)
  locked_until timestamptz,
  oidc_issuer text,
  oidc_subject text,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,                                            -- actor ref of who invited
  disabled_at timestamptz,
  CHECK ((role IN ('cn', 'admin')) = (subject IS NULL))
);
CREATE UNIQUE INDEX staff_users_email ON staff_users (lower(email));
CREATE UNIQUE INDEX staff_users_oidc ON staff_users (oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;

-- One-time links: an invitation (set the first password) or a reset. Only the hash is kept.
CREATE TABLE staff_tokens (
  token_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES staff_users(id),
  purpose text NOT NULL CHECK (purpose IN ('invitation', 'reset')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX staff_tokens_user ON staff_tokens (user_id);

CREATE TABLE staff_recovery_codes (
  user_id uuid NOT NULL REFERENCES staff_users(id),
  code_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (user_id, code_hash)
);

-- Server-side sessions: the cookie holds a random id, the table its hash. `second_factor_at` is
-- null while a session waits for its TOTP code (or for the enrolment its role requires).
CREATE TABLE staff_sessions (
  id_hash text PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES staff_users(id),
  created_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,                                     -- absolute expiry
  second_factor_at timestamptz,
  revoked_at timestamptz,
  client_addr text,
  user_agent text
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id) WHERE revoked_at IS NULL;

CREATE TABLE staff_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  user_id uuid REFERENCES staff_users(id),
  event text NOT NULL,
  actor text,                                                          -- who did it, when not the user
  client_addr text,
  user_agent text,
  detail jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX staff_audit_user ON staff_audit (user_id, at);
