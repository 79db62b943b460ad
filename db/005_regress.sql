-- Migration 5: tpc regress.  One regress_runs row per regress run (the
-- baseline it compared with and the outcome), one regress_steps row per step
-- of its fixed set (the bounds, rate or bench run the step made, and the
-- baseline's run it was compared with), one regress_items row per difference
-- found (reports/diff.h).  Columns are documented in db/README.md.
CREATE TABLE regress_runs (
  run_id          INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  baseline        TEXT NOT NULL,
  baseline_commit TEXT,
  timings         TEXT NOT NULL CHECK (timings IN ('gate', 'warn')),
  threshold       REAL NOT NULL,
  updated         INTEGER NOT NULL DEFAULT 0 CHECK (updated IN (0, 1)),
  matched         INTEGER,
  only_baseline   INTEGER,
  only_current    INTEGER,
  fails           INTEGER,
  warns           INTEGER
);

CREATE TABLE regress_steps (
  run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step         INTEGER NOT NULL,
  command      TEXT NOT NULL,
  step_run     INTEGER REFERENCES runs (id) ON DELETE SET NULL,
  baseline_run INTEGER,
  PRIMARY KEY (run_id, step)
);

CREATE TABLE regress_items (
  run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  seq      INTEGER NOT NULL,
  area     TEXT NOT NULL,
  result   TEXT NOT NULL,
  quantity TEXT NOT NULL,
  baseline TEXT,
  current  TEXT,
  detail   TEXT,
  level    TEXT NOT NULL CHECK (level IN ('info', 'warn', 'fail')),
  PRIMARY KEY (run_id, seq)
);
