-- Member balance (issue 5): transfers, distance grants and CN alerts, art. 9 declarations,
-- debt requests, reductions of the obligation, CPO policy versions. Balances themselves are
-- derived on read from these rows and credit_records (ARCHITECTURE principle 3).

-- Where a member was registered, and since when (R-FAD-4: a grant follows a member who moves).
CREATE TABLE member_transfers (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  member_id uuid NOT NULL REFERENCES members(id),
  from_province text NOT NULL,
  to_province text NOT NULL,
  transferred_on date NOT NULL,                                        -- first day in the new province
  recorded_by text NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_transfers_member ON member_transfers (member_id, transferred_on);
CREATE INDEX member_transfers_from ON member_transfers (from_province);

-- Raised distance-learning percentages (R-FAD-3), each dated, with its legal basis.
CREATE TABLE distance_grants (
  id uuid PRIMARY KEY,
  scope text NOT NULL CHECK (scope IN ('member', 'group', 'province', 'national')),
  province text,                                                       -- the granting CPO's province; NULL for the CN
  ground text NOT NULL,                                                -- request | parenthood | employment | geography | province | national
  pct integer NOT NULL CHECK (pct BETWEEN 0 AND 100),
  deliberation text NOT NULL,
  cn_opinion text,                                                     -- province-wide grants of a CPO: the CN's binding opinion
  valid_from date NOT NULL,
  valid_until date NOT NULL,
  granted_by text NOT NULL,                                            -- role:key id
  granted_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by text,
  revoke_reason text,
  CHECK (valid_until >= valid_from)
);
CREATE INDEX distance_grants_province ON distance_grants (province) WHERE revoked_at IS NULL;
CREATE INDEX distance_grants_national ON distance_grants (scope) WHERE scope = 'national' AND revoked_at IS NULL;

CREATE TABLE distance_grant_members (
  grant_id uuid NOT NULL REFERENCES distance_grants(id),
  member_id uuid NOT NULL REFERENCES members(id),
  PRIMARY KEY (grant_id, member_id)
);
CREATE INDEX distance_grant_members_member ON distance_grant_members (member_id);

-- Alerts addressed to the CN (R-FAD-3: every CPO change of a distance pct).
CREATE TABLE cn_alerts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  province text,
  subject_id uuid,
  detail jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by text
);
CREATE INDEX cn_alerts_open ON cn_alerts (id) WHERE acknowledged_at IS NULL;

-- Files a member attaches (art. 9 attestations, reduction documents). Kept as received.
CREATE TABLE member_documents (
  id uuid PRIMARY KEY,
  member_id uuid NOT NULL REFERENCES members(id),
  name text NOT NULL,
  content_type text NOT NULL,
  size integer NOT NULL,
  sha256 text NOT NULL,
  body bytea NOT NULL,
  uploaded_at timestamptz NOT NULL
);
CREATE INDEX member_documents_member ON member_documents (member_id);

-- Art. 9 activities declared by the member, validated by the CPO (R-ART9-3).
CREATE TABLE art9_declarations (
  id uuid PRIMARY KEY,
  member_id uuid NOT NULL REFERENCES members(id),
  province text NOT NULL,                                              -- the member's CPO when filed
  activity text NOT NULL,
  quantity integer NOT NULL CHECK (quantity > 0),
  activity_date date NOT NULL,
  description text NOT NULL,
  document_id uuid NOT NULL REFERENCES member_documents(id),
  filed_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('submitted', 'validated', 'rejected')),
  decided_at timestamptz,
  decided_by text,
  decision_reason text
);
CREATE INDEX art9_declarations_member ON art9_declarations (member_id);
CREATE INDEX art9_declarations_province ON art9_declarations (province, status);

-- Debt recovery requests (R-DEBT-1/2): one live request per member and biennium.
CREATE TABLE debt_requests (
  id uuid PRIMARY KEY,
  member_id uuid NOT NULL REFERENCES members(id),
  province text NOT NULL,
  biennium integer NOT NULL,
  total integer NOT NULL,
  deontology integer NOT NULL,
  filed_on date NOT NULL,
  filed_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('filed', 'accepted', 'rejected')),
  decided_at timestamptz,
  decided_by text,
  decision_reason text
);
CREATE UNIQUE INDEX debt_requests_live ON debt_requests (member_id, biennium) WHERE status <> 'rejected';
CREATE INDEX debt_requests_province ON debt_requests (province, status);

-- Reduction requests (R-RED-7), one per cause; the timeline keeps every step.
CREATE TABLE reduction_requests (
  id uuid PRIMARY KEY,
  member_id uuid NOT NULL REFERENCES members(id),
  province text NOT NULL,
  biennium integer NOT NULL,
  cause text NOT NULL,
  input jsonb NOT NULL,
  computed jsonb NOT NULL,                                             -- the calculator's result at filing
  filed_on date NOT NULL,
  filed_at timestamptz NOT NULL,
  filing jsonb NOT NULL,                                               -- R-RED-8 window check at filing
  status text NOT NULL,                                                -- filed | acknowledged | pre-denied | integrated | approved | denied | appealed
  protocol_number text,
  officer text,
  pre_denial_reasons text,
  integration_deadline date,
  decision_deadline date,
  decision jsonb,                                                      -- approved: reduction, split, validity; denied: reasons
  decided_at timestamptz,
  decided_by text,
  notified_on date,
  appeal_deadline date,
  appeal jsonb,
  updated_at timestamptz NOT NULL
);
CREATE INDEX reduction_requests_member ON reduction_requests (member_id);
CREATE INDEX reduction_requests_province ON reduction_requests (province, status);
CREATE UNIQUE INDEX reduction_requests_protocol ON reduction_requests (province, protocol_number) WHERE protocol_number IS NOT NULL;

CREATE TABLE reduction_documents (
  request_id uuid NOT NULL REFERENCES reduction_requests(id),
  document_id uuid NOT NULL REFERENCES member_documents(id),
  stage text NOT NULL CHECK (stage IN ('filing', 'integration')),
  PRIMARY KEY (request_id, document_id)
);

CREATE TABLE reduction_steps (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id uuid NOT NULL REFERENCES reduction_requests(id),
  action text NOT NULL,
  from_status text,
  to_status text NOT NULL,
  actor text NOT NULL,
  detail jsonb NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX reduction_steps_request ON reduction_steps (request_id, id);

-- A CPO's policy: a profile and overrides; every change is a new dated, attributed version (R-POL-1).
CREATE TABLE cpo_policies (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  province text NOT NULL,
  profile text NOT NULL,
  overrides jsonb NOT NULL,
  reason text NOT NULL,
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL
);
CREATE INDEX cpo_policies_province ON cpo_policies (province, id DESC);
