-- Migration 8: the process that runs a run, so that a run whose process is
-- gone shows as abandoned; and the settings --resume compares, so that an
-- interrupted run can be continued.  Columns are documented in db/README.md.
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN pid_start INTEGER;
ALTER TABLE runs ADD COLUMN boot_id TEXT;
ALTER TABLE runs ADD COLUMN settings TEXT;
ALTER TABLE runs ADD COLUMN resumed INTEGER NOT NULL DEFAULT 0;
