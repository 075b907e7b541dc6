-- Passkeys (WebAuthn) of staff accounts (issue 14): a second factor like TOTP (R-ACC-2), bound
-- to the gateway's host name. The public key is stored; the private key never leaves the
-- person's device. `sign_count` detects a cloned authenticator where the device keeps one.
-- A ceremony's challenge is kept on the session that asked for it, used once.

CREATE TABLE staff_passkeys (
  credential_id text PRIMARY KEY,                                      -- base64url
  user_id uuid NOT NULL REFERENCES staff_users(id),
  public_key bytea NOT NULL,
  sign_count bigint NOT NULL DEFAULT 0,
  transports text[] NOT NULL DEFAULT '{}',
  label text NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz
);
CREATE INDEX staff_passkeys_user ON staff_passkeys (user_id);

ALTER TABLE staff_sessions ADD COLUMN webauthn_challenge text;
