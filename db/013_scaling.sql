-- Migration 12 (scaling): the measured scaling laws of THEORY.md T12
-- (`tpc rate --scaling kappa|omega`).  Each run is a rate_checks row
-- (experiment 'scaling', label 'kappa=...' or 'omega=...'); a run stopped
-- at f(x^t) - f* <= eps (f(x^0) - f*) has stop 'f', so rate_trajectories is
-- rebuilt to widen its CHECK by SQLite's procedure (foreign keys off:
-- src/store/store.c), every row and id kept.  scaling_points holds the bits
-- to eps of each (method, value), scaling_fits the fitted slopes.
-- Columns are documented in db/README.md.
CREATE TABLE rate_trajectories_new (
  id            INTEGER PRIMARY KEY,
  check_id      INTEGER NOT NULL REFERENCES rate_checks (id) ON DELETE CASCADE,
  role          TEXT NOT NULL CHECK (role IN ('rep', 'slack')),
  rep           INTEGER NOT NULL,
  mult          REAL,
  gamma         REAL NOT NULL,
  stop          TEXT NOT NULL
                CHECK (stop IN ('T', 'eps', 'bits', 'diverged', 'cancelled', 'f')),
  iters         INTEGER NOT NULL,
  record_every  INTEGER NOT NULL,
  sum_gnorm2    REAL,
  converged     INTEGER CHECK (converged IN (0, 1)),
  seconds       REAL
);
INSERT INTO rate_trajectories_new SELECT * FROM rate_trajectories;
DROP TABLE rate_trajectories;
ALTER TABLE rate_trajectories_new RENAME TO rate_trajectories;
CREATE INDEX rate_trajectories_check ON rate_trajectories (check_id);

CREATE TABLE scaling_points (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  family        TEXT NOT NULL,
  problem       TEXT NOT NULL,
  method        TEXT NOT NULL,
  method_arg    TEXT NOT NULL,
  variable      TEXT NOT NULL CHECK (variable IN ('kappa', 'omega')),
  value         REAL NOT NULL,
  kappa         REAL NOT NULL,
  omega         REAL,
  gamma         REAL NOT NULL,
  step_rule     TEXT NOT NULL CHECK (step_rule IN ('theorem', 'grid')),
  theorem       TEXT,
  mult          REAL,
  reached       INTEGER NOT NULL CHECK (reached IN (0, 1)),
  iters         INTEGER NOT NULL,
  bits_up       REAL,
  bits_down     REAL,
  bits_total    REAL,
  bits_up_paper    REAL,
  bits_down_paper  REAL,
  bits_total_paper REAL,
  check_id      INTEGER REFERENCES rate_checks (id) ON DELETE SET NULL
);
CREATE INDEX scaling_points_run ON scaling_points (run_id);

CREATE TABLE scaling_fits (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  method        TEXT NOT NULL,
  variable      TEXT NOT NULL CHECK (variable IN ('kappa', 'omega')),
  bits          TEXT NOT NULL
                CHECK (bits IN ('total', 'up', 'down', 'total_paper')),
  npoints       INTEGER NOT NULL,
  intercept     REAL,
  slope         REAL,
  lo            REAL,
  hi            REAL,
  prediction    REAL,
  prediction_rule TEXT NOT NULL,
  formula_slope REAL,
  verdict       TEXT NOT NULL CHECK (verdict IN ('consistent', 'differs', 'inconclusive'))
);
CREATE INDEX scaling_fits_run ON scaling_fits (run_id);
