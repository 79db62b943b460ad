-- Migration 14 (identity): whether every call of a checked compressor
-- returned its input unchanged (tpc bounds); a passing one that declares a
-- positive right side is then flagged loose by an infinite factor.  Rows
-- written before it were not checked for this and read 0.  Documented in
-- db/README.md.
ALTER TABLE bounds_specs ADD COLUMN identity_output INTEGER NOT NULL DEFAULT 0
  CHECK (identity_output IN (0, 1));
