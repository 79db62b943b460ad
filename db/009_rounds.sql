-- Migration 9: bench rounds (THEORY.md T-BENCH).  A case is timed in R
-- rounds, each with fresh allocations and its own floors: bench_rounds holds
-- one row per (case, round); bench_samples.round says which round a sample
-- belongs to (NULL for runs stored before: they read as one round).
-- bench_cases gains the round-level interval of the median and of the ratio
-- to the floor, the spread across rounds, and the instructions per call of
-- an instrumented run.  Columns are documented in db/README.md.
ALTER TABLE bench_env ADD COLUMN rounds INTEGER;
ALTER TABLE bench_env ADD COLUMN instrument TEXT;
ALTER TABLE bench_samples ADD COLUMN round INTEGER;
ALTER TABLE bench_cases ADD COLUMN rounds INTEGER;
ALTER TABLE bench_cases ADD COLUMN round_lo_ns REAL;
ALTER TABLE bench_cases ADD COLUMN round_hi_ns REAL;
ALTER TABLE bench_cases ADD COLUMN ratio_lo REAL;
ALTER TABLE bench_cases ADD COLUMN ratio_hi REAL;
ALTER TABLE bench_cases ADD COLUMN round_cv REAL;
ALTER TABLE bench_cases ADD COLUMN instructions REAL;

CREATE TABLE bench_rounds (
  run_id    INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  case_id   INTEGER NOT NULL REFERENCES bench_cases (id) ON DELETE CASCADE,
  round     INTEGER NOT NULL,
  iters     INTEGER,
  nsamples  INTEGER NOT NULL,
  median_ns REAL,
  floor_ns  REAL,
  PRIMARY KEY (case_id, round)
);

CREATE INDEX bench_rounds_run ON bench_rounds (run_id);
