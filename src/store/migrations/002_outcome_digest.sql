-- A digest of each outcome as derived (figures and explanation): a re-derivation rewrites only
-- the outcomes whose digest changed. NULL (rows derived before this column) counts as changed.
ALTER TABLE attendance_outcomes ADD COLUMN digest text;
