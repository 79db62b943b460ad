-- Migration 11: the theorems of THEORY.md T8 and T9.  check_kind takes any
-- theorem's kind, rate_checks records L_max, mu, omega, alpha, beta, p,
-- rate_best.metric gains 'final_f', rate_points the observables and each
-- check's curve.  A CHECK cannot be altered: both tables are rebuilt by
-- SQLite's procedure (foreign keys off: src/store/store.c).  db/README.md.
CREATE TABLE rate_checks_new (
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
  check_kind    TEXT NOT NULL CHECK (check_kind <> ''),
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
  slack         INTEGER,
  theorem       TEXT,
  Lmax          REAL,
  Lmax_kind     TEXT,
  musc          REAL,
  musc_kind     TEXT,
  omega         REAL,
  alpha         REAL,
  beta          REAL,
  p             REAL
);
-- the old columns in their order (003, then 010's theorem), the new ones NULL
INSERT INTO rate_checks_new SELECT *, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
  FROM rate_checks;
DROP TABLE rate_checks;
ALTER TABLE rate_checks_new RENAME TO rate_checks;
CREATE INDEX rate_checks_run ON rate_checks (run_id);
CREATE INDEX rate_checks_theorem ON rate_checks (theorem);

CREATE TABLE rate_best_new (
  id            INTEGER PRIMARY KEY,
  run_id        INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  experiment    TEXT NOT NULL,
  panel         TEXT,
  method        TEXT NOT NULL,
  K             INTEGER,
  zeta          REAL,
  metric        TEXT NOT NULL CHECK (metric IN ('bits_to_eps', 'final_gnorm2', 'final_f')),
  best_mult     REAL,
  best_gamma    REAL,
  trajectory_id INTEGER REFERENCES rate_trajectories (id) ON DELETE SET NULL,
  reached       INTEGER CHECK (reached IN (0, 1)),
  value         REAL,
  bits_up_per_client       REAL,
  bits_up_paper_per_client REAL,
  iters         INTEGER
);
INSERT INTO rate_best_new SELECT * FROM rate_best;
DROP TABLE rate_best;
ALTER TABLE rate_best_new RENAME TO rate_best;
CREATE INDEX rate_best_run ON rate_best (run_id);

ALTER TABLE rate_points ADD COLUMN bits_down_paper INTEGER;
ALTER TABLE rate_points ADD COLUMN f_x REAL;
ALTER TABLE rate_points ADD COLUMN gnorm2_x REAL;
ALTER TABLE rate_points ADD COLUMN dist2 REAL;
ALTER TABLE rate_points ADD COLUMN f_avg REAL;
ALTER TABLE rate_points ADD COLUMN H REAL;
ALTER TABLE rate_points ADD COLUMN wx2 REAL;
ALTER TABLE rate_points ADD COLUMN measure REAL;
ALTER TABLE rate_points ADD COLUMN bound REAL;
