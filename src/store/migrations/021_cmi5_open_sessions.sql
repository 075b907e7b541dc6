-- Issue 16, cmi5: the sessions still open (neither terminated nor abandoned), by when their launch
-- expires: what the SCORM worker's sweep abandons once the launch has expired (cmi5 §9.3.6), read
-- every minute without scanning every session ever launched.
CREATE INDEX cmi5_sessions_open ON cmi5_sessions (expires_at) WHERE terminated_at IS NULL AND abandoned_at IS NULL;
