-- Single sign-on (issue 14, R-ACC-8): a login begun at the identity provider, waiting for the
-- browser to come back to the callback. The browser holds a random id in a short-lived cookie,
-- the table its SHA-256 with the PKCE code verifier, the state, the nonce and the console page to
-- go to afterwards; a login is used once (`used_at`), so a replayed callback finds nothing.
CREATE TABLE staff_oidc_logins (
  id_hash text PRIMARY KEY,
  state text NOT NULL,
  nonce text NOT NULL,
  code_verifier text NOT NULL,
  next_path text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX staff_oidc_logins_expiry ON staff_oidc_logins (expires_at);
