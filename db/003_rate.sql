-- Migration 3: tpc rate.  One rate_checks row per (problem, method) check,
-- one rate_trajectories row per Algorithm 1 run, one rate_points row per
-- recorded iteration; rate_best summarizes the experiments (best step
-- multiplier per method or cell).  Columns are documented in db/README.md.
CREATE TABLE rate_checks (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  experiment    TEXT,
  label         TEXT,
  problem       TEXT NOT NULL,
  method        TEXT NOT NULL,
  server        TEXT,
  d             INTEGER NOT NULL,
  n             INTEGER NOT NULL,
  Lminus        REAL,
  Lminus_kind   TEXT,
  Lplus         REAL,
  Lplus_kind    TEXT,
  Lpm           REAL,
  Lpm_kind      TEXT,
  mu            REAL,
  mu_kind       TEXT,
  finf          REAL,
  finf_kind     TEXT,
  ineq          TEXT,
  A             REAL,
  B             REAL,
  deterministic INTEGER CHECK (deterministic IN (0, 1)),
  check_kind    TEXT NOT NULL CHECK (check_kind IN ('theorem1', 'pl', 'none')),
  x0            TEXT NOT NULL,
  init          TEXT NOT NULL,
  T             INTEGER NOT NULL,
  reps          INTEGER NOT NULL,
  eps           REAL,
  bits_budget   INTEGER,
  gamma_theory  REAL,
  mult          REAL,
  gamma         REAL NOT NULL,
  delta0        REAL,
  G0            REAL,
  bound         REAL,
  measured      REAL,
  ucb           REAL,
  ratio         REAL,
  confidence    REAL,
  verdict       TEXT NOT NULL
                CHECK (verdict IN ('pass', 'violated', 'inconclusive', 'n/a')),
  note          TEXT,
  slack         INTEGER
);

CREATE INDEX rate_checks_run ON rate_checks (run_id);

CREATE TABLE rate_trajectories (
  id            INTEGER PRIMARY KEY,
  check_id      INTEGER NOT NULL REFERENCES rate_checks (id) ON DELETE CASCADE,
  role          TEXT NOT NULL CHECK (role IN ('rep', 'slack')),
  rep           INTEGER NOT NULL,
  mult          REAL,
  gamma         REAL NOT NULL,
  stop          TEXT NOT NULL
                CHECK (stop IN ('T', 'eps', 'bits', 'diverged', 'cancelled')),
  iters         INTEGER NOT NULL,
  record_every  INTEGER NOT NULL,
  sum_gnorm2    REAL,
  converged     INTEGER CHECK (converged IN (0, 1)),
  seconds       REAL
);

CREATE INDEX rate_trajectories_check ON rate_trajectories (check_id);

CREATE TABLE rate_points (
  trajectory_id INTEGER NOT NULL REFERENCES rate_trajectories (id) ON DELETE CASCADE,
  t             INTEGER NOT NULL,
  f             REAL,
  gnorm2        REAL,
  G             REAL,
  bits_up       INTEGER NOT NULL,
  bits_up_paper INTEGER NOT NULL,
  bits_down     INTEGER NOT NULL,
  PRIMARY KEY (trajectory_id, t)
) WITHOUT ROWID;

CREATE TABLE rate_best (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  experiment    TEXT NOT NULL,
  panel         TEXT,
  method        TEXT NOT NULL,
  K             INTEGER,
  zeta          REAL,
  metric        TEXT NOT NULL CHECK (metric IN ('bits_to_eps', 'final_gnorm2')),
  best_mult     REAL,
  best_gamma    REAL,
  trajectory_id INTEGER REFERENCES rate_trajectories (id) ON DELETE SET NULL,
  reached       INTEGER CHECK (reached IN (0, 1)),
  value         REAL,
  bits_up_per_client       REAL,
  bits_up_paper_per_client REAL,
  iters         INTEGER
);

CREATE INDEX rate_best_run ON rate_best (run_id);
