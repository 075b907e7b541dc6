-- Foundation: registry, keys, evidence (append-only), derived attendance and credits.

CREATE TABLE organisers (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('a', 'b', 'c', 'd', 'e')),      -- R-EVT-2
  province text,                                                       -- kind a: the CPO's province
  authorisation_number text,                                           -- kind e
  authorised_from date,
  authorised_until date,
  allowed_modes text[] NOT NULL DEFAULT '{}',
  allowed_subjects text[] NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE members (
  id uuid PRIMARY KEY,
  codice_fiscale text NOT NULL UNIQUE,
  surname text NOT NULL,
  given_name text NOT NULL,
  province text NOT NULL,
  register_number text NOT NULL,
  birth_date date NOT NULL,
  registration_date date NOT NULL,
  email text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (province, register_number)
);

CREATE TABLE events (
  id uuid PRIMARY KEY,
  organiser_id uuid NOT NULL REFERENCES organisers(id),
  cpo_province text NOT NULL,                                          -- accrediting CPO (R-EVT-1)
  title text NOT NULL,
  mode text NOT NULL,
  venue_province text,
  speakers jsonb NOT NULL DEFAULT '[]',
  topics jsonb NOT NULL,
  start_at timestamptz NOT NULL,
  end_at timestamptz NOT NULL,
  credits integer NOT NULL,
  fractionable boolean NOT NULL DEFAULT false,
  fractions jsonb,
  tolerance_minutes integer NOT NULL,
  region_wide boolean NOT NULL DEFAULT false,
  platform text,
  platform_meeting_id text,
  accreditation_status text NOT NULL,                                  -- requested | approved | rejected (R-EVT-3)
  accreditation_requested_at timestamptz NOT NULL,
  accreditation_decided_at timestamptz,
  accreditation_reference text,
  closed_at timestamptz,                                               -- R-EVT-7
  closed_by text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_organiser ON events (organiser_id);
CREATE INDEX events_cpo ON events (cpo_province);
CREATE UNIQUE INDEX events_platform_meeting ON events (organiser_id, platform, platform_meeting_id)
  WHERE platform_meeting_id IS NOT NULL;

-- Tolerance set by the CPO after the event (R-ATT-2), kept as history.
CREATE TABLE tolerance_changes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events(id),
  old_minutes integer NOT NULL,
  new_minutes integer NOT NULL,
  reason text NOT NULL,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE registrations (
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events(id),
  member_id uuid NOT NULL REFERENCES members(id),
  registrant_id text,
  email text,                                                          -- lower case
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (event_id, member_id)
);
CREATE UNIQUE INDEX registrations_registrant ON registrations (event_id, registrant_id) WHERE registrant_id IS NOT NULL;
CREATE UNIQUE INDEX registrations_email ON registrations (event_id, email) WHERE email IS NOT NULL;

CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('platform', 'organiser', 'cpo', 'cn', 'admin')),
  subject text,                                                        -- organiser id or province
  label text NOT NULL,
  key_hash text NOT NULL UNIQUE,                                       -- sha-256 of the key
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);

-- Platform connections whose webhooks are signed with a shared secret (Zoom).
CREATE TABLE platform_connections (
  id uuid PRIMARY KEY,
  organiser_id uuid NOT NULL REFERENCES organisers(id),
  platform text NOT NULL,
  secret text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Every HTTP delivery of tracking data, byte for byte (R-ATT-1; the auditor can re-verify).
CREATE TABLE deliveries (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL,
  received_at timestamptz NOT NULL,
  client_addr text,
  headers jsonb NOT NULL,
  body bytea NOT NULL,
  verification jsonb
);

-- The evidence: append-only. Never updated, never deleted (ARCHITECTURE principle 1).
CREATE TABLE tracking_records (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL REFERENCES events(id),
  source text NOT NULL,                                                -- api:<key id> | zoom:<connection> | correction | upload
  source_record_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('join', 'leave', 'meeting-end')),
  occurred_at timestamptz NOT NULL,
  registrant_id text,
  participant_user_id text,
  email text,
  display_name text,
  connection_id text,
  member_id uuid,                                                      -- corrections name the member directly
  raw jsonb NOT NULL,                                                  -- the record as received
  delivery_id bigint REFERENCES deliveries(id),
  received_at timestamptz NOT NULL,
  client_addr text,
  author text,                                                         -- corrections and uploads
  reason text,
  UNIQUE (event_id, source, source_record_id)                          -- a redelivery is stored once
);
CREATE INDEX tracking_records_received ON tracking_records (received_at);

-- Derived: one outcome per participant and event (R-ATT-9).
CREATE TABLE attendance_outcomes (
  event_id uuid NOT NULL REFERENCES events(id),
  participant_key text NOT NULL,
  member_id uuid,
  status text NOT NULL,            -- credited | not-qualified | incomplete | unmatched | out-of-audience | identity-conflict
  covered_minutes integer NOT NULL,
  absent_minutes integer NOT NULL,
  tolerance_minutes integer NOT NULL,
  credits integer NOT NULL,
  explanation jsonb NOT NULL,
  derived_at timestamptz NOT NULL,
  PRIMARY KEY (event_id, participant_key)
);
CREATE INDEX attendance_outcomes_member ON attendance_outcomes (member_id) WHERE member_id IS NOT NULL;

-- Derived: credits per member, event and fraction (0 = the whole event). Idempotent upserts.
CREATE TABLE credit_records (
  member_id uuid NOT NULL REFERENCES members(id),
  event_id uuid NOT NULL REFERENCES events(id),
  fraction integer NOT NULL,
  credits integer NOT NULL,
  deontology_credits integer NOT NULL,
  mode text NOT NULL,
  year integer NOT NULL,
  status text NOT NULL,                                                -- granted | pending (R-QST-1)
  derived_at timestamptz NOT NULL,
  PRIMARY KEY (member_id, event_id, fraction)
);
CREATE INDEX credit_records_event ON credit_records (event_id);

-- Each derivation that changed an outcome: old, new, why (R-POL-2).
CREATE TABLE outcome_audit (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL,
  participant_key text NOT NULL,
  member_id uuid,
  old jsonb,
  new jsonb,
  cause text NOT NULL,
  derivation_id bigint NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX outcome_audit_event ON outcome_audit (event_id, id);

CREATE TABLE derivations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id uuid NOT NULL,
  cause text NOT NULL,                                                 -- what changed since the previous derivation
  inputs jsonb NOT NULL,                                               -- tolerance, evidence high water, closed, corrections
  evidence_high_water bigint NOT NULL,
  participants integer NOT NULL,
  changed integer NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL
);
CREATE INDEX derivations_event ON derivations (event_id, id);
