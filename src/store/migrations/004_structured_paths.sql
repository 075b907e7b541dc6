-- Structured paths (R-EVT-6) and credit records per year.
--
-- `structured_path`: the event is a structured path; its sessions are the fractions, and a
-- session with full scientific autonomy carries `"autonomous": true` in `fractions`.
ALTER TABLE events ADD COLUMN structured_path boolean NOT NULL DEFAULT false;

-- A path spanning two years is credited as one record per Rome year (R-EVT-6, R-CAL-2/4), both
-- with fraction 0: the year joins the key. Every other event has one year per (member, event,
-- fraction), so its records are unchanged.
ALTER TABLE credit_records DROP CONSTRAINT credit_records_pkey;
ALTER TABLE credit_records ADD PRIMARY KEY (member_id, event_id, fraction, year);
